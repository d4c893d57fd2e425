//! Coexistence: a seller who keeps the WhatsApp Business app on the number. What the
//! owner types on the phone (`smb_message_echoes`) is stored as theirs and the AI stands
//! back in that chat; past chats (`history`) are imported at their own times, never
//! unread, never answered; the phone's contacts (`smb_app_state_sync`) name customers
//! without duplicating them.

use serde_json::{Value, json};
use standins::anthropic::Scripted;
use standins::webhook as fixtures;

use crate::agent_support::World;
use crate::webhook_support::{post, shop_where_ada_wrote, spawn_ingest};

fn meta(phone_number_id: &str) -> Value {
    json!({"display_phone_number": "15550001111", "phone_number_id": phone_number_id})
}

/// A delivery of one change of `field`.
fn delivery(field: &str, value: Value) -> Value {
    fixtures::single_field(field, value)
}

fn echo(phone_number_id: &str, to: &fixtures::Customer, wamid: &str, text: &str) -> Value {
    delivery(
        "smb_message_echoes",
        fixtures::echo_value(phone_number_id, to, wamid, text),
    )
}

#[tokio::test]
async fn the_owners_phone_reply_is_stored_as_theirs_and_the_ai_stands_back() {
    let world = World::new().await;
    world.model.push([Scripted::text("Hello! How can I help?")]);
    world.customer_says("hi").await;
    world.received(1).await;
    world.jobs_settled().await;

    assert_eq!(
        post(
            &world.app,
            &echo(
                &world.shop.phone_number_id,
                &world.customer,
                "wamid.ECHO-1",
                "I'm on it, Ada!"
            )
        )
        .await,
        200
    );
    assert_eq!(
        world
            .rows("messages WHERE wamid = 'wamid.ECHO-1' AND direction = 'outbound' AND sent_by = 'phone'")
            .await,
        1
    );
    assert_eq!(
        world
            .rows("chats WHERE ai_paused AND handoff_reason LIKE '%from your phone%'")
            .await,
        1
    );
    // The same echo again changes nothing.
    post(
        &world.app,
        &echo(
            &world.shop.phone_number_id,
            &world.customer,
            "wamid.ECHO-1",
            "I'm on it, Ada!",
        ),
    )
    .await;
    assert_eq!(world.rows("messages WHERE wamid = 'wamid.ECHO-1'").await, 1);

    // The customer writes again: stored, but the AI says nothing over the owner.
    let requests = world.model.request_count();
    world.customer_says("how much is the dress?").await;
    world.jobs_settled().await;
    assert_eq!(world.model.request_count(), requests);
    assert_eq!(world.graph.texts().len(), 1, "{:?}", world.graph.texts());
    assert_eq!(world.rows("messages WHERE direction = 'inbound'").await, 2);
    // In the API the owner's phone message reads as theirs.
    let chats = world
        .owner_query("{ chats(first: 5) { nodes { id aiPaused } } }")
        .await;
    assert_eq!(chats["chats"]["nodes"][0]["aiPaused"], true, "{chats}");
    let chat_id = chats["chats"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let messages = world
        .app
        .gql_ok(
            Some(&world.token),
            "query($c: ID!) { messages(chatId: $c, last: 10) { nodes { sentBy body } } }",
            json!({"c": chat_id}),
        )
        .await
        .to_string();
    assert!(messages.contains("\"PHONE\""), "{messages}");
}

#[tokio::test]
async fn past_chats_are_imported_at_their_times_never_unread_or_answered() {
    let app = spawn_ingest().await;
    let (shop, ada, chat) = shop_where_ada_wrote(&app).await;
    let ai_jobs = app.rows("jobs WHERE kind = 'ai_reply'").await;
    let month_ago = (chrono::Utc::now() - chrono::Duration::days(30)).timestamp();
    let history = delivery(
        "history",
        json!({"messaging_product": "whatsapp", "metadata": meta(&shop.phone_number_id), "history": [{
            "metadata": {"phase": 0, "chunk_order": 1, "progress": 60},
            "threads": [
                {"id": "2348035550000", "messages": [
                    {"from": "2348035550000", "id": "wamid.OLD-1", "timestamp": month_ago.to_string(), "type": "text",
                     "text": {"body": "Is the blue bag still there?"}, "history_context": {"status": "READ"}},
                    {"from": "15550001111", "id": "wamid.OLD-2", "timestamp": (month_ago + 60).to_string(), "type": "text",
                     "text": {"body": "Yes, 12,000"}, "history_context": {"status": "READ", "from_me": true}}
                ]},
                {"id": ada.wa_id.clone().unwrap(), "messages": [
                    {"from": ada.wa_id.clone().unwrap(), "id": "wamid.OLD-3", "timestamp": (month_ago + 120).to_string(), "type": "text",
                     "text": {"body": "thanks!"}, "history_context": {"status": "READ"}}
                ]}
            ]
        }]}),
    );
    assert_eq!(post(&app, &history).await, 200);
    assert_eq!(app.rows("messages WHERE wamid LIKE 'wamid.OLD-%'").await, 3);
    assert_eq!(
        app.rows(
            "messages WHERE wamid = 'wamid.OLD-2' AND direction = 'outbound' AND sent_by = 'phone'"
        )
        .await,
        1
    );
    // Nothing new to answer: no unread, no AI job, no window opened.
    assert_eq!(app.rows("jobs WHERE kind = 'ai_reply'").await, ai_jobs);
    assert_eq!(
        app.rows("chats WHERE unread_count > 0").await,
        1,
        "only Ada's live 'hi'"
    );
    assert_eq!(app.rows("chats c JOIN contacts k ON k.id = c.contact_id WHERE k.wa_id = '2348035550000' AND c.last_inbound_at IS NULL AND c.unread_count = 0").await, 1);
    // Placed by their own time: Ada's chat (live today) stays first, its preview is today's.
    let list = app
        .query_ok(
            &shop.token,
            "{ chats(first: 5) { nodes { id lastMessagePreview } } }",
        )
        .await;
    let nodes = list["chats"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 2, "{list}");
    assert_eq!(nodes[0]["lastMessagePreview"], "hi", "{list}");
    assert_eq!(nodes[1]["lastMessagePreview"], "Yes, 12,000", "{list}");
    assert_eq!(
        app.rows(&format!(
            "chats WHERE id = {} AND last_message_preview = 'hi'",
            chat.id
        ))
        .await,
        1
    );
    // The import's progress shows with the connection.
    let c = app
        .query_ok(&shop.token, "{ whatsappConnection { historyProgress } }")
        .await;
    assert_eq!(c["whatsappConnection"]["historyProgress"], 60);
}

#[tokio::test]
async fn the_phones_contacts_name_customers_without_duplicates() {
    let app = spawn_ingest().await;
    let (shop, ada, _) = shop_where_ada_wrote(&app).await;
    let contacts = app.rows("contacts").await;
    let sync = delivery(
        "smb_app_state_sync",
        json!({"messaging_product": "whatsapp", "metadata": meta(&shop.phone_number_id), "state_sync": [
            {"type": "contact", "action": "add", "metadata": {"timestamp": fixtures::now_timestamp()},
             "contact": {"full_name": "Ada from church", "first_name": "Ada", "phone_number": format!("+{}", ada.wa_id.clone().unwrap())}},
            {"type": "contact", "action": "add", "metadata": {"timestamp": fixtures::now_timestamp()},
             "contact": {"full_name": "Mama Ngozi", "first_name": "Ngozi", "phone_number": "+234 803 555 0000"}}
        ]}),
    );
    assert_eq!(post(&app, &sync).await, 200);
    assert_eq!(app.rows("contacts").await, contacts + 1);
    assert_eq!(
        app.rows(&format!(
            "contacts WHERE wa_id = '{}' AND custom_name = 'Ada from church'",
            ada.wa_id.clone().unwrap()
        ))
        .await,
        1
    );
    assert_eq!(
        app.rows("contacts WHERE wa_id = '2348035550000' AND custom_name = 'Mama Ngozi'")
            .await,
        1
    );
    // A name the owner gave here is kept over the phone's.
    let mut conn = app.app.db().await.unwrap();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(
            "UPDATE contacts SET custom_name = 'Ngozi (owner)' WHERE wa_id = '2348035550000'",
        ),
        &mut conn,
    )
    .await
    .unwrap();
    assert_eq!(post(&app, &sync).await, 200);
    assert_eq!(
        app.rows("contacts WHERE custom_name = 'Ngozi (owner)'")
            .await,
        1
    );
    assert_eq!(app.rows("contacts").await, contacts + 1);
}

#[tokio::test]
async fn a_business_can_let_the_ai_back_a_while_after_the_owner_replied_from_the_phone() {
    let world = World::new().await;
    let refused = world
        .app
        .gql(
            Some(&world.token),
            "mutation { updateBusiness(input: {phoneReplyPauseMinutes: 0}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["field"], "phoneReplyPauseMinutes",
        "{refused}"
    );
    let set = world
        .app
        .gql_ok(
            Some(&world.token),
            "mutation { updateBusiness(input: {phoneReplyPauseMinutes: 30}) { phoneReplyPauseMinutes } }",
            json!({}),
        )
        .await;
    assert_eq!(set["updateBusiness"]["phoneReplyPauseMinutes"], 30);

    world.model.push([Scripted::text("Hello! How can I help?")]);
    world.customer_says("hi").await;
    world.received(1).await;
    world.jobs_settled().await;
    let phone_reply = echo(
        &world.shop.phone_number_id,
        &world.customer,
        "wamid.ECHO-TIMED",
        "Give me a minute",
    );
    assert_eq!(post(&world.app, &phone_reply).await, 200);
    assert_eq!(
        world
            .rows("chats WHERE ai_paused AND ai_paused_until BETWEEN NOW(6) + INTERVAL 29 MINUTE AND NOW(6) + INTERVAL 31 MINUTE")
            .await,
        1
    );
    let chat = world
        .owner_query("{ chats(first: 5) { nodes { aiPaused aiPausedUntil handoffReason } } }")
        .await["chats"]["nodes"][0]
        .clone();
    assert_eq!(chat["aiPaused"], true, "{chat}");
    assert!(chat["aiPausedUntil"].is_string(), "{chat}");
    assert!(
        chat["handoffReason"]
            .as_str()
            .unwrap()
            .contains("30 minutes"),
        "{chat}"
    );

    // During the pause the AI says nothing.
    let requests = world.model.request_count();
    world.customer_says("still there?").await;
    world.jobs_settled().await;
    assert_eq!(world.model.request_count(), requests);

    // The pause runs out (its end moved into the past rather than waited for): the
    // chat reads as resumed and the customer's next message is answered.
    {
        use diesel_async::RunQueryDsl;
        let mut conn = world.app.app.db().await.unwrap();
        diesel::sql_query("UPDATE chats SET ai_paused_until = NOW(6) - INTERVAL 1 SECOND")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let chat = world
        .owner_query("{ chats(first: 5) { nodes { aiPaused aiPausedUntil handoffReason } } }")
        .await["chats"]["nodes"][0]
        .clone();
    assert_eq!(
        (
            &chat["aiPaused"],
            &chat["aiPausedUntil"],
            &chat["handoffReason"]
        ),
        (&json!(false), &Value::Null, &Value::Null),
        "{chat}"
    );
    world
        .model
        .push([Scripted::text("Yes! The dress is NGN 25,000.")]);
    world.customer_says("how much is the dress?").await;
    world.jobs_settled().await;
    assert_eq!(world.model.request_count(), requests + 1);
    assert_eq!(
        world
            .rows("chats WHERE NOT ai_paused AND ai_paused_until IS NULL")
            .await,
        1
    );

    // Turning the AI off by hand has no end.
    world
        .app
        .gql_ok(
            Some(&world.token),
            "mutation { updateBusiness(input: {phoneReplyPauseMinutes: null}) { phoneReplyPauseMinutes } }",
            json!({}),
        )
        .await;
    assert_eq!(
        post(
            &world.app,
            &echo(
                &world.shop.phone_number_id,
                &world.customer,
                "wamid.ECHO-LASTING",
                "I'll take it from here"
            )
        )
        .await,
        200
    );
    assert_eq!(
        world
            .rows("chats WHERE ai_paused AND ai_paused_until IS NULL AND handoff_reason LIKE '%until you turn it back on%'")
            .await,
        1
    );
}
