//! The dashboard's view of API objects, built from the types `graphql_client` generates.
//!
//! Each operation module has its own copy of a fragment's struct; the macros below convert
//! every copy into the one model type here, with money, discounts and enums as `shared` types.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::{
    ActivityKind, ActorKind, BlockKind, ConnectionStatus, Currency, Discount, FollowUpSource,
    FollowUpStatus, MessageDirection, MessageKind, MessageStatus, Money, ReplyTone, Role, SentBy,
    SubjectKind,
};

use super::ClientError;
use super::operations;

/// A dashboard user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Opaque API id.
    pub id: String,
    /// Log-in email.
    pub email: String,
    /// Owner or staff.
    pub role: Role,
}

/// A business profile and its AI settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Business {
    /// Opaque API id.
    pub id: String,
    /// Name shown to customers and in the dashboard.
    pub name: String,
    /// Free text such as "Fashion".
    pub business_type: String,
    /// Two-letter country code.
    pub country: String,
    /// Currency new products start in.
    pub default_currency: String,
    /// Whether the AI salesperson answers customers.
    pub ai_enabled: bool,
    /// The owner's instructions to the AI.
    pub ai_instructions: String,
    /// The voice the AI answers in.
    pub reply_tone: ReplyTone,
    /// The business's time zone (IANA name): the home page counts its days in it.
    pub time_zone: String,
    /// Minutes the AI stands back in a chat the owner answered from the phone
    /// (`None`: until someone turns it back on).
    pub phone_reply_pause_minutes: Option<i64>,
}

/// What a successful sign-up or log-in returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSession {
    /// Bearer token for later requests.
    pub token: String,
    /// Who signed in.
    pub user: User,
    /// Their business.
    pub business: Business,
}

/// One product image, served by the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductImage {
    /// Opaque API id.
    pub id: String,
    /// Where the browser loads it from.
    pub url: String,
}

/// A catalog product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Opaque API id.
    pub id: String,
    /// Name shown to customers.
    pub name: String,
    /// Free text.
    pub description: String,
    /// List price.
    pub price: Money,
    /// Standing discount.
    pub discount: Discount,
    /// Price after the discount.
    pub discounted_price: Money,
    /// Lowest price the AI may agree to.
    pub bargain_floor: Money,
    /// Lowest price the owner may approve below the floor.
    pub hard_minimum: Option<Money>,
    /// Units in stock.
    pub quantity: i64,
    /// Colors on offer.
    pub colors: Vec<String>,
    /// Images, in display order.
    pub images: Vec<ProductImage>,
    /// Hidden from the AI and the default list.
    pub archived: bool,
}

/// One page of a list read forwards (chats, products).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items on this page, in the API's order.
    pub items: Vec<T>,
    /// Whether another page follows.
    pub has_next_page: bool,
    /// Cursor to pass as `after` for the next page.
    pub end_cursor: Option<String>,
    /// How many items match in all, when the API counts them (products).
    pub total_count: Option<i64>,
}

/// A customer, as WhatsApp identifies them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Opaque API id.
    pub id: String,
    /// The best name to show (profile name, username or number).
    pub name: String,
    /// Phone number in WhatsApp's form (digits, country code first), when Meta sent one.
    pub wa_id: Option<String>,
    /// Meta's business-scoped user id.
    pub user_id: Option<String>,
    /// WhatsApp username, when the customer has one.
    pub username: Option<String>,
    /// Blacklisted: automation never messages them (what they write is still stored).
    pub blacklisted: bool,
    /// Why, when blacklisted.
    pub blacklist_reason: Option<String>,
}

/// A blocked customer on the blacklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlacklistEntry {
    /// Opaque API id.
    pub id: String,
    /// "Phone", "User id" or "Username".
    pub kind_label: &'static str,
    /// The identifier as shown (`+15551234567`, `@name`, a BSUID).
    pub value: String,
    /// Why (may be empty).
    pub reason: String,
    /// Who added it: a user's email, a token's name, "Customer (STOP)"...
    pub added_by: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// The customer's name, when they wrote to the business.
    pub contact_name: Option<String>,
}

/// Where haggling over one product stands (amounts already formatted by the API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiation {
    /// The product.
    pub product_name: String,
    /// Counter-offers made so far.
    pub rounds: i64,
    /// The customer's last ask.
    pub customer_ask: Option<String>,
    /// Our last offer.
    pub our_last_offer: String,
    /// The price both sides agreed, if any.
    pub agreed_price: Option<String>,
}

impl Negotiation {
    /// One line for the conversation header.
    pub fn summary(&self) -> String {
        if let Some(agreed) = &self.agreed_price {
            return format!("{}: agreed at {agreed}", self.product_name);
        }
        let rounds = match self.rounds {
            1 => "1 round".to_string(),
            n => format!("{n} rounds"),
        };
        match &self.customer_ask {
            Some(ask) => format!(
                "{}: customer asked {ask}, our offer {} ({rounds})",
                self.product_name, self.our_last_offer
            ),
            None => format!(
                "{}: our offer {} ({rounds})",
                self.product_name, self.our_last_offer
            ),
        }
    }
}

/// One conversation with one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chat {
    /// Opaque API id.
    pub id: String,
    /// Who the conversation is with.
    pub contact: Contact,
    /// When the last message (either way) was sent, RFC 3339.
    pub last_message_at: Option<String>,
    /// Readable text of the last message.
    pub last_message_preview: Option<String>,
    /// Customer messages nobody has looked at.
    pub unread_count: i64,
    /// Human takeover: the AI does not answer in this chat.
    pub ai_paused: bool,
    /// Why the AI handed the chat to a person, when it did.
    pub handoff_reason: Option<String>,
    /// When a timed pause (you replied from your phone) ends by itself, RFC 3339.
    pub ai_paused_until: Option<String>,
    /// Names of products the customer showed interest in, most recent first.
    pub product_interest: Vec<String>,
    /// Price negotiations in this chat, one per product.
    pub negotiations: Vec<Negotiation>,
    /// Orders recorded from this chat, newest first: one readable line each.
    pub orders: Vec<String>,
    /// Whether free text may be sent (the 24-hour customer service window).
    pub window_open: bool,
    /// When the window closes, RFC 3339.
    pub window_closes_at: Option<String>,
}

/// One WhatsApp message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Opaque API id.
    pub id: String,
    /// The chat it belongs to.
    pub chat_id: String,
    /// From the customer, or to them.
    pub direction: MessageDirection,
    /// Text, photo, voice note, order, ...
    pub kind: MessageKind,
    /// Readable text for every kind (the caption of media, an order summary, ...).
    pub body: String,
    /// Meta's media id, for media kinds.
    pub media_id: Option<String>,
    /// Media type, e.g. `image/jpeg`.
    pub media_mime_type: Option<String>,
    /// Where the file of a media message stands (`None` for other kinds).
    pub media: Option<MediaFile>,
    /// Meta's id of the message this one replies to.
    pub reply_to_wamid: Option<String>,
    /// Customer, AI, staff, follow-up or system.
    pub sent_by: SentBy,
    /// Delivery state.
    pub status: MessageStatus,
    /// Meta's error code, for failed messages.
    pub error_code: Option<i64>,
    /// Meta's error title, for failed messages.
    pub error_title: Option<String>,
    /// WhatsApp's time of the message, RFC 3339.
    pub timestamp: String,
}

/// The file of a photo, voice note, video, sticker or document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaFile {
    /// Being fetched from WhatsApp.
    Downloading,
    /// Kept; a signed link to it (valid for an hour).
    Stored(String),
    /// Larger than the inbox keeps.
    TooLarge,
    /// WhatsApp refused it or it arrived damaged.
    Failed,
}

/// A link of this server's API as a path: the dashboard loads files from the server it
/// runs on, whatever public address the server announces.
fn same_origin(url: &str) -> String {
    url.find("/api/")
        .map_or_else(|| url.to_string(), |at| url[at..].to_string())
}

/// One page of a conversation, read backwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagePage {
    /// Oldest first.
    pub messages: Vec<Message>,
    /// Whether older messages exist.
    pub has_previous_page: bool,
    /// Cursor to pass as `before` for the older page.
    pub start_cursor: Option<String>,
}

/// The business's WhatsApp number, as connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatsAppConnection {
    /// Meta's phone number id.
    pub phone_number_id: String,
    /// WhatsApp Business Account id.
    pub waba_id: String,
    /// The number customers see.
    pub display_phone_number: String,
    /// The business name Meta verified for the number.
    pub verified_name: Option<String>,
    /// The access token, masked (the token itself never leaves the server).
    pub access_token_hint: String,
    /// Connected or disconnected.
    pub status: ConnectionStatus,
    /// When it was connected, RFC 3339.
    pub connected_at: String,
    /// When it was disconnected, RFC 3339.
    pub disconnected_at: Option<String>,
    /// When Meta last delivered a webhook for the number, RFC 3339.
    pub last_webhook_at: Option<String>,
    /// What went wrong with the last webhook delivery, if anything.
    pub last_webhook_error: Option<String>,
    /// Connected through Meta's login (Embedded Signup), not a pasted token.
    pub via_meta_login: bool,
    /// The owner keeps the number in the WhatsApp Business app (coexistence).
    pub coexistence: bool,
    /// Why Meta disconnected it, when Meta did.
    pub disconnect_reason: Option<String>,
    /// Coexistence: how far the import of past chats is, 0 to 100.
    pub history_progress: Option<i64>,
}

/// How to open Meta's Embedded Signup (set up by the operator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupSetup {
    /// The operator's Meta app id.
    pub app_id: String,
    /// The Facebook Login for Business configuration id.
    pub config_id: String,
    /// Where Meta's JavaScript SDK is loaded from.
    pub sdk_url: String,
}

/// What to paste into Meta's app dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSetup {
    /// The webhook callback URL.
    pub callback_url: String,
    /// The verify token Meta sends back when it checks the URL.
    pub verify_token: String,
}

/// The wire text of a generated enum value, e.g. `PERCENT`.
pub(super) fn wire_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(text)) => text,
        _ => String::new(),
    }
}

/// The generated enum value for one of `shared`'s stored texts (`percent` becomes `PERCENT`).
pub(super) fn wire_enum<T: DeserializeOwned>(stored: &str) -> Result<T, ClientError> {
    serde_json::from_value(Value::String(stored.to_ascii_uppercase()))
        .map_err(|err| ClientError::Protocol(err.to_string()))
}

fn unexpected(what: &str, value: &str) -> ClientError {
    ClientError::Protocol(format!("unexpected {what} `{value}`"))
}

pub(super) fn money(amount_minor: i64, currency: &str) -> Result<Money, ClientError> {
    let currency = Currency::parse(currency).ok_or_else(|| unexpected("currency", currency))?;
    Ok(Money::new(amount_minor, currency))
}

fn discount<K: Serialize>(kind: &K, value: i64) -> Result<Discount, ClientError> {
    let kind = wire_text(kind).to_ascii_lowercase();
    Discount::from_parts(&kind, value).ok_or_else(|| unexpected("discount", &kind))
}

fn reply_tone<T: Serialize>(tone: &T) -> Result<ReplyTone, ClientError> {
    let text = wire_text(tone).to_ascii_lowercase();
    ReplyTone::parse(&text).ok_or_else(|| unexpected("reply tone", &text))
}

/// A `shared` enum from a generated one, through the stored text (`FOLLOW_UP` is `follow_up`).
pub(super) fn shared_enum<T: Serialize, U>(
    value: &T,
    parse: fn(&str) -> Option<U>,
    what: &str,
) -> Result<U, ClientError> {
    let text = wire_text(value).to_ascii_lowercase();
    parse(&text).ok_or_else(|| unexpected(what, &text))
}

pub(super) fn role<T: Serialize>(role: &T) -> Result<Role, ClientError> {
    let text = wire_text(role).to_ascii_lowercase();
    Role::parse(&text).ok_or_else(|| unexpected("role", &text))
}

/// `TryFrom<module::$fragment>` for [`Business`], for each listed operation module.
macro_rules! business_from {
    ($fragment:ident in $($module:ident),+) => {$(
        impl TryFrom<operations::$module::$fragment> for Business {
            type Error = ClientError;

            fn try_from(b: operations::$module::$fragment) -> Result<Business, ClientError> {
                Ok(Business {
                    reply_tone: reply_tone(&b.reply_tone)?,
                    id: b.id,
                    name: b.name,
                    business_type: b.business_type,
                    country: b.country,
                    default_currency: b.default_currency,
                    ai_enabled: b.ai_enabled,
                    ai_instructions: b.ai_instructions,
                    time_zone: b.time_zone,
                    phone_reply_pause_minutes: b.phone_reply_pause_minutes,
                })
            }
        }
    )+};
}

business_from!(BusinessFields in sign_up, log_in, accept_invite, me, current_business, update_business);

/// `TryFrom<module::UserFields>` for [`User`], for each listed operation module.
macro_rules! user_from {
    ($($module:ident),+) => {$(
        impl TryFrom<operations::$module::UserFields> for User {
            type Error = ClientError;

            fn try_from(u: operations::$module::UserFields) -> Result<User, ClientError> {
                Ok(User { role: role(&u.role)?, id: u.id, email: u.email })
            }
        }
    )+};
}

user_from!(sign_up, log_in, accept_invite, me);

/// `TryFrom<module::ProductFields>` for [`Product`], for each listed operation module.
macro_rules! product_from {
    ($($module:ident),+) => {$(
        impl TryFrom<operations::$module::ProductFields> for Product {
            type Error = ClientError;

            fn try_from(p: operations::$module::ProductFields) -> Result<Product, ClientError> {
                Ok(Product {
                    price: money(p.price.amount_minor, &p.price.currency)?,
                    discount: discount(&p.discount.kind, p.discount.value)?,
                    discounted_price: money(
                        p.discounted_price.amount_minor,
                        &p.discounted_price.currency,
                    )?,
                    bargain_floor: money(p.bargain_floor.amount_minor, &p.bargain_floor.currency)?,
                    hard_minimum: p.hard_minimum.map(|m| money(m.amount_minor, &m.currency)).transpose()?,
                    id: p.id,
                    name: p.name,
                    description: p.description,
                    quantity: p.quantity,
                    colors: p.colors,
                    images: p
                        .images
                        .into_iter()
                        .map(|image| ProductImage { id: image.id, url: image.url })
                        .collect(),
                    archived: p.archived,
                })
            }
        }
    )+};
}

product_from!(
    products,
    product,
    create_product,
    update_product,
    add_product_images,
    remove_product_image,
    archive_product,
    unarchive_product
);

/// `From<module::ChatFields>` for [`Chat`], for each listed operation module.
macro_rules! chat_from {
    ($($module:ident),+) => {$(
        impl From<operations::$module::ChatFields> for Chat {
            fn from(c: operations::$module::ChatFields) -> Chat {
                Chat {
                    id: c.id,
                    contact: Contact {
                        id: c.contact.id,
                        name: c.contact.name,
                        wa_id: c.contact.wa_id,
                        user_id: c.contact.user_id,
                        username: c.contact.username,
                        blacklisted: c.contact.blacklisted,
                        blacklist_reason: c.contact.blacklist_reason,
                    },
                    last_message_at: c.last_message_at,
                    last_message_preview: c.last_message_preview,
                    unread_count: c.unread_count,
                    ai_paused: c.ai_paused,
                    handoff_reason: c.handoff_reason,
                    ai_paused_until: c.ai_paused_until,
                    product_interest: c.product_interest.into_iter().map(|p| p.name).collect(),
                    negotiations: c
                        .negotiations
                        .into_iter()
                        .map(|n| Negotiation {
                            product_name: n.product_name,
                            rounds: n.rounds,
                            customer_ask: n.customer_ask.map(|m| m.formatted),
                            our_last_offer: n.our_last_offer.formatted,
                            agreed_price: n.agreed_price.map(|m| m.formatted),
                        })
                        .collect(),
                    orders: c
                        .orders
                        .into_iter()
                        .map(|o| {
                            let items = o
                                .items
                                .into_iter()
                                .map(|i| match i.color {
                                    Some(color) => format!("{} × {} ({color})", i.quantity, i.name),
                                    None => format!("{} × {}", i.quantity, i.name),
                                })
                                .collect::<Vec<_>>()
                                .join(", ");
                            format!("Order {}: {items}, {}", o.number, o.total.formatted)
                        })
                        .collect(),
                    window_open: c.window_open,
                    window_closes_at: c.window_closes_at,
                }
            }
        }
    )+};
}

chat_from!(
    chats,
    chat,
    mark_chat_read,
    set_chat_ai_paused,
    chat_updated
);

/// `TryFrom<module::MessageFields>` for [`Message`], for each listed operation module.
macro_rules! message_from {
    ($($module:ident),+) => {$(
        impl TryFrom<operations::$module::MessageFields> for Message {
            type Error = ClientError;

            fn try_from(m: operations::$module::MessageFields) -> Result<Message, ClientError> {
                Ok(Message {
                    direction: shared_enum(&m.direction, MessageDirection::parse, "direction")?,
                    // A kind this dashboard does not know yet still shows, as "unsupported".
                    kind: shared_enum(&m.kind, MessageKind::parse, "message kind")
                        .unwrap_or(MessageKind::Unsupported),
                    sent_by: shared_enum(&m.sent_by, SentBy::parse, "sender")?,
                    status: shared_enum(&m.status, MessageStatus::parse, "message status")?,
                    id: m.id,
                    chat_id: m.chat_id,
                    body: m.body,
                    media_id: m.media_id,
                    media_mime_type: m.media_mime_type,
                    media: m.media.map(|f| {
                        use operations::$module::MediaStatus;
                        match (f.status, f.url) {
                            (MediaStatus::Stored, Some(url)) => MediaFile::Stored(same_origin(&url)),
                            (MediaStatus::TooLarge, _) => MediaFile::TooLarge,
                            (MediaStatus::Failed, _) => MediaFile::Failed,
                            _ => MediaFile::Downloading,
                        }
                    }),
                    reply_to_wamid: m.reply_to_wamid,
                    error_code: m.error_code,
                    error_title: m.error_title,
                    timestamp: m.timestamp,
                })
            }
        }
    )+};
}

message_from!(
    messages,
    send_message,
    send_attachment,
    send_template,
    message_added,
    message_status_changed
);

/// `TryFrom<module::ConnectionFields>` for [`WhatsAppConnection`], for each listed module.
macro_rules! connection_from {
    ($($module:ident),+) => {$(
        impl TryFrom<operations::$module::ConnectionFields> for WhatsAppConnection {
            type Error = ClientError;

            fn try_from(
                c: operations::$module::ConnectionFields,
            ) -> Result<WhatsAppConnection, ClientError> {
                Ok(WhatsAppConnection {
                    status: shared_enum(&c.status, ConnectionStatus::parse, "connection status")?,
                    phone_number_id: c.phone_number_id,
                    waba_id: c.waba_id,
                    display_phone_number: c.display_phone_number,
                    verified_name: c.verified_name,
                    access_token_hint: c.access_token_hint,
                    connected_at: c.connected_at,
                    disconnected_at: c.disconnected_at,
                    last_webhook_at: c.last_webhook_at,
                    last_webhook_error: c.last_webhook_error,
                    via_meta_login: wire_text(&c.onboarding) == "EMBEDDED_SIGNUP",
                    coexistence: c.coexistence,
                    disconnect_reason: c.disconnect_reason,
                    history_progress: c.history_progress,
                })
            }
        }
    )+};
}

connection_from!(
    whats_app_settings,
    connect_whats_app,
    disconnect_whats_app,
    connect_whats_app_with_meta
);

/// How the dashboard names who added a blacklist entry.
fn added_by_label(kind: &str, name: Option<String>) -> String {
    match (kind, name) {
        (_, Some(name)) => name,
        ("customer", None) => "Customer (opt-out)".into(),
        ("ai", None) => "AI".into(),
        ("system", None) => "System".into(),
        (other, None) => other.replace('_', " "),
    }
}

/// `TryFrom<module::BlacklistEntryFields>` for [`BlacklistEntry`], for each listed
/// operation module.
macro_rules! blacklist_entry_from {
    ($($module:ident),+) => {$(
        impl TryFrom<operations::$module::BlacklistEntryFields> for BlacklistEntry {
            type Error = ClientError;

            fn try_from(
                e: operations::$module::BlacklistEntryFields,
            ) -> Result<BlacklistEntry, ClientError> {
                let kind = shared_enum(&e.kind, BlockKind::parse, "blacklist kind")?;
                Ok(BlacklistEntry {
                    id: e.id,
                    kind_label: match kind {
                        BlockKind::Phone => "Phone",
                        BlockKind::UserId => "User id",
                        BlockKind::Username => "Username",
                    },
                    value: e.value,
                    reason: e.reason,
                    added_by: added_by_label(
                        &wire_text(&e.added_by.kind).to_ascii_lowercase(),
                        e.added_by.name,
                    ),
                    created_at: e.created_at,
                    contact_name: e.contact.map(|c| c.name),
                })
            }
        }
    )+};
}

blacklist_entry_from!(blacklist, add_to_blacklist);

/// One entry of the activity log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityEntry {
    /// Opaque API id.
    pub id: String,
    /// What happened.
    pub kind: ActivityKind,
    /// One line for people.
    pub summary: String,
    /// Owner, staff, AI, system...
    pub actor_kind: ActorKind,
    /// The user's email or the API token's name.
    pub actor_name: Option<String>,
    /// What it is about, with the record's opaque id.
    pub subject: Option<(SubjectKind, String)>,
    /// When (RFC 3339).
    pub created_at: String,
}

/// `TryFrom<module::ActivityFields>` for [`ActivityEntry`], for each listed operation module.
macro_rules! activity_from {
    ($($module:ident),+) => {$(
        impl TryFrom<operations::$module::ActivityFields> for ActivityEntry {
            type Error = ClientError;

            fn try_from(a: operations::$module::ActivityFields) -> Result<ActivityEntry, ClientError> {
                let subject = match a.subject {
                    Some(s) => Some((shared_enum(&s.kind, SubjectKind::parse, "subject")?, s.id)),
                    None => None,
                };
                Ok(ActivityEntry {
                    kind: shared_enum(&a.kind, ActivityKind::parse, "activity kind")?,
                    actor_kind: shared_enum(&a.actor.kind, ActorKind::parse, "actor")?,
                    actor_name: a.actor.name,
                    subject,
                    id: a.id,
                    summary: a.summary,
                    created_at: a.created_at,
                })
            }
        }
    )+};
}

activity_from!(activity, activity_added);

/// A message scheduled for a chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    /// Opaque API id.
    pub id: String,
    /// The chat's id.
    pub chat_id: String,
    /// The customer's name.
    pub customer: String,
    /// When it is (or was) due (RFC 3339).
    pub due_at: String,
    /// Free text.
    pub text: Option<String>,
    /// Template name.
    pub template: Option<String>,
    /// Where it stands.
    pub status: FollowUpStatus,
    /// Who scheduled it.
    pub source: FollowUpSource,
    /// The person who scheduled it.
    pub created_by: Option<String>,
    /// Why it was skipped or failed.
    pub reason: Option<String>,
}

/// `TryFrom<module::FollowUpFields>` for [`FollowUp`], for each listed operation module.
macro_rules! follow_up_from {
    ($($module:ident),+) => {$(
        impl TryFrom<operations::$module::FollowUpFields> for FollowUp {
            type Error = ClientError;

            fn try_from(f: operations::$module::FollowUpFields) -> Result<FollowUp, ClientError> {
                Ok(FollowUp {
                    status: shared_enum(&f.status, FollowUpStatus::parse, "follow-up status")?,
                    source: shared_enum(&f.source, FollowUpSource::parse, "follow-up source")?,
                    customer: f.chat.map(|c| c.contact.name).unwrap_or_default(),
                    reason: f.skip_reason.or(f.error),
                    template: f.template.map(|t| t.name),
                    id: f.id,
                    chat_id: f.chat_id,
                    due_at: f.due_at,
                    text: f.text,
                    created_by: f.created_by,
                })
            }
        }
    )+};
}

follow_up_from!(
    follow_ups,
    schedule_follow_up,
    cancel_follow_up,
    follow_up_changed
);

/// The business's rule: "N hours after a quote with no order, follow up once".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpRule {
    /// On or off.
    pub enabled: bool,
    /// Hours after the quote.
    pub after_hours: i64,
    /// The owner's text (`None`: the default message).
    pub text: Option<String>,
}

/// `From<module::FollowUpRuleFields>` for [`FollowUpRule`], for each listed module.
macro_rules! follow_up_rule_from {
    ($($module:ident),+) => {$(
        impl From<operations::$module::FollowUpRuleFields> for FollowUpRule {
            fn from(r: operations::$module::FollowUpRuleFields) -> FollowUpRule {
                FollowUpRule { enabled: r.enabled, after_hours: r.after_hours, text: r.text }
            }
        }
    )+};
}

follow_up_rule_from!(follow_up_rule, update_follow_up_rule);
