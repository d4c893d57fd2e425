//! The message store's outbound side (the webhook side is [`super::messages`]): a
//! message stored `pending` with its send job, then `sent` with Meta's wamid or
//! `failed` with Meta's error.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};
use shared::{MessageDirection, MessageId, MessageKind, MessageStatus, SentBy};

use super::inbox::Message;
use super::jobs::{self, NewJob};
use super::schema::{chats, messages};
use super::tenants::last_insert_id;

/// What a send carries in `biz_opaque_callback_data`: the stored message's id, which
/// Meta echoes in the message's status webhooks.
pub fn callback_data(message_id: u64) -> String {
    format!("wasales:m:{message_id}")
}

/// The message id in echoed callback data, when it is ours.
pub fn message_of_callback(data: &str) -> Option<MessageId> {
    data.strip_prefix("wasales:m:")?.parse().ok().map(MessageId)
}

/// An outbound message about to be sent.
#[derive(Debug, Clone)]
pub struct NewOutbound<'a> {
    /// Tenant.
    pub business_id: u64,
    /// Conversation.
    pub chat_id: u64,
    /// `text`, `template`, `image` or `document`.
    pub kind: MessageKind,
    /// Readable body.
    pub body: &'a str,
    /// Structured content (the template as JSON), when not plain text.
    pub payload: Option<&'a str>,
    /// Who wrote it.
    pub sent_by: SentBy,
    /// The file of a photo or document staff attached, kept as the message's media.
    pub file: Option<OutboundFile<'a>>,
}

/// An attached file, uploaded to Meta and kept with its message.
#[derive(Debug, Clone)]
pub struct OutboundFile<'a> {
    /// The id Meta gave the upload.
    pub media_id: String,
    /// Its content type.
    pub mime_type: &'a str,
    /// Its bytes.
    pub data: &'a [u8],
}

/// The durable send job stored with a pending message: a worker sends it at `run_at`
/// unless the sender settles it first (so a restart never strands a message).
#[derive(Debug, Clone)]
pub struct SendJobSpec<'a> {
    /// The Graph API request body, as JSON.
    pub request: &'a serde_json::Value,
    /// When a worker takes over if the message is still pending.
    pub run_at: NaiveDateTime,
    /// Attempts allowed.
    pub max_attempts: i32,
}

/// Stores the message as `pending`, makes it the chat's latest, and stores its send job,
/// in one transaction.
pub async fn insert_pending(
    conn: &mut AsyncMysqlConnection,
    new: &NewOutbound<'_>,
    send: &SendJobSpec<'_>,
) -> QueryResult<Message> {
    let now = Utc::now().naive_utc();
    let preview = super::chats::preview(new.body);
    crate::retry_transient!(
        conn.transaction(async |conn| {
            // The chat row first: its exclusive lock queues concurrent sends to one chat.
            // (Inserting the message first takes a shared lock on the chat through the
            // foreign key, and two sends that both hold it deadlock on this update.)
            diesel::update(
                chats::table
                    .filter(chats::id.eq(new.chat_id))
                    .filter(chats::business_id.eq(new.business_id)),
            )
            .set((
                chats::last_message_at.eq(now),
                chats::last_message_preview.eq(&preview),
            ))
            .execute(conn)
            .await?;
            diesel::insert_into(messages::table)
                .values((
                    messages::business_id.eq(new.business_id),
                    messages::chat_id.eq(new.chat_id),
                    messages::direction.eq(MessageDirection::Outbound),
                    messages::kind.eq(new.kind),
                    messages::body.eq(new.body),
                    messages::payload.eq(new.payload),
                    messages::sent_by.eq(new.sent_by),
                    messages::media_id.eq(new.file.as_ref().map(|f| f.media_id.as_str())),
                    messages::media_mime.eq(new.file.as_ref().map(|f| f.mime_type)),
                    messages::status.eq(MessageStatus::Pending),
                    messages::wa_timestamp.eq(now),
                    messages::created_at.eq(now),
                    messages::updated_at.eq(now),
                ))
                .execute(conn)
                .await?;
            let id: u64 = diesel::select(last_insert_id()).get_result(conn).await?;
            if let Some(file) = &new.file {
                super::media::record(
                    conn,
                    shared::MessageId(id),
                    shared::BusinessId(new.business_id),
                    super::media::status::STORED,
                    Some(file.mime_type),
                    Some(file.data),
                    None,
                )
                .await?;
            }
            jobs::enqueue(
                conn,
                &[NewJob {
                    business_id: Some(shared::BusinessId(new.business_id)),
                    kind: jobs::JobKind::SendMessage,
                    dedupe_key: Some(jobs::send_key(id)),
                    payload: serde_json::json!({"message_id": id, "request": send.request})
                        .to_string(),
                    run_at: send.run_at,
                    max_attempts: send.max_attempts,
                }],
            )
            .await?;
            messages::table
                .find(id)
                .select(Message::as_select())
                .first(conn)
                .await
        })
        .await
    )
}

/// How a pending outbound message ends.
enum Settlement<'a> {
    /// Meta accepted it, with this wamid.
    Sent(&'a str),
    /// Meta refused it for good: error code and title.
    Failed(Option<i32>, String),
}

/// Settles a message that is still `pending` (a webhook status may already have
/// moved it further) and deletes its send job, in one commit. Returns the number of
/// messages changed.
async fn settle(
    conn: &mut AsyncMysqlConnection,
    message_id: u64,
    settlement: Settlement<'_>,
) -> QueryResult<usize> {
    let now: NaiveDateTime = Utc::now().naive_utc();
    crate::retry_transient!(
        conn.transaction(async |conn| {
            let pending = messages::table
                .filter(messages::id.eq(message_id))
                .filter(messages::status.eq(MessageStatus::Pending));
            let n = match &settlement {
                Settlement::Sent(wamid) => {
                    diesel::update(pending)
                        .set((
                            messages::wamid.eq(wamid),
                            messages::status.eq(MessageStatus::Sent),
                            messages::updated_at.eq(now),
                        ))
                        .execute(conn)
                        .await?
                }
                Settlement::Failed(code, title) => {
                    diesel::update(pending)
                        .set((
                            messages::status.eq(MessageStatus::Failed),
                            messages::error_code.eq(code),
                            messages::error_title.eq(title),
                            messages::updated_at.eq(now),
                        ))
                        .execute(conn)
                        .await?
                }
            };
            jobs::delete_by_key(conn, &jobs::send_key(message_id)).await?;
            Ok(n)
        })
        .await
    )
}

/// Records Meta's acceptance: the wamid, and `sent` unless a webhook status already
/// moved the message further. Its send job is settled (deleted) in the same commit.
pub async fn mark_sent(
    conn: &mut AsyncMysqlConnection,
    message_id: u64,
    wamid: &str,
) -> QueryResult<usize> {
    settle(conn, message_id, Settlement::Sent(wamid)).await
}

/// Records a permanent failure with Meta's error code and title; its send job is
/// settled (deleted) in the same commit.
pub async fn mark_failed(
    conn: &mut AsyncMysqlConnection,
    message_id: u64,
    error_code: Option<i32>,
    error_title: &str,
) -> QueryResult<usize> {
    let title: String = error_title.chars().take(255).collect();
    settle(conn, message_id, Settlement::Failed(error_code, title)).await
}
