//! The one outbound sender: staff replies today, AI replies and follow-ups later, all
//! send through [`send`] (or [`send_text`] / [`send_template`]).
//!
//! A send:
//!
//! 1. checks everything that can be checked before anything is stored: the chat belongs
//!    to the business, a number is connected, the content is valid, and free-form text
//!    is inside the 24-hour customer service window (`shared::window`); outside it only
//!    a template is accepted;
//! 2. stores the message `pending` together with its durable `send_message` job (one
//!    transaction; the job is due only after [`WORKER_TAKEOVER`], so it matters only if
//!    the server stops mid-send) and publishes `MessageAdded` / `ChatUpdated`;
//! 3. makes the first `POST {META_GRAPH_URL}/{phone_number_id}/messages` inline, so a
//!    healthy send returns `sent` with Meta's wamid;
//! 4. on a temporary failure (5xx, timeout, 130429 throughput, 131056 pair rate limit)
//!    returns the message still `pending` and moves its job to the retry time: doubling
//!    delays (`SEND_RETRY_BASE_MS`, at least 6 x that for 131056, which Meta lifts after
//!    about 6 s, and at least 15 x when the answer was lost: a timeout or a server
//!    error), up to `SEND_MAX_ATTEMPTS`; only then is it recorded as failed. The job
//!    runner ([`crate::jobs`]) runs the retries ([`run_send_job`]), so a restart loses
//!    none;
//! 5. on a permanent failure (131047 outside the window, 131026 undeliverable, 190
//!    token, 100 invalid parameter, ...) records `failed` with Meta's code and title.
//!
//! Every attempt first waits for the number's turn ([`crate::limits::SendPacer`], Meta's
//! messages-per-second limit), so bursts drain at the allowed rate instead of being
//! refused with 130429.
//!
//! Every status change is published (`MessageStatusChanged`), so the inbox shows it.
//!
//! Exactly once: every attempt carries the stored message's id in
//! `biz_opaque_callback_data`, which Meta echoes in the message's status webhooks. When
//! Meta took a send but its answer never reached us (a crash between Meta's 200 and our
//! commit, a cut connection, a timeout), the first status webhook gives the message its
//! wamid and ends its send job, so it is not sent again; a lost answer's retry waits
//! long enough for that webhook to arrive.

use std::time::Duration;

use serde::Deserialize;
use shared::{BusinessId, MessageKind, SentBy};

use crate::app::AppState;
use crate::db::inbox::{self as inbox_model, Message, Recipient};
use crate::db::jobs::{self, Job, Outcome};
use crate::db::outbound::{self, NewOutbound, OutboundFile, SendJobSpec};
use crate::error::{AppError, AppResult};
use crate::events::{DomainEvent, EventKind};
use crate::meta::GraphClient;
use crate::meta::client::{GraphError, PAIR_RATE_LIMIT};
use crate::meta::types::{MediaBody, MessageContent, SendMessageRequest, TemplateBody, TextBody};
use crate::whatsapp::{self, IdentityError, SendingIdentity};

/// Longest text WhatsApp accepts in one message.
pub const MAX_TEXT_CHARS: usize = 4096;
/// Longest delay between two retries.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(60);
/// How long after storing a message a worker takes over its send if the sender has not
/// settled it by then (the server stopped mid-send). Far above a Graph API call's
/// timeout and a number's send queue, so a send in progress is not repeated.
pub const WORKER_TAKEOVER: Duration = Duration::from_secs(300);

/// An approved WhatsApp template with its body parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Name as approved in WhatsApp Manager, e.g. `order_update`.
    pub name: String,
    /// Language code, e.g. `en_US`.
    pub language: String,
    /// Body parameters `{{1}}`, `{{2}}`, ... in order.
    pub parameters: Vec<String>,
}

/// What to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// Free-form text: only inside the 24-hour window.
    Text(String),
    /// A template: allowed at any time.
    Template(Template),
    /// A picture by its public link, with an optional caption: only inside the 24-hour
    /// window.
    Image {
        /// Where Meta fetches it.
        link: String,
        /// Text under it.
        caption: Option<String>,
    },
    /// A photo or document staff attached: uploaded to Meta's media endpoint, then sent
    /// by its media id, and kept as the message's file. Only inside the 24-hour window.
    Attachment(Attachment),
}

/// Longest caption under a picture.
pub const MAX_CAPTION_CHARS: usize = shared::attachment::MAX_CAPTION_CHARS;

/// A file to send, its type read from its content (never from its name or the type the
/// browser claimed).
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// [`MessageKind::Image`] or [`MessageKind::Document`].
    pub kind: MessageKind,
    /// The content type found in the bytes.
    pub mime_type: String,
    /// The file name the customer sees on a document.
    pub filename: String,
    /// The file.
    pub data: Vec<u8>,
    /// Text under it.
    pub caption: Option<String>,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("kind", &self.kind)
            .field("mime_type", &self.mime_type)
            .field("filename", &self.filename)
            .field("bytes", &self.data.len())
            .finish_non_exhaustive()
    }
}

impl Attachment {
    /// Reads an uploaded file: its type by content (JPEG, PNG, PDF, Office files; text
    /// when it is UTF-8 without control bytes), checked against `shared`'s rules.
    pub fn read(data: Vec<u8>, filename: &str, caption: Option<String>) -> AppResult<Attachment> {
        let mime_type = match infer::get(&data) {
            Some(found) => found.mime_type().to_string(),
            None if is_plain_text(&data) => "text/plain".to_string(),
            None => "application/octet-stream".to_string(),
        };
        if let Some(problem) = shared::attachment::problem(&mime_type, data.len() as u64) {
            return Err(AppError::invalid("file", problem));
        }
        let kind = shared::attachment::kind_of(&mime_type).unwrap_or(MessageKind::Document);
        let caption = caption
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        Ok(Attachment {
            kind,
            filename: clean_filename(filename, &mime_type),
            mime_type,
            data,
            caption,
        })
    }
}

/// Text files: UTF-8 with no control bytes but tabs and line ends.
fn is_plain_text(data: &[u8]) -> bool {
    std::str::from_utf8(data).is_ok_and(|text| {
        !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    })
}

/// The last component of a browser's file name, without control characters, at most
/// [`shared::attachment::MAX_FILENAME_CHARS`]; `file.<ext>` when nothing is left.
fn clean_filename(name: &str, mime_type: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(shared::attachment::MAX_FILENAME_CHARS)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') {
        format!("file.{}", shared::attachment::extension(mime_type))
    } else {
        cleaned.to_string()
    }
}

/// Sends a photo or document staff attached (see [`Outbound::Attachment`]).
pub async fn send_attachment(
    app: &AppState,
    business_id: BusinessId,
    chat_id: u64,
    attachment: Attachment,
    sent_by: SentBy,
) -> AppResult<Message> {
    send(
        app,
        business_id,
        chat_id,
        Outbound::Attachment(attachment),
        sent_by,
    )
    .await
}

/// Sends a picture (by its public link) to a chat's customer.
pub async fn send_image(
    app: &AppState,
    business_id: BusinessId,
    chat_id: u64,
    link: &str,
    caption: Option<&str>,
    sent_by: SentBy,
) -> AppResult<Message> {
    let content = Outbound::Image {
        link: link.to_string(),
        caption: caption.map(str::to_string),
    };
    send(app, business_id, chat_id, content, sent_by).await
}

/// Sends free-form text to a chat's customer.
pub async fn send_text(
    app: &AppState,
    business_id: BusinessId,
    chat_id: u64,
    text: &str,
    sent_by: SentBy,
) -> AppResult<Message> {
    let content = Outbound::Text(text.to_string());
    send(app, business_id, chat_id, content, sent_by).await
}

/// Sends an approved template to a chat's customer.
pub async fn send_template(
    app: &AppState,
    business_id: BusinessId,
    chat_id: u64,
    template: Template,
    sent_by: SentBy,
) -> AppResult<Message> {
    let content = Outbound::Template(template);
    send(app, business_id, chat_id, content, sent_by).await
}

/// A caption under a picture or document: at most [`MAX_CAPTION_CHARS`].
fn check_caption(caption: Option<&str>) -> AppResult<()> {
    if caption.is_some_and(|c| c.chars().count() > MAX_CAPTION_CHARS) {
        return Err(AppError::invalid(
            "caption",
            format!("a caption holds at most {MAX_CAPTION_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Checks content before anything is stored (also used when a follow-up is scheduled).
pub fn validate(content: &Outbound) -> AppResult<()> {
    match content {
        Outbound::Image { link, caption } => {
            let link_ok = url::Url::parse(link)
                .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some());
            if !link_ok {
                return Err(AppError::invalid("image", "a picture needs a web address"));
            }
            check_caption(caption.as_deref())?;
        }
        Outbound::Attachment(a) => {
            if let Some(problem) = shared::attachment::problem(&a.mime_type, a.data.len() as u64) {
                return Err(AppError::invalid("file", problem));
            }
            check_caption(a.caption.as_deref())?;
        }
        Outbound::Text(text) => {
            if text.trim().is_empty() {
                return Err(AppError::invalid("text", "write a message first"));
            }
            if text.chars().count() > MAX_TEXT_CHARS {
                return Err(AppError::invalid(
                    "text",
                    format!("a WhatsApp message holds at most {MAX_TEXT_CHARS} characters"),
                ));
            }
        }
        Outbound::Template(t) => {
            let name_ok = !t.name.is_empty()
                && t.name.len() <= 512
                && t.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !name_ok {
                return Err(AppError::invalid(
                    "template",
                    "a template name is lowercase letters, digits and underscores",
                ));
            }
            let language_ok = !t.language.is_empty()
                && t.language.len() <= 15
                && t.language
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !language_ok {
                return Err(AppError::invalid(
                    "template",
                    "the template language is a code such as en_US",
                ));
            }
            if t.parameters.len() > 50
                || t.parameters
                    .iter()
                    .any(|p| p.trim().is_empty() || p.chars().count() > 1024)
            {
                return Err(AppError::invalid(
                    "template",
                    "template parameters must be non-empty (at most 1024 characters each)",
                ));
            }
        }
    }
    Ok(())
}

/// The readable body stored for a template message.
fn template_body(t: &Template) -> String {
    if t.parameters.is_empty() {
        format!("Template {}", t.name)
    } else {
        format!("Template {}: {}", t.name, t.parameters.join(" · "))
    }
}

fn publish(app: &AppState, business_id: BusinessId, kind: EventKind) {
    app.events.publish(DomainEvent { business_id, kind });
}

/// Sends `content` to the customer of `chat_id`; see the module docs for the steps.
/// Returns the stored message: `sent`, `failed`, or `pending` while retries run.
pub async fn send(
    app: &AppState,
    business_id: BusinessId,
    chat_id: u64,
    content: Outbound,
    sent_by: SentBy,
) -> AppResult<Message> {
    let mut conn = app.db().await?;
    let chat = inbox_model::find_chat(&mut conn, business_id.0, chat_id)
        .await?
        .ok_or(AppError::NotFound("chat"))?;
    validate(&content)?;
    if !matches!(content, Outbound::Template(_)) {
        let last_inbound = chat.last_inbound_at.map(|t| t.and_utc().timestamp());
        if !shared::window::window_open(last_inbound, chrono::Utc::now().timestamp()) {
            return Err(AppError::invalid(
                "text",
                "the 24-hour customer service window is closed (the customer has not written in the last 24 hours): only a template message can be sent now",
            ));
        }
    }
    // Never hold a connection while asking the pool for another: with as many
    // concurrent sends as pooled connections, each would wait for the others forever.
    drop(conn);
    let identity = whatsapp::sending_identity(app, business_id).await?;
    let mut conn = app.db().await?;
    let contact = inbox_model::find_contact(&mut conn, business_id.0, chat.contact_id)
        .await?
        .ok_or(AppError::NotFound("chat"))?;
    let (to, recipient) = match contact.recipient() {
        Some(Recipient::Phone(phone)) => (Some(phone.to_string()), None),
        Some(Recipient::UserId(user_id)) => (None, Some(user_id.to_string())),
        None => {
            return Err(AppError::BadRequest(
                "this customer has no WhatsApp address to reply to".into(),
            ));
        }
    };

    // A file goes to Meta's media endpoint first: it is sent by the id Meta answers.
    let uploaded = match &content {
        Outbound::Attachment(a) => Some(upload(app, &identity, a).await?),
        _ => None,
    };
    let mut file = None;
    let (kind, body, payload, wire) = match &content {
        Outbound::Text(text) => (
            MessageKind::Text,
            text.clone(),
            None,
            MessageContent::Text {
                text: TextBody {
                    preview_url: false,
                    body: text.clone(),
                },
            },
        ),
        Outbound::Image { link, caption } => (
            MessageKind::Image,
            caption.clone().unwrap_or_else(|| "Photo".to_string()),
            None,
            MessageContent::Image {
                image: MediaBody {
                    link: Some(link.clone()),
                    caption: caption.clone(),
                    ..MediaBody::default()
                },
            },
        ),
        Outbound::Attachment(a) => {
            let media_id = uploaded.clone().unwrap_or_default();
            let document = a.kind == MessageKind::Document;
            let media = MediaBody {
                id: Some(media_id.clone()),
                caption: a.caption.clone(),
                filename: document.then(|| a.filename.clone()),
                ..MediaBody::default()
            };
            file = Some(OutboundFile {
                media_id,
                mime_type: &a.mime_type,
                data: &a.data,
            });
            let body = shared::attachment::body(
                shared::attachment::label(a.kind),
                document.then_some(a.filename.as_str()),
                a.caption.as_deref(),
            );
            let wire = if document {
                MessageContent::Document { document: media }
            } else {
                MessageContent::Image { image: media }
            };
            (a.kind, body, None, wire)
        }
        Outbound::Template(t) => {
            let template = TemplateBody::new(&t.name, &t.language, &t.parameters);
            let payload =
                serde_json::to_string(&template).map_err(|e| AppError::Internal(e.into()))?;
            (
                MessageKind::Template,
                template_body(t),
                Some(payload),
                MessageContent::Template { template },
            )
        }
    };
    let request = SendMessageRequest::new(to, recipient, wire);
    let request_json = serde_json::to_value(&request).map_err(|e| AppError::Internal(e.into()))?;
    let takeover = chrono::Duration::from_std(WORKER_TAKEOVER).unwrap_or(chrono::Duration::MAX);
    let message = outbound::insert_pending(
        &mut conn,
        &NewOutbound {
            business_id: business_id.0,
            chat_id,
            kind,
            body: &body,
            payload: payload.as_deref(),
            sent_by,
            file,
        },
        &SendJobSpec {
            request: &request_json,
            run_at: chrono::Utc::now().naive_utc() + takeover,
            max_attempts: i32::try_from(app.config.send_max_attempts).unwrap_or(i32::MAX),
        },
    )
    .await?;
    drop(conn);
    publish(
        app,
        business_id,
        EventKind::MessageAdded {
            chat_id,
            message_id: message.id,
        },
    );
    publish(app, business_id, EventKind::ChatUpdated { chat_id });

    let job = SendJob::new(app, business_id, chat_id, message.id, identity, request);
    let first = job.attempt().await;
    let settled = job.settle(first, 1).await?;
    let mut conn = app.db().await?;
    // Sent or failed: the job went with that write. Else it waits for the retry time.
    if let Outcome::RetryAt(at, error) = settled {
        jobs::reschedule_by_key(&mut conn, &jobs::send_key(message.id), at, &error).await?;
    }
    Ok(
        inbox_model::find_message(&mut conn, business_id.0, message.id)
            .await?
            .unwrap_or(message),
    )
}

/// Uploads a staff attachment for the number; Meta's answer is the id to send it by.
/// A refusal is the owner's to read; an outage asks for another try (nothing was stored).
async fn upload(
    app: &AppState,
    identity: &SendingIdentity,
    attachment: &Attachment,
) -> AppResult<String> {
    GraphClient::new(&app.http, &app.config.meta_graph_url)
        .upload_media(
            &identity.connection.phone_number_id,
            &identity.token,
            &attachment.data,
            &attachment.mime_type,
            &attachment.filename,
        )
        .await
        .map_err(|e| {
            tracing::warn!(code = e.code(), title = %e.title(), "media upload failed");
            if e.is_retryable() {
                AppError::BadRequest(
                    "WhatsApp did not take the file just now; nothing was sent, try again in a moment"
                        .into(),
                )
            } else {
                AppError::invalid("file", format!("WhatsApp refused the file: {}", e.title()))
            }
        })
}

/// One stored message on its way to Meta.
struct SendJob {
    app: AppState,
    business_id: BusinessId,
    chat_id: u64,
    message_id: u64,
    identity: SendingIdentity,
    request: SendMessageRequest,
}

impl SendJob {
    /// Every attempt names the stored message in `biz_opaque_callback_data`: when its
    /// answer is lost, the status webhooks that echo it complete the record (see
    /// [`crate::db::messages::apply_statuses`]) instead of a second send.
    fn new(
        app: &AppState,
        business_id: BusinessId,
        chat_id: u64,
        message_id: u64,
        identity: SendingIdentity,
        mut request: SendMessageRequest,
    ) -> SendJob {
        request.biz_opaque_callback_data = Some(outbound::callback_data(message_id));
        SendJob {
            app: app.clone(),
            business_id,
            chat_id,
            message_id,
            identity,
            request,
        }
    }

    async fn attempt(&self) -> Result<String, GraphError> {
        self.app
            .send_pacer
            .ready(
                &self.identity.connection.phone_number_id,
                self.identity.connection.coexistence,
            )
            .await;
        let answer = GraphClient::new(&self.app.http, &self.app.config.meta_graph_url)
            .send_message(
                &self.identity.connection.phone_number_id,
                &self.identity.token,
                &self.request,
            )
            .await?;
        answer
            .messages
            .into_iter()
            .next()
            .map(|m| m.id)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| GraphError::Transport("Meta accepted the message without an id".into()))
    }

    /// Records the outcome of attempt number `attempt` on the message, and says whether
    /// (and when) the send job should try again: [`Outcome::RetryAt`], else
    /// [`Outcome::Settled`] (sent or failed for good; the job went with that write).
    async fn settle(
        &self,
        outcome: Result<String, GraphError>,
        attempt: u32,
    ) -> AppResult<Outcome> {
        let mut conn = self.app.db().await?;
        match outcome {
            Ok(wamid) => {
                outbound::mark_sent(&mut conn, self.message_id, &wamid).await?;
                apply_early_statuses(&mut conn, &wamid).await?;
                tracing::info!(message_id = self.message_id, attempt, "message sent");
            }
            Err(e) if e.is_retryable() && attempt < self.app.config.send_max_attempts => {
                tracing::warn!(
                    message_id = self.message_id,
                    attempt,
                    code = e.code(),
                    title = %e.title(),
                    "send failed, will retry"
                );
                let at = chrono::Utc::now().naive_utc()
                    + chrono::Duration::from_std(retry_delay(
                        self.app.config.send_retry_base,
                        attempt + 1,
                        &e,
                    ))
                    .unwrap_or(chrono::Duration::seconds(60));
                return Ok(Outcome::RetryAt(at, e.title()));
            }
            Err(e) => {
                tracing::warn!(
                    message_id = self.message_id,
                    attempt,
                    code = e.code(),
                    title = %e.title(),
                    "send failed permanently"
                );
                let code = e.code().and_then(|c| i32::try_from(c).ok());
                outbound::mark_failed(&mut conn, self.message_id, code, &e.title()).await?;
            }
        }
        publish(
            &self.app,
            self.business_id,
            EventKind::MessageStatusChanged {
                chat_id: self.chat_id,
                message_id: self.message_id,
            },
        );
        Ok(Outcome::Settled)
    }
}

/// The number was disconnected while the message waited for a retry.
async fn record_disconnected(
    app: &AppState,
    business_id: BusinessId,
    chat_id: u64,
    message_id: u64,
) -> AppResult<()> {
    let mut conn = app.db().await?;
    outbound::mark_failed(
        &mut conn,
        message_id,
        None,
        "WhatsApp number disconnected before the message could be sent",
    )
    .await?;
    publish(
        app,
        business_id,
        EventKind::MessageStatusChanged {
            chat_id,
            message_id,
        },
    );
    Ok(())
}

#[derive(Deserialize)]
struct SendPayload {
    message_id: u64,
    request: SendMessageRequest,
}

/// Runs a claimed `send_message` job: a message still `pending` (a temporary failure,
/// or a server that stopped before settling it) is sent again, on the business's
/// currently connected number; a number disconnected meanwhile fails the message.
pub async fn run_send_job(app: &AppState, job: &Job) -> Outcome {
    let now = chrono::Utc::now().naive_utc();
    let nothing = |why: &str| Outcome::Done(Some(why.into()));
    let Some(business_id) = job.spec.business_id else {
        return nothing("no business");
    };
    let Ok(payload) = serde_json::from_str::<SendPayload>(&job.spec.payload) else {
        tracing::error!(job = job.id, "unreadable send job payload");
        return nothing("unreadable payload");
    };
    let run = async {
        let mut conn = app.db().await?;
        let Some(message) =
            inbox_model::find_message(&mut conn, business_id.0, payload.message_id).await?
        else {
            return Ok(nothing("the message no longer exists"));
        };
        if message.status != shared::MessageStatus::Pending {
            return Ok(nothing("the message is no longer pending"));
        }
        drop(conn);
        let identity = match whatsapp::sending_identity(app, business_id).await {
            Ok(identity) => identity,
            Err(IdentityError::NotConnected) => {
                record_disconnected(app, business_id, message.chat_id, message.id).await?;
                return Ok(Outcome::Settled);
            }
            Err(IdentityError::Failed(e)) => return Err(e),
        };
        let send = SendJob::new(
            app,
            business_id,
            message.chat_id,
            message.id,
            identity,
            payload.request,
        );
        // The sender made attempt 1 inline; each claim of the job is one more.
        let attempt = u32::try_from(job.attempts).unwrap_or(1).saturating_add(1);
        let outcome = send.attempt().await;
        send.settle(outcome, attempt).await
    };
    match run.await {
        Ok(settled) => settled,
        Err(e) => {
            let delay = chrono::Duration::from_std(app.config.send_retry_base)
                .unwrap_or(chrono::Duration::seconds(1));
            Outcome::RetryAt(now + delay, e.message())
        }
    }
}

/// How many first-retry delays a send whose answer was lost waits before it is tried
/// again: long enough for the status webhook that says Meta took it after all (it
/// names the message by its callback data and ends the send; see [`SendJob::new`]).
pub const LOST_ANSWER_WAIT_FACTOR: u32 = 15;

/// The wait before attempt number `attempt` (2 for the first retry).
pub fn retry_delay(base: Duration, attempt: u32, last: &GraphError) -> Duration {
    let doubling = base.saturating_mul(1u32 << attempt.saturating_sub(2).min(16));
    let delay = if last.code() == Some(PAIR_RATE_LIMIT) {
        doubling.max(base.saturating_mul(6))
    } else if last.may_have_been_accepted() {
        doubling.max(base.saturating_mul(LOST_ANSWER_WAIT_FACTOR))
    } else {
        doubling
    };
    delay.min(MAX_RETRY_DELAY)
}

/// Applies webhook statuses that arrived before the wamid was stored (Meta can report
/// `delivered` faster than we save its answer): the ingest parks them in
/// `pending_statuses`. The `MessageStatusChanged` published right after covers the
/// resulting change.
async fn apply_early_statuses(
    conn: &mut diesel_async::AsyncMysqlConnection,
    wamid: &str,
) -> AppResult<()> {
    crate::db::messages::apply_pending_statuses(conn, wamid).await?;
    Ok(())
}

/// Marks an inbound message read on WhatsApp (blue ticks). Failures are logged, not
/// returned: the inbox's own unread state does not depend on Meta.
pub async fn send_read_receipt(app: &AppState, business_id: BusinessId, wamid: &str) {
    let identity = match whatsapp::sending_identity(app, business_id).await {
        Ok(identity) => identity,
        Err(_) => return,
    };
    let sent = GraphClient::new(&app.http, &app.config.meta_graph_url)
        .mark_read(&identity.connection.phone_number_id, &identity.token, wamid)
        .await;
    if let Err(e) = sent {
        tracing::warn!(code = e.code(), title = %e.title(), "read receipt not accepted");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::types::MetaError;

    fn api(code: i64) -> GraphError {
        GraphError::Api {
            http_status: 400,
            error: Box::new(MetaError {
                message: String::new(),
                kind: "OAuthException".into(),
                code,
                error_subcode: None,
                error_data: None,
                error_user_title: None,
                fbtrace_id: None,
            }),
        }
    }

    #[test]
    fn delays_double_and_pair_rate_limit_waits_longer() {
        let base = Duration::from_secs(1);
        assert_eq!(retry_delay(base, 2, &api(130429)), base);
        assert_eq!(retry_delay(base, 4, &api(130429)), base * 4);
        // A lost answer waits for the status webhook that would say Meta took it.
        assert_eq!(retry_delay(base, 2, &GraphError::Status(500)), base * 15);
        assert_eq!(
            retry_delay(base, 2, &GraphError::Transport("timed out".into())),
            base * 15
        );
        assert_eq!(retry_delay(base, 6, &GraphError::Status(502)), base * 16);
        assert_eq!(retry_delay(base, 2, &api(131056)), base * 6);
        assert_eq!(retry_delay(base, 30, &api(130429)), MAX_RETRY_DELAY);
    }

    #[test]
    fn rate_limits_and_outages_are_retried_but_window_and_token_errors_are_not() {
        assert!(api(130429).is_retryable());
        assert!(api(131056).is_retryable());
        assert!(GraphError::Status(500).is_retryable());
        assert!(GraphError::Transport("timeout".into()).is_retryable());
        assert!(!api(131047).is_retryable());
        assert!(!api(131026).is_retryable());
        assert!(!api(190).is_retryable());
        assert!(!api(100).is_retryable());
    }
}
