//! Live inbox updates over a real WebSocket (`graphql-transport-ws` at `/graphql/ws`):
//! authenticated in `connection_init`, and each business sees only its own events.

mod common;
mod inbox_support;

use inbox_support::{
    CONNECT, Customer, WAIT, WsClient, WsEvent, business_id, chat_gid, connect, connect_input,
    insert_chat, minutes_ago, spawn,
};

const BOB_NUMBER: &str = "106540352242999";
const BOB_TOKEN: &str = "EAAGbobSECRETtoken0987654321wxyz";
use serde_json::json;

#[tokio::test]
async fn each_business_receives_only_its_own_events() {
    let (t, standin) = spawn().await;
    standin.add_number(BOB_NUMBER, BOB_TOKEN, "+1 555-0199", "Bob Shoes");
    let alice = t.sign_up("Alice Fashion", "alice@example.com").await;
    let bob = t.sign_up("Bob Shoes", "bob@example.com").await;
    let alice_business = business_id(&t, &alice).await;
    let bob_business = business_id(&t, &bob).await;
    connect(&t, &alice).await;
    let alices = insert_chat(
        &t,
        alice_business,
        Customer {
            wa_id: Some("2348012345678"),
            user_id: None,
            name: "Ada",
        },
        Some(minutes_ago(1)),
        Some(minutes_ago(1)),
        0,
    )
    .await;
    let bobs = insert_chat(
        &t,
        bob_business,
        Customer {
            wa_id: Some("2348099999999"),
            user_id: None,
            name: "Bayo",
        },
        Some(minutes_ago(2)),
        Some(minutes_ago(2)),
        0,
    )
    .await;

    let mut alice_ws = WsClient::init(&t, &alice).await;
    // Bob authenticates the other accepted way.
    let mut bob_ws = WsClient::connect(&t).await;
    bob_ws
        .send(json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {bob}")}}))
        .await;
    assert!(
        matches!(bob_ws.next(WAIT).await, Some(WsEvent::Json(v)) if v["type"] == "connection_ack")
    );

    for ws in [&mut alice_ws, &mut bob_ws] {
        ws.subscribe(
            "added",
            "subscription { messageAdded { body direction status chatId } }",
        )
        .await;
        ws.subscribe(
            "status",
            "subscription { messageStatusChanged { body status } }",
        )
        .await;
        ws.subscribe(
            "chat",
            "subscription { chatUpdated { id aiPaused contact { name } } }",
        )
        .await;
    }
    // Subscriptions are registered when the server has read them: a ping round trip
    // after the subscribe messages proves it.
    for ws in [&mut alice_ws, &mut bob_ws] {
        ws.send(json!({"type": "ping"})).await;
        assert!(matches!(ws.next(WAIT).await, Some(WsEvent::Json(v)) if v["type"] == "pong"));
    }

    // Alice sends: her subscriber sees the message, the chat and the status.
    t.gql_ok(
        Some(&alice),
        "mutation($c: ID!) { sendMessage(chatId: $c, text: \"Your dress ships today\") { id } }",
        json!({"c": chat_gid(alices)}),
    )
    .await;
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(alice_ws.next_data().await);
    }
    let added = got
        .iter()
        .find(|(id, _)| id == "added")
        .expect("messageAdded");
    assert_eq!(added.1["messageAdded"]["body"], "Your dress ships today");
    assert_eq!(added.1["messageAdded"]["chatId"], chat_gid(alices));
    let chat = got
        .iter()
        .find(|(id, _)| id == "chat")
        .expect("chatUpdated");
    assert_eq!(chat.1["chatUpdated"]["contact"]["name"], "Ada");
    let status = got
        .iter()
        .find(|(id, _)| id == "status")
        .expect("messageStatusChanged");
    assert_eq!(status.1["messageStatusChanged"]["status"], "SENT");

    // Then Bob sends on his own number. Each subscription delivers events in the order
    // they were published, so had any of Alice's events leaked to Bob, each of his
    // streams would yield it before his own.
    t.gql_ok(Some(&bob), CONNECT, connect_input(BOB_NUMBER, BOB_TOKEN))
        .await;
    t.gql_ok(
        Some(&bob),
        "mutation($c: ID!) { sendMessage(chatId: $c, text: \"Bob here\") { id } }",
        json!({"c": chat_gid(bobs)}),
    )
    .await;
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(bob_ws.next_data().await);
    }
    for (id, data) in &got {
        match id.as_str() {
            "added" => assert_eq!(data["messageAdded"]["chatId"], chat_gid(bobs)),
            "status" => assert_eq!(data["messageStatusChanged"]["body"], "Bob here"),
            "chat" => assert_eq!(data["chatUpdated"]["id"], chat_gid(bobs)),
            other => panic!("unexpected subscription {other}"),
        }
    }
    // And Alice's streams never carry Bob's events: the next item of each is her own.
    t.gql_ok(
        Some(&alice),
        "mutation($c: ID!) { sendMessage(chatId: $c, text: \"Alice again\") { id } }",
        json!({"c": chat_gid(alices)}),
    )
    .await;
    for _ in 0..3 {
        let (id, data) = alice_ws.next_data().await;
        match id.as_str() {
            "added" => assert_eq!(data["messageAdded"]["body"], "Alice again"),
            "status" => assert_eq!(data["messageStatusChanged"]["body"], "Alice again"),
            "chat" => assert_eq!(data["chatUpdated"]["id"], chat_gid(alices)),
            other => panic!("unexpected subscription {other}"),
        }
    }
}

#[tokio::test]
async fn connection_init_without_valid_credentials_is_closed_with_4403() {
    let (t, _standin) = spawn().await;
    for payload in [
        json!({}),
        json!({"token": "not-a-token"}),
        json!({"Authorization": "Basic abc"}),
    ] {
        let mut ws = WsClient::connect(&t).await;
        ws.send(json!({"type": "connection_init", "payload": payload}))
            .await;
        match ws.next(WAIT).await {
            Some(WsEvent::Closed(Some(4403))) => {}
            other => panic!("{payload}: expected close 4403, got {other:?}"),
        }
    }
    // Subscribing without connection_init is not served either.
    let mut ws = WsClient::connect(&t).await;
    ws.subscribe("x", "subscription { chatUpdated { id } }")
        .await;
    assert!(matches!(ws.next(WAIT).await, Some(WsEvent::Closed(_))));
}

#[tokio::test]
async fn a_client_that_never_sends_connection_init_is_closed_with_4408() {
    let (t, _standin) = spawn().await;
    let mut ws = WsClient::connect(&t).await;
    match ws.next(std::time::Duration::from_secs(6)).await {
        Some(WsEvent::Closed(Some(4408))) => {}
        other => panic!("expected close 4408, got {other:?}"),
    }
}
