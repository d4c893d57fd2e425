//! A message as the inbox shows it: its direction, kind, author and delivery state, and
//! the file of a media message (whether it is kept, and the signed link that serves
//! it).

use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Enum, ID, SimpleObject};
use chrono::{DateTime, Utc};
use shared::{BusinessId, ChatId, MessageId};

use crate::db::inbox as model;
use crate::db::media::status as media_status;
use crate::graphql::loaders::MediaLoader;
use crate::graphql::{ContextExt, ids};

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
