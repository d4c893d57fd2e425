//! Reading the inbox (chat list, message history) and the owner's changes to a chat
//! (read, AI takeover). Every query is scoped by business.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use shared::MessageDirection;

use super::inbox::{Chat, Contact, Message};
use super::schema::{chats, contacts, messages};

/// Filters of the chat list.
#[derive(Debug, Clone, Default)]
pub struct ChatFilter {
    /// Only chats with unread inbound messages.
    pub unread_only: bool,
    /// Matches the contact's profile name, username, phone number or BSUID.
    pub search: Option<String>,
}

/// Where a page of the chat list starts: after this chat in "newest activity first"
/// order (`last_message_at` descending, chats without messages last, then id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatCursor {
    /// The chat's `last_message_at`.
    pub last_message_at: Option<NaiveDateTime>,
    /// The chat's id.
    pub id: u64,
}

fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// One page of chats, newest activity first, at most `limit`.
pub async fn list_page(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    filter: &ChatFilter,
    after: Option<ChatCursor>,
    limit: i64,
) -> QueryResult<Vec<Chat>> {
    let mut q = chats::table
        .filter(chats::business_id.eq(business_id))
        .into_boxed();
    if filter.unread_only {
        q = q.filter(chats::unread_count.gt(0));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let pattern = like_pattern(search);
        let digits: String = search.chars().filter(char::is_ascii_digit).collect();
        let mut matching = contacts::table
            .filter(contacts::business_id.eq(business_id))
            .filter(
                contacts::profile_name
                    .like(pattern.clone())
                    .or(contacts::username.like(pattern.clone()))
                    .or(contacts::user_id.like(pattern.clone()))
                    .or(contacts::wa_id.like(pattern.clone())),
            )
            .select(contacts::id)
            .into_boxed();
        if digits.len() >= 3 {
            matching = matching.or_filter(
                contacts::business_id
                    .eq(business_id)
                    .and(contacts::wa_id.like(like_pattern(&digits))),
            );
        }
        q = q.filter(chats::contact_id.eq_any(matching));
    }
    if let Some(cursor) = after {
        q = match cursor.last_message_at {
            Some(at) => q.filter(
                chats::last_message_at
                    .lt(at)
                    .or(chats::last_message_at.eq(at).and(chats::id.lt(cursor.id)))
                    .or(chats::last_message_at.is_null()),
            ),
            None => q.filter(
                chats::last_message_at
                    .is_null()
                    .and(chats::id.lt(cursor.id)),
            ),
        };
    }
    q.order((chats::last_message_at.desc(), chats::id.desc()))
        .limit(limit)
        .select(Chat::as_select())
        .load(conn)
        .await
}

/// Contacts by id (for the `Chat.contact` DataLoader; ids come from scoped chats).
pub async fn contacts_by_ids(
    conn: &mut AsyncMysqlConnection,
    ids: &[u64],
) -> QueryResult<Vec<Contact>> {
    contacts::table
        .filter(contacts::id.eq_any(ids))
        .select(Contact::as_select())
        .load(conn)
        .await
}

/// The `limit` messages of a chat just before message `before_id` (or the latest),
/// newest first. The chat must already be known to belong to `business_id`.
pub async fn messages_before(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    chat_id: u64,
    before_id: Option<u64>,
    limit: i64,
) -> QueryResult<Vec<Message>> {
    let mut q = messages::table
        .filter(messages::chat_id.eq(chat_id))
        .filter(messages::business_id.eq(business_id))
        .into_boxed();
    if let Some(before) = before_id {
        q = q.filter(messages::id.lt(before));
    }
    q.order(messages::id.desc())
        .limit(limit)
        .select(Message::as_select())
        .load(conn)
        .await
}

/// Resets the unread count; returns the previous count and the wamid of the latest
/// inbound message (for the read receipt).
pub async fn mark_read(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    chat_id: u64,
) -> QueryResult<(i32, Option<String>)> {
    let previous: i32 = chats::table
        .filter(chats::id.eq(chat_id))
        .filter(chats::business_id.eq(business_id))
        .select(chats::unread_count)
        .first(conn)
        .await?;
    diesel::update(
        chats::table
            .filter(chats::id.eq(chat_id))
            .filter(chats::business_id.eq(business_id)),
    )
    .set(chats::unread_count.eq(0))
    .execute(conn)
    .await?;
    let latest: Option<Option<String>> = messages::table
        .filter(messages::chat_id.eq(chat_id))
        .filter(messages::business_id.eq(business_id))
        .filter(messages::direction.eq(MessageDirection::Inbound.as_str()))
        .filter(messages::wamid.is_not_null())
        .order(messages::id.desc())
        .select(messages::wamid)
        .first(conn)
        .await
        .optional()?;
    Ok((previous, latest.flatten()))
}

/// Pauses or resumes the AI for one chat (human takeover). Resuming clears the
/// hand-off reason. Returns the number of chats changed (0 when not this business's).
pub async fn set_ai_paused(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    chat_id: u64,
    paused: bool,
) -> QueryResult<usize> {
    let target = chats::table
        .filter(chats::id.eq(chat_id))
        .filter(chats::business_id.eq(business_id));
    if paused {
        diesel::update(target)
            .set(chats::ai_paused.eq(true))
            .execute(conn)
            .await
    } else {
        diesel::update(target)
            .set((
                chats::ai_paused.eq(false),
                chats::handoff_reason.eq(None::<String>),
            ))
            .execute(conn)
            .await
    }
}
