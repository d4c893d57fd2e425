//! The inbox: chats, message history, sending, and live subscriptions.

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::dataloader::DataLoader;
use async_graphql::futures_util::Stream;
use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject, Subscription, Upload,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime, Utc};
use shared::{BusinessId, ChatId, ContactId, MessageId, SentBy as SharedSentBy};

use super::ai::{self, Negotiation, ProductInterest};
use super::common::{Money, business_records, money, read_upload};
use super::loaders::{ContactBlacklistLoader, ContactLoader, MediaLoader};
use super::orders::{self, Order};
use super::paging::{Direction, Page, id_cursor};
use super::{Authenticated, ContextExt, ids};
use crate::app::AppState;
use crate::db::chats::{self as chat_model, ChatCursor, ChatFilter};
use crate::db::inbox as model;
use crate::db::media::status as media_status;
use crate::error::AppError;
use crate::events::EventKind;
use crate::{inbox, sender};

/// Which way a message travelled.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::MessageDirection")]
pub enum MessageDirection {
    /// From the customer.
    Inbound,
    /// To the customer.
    Outbound,
}

/// Delivery state of a message; never moves backwards.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::MessageStatus")]
pub enum MessageStatus {
    /// Stored, not yet accepted by WhatsApp (or being retried).
    Pending,
    /// Accepted by WhatsApp.
    Sent,
    /// Delivered to the customer's phone.
    Delivered,
    /// Read by the customer.
    Read,
    /// Failed; see `errorCode` and `errorTitle`.
    Failed,
}

/// What a message contains.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::MessageKind")]
pub enum MessageKind {
    /// Plain text.
    Text,
    /// A photo.
    Image,
    /// A voice note or audio file.
    Audio,
    /// A video.
    Video,
    /// A document.
    Document,
    /// A sticker.
    Sticker,
    /// A shared location.
    Location,
    /// Shared contact cards.
    Contacts,
    /// A reply to buttons or a list.
    Interactive,
    /// A tap on a template button.
    Button,
    /// A catalog order.
    Order,
    /// An emoji reaction.
    Reaction,
    /// A template message.
    Template,
    /// A system notice.
    System,
    /// Anything else.
    Unsupported,
}

/// Who wrote a message.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::SentBy")]
pub enum SentBy {
    /// The customer.
    Customer,
    /// The AI salesperson.
    Ai,
    /// A person of the business.
    Staff,
    /// A scheduled follow-up.
    FollowUp,
    /// The product itself.
    System,
    /// The owner, from the WhatsApp Business app on their phone (coexistence).
    Phone,
}

/// A customer on WhatsApp. `waId` (phone) may be missing for customers with a username.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Contact {
    /// Opaque id.
    pub id: ID,
    /// A name to show: profile name, username, phone number or BSUID.
    pub name: String,
    /// Phone number (digits), when known.
    pub wa_id: Option<String>,
    /// Meta's business-scoped user id (BSUID), when known.
    pub user_id: Option<String>,
    /// WhatsApp username, when set.
    pub username: Option<String>,
    /// Profile name from WhatsApp.
    pub profile_name: Option<String>,
    /// The name the owner gave the customer (shown as `name` when set).
    pub custom_name: Option<String>,
    /// The owner's notes about the customer.
    pub notes: Option<String>,
    #[graphql(skip)]
    pub contact_id: ContactId,
}

#[ComplexObject]
impl Contact {
    /// Whether the customer is blacklisted (by phone, user id or username): automation
    /// never messages them; what they write is still stored.
    async fn blacklisted(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(!self.blacklist_entries(ctx).await?.is_empty())
    }

    /// Orders the customer placed (cancelled ones aside).
    async fn order_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.spent(ctx).await?.iter().map(|(_, n, _)| n).sum())
    }

    /// What the customer spent, per currency, largest first (cancelled orders aside).
    async fn total_spent(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Money>> {
        let mut spent = self.spent(ctx).await?;
        spent.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        Ok(spent
            .into_iter()
            .map(|(currency, _, sum)| money(sum, &currency))
            .collect::<Result<_, _>>()?)
    }

    /// Why, when blacklisted (the oldest entry's reason).
    async fn blacklist_reason(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(self
            .blacklist_entries(ctx)
            .await?
            .into_iter()
            .next()
            .map(|e| e.reason))
    }
}

impl Contact {
    async fn spent(&self, ctx: &Context<'_>) -> async_graphql::Result<super::loaders::Spent> {
        let loader = ctx.data_unchecked::<DataLoader<super::loaders::ContactSpentLoader>>();
        Ok(loader.load_one(self.contact_id).await?.unwrap_or_default())
    }

    async fn blacklist_entries(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::db::blacklist::BlacklistEntry>> {
        let loader = ctx.data_unchecked::<DataLoader<ContactBlacklistLoader>>();
        Ok(loader.load_one(self.contact_id).await?.unwrap_or_default())
    }
}

impl From<model::Contact> for Contact {
    fn from(c: model::Contact) -> Self {
        Contact {
            id: ids::encode(ContactId(c.id)),
            name: c.display_name(),
            wa_id: c.identity.wa_id,
            user_id: c.identity.user_id,
            username: c.identity.username,
            profile_name: c.identity.profile_name,
            custom_name: c.custom_name,
            notes: c.notes,
            contact_id: ContactId(c.id),
        }
    }
}

/// A conversation with one customer.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Chat {
    /// Opaque id.
    pub id: ID,
    /// Last message either way.
    pub last_message_at: Option<DateTime<Utc>>,
    /// Short text of the last message.
    pub last_message_preview: Option<String>,
    /// Inbound messages not yet read in the dashboard.
    pub unread_count: i32,
    /// Human takeover: the AI stays silent in this chat.
    pub ai_paused: bool,
    /// When the takeover ends by itself: the owner replied from the phone and the
    /// business lets the AI back after a while (`null`: until someone resumes it).
    pub ai_paused_until: Option<DateTime<Utc>>,
    /// Why the AI handed the chat to a person, if it did.
    pub handoff_reason: Option<String>,
    /// Whether free-form replies are allowed now (24-hour customer service window).
    pub window_open: bool,
    /// When the window closes (or closed); `null` if the customer never wrote.
    pub window_closes_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub contact_id: u64,
    #[graphql(skip)]
    pub chat_id: u64,
    /// Stored negotiation state (JSON), resolved by `negotiations`.
    #[graphql(skip)]
    pub negotiation: Option<String>,
    /// Stored product interest (JSON), resolved by `productInterest`.
    #[graphql(skip)]
    pub product_interest: Option<String>,
}

impl From<model::Chat> for Chat {
    fn from(c: model::Chat) -> Self {
        let last_inbound = c.last_inbound_at.map(|t| t.and_utc().timestamp());
        // A timed pause that ran out reads as resumed (the next reply job clears it).
        let stands_back = c.ai_stands_back(Utc::now().naive_utc());
        let lapsed = c.ai_paused && !stands_back;
        Chat {
            id: ids::encode(ChatId(c.id)),
            last_message_at: c.last_message_at.map(|t| t.and_utc()),
            last_message_preview: c.last_message_preview,
            unread_count: c.unread_count,
            ai_paused: stands_back,
            ai_paused_until: c
                .ai_paused_until
                .filter(|_| stands_back)
                .map(|t| t.and_utc()),
            handoff_reason: c.handoff_reason.filter(|_| !lapsed),
            window_open: shared::window::window_open(last_inbound, Utc::now().timestamp()),
            window_closes_at: shared::window::window_closes_at(last_inbound)
                .and_then(|t| DateTime::from_timestamp(t, 0)),
            contact_id: c.contact_id,
            chat_id: c.id,
            negotiation: c.negotiation,
            product_interest: c.product_interest,
        }
    }
}

#[ComplexObject]
impl Chat {
    /// The customer.
    async fn contact(&self, ctx: &Context<'_>) -> async_graphql::Result<Contact> {
        let loader = ctx.data_unchecked::<DataLoader<ContactLoader>>();
        let contact = loader.load_one(self.contact_id).await?.ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("chat without contact {}", self.contact_id))
        })?;
        Ok(contact.into())
    }

    /// Where haggling stands in this chat, per product (the AI salesperson's state).
    async fn negotiations(&self) -> async_graphql::Result<Vec<Negotiation>> {
        Ok(ai::negotiations(self.negotiation.as_deref())?)
    }

    /// Products the customer showed interest in, most recent first.
    async fn product_interest(&self) -> Vec<ProductInterest> {
        ai::product_interest(self.product_interest.as_deref())
    }

    /// Orders recorded from this chat, newest first (at most 10).
    async fn orders(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Order>> {
        orders::chat_orders(ctx, ChatId(self.chat_id)).await
    }
}

/// What became of a media message's file.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum MediaStatus {
    /// Being fetched from WhatsApp.
    Downloading,
    /// Kept: `url` serves it.
    Stored,
    /// Larger than the inbox keeps (16 MB).
    TooLarge,
    /// WhatsApp refused it or it arrived damaged; `error` says which.
    Failed,
}

/// The file of a photo, voice note, video, sticker or document.
#[derive(SimpleObject)]
pub struct MessageMedia {
    /// Where it stands.
    pub status: MediaStatus,
    /// Content type, e.g. `image/jpeg`.
    pub mime_type: Option<String>,
    /// Size in bytes, once kept.
    pub byte_size: Option<i32>,
    /// A link to the file for the business's own users, valid for an hour (ask again
    /// for a fresh one); `null` until it is kept.
    pub url: Option<String>,
}

/// One message.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Message {
    /// Opaque id.
    pub id: ID,
    /// Its chat.
    pub chat_id: ID,
    /// Inbound or outbound.
    pub direction: MessageDirection,
    /// Content type.
    pub kind: MessageKind,
    /// Readable text for every kind (caption, location, order summary, template ...).
    pub body: String,
    /// WhatsApp media id, for media messages.
    pub media_id: Option<String>,
    /// Media content type.
    pub media_mime_type: Option<String>,
    /// The wamid of the message this one replies or reacts to.
    pub reply_to_wamid: Option<String>,
    /// Who wrote it.
    pub sent_by: SentBy,
    /// Delivery state.
    pub status: MessageStatus,
    /// WhatsApp's error code when failed.
    pub error_code: Option<i32>,
    /// WhatsApp's error title when failed.
    pub error_title: Option<String>,
    /// When it was sent or received.
    pub timestamp: DateTime<Utc>,
    #[graphql(skip)]
    pub business_id: u64,
    #[graphql(skip)]
    pub message_id: u64,
}

#[ComplexObject]
impl Message {
    /// The file of a photo, voice note, video, sticker or document (`null` for other
    /// kinds).
    async fn media(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MessageMedia>> {
        if self.media_id.is_none() {
            return Ok(None);
        }
        let business_id = BusinessId(self.business_id);
        let loader = ctx.data_unchecked::<DataLoader<MediaLoader>>();
        let state = loader.load_one((business_id, self.message_id)).await?;
        let Some(state) = state else {
            return Ok(Some(MessageMedia {
                status: MediaStatus::Downloading,
                mime_type: self.media_mime_type.clone(),
                byte_size: None,
                url: None,
            }));
        };
        let status = match state.status.as_str() {
            media_status::STORED => MediaStatus::Stored,
            media_status::TOO_LARGE => MediaStatus::TooLarge,
            _ => MediaStatus::Failed,
        };
        let app = ctx.app();
        let url = (status == MediaStatus::Stored).then(|| {
            format!(
                "{}{}",
                app.config.public_url.trim_end_matches('/'),
                crate::media::signed_path(app, business_id, MessageId(self.message_id))
            )
        });
        Ok(Some(MessageMedia {
            status,
            mime_type: state.mime_type.or_else(|| self.media_mime_type.clone()),
            byte_size: state.byte_size,
            url,
        }))
    }
}

impl From<model::Message> for Message {
    fn from(m: model::Message) -> Self {
        Message {
            id: ids::encode(MessageId(m.id)),
            chat_id: ids::encode(ChatId(m.chat_id)),
            direction: m.direction.into(),
            kind: m.kind.into(),
            body: m.body,
            media_id: m.media_id,
            media_mime_type: m.media_mime,
            reply_to_wamid: m.context_wamid,
            sent_by: m.sent_by.into(),
            status: m.status.into(),
            error_code: m.error_code,
            error_title: m.error_title,
            timestamp: m.wa_timestamp.unwrap_or(m.created_at).and_utc(),
            business_id: m.business_id,
            message_id: m.id,
        }
    }
}

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
