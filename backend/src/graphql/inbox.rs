//! The inbox: chats, message history, sending, and live subscriptions.

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::futures_util::Stream;
use async_graphql::{Context, ID, InputObject, Object, Subscription, Upload};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime};
use shared::{BusinessId, ChatId, ContactId, MessageId, SentBy as SharedSentBy};

use super::common::{business_records, read_upload};
use super::paging::{Direction, Page, id_cursor};
use super::{Authenticated, ContextExt, ids};
use crate::app::AppState;
use crate::db::chats::{self as chat_model, ChatCursor, ChatFilter};
use crate::db::inbox as model;
use crate::error::AppError;
use crate::events::EventKind;
use crate::{inbox, sender};

mod chat;
mod message;

pub use chat::{Chat, Contact};
pub use message::{
    MediaStatus, Message, MessageDirection, MessageKind, MessageMedia, MessageStatus, SentBy,
};

/// An approved WhatsApp template.
#[derive(InputObject)]
pub struct TemplateInput {
    /// Template name as approved in WhatsApp Manager.
    pub name: String,
    /// Language code.
    #[graphql(default_with = "String::from(\"en_US\")")]
    pub language: String,
    /// Body parameters in order.
    #[graphql(default)]
    pub parameters: Vec<String>,
}

fn encode_chat_cursor(chat: &model::Chat) -> String {
    let at = chat
        .last_message_at
        .map(|t| t.and_utc().timestamp_micros().to_string())
        .unwrap_or_else(|| "-".into());
    URL_SAFE_NO_PAD.encode(format!("ChatCursor:{at}:{}", chat.id))
}

fn decode_chat_cursor(cursor: &str) -> Option<ChatCursor> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let rest = text.strip_prefix("ChatCursor:")?;
    let (at, id) = rest.split_once(':')?;
    let last_message_at: Option<NaiveDateTime> = match at {
        "-" => None,
        micros => Some(DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc()),
    };
    Some(ChatCursor {
        last_message_at,
        id: id.parse().ok()?,
    })
}

/// Inbox queries.
#[derive(Default)]
pub struct InboxQuery;

#[Object]
impl InboxQuery {
    /// Chats, newest activity first. `unreadOnly` keeps chats with unread messages;
    /// `search` (its first 100 characters) finds the start of every word given in the
    /// customer's name, username or the owner's name for them (one or two letters: the
    /// start of the name), a phone number by its start or its end (three digits or
    /// more, as written internationally or locally), and a BSUID by its start.
    #[graphql(guard = "Authenticated")]
    async fn chats(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        unread_only: Option<bool>,
        search: Option<String>,
    ) -> async_graphql::Result<Connection<String, Chat>> {
        let caller = ctx.caller()?;
        let page = Page::new(
            Direction::Forward,
            first,
            after.as_deref(),
            decode_chat_cursor,
        )?;
        let filter = ChatFilter {
            unread_only: unread_only.unwrap_or(false),
            search: search.map(|s| s.chars().take(100).collect()),
        };
        let mut conn = ctx.app().db().await?;
        let rows = chat_model::list_page(
            &mut conn,
            caller.business_id.0,
            &filter,
            page.cursor,
            page.fetch_limit(),
        )
        .await
        .map_err(AppError::from)?;
        Ok(page.connection(rows, EmptyFields, |c| {
            Ok((encode_chat_cursor(&c), Chat::from(c)))
        })?)
    }

    /// One chat. Another business's chat is `NOT_FOUND`.
    #[graphql(guard = "Authenticated")]
    async fn chat(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Chat> {
        let caller = ctx.caller()?;
        let id = ids::decode::<ChatId>(&id)?.0;
        let mut conn = ctx.app().db().await?;
        let chat = model::find_chat(&mut conn, caller.business_id.0, id)
            .await
            .map_err(AppError::from)?
            .ok_or(AppError::NotFound("chat"))?;
        Ok(chat.into())
    }

    /// A chat's messages, paging backwards: the `last` messages before the cursor
    /// `before` (the newest when omitted), returned oldest to newest.
    /// `pageInfo.hasPreviousPage` says whether older messages exist; pass
    /// `pageInfo.startCursor` as `before` to get them.
    #[graphql(guard = "Authenticated")]
    async fn messages(
        &self,
        ctx: &Context<'_>,
        chat_id: ID,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Message>> {
        let caller = ctx.caller()?;
        let chat_id = ids::decode::<ChatId>(&chat_id)?.0;
        let page = Page::new(
            Direction::Backward,
            last,
            before.as_deref(),
            id_cursor::<MessageId>,
        )?;
        let mut conn = ctx.app().db().await?;
        model::find_chat(&mut conn, caller.business_id.0, chat_id)
            .await
            .map_err(AppError::from)?
            .ok_or(AppError::NotFound("chat"))?;
        let rows = chat_model::messages_before(
            &mut conn,
            caller.business_id.0,
            chat_id,
            page.cursor.map(|c| c.0),
            page.fetch_limit(),
        )
        .await
        .map_err(AppError::from)?;
        Ok(page.connection(rows, EmptyFields, |m| {
            Ok((ids::encode(MessageId(m.id)).0, Message::from(m)))
        })?)
    }
}

/// Inbox mutations.
#[derive(Default)]
pub struct InboxMutation;

#[Object]
impl InboxMutation {
    /// Sends a free-form reply as staff. Only inside the 24-hour window (else
    /// `BAD_USER_INPUT` on `text`: send a template). Returns the stored message, `SENT`
    /// or still `PENDING` while temporary failures are retried (follow
    /// `messageStatusChanged`), or `FAILED` with WhatsApp's error.
    #[graphql(guard = "Authenticated")]
    async fn send_message(
        &self,
        ctx: &Context<'_>,
        chat_id: ID,
        text: String,
    ) -> async_graphql::Result<Message> {
        let caller = ctx.caller()?;
        let chat_id = ids::decode::<ChatId>(&chat_id)?.0;
        let message = sender::send_text(
            ctx.app(),
            caller.business_id,
            chat_id,
            &text,
            SharedSentBy::Staff,
        )
        .await?;
        Ok(message.into())
    }

    /// Sends a photo (JPEG or PNG, at most 5 MB) or a document (PDF, text, Word, Excel,
    /// PowerPoint, at most 16 MB) as staff, with an optional caption (GraphQL multipart
    /// request; the type is read from the file's content). Only inside the 24-hour
    /// window. The file is uploaded to WhatsApp first: when that fails nothing is stored
    /// and the error says why; otherwise as `sendMessage`.
    #[graphql(guard = "Authenticated")]
    async fn send_attachment(
        &self,
        ctx: &Context<'_>,
        chat_id: ID,
        file: Upload,
        caption: Option<String>,
    ) -> async_graphql::Result<Message> {
        let caller = ctx.caller()?;
        let chat_id = ids::decode::<ChatId>(&chat_id)?.0;
        let (filename, data) =
            read_upload(ctx, file, shared::attachment::MAX_DOCUMENT_BYTES, "file")?;
        let attachment = sender::Attachment::read(data, &filename, caption)?;
        let message = sender::send_attachment(
            ctx.app(),
            caller.business_id,
            chat_id,
            attachment,
            SharedSentBy::Staff,
        )
        .await?;
        Ok(message.into())
    }

    /// Sends an approved template as staff (allowed at any time).
    #[graphql(guard = "Authenticated")]
    async fn send_template(
        &self,
        ctx: &Context<'_>,
        chat_id: ID,
        template: TemplateInput,
    ) -> async_graphql::Result<Message> {
        let caller = ctx.caller()?;
        let chat_id = ids::decode::<ChatId>(&chat_id)?.0;
        let message = sender::send_template(
            ctx.app(),
            caller.business_id,
            chat_id,
            sender::Template {
                name: template.name,
                language: template.language,
                parameters: template.parameters,
            },
            SharedSentBy::Staff,
        )
        .await?;
        Ok(message.into())
    }

    /// Marks a chat read: unread count to zero and a read receipt to WhatsApp.
    #[graphql(guard = "Authenticated")]
    async fn mark_chat_read(&self, ctx: &Context<'_>, chat_id: ID) -> async_graphql::Result<Chat> {
        let caller = ctx.caller()?;
        let chat_id = ids::decode::<ChatId>(&chat_id)?.0;
        Ok(
            inbox::mark_chat_read(ctx.app(), caller.business_id, chat_id)
                .await?
                .into(),
        )
    }

    /// Pauses (human takeover) or resumes the AI in one chat.
    #[graphql(guard = "Authenticated")]
    async fn set_chat_ai_paused(
        &self,
        ctx: &Context<'_>,
        chat_id: ID,
        paused: bool,
    ) -> async_graphql::Result<Chat> {
        let caller = ctx.caller()?;
        let chat_id = ids::decode::<ChatId>(&chat_id)?.0;
        Ok(inbox::set_ai_paused(ctx.app(), caller, chat_id, paused)
            .await?
            .into())
    }

    /// Sets the owner's name (at most 120 characters) and notes (at most 4000) for a
    /// customer; an omitted field stays as it is, an empty one is cleared.
    #[graphql(guard = "Authenticated")]
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        input: UpdateContactInput,
    ) -> async_graphql::Result<Contact> {
        let caller = ctx.caller()?;
        let contact_id = ids::decode::<ContactId>(&input.id)?.0;
        Ok(
            inbox::update_contact(ctx.app(), caller, contact_id, input.name, input.notes)
                .await?
                .into(),
        )
    }
}

/// The owner's details about a customer.
#[derive(InputObject)]
pub struct UpdateContactInput {
    /// The contact.
    pub id: ID,
    /// A name of the owner's choosing; empty goes back to WhatsApp's profile name.
    pub name: Option<String>,
    /// Notes; empty clears them.
    pub notes: Option<String>,
}

async fn load_message(app: AppState, business_id: BusinessId, message_id: u64) -> Option<Message> {
    let mut conn = app.db().await.ok()?;
    model::find_message(&mut conn, business_id.0, message_id)
        .await
        .ok()
        .flatten()
        .map(Message::from)
}

async fn load_chat(app: AppState, business_id: BusinessId, chat_id: u64) -> Option<Chat> {
    let mut conn = app.db().await.ok()?;
    model::find_chat(&mut conn, business_id.0, chat_id)
        .await
        .ok()
        .flatten()
        .map(Chat::from)
}

/// The caller's business's messages named by the events `pick` selects.
fn messages(
    ctx: &Context<'_>,
    pick: fn(EventKind) -> Option<u64>,
) -> async_graphql::Result<impl Stream<Item = Message> + use<>> {
    let business_id = ctx.caller()?.business_id;
    Ok(business_records(ctx.app(), business_id, pick, load_message))
}

/// Live inbox updates over WebSocket (`/graphql/ws`, `graphql-transport-ws`). Each
/// subscriber receives only its own business's events.
#[derive(Default)]
pub struct InboxSubscription;

#[Subscription]
impl InboxSubscription {
    /// A message was stored: inbound from a customer, or outbound (pending at first).
    #[graphql(guard = "Authenticated")]
    async fn message_added(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = Message> + use<>> {
        messages(ctx, |kind| match kind {
            EventKind::MessageAdded { message_id, .. } => Some(message_id),
            _ => None,
        })
    }

    /// A message's delivery status changed (sent, delivered, read, failed).
    #[graphql(guard = "Authenticated")]
    async fn message_status_changed(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = Message> + use<>> {
        messages(ctx, |kind| match kind {
            EventKind::MessageStatusChanged { message_id, .. } => Some(message_id),
            _ => None,
        })
    }

    /// A chat's summary changed (new message, unread count, takeover).
    #[graphql(guard = "Authenticated")]
    async fn chat_updated(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = Chat> + use<>> {
        let business_id = ctx.caller()?.business_id;
        let pick = |kind| match kind {
            EventKind::ChatUpdated { chat_id } => Some(chat_id),
            _ => None,
        };
        Ok(business_records(ctx.app(), business_id, pick, load_chat))
    }
}
