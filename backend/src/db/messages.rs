//! The message store's webhook side: inbound messages stored exactly once, delivery
//! statuses applied in order (never backwards), and the statuses that arrive before
//! their message parked in `pending_statuses` until the sender stores its wamid.
//! Outbound messages are stored by [`super::outbound`]; the rows the inbox reads are
//! in [`super::inbox`].
//!
//! Exactly once: a wamid already stored is not inserted again. Which rows are new is
//! decided from the transaction's own snapshot (read before the insert, read again
//! after): a row another transaction committed meanwhile is invisible to both reads,
//! so the other transaction, not this one, counts it.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};
use shared::{BusinessId, ChatId, MessageDirection, MessageId, MessageKind, MessageStatus, SentBy};

use super::contacts::{Identity, NumberChange};
use super::schema::{messages, pending_statuses};

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
    /// Inbound from the customer, or outbound: what the owner typed in the WhatsApp
    /// Business app (a coexistence echo, or a past chat imported as history).
    pub direction: MessageDirection,
    /// Who wrote it (`customer`, or `phone` for the owner's own app).
    pub sent_by: SentBy,
    /// The owner is talking on the phone: the AI stands back in this chat.
    pub stands_ai_back: bool,
}

/// One status update of an outbound message.
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
    /// The message the send named in `biz_opaque_callback_data`, echoed back.
    pub message_id: Option<MessageId>,
}

/// A message whose status changed (to publish once committed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChanged {
    /// Tenant.
    pub business_id: BusinessId,
    /// Its chat.
    pub chat_id: ChatId,
    /// The message.
    pub message_id: MessageId,
}

#[derive(Insertable)]
#[diesel(table_name = messages)]
struct NewInbound<'a> {
    business_id: BusinessId,
    chat_id: ChatId,
    wamid: &'a str,
    direction: MessageDirection,
    kind: MessageKind,
    body: &'a str,
    media_id: Option<&'a str>,
    media_mime: Option<&'a str>,
    payload: Option<&'a str>,
    context_wamid: Option<&'a str>,
    sent_by: SentBy,
    status: MessageStatus,
    wa_timestamp: Option<NaiveDateTime>,
}

/// Stores inbound messages (`INSERT IGNORE` on the unique wamid), each with its
/// business and chat. Returns, in the order given, the id of each message this call
/// stored; `None` for a wamid already stored or named earlier in `rows`.
pub async fn insert_inbound(
    conn: &mut AsyncMysqlConnection,
    rows: &[(BusinessId, ChatId, &InboundMessage)],
) -> QueryResult<Vec<Option<MessageId>>> {
    let mut seen = HashSet::new();
    let unique: Vec<bool> = rows
        .iter()
        .map(|(_, _, m)| seen.insert(m.wamid.as_str()))
        .collect();
    let wamids: Vec<&str> = seen.into_iter().collect();
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
    let fresh: Vec<bool> = rows
        .iter()
        .zip(&unique)
        .map(|((_, _, m), &unique)| unique && !existing.contains(&m.wamid))
        .collect();
    let new_rows: Vec<NewInbound> = rows
        .iter()
        .zip(&fresh)
        .filter(|(_, fresh)| **fresh)
        .map(|(&(business_id, chat_id, m), _)| NewInbound {
            business_id,
            chat_id,
            wamid: &m.wamid,
            direction: m.direction,
            kind: m.kind,
            body: &m.body,
            media_id: m.media_id.as_deref(),
            media_mime: m.media_mime.as_deref(),
            payload: m.payload.as_deref(),
            context_wamid: m.context_wamid.as_deref(),
            sent_by: m.sent_by,
            status: if m.direction == MessageDirection::Inbound {
                MessageStatus::Delivered
            } else {
                MessageStatus::Sent
            },
            wa_timestamp: m.wa_timestamp,
        })
        .collect();
    let mut new_ids: HashMap<String, MessageId> = HashMap::new();
    if !new_rows.is_empty() {
        diesel::insert_or_ignore_into(messages::table)
            .values(&new_rows)
            .execute(conn)
            .await?;
        let fresh_wamids: Vec<&str> = new_rows.iter().map(|r| r.wamid).collect();
        let ids: Vec<(MessageId, Option<String>)> = messages::table
            .filter(messages::wamid.eq_any(&fresh_wamids))
            .select((messages::id, messages::wamid))
            .load(conn)
            .await?;
        new_ids.extend(ids.into_iter().filter_map(|(id, w)| Some((w?, id))));
    }
    Ok(rows
        .iter()
        .zip(fresh)
        .map(|((_, _, m), fresh)| fresh.then(|| new_ids.get(&m.wamid).copied()).flatten())
        .collect())
}

/// A stored message as a status change needs it: id, business, chat, wamid, status.
type StatusTarget = (MessageId, BusinessId, ChatId, Option<String>, MessageStatus);

/// The messages with these wamids, locked until the commit, oldest first.
async fn lock_by_wamid(
    conn: &mut AsyncMysqlConnection,
    wamids: &[&str],
) -> QueryResult<Vec<StatusTarget>> {
    messages::table
        .filter(messages::wamid.eq_any(wamids))
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
        .await
}

/// Applies statuses (each with the business whose webhook reported it) in order,
/// never backwards; parks those whose message is not stored yet. Returns the messages
/// whose status changed.
pub async fn apply_statuses(
    conn: &mut AsyncMysqlConnection,
    statuses: &[(BusinessId, &StatusUpdate)],
    now: NaiveDateTime,
) -> QueryResult<Vec<StatusChanged>> {
    let mut wamids: Vec<&str> = statuses.iter().map(|(_, s)| s.wamid.as_str()).collect();
    wamids.sort_unstable();
    wamids.dedup();
    let mut found = lock_by_wamid(conn, &wamids).await?;
    // A status naming one of our messages (its send's callback data) under a wamid we
    // never stored: Meta accepted a send whose answer we lost (a crash or a cut
    // connection between Meta's 200 and our commit). The message takes the wamid, and
    // its send job ends here: it is not sent a second time.
    let mut orphans: Vec<(MessageId, BusinessId, &str)> = statuses
        .iter()
        .filter(|(_, u)| {
            !found
                .iter()
                .any(|f| f.3.as_deref() == Some(u.wamid.as_str()))
        })
        .filter_map(|(business_id, u)| Some((u.message_id?, *business_id, u.wamid.as_str())))
        .collect();
    orphans.sort_by_key(|(message_id, _, _)| *message_id);
    orphans.dedup_by_key(|(message_id, _, _)| *message_id);
    for (message_id, business_id, wamid) in orphans {
        if let Some(adopted) = adopt_sent(conn, message_id, business_id, wamid).await? {
            found.push(adopted);
        }
    }
    struct Target {
        message: StatusChanged,
        status: MessageStatus,
        error: Option<(Option<i32>, Option<String>)>,
        changed: bool,
    }
    let mut targets: HashMap<String, Target> = found
        .into_iter()
        .filter_map(|(message_id, business_id, chat_id, wamid, status)| {
            Some((
                wamid?,
                Target {
                    message: StatusChanged {
                        business_id,
                        chat_id,
                        message_id,
                    },
                    status,
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
            Some(t) if t.message.business_id != *business_id => {}
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
    let mut changed: Vec<&Target> = targets.values().filter(|t| t.changed).collect();
    changed.sort_by_key(|t| t.message.message_id);
    for t in &changed {
        set_status(conn, t.message.message_id, t.status, t.error.clone(), now).await?;
    }
    if !parked.is_empty() {
        diesel::insert_into(pending_statuses::table)
            .values(&parked)
            .execute(conn)
            .await?;
    }
    Ok(changed.into_iter().map(|t| t.message).collect())
}

/// Gives `wamid` to our outbound message `message_id` of `business_id` when it has no
/// wamid yet, and ends its send job; `None` when there is no such message.
async fn adopt_sent(
    conn: &mut AsyncMysqlConnection,
    message_id: MessageId,
    business_id: BusinessId,
    wamid: &str,
) -> QueryResult<Option<StatusTarget>> {
    let unsettled = messages::table
        .filter(messages::id.eq(message_id))
        .filter(messages::business_id.eq(business_id))
        .filter(messages::direction.eq(MessageDirection::Outbound))
        .filter(messages::wamid.is_null());
    let Some((id, business, chat, status)) = unsettled
        .select((
            messages::id,
            messages::business_id,
            messages::chat_id,
            messages::status,
        ))
        .for_update()
        .first::<(MessageId, BusinessId, ChatId, MessageStatus)>(conn)
        .await
        .optional()?
    else {
        return Ok(None);
    };
    diesel::update(messages::table.filter(messages::id.eq(id)))
        .set(messages::wamid.eq(wamid))
        .execute(conn)
        .await?;
    super::jobs::delete_by_key(conn, &super::jobs::send_key(id.0)).await?;
    Ok(Some((id, business, chat, Some(wamid.to_string()), status)))
}

async fn set_status(
    conn: &mut AsyncMysqlConnection,
    message_id: MessageId,
    status: MessageStatus,
    error: Option<(Option<i32>, Option<String>)>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let target = messages::table.filter(messages::id.eq(message_id));
    match error {
        Some((code, title)) => {
            diesel::update(target)
                .set((
                    messages::status.eq(status),
                    messages::error_code.eq(code),
                    messages::error_title.eq(title),
                    messages::updated_at.eq(now),
                ))
                .execute(conn)
                .await?
        }
        None => {
            diesel::update(target)
                .set((messages::status.eq(status), messages::updated_at.eq(now)))
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
    status: MessageStatus,
    error_code: Option<i32>,
    error_title: Option<String>,
    wa_timestamp: Option<NaiveDateTime>,
}

impl From<&StatusUpdate> for NewPendingStatus {
    fn from(s: &StatusUpdate) -> Self {
        NewPendingStatus {
            wamid: s.wamid.clone(),
            status: s.status,
            error_code: s.error_code,
            error_title: s.error_title.clone(),
            wa_timestamp: s.wa_timestamp,
        }
    }
}

/// A parked status: status, error code, error title, Meta's timestamp.
type PendingRow = (
    MessageStatus,
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
) -> QueryResult<Option<(ChatId, MessageId)>> {
    crate::retry_transient!(
        conn.transaction(async |conn| {
            let pending: Vec<PendingRow> = pending_statuses::table
                .filter(pending_statuses::wamid.eq(wamid))
                .select((
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
            let message = lock_by_wamid(conn, &[wamid]).await?.into_iter().next();
            let Some((message_id, business_id, chat_id, _, _)) = message else {
                return Ok(None);
            };
            let updates: Vec<StatusUpdate> = pending
                .into_iter()
                .map(
                    |(status, error_code, error_title, wa_timestamp)| StatusUpdate {
                        wamid: wamid.to_string(),
                        status,
                        error_code,
                        error_title,
                        wa_timestamp,
                        message_id: None,
                    },
                )
                .collect();
            let refs: Vec<(BusinessId, &StatusUpdate)> =
                updates.iter().map(|s| (business_id, s)).collect();
            let changed = apply_statuses(conn, &refs, Utc::now().naive_utc()).await?;
            diesel::delete(pending_statuses::table.filter(pending_statuses::wamid.eq(wamid)))
                .execute(conn)
                .await?;
            Ok((!changed.is_empty()).then_some((chat_id, message_id)))
        })
        .await
    )
}
