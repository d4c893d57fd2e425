//! The database side of ingest: one batch of deliveries in one transaction, with
//! multi-row statements and no per-message round trips. The rows themselves are
//! written by the stores in `crate::db` (contacts, chats, messages); this module
//! orders them and keeps the raw events.
//!
//! A batch costs about ten statements however many messages it holds: insert the raw
//! events, read the contacts it names, insert the new ones, read/insert chats, read
//! existing wamids, insert the messages (`INSERT IGNORE` on the unique wamid), read back
//! the new ids, update every touched chat in one upsert, lock and update the messages
//! that statuses name, and touch the connections' `last_webhook_at`.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};
use shared::{BusinessId, ChatId, ConnectionId, ContactId, MessageId};

use super::{Delivery, MessagesChange, ReplyHook, clip};
use crate::db::chats::{self, ChatSummary};
use crate::db::contacts::{ContactBook, ContactSlot, Identity, NumberChange};
use crate::db::jobs::{self, NewJob};
use crate::db::messages::{self, InboundMessage, StatusUpdate};
use crate::db::schema::{contacts, webhook_events, whatsapp_connections};
use crate::events::{DomainEvent, EventKind};

/// Where a business number's webhooks go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The `whatsapp_connections` row.
    pub connection_id: ConnectionId,
    /// Its business.
    pub business_id: BusinessId,
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
    let rows: Vec<(ConnectionId, BusinessId, String)> = whatsapp_connections::table
        .filter(whatsapp_connections::phone_number_id.eq_any(phone_number_ids))
        .filter(whatsapp_connections::status.eq(shared::ConnectionStatus::Connected))
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
    business_id: Option<BusinessId>,
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
            let ids: Vec<ConnectionId> = routes.iter().map(|r| r.connection_id).collect();
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
    touch: &HashSet<ConnectionId>,
    replies: &impl ReplyHook,
) -> QueryResult<Vec<DomainEvent>> {
    let batch = Batch {
        deliveries,
        routes,
        touch,
    };
    conn.transaction(async |conn| batch.store(conn, replies).await)
        .await
}

/// What [`write_batch`] stores.
#[derive(Clone, Copy)]
struct Batch<'a> {
    deliveries: &'a [&'a Delivery],
    routes: &'a HashMap<String, Route>,
    touch: &'a HashSet<ConnectionId>,
}

/// A message with where it goes.
struct Work<'a> {
    route: Route,
    contact: ContactSlot,
    msg: &'a InboundMessage,
}

impl Batch<'_> {
    /// Stores the batch inside the caller's transaction; returns the events to publish.
    async fn store(
        self,
        conn: &mut AsyncMysqlConnection,
        replies: &impl ReplyHook,
    ) -> QueryResult<Vec<DomainEvent>> {
        let Batch {
            deliveries,
            routes,
            touch,
        } = self;
        let now = Utc::now().naive_utc();
        let mut events = Vec::new();
        insert_raw_events(conn, deliveries, routes, now).await?;

        // Who the customers are.
        let changes: Vec<(Route, &MessagesChange)> = deliveries
            .iter()
            .flat_map(|d| d.changes.iter())
            .filter_map(|c| routes.get(&c.phone_number_id).map(|r| (*r, c)))
            .collect();
        let named: Vec<(BusinessId, &Identity)> = changes
            .iter()
            .flat_map(|(route, change)| {
                change
                    .identities
                    .iter()
                    .chain(change.messages.iter().map(|m| &m.sender))
                    .map(|i| (route.business_id, i))
            })
            .collect();
        let moved_to: Vec<&NumberChange> = changes
            .iter()
            .flat_map(|(_, change)| change.messages.iter())
            .filter_map(|m| m.number_change.as_ref())
            .collect();
        let mut book = ContactBook::load(conn, &named, &moved_to).await?;
        let mut work = Vec::new();
        let mut phone_names: Vec<(ContactSlot, &str)> = Vec::new();
        let mut history_progress: Vec<(ConnectionId, u8)> = Vec::new();
        for (route, change) in &changes {
            let b = route.business_id;
            for ident in &change.identities {
                book.resolve(
                    b,
                    ident,
                    !change.messages.is_empty() || !change.phone_book.is_empty(),
                );
            }
            for (ident, name) in &change.phone_book {
                if let Some(slot) = book.resolve(b, ident, true) {
                    phone_names.push((slot, name.as_str()));
                }
            }
            if let Some(progress) = change.history_progress {
                history_progress.push((route.connection_id, progress));
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
        // The phone's contact names, where the owner gave none here.
        for (slot, name) in phone_names {
            diesel::update(contacts::table.find(book.id(slot)))
                .filter(contacts::custom_name.is_null())
                .set(contacts::custom_name.eq(name))
                .execute(conn)
                .await?;
        }

        // Chats: one per contact.
        let wanted: Vec<(ContactId, BusinessId, ConnectionId)> = work
            .iter()
            .map(|w| {
                (
                    book.id(w.contact),
                    w.route.business_id,
                    w.route.connection_id,
                )
            })
            .collect();
        let chat_of_contact = chats::ensure_chats(conn, &wanted).await?;
        let chat_of = |w: &Work| chat_of_contact[&book.id(w.contact)];

        // Messages: only the new ones count.
        let rows: Vec<(BusinessId, ChatId, &InboundMessage)> = work
            .iter()
            .map(|w| (w.route.business_id, chat_of(w), w.msg))
            .collect();
        let stored = messages::insert_inbound(conn, &rows).await?;
        let fresh: Vec<(&Work, MessageId)> = work
            .iter()
            .zip(stored)
            .filter_map(|(w, id)| Some((w, id?)))
            .collect();

        // Chat summaries, in one upsert keyed on the chat id.
        let mut summaries: HashMap<ChatId, ChatSummary> = HashMap::new();
        for &(w, message_id) in &fresh {
            let chat_id = chat_of(w);
            events.push(DomainEvent {
                business_id: w.route.business_id,
                kind: EventKind::MessageAdded {
                    chat_id: chat_id.0,
                    message_id: message_id.0,
                },
            });
            summaries
                .entry(chat_id)
                .or_insert_with(|| {
                    ChatSummary::new(
                        w.route.business_id,
                        book.id(w.contact),
                        w.route.connection_id,
                    )
                })
                .add(w.msg, now);
        }
        if !summaries.is_empty() {
            let mut ordered: Vec<(ChatId, &ChatSummary)> =
                summaries.iter().map(|(id, s)| (*id, s)).collect();
            ordered.sort_unstable_by_key(|(id, _)| *id);
            chats::upsert_summaries(conn, &ordered).await?;
            events.extend(ordered.iter().map(|(chat_id, s)| DomainEvent {
                business_id: s.business_id,
                kind: EventKind::ChatUpdated { chat_id: chat_id.0 },
            }));
        }

        // The owner answered from the phone (coexistence echo): the AI stands back there.
        let mut owner_spoke: Vec<ChatId> = fresh
            .iter()
            .filter(|(w, _)| w.msg.stands_ai_back)
            .map(|(w, _)| chat_of(w))
            .collect();
        if !owner_spoke.is_empty() {
            owner_spoke.sort_unstable();
            owner_spoke.dedup();
            chats::owner_replied_from_phone(conn, &owner_spoke, now).await?;
            events.extend(owner_spoke.iter().filter_map(|chat_id| {
                let w = fresh.iter().find(|(w, _)| chat_of(w) == *chat_id)?.0;
                Some(DomainEvent {
                    business_id: w.route.business_id,
                    kind: EventKind::ChatUpdated { chat_id: chat_id.0 },
                })
            }));
        }

        // How far the import of past chats is, per number.
        for (connection_id, progress) in history_progress {
            diesel::sql_query(
                "UPDATE whatsapp_connections \
                 SET history_progress = GREATEST(COALESCE(history_progress, 0), ?) WHERE id = ?",
            )
            .bind::<diesel::sql_types::Unsigned<diesel::sql_types::TinyInt>, _>(progress)
            .bind::<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>, _>(connection_id.0)
            .execute(conn)
            .await?;
        }

        // The AI replies these messages call for, in the same transaction.
        let unread: Vec<(ChatId, &InboundMessage)> = fresh
            .iter()
            .filter(|(w, _)| w.msg.counts_unread)
            .map(|(w, _)| (chat_of(w), w.msg))
            .collect();
        events.extend(replies.on_stored(conn, &unread, now).await?);

        // Photos, voice notes, documents: each file fetched from Meta by a job.
        let downloads: Vec<NewJob> = fresh
            .iter()
            .filter(|(w, _)| w.msg.media_id.is_some())
            .map(|(w, id)| crate::media::download_job(w.route.business_id, *id, now))
            .collect();
        jobs::enqueue(conn, &downloads).await?;

        // Statuses.
        let statuses: Vec<(BusinessId, &StatusUpdate)> = changes
            .iter()
            .flat_map(|(route, change)| change.statuses.iter().map(|s| (route.business_id, s)))
            .collect();
        if !statuses.is_empty() {
            let changed = messages::apply_statuses(conn, &statuses, now).await?;
            events.extend(changed.into_iter().map(|m| DomainEvent {
                business_id: m.business_id,
                kind: EventKind::MessageStatusChanged {
                    chat_id: m.chat_id.0,
                    message_id: m.message_id.0,
                },
            }));
        }

        if !touch.is_empty() {
            let ids: Vec<&ConnectionId> = touch.iter().collect();
            diesel::update(
                whatsapp_connections::table.filter(whatsapp_connections::id.eq_any(ids)),
            )
            .set(whatsapp_connections::last_webhook_at.eq(now))
            .execute(conn)
            .await?;
        }
        Ok(events)
    }
}

/// The raw events, each with its routing outcome.
async fn insert_raw_events(
    conn: &mut AsyncMysqlConnection,
    deliveries: &[&Delivery],
    routes: &HashMap<String, Route>,
    now: NaiveDateTime,
) -> QueryResult<()> {
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
        .await
        .map(|_| ())
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
