//! Webhook ingest: turns a verified Meta delivery into stored contacts, chats,
//! messages and statuses, durably, before Meta gets its 200.
//!
//! The path of one delivery:
//!
//! 1. `webhooks` checks the signature on the raw bytes and hands them to
//!    [`IngestQueue::receive`]: [`parse`] turns the JSON into a [`Delivery`] (on the
//!    request's own task, so parsing uses every core); a body that is not a Meta
//!    notification is kept raw (outcome `malformed`) and answered 400.
//! 2. [`IngestQueue::submit`] hands it to the writer task (group commit, see
//!    [`writer`]): the writer takes everything queued, stores it in ONE transaction
//!    with multi-row statements ([`store`], through the contact, chat and message
//!    stores of `crate::db`), and answers each request only after the commit. When a batch fails, each delivery is retried in its own transaction, so
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
//! Customers are identified by BSUID first and phone second (see
//! [`crate::db::contacts`]); a phone number is never required.
//!
//! Coexistence (a seller who keeps the WhatsApp Business app on the number) adds three
//! fields, read by [`coexistence`] into the same change: `smb_message_echoes` (what the
//! owner typed on the phone: stored as the business's message, the AI stands back in
//! that chat), `history` (past chats, at their own times, never unread or answered)
//! and `smb_app_state_sync` (the phone's contact names).
//!
//! Statuses that arrive before their message are parked in `pending_statuses`. The
//! sender, after saving the wamid Meta gave an outbound message, calls
//! [`crate::db::messages::apply_pending_statuses`] (inbound messages never receive
//! statuses, so ingest does not look there for them).

pub mod coexistence;
pub mod normalize;
pub mod store;
pub mod writer;

use std::time::Duration;

use bytes::Bytes;
use chrono::NaiveDateTime;
use diesel::QueryResult;
use diesel_async::AsyncMysqlConnection;
use shared::{ChatId, MessageStatus};

use crate::db::contacts::Identity;
use crate::db::messages::{InboundMessage, StatusUpdate};
use crate::error::AppResult;
use crate::meta::webhook::{
    AccountUpdate, ContactIn, MessageIn, MessagesValue, Notification, StatusIn, non_empty,
};

pub use writer::{IngestAck, IngestQueue};

/// What each batch's transaction also does, before its commit, with the inbound
/// messages it stored: the application passes the agent's reply scheduler (a message
/// is never stored without its reply job), so ingest itself does not depend on the
/// agent.
pub trait ReplyHook: Copy + Send + Sync + 'static {
    /// Schedules what `stored` calls for (each newly stored message that counts as
    /// unread, with its chat), inside the caller's transaction; returns the events to
    /// publish once the batch has committed (e.g. a STOP's blacklist entry).
    fn on_stored<'a>(
        &'a self,
        conn: &'a mut AsyncMysqlConnection,
        stored: &'a [(ChatId, &'a InboundMessage)],
        now: NaiveDateTime,
    ) -> impl Future<Output = QueryResult<Vec<crate::events::DomainEvent>>> + Send + 'a;
}

/// How long the writer trusts a cached `phone_number_id` -> business lookup. A
/// disconnect (or a new connection) takes effect within this time.
pub const ROUTE_CACHE_TTL: Duration = Duration::from_secs(2);

/// One verified, parsed delivery: everything the writer needs, nothing it must parse.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The exact bytes Meta sent (kept in `webhook_events`).
    pub raw: Bytes,
    /// Every `messages` change, in order.
    pub changes: Vec<MessagesChange>,
    /// How many changes had another `field` (recorded with the raw event, not errors).
    pub other_fields: usize,
    /// `account_update` changes (a WABA that removed our app, ...), applied by the
    /// caller once the delivery is stored.
    pub account_updates: Vec<AccountUpdate>,
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
    /// Names from the phone's contacts (coexistence `smb_app_state_sync`): kept as the
    /// owner's own name for the customer unless the owner already gave one.
    pub phone_book: Vec<(Identity, String)>,
    /// How far the import of past chats is (coexistence `history`), 0 to 100.
    pub history_progress: Option<u8>,
}

/// Why a delivery could not be read (the raw body is still kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

impl IngestQueue {
    /// Takes a delivery whose signature was verified: parses it and waits until it is
    /// committed; returns the outcome and the delivery's `account_update` changes (for
    /// the caller to apply once stored). A malformed body is kept raw, on a connection
    /// of the pool (an error only when even that fails).
    pub async fn receive(&self, raw: Bytes) -> AppResult<(IngestAck, Vec<AccountUpdate>)> {
        match parse(raw.clone()) {
            Ok(mut delivery) => {
                let updates = std::mem::take(&mut delivery.account_updates);
                Ok((self.submit(delivery).await, updates))
            }
            Err(Malformed(reason)) => {
                tracing::warn!(%reason, "malformed webhook delivery kept raw");
                let mut conn = self.db.get().await?;
                store::record_unprocessed(&mut conn, &raw, store::outcome::MALFORMED, &reason, &[])
                    .await?;
                Ok((IngestAck::Malformed, Vec::new()))
            }
        }
    }
}

/// Parses a verified delivery. Unknown fields and message types are tolerated; only
/// a body that is not a Meta notification at all is [`Malformed`].
pub fn parse(raw: Bytes) -> Result<Delivery, Malformed> {
    let notification: Notification =
        serde_json::from_slice(&raw).map_err(|e| Malformed(format!("invalid JSON: {e}")))?;
    let mut changes = Vec::new();
    let mut other_fields = 0;
    let mut account_updates = Vec::new();
    for entry in &notification.entry {
        for change in &entry.changes {
            match change.field.as_str() {
                "messages" => {
                    let value: MessagesValue = serde_json::from_value(change.value.clone())
                        .map_err(|e| Malformed(format!("invalid messages change: {e}")))?;
                    changes.push(parse_change(value));
                }
                "smb_message_echoes" => changes.push(coexistence::echoes(&change.value)),
                "history" => changes.push(coexistence::history(&change.value)),
                "smb_app_state_sync" => changes.push(coexistence::phone_book(&change.value)),
                "account_update" => {
                    other_fields += 1;
                    account_updates.extend(AccountUpdate::from_change(&entry.id, &change.value));
                }
                _ => other_fields += 1,
            }
        }
    }
    Ok(Delivery {
        raw,
        changes,
        other_fields,
        account_updates,
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
        .map(identity_of)
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
        ..MessagesChange::default()
    }
}

/// A customer as `contacts[]` describes them, clipped to the column sizes.
fn identity_of(c: &ContactIn) -> Identity {
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
        message_id: s
            .biz_opaque_callback_data
            .as_deref()
            .and_then(crate::db::outbound::message_of_callback),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_on_character_boundaries() {
        assert_eq!(clip("👍👍👍", 2), "👍👍");
        assert_eq!(clip("ab", 5), "ab");
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
