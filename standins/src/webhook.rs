//! A stand-in for Meta's side of the webhooks: real-shaped deliveries and their
//! signatures, for the customer simulator, the benchmarks and the tests (one source of
//! truth for the shapes).
//!
//! The shapes follow the WhatsApp Cloud API webhook reference, including the 2026
//! business-scoped user ids: `contacts[].user_id`, `parent_user_id`, `country_code`,
//! `profile.username`, `messages[].from_user_id`, `statuses[].recipient_user_id`.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The header Meta signs deliveries with.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// The demo business's number id; the demo seeding connects it, `wasales-dev simulate`
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
    let digest = hex::encode(Sha256::digest(wa_id.as_bytes()));
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

/// The `value` of a `messages` change to `number` (a phone number id) carrying
/// messages from these customers.
pub fn messages_value(number: &str, from: &[&Customer], messages: Vec<Value>) -> Value {
    change_value(number, from, "messages", messages)
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

/// The `value` of a `messages` change from `number` carrying statuses of messages to
/// these recipients.
pub fn statuses_value(number: &str, to: &[&Customer], statuses: Vec<Value>) -> Value {
    change_value(number, to, "statuses", statuses)
}

/// The `value` of a `messages` change: the number, the customers' contacts, and the
/// `items` under `key` (`messages` or `statuses`).
fn change_value(
    phone_number_id: &str,
    customers: &[&Customer],
    key: &str,
    items: Vec<Value>,
) -> Value {
    let mut value = json!({
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": DEMO_DISPLAY_PHONE_NUMBER,
            "phone_number_id": phone_number_id,
        },
        "contacts": customers.iter().map(|c| c.contact_json()).collect::<Vec<_>>(),
    });
    value[key] = Value::Array(items);
    value
}

/// The `value` of an `smb_message_echoes` change (coexistence): the owner of `number`
/// typed `text` to `customer` in the WhatsApp Business app.
pub fn echo_value(number: &str, customer: &Customer, wamid: &str, text: &str) -> Value {
    let mut echo = json!({
        "from": DEMO_DISPLAY_PHONE_NUMBER,
        "id": wamid,
        "timestamp": now_timestamp(),
        "type": "text",
        "text": { "body": text },
    });
    if let Some(wa_id) = &customer.wa_id {
        echo["to"] = json!(wa_id);
    }
    if let Some(user_id) = &customer.user_id {
        echo["to_user_id"] = json!(user_id);
    }
    json!({
        "messaging_product": "whatsapp",
        "metadata": { "display_phone_number": DEMO_DISPLAY_PHONE_NUMBER, "phone_number_id": number },
        "message_echoes": [echo],
    })
}

/// A delivery of one change of another `field` than `messages` (`smb_message_echoes`,
/// `history`, `smb_app_state_sync`, `account_update`...).
pub fn single_field(field: &str, value: Value) -> Value {
    notification(vec![json!({
        "id": DEMO_WABA_ID,
        "changes": [{ "value": value, "field": field }],
    })])
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

/// The `X-Hub-Signature-256` value Meta would send for `body` signed with `app_secret`:
/// `sha256=<hex HMAC-SHA256>`.
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app_secret).expect("HMAC accepts keys of any size");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Serialises a delivery and signs it: `(body, X-Hub-Signature-256 value)`.
pub fn signed(app_secret: &[u8], delivery: &Value) -> (Vec<u8>, String) {
    let body = serde_json::to_vec(delivery).expect("JSON values serialise");
    let signature = sign(app_secret, &body);
    (body, signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_meta() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn statuses_and_messages_share_the_change_shape() {
        let ada = Customer::with_phone("15551234567", "Ada");
        let m = messages_value("1", &[&ada], vec![text_message(&ada, "wamid.1", "hi")]);
        let s = statuses_value("1", &[&ada], vec![status("wamid.2", "read", &ada)]);
        assert_eq!(m["metadata"], s["metadata"]);
        assert_eq!(m["contacts"], s["contacts"]);
        assert_eq!(m["messages"][0]["text"]["body"], "hi");
        assert_eq!(s["statuses"][0]["status"], "read");
        assert!(m.get("statuses").is_none() && s.get("messages").is_none());
    }
}
