//! Disconnecting is complete: the replies queued for the number are dropped without a
//! model call, nothing is sent, and the business's open WebSockets close.

use std::time::Duration;

use serde_json::json;
use standins::anthropic::Scripted;

use crate::agent_support::World;
use crate::inbox_support::{WsClient, WsEvent};

#[tokio::test]
async fn a_disconnected_number_gets_no_model_call_and_its_websockets_close() {
    // A long debounce: the reply is still queued when the owner disconnects.
    let world = World::new_with(|c| c.agent.reply_debounce = Duration::from_millis(1500)).await;
    world.model.push([Scripted::text("Hello from the model")]);
    let mut ws = WsClient::init(&world.app, &world.token).await;
    ws.subscribe("m", "subscription { messageAdded { body } }")
        .await;
    ws.send(json!({"type": "ping"})).await;
    assert!(
        matches!(ws.next(Duration::from_secs(5)).await, Some(WsEvent::Json(v)) if v["type"] == "pong")
    );

    world
        .customer_says("how much is the ankara wrap dress?")
        .await;
    assert_eq!(world.open_jobs().await, 1, "the reply is queued");
    world
        .owner_query("mutation { disconnectWhatsApp { status } }")
        .await;

    // The socket closes with 4401 within a second (it may first deliver the message
    // that arrived before the disconnect).
    let closed = loop {
        match ws.next(Duration::from_secs(1)).await {
            Some(WsEvent::Closed(code)) => break code,
            Some(WsEvent::Json(_)) => continue,
            None => panic!("the business's WebSocket is still open a second after disconnecting"),
        }
    };
    assert_eq!(closed, Some(4401));

    world.jobs_settled().await;
    assert_eq!(
        world.model.request_count(),
        0,
        "no model call for a disconnected number"
    );
    assert!(world.graph.payloads().is_empty(), "nothing sent");
    assert_eq!(
        world
            .rows("jobs WHERE kind = 'ai_reply' AND done_at IS NOT NULL AND last_error = 'the WhatsApp number is disconnected'")
            .await,
        1
    );
}
