//! The blacklist through the API: one entry per customer however the number is typed,
//! entries by phone, user id (BSUID) or username, enforcement on the AI path (the
//! message is stored, nothing is sent), STOP on the same list, tenancy, bad input and
//! the live stream.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use standins::anthropic::Scripted;

use crate::agent_support::World;
use crate::common::{TestApp, error_code};
use crate::inbox_support::{
    self as inbox_support, NewChat, WAIT, WsClient, WsEvent, alice_chatting_with, chat_gid,
};

const ADD: &str = "mutation($i: AddToBlacklistInput!) { addToBlacklist(input: $i) {
    id kind value reason addedBy { kind name } createdAt contact { id name } } }";
const LIST: &str =
    "query($s: String, $f: Int, $a: String) { blacklist(search: $s, first: $f, after: $a) {
    nodes { id kind value reason addedBy { kind name } contact { name } }
    pageInfo { hasNextPage endCursor } } }";
const REMOVE: &str = "mutation($id: ID!) { removeFromBlacklist(id: $id) }";
const CHAT: &str =
    "query($id: ID!) { chat(id: $id) { contact { id blacklisted blacklistReason } } }";

async fn add(t: &TestApp, token: &str, input: Value) -> Value {
    t.gql_ok(Some(token), ADD, json!({"i": input})).await["addToBlacklist"].clone()
}

async fn list(t: &TestApp, token: &str, search: Option<&str>) -> Vec<Value> {
    let data = t
        .gql_ok(Some(token), LIST, json!({"s": search, "f": 50}))
        .await;
    data["blacklist"]["nodes"].as_array().unwrap().clone()
}

async fn contact_of(t: &TestApp, token: &str, chat: u64) -> Value {
    t.gql_ok(Some(token), CHAT, json!({"id": chat_gid(chat)}))
        .await["chat"]["contact"]
        .clone()
}

fn contact_gid(id: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("Contact:{id}"))
}

#[tokio::test]
async fn spellings_of_one_number_are_one_entry_and_adding_again_updates_the_reason() {
    let t = TestApp::spawn().await;
    let (alice, _) = t.sign_up_alice().await;
    let first = add(
        &t,
        &alice,
        json!({"phone": "+1 555-123-4567", "reason": "spam"}),
    )
    .await;
    assert_eq!(first["kind"], "PHONE");
    assert_eq!(first["value"], "+15551234567");
    assert_eq!(first["addedBy"]["kind"], "OWNER");
    assert_eq!(first["addedBy"]["name"], "alice@example.com");
    assert!(
        first["contact"].is_null(),
        "nobody with that number wrote yet"
    );
    let again = add(
        &t,
        &alice,
        json!({"phone": "1 (555) 123 4567", "reason": "abusive"}),
    )
    .await;
    assert_eq!(again["id"], first["id"]);
    let third = add(&t, &alice, json!({"phone": "15551234567"})).await;
    assert_eq!(third["id"], first["id"]);
    let entries = list(&t, &alice, None).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["reason"], "", "the last add's reason wins");
    assert_eq!(t.rows("blacklist").await, 1);
    assert_eq!(
        t.rows("activity_events WHERE kind = 'blacklist_added'")
            .await,
        3
    );
    // No number in the log's summaries (erasure): the entry is linked instead.
    assert_eq!(
        t.rows("activity_events WHERE kind = 'blacklist_added' AND (subject LIKE '%555%' OR details LIKE '%555%')")
            .await,
        0
    );
}

#[tokio::test]
async fn a_contact_is_blacklisted_when_any_of_its_identifiers_is_listed() {
    let (t, _graph) = inbox_support::spawn().await;
    let ada = NewChat {
        user_id: Some("NG.1502576394655843"),
        ..NewChat::ada()
    };
    let (alice, _, chat) = alice_chatting_with(&t, ada).await;
    {
        use diesel_async::RunQueryDsl;
        let mut conn = t.app.db().await.unwrap();
        diesel::sql_query("UPDATE contacts SET username = 'Ada_Shop'")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let contact = contact_of(&t, &alice, chat).await;
    assert_eq!(contact["blacklisted"], false);
    assert!(contact["blacklistReason"].is_null());

    for (input, kind, value) in [
        (
            json!({"username": "@ADA_shop", "reason": "by name"}),
            "USERNAME",
            "@ada_shop",
        ),
        (
            json!({"userId": "NG.1502576394655843", "reason": "by id"}),
            "USER_ID",
            "NG.1502576394655843",
        ),
        (
            json!({"phone": "+234 801 234 5678", "reason": "by phone"}),
            "PHONE",
            "+2348012345678",
        ),
        (
            json!({"contactId": contact["id"], "reason": "from chat"}),
            "USER_ID",
            "NG.1502576394655843",
        ),
    ] {
        let entry = add(&t, &alice, input.clone()).await;
        assert_eq!(entry["kind"], kind, "{input}");
        assert_eq!(entry["value"], value, "{input}");
        assert_eq!(entry["contact"]["name"], "Ada", "{input}");
        let now = contact_of(&t, &alice, chat).await;
        assert_eq!(now["blacklisted"], true, "{input}");
        assert_eq!(now["blacklistReason"], input["reason"], "{input}");
        let removed = t
            .gql_ok(Some(&alice), REMOVE, json!({"id": entry["id"]}))
            .await;
        assert_eq!(removed["removeFromBlacklist"], entry["id"]);
        assert_eq!(
            contact_of(&t, &alice, chat).await["blacklisted"],
            false,
            "{input}"
        );
    }
    assert_eq!(
        t.rows(
            "activity_events WHERE kind = 'blacklist_removed' AND actor_name = 'alice@example.com'"
        )
        .await,
        4
    );

    // Unblocking from the chat (the contact's id) removes every entry naming them.
    add(&t, &alice, json!({"phone": "2348012345678"})).await;
    add(&t, &alice, json!({"username": "ada_shop"})).await;
    add(&t, &alice, json!({"phone": "+44 20 7946 0000"})).await;
    t.gql_ok(Some(&alice), REMOVE, json!({"id": contact["id"]}))
        .await;
    assert_eq!(contact_of(&t, &alice, chat).await["blacklisted"], false);
    let left = list(&t, &alice, None).await;
    assert_eq!(left.len(), 1, "only the unrelated number stays: {left:?}");
    assert_eq!(left[0]["value"], "+442079460000");
}

#[tokio::test]
async fn the_list_pages_newest_first_and_searches_values_and_reasons() {
    let t = TestApp::spawn().await;
    let (alice, _) = t.sign_up_alice().await;
    add(
        &t,
        &alice,
        json!({"phone": "+1 555 000 1111", "reason": "rude"}),
    )
    .await;
    add(
        &t,
        &alice,
        json!({"username": "spammer", "reason": "sent links"}),
    )
    .await;
    add(
        &t,
        &alice,
        json!({"userId": "US.99", "reason": "rude again"}),
    )
    .await;

    let page = t.gql_ok(Some(&alice), LIST, json!({"f": 2})).await["blacklist"].clone();
    let values: Vec<&str> = page["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["US.99", "@spammer"]);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let rest = t
        .gql_ok(
            Some(&alice),
            LIST,
            json!({"f": 2, "a": page["pageInfo"]["endCursor"]}),
        )
        .await["blacklist"]
        .clone();
    assert_eq!(rest["nodes"][0]["value"], "+15550001111");
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);

    let by = |s: &'static str| {
        let t = &t;
        let alice = &alice;
        async move {
            list(t, alice, Some(s))
                .await
                .iter()
                .map(|n| n["value"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(by("rude").await, ["US.99", "+15550001111"]);
    assert_eq!(by("+1 555-000").await, ["+15550001111"]);
    assert_eq!(by("@SPAM").await, ["@spammer"]);
    assert!(by("50%_").await.is_empty());
}

#[tokio::test]
async fn a_blacklisted_customers_message_is_stored_and_the_ai_sends_nothing() {
    let world = World::new().await;
    let typed = format!("+{}", world.customer.wa_id.as_deref().unwrap());
    add(
        &world.app,
        &world.token,
        json!({"phone": typed, "reason": "abusive"}),
    )
    .await;
    world.customer_says("how much is the red dress?").await;
    // Stored (the webhook answered after the commit), and visible as blocked.
    assert_eq!(
        world
            .rows("messages WHERE direction = 'inbound' AND body = 'how much is the red dress?'")
            .await,
        1
    );
    let chats = world
        .owner_query("{ chats(first: 5) { nodes { lastMessagePreview contact { blacklisted blacklistReason } } } }")
        .await;
    let chat = &chats["chats"]["nodes"][0];
    assert_eq!(chat["lastMessagePreview"], "how much is the red dress?");
    assert_eq!(chat["contact"]["blacklisted"], true);
    assert_eq!(chat["contact"]["blacklistReason"], "abusive");
    assert_eq!(world.rows("jobs WHERE kind = 'ai_reply'").await, 0);
    world.jobs_settled().await;
    assert_eq!(world.model.request_count(), 0);
    assert!(world.graph.payloads().is_empty());
}

#[tokio::test]
async fn stop_shows_on_the_blacklist_and_removing_it_lets_the_ai_answer_again() {
    let world = World::new().await;
    let mut ws = WsClient::init(&world.app, &world.token).await;
    ws.subscribe(
        "bl",
        "subscription { blacklistChanged { removed entry { reason addedBy { kind } } } }",
    )
    .await;
    ws.send(json!({"type": "ping"})).await;
    assert!(matches!(ws.next(WAIT).await, Some(WsEvent::Json(v)) if v["type"] == "pong"));
    world.customer_says("STOP").await;
    // The owner's open Blacklist page hears of it once the ingest batch committed.
    let (_, data) = ws.next_data().await;
    assert_eq!(data["blacklistChanged"]["removed"], false);
    assert_eq!(
        data["blacklistChanged"]["entry"]["reason"],
        "opted out (STOP)"
    );
    assert_eq!(
        data["blacklistChanged"]["entry"]["addedBy"]["kind"],
        "CUSTOMER"
    );
    let got = world.received(1).await;
    assert!(got[0].starts_with("You're unsubscribed"), "{got:?}");
    let entries = list(&world.app, &world.token, None).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    assert_eq!(entry["reason"], "opted out (STOP)");
    assert_eq!(entry["addedBy"]["kind"], "CUSTOMER");
    assert_eq!(entry["kind"], "USER_ID");
    assert_eq!(entry["contact"]["name"], "Ada Customer");
    assert_eq!(world.activity("contact_opted_out").await, 1);

    world.customer_says("hello?").await;
    world.jobs_settled().await;
    assert_eq!(world.model.request_count(), 0);

    world
        .app
        .gql_ok(Some(&world.token), REMOVE, json!({"id": entry["id"]}))
        .await;
    assert!(list(&world.app, &world.token, None).await.is_empty());
    assert_eq!(world.activity("blacklist_removed").await, 1);
    world
        .model
        .push([Scripted::text("Welcome back! How can I help?")]);
    let got = world
        .customer_says_and_gets("I changed my mind, is the dress in red?", 2)
        .await;
    assert_eq!(got[1], "Welcome back! How can I help?");
}

#[tokio::test]
async fn blacklisting_a_number_in_one_business_does_not_touch_another() {
    let world = World::new().await;
    let (bob, _) = world
        .app
        .sign_up_business("Bob Shoes", "bob@example.com")
        .await;
    let number = world.customer.wa_id.clone().unwrap();
    let user_id = world.customer.user_id.clone().unwrap();
    add(&world.app, &bob, json!({"phone": number})).await;
    add(&world.app, &bob, json!({"userId": user_id})).await;
    world
        .model
        .push([Scripted::text("Hello from Ada Boutique!")]);
    let got = world.customer_says_and_gets("hello", 1).await;
    assert_eq!(got[0], "Hello from Ada Boutique!");
    assert!(list(&world.app, &world.token, None).await.is_empty());
    let chats = world
        .owner_query("{ chats(first: 5) { nodes { contact { blacklisted } } } }")
        .await;
    assert_eq!(chats["chats"]["nodes"][0]["contact"]["blacklisted"], false);
}

#[tokio::test]
async fn another_business_cannot_list_remove_or_use_the_entries_and_contacts() {
    let (t, _graph) = inbox_support::spawn().await;
    let (alice, _, chat) = alice_chatting_with(&t, NewChat::ada()).await;
    let (bob, _) = t.sign_up_business("Bob Shoes", "bob@example.com").await;
    let contact = contact_of(&t, &alice, chat).await["id"].clone();
    let entry = add(
        &t,
        &alice,
        json!({"contactId": contact, "reason": "secret"}),
    )
    .await;

    assert!(list(&t, &bob, None).await.is_empty());
    assert!(list(&t, &bob, Some("secret")).await.is_empty());
    let removed = t.gql(Some(&bob), REMOVE, json!({"id": entry["id"]})).await;
    assert_eq!(error_code(&removed), "NOT_FOUND", "{removed}");
    let by_contact = t.gql(Some(&bob), REMOVE, json!({"id": contact})).await;
    assert_eq!(error_code(&by_contact), "NOT_FOUND", "{by_contact}");
    let add_theirs = t
        .gql(Some(&bob), ADD, json!({"i": {"contactId": contact}}))
        .await;
    assert_eq!(error_code(&add_theirs), "NOT_FOUND", "{add_theirs}");
    let see = t.gql(Some(&bob), CHAT, json!({"id": chat_gid(chat)})).await;
    assert_eq!(error_code(&see), "NOT_FOUND", "{see}");

    // Alice's entry is untouched by all of it.
    assert_eq!(contact_of(&t, &alice, chat).await["blacklisted"], true);
    assert_eq!(list(&t, &alice, None).await.len(), 1);
    assert_eq!(
        t.rows("activity_events WHERE kind = 'blacklist_removed'")
            .await,
        0
    );
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_and_anonymous_callers_are_refused() {
    let t = TestApp::spawn().await;
    let (alice, _) = t.sign_up_alice().await;
    let long = "x".repeat(501);
    for input in [
        json!({"phone": "15551234567", "username": "ada"}),
        json!({"reason": "no one named"}),
        json!({"phone": "12ab"}),
        json!({"phone": "123"}),
        json!({"username": "@"}),
        json!({"userId": "has space"}),
        json!({"phone": "15551234567", "reason": long}),
    ] {
        let resp = t.gql(Some(&alice), ADD, json!({"i": input})).await;
        assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{input}: {resp}");
    }
    let bad_phone = t
        .gql(Some(&alice), ADD, json!({"i": {"phone": "12ab"}}))
        .await;
    let message = bad_phone["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("phone") && message.contains("7 to 15 digits"),
        "{message}"
    );
    let unknown = t
        .gql(
            Some(&alice),
            ADD,
            json!({"i": {"contactId": contact_gid(999)}}),
        )
        .await;
    assert_eq!(error_code(&unknown), "NOT_FOUND", "{unknown}");
    assert_eq!(t.rows("blacklist").await, 0);

    for (query, vars) in [
        (LIST, json!({})),
        (ADD, json!({"i": {"phone": "15551234567"}})),
        (REMOVE, json!({"id": contact_gid(1)})),
    ] {
        let resp = t.gql(None, query, vars).await;
        assert_eq!(error_code(&resp), "UNAUTHENTICATED", "{query}: {resp}");
    }
}

#[tokio::test]
async fn changes_arrive_live_only_for_their_business() {
    let t = TestApp::spawn().await;
    let (alice, _) = t.sign_up_alice().await;
    let (bob, _) = t.sign_up_business("Bob Shoes", "bob@example.com").await;
    let mut alice_ws = WsClient::init(&t, &alice).await;
    let mut bob_ws = WsClient::init(&t, &bob).await;
    for ws in [&mut alice_ws, &mut bob_ws] {
        ws.subscribe(
            "bl",
            "subscription { blacklistChanged { id removed entry { value reason addedBy { name } } } }",
        )
        .await;
        ws.send(json!({"type": "ping"})).await;
        assert!(matches!(ws.next(WAIT).await, Some(WsEvent::Json(v)) if v["type"] == "pong"));
    }

    let entry = add(
        &t,
        &alice,
        json!({"phone": "+1 555 123 4567", "reason": "spam"}),
    )
    .await;
    let (id, data) = alice_ws.next_data().await;
    assert_eq!(id, "bl");
    let change = &data["blacklistChanged"];
    assert_eq!(change["id"], entry["id"]);
    assert_eq!(change["removed"], false);
    assert_eq!(change["entry"]["value"], "+15551234567");
    assert_eq!(change["entry"]["addedBy"]["name"], "alice@example.com");

    t.gql_ok(Some(&alice), REMOVE, json!({"id": entry["id"]}))
        .await;
    let (_, data) = alice_ws.next_data().await;
    assert_eq!(data["blacklistChanged"]["removed"], true);
    assert!(data["blacklistChanged"]["entry"].is_null());

    // Bob's first event is his own entry: none of Alice's two reached him.
    add(&t, &bob, json!({"username": "bobs_troll"})).await;
    let (_, data) = bob_ws.next_data().await;
    assert_eq!(data["blacklistChanged"]["entry"]["value"], "@bobs_troll");
}
