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

use shared::{BusinessId, MessageKind, SentBy};

use crate::app::AppState;
use crate::db::inbox::{self as inbox_model, Message, Recipient};
use crate::db::jobs::{self, Outcome};
use crate::db::outbound::{self, NewOutbound, OutboundFile, SendJobSpec};
use crate::error::{AppError, AppResult};
use crate::events::{DomainEvent, EventKind};
use crate::meta::GraphClient;
use crate::meta::types::{MediaBody, MessageContent, SendMessageRequest, TemplateBody, TextBody};
use crate::whatsapp::{self, SendingIdentity};

mod content;
mod job;

use content::template_body;
pub use content::{Attachment, MAX_CAPTION_CHARS, Outbound, Template, validate};
use job::SendJob;
pub use job::{LOST_ANSWER_WAIT_FACTOR, retry_delay, run_send_job};

/// Longest text WhatsApp accepts in one message.
pub const MAX_TEXT_CHARS: usize = 4096;
/// Longest delay between two retries.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(60);
/// How long after storing a message a worker takes over its send if the sender has not
/// settled it by then (the server stopped mid-send). Far above a Graph API call's
/// timeout and a number's send queue, so a send in progress is not repeated.
pub const WORKER_TAKEOVER: Duration = Duration::from_secs(300);

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
    use crate::meta::client::GraphError;
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
