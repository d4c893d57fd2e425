//! Fixtures for the inbox, sender and WhatsApp tests: a Graph API stand-in wired to the
//! server, a connected number, and customers/chats/messages inserted directly (the
//! webhook ingest that normally stores them is tested on its own).
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of helpers"
)]

use std::time::Duration;

use backend::db::schema::{chats, contacts, messages};
use backend::events::{DomainEvent, EventKind};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use standins::graph::GraphStandin;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::common::TestApp;

/// The number every test connects, and the token the stand-in accepts for it.
pub const PHONE_NUMBER_ID: &str = "106540352242922";
/// A business access token (long enough to be masked meaningfully).
pub const ACCESS_TOKEN: &str = "EAAGtestSECRETtoken1234567890abcd";

/// Longest a test waits for something that should happen at once.
pub const WAIT: Duration = Duration::from_secs(5);

/// A server whose `META_GRAPH_URL` points at a fresh stand-in that knows one number.
pub async fn spawn() -> (TestApp, GraphStandin) {
    spawn_with(|_| {}).await
}

/// Like [`spawn`], with a configuration tweak.
pub async fn spawn_with(
    adjust: impl FnOnce(&mut backend::config::Config),
) -> (TestApp, GraphStandin) {
    let standin = GraphStandin::start(0, false).await.unwrap();
    standin.add_number(
        PHONE_NUMBER_ID,
        ACCESS_TOKEN,
        "+1 555-0100",
        "Alice Fashion",
    );
    let url = standin.url.clone();
    let t = TestApp::spawn_with(move |c| {
        c.meta_graph_url = url;
        adjust(c);
    })
    .await;
    (t, standin)
}

/// The mutation that connects a number.
pub const CONNECT: &str = "mutation($i: ConnectWhatsAppInput!) { connectWhatsApp(input: $i) {
    id phoneNumberId wabaId displayPhoneNumber verifiedName accessTokenHint status
    connectedAt disconnectedAt } }";

/// Connect input.
pub fn connect_input(phone_number_id: &str, token: &str) -> Value {
    json!({ "i": {
        "phoneNumberId": phone_number_id, "wabaId": "102290129340398",
        "displayPhoneNumber": "+1 555 0100", "accessToken": token
    }})
}

/// Connects [`PHONE_NUMBER_ID`] for the business of `token`.
pub async fn connect(t: &TestApp, token: &str) -> Value {
    t.gql_ok(
        Some(token),
        CONNECT,
        connect_input(PHONE_NUMBER_ID, ACCESS_TOKEN),
    )
    .await["connectWhatsApp"]
        .clone()
}

/// The database id of the caller's business.
pub async fn business_id(t: &TestApp, token: &str) -> u64 {
    let data = t
        .gql_ok(Some(token), "{ business { id } }", json!({}))
        .await;
    decode_id(data["business"]["id"].as_str().unwrap())
}

/// Decodes an opaque id to its database id.
pub fn decode_id(id: &str) -> u64 {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id).unwrap()).unwrap();
    text.split_once(':').unwrap().1.parse().unwrap()
}

/// The opaque id of a chat.
pub fn chat_gid(id: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("Chat:{id}"))
}

/// A customer: phone and/or BSUID.
pub struct Customer<'a> {
    /// Phone number (digits).
    pub wa_id: Option<&'a str>,
    /// BSUID.
    pub user_id: Option<&'a str>,
    /// Profile name.
    pub name: &'a str,
}

/// Inserts a contact and its chat; returns the chat id. `last_inbound` opens the
/// 24-hour window when recent; `last_message_at` orders the chat list.
pub async fn insert_chat(
    t: &TestApp,
    business_id: u64,
    customer: Customer<'_>,
    last_inbound: Option<NaiveDateTime>,
    last_message_at: Option<NaiveDateTime>,
    unread: i32,
) -> u64 {
    let mut conn = t.app.db().await.unwrap();
    diesel::insert_into(contacts::table)
        .values((
            contacts::business_id.eq(business_id),
            contacts::wa_id.eq(customer.wa_id),
            contacts::user_id.eq(customer.user_id),
            contacts::profile_name.eq(customer.name),
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    let contact_id: u64 = contacts::table
        .filter(contacts::business_id.eq(business_id))
        .select(diesel::dsl::max(contacts::id))
        .first::<Option<u64>>(&mut conn)
        .await
        .unwrap()
        .unwrap();
    diesel::insert_into(chats::table)
        .values((
            chats::business_id.eq(business_id),
            chats::contact_id.eq(contact_id),
            chats::last_inbound_at.eq(last_inbound),
            chats::last_message_at.eq(last_message_at),
            chats::unread_count.eq(unread),
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    chats::table
        .filter(chats::contact_id.eq(contact_id))
        .select(chats::id)
        .first(&mut conn)
        .await
        .unwrap()
}

/// Inserts an inbound text message.
pub async fn insert_inbound(
    t: &TestApp,
    business_id: u64,
    chat_id: u64,
    wamid: &str,
    body: &str,
    at: NaiveDateTime,
) {
    let mut conn = t.app.db().await.unwrap();
    diesel::insert_into(messages::table)
        .values((
            messages::business_id.eq(business_id),
            messages::chat_id.eq(chat_id),
            messages::wamid.eq(wamid),
            messages::direction.eq("inbound"),
            messages::kind.eq("text"),
            messages::body.eq(body),
            messages::sent_by.eq("customer"),
            messages::status.eq("delivered"),
            messages::wa_timestamp.eq(at),
        ))
        .execute(&mut conn)
        .await
        .unwrap();
}

/// A time `minutes` ago.
pub fn minutes_ago(minutes: i64) -> NaiveDateTime {
    Utc::now().naive_utc() - chrono::Duration::minutes(minutes)
}

/// Waits for the next `MessageStatusChanged` of `business_id` on the bus.
pub async fn next_status_change(
    rx: &mut tokio::sync::broadcast::Receiver<DomainEvent>,
    business_id: u64,
) -> u64 {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let event = rx.recv().await.unwrap();
            if let (true, EventKind::MessageStatusChanged { message_id, .. }) =
                (event.business_id.0 == business_id, event.kind)
            {
                return message_id;
            }
        }
    })
    .await
    .expect("a MessageStatusChanged event in time")
}

/// The `messages` of a chat as the API returns them (oldest first).
pub async fn chat_messages(t: &TestApp, token: &str, chat: &str) -> Vec<Value> {
    let data = t
        .gql_ok(
            Some(token),
            "query($c: ID!) { messages(chatId: $c, last: 50) { nodes {
                id direction kind body sentBy status errorCode errorTitle } } }",
            json!({"c": chat}),
        )
        .await;
    data["messages"]["nodes"].as_array().unwrap().clone()
}

/// A `graphql-transport-ws` client over a real WebSocket.
pub struct WsClient {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

/// How a WebSocket session ended, or what it said next.
#[derive(Debug)]
pub enum WsEvent {
    /// A JSON message.
    Json(Value),
    /// Closed, with the close code.
    Closed(Option<u16>),
}

impl WsClient {
    /// Opens `/graphql/ws` with the `graphql-transport-ws` subprotocol.
    pub async fn connect(t: &TestApp) -> WsClient {
        let mut request = format!("ws://{}/graphql/ws", t.addr)
            .into_client_request()
            .unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (stream, response) = tokio_tungstenite::connect_async(request).await.unwrap();
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "graphql-transport-ws"
        );
        WsClient { stream }
    }

    /// Sends a JSON message.
    pub async fn send(&mut self, message: Value) {
        self.stream
            .send(WsMessage::Text(message.to_string().into()))
            .await
            .unwrap();
    }

    /// The next JSON message or the close, within `timeout` (`None` when nothing came).
    pub async fn next(&mut self, timeout: Duration) -> Option<WsEvent> {
        tokio::time::timeout(timeout, async {
            loop {
                match self.stream.next().await {
                    Some(Ok(WsMessage::Text(text))) => {
                        return WsEvent::Json(serde_json::from_str(&text).unwrap());
                    }
                    Some(Ok(WsMessage::Close(frame))) => {
                        return WsEvent::Closed(frame.map(|f| u16::from(f.code)));
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(_)) | None => return WsEvent::Closed(None),
                }
            }
        })
        .await
        .ok()
    }

    /// Sends `connection_init` with `payload` and expects `connection_ack`.
    pub async fn init(t: &TestApp, token: &str) -> WsClient {
        let mut client = WsClient::connect(t).await;
        client
            .send(json!({"type": "connection_init", "payload": {"token": token}}))
            .await;
        match client.next(WAIT).await {
            Some(WsEvent::Json(v)) if v["type"] == "connection_ack" => client,
            other => panic!("expected connection_ack, got {other:?}"),
        }
    }

    /// Starts a subscription.
    pub async fn subscribe(&mut self, id: &str, query: &str) {
        self.send(json!({"id": id, "type": "subscribe", "payload": {"query": query}}))
            .await;
    }

    /// The next `next` payload's data, failing on anything else.
    pub async fn next_data(&mut self) -> (String, Value) {
        match self.next(WAIT).await {
            Some(WsEvent::Json(v)) if v["type"] == "next" => {
                assert!(v["payload"].get("errors").is_none(), "errors: {v}");
                (
                    v["id"].as_str().unwrap().to_string(),
                    v["payload"]["data"].clone(),
                )
            }
            other => panic!("expected a subscription event, got {other:?}"),
        }
    }
}
