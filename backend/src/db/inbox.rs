//! Rows of the inbox: contacts (customers), chats and messages, and the readers
//! every flow shares. They are written by the stores beside this file: contacts in
//! [`super::contacts`], chats in [`super::chats`], messages in [`super::messages`]
//! (webhooks) and [`super::outbound`] (the sender). A stored kind, direction, author or
//! status this build does not know is an error when read, never a guess.

use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use shared::{MessageDirection, MessageKind, MessageStatus, SentBy};

use super::contacts::Identity;
use super::schema::{chats, contacts, messages};

/// A WhatsApp customer of one business.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contacts, check_for_backend(diesel::mysql::Mysql))]
pub struct Contact {
    /// Id.
    pub id: u64,
    /// Tenant.
    pub business_id: u64,
    /// Who the customer is: BSUID, phone number, username, profile name, country.
    #[diesel(embed)]
    pub identity: Identity,
    /// A name the owner gave the customer (shown before the profile name).
    pub custom_name: Option<String>,
    /// The owner's notes about the customer.
    pub notes: Option<String>,
}

impl Contact {
    /// Where replies go: the phone number when known, else the BSUID.
    pub fn recipient(&self) -> Option<Recipient<'_>> {
        let i = &self.identity;
        i.wa_id
            .as_deref()
            .map(Recipient::Phone)
            .or(i.user_id.as_deref().map(Recipient::UserId))
    }

    /// A name to show: the owner's, else WhatsApp's profile name, username, phone.
    pub fn display_name(&self) -> String {
        let i = &self.identity;
        self.custom_name
            .clone()
            .or_else(|| i.profile_name.clone())
            .or_else(|| i.username.clone())
            .or_else(|| i.wa_id.as_deref().map(shared::phone::display_phone))
            .or_else(|| i.user_id.clone())
            .unwrap_or_else(|| "Customer".into())
    }
}

/// Who an outbound message is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient<'a> {
    /// `to`: a phone number.
    Phone(&'a str),
    /// `recipient`: a business-scoped user id.
    UserId(&'a str),
}

/// A conversation with one contact.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = chats, check_for_backend(diesel::mysql::Mysql))]
pub struct Chat {
    /// Id.
    pub id: u64,
    /// Tenant.
    pub business_id: u64,
    /// The customer.
    pub contact_id: u64,
    /// The business number the conversation runs on.
    pub connection_id: Option<u64>,
    /// Last message either way.
    pub last_message_at: Option<chrono::NaiveDateTime>,
    /// Short text of the last message.
    pub last_message_preview: Option<String>,
    /// Last inbound message (opens the 24-hour window).
    pub last_inbound_at: Option<chrono::NaiveDateTime>,
    /// Inbound messages not yet read by staff.
    pub unread_count: i32,
    /// Human takeover: the AI stays silent (see [`Chat::ai_stands_back`]).
    pub ai_paused: bool,
    /// Why the AI handed over, if it did.
    pub handoff_reason: Option<String>,
    /// Products the customer showed interest in (JSON).
    pub product_interest: Option<String>,
    /// Negotiation state (JSON).
    pub negotiation: Option<String>,
    /// Created.
    pub created_at: chrono::NaiveDateTime,
    /// When a timed pause (the owner replied from the phone) ends by itself.
    pub ai_paused_until: Option<chrono::NaiveDateTime>,
}

impl Chat {
    /// Whether the AI stays silent in this chat at `now`: paused, and not by a timed
    /// pause that has run out.
    pub fn ai_stands_back(&self, now: chrono::NaiveDateTime) -> bool {
        self.ai_paused && self.ai_paused_until.is_none_or(|until| until > now)
    }
}

/// One message.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = messages, check_for_backend(diesel::mysql::Mysql))]
pub struct Message {
    /// Id.
    pub id: u64,
    /// Tenant.
    pub business_id: u64,
    /// Conversation.
    pub chat_id: u64,
    /// Meta's message id (unique); `None` for an outbound message not yet accepted.
    pub wamid: Option<String>,
    /// Inbound or outbound.
    pub direction: MessageDirection,
    /// Kind.
    pub kind: MessageKind,
    /// Readable body (text, caption, or a description of non-text content).
    pub body: String,
    /// Media id, for media messages.
    pub media_id: Option<String>,
    /// Media content type.
    pub media_mime: Option<String>,
    /// Structured content (JSON) for non-text kinds.
    pub payload: Option<String>,
    /// The message this one replies or reacts to.
    pub context_wamid: Option<String>,
    /// Who wrote it.
    pub sent_by: SentBy,
    /// Delivery state.
    pub status: MessageStatus,
    /// Meta error code when failed.
    pub error_code: Option<i32>,
    /// Meta error title when failed.
    pub error_title: Option<String>,
    /// WhatsApp's timestamp.
    pub wa_timestamp: Option<chrono::NaiveDateTime>,
    /// Stored.
    pub created_at: chrono::NaiveDateTime,
}

/// A chat of this business.
pub async fn find_chat(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    chat_id: u64,
) -> QueryResult<Option<Chat>> {
    chats::table
        .filter(chats::id.eq(chat_id))
        .filter(chats::business_id.eq(business_id))
        .select(Chat::as_select())
        .first(conn)
        .await
        .optional()
}

/// A contact of this business.
pub async fn find_contact(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    contact_id: u64,
) -> QueryResult<Option<Contact>> {
    contacts::table
        .filter(contacts::id.eq(contact_id))
        .filter(contacts::business_id.eq(business_id))
        .select(Contact::as_select())
        .first(conn)
        .await
        .optional()
}

/// A message of this business.
pub async fn find_message(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    message_id: u64,
) -> QueryResult<Option<Message>> {
    messages::table
        .filter(messages::id.eq(message_id))
        .filter(messages::business_id.eq(business_id))
        .select(Message::as_select())
        .first(conn)
        .await
        .optional()
}

/// Many chats by id, only of this business (`FollowUp.chat`).
pub async fn chats_by_ids(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    ids: &[u64],
) -> QueryResult<Vec<Chat>> {
    chats::table
        .filter(chats::business_id.eq(business_id))
        .filter(chats::id.eq_any(ids))
        .select(Chat::as_select())
        .load(conn)
        .await
}

/// Sets the owner's name and notes for a customer of the business (`None` leaves a
/// field as it is; `Some(None)` clears it); `false` when it is not this business's.
pub async fn update_contact(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    contact_id: u64,
    custom_name: Option<Option<String>>,
    notes: Option<Option<String>>,
) -> QueryResult<bool> {
    let target = contacts::table
        .filter(contacts::id.eq(contact_id))
        .filter(contacts::business_id.eq(business_id));
    let exists: i64 = target.count().get_result(conn).await?;
    if exists == 0 {
        return Ok(false);
    }
    if let Some(name) = custom_name {
        diesel::update(target)
            .set(contacts::custom_name.eq(name))
            .execute(conn)
            .await?;
    }
    if let Some(notes) = notes {
        diesel::update(target)
            .set(contacts::notes.eq(notes))
            .execute(conn)
            .await?;
    }
    Ok(true)
}
