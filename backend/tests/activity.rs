//! The activity log over the API: what owners do is recorded with who did it and a
//! link to the record, listed newest first with filters and pages, live over the
//! WebSocket, and never visible to another business.

use serde_json::{Value, json};

use crate::common::{TestApp, error_code};
use crate::inbox_support::{
    NewChat, WAIT, WsClient, WsEvent, alice_chatting_with, chat_gid, spawn,
};

const LIST: &str = "query($first: Int, $after: String, $f: ActivityFilterInput) {
  activity(first: $first, after: $after, filter: $f) {
    pageInfo { hasNextPage endCursor }
    nodes { id kind summary actor { kind name } subject { kind id } details createdAt }
  }
}";

async fn list(t: &TestApp, token: &str, first: i64, filter: Value) -> Value {
    t.gql_ok(Some(token), LIST, json!({"first": first, "f": filter}))
        .await["activity"]
        .clone()
}

fn kinds(page: &Value) -> Vec<String> {
    page["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn pause(t: &TestApp, token: &str, chat: u64, paused: bool) {
    t.gql_ok(
        Some(token),
        "mutation($c: ID!, $p: Boolean!) { setChatAiPaused(chatId: $c, paused: $p) { aiPaused } }",
        json!({"c": chat_gid(chat), "p": paused}),
    )
    .await;
}

#[tokio::test]
async fn owner_actions_are_listed_newest_first_with_actor_subject_and_filters() {
    let (t, _standin) = spawn().await;
    let (alice, _, chat) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(3)).await;
    let product = t.create_product(&alice, "Ankara dress").await;
    t.gql_ok(
        Some(&alice),
        "mutation($id: ID!) { archiveProduct(id: $id) { id } }",
        json!({"id": product}),
    )
    .await;
    pause(&t, &alice, chat, true).await;
    // Setting the state the chat already has is no change and logs nothing.
    pause(&t, &alice, chat, true).await;
    pause(&t, &alice, chat, false).await;

    let all = list(&t, &alice, 50, json!(null)).await;
    assert_eq!(
        kinds(&all),
        [
            "CHAT_RESUMED",
            "CHAT_PAUSED",
            "PRODUCT_ARCHIVED",
            "PRODUCT_CREATED",
            "WHATSAPP_CONNECTED"
        ]
    );
    let created = &all["nodes"][3];
    assert_eq!(
        created["actor"],
        json!({"kind": "OWNER", "name": "alice@example.com"})
    );
    assert_eq!(
        created["subject"],
        json!({"kind": "PRODUCT", "id": product})
    );
    assert_eq!(created["details"]["name"], "Ankara dress");
    assert!(
        created["summary"]
            .as_str()
            .unwrap()
            .contains("Ankara dress")
    );
    assert_eq!(all["nodes"][0]["subject"]["id"], chat_gid(chat));

    // Pages: one at a time, the cursor continues where the last page ended.
    let first = list(&t, &alice, 1, json!(null)).await;
    assert_eq!(kinds(&first), ["CHAT_RESUMED"]);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let next = t
        .gql_ok(
            Some(&alice),
            LIST,
            json!({"first": 2, "after": first["pageInfo"]["endCursor"]}),
        )
        .await["activity"]
        .clone();
    assert_eq!(kinds(&next), ["CHAT_PAUSED", "PRODUCT_ARCHIVED"]);

    // Filters: by kind, by subject, by actor kind, by date.
    let by_kind = list(
        &t,
        &alice,
        50,
        json!({"kinds": ["CHAT_PAUSED", "PRODUCT_CREATED"]}),
    )
    .await;
    assert_eq!(kinds(&by_kind), ["CHAT_PAUSED", "PRODUCT_CREATED"]);
    let by_subject = list(&t, &alice, 50, json!({"subjectId": product})).await;
    assert_eq!(kinds(&by_subject), ["PRODUCT_ARCHIVED", "PRODUCT_CREATED"]);
    let by_ai = list(&t, &alice, 50, json!({"actor": "AI"})).await;
    assert_eq!(kinds(&by_ai), Vec::<String>::new());
    let future = list(&t, &alice, 50, json!({"since": "2999-01-01T00:00:00Z"})).await;
    assert_eq!(kinds(&future), Vec::<String>::new());
    let past = list(&t, &alice, 50, json!({"until": "2999-01-01T00:00:00Z"})).await;
    assert_eq!(kinds(&past).len(), 5);
}

#[tokio::test]
async fn another_business_sees_none_of_it_even_by_subject_id() {
    let (t, _standin) = spawn().await;
    let (alice, _, chat) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(3)).await;
    let product = t.create_product(&alice, "Ankara dress").await;
    pause(&t, &alice, chat, true).await;
    let (bob, _) = t.sign_up_business("Bob Shoes", "bob@example.com").await;

    assert_eq!(
        kinds(&list(&t, &bob, 50, json!(null)).await),
        Vec::<String>::new()
    );
    for subject in [product.clone(), chat_gid(chat)] {
        let page = list(&t, &bob, 50, json!({"subjectId": subject})).await;
        assert_eq!(kinds(&page), Vec::<String>::new(), "{subject}");
    }
    // Alice still has hers.
    assert_eq!(kinds(&list(&t, &alice, 50, json!(null)).await).len(), 3);
}

#[tokio::test]
async fn bad_filters_are_clear_errors() {
    let t = TestApp::spawn().await;
    let (alice, _) = t.sign_up_alice().await;
    let reversed = t
        .gql(
            Some(&alice),
            LIST,
            json!({"f": {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}}),
        )
        .await;
    assert_eq!(error_code(&reversed), "BAD_USER_INPUT", "{reversed}");
    let garbage = t
        .gql(Some(&alice), LIST, json!({"f": {"subjectId": "not-an-id"}}))
        .await;
    assert_eq!(error_code(&garbage), "NOT_FOUND", "{garbage}");
    let too_many = t
        .gql(
            Some(&alice),
            LIST,
            json!({"f": {"kinds": vec!["LOGGED_IN"; 41]}}),
        )
        .await;
    assert_eq!(error_code(&too_many), "BAD_USER_INPUT", "{too_many}");
    let anonymous = t.gql(None, LIST, json!({})).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED", "{anonymous}");
}

#[tokio::test]
async fn new_entries_arrive_live_only_for_their_business() {
    let t = TestApp::spawn().await;
    let (alice, _) = t.sign_up_alice().await;
    let (bob, _) = t.sign_up_business("Bob Shoes", "bob@example.com").await;
    let mut alice_ws = WsClient::init(&t, &alice).await;
    let mut bob_ws = WsClient::init(&t, &bob).await;
    for ws in [&mut alice_ws, &mut bob_ws] {
        ws.subscribe(
            "log",
            "subscription { activityAdded { kind summary actor { kind name } subject { id } } }",
        )
        .await;
        ws.send(json!({"type": "ping"})).await;
        assert!(matches!(ws.next(WAIT).await, Some(WsEvent::Json(v)) if v["type"] == "pong"));
    }

    let product = t.create_product(&alice, "Ankara dress").await;
    let (id, data) = alice_ws.next_data().await;
    assert_eq!(id, "log");
    assert_eq!(data["activityAdded"]["kind"], "PRODUCT_CREATED");
    assert_eq!(data["activityAdded"]["subject"]["id"], product);
    assert_eq!(data["activityAdded"]["actor"]["name"], "alice@example.com");

    // Bob's next event is his own product, not Alice's.
    t.create_product(&bob, "Loafers").await;
    let (_, data) = bob_ws.next_data().await;
    assert!(
        data["activityAdded"]["summary"]
            .as_str()
            .unwrap()
            .contains("Loafers"),
        "{data}"
    );
}

#[tokio::test]
async fn sign_in_settings_and_connection_changes_are_recorded_by_who_made_them() {
    let (t, _standin) = spawn().await;
    let (alice, _) = crate::inbox_support::alice_connected(&t).await;
    let again = t.log_in("alice@example.com").await;
    t.gql_ok(
        Some(&again),
        "mutation { updateBusiness(input: {aiEnabled: false}) { aiEnabled } }",
        json!({}),
    )
    .await;
    t.gql_ok(
        Some(&again),
        "mutation { updateAiSettings(input: {dailyTokenBudget: 5000}) { dailyTokenBudget } }",
        json!({}),
    )
    .await;
    t.gql_ok(Some(&again), "mutation { logOut }", json!({}))
        .await;

    let page = list(&t, &alice, 50, json!(null)).await;
    assert_eq!(
        kinds(&page),
        [
            "LOGGED_OUT",
            "AI_BUDGET_CHANGED",
            "SETTINGS_CHANGED",
            "LOGGED_IN",
            "WHATSAPP_CONNECTED"
        ]
    );
    for node in page["nodes"].as_array().unwrap() {
        assert_eq!(
            node["actor"],
            json!({"kind": "OWNER", "name": "alice@example.com"}),
            "{node}"
        );
    }
    assert_eq!(page["nodes"][2]["details"]["fields"], json!(["aiEnabled"]));
    assert!(
        page["nodes"][2]["summary"]
            .as_str()
            .unwrap()
            .contains("turned off"),
        "{page}"
    );
    assert_eq!(page["nodes"][1]["details"]["daily_token_budget"], 5000);
    // A wrong password is no log-in.
    let wrong = t
        .gql(
            None,
            "mutation { logIn(input: {email: \"alice@example.com\", password: \"wrong-password-1\"}) { token } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&wrong), "BAD_USER_INPUT");
    let logins = list(&t, &alice, 50, json!({"kinds": ["LOGGED_IN"]})).await;
    assert_eq!(kinds(&logins).len(), 1);
}

/// Inserts `inbound` and `outbound` messages into `chat`, created at `at`.
async fn messages_at(
    t: &TestApp,
    business: u64,
    chat: u64,
    inbound: usize,
    outbound: usize,
    at: chrono::NaiveDateTime,
) {
    use crate::inbox_support::insert_inbound;
    for i in 0..inbound {
        insert_inbound(
            t,
            business,
            chat,
            &format!("wamid.in.{business}.{chat}.{i}"),
            "secret text",
            at,
        )
        .await;
    }
    for i in 0..outbound {
        let mut conn = t.app.db().await.unwrap();
        diesel_async::RunQueryDsl::execute(
            diesel::sql_query(format!(
                "INSERT INTO messages (business_id, chat_id, wamid, direction, kind, body, sent_by, status, wa_timestamp) \
                 VALUES ({business}, {chat}, 'wamid.out.{business}.{chat}.{i}', 'outbound', 'text', 'secret reply', 'ai', 'sent', UTC_TIMESTAMP())"
            )),
            &mut conn,
        )
        .await
        .unwrap();
    }
    let mut conn = t.app.db().await.unwrap();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE messages SET created_at = '{at}' WHERE business_id = {business}"
        )),
        &mut conn,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn messages_in_and_out_are_logged_as_hourly_counts_once_per_business() {
    use backend::activity::message_counts::job_for;
    use chrono::{DurationRound, Utc};

    let (t, _standin) = spawn().await;
    let (alice, alice_business, alice_chat) = alice_chatting_with(&t, NewChat::ada()).await;
    let (bob, bob_business) = t.sign_up_business("Bob's Shoes", "bob@example.com").await;
    let bob_chat = NewChat::phone("Chidi", "2348099990000")
        .insert(&t, bob_business)
        .await;
    // Two hours ago, so the hour's job is already due whatever the minute now.
    let hour = (Utc::now() - chrono::Duration::hours(2))
        .duration_trunc(chrono::Duration::hours(1))
        .unwrap();
    let inside = (hour + chrono::Duration::minutes(20)).naive_utc();
    messages_at(&t, alice_business, alice_chat, 2, 1, inside).await;
    messages_at(&t, bob_business, bob_chat, 1, 4, inside).await;
    // A message of the hour before is not this hour's.
    crate::inbox_support::insert_inbound(
        &t,
        alice_business,
        alice_chat,
        "wamid.earlier",
        "earlier",
        inside,
    )
    .await;
    let mut conn = t.app.db().await.unwrap();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE messages SET created_at = '{}' WHERE wamid = 'wamid.earlier'",
            (hour - chrono::Duration::seconds(1)).naive_utc()
        )),
        &mut conn,
    )
    .await
    .unwrap();
    assert!(
        backend::db::jobs::enqueue_once(&mut conn, &job_for(hour))
            .await
            .unwrap()
    );

    let filter = json!({"kinds": ["MESSAGES"]});
    let deadline = std::time::Instant::now() + WAIT;
    let page = loop {
        let page = list(&t, &alice, 10, filter.clone()).await;
        if !page["nodes"].as_array().unwrap().is_empty() {
            break page;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no message counts were logged"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let nodes = page["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1, "{page}");
    assert!(
        nodes[0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("2 messages in, 1 out"),
        "{page}"
    );
    assert_eq!(nodes[0]["actor"]["kind"], "SYSTEM");
    let details: Value = match &nodes[0]["details"] {
        Value::String(s) => serde_json::from_str(s).unwrap(),
        v => v.clone(),
    };
    assert_eq!(details["inbound"], 2, "{details}");
    assert_eq!(details["outbound"], 1, "{details}");
    // Bob sees his own counts only; no content anywhere in the log.
    let bobs = list(&t, &bob, 10, filter.clone()).await;
    assert_eq!(bobs["nodes"].as_array().unwrap().len(), 1, "{bobs}");
    assert!(
        bobs["nodes"][0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("1 message in, 4 out"),
        "{bobs}"
    );
    assert_eq!(
        t.rows("activity_events WHERE details LIKE '%secret%' OR subject LIKE '%secret%'")
            .await,
        0
    );

    // The hour is counted once: its job is done, not revived, and the next hour's is queued.
    assert!(
        !backend::db::jobs::enqueue_once(&mut conn, &job_for(hour))
            .await
            .unwrap()
    );
    assert_eq!(t.rows("activity_events WHERE kind = 'messages'").await, 2);
    let next = job_for(hour + chrono::Duration::hours(1))
        .dedupe_key
        .unwrap();
    assert_eq!(
        t.rows(&format!("jobs WHERE dedupe_key = '{next}'")).await,
        1
    );
}
