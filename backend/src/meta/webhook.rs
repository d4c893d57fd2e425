//! Meta's webhook JSON, as the WhatsApp Cloud API sends it to `POST /webhooks/whatsapp`
//! (the route is in `crate::webhooks`, the reading in `crate::ingest`).
//!
//! Lenient on purpose: every field Meta may omit is optional, unknown fields are
//! ignored, and each message is kept as raw JSON next to its typed view so that a
//! message type we do not know is still stored (as `unsupported`) with its content.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// A whole delivery (`POST /webhooks/whatsapp` body).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Notification {
    /// `whatsapp_business_account`.
    #[serde(default)]
    pub object: String,
    /// One entry per WhatsApp Business Account; Meta may batch several.
    pub entry: Vec<Entry>,
}

/// One WhatsApp Business Account's part of a delivery.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Entry {
    /// The WABA id.
    #[serde(default)]
    pub id: String,
    /// What changed.
    #[serde(default)]
    pub changes: Vec<Change>,
}

/// One change: `field` says what kind; only `messages` carries messages and statuses.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Change {
    /// `messages`, or e.g. `account_update`, `message_template_status_update`.
    #[serde(default)]
    pub field: String,
    /// The content; its shape depends on `field`, so it stays raw until routed.
    #[serde(default)]
    pub value: Value,
}

/// An `account_update` change: what happened to a WhatsApp Business Account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountUpdate {
    /// The WABA (`waba_info.waba_id`, else the entry's id).
    pub waba_id: String,
    /// Meta's event, e.g. `PARTNER_REMOVED`.
    pub event: String,
}

impl AccountUpdate {
    /// The update an `account_update` change's `value` of entry `entry_id` reports;
    /// `None` without an event or a WABA.
    pub fn from_change(entry_id: &str, value: &Value) -> Option<AccountUpdate> {
        let event = value["event"].as_str()?.trim();
        let waba_id = value["waba_info"]["waba_id"]
            .as_str()
            .filter(|w| !w.trim().is_empty())
            .unwrap_or(entry_id)
            .trim();
        (!event.is_empty() && !waba_id.is_empty()).then(|| AccountUpdate {
            waba_id: waba_id.to_string(),
            event: event.to_string(),
        })
    }
}

/// The `value` of a `messages` change.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct MessagesValue {
    /// `whatsapp`.
    #[serde(default)]
    pub messaging_product: Option<String>,
    /// Which business number this is about.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// Who the customers in this change are.
    #[serde(default)]
    pub contacts: Vec<ContactIn>,
    /// Inbound messages, raw (see [`MessageIn`] for the typed view).
    #[serde(default)]
    pub messages: Vec<Value>,
    /// Status updates of outbound messages.
    #[serde(default)]
    pub statuses: Vec<StatusIn>,
    /// Change-level errors Meta reports.
    #[serde(default)]
    pub errors: Vec<ErrorIn>,
}

/// The business number a change is about.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Metadata {
    /// Shown number, e.g. `15550001111`.
    #[serde(default)]
    pub display_phone_number: Option<String>,
    /// Routing key: our `whatsapp_connections.phone_number_id`.
    #[serde(default)]
    pub phone_number_id: String,
}

/// A customer as Meta describes them (since 2026 with a business-scoped user id).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ContactIn {
    /// Profile (name, username).
    #[serde(default)]
    pub profile: Option<ProfileIn>,
    /// Phone number; missing or empty for customers who adopted a username.
    #[serde(default)]
    pub wa_id: Option<String>,
    /// Business-scoped user id (BSUID), e.g. `US.13491208655302741918`.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Parent BSUID, when Meta sends one.
    #[serde(default)]
    pub parent_user_id: Option<String>,
    /// Country code, e.g. `US`.
    #[serde(default)]
    pub country_code: Option<String>,
}

/// A customer's WhatsApp profile.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ProfileIn {
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// WhatsApp username.
    #[serde(default)]
    pub username: Option<String>,
}

/// The typed view of one inbound message. Type-specific objects stay raw `Value`s;
/// ingest's normaliser reads them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MessageIn {
    /// The wamid.
    #[serde(default)]
    pub id: String,
    /// Sender's phone number (may be missing or empty for username customers).
    #[serde(default)]
    pub from: Option<String>,
    /// Sender's BSUID.
    #[serde(default)]
    pub from_user_id: Option<String>,
    /// Unix seconds, as a string.
    #[serde(default, deserialize_with = "unix_seconds")]
    pub timestamp: Option<i64>,
    /// `text`, `image`, ..., `unsupported`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// Reply / forward context.
    #[serde(default)]
    pub context: Option<ContextIn>,
    /// Errors attached to the message (unsupported content).
    #[serde(default)]
    pub errors: Vec<ErrorIn>,
}

/// What a message replies to, or that it was forwarded.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ContextIn {
    /// The wamid replied to.
    #[serde(default)]
    pub id: Option<String>,
    /// Who sent the message replied to.
    #[serde(default)]
    pub from: Option<String>,
    /// Forwarded by the customer.
    #[serde(default)]
    pub forwarded: Option<bool>,
    /// Forwarded many times.
    #[serde(default)]
    pub frequently_forwarded: Option<bool>,
}

/// A status update of a message the business sent.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct StatusIn {
    /// The wamid of the outbound message.
    #[serde(default)]
    pub id: String,
    /// `sent`, `delivered`, `read`, `failed` (others are recorded but ignored).
    #[serde(default)]
    pub status: String,
    /// Unix seconds, as a string.
    #[serde(default, deserialize_with = "unix_seconds")]
    pub timestamp: Option<i64>,
    /// Recipient's phone number (may be missing for username customers).
    #[serde(default)]
    pub recipient_id: Option<String>,
    /// Recipient's BSUID.
    #[serde(default)]
    pub recipient_user_id: Option<String>,
    /// Why it failed.
    #[serde(default)]
    pub errors: Vec<ErrorIn>,
    /// What the send carried in `biz_opaque_callback_data`, echoed back.
    #[serde(default)]
    pub biz_opaque_callback_data: Option<String>,
}

/// An error object as Meta reports it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ErrorIn {
    /// Numeric code, e.g. `131026`.
    #[serde(default)]
    pub code: Option<i64>,
    /// Short title.
    #[serde(default)]
    pub title: Option<String>,
    /// Longer message.
    #[serde(default)]
    pub message: Option<String>,
}

/// Meta sends unix seconds as strings; accept numbers too, and treat junk as absent.
fn unix_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    })
}

/// An optional string with surrounding space removed; empty becomes `None`.
pub fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}
