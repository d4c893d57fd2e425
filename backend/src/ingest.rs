//! Webhook ingest: turns a verified Meta delivery into stored contacts, chats,
//! messages and statuses, durably, before Meta gets its 200.
//!
//! The path of one delivery:
//!
//! 1. `webhooks` checks the signature on the raw bytes, then [`parse`] turns the JSON
//!    into a [`Delivery`] (on the request's own task, so parsing uses every core).
//! 2. [`IngestQueue::submit`] hands it to the writer task (group commit, see
//!    [`writer`]): the writer takes everything queued, stores it in ONE transaction
//!    with multi-row statements ([`store`]), and answers each request only after the
//!    commit. When a batch fails, each delivery is retried in its own transaction, so
//!    one poison delivery cannot fail the others; a delivery that still fails is kept
//!    raw in `webhook_events` (outcome `error`).
//! 3. After the commit the writer publishes `MessageAdded`, `MessageStatusChanged` and
//!    `ChatUpdated` on the event bus.
//!
//! Routing: `metadata.phone_number_id` must name a `connected` row of
//! `whatsapp_connections`. The writer caches that lookup for [`ROUTE_CACHE_TTL`], so a
//! disconnect takes effect within that time. An unknown or disconnected number is
//! recorded (outcome `unknown_number`) and answered 200: Meta would otherwise retry
//! for days.
//!
//! Customers are identified by BSUID first and phone second (see [`store`]); a phone
//! number is never required.
//!
//! Statuses that arrive before their message are parked in `pending_statuses`. The
//! sender, after saving the wamid Meta gave an outbound message, calls
//! [`apply_pending_statuses`] (inbound messages never receive statuses, so ingest does
//! not look there for them).

pub mod normalize;
pub mod store;
pub mod writer;

use std::time::Duration;

use bytes::Bytes;
use chrono::NaiveDateTime;
use shared::{MessageKind, MessageStatus};

use crate::webhooks::payload::{
    ContactIn, MessageIn, MessagesValue, Notification, StatusIn, non_empty,
};

pub use store::apply_pending_statuses;
pub use writer::{IngestAck, IngestQueue};

/// How long the writer trusts a cached `phone_number_id` -> business lookup. A
/// disconnect (or a new connection) takes effect within this time.
pub const ROUTE_CACHE_TTL: Duration = Duration::from_secs(2);

/// Longest chat preview, in characters.
pub const PREVIEW_CHARS: usize = 120;

/// One verified, parsed delivery: everything the writer needs, nothing it must parse.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The exact bytes Meta sent (kept in `webhook_events`).
    pub raw: Bytes,
    /// Every `messages` change, in order.
    pub changes: Vec<MessagesChange>,
    /// How many changes had another `field` (recorded with the raw event, not errors).
    pub other_fields: usize,
}

/// One `messages` change, for one business number.
#[derive(Debug, Clone, Default)]
pub struct MessagesChange {
    /// The routing key.
    pub phone_number_id: String,
    /// Customers described by the change (from `contacts[]`, merged with senders).
    pub identities: Vec<Identity>,
    /// Inbound messages.
    pub messages: Vec<InboundMessage>,
    /// Status updates of outbound messages.
    pub statuses: Vec<StatusUpdate>,
}

/// What Meta told us about one customer. At least one of `user_id` and `wa_id` is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// BSUID.
    pub user_id: Option<String>,
    /// Parent BSUID.
    pub parent_user_id: Option<String>,
    /// Phone number.
    pub wa_id: Option<String>,
    /// WhatsApp username.
    pub username: Option<String>,
    /// Profile name.
    pub profile_name: Option<String>,
    /// Country code.
    pub country_code: Option<String>,
}

impl Identity {
    fn from_contact(c: &ContactIn) -> Identity {
        let profile = c.profile.clone().unwrap_or_default();
        Identity {
            user_id: non_empty(&c.user_id).map(|s| clip(s, 128)),
            parent_user_id: non_empty(&c.parent_user_id).map(|s| clip(s, 128)),
            wa_id: non_empty(&c.wa_id).map(|s| clip(s, 32)),
            username: non_empty(&profile.username).map(|s| clip(s, 128)),
            profile_name: non_empty(&profile.name).map(|s| clip(s, 255)),
            country_code: non_empty(&c.country_code).map(|s| clip(s, 8)),
        }
    }

    /// Whether the two describe the same person (same BSUID, or same phone).
    fn matches(&self, user_id: Option<&str>, wa_id: Option<&str>) -> bool {
        (user_id.is_some() && self.user_id.as_deref() == user_id)
            || (wa_id.is_some() && self.wa_id.as_deref() == wa_id)
    }

    /// Whether it names anyone at all.
    pub fn is_identified(&self) -> bool {
        self.user_id.is_some() || self.wa_id.is_some()
    }
}

/// A customer moved to a new number (and possibly a new BSUID).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberChange {
    /// The new phone number.
    pub new_wa_id: Option<String>,
    /// The new BSUID.
    pub new_user_id: Option<String>,
}

/// One inbound message, normalised for storage.
#[derive(Debug, Clone)]
pub struct InboundMessage {
    /// Meta's id.
    pub wamid: String,
    /// Who sent it.
    pub sender: Identity,
    /// Kind.
    pub kind: MessageKind,
    /// Readable body.
    pub body: String,
    /// Media id, for media messages.
    pub media_id: Option<String>,
    /// Media content type.
    pub media_mime: Option<String>,
    /// The message's own JSON (non-text kinds, and text with context or referral).
    pub payload: Option<String>,
    /// The message replied or reacted to.
    pub context_wamid: Option<String>,
    /// Meta's timestamp.
    pub wa_timestamp: Option<NaiveDateTime>,
    /// Adds one to the chat's unread count (not reactions or system notices).
    pub counts_unread: bool,
    /// Becomes the chat's preview and last-message time (not reactions).
    pub updates_preview: bool,
    /// Opens the 24-hour window (anything the customer did; not Meta's notices).
    pub opens_window: bool,
    /// `user_changed_number`: where the contact moves.
    pub number_change: Option<NumberChange>,
}

/// One status update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// The outbound message's wamid.
    pub wamid: String,
    /// The new status.
    pub status: MessageStatus,
    /// Meta's `errors[0].code` for `failed`.
    pub error_code: Option<i32>,
    /// Meta's `errors[0].title` for `failed`.
    pub error_title: Option<String>,
    /// Meta's timestamp.
    pub wa_timestamp: Option<NaiveDateTime>,
}

/// Why a delivery could not be read (the raw body is still kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

/// Parses a verified delivery. Unknown fields and message types are tolerated; only
/// a body that is not a Meta notification at all is [`Malformed`].
pub fn parse(raw: Bytes) -> Result<Delivery, Malformed> {
    let notification: Notification =
        serde_json::from_slice(&raw).map_err(|e| Malformed(format!("invalid JSON: {e}")))?;
    let mut changes = Vec::new();
    let mut other_fields = 0;
    for entry in &notification.entry {
        for change in &entry.changes {
            if change.field != "messages" {
                other_fields += 1;
                continue;
            }
            let value: MessagesValue = serde_json::from_value(change.value.clone())
                .map_err(|e| Malformed(format!("invalid messages change: {e}")))?;
            changes.push(parse_change(value));
        }
    }
    Ok(Delivery {
        raw,
        changes,
        other_fields,
    })
}

fn parse_change(value: MessagesValue) -> MessagesChange {
    let phone_number_id = value
        .metadata
        .as_ref()
        .map(|m| m.phone_number_id.trim().to_string())
        .unwrap_or_default();
    let mut identities: Vec<Identity> = value
        .contacts
        .iter()
        .map(Identity::from_contact)
        .filter(Identity::is_identified)
        .collect();
    // A status names its recipient by phone and/or BSUID: enough to link the two.
    for s in &value.statuses {
        let user_id = non_empty(&s.recipient_user_id).map(|u| clip(u, 128));
        let wa_id = non_empty(&s.recipient_id).map(|w| clip(w, 32));
        if (user_id.is_some() || wa_id.is_some())
            && !identities
                .iter()
                .any(|i| i.user_id == user_id && i.wa_id == wa_id)
        {
            identities.push(Identity {
                user_id,
                wa_id,
                ..Identity::default()
            });
        }
    }
    let messages = value
        .messages
        .iter()
        .filter_map(|raw| {
            let typed: MessageIn = serde_json::from_value(raw.clone()).unwrap_or_default();
            let wamid = typed.id.trim();
            if wamid.is_empty() || wamid.chars().count() > 191 {
                return None;
            }
            let sender = sender_identity(&typed, &identities)?;
            Some(normalize::inbound(raw, &typed, sender))
        })
        .collect();
    let statuses = value.statuses.iter().filter_map(status_update).collect();
    MessagesChange {
        phone_number_id,
        identities,
        messages,
        statuses,
    }
}

/// The sender of a message: its `from` / `from_user_id`, completed with the matching
/// `contacts[]` entry. `None` when Meta names nobody.
fn sender_identity(message: &MessageIn, identities: &[Identity]) -> Option<Identity> {
    let user_id = non_empty(&message.from_user_id);
    let wa_id = non_empty(&message.from);
    let mut sender = identities
        .iter()
        .find(|i| i.matches(user_id, wa_id))
        .cloned()
        .or_else(|| (identities.len() == 1).then(|| identities[0].clone()))
        .unwrap_or_default();
    if let Some(u) = user_id {
        sender.user_id = Some(clip(u, 128));
    }
    if let Some(w) = wa_id {
        sender.wa_id = Some(clip(w, 32));
    }
    sender.is_identified().then_some(sender)
}

fn status_update(s: &StatusIn) -> Option<StatusUpdate> {
    let status = MessageStatus::parse(s.status.trim())?;
    let wamid = s.id.trim();
    if wamid.is_empty() || wamid.chars().count() > 191 || status == MessageStatus::Pending {
        return None;
    }
    let error = s.errors.first();
    Some(StatusUpdate {
        wamid: wamid.to_string(),
        status,
        error_code: error
            .and_then(|e| e.code)
            .and_then(|c| i32::try_from(c).ok()),
        error_title: error
            .and_then(|e| e.title.as_deref().or(e.message.as_deref()))
            .map(|t| clip(t, 255)),
        wa_timestamp: s.timestamp.and_then(from_unix),
    })
}

/// Unix seconds to a UTC timestamp.
pub fn from_unix(secs: i64) -> Option<NaiveDateTime> {
    chrono::DateTime::from_timestamp(secs, 0).map(|t| t.naive_utc())
}

/// At most `max` characters of `s`, cut on a character boundary.
pub fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((end, _)) => s[..end].to_string(),
        None => s.to_string(),
    }
}

/// A one-line preview of at most [`PREVIEW_CHARS`] characters, with `…` when cut.
pub fn preview(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(PREVIEW_CHARS - 1) {
        Some((end, _)) if line.chars().count() > PREVIEW_CHARS => {
            format!("{}…", &line[..end])
        }
        _ => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_cut_on_character_boundaries() {
        let long = "é".repeat(300);
        let p = preview(&long);
        assert_eq!(p.chars().count(), PREVIEW_CHARS);
        assert!(p.ends_with('…'));
        assert_eq!(preview("two\nlines"), "two lines");
        assert_eq!(clip("👍👍👍", 2), "👍👍");
    }

    #[test]
    fn a_non_notification_is_malformed() {
        assert!(parse(Bytes::from_static(b"{not json")).is_err());
        assert!(parse(Bytes::from_static(b"[]")).is_err());
        let other = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"account_update","value":{"event":"X"}}]}]}"#;
        let d = parse(Bytes::from_static(other)).unwrap();
        assert_eq!((d.changes.len(), d.other_fields), (0, 1));
    }
}
