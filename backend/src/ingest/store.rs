//! The database side of ingest: one batch of deliveries in one transaction, with
//! multi-row statements and no per-message round trips.
//!
//! A batch costs about ten statements however many messages it holds: insert the raw
//! events, read the contacts it names, insert the new ones, read/insert chats, read
//! existing wamids, insert the messages (`INSERT IGNORE` on the unique wamid), read back
//! the new ids, update every touched chat in one upsert, lock and update the messages
//! that statuses name, and touch the connections' `last_webhook_at`.
//!
//! Exactly once: a wamid already stored is not inserted again and does not bump the
//! unread count. Which rows are new is decided from the transaction's own snapshot
//! (read before the insert, read again after): a row another transaction committed
//! meanwhile is invisible to both reads, so the other transaction, not this one,
//! counts it.
//!
//! Customers: BSUID first, phone second. A contact found by either identifier gets the
//! other filled in when it was missing, so a customer first seen by phone and later by
//! BSUID (or the reverse) stays one contact. `user_changed_number` moves the contact to
//! the new number (and new BSUID, when given); if another contact still held that
//! number, that contact loses it (a number belongs to one customer at a time).

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Datetime, Integer, Nullable, Unsigned, Varchar};
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};
use shared::{BusinessId, MessageDirection, MessageStatus, SentBy};

use super::{Delivery, Identity, InboundMessage, NumberChange, StatusUpdate, clip, preview};
use crate::agent::enqueue::{InboundNote, ReplyScheduler};
use crate::db::schema::{
    chats, contacts, messages, pending_statuses, webhook_events, whatsapp_connections,
};
use crate::events::{DomainEvent, EventKind};

/// Where a business number's webhooks go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The `whatsapp_connections` row.
    pub connection_id: u64,
    /// Its business.
    pub business_id: u64,
}

/// Outcomes recorded in `webhook_events.outcome`.
pub mod outcome {
    /// Stored (messages, statuses and contacts of every routed change).
    pub const PROCESSED: &str = "processed";
    /// No change named a connected number: recorded, nothing stored.
    pub const UNKNOWN_NUMBER: &str = "unknown_number";
    /// Some changes named a connected number, others did not.
    pub const PARTLY_UNKNOWN: &str = "partly_unknown_number";
    /// Only changes with another `field` (e.g. `account_update`): recorded.
    pub const OTHER_FIELD: &str = "other_field";
    /// The body was not a Meta notification (answered 400).
    pub const MALFORMED: &str = "malformed";
    /// Storing failed even on its own; kept raw for replay.
    pub const ERROR: &str = "error";
}

/// The connected numbers among `phone_number_ids`.
pub async fn load_routes(
    conn: &mut AsyncMysqlConnection,
    phone_number_ids: &[String],
) -> QueryResult<HashMap<String, Route>> {
    let rows: Vec<(u64, u64, String)> = whatsapp_connections::table
        .filter(whatsapp_connections::phone_number_id.eq_any(phone_number_ids))
        .filter(whatsapp_connections::status.eq(shared::ConnectionStatus::Connected.as_str()))
        .select((
            whatsapp_connections::id,
            whatsapp_connections::business_id,
            whatsapp_connections::phone_number_id,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(connection_id, business_id, pnid)| {
            (
                pnid,
                Route {
                    connection_id,
                    business_id,
                },
            )
        })
        .collect())
}

#[derive(Insertable)]
#[diesel(table_name = webhook_events)]
struct NewWebhookEvent<'a> {
    business_id: Option<u64>,
    phone_number_id: Option<String>,
    raw_body: &'a [u8],
    signature_valid: bool,
    outcome: &'static str,
    error: Option<String>,
    processed_at: Option<NaiveDateTime>,
}

/// Keeps a body that could not be processed (malformed, or failing on its own).
/// `routes` lets a failure show on the connections it concerned.
pub async fn record_unprocessed(
    conn: &mut AsyncMysqlConnection,
    raw: &[u8],
    outcome: &'static str,
    error: &str,
    routes: &[Route],
) -> QueryResult<()> {
    let error = clip(error, 2000);
    conn.transaction(async |conn| {
        diesel::insert_into(webhook_events::table)
            .values(NewWebhookEvent {
                business_id: routes.first().map(|r| r.business_id),
                phone_number_id: None,
                raw_body: raw,
                signature_valid: true,
                outcome,
                error: Some(error.clone()),
                processed_at: None,
            })
            .execute(conn)
            .await?;
        if !routes.is_empty() {
            let ids: Vec<u64> = routes.iter().map(|r| r.connection_id).collect();
            diesel::update(
                whatsapp_connections::table.filter(whatsapp_connections::id.eq_any(ids)),
            )
            .set((
                whatsapp_connections::last_webhook_at.eq(Utc::now().naive_utc()),
                whatsapp_connections::last_webhook_error.eq(Some(error.clone())),
            ))
            .execute(conn)
            .await?;
        }
        Ok(())
    })
    .await
}

/// Stores a batch of deliveries in one transaction; returns the events to publish
/// after the commit. `routes` holds every connected number the batch names (numbers
/// missing from it are unknown or disconnected); `touch` the connections whose
/// `last_webhook_at` should be set (the writer skips those it set a moment ago).
pub async fn write_batch(
    conn: &mut AsyncMysqlConnection,
    deliveries: &[&Delivery],
    routes: &HashMap<String, Route>,
    touch: &HashSet<u64>,
    replies: &ReplyScheduler,
) -> QueryResult<Vec<DomainEvent>> {
    conn.transaction(async |conn| {
        write_batch_in_transaction(conn, deliveries, routes, touch, replies).await
    })
    .await
}

/// A message with where it goes.
struct Work<'a> {
    route: Route,
    contact: usize,
    msg: &'a InboundMessage,
}

async fn write_batch_in_transaction(
    conn: &mut AsyncMysqlConnection,
    deliveries: &[&Delivery],
    routes: &HashMap<String, Route>,
    touch: &HashSet<u64>,
    replies: &ReplyScheduler,
) -> QueryResult<Vec<DomainEvent>> {
    let now = Utc::now().naive_utc();
    let mut events = Vec::new();

    // The raw events, with their routing outcome.
    let mut raw_rows = Vec::with_capacity(deliveries.len());
    for d in deliveries {
        let routed: Vec<Route> = d
            .changes
            .iter()
            .filter_map(|c| routes.get(&c.phone_number_id).copied())
            .collect();
        let unknown: Vec<&str> = d
            .changes
            .iter()
            .filter(|c| !routes.contains_key(&c.phone_number_id))
            .map(|c| c.phone_number_id.as_str())
            .collect();
        let (outcome, error) = if d.changes.is_empty() {
            (outcome::OTHER_FIELD, None)
        } else if routed.is_empty() {
            (outcome::UNKNOWN_NUMBER, Some(unknown_error(&unknown)))
        } else if !unknown.is_empty() {
            (outcome::PARTLY_UNKNOWN, Some(unknown_error(&unknown)))
        } else {
            (outcome::PROCESSED, None)
        };
        raw_rows.push(NewWebhookEvent {
            business_id: routed.as_slice().first().map(|r| r.business_id),
            phone_number_id: d
                .changes
                .as_slice()
                .first()
                .map(|c| clip(&c.phone_number_id, 64)),
            raw_body: &d.raw,
            signature_valid: true,
            outcome,
            error,
            processed_at: Some(now),
        });
    }
    diesel::insert_into(webhook_events::table)
        .values(&raw_rows)
        .execute(conn)
        .await?;

    // Who the customers are.
    let changes: Vec<(Route, &super::MessagesChange)> = deliveries
        .iter()
        .flat_map(|d| d.changes.iter())
        .filter_map(|c| routes.get(&c.phone_number_id).map(|r| (*r, c)))
        .collect();
    let mut book = ContactBook::load(conn, &changes).await?;
    let mut work = Vec::new();
    for (route, change) in &changes {
        let b = route.business_id;
        for ident in &change.identities {
            book.resolve(b, ident, !change.messages.is_empty());
        }
        for msg in &change.messages {
            let Some(contact) = book.resolve(b, &msg.sender, true) else {
                continue;
            };
            if let Some(number_change) = &msg.number_change {
                book.move_number(contact, number_change);
            }
            work.push(Work {
                route: *route,
                contact,
                msg,
            });
        }
    }
    book.save(conn, now).await?;

    // Chats: one per contact.
    let mut chat_of_contact: HashMap<u64, u64> = HashMap::new();
    let mut contact_ids: Vec<u64> = work.iter().map(|w| book.id(w.contact)).collect();
    contact_ids.sort_unstable();
    contact_ids.dedup();
    if !contact_ids.is_empty() {
        chat_of_contact.extend(load_chats(conn, &contact_ids).await?);
        let mut new_chats: Vec<NewChat> = Vec::new();
        let mut seen = HashSet::new();
        for w in &work {
            let contact_id = book.id(w.contact);
            if !chat_of_contact.contains_key(&contact_id) && seen.insert(contact_id) {
                new_chats.push(NewChat {
                    business_id: w.route.business_id,
                    contact_id,
                    connection_id: Some(w.route.connection_id),
                });
            }
        }
        if !new_chats.is_empty() {
            diesel::insert_into(chats::table)
                .values(&new_chats)
                .execute(conn)
                .await?;
            let missing: Vec<u64> = new_chats.iter().map(|c| c.contact_id).collect();
            chat_of_contact.extend(load_chats(conn, &missing).await?);
        }
    }

    // Messages: insert-ignore on the unique wamid; only the new ones count.
    let mut seen_wamids = HashSet::new();
    let work: Vec<Work> = work
        .into_iter()
        .filter(|w| seen_wamids.insert(w.msg.wamid.as_str()))
        .collect();
    let wamids: Vec<&str> = work.iter().map(|w| w.msg.wamid.as_str()).collect();
    let existing: HashSet<String> = if wamids.is_empty() {
        HashSet::new()
    } else {
        messages::table
            .filter(messages::wamid.eq_any(&wamids))
            .select(messages::wamid)
            .load::<Option<String>>(conn)
            .await?
            .into_iter()
            .flatten()
            .collect()
    };
    let fresh: Vec<&Work> = work
        .iter()
        .filter(|w| !existing.contains(&w.msg.wamid))
        .collect();
    let mut new_ids: HashMap<String, u64> = HashMap::new();
    if !fresh.is_empty() {
        let rows: Vec<NewMessage> = fresh
            .iter()
            .map(|w| NewMessage {
                business_id: w.route.business_id,
                chat_id: chat_of_contact[&book.id(w.contact)],
                wamid: &w.msg.wamid,
                direction: MessageDirection::Inbound.as_str(),
                kind: w.msg.kind.as_str(),
                body: &w.msg.body,
                media_id: w.msg.media_id.as_deref(),
                media_mime: w.msg.media_mime.as_deref(),
                payload: w.msg.payload.as_deref(),
                context_wamid: w.msg.context_wamid.as_deref(),
                sent_by: SentBy::Customer.as_str(),
                status: MessageStatus::Delivered.as_str(),
                wa_timestamp: w.msg.wa_timestamp,
            })
            .collect();
        diesel::insert_or_ignore_into(messages::table)
            .values(&rows)
            .execute(conn)
            .await?;
        let fresh_wamids: Vec<&str> = fresh.iter().map(|w| w.msg.wamid.as_str()).collect();
        let ids: Vec<(u64, Option<String>)> = messages::table
            .filter(messages::wamid.eq_any(&fresh_wamids))
            .select((messages::id, messages::wamid))
            .load(conn)
            .await?;
        new_ids.extend(ids.into_iter().filter_map(|(id, w)| Some((w?, id))));
    }

    // Chat summaries, in one upsert keyed on the chat id.
    let mut summaries: HashMap<u64, ChatSummary> = HashMap::new();
    for w in &fresh {
        let Some(&message_id) = new_ids.get(&w.msg.wamid) else {
            continue;
        };
        let chat_id = chat_of_contact[&book.id(w.contact)];
        events.push(DomainEvent {
            business_id: BusinessId(w.route.business_id),
            kind: EventKind::MessageAdded {
                chat_id,
                message_id,
            },
        });
        summaries
            .entry(chat_id)
            .or_insert_with(|| ChatSummary::new(w.route, book.id(w.contact)))
            .add(w.msg, now);
    }
    if !summaries.is_empty() {
        let mut chat_ids: Vec<u64> = summaries.keys().copied().collect();
        chat_ids.sort_unstable();
        upsert_chat_summaries(conn, &chat_ids, &summaries).await?;
        events.extend(chat_ids.iter().map(|&chat_id| DomainEvent {
            business_id: BusinessId(summaries[&chat_id].route.business_id),
            kind: EventKind::ChatUpdated { chat_id },
        }));
    }

    // The AI replies these messages call for, in the same transaction.
    let notes: Vec<InboundNote> = fresh
        .iter()
        .filter(|w| w.msg.counts_unread && new_ids.contains_key(&w.msg.wamid))
        .map(|w| InboundNote {
            chat_id: chat_of_contact[&book.id(w.contact)],
            kind: w.msg.kind,
            body: &w.msg.body,
        })
        .collect();
    replies.schedule(conn, &notes, now).await?;

    // Statuses.
    let statuses: Vec<(u64, &StatusUpdate)> = changes
        .iter()
        .flat_map(|(route, change)| change.statuses.iter().map(|s| (route.business_id, s)))
        .collect();
    if !statuses.is_empty() {
        events.extend(apply_statuses(conn, &statuses, now).await?);
    }

    if !touch.is_empty() {
        let ids: Vec<&u64> = touch.iter().collect();
        diesel::update(whatsapp_connections::table.filter(whatsapp_connections::id.eq_any(ids)))
            .set(whatsapp_connections::last_webhook_at.eq(now))
            .execute(conn)
            .await?;
    }
    Ok(events)
}

fn unknown_error(numbers: &[&str]) -> String {
    clip(
        &format!(
            "no connected WhatsApp number for phone_number_id {}",
            numbers.join(", ")
        ),
        2000,
    )
}

async fn load_chats(
    conn: &mut AsyncMysqlConnection,
    contact_ids: &[u64],
) -> QueryResult<Vec<(u64, u64)>> {
    chats::table
        .filter(chats::contact_id.eq_any(contact_ids))
        .select((chats::contact_id, chats::id))
        .load(conn)
        .await
}

#[derive(Insertable)]
#[diesel(table_name = chats)]
struct NewChat {
    business_id: u64,
    contact_id: u64,
    connection_id: Option<u64>,
}

#[derive(Insertable)]
#[diesel(table_name = messages)]
struct NewMessage<'a> {
    business_id: u64,
    chat_id: u64,
    wamid: &'a str,
    direction: &'static str,
    kind: &'static str,
    body: &'a str,
    media_id: Option<&'a str>,
    media_mime: Option<&'a str>,
    payload: Option<&'a str>,
    context_wamid: Option<&'a str>,
    sent_by: &'static str,
    status: &'static str,
    wa_timestamp: Option<NaiveDateTime>,
}

/// What a batch changes on one chat.
struct ChatSummary {
    route: Route,
    contact_id: u64,
    unread: i32,
    last_message_at: Option<NaiveDateTime>,
    preview: Option<String>,
    last_inbound_at: Option<NaiveDateTime>,
}

impl ChatSummary {
    fn new(route: Route, contact_id: u64) -> ChatSummary {
        ChatSummary {
            route,
            contact_id,
            unread: 0,
            last_message_at: None,
            preview: None,
            last_inbound_at: None,
        }
    }

    fn add(&mut self, msg: &InboundMessage, now: NaiveDateTime) {
        let at = msg.wa_timestamp.unwrap_or(now);
        if msg.counts_unread {
            self.unread += 1;
        }
        if msg.updates_preview && self.last_message_at.is_none_or(|t| at >= t) {
            self.last_message_at = Some(at);
            self.preview = Some(preview(&msg.body));
        }
        if msg.opens_window && self.last_inbound_at.is_none_or(|t| at > t) {
            self.last_inbound_at = Some(at);
        }
    }
}

/// One statement for every touched chat. Assignments run left to right in MySQL, so
/// the preview is compared against the old `last_message_at` before it changes.
async fn upsert_chat_summaries(
    conn: &mut AsyncMysqlConnection,
    chat_ids: &[u64],
    summaries: &HashMap<u64, ChatSummary>,
) -> QueryResult<()> {
    let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; chat_ids.len()].join(", ");
    let sql = format!(
        "INSERT INTO chats (id, business_id, contact_id, connection_id, last_message_at, \
         last_message_preview, last_inbound_at, unread_count) VALUES {rows} \
         ON DUPLICATE KEY UPDATE \
         last_message_preview = IF(VALUES(last_message_at) IS NOT NULL AND \
           (last_message_at IS NULL OR VALUES(last_message_at) >= last_message_at), \
           VALUES(last_message_preview), last_message_preview), \
         last_message_at = IF(VALUES(last_message_at) IS NOT NULL AND \
           (last_message_at IS NULL OR VALUES(last_message_at) >= last_message_at), \
           VALUES(last_message_at), last_message_at), \
         last_inbound_at = IF(VALUES(last_inbound_at) IS NOT NULL AND \
           (last_inbound_at IS NULL OR VALUES(last_inbound_at) > last_inbound_at), \
           VALUES(last_inbound_at), last_inbound_at), \
         connection_id = VALUES(connection_id), \
         unread_count = unread_count + VALUES(unread_count)"
    );
    let mut query = diesel::sql_query(sql).into_boxed::<diesel::mysql::Mysql>();
    for id in chat_ids {
        let s = &summaries[id];
        query = query
            .bind::<Unsigned<BigInt>, _>(*id)
            .bind::<Unsigned<BigInt>, _>(s.route.business_id)
            .bind::<Unsigned<BigInt>, _>(s.contact_id)
            .bind::<Unsigned<BigInt>, _>(s.route.connection_id)
            .bind::<Nullable<Datetime>, _>(s.last_message_at)
            .bind::<Nullable<Varchar>, _>(s.preview.clone())
            .bind::<Nullable<Datetime>, _>(s.last_inbound_at)
            .bind::<Integer, _>(s.unread);
    }
    query.execute(conn).await.map(|_| ())
}

/// Applies statuses in order, never backwards; parks those whose message is not
/// stored yet. Returns the change events.
async fn apply_statuses(
    conn: &mut AsyncMysqlConnection,
    statuses: &[(u64, &StatusUpdate)],
    now: NaiveDateTime,
) -> QueryResult<Vec<DomainEvent>> {
    let mut wamids: Vec<&str> = statuses.iter().map(|(_, s)| s.wamid.as_str()).collect();
    wamids.sort_unstable();
    wamids.dedup();
    let found: Vec<(u64, u64, u64, Option<String>, String)> = messages::table
        .filter(messages::wamid.eq_any(&wamids))
        .select((
            messages::id,
            messages::business_id,
            messages::chat_id,
            messages::wamid,
            messages::status,
        ))
        .order(messages::id)
        .for_update()
        .load(conn)
        .await?;
    struct Target {
        id: u64,
        business_id: u64,
        chat_id: u64,
        status: MessageStatus,
        error: Option<(Option<i32>, Option<String>)>,
        changed: bool,
    }
    let mut targets: HashMap<String, Target> = found
        .into_iter()
        .filter_map(|(id, business_id, chat_id, wamid, status)| {
            Some((
                wamid?,
                Target {
                    id,
                    business_id,
                    chat_id,
                    status: MessageStatus::parse(&status).unwrap_or(MessageStatus::Pending),
                    error: None,
                    changed: false,
                },
            ))
        })
        .collect();
    let mut parked = Vec::new();
    for (business_id, update) in statuses {
        match targets.get_mut(&update.wamid) {
            // Another tenant's wamid: not ours to touch, and not ours to park.
            Some(t) if t.business_id != *business_id => {}
            Some(t) => {
                if t.status.can_advance_to(update.status) {
                    t.status = update.status;
                    t.changed = true;
                    if update.status == MessageStatus::Failed {
                        t.error = Some((update.error_code, update.error_title.clone()));
                    }
                }
            }
            None => parked.push(NewPendingStatus::from(*update)),
        }
    }
    let mut events = Vec::new();
    let mut changed: Vec<&Target> = targets.values().filter(|t| t.changed).collect();
    changed.sort_by_key(|t| t.id);
    for t in changed {
        set_status(conn, t.id, t.status, t.error.clone(), now).await?;
        events.push(DomainEvent {
            business_id: BusinessId(t.business_id),
            kind: EventKind::MessageStatusChanged {
                chat_id: t.chat_id,
                message_id: t.id,
            },
        });
    }
    if !parked.is_empty() {
        diesel::insert_into(pending_statuses::table)
            .values(&parked)
            .execute(conn)
            .await?;
    }
    Ok(events)
}

async fn set_status(
    conn: &mut AsyncMysqlConnection,
    message_id: u64,
    status: MessageStatus,
    error: Option<(Option<i32>, Option<String>)>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let target = messages::table.filter(messages::id.eq(message_id));
    match error {
        Some((code, title)) => {
            diesel::update(target)
                .set((
                    messages::status.eq(status.as_str()),
                    messages::error_code.eq(code),
                    messages::error_title.eq(title),
                    messages::updated_at.eq(now),
                ))
                .execute(conn)
                .await?
        }
        None => {
            diesel::update(target)
                .set((
                    messages::status.eq(status.as_str()),
                    messages::updated_at.eq(now),
                ))
                .execute(conn)
                .await?
        }
    };
    Ok(())
}

#[derive(Insertable)]
#[diesel(table_name = pending_statuses)]
struct NewPendingStatus {
    wamid: String,
    status: &'static str,
    error_code: Option<i32>,
    error_title: Option<String>,
    wa_timestamp: Option<NaiveDateTime>,
}

impl From<&StatusUpdate> for NewPendingStatus {
    fn from(s: &StatusUpdate) -> Self {
        NewPendingStatus {
            wamid: s.wamid.clone(),
            status: s.status.as_str(),
            error_code: s.error_code,
            error_title: s.error_title.clone(),
            wa_timestamp: s.wa_timestamp,
        }
    }
}

/// A parked status: id, status, error code, error title, Meta's timestamp.
type PendingRow = (
    u64,
    String,
    Option<i32>,
    Option<String>,
    Option<NaiveDateTime>,
);

/// Applies (and removes) the statuses that arrived before the message with `wamid`
/// was stored. The sender calls this right after saving the wamid Meta returned for
/// an outbound message, in the same transaction or just after it. Returns the
/// message's `(chat_id, message_id)` when its status changed, for the caller to
/// publish `MessageStatusChanged` after its commit.
pub async fn apply_pending_statuses(
    conn: &mut AsyncMysqlConnection,
    wamid: &str,
) -> QueryResult<Option<(u64, u64)>> {
    conn.transaction(async |conn| {
        let pending: Vec<PendingRow> = pending_statuses::table
            .filter(pending_statuses::wamid.eq(wamid))
            .select((
                pending_statuses::id,
                pending_statuses::status,
                pending_statuses::error_code,
                pending_statuses::error_title,
                pending_statuses::wa_timestamp,
            ))
            .order(pending_statuses::id)
            .for_update()
            .load(conn)
            .await?;
        if pending.is_empty() {
            return Ok(None);
        }
        let message: Option<(u64, u64, u64)> = messages::table
            .filter(messages::wamid.eq(wamid))
            .select((messages::id, messages::business_id, messages::chat_id))
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let Some((message_id, business_id, chat_id)) = message else {
            return Ok(None);
        };
        let updates: Vec<(u64, StatusUpdate)> = pending
            .into_iter()
            .filter_map(|(_, status, error_code, error_title, wa_timestamp)| {
                Some((
                    business_id,
                    StatusUpdate {
                        wamid: wamid.to_string(),
                        status: MessageStatus::parse(&status)?,
                        error_code,
                        error_title,
                        wa_timestamp,
                    },
                ))
            })
            .collect();
        let refs: Vec<(u64, &StatusUpdate)> = updates.iter().map(|(b, s)| (*b, s)).collect();
        let events = apply_statuses(conn, &refs, Utc::now().naive_utc()).await?;
        diesel::delete(pending_statuses::table.filter(pending_statuses::wamid.eq(wamid)))
            .execute(conn)
            .await?;
        Ok((!events.is_empty()).then_some((chat_id, message_id)))
    })
    .await
}

#[derive(Insertable)]
#[diesel(table_name = contacts)]
struct NewContact<'a> {
    business_id: u64,
    user_id: Option<&'a str>,
    parent_user_id: Option<&'a str>,
    wa_id: Option<&'a str>,
    username: Option<&'a str>,
    profile_name: Option<&'a str>,
    country_code: Option<&'a str>,
}

/// A contact as the batch sees it: loaded (with `id`) or about to be inserted.
#[derive(Debug, Clone, Default)]
struct ContactRow {
    id: Option<u64>,
    business_id: u64,
    fields: Identity,
    /// Identifiers as loaded, to clear moved ones before reassigning them.
    loaded_user_id: Option<String>,
    loaded_wa_id: Option<String>,
    dirty: bool,
}

/// The contacts a batch touches, indexed by (business, BSUID) and (business, phone).
#[derive(Default)]
struct ContactBook {
    rows: Vec<ContactRow>,
    by_user: HashMap<(u64, String), usize>,
    by_wa: HashMap<(u64, String), usize>,
}

type ContactSelect = (
    u64,
    u64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl ContactBook {
    /// Loads every stored contact the changes name, in one query.
    async fn load(
        conn: &mut AsyncMysqlConnection,
        changes: &[(Route, &super::MessagesChange)],
    ) -> QueryResult<ContactBook> {
        let mut businesses = HashSet::new();
        let mut user_ids = HashSet::new();
        let mut wa_ids = HashSet::new();
        for (route, change) in changes {
            businesses.insert(route.business_id);
            let named = change
                .identities
                .iter()
                .chain(change.messages.iter().map(|m| &m.sender));
            for i in named {
                user_ids.extend(i.user_id.clone());
                wa_ids.extend(i.wa_id.clone());
            }
            for c in change
                .messages
                .iter()
                .filter_map(|m| m.number_change.as_ref())
            {
                user_ids.extend(c.new_user_id.clone());
                wa_ids.extend(c.new_wa_id.clone());
            }
        }
        let mut book = ContactBook::default();
        if businesses.is_empty() || (user_ids.is_empty() && wa_ids.is_empty()) {
            return Ok(book);
        }
        let businesses: Vec<u64> = businesses.into_iter().collect();
        let user_ids: Vec<String> = user_ids.into_iter().collect();
        let wa_ids: Vec<String> = wa_ids.into_iter().collect();
        let rows: Vec<ContactSelect> = contacts::table
            .filter(contacts::business_id.eq_any(&businesses))
            .filter(
                contacts::user_id
                    .eq_any(&user_ids)
                    .or(contacts::wa_id.eq_any(&wa_ids)),
            )
            .select((
                contacts::id,
                contacts::business_id,
                contacts::user_id,
                contacts::parent_user_id,
                contacts::wa_id,
                contacts::username,
                contacts::profile_name,
                contacts::country_code,
            ))
            .order(contacts::id)
            .load(conn)
            .await?;
        for (id, business_id, user_id, parent_user_id, wa_id, username, profile_name, country) in
            rows
        {
            book.push(ContactRow {
                id: Some(id),
                business_id,
                loaded_user_id: user_id.clone(),
                loaded_wa_id: wa_id.clone(),
                fields: Identity {
                    user_id,
                    parent_user_id,
                    wa_id,
                    username,
                    profile_name,
                    country_code: country,
                },
                dirty: false,
            });
        }
        Ok(book)
    }

    fn push(&mut self, row: ContactRow) -> usize {
        let idx = self.rows.len();
        if let Some(u) = &row.fields.user_id {
            self.by_user
                .entry((row.business_id, u.clone()))
                .or_insert(idx);
        }
        if let Some(w) = &row.fields.wa_id {
            self.by_wa
                .entry((row.business_id, w.clone()))
                .or_insert(idx);
        }
        self.rows.push(row);
        idx
    }

    /// The contact `ident` names (BSUID first, phone second), completed with what
    /// `ident` adds; created when unknown and `create` is set.
    fn resolve(&mut self, business_id: u64, ident: &Identity, create: bool) -> Option<usize> {
        let by_user = ident
            .user_id
            .as_ref()
            .and_then(|u| self.by_user.get(&(business_id, u.clone())).copied());
        let by_wa = ident
            .wa_id
            .as_ref()
            .and_then(|w| self.by_wa.get(&(business_id, w.clone())).copied());
        let Some(idx) = by_user.or(by_wa) else {
            if !create || !ident.is_identified() {
                return None;
            }
            return Some(self.push(ContactRow {
                id: None,
                business_id,
                fields: ident.clone(),
                ..ContactRow::default()
            }));
        };
        let mut dirty = false;
        if let Some(u) = &ident.user_id
            && self.rows[idx].fields.user_id.is_none()
            && by_user.is_none()
        {
            self.rows[idx].fields.user_id = Some(u.clone());
            self.by_user.insert((business_id, u.clone()), idx);
            dirty = true;
        }
        if let Some(w) = &ident.wa_id
            && self.rows[idx].fields.wa_id.is_none()
            && by_wa.is_none()
        {
            self.rows[idx].fields.wa_id = Some(w.clone());
            self.by_wa.insert((business_id, w.clone()), idx);
            dirty = true;
        }
        let row = &mut self.rows[idx].fields;
        for (have, new) in [
            (&mut row.parent_user_id, &ident.parent_user_id),
            (&mut row.username, &ident.username),
            (&mut row.profile_name, &ident.profile_name),
            (&mut row.country_code, &ident.country_code),
        ] {
            if new.is_some() && have != new {
                have.clone_from(new);
                dirty = true;
            }
        }
        self.rows[idx].dirty |= dirty;
        Some(idx)
    }

    /// `user_changed_number`: the contact takes the new number (and BSUID).
    fn move_number(&mut self, idx: usize, change: &NumberChange) {
        let business_id = self.rows[idx].business_id;
        if let Some(new_wa) = &change.new_wa_id
            && self.rows[idx].fields.wa_id.as_ref() != Some(new_wa)
        {
            let key = (business_id, new_wa.clone());
            if let Some(&holder) = self.by_wa.get(&key)
                && holder != idx
            {
                self.rows[holder].fields.wa_id = None;
                self.rows[holder].dirty = true;
            }
            if let Some(old) = self.rows[idx].fields.wa_id.take() {
                self.by_wa.remove(&(business_id, old));
            }
            self.rows[idx].fields.wa_id = Some(new_wa.clone());
            self.by_wa.insert(key, idx);
            self.rows[idx].dirty = true;
        }
        if let Some(new_user) = &change.new_user_id
            && self.rows[idx].fields.user_id.as_ref() != Some(new_user)
        {
            let key = (business_id, new_user.clone());
            if self.by_user.get(&key).is_some_and(|&holder| holder != idx) {
                tracing::warn!("user_changed_number names a BSUID another contact holds");
                return;
            }
            if let Some(old) = self.rows[idx].fields.user_id.take() {
                self.by_user.remove(&(business_id, old));
            }
            self.rows[idx].fields.user_id = Some(new_user.clone());
            self.by_user.insert(key, idx);
            self.rows[idx].dirty = true;
        }
    }

    /// The stored id of a row (after [`ContactBook::save`]).
    fn id(&self, idx: usize) -> u64 {
        self.rows[idx]
            .id
            .expect("every contact has an id once the book is saved")
    }

    /// Writes changed contacts, then inserts new ones and reads their ids back.
    async fn save(
        &mut self,
        conn: &mut AsyncMysqlConnection,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        // Identifiers that moved away are released first, so reassigning them cannot
        // collide with the unique keys.
        for row in self.rows.iter().filter(|r| r.dirty && r.id.is_some()) {
            let id = row.id.expect("filtered");
            let target = contacts::table.filter(contacts::id.eq(id));
            if row.loaded_wa_id.is_some() && row.loaded_wa_id != row.fields.wa_id {
                diesel::update(target)
                    .set(contacts::wa_id.eq(None::<String>))
                    .execute(conn)
                    .await?;
            }
            if row.loaded_user_id.is_some() && row.loaded_user_id != row.fields.user_id {
                diesel::update(target)
                    .set(contacts::user_id.eq(None::<String>))
                    .execute(conn)
                    .await?;
            }
        }
        for row in self.rows.iter().filter(|r| r.dirty && r.id.is_some()) {
            let f = &row.fields;
            diesel::update(contacts::table.filter(contacts::id.eq(row.id.expect("filtered"))))
                .set((
                    contacts::user_id.eq(&f.user_id),
                    contacts::parent_user_id.eq(&f.parent_user_id),
                    contacts::wa_id.eq(&f.wa_id),
                    contacts::username.eq(&f.username),
                    contacts::profile_name.eq(&f.profile_name),
                    contacts::country_code.eq(&f.country_code),
                    contacts::updated_at.eq(now),
                ))
                .execute(conn)
                .await?;
        }
        let new: Vec<usize> = (0..self.rows.len())
            .filter(|&i| self.rows[i].id.is_none())
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        let inserts: Vec<NewContact> = new
            .iter()
            .map(|&i| {
                let r = &self.rows[i];
                NewContact {
                    business_id: r.business_id,
                    user_id: r.fields.user_id.as_deref(),
                    parent_user_id: r.fields.parent_user_id.as_deref(),
                    wa_id: r.fields.wa_id.as_deref(),
                    username: r.fields.username.as_deref(),
                    profile_name: r.fields.profile_name.as_deref(),
                    country_code: r.fields.country_code.as_deref(),
                }
            })
            .collect();
        diesel::insert_into(contacts::table)
            .values(&inserts)
            .execute(conn)
            .await?;
        let businesses: Vec<u64> = new.iter().map(|&i| self.rows[i].business_id).collect();
        let user_ids: Vec<&str> = new
            .iter()
            .filter_map(|&i| self.rows[i].fields.user_id.as_deref())
            .collect();
        let wa_ids: Vec<&str> = new
            .iter()
            .filter_map(|&i| self.rows[i].fields.wa_id.as_deref())
            .collect();
        let ids: Vec<(u64, u64, Option<String>, Option<String>)> = contacts::table
            .filter(contacts::business_id.eq_any(&businesses))
            .filter(
                contacts::user_id
                    .eq_any(&user_ids)
                    .or(contacts::wa_id.eq_any(&wa_ids)),
            )
            .select((
                contacts::id,
                contacts::business_id,
                contacts::user_id,
                contacts::wa_id,
            ))
            .load(conn)
            .await?;
        for (id, business_id, user_id, wa_id) in ids {
            let idx = user_id
                .and_then(|u| self.by_user.get(&(business_id, u)).copied())
                .or_else(|| wa_id.and_then(|w| self.by_wa.get(&(business_id, w)).copied()));
            if let Some(idx) = idx
                && self.rows[idx].id.is_none()
            {
                self.rows[idx].id = Some(id);
            }
        }
        if new.iter().any(|&i| self.rows[i].id.is_none()) {
            return Err(diesel::result::Error::NotFound);
        }
        Ok(())
    }
}
