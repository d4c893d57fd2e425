//! Fixtures for the webhook tests: businesses with connected numbers ([`Shop`]),
//! deliveries signed the way Meta signs them, and readers for what ingest stored.

use backend::db::inbox::{Chat, Contact, Message};
use backend::db::schema::{chats, contacts, messages};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use secrecy::ExposeSecret;
use serde_json::Value;
use shared::ConnectionStatus;
use standins::webhook::{self as fixtures, Customer};

use crate::common::TestApp;

/// A business with a number.
pub struct Shop {
    /// Its owner's bearer token.
    pub token: String,
    /// Business id.
    pub business_id: u64,
    /// Its number's id.
    pub phone_number_id: String,
    /// Its connection row.
    pub connection_id: u64,
}

/// Signs up a business and connects `phone_number_id` with `status`.
pub async fn shop_with_status(
    app: &TestApp,
    name: &str,
    phone_number_id: &str,
    status: ConnectionStatus,
) -> Shop {
    let email = format!("{}@shops.test", name.to_lowercase().replace(' ', "-"));
    let token = app.sign_up(name, &email).await;
    let business_id = app.business_id(&token).await;
    let mut conn = app.app.db().await.unwrap();
    let connection_id = insert_connection(
        &mut conn,
        &app.app.config.data_key,
        business_id,
        phone_number_id,
        status,
    )
    .await
    .unwrap();
    Shop {
        token,
        business_id,
        phone_number_id: phone_number_id.to_string(),
        connection_id,
    }
}

/// A business with a connected number.
pub async fn shop(app: &TestApp, name: &str, phone_number_id: &str) -> Shop {
    shop_with_status(app, name, phone_number_id, ConnectionStatus::Connected).await
}

/// Posts raw bytes with a signature header value.
pub async fn post_raw(app: &TestApp, body: Vec<u8>, signature: Option<&str>) -> reqwest::Response {
    let mut req = app
        .http
        .post(format!("{}/webhooks/whatsapp", app.url))
        .header("content-type", "application/json")
        .body(body);
    if let Some(s) = signature {
        req = req.header("X-Hub-Signature-256", s);
    }
    req.send().await.unwrap()
}

/// Posts a delivery signed with the app secret, as Meta does; returns the status.
pub async fn post(app: &TestApp, delivery: &Value) -> u16 {
    let (body, signature) = fixtures::signed(
        app.app.config.meta_app_secret.expose_secret().as_bytes(),
        delivery,
    );
    post_raw(app, body, Some(&signature))
        .await
        .status()
        .as_u16()
}

/// Posts one message from `customer` to `shop`'s number.
pub async fn send(app: &TestApp, shop: &Shop, customer: &Customer, message: Value) -> u16 {
    send_to(app, &shop.phone_number_id, customer, message).await
}

/// Posts one message from `customer` to the number `phone_number_id`.
pub async fn send_to(
    app: &TestApp,
    phone_number_id: &str,
    customer: &Customer,
    message: Value,
) -> u16 {
    let value = fixtures::messages_value(phone_number_id, &[customer], vec![message]);
    post(app, &fixtures::single(value)).await
}

/// `customer` texts the number `phone_number_id` (the delivery must be accepted);
/// returns the message's wamid.
pub async fn text_to(
    app: &TestApp,
    phone_number_id: &str,
    customer: &Customer,
    text: &str,
) -> String {
    let wamid = fixtures::new_wamid();
    let message = fixtures::text_message(customer, &wamid, text);
    assert_eq!(
        send_to(app, phone_number_id, customer, message).await,
        200,
        "the webhook accepts the signed delivery"
    );
    wamid
}

/// Posts statuses about `recipient` to `shop`'s number.
pub async fn send_statuses(
    app: &TestApp,
    shop: &Shop,
    recipient: &Customer,
    statuses: Vec<Value>,
) -> u16 {
    statuses_to(app, &shop.phone_number_id, recipient, statuses).await
}

/// Posts statuses about `recipient` to the number `phone_number_id`.
pub async fn statuses_to(
    app: &TestApp,
    phone_number_id: &str,
    recipient: &Customer,
    statuses: Vec<Value>,
) -> u16 {
    let value = fixtures::statuses_value(phone_number_id, &[recipient], statuses);
    post(app, &fixtures::single(value)).await
}

/// The stored message with this wamid.
pub async fn message(app: &TestApp, wamid: &str) -> Message {
    try_message(app, wamid)
        .await
        .unwrap_or_else(|| panic!("message {wamid} not stored"))
}

/// The stored message with this wamid, if any.
pub async fn try_message(app: &TestApp, wamid: &str) -> Option<Message> {
    let mut conn = app.app.db().await.unwrap();
    messages::table
        .filter(messages::wamid.eq(wamid))
        .select(Message::as_select())
        .first(&mut conn)
        .await
        .optional()
        .unwrap()
}

/// Every contact, oldest first.
pub async fn all_contacts(app: &TestApp) -> Vec<Contact> {
    let mut conn = app.app.db().await.unwrap();
    contacts::table
        .order(contacts::id)
        .select(Contact::as_select())
        .load(&mut conn)
        .await
        .unwrap()
}

/// The chat a message belongs to.
pub async fn chat_of(app: &TestApp, message: &Message) -> Chat {
    let mut conn = app.app.db().await.unwrap();
    chats::table
        .filter(chats::id.eq(message.chat_id))
        .select(Chat::as_select())
        .first(&mut conn)
        .await
        .unwrap()
}

/// The payload JSON of a message.
pub fn payload(message: &Message) -> Value {
    serde_json::from_str(message.payload.as_deref().expect("payload kept")).unwrap()
}

/// Stores an outbound message the way the sender does after Meta accepted it.
pub async fn insert_outbound(app: &TestApp, chat: &Chat, wamid: &str) -> u64 {
    let mut conn = app.app.db().await.unwrap();
    diesel::insert_into(messages::table)
        .values((
            messages::business_id.eq(chat.business_id),
            messages::chat_id.eq(chat.id),
            messages::wamid.eq(wamid),
            messages::direction.eq("outbound"),
            messages::kind.eq("text"),
            messages::body.eq("The red dress is $25."),
            messages::sent_by.eq("ai"),
            messages::status.eq("sent"),
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    message(app, wamid).await.id
}

/// The shop "Ada Styles" (number `111`) where Ada (a customer with phone and BSUID)
/// has written "hi": the shop, Ada, and her chat.
pub async fn shop_where_ada_wrote(app: &TestApp) -> (Shop, Customer, Chat) {
    let shop = shop(app, "Ada Styles", "111").await;
    let ada = Customer::with_phone("15551234567", "Ada");
    let hi = text_to(app, &shop.phone_number_id, &ada, "hi").await;
    let chat = chat_of(app, &message(app, &hi).await).await;
    (shop, ada, chat)
}

/// Rows in every table ingest writes.
pub async fn ingest_rows(app: &TestApp) -> [i64; 5] {
    [
        app.rows("webhook_events").await,
        app.rows("contacts").await,
        app.rows("chats").await,
        app.rows("messages").await,
        app.rows("pending_statuses").await,
    ]
}

/// A server for ingest tests: no job workers, so no AI reply adds outbound messages
/// while a test counts what the webhook stored (reply jobs are still enqueued).
pub async fn spawn_ingest() -> TestApp {
    TestApp::spawn_with(|c| c.agent.workers = 0).await
}

/// Inserts a connected number for a business, with a dummy encrypted token (the
/// product's own flow is `connectWhatsApp`, which checks the number with Meta first).
pub async fn insert_connection(
    conn: &mut diesel_async::AsyncMysqlConnection,
    key: &backend::config::DataKey,
    business_id: u64,
    phone_number_id: &str,
    status: ConnectionStatus,
) -> diesel::QueryResult<u64> {
    use backend::db::schema::whatsapp_connections as wc;

    let token = format!("EAAG-fixture-token-{phone_number_id}");
    diesel::insert_into(wc::table)
        .values((
            wc::business_id.eq(business_id),
            wc::phone_number_id.eq(phone_number_id),
            wc::waba_id.eq(fixtures::DEMO_WABA_ID),
            wc::display_phone_number.eq(fixtures::DEMO_DISPLAY_PHONE_NUMBER),
            wc::access_token_enc.eq(backend::crypto::encrypt(
                key,
                &token,
                &backend::crypto::SealedFor::access_token(phone_number_id),
            )),
            wc::access_token_hint.eq(backend::crypto::mask_secret(&token)),
            wc::status.eq(status.as_str()),
        ))
        .execute(conn)
        .await?;
    wc::table
        .filter(wc::phone_number_id.eq(phone_number_id))
        .select(wc::id)
        .first(conn)
        .await
}
