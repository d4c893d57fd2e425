//! Fixtures for the inbox, sender and WhatsApp tests: a Graph API stand-in wired to the
//! server, a connected number, customers' chats ([`NewChat`]) and messages inserted
//! directly (the webhook ingest that normally stores them is tested on its own), and a
//! `graphql-transport-ws` client.

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
use standins::graph::{GraphStandin, RecordedRequest};
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
    let standin = standin().await;
    let url = standin.url.clone();
    let t = TestApp::spawn_with(move |c| {
        c.meta_graph_url = url;
        adjust(c);
    })
    .await;
    (t, standin)
}

/// Like [`spawn_with`], with `replicas` servers on one database (see
/// [`TestApp::spawn_fleet`]) sending to one stand-in.
pub async fn spawn_fleet(
    replicas: usize,
    adjust: impl Fn(&mut backend::config::Config),
) -> (Vec<TestApp>, GraphStandin) {
    let standin = standin().await;
    let fleet = TestApp::spawn_fleet(replicas, |c| {
        c.meta_graph_url = standin.url.clone();
        adjust(c);
    })
    .await;
    (fleet, standin)
}

/// A Graph API stand-in that knows [`PHONE_NUMBER_ID`].
async fn standin() -> GraphStandin {
    let standin = GraphStandin::start(0, false).await.unwrap();
    standin.add_number(
        PHONE_NUMBER_ID,
        ACCESS_TOKEN,
        "+1 555-0100",
        "Alice Fashion",
    );
    standin
}

/// The mutation that connects a number.
const CONNECT: &str = "mutation($i: ConnectWhatsAppInput!) { connectWhatsApp(input: $i) {
    id phoneNumberId wabaId displayPhoneNumber verifiedName accessTokenHint status
    connectedAt disconnectedAt } }";

/// Connect input.
fn connect_input(phone_number_id: &str, access_token: &str) -> Value {
    json!({ "i": {
        "phoneNumberId": phone_number_id, "wabaId": "102290129340398",
        "displayPhoneNumber": "+1 555 0100", "accessToken": access_token
    }})
}

/// The business of `token` tries to connect `phone_number_id` with `access_token`;
/// returns the whole response (`data.connectWhatsApp` has every connection field).
pub async fn try_connect(
    t: &TestApp,
    token: &str,
    phone_number_id: &str,
    access_token: &str,
) -> Value {
    t.gql(
        Some(token),
        CONNECT,
        connect_input(phone_number_id, access_token),
    )
    .await
}

/// Connects `phone_number_id` with `access_token` for the business of `token`; returns
/// the connection.
pub async fn connect_number(
    t: &TestApp,
    token: &str,
    phone_number_id: &str,
    access_token: &str,
) -> Value {
    t.gql_ok(
        Some(token),
        CONNECT,
        connect_input(phone_number_id, access_token),
    )
    .await["connectWhatsApp"]
        .clone()
}

/// Connects [`PHONE_NUMBER_ID`] for the business of `token`.
pub async fn connect(t: &TestApp, token: &str) -> Value {
    connect_number(t, token, PHONE_NUMBER_ID, ACCESS_TOKEN).await
}

/// Alice (see [`TestApp::sign_up_alice`]) with [`PHONE_NUMBER_ID`] connected; returns
/// her token and her business id.
pub async fn alice_connected(t: &TestApp) -> (String, u64) {
    let (alice, business) = t.sign_up_alice().await;
    connect(t, &alice).await;
    (alice, business)
}

/// Alice with her number connected, and the chat of `customer` inserted for her;
/// returns her token, her business id and the chat id.
pub async fn alice_chatting_with(t: &TestApp, customer: NewChat<'_>) -> (String, u64, u64) {
    let (alice, business) = alice_connected(t).await;
    let chat = customer.insert(t, business).await;
    (alice, business, chat)
}

/// The opaque id of a chat.
pub fn chat_gid(id: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("Chat:{id}"))
}

/// A customer's chat to insert (with its contact): who the customer is, when they last
/// wrote, and how many of their messages are unread.
pub struct NewChat<'a> {
    /// Profile name.
    pub name: &'a str,
    /// Phone number (digits).
    pub wa_id: Option<&'a str>,
    /// BSUID.
    pub user_id: Option<&'a str>,
    /// When the customer last wrote: orders the chat list, and opens the 24-hour window
    /// when recent. `None`: no message yet.
    pub last_wrote: Option<NaiveDateTime>,
    /// Unread messages.
    pub unread: i32,
}

impl<'a> NewChat<'a> {
    /// A customer known by name only, who never wrote.
    pub fn named(name: &'a str) -> NewChat<'a> {
        NewChat {
            name,
            wa_id: None,
            user_id: None,
            last_wrote: None,
            unread: 0,
        }
    }

    /// A customer known by phone number, who never wrote.
    pub fn phone(name: &'a str, wa_id: &'a str) -> NewChat<'a> {
        NewChat {
            wa_id: Some(wa_id),
            ..NewChat::named(name)
        }
    }

    /// Ada (2348012345678), the customer most tests chat with, who never wrote.
    pub fn ada() -> NewChat<'static> {
        NewChat::phone("Ada", "2348012345678")
    }

    /// The customer last wrote `minutes` ago.
    pub fn wrote_minutes_ago(self, minutes: i64) -> NewChat<'a> {
        NewChat {
            last_wrote: Some(minutes_ago(minutes)),
            ..self
        }
    }

    /// `unread` of the customer's messages are unread.
    pub fn unread(self, unread: i32) -> NewChat<'a> {
        NewChat { unread, ..self }
    }

    /// Inserts the contact and the chat for `business_id`; returns the chat id.
    pub async fn insert(self, t: &TestApp, business_id: u64) -> u64 {
        let mut conn = t.app.db().await.unwrap();
        diesel::insert_into(contacts::table)
            .values((
                contacts::business_id.eq(business_id),
                contacts::wa_id.eq(self.wa_id),
                contacts::user_id.eq(self.user_id),
                contacts::profile_name.eq(self.name),
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
                chats::last_inbound_at.eq(self.last_wrote),
                chats::last_message_at.eq(self.last_wrote),
                chats::unread_count.eq(self.unread),
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

/// The requests the stand-in got that send something (POSTs), oldest first.
pub fn posts(standin: &GraphStandin) -> Vec<RecordedRequest> {
    standin
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect()
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
                id direction kind body sentBy status errorCode errorTitle
                media { status mimeType byteSize url } } } }",
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

    /// The data of the next `n` subscription events, failing on anything else.
    pub async fn next_events(&mut self, n: usize) -> Vec<(String, Value)> {
        let mut events = Vec::new();
        for _ in 0..n {
            events.push(self.next_data().await);
        }
        events
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
