//! Chats: reading the inbox (chat list, message history), the owner's changes to a
//! chat (read, AI takeover), and the chat summary (preview, last message, unread
//! count) that stored messages update. Every read is scoped by business.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Datetime, Integer, Nullable, Unsigned, Varchar};
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use shared::{BusinessId, ChatId, ConnectionId, ContactId, MessageDirection};

use super::inbox::{Chat, Contact, Message};
use super::messages::InboundMessage;
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

/// `text` with LIKE's wildcards escaped.
fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Shortest word the FULLTEXT index holds (MariaDB's `innodb_ft_min_token_size`).
const MIN_INDEXED_WORD: usize = 3;

/// The words of a search that hold a letter, lowercased.
fn search_words(search: &str) -> Vec<String> {
    search
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().any(char::is_alphabetic))
        .map(str::to_lowercase)
        .collect()
}

/// The FULLTEXT boolean query for the words of at least [`MIN_INDEXED_WORD`]
/// characters (each must start a word); `None` without such words.
fn fulltext_terms(words: &[String]) -> Option<String> {
    let against: String = words
        .iter()
        .filter(|w| w.chars().count() >= MIN_INDEXED_WORD)
        .map(|w| format!("+{w}* "))
        .collect();
    (!against.is_empty()).then_some(against)
}

/// Most contacts one way of matching a search contributes (a word as common as a
/// frequent surname): the page shows the most recent chats among them.
const MAX_MATCHES_PER_WAY: i64 = 5_000;

/// The contacts of `business_id` a search without a FULLTEXT word matches, each way
/// through its own index (one query each, so none turns into a scan): a one- or
/// two-letter word as the start of the name or the owner's name for the customer;
/// three or more digits as the start or the end of the number (a local number without
/// its leading 0); the text as the start of the BSUID. Empty when nothing matches.
async fn matching_contacts(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    search: &str,
    words: &[String],
) -> QueryResult<Vec<u64>> {
    let digits: String = search.chars().filter(char::is_ascii_digit).collect();
    let mine = || {
        contacts::table
            .filter(contacts::business_id.eq(business_id))
            .select(contacts::id)
            .limit(MAX_MATCHES_PER_WAY)
            .into_boxed()
    };
    let mut ids: Vec<u64> = Vec::new();
    if let Some(first) = words.iter().next() {
        let prefix = format!("{}%", like_escape(first));
        for column_matches in [
            mine().filter(contacts::profile_name.like(prefix.clone())),
            mine().filter(contacts::custom_name.like(prefix.clone())),
        ] {
            ids.extend(column_matches.load::<u64>(conn).await?);
        }
    }
    if digits.len() >= 3 {
        let start = format!("{digits}%");
        ids.extend(
            mine()
                .filter(contacts::wa_id.like(start))
                .load::<u64>(conn)
                .await?,
        );
        let reversed: String = digits.trim_start_matches('0').chars().rev().collect();
        if reversed.len() >= 3 {
            ids.extend(
                mine()
                    .filter(contacts::wa_id_reversed.like(format!("{reversed}%")))
                    .load::<u64>(conn)
                    .await?,
            );
        }
    }
    let text = search.trim();
    if text.len() >= 3 && !text.contains(char::is_whitespace) && !words.is_empty() {
        ids.extend(
            mine()
                .filter(contacts::user_id.like(format!("{}%", like_escape(text))))
                .load::<u64>(conn)
                .await?,
        );
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
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
        let words = search_words(search);
        if let Some(against) = fulltext_terms(&words) {
            // Names: one FULLTEXT lookup, joined to the chats in the database.
            use diesel::dsl::sql;
            use diesel::sql_types::{Bool, Text};
            let matching = contacts::table
                .filter(contacts::business_id.eq(business_id))
                .filter(
                    sql::<Bool>(
                        "MATCH (contacts.profile_name, contacts.username, contacts.custom_name) AGAINST (",
                    )
                    .bind::<Text, _>(against)
                    .sql(" IN BOOLEAN MODE)"),
                )
                .select(contacts::id);
            q = q.filter(chats::contact_id.eq_any(matching));
        } else {
            let matching = matching_contacts(conn, business_id, search, &words).await?;
            if matching.is_empty() {
                return Ok(Vec::new());
            }
            q = q.filter(chats::contact_id.eq_any(matching));
        }
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
        .filter(messages::direction.eq(MessageDirection::Inbound))
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
    // A pause set or lifted by hand has no end.
    if paused {
        diesel::update(target)
            .set((
                chats::ai_paused.eq(true),
                chats::ai_paused_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
            .await
    } else {
        diesel::update(target).set(resumed()).execute(conn).await
    }
}

/// The changes of [`resumed`].
type Resumed = (
    diesel::dsl::Eq<chats::ai_paused, bool>,
    diesel::dsl::Eq<chats::ai_paused_until, Option<NaiveDateTime>>,
    diesel::dsl::Eq<chats::handoff_reason, Option<String>>,
);

/// The AI answers the chat again: no pause, no timer, no hand-off reason.
fn resumed() -> Resumed {
    (
        chats::ai_paused.eq(false),
        chats::ai_paused_until.eq(None),
        chats::handoff_reason.eq(None),
    )
}

/// Longest chat preview, in characters.
pub const PREVIEW_CHARS: usize = 120;

/// The chat list's preview of a message: one line (every run of whitespace, newlines
/// included, becomes one space) of at most [`PREVIEW_CHARS`] characters, ending in `…`
/// when cut. Inbound and outbound messages use this one rule.
pub fn preview(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(PREVIEW_CHARS - 1) {
        Some((end, _)) if line.chars().count() > PREVIEW_CHARS => {
            format!("{}…", &line[..end])
        }
        _ => line,
    }
}

/// The chat of each contact in `wanted` (contact, its business, the number the
/// conversation runs on), created for those that have none yet.
pub async fn ensure_chats(
    conn: &mut AsyncMysqlConnection,
    wanted: &[(ContactId, BusinessId, ConnectionId)],
) -> QueryResult<HashMap<ContactId, ChatId>> {
    let mut contact_ids: Vec<ContactId> = wanted.iter().map(|w| w.0).collect();
    contact_ids.sort_unstable();
    contact_ids.dedup();
    let mut chat_of_contact = HashMap::new();
    if contact_ids.is_empty() {
        return Ok(chat_of_contact);
    }
    chat_of_contact.extend(chats_of_contacts(conn, &contact_ids).await?);
    let mut seen = HashSet::new();
    let new_chats: Vec<NewChat> = wanted
        .iter()
        .filter(|(contact_id, _, _)| {
            !chat_of_contact.contains_key(contact_id) && seen.insert(*contact_id)
        })
        .map(|&(contact_id, business_id, connection_id)| NewChat {
            business_id,
            contact_id,
            connection_id: Some(connection_id),
        })
        .collect();
    if !new_chats.is_empty() {
        diesel::insert_into(chats::table)
            .values(&new_chats)
            .execute(conn)
            .await?;
        let missing: Vec<ContactId> = new_chats.iter().map(|c| c.contact_id).collect();
        chat_of_contact.extend(chats_of_contacts(conn, &missing).await?);
    }
    Ok(chat_of_contact)
}

async fn chats_of_contacts(
    conn: &mut AsyncMysqlConnection,
    contact_ids: &[ContactId],
) -> QueryResult<Vec<(ContactId, ChatId)>> {
    chats::table
        .filter(chats::contact_id.eq_any(contact_ids))
        .select((chats::contact_id, chats::id))
        .load(conn)
        .await
}

#[derive(Insertable)]
#[diesel(table_name = chats)]
struct NewChat {
    business_id: BusinessId,
    contact_id: ContactId,
    connection_id: Option<ConnectionId>,
}

/// What a batch of inbound messages changes on one chat.
#[derive(Debug, Clone)]
pub struct ChatSummary {
    /// Tenant.
    pub business_id: BusinessId,
    /// The customer.
    pub contact_id: ContactId,
    /// The number the messages came in on.
    pub connection_id: ConnectionId,
    unread: i32,
    last_message_at: Option<NaiveDateTime>,
    preview: Option<String>,
    last_inbound_at: Option<NaiveDateTime>,
}

impl ChatSummary {
    /// Nothing changed yet.
    pub fn new(
        business_id: BusinessId,
        contact_id: ContactId,
        connection_id: ConnectionId,
    ) -> ChatSummary {
        ChatSummary {
            business_id,
            contact_id,
            connection_id,
            unread: 0,
            last_message_at: None,
            preview: None,
            last_inbound_at: None,
        }
    }

    /// Counts one newly stored inbound message (`now` when Meta gave no time).
    pub fn add(&mut self, msg: &InboundMessage, now: NaiveDateTime) {
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

/// One statement for every chat in `summaries`, in the order given. Assignments run
/// left to right in MySQL, so the preview is compared against the old
/// `last_message_at` before it changes.
pub async fn upsert_summaries(
    conn: &mut AsyncMysqlConnection,
    summaries: &[(ChatId, &ChatSummary)],
) -> QueryResult<()> {
    let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; summaries.len()].join(", ");
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
    for (id, s) in summaries {
        query = query
            .bind::<Unsigned<BigInt>, _>(*id)
            .bind::<Unsigned<BigInt>, _>(s.business_id)
            .bind::<Unsigned<BigInt>, _>(s.contact_id)
            .bind::<Unsigned<BigInt>, _>(s.connection_id)
            .bind::<Nullable<Datetime>, _>(s.last_message_at)
            .bind::<Nullable<Varchar>, _>(s.preview.clone())
            .bind::<Nullable<Datetime>, _>(s.last_inbound_at)
            .bind::<Integer, _>(s.unread);
    }
    query.execute(conn).await.map(|_| ())
}

/// Why the AI stands back in a chat where the owner wrote from the WhatsApp Business app
/// (the business keeps the AI off there until the owner turns it back on).
pub const PHONE_REPLY_REASON: &str = "You replied from your phone (WhatsApp Business app): the AI stands back in this chat until you turn it back on";

/// The same, for a business whose AI comes back by itself (followed by the minutes).
const PHONE_REPLY_TIMED_REASON: &str =
    "You replied from your phone (WhatsApp Business app): the AI stands back in this chat for ";

/// Pauses the AI in `chat_ids`: the owner wrote there from the phone (coexistence). How
/// long is each chat's business's `phone_reply_pause_minutes` from `now` (the end is
/// kept in `ai_paused_until`), or until the owner turns the AI back on when it has none.
pub async fn owner_replied_from_phone(
    conn: &mut AsyncMysqlConnection,
    chat_ids: &[ChatId],
    now: NaiveDateTime,
) -> QueryResult<()> {
    if chat_ids.is_empty() {
        return Ok(());
    }
    let ids = chat_ids
        .iter()
        .map(|c| c.0.to_string())
        .collect::<Vec<_>>()
        .join(",");
    diesel::sql_query(format!(
        "UPDATE chats c JOIN businesses b ON b.id = c.business_id \
         SET c.ai_paused = TRUE, \
             c.ai_paused_until = IF(b.phone_reply_pause_minutes IS NULL, NULL, \
                                    ? + INTERVAL b.phone_reply_pause_minutes MINUTE), \
             c.handoff_reason = IF(b.phone_reply_pause_minutes IS NULL, ?, \
                                   CONCAT(?, b.phone_reply_pause_minutes, ' minutes')) \
         WHERE c.id IN ({ids})"
    ))
    .bind::<Datetime, _>(now)
    .bind::<Varchar, _>(PHONE_REPLY_REASON)
    .bind::<Varchar, _>(PHONE_REPLY_TIMED_REASON)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Ends a timed phone-reply pause that has run out (`ai_paused_until` at or before
/// `now`): the AI answers the chat again. Whether it did.
pub async fn end_lapsed_pause(
    conn: &mut AsyncMysqlConnection,
    chat_id: ChatId,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        chats::table
            .filter(chats::id.eq(chat_id))
            .filter(chats::ai_paused.eq(true))
            .filter(chats::ai_paused_until.le(now)),
    )
    .set(resumed())
    .execute(conn)
    .await
    .map(|n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_is_one_line_cut_on_a_character_boundary() {
        let long = "é".repeat(300);
        let p = preview(&long);
        assert_eq!(p.chars().count(), PREVIEW_CHARS);
        assert!(p.ends_with('…'));
        assert_eq!(preview("two\nlines"), "two lines");
        assert_eq!(preview("  a \r\n\t b  "), "a b");
        let exact = "x".repeat(PREVIEW_CHARS);
        assert_eq!(preview(&exact), exact);
    }
}
