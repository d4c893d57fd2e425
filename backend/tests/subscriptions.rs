//! Live inbox updates over a real WebSocket (`graphql-transport-ws` at `/graphql/ws`):
//! authenticated in `connection_init`, and each business sees only its own events.

use serde_json::json;

use crate::common::TestApp;
use crate::inbox_support::{
    NewChat, WAIT, WsClient, WsEvent, alice_chatting_with, chat_gid, connect_number, spawn,
};

const BOB_NUMBER: &str = "106540352242999";
const BOB_TOKEN: &str = "EAAGbobSECRETtoken0987654321wxyz";

/// The business of `token` sends `text` in `chat`.
async fn send(t: &TestApp, token: &str, chat: u64, text: &str) {
    t.gql_ok(
        Some(token),
        "mutation($c: ID!, $t: String!) { sendMessage(chatId: $c, text: $t) { id } }",
        json!({"c": chat_gid(chat), "t": text}),
    )
    .await;
}

#[tokio::test]
async fn each_business_receives_only_its_own_events() {
    let (t, standin) = spawn().await;
    standin.add_number(BOB_NUMBER, BOB_TOKEN, "+1 555-0199", "Bob Shoes");
    let (alice, _, alices) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(1)).await;
    let (bob, bob_business) = t.sign_up_business("Bob Shoes", "bob@example.com").await;
    let bobs = NewChat::phone("Bayo", "2348099999999")
        .wrote_minutes_ago(2)
        .insert(&t, bob_business)
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
    send(&t, &alice, alices, "Your dress ships today").await;
    let got = alice_ws.next_events(3).await;
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
    connect_number(&t, &bob, BOB_NUMBER, BOB_TOKEN).await;
    send(&t, &bob, bobs, "Bob here").await;
    let got = bob_ws.next_events(3).await;
    for (id, data) in &got {
        match id.as_str() {
            "added" => assert_eq!(data["messageAdded"]["chatId"], chat_gid(bobs)),
            "status" => assert_eq!(data["messageStatusChanged"]["body"], "Bob here"),
            "chat" => assert_eq!(data["chatUpdated"]["id"], chat_gid(bobs)),
            other => panic!("unexpected subscription {other}"),
        }
    }
    // And Alice's streams never carry Bob's events: the next item of each is her own.
    send(&t, &alice, alices, "Alice again").await;
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
