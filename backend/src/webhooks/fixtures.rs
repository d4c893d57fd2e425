//! Real-shaped Meta webhook deliveries and their signatures, for the customer
//! simulator, the ingest benchmark and the tests (one source of truth for the shapes).
//!
//! The shapes follow the WhatsApp Cloud API webhook reference, including the 2026
//! business-scoped user ids: `contacts[].user_id`, `parent_user_id`, `country_code`,
//! `profile.username`, `messages[].from_user_id`, `statuses[].recipient_user_id`.

use serde_json::{Value, json};

pub use super::signature::sign;

/// The demo business's number id; the demo seeding connects it, `wasales simulate`
/// targets it by default.
pub const DEMO_PHONE_NUMBER_ID: &str = "100000000000001";
/// The demo number as displayed.
pub const DEMO_DISPLAY_PHONE_NUMBER: &str = "15550000001";
/// The demo WhatsApp Business Account id.
pub const DEMO_WABA_ID: &str = "200000000000001";

/// A customer as Meta identifies them.
#[derive(Debug, Clone, Default)]
pub struct Customer {
    /// Phone number (digits); `None` for a username customer whose number Meta hides.
    pub wa_id: Option<String>,
    /// Business-scoped user id (BSUID).
    pub user_id: Option<String>,
    /// Parent BSUID.
    pub parent_user_id: Option<String>,
    /// Profile name.
    pub name: Option<String>,
    /// WhatsApp username.
    pub username: Option<String>,
    /// Country code.
    pub country_code: Option<String>,
}

impl Customer {
    /// A customer with a phone number, a name and the BSUID derived from the number.
    pub fn with_phone(wa_id: &str, name: &str) -> Customer {
        Customer {
            wa_id: Some(wa_id.to_string()),
            user_id: Some(bsuid_for(wa_id)),
            name: Some(name.to_string()),
            country_code: Some("US".into()),
            ..Customer::default()
        }
    }

    /// A customer Meta knows only by phone (the shape before BSUIDs).
    pub fn phone_only(wa_id: &str, name: &str) -> Customer {
        Customer {
            user_id: None,
            country_code: None,
            ..Customer::with_phone(wa_id, name)
        }
    }

    /// A username customer: BSUID and username, no phone number.
    pub fn username_only(user_id: &str, username: &str, name: &str) -> Customer {
        Customer {
            wa_id: None,
            user_id: Some(user_id.to_string()),
            name: Some(name.to_string()),
            username: Some(username.to_string()),
            country_code: Some("US".into()),
            ..Customer::default()
        }
    }

    /// The customer's `contacts[]` entry.
    pub fn contact_json(&self) -> Value {
        let mut profile = json!({});
        if let Some(n) = &self.name {
            profile["name"] = json!(n);
        }
        if let Some(u) = &self.username {
            profile["username"] = json!(u);
        }
        let mut c = json!({ "profile": profile });
        set_opt(&mut c, "wa_id", &self.wa_id);
        set_opt(&mut c, "user_id", &self.user_id);
        set_opt(&mut c, "parent_user_id", &self.parent_user_id);
        set_opt(&mut c, "country_code", &self.country_code);
        c
    }
}

fn set_opt(v: &mut Value, key: &str, value: &Option<String>) {
    if let Some(x) = value {
        v[key] = json!(x);
    }
}

/// A stable, BSUID-shaped id for a phone number (`US.` + 20 digits).
pub fn bsuid_for(wa_id: &str) -> String {
    let digest = crate::crypto::sha256_hex(wa_id.as_bytes());
    let digits: String = digest
        .bytes()
        .map(|b| char::from(b'0' + b % 10))
        .take(20)
        .collect();
    format!("US.{digits}")
}

/// A fresh wamid-shaped id.
pub fn new_wamid() -> String {
    format!(
        "wamid.HBgL{}",
        uuid::Uuid::new_v4().simple().to_string().to_uppercase()
    )
}

/// Unix seconds now, as Meta writes timestamps.
pub fn now_timestamp() -> String {
    chrono::Utc::now().timestamp().to_string()
}

/// One inbound message: `kind` is Meta's `type`, `content` the object under that key
/// (ignored for `unsupported` and `request_welcome`).
pub fn message(customer: &Customer, wamid: &str, kind: &str, content: Value) -> Value {
    let mut m = json!({
        "id": wamid,
        "timestamp": now_timestamp(),
        "type": kind,
    });
    set_opt(&mut m, "from", &customer.wa_id);
    set_opt(&mut m, "from_user_id", &customer.user_id);
    if !content.is_null() {
        m[kind] = content;
    }
    m
}

/// A text message.
pub fn text_message(customer: &Customer, wamid: &str, body: &str) -> Value {
    message(customer, wamid, "text", json!({ "body": body }))
}

/// The `value` of a `messages` change carrying messages from these customers.
pub fn messages_value(
    phone_number_id: &str,
    customers: &[&Customer],
    messages: Vec<Value>,
) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": DEMO_DISPLAY_PHONE_NUMBER,
            "phone_number_id": phone_number_id,
        },
        "contacts": customers.iter().map(|c| c.contact_json()).collect::<Vec<_>>(),
        "messages": messages,
    })
}

/// One status of an outbound message (`sent`, `delivered`, `read`, `failed`).
pub fn status(wamid: &str, status: &str, recipient: &Customer) -> Value {
    let mut s = json!({
        "id": wamid,
        "status": status,
        "timestamp": now_timestamp(),
        "conversation": { "id": "CONVERSATION_ID", "origin": { "type": "service" } },
        "pricing": { "billable": true, "pricing_model": "PMP", "category": "service" },
    });
    set_opt(&mut s, "recipient_id", &recipient.wa_id);
    set_opt(&mut s, "recipient_user_id", &recipient.user_id);
    s
}

/// A `failed` status with Meta's error.
pub fn failed_status(wamid: &str, recipient: &Customer, code: i64, title: &str) -> Value {
    let mut s = status(wamid, "failed", recipient);
    s["errors"] = json!([{
        "code": code,
        "title": title,
        "message": title,
        "error_data": { "details": title },
    }]);
    s
}

/// The `value` of a `messages` change carrying statuses.
pub fn statuses_value(
    phone_number_id: &str,
    recipients: &[&Customer],
    statuses: Vec<Value>,
) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": DEMO_DISPLAY_PHONE_NUMBER,
            "phone_number_id": phone_number_id,
        },
        "contacts": recipients.iter().map(|c| c.contact_json()).collect::<Vec<_>>(),
        "statuses": statuses,
    })
}

/// One `entry` with `messages` changes.
pub fn entry(values: Vec<Value>) -> Value {
    json!({
        "id": DEMO_WABA_ID,
        "changes": values
            .into_iter()
            .map(|value| json!({ "value": value, "field": "messages" }))
            .collect::<Vec<_>>(),
    })
}

/// A whole delivery of these entries.
pub fn notification(entries: Vec<Value>) -> Value {
    json!({ "object": "whatsapp_business_account", "entry": entries })
}

/// A delivery of one change: the common case.
pub fn single(value: Value) -> Value {
    notification(vec![entry(vec![value])])
}

/// Serialises a delivery and signs it: `(body, X-Hub-Signature-256 value)`.
pub fn signed(app_secret: &[u8], delivery: &Value) -> (Vec<u8>, String) {
    let body = serde_json::to_vec(delivery).expect("JSON values serialise");
    let signature = sign(app_secret, &body);
    (body, signature)
}

/// Inserts a connected number for a business, with a dummy encrypted token: the
/// fixture the tests, the simulator's demo and the benchmark route deliveries to.
/// (The product's own flow is `connectWhatsApp`, in the WhatsApp API part.)
pub async fn insert_connection(
    conn: &mut diesel_async::AsyncMysqlConnection,
    key: &crate::config::DataKey,
    business_id: u64,
    phone_number_id: &str,
    status: shared::ConnectionStatus,
) -> diesel::QueryResult<u64> {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;

    use crate::db::schema::whatsapp_connections as wc;

    let token = format!("EAAG-fixture-token-{phone_number_id}");
    diesel::insert_into(wc::table)
        .values((
            wc::business_id.eq(business_id),
            wc::phone_number_id.eq(phone_number_id),
            wc::waba_id.eq(DEMO_WABA_ID),
            wc::display_phone_number.eq(DEMO_DISPLAY_PHONE_NUMBER),
            wc::access_token_enc.eq(crate::crypto::encrypt(key, &token)),
            wc::access_token_hint.eq(crate::crypto::mask_secret(&token)),
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
