//! Follow-ups: a message scheduled for a chat, by a person (`scheduleFollowUp`) or by
//! the business's rule ("N hours after a quote or an agreed price with no order, follow
//! up once"), sent by the job runner when due through the one sender.
//!
//! When it is due, a follow-up is **skipped**, with the reason stored and logged, when
//! the customer is blacklisted (any identifier, [`crate::blacklist::is_blocked`]), the
//! chat is paused (a person took over), the customer ordered or wrote since it was
//! scheduled, or the 24-hour window has closed and no template was given. Otherwise it is sent once:
//!
//! - its job is claimed with `FOR UPDATE SKIP LOCKED` and a lease ([`crate::jobs`]), so
//!   two server processes never run it at the same time;
//! - the run first moves it `scheduled -> sending` (conditional update), then hands the
//!   message to the sender, which stores it with its own durable send job before
//!   calling Meta;
//! - a run interrupted after that (a crash) is found again by the job's lease expiry:
//!   the follow-up is still `sending`, the message the sender stored is found in the
//!   chat, and the follow-up is completed with it instead of sending again. With no
//!   message stored, nothing reached Meta, and it is sent.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel_async::AsyncMysqlConnection;
use serde::Deserialize;
use serde_json::json;
use shared::{
    ActivityId, ActivityKind, BusinessId, ChatId, FollowUpId, FollowUpSource, FollowUpStatus,
    SentBy,
};

use crate::activity::{self, Actor, Entry, Subject};
use crate::app::AppState;
use crate::auth::Caller;
use crate::db::agent as agent_db;
use crate::db::follow_ups::{self as model, FollowUp, NewFollowUp};
use crate::db::inbox as inbox_model;
use crate::db::jobs::{self, Job, JobKind, NewJob, Outcome};
use crate::error::{AppError, AppResult};
use crate::events::{DomainEvent, EventKind};
use crate::sender::{self, Outbound, Template};

mod quote_rule;

pub use quote_rule::{MAX_RULE_TEXT, Quote, Rule, after_ai_reply, rule, rule_text, update_rule};

/// Furthest ahead a follow-up may be scheduled.
pub const MAX_AHEAD_DAYS: i64 = 90;
/// Runs of one follow-up before it is recorded as failed.
const MAX_ATTEMPTS: i32 = 5;

/// What a follow-up says: text (inside the 24-hour window), a template (any time), or
/// both (the text inside the window, the template outside it).
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// Free text.
    pub text: Option<String>,
    /// An approved template.
    pub template: Option<Template>,
}

fn publish(app: &AppState, business_id: BusinessId, id: FollowUpId) {
    app.events.publish(DomainEvent {
        business_id,
        kind: EventKind::FollowUpChanged { follow_up_id: id.0 },
    });
}

/// Schedules a follow-up for a chat of the caller's business.
pub async fn schedule(
    app: &AppState,
    caller: &Caller,
    chat_id: ChatId,
    due_at: NaiveDateTime,
    content: Content,
) -> AppResult<FollowUp> {
    let now = Utc::now().naive_utc();
    if due_at < now - Duration::minutes(1) {
        return Err(AppError::invalid("dueAt", "must be in the future"));
    }
    if due_at > now + Duration::days(MAX_AHEAD_DAYS) {
        return Err(AppError::invalid(
            "dueAt",
            format!("at most {MAX_AHEAD_DAYS} days ahead"),
        ));
    }
    let text = content
        .text
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    if text.is_none() && content.template.is_none() {
        return Err(AppError::invalid(
            "text",
            "write the message or choose a template",
        ));
    }
    if let Some(t) = &text {
        sender::validate(&Outbound::Text(t.clone()))?;
    }
    if let Some(t) = &content.template {
        sender::validate(&Outbound::Template(t.clone()))?;
    }
    let mut conn = app.db().await?;
    inbox_model::find_chat(&mut conn, caller.business_id.0, chat_id.0)
        .await?
        .ok_or(AppError::NotFound("chat"))?;
    let template = content.template;
    let new = NewFollowUp {
        business_id: caller.business_id,
        chat_id,
        due_at,
        body: text,
        template_name: template.as_ref().map(|t| t.name.clone()),
        template_language: template.as_ref().map(|t| t.language.clone()),
        template_params: template
            .as_ref()
            .map(|t| serde_json::to_string(&t.parameters).unwrap_or_else(|_| "[]".into())),
        source: FollowUpSource::Staff,
        created_by: caller.actor.name.clone(),
    };
    let (id, entry) = store(&mut conn, &new, &caller.actor).await?;
    announce(app, caller.business_id, id, entry);
    model::find(&mut conn, caller.business_id, id)
        .await?
        .ok_or(AppError::NotFound("follow-up"))
}

/// Stores a follow-up, its job and its activity entry in one transaction.
async fn store(
    conn: &mut AsyncMysqlConnection,
    new: &NewFollowUp,
    actor: &Actor,
) -> AppResult<(FollowUpId, ActivityId)> {
    use diesel_async::AsyncConnection;
    let ids = conn
        .transaction(async |conn| {
            let id = model::insert(conn, new).await?;
            jobs::enqueue(
                conn,
                &[NewJob {
                    business_id: Some(new.business_id),
                    kind: JobKind::FollowUp,
                    dedupe_key: Some(jobs::follow_up_key(id.0)),
                    payload: json!({ "follow_up_id": id.0 }).to_string(),
                    run_at: new.due_at,
                    max_attempts: MAX_ATTEMPTS,
                }],
            )
            .await?;
            let when = new.due_at.format("%Y-%m-%d %H:%M UTC");
            let entry = activity::append(
                conn,
                new.business_id,
                actor,
                Entry::new(
                    ActivityKind::FollowUpScheduled,
                    Some(Subject::follow_up(id)),
                    format!("Follow-up scheduled for {when}"),
                )
                .details(json!({
                    "follow_up_id": id.0,
                    "chat_id": new.chat_id.0,
                    "due_at": new.due_at.and_utc(),
                    "source": new.source.as_str(),
                })),
            )
            .await?;
            Ok::<_, diesel::result::Error>((id, entry))
        })
        .await?;
    Ok(ids)
}

/// Publishes a follow-up's change and its activity entry (written in its transaction).
fn announce(app: &AppState, business_id: BusinessId, id: FollowUpId, entry: ActivityId) {
    publish(app, business_id, id);
    app.events.publish(DomainEvent {
        business_id,
        kind: EventKind::ActivityAdded {
            activity_id: entry.0,
        },
    });
}

/// Cancels a scheduled follow-up; one being sent or already settled cannot be.
pub async fn cancel(app: &AppState, caller: &Caller, id: FollowUpId) -> AppResult<FollowUp> {
    let mut conn = app.db().await?;
    let found = model::find(&mut conn, caller.business_id, id)
        .await?
        .ok_or(AppError::NotFound("follow-up"))?;
    if !model::move_status(
        &mut conn,
        id,
        &[FollowUpStatus::Scheduled],
        FollowUpStatus::Cancelled,
        None,
        None,
    )
    .await?
    {
        let now = model::find(&mut conn, caller.business_id, id)
            .await?
            .map_or(found.status, |f| f.status);
        return Err(AppError::invalid(
            "id",
            format!("this follow-up is {now}: only a scheduled follow-up can be cancelled"),
        ));
    }
    jobs::delete_by_key(&mut conn, &jobs::follow_up_key(id.0)).await?;
    publish(app, caller.business_id, id);
    caller
        .record(
            &mut conn,
            &app.events,
            Entry::new(
                ActivityKind::FollowUpCancelled,
                Some(Subject::follow_up(id)),
                "Follow-up cancelled",
            )
            .details(json!({ "follow_up_id": id.0, "chat_id": found.chat_id.0 })),
        )
        .await;
    model::find(&mut conn, caller.business_id, id)
        .await?
        .ok_or(AppError::NotFound("follow-up"))
}

#[derive(Deserialize)]
struct Payload {
    follow_up_id: u64,
}

/// Writes a rule follow-up's text in the AI's words, or `None` to send the rule's own
/// text: the job runner passes [`crate::agent::follow_up::write`] (the agent sits above
/// this module: it schedules rule follow-ups after its replies).
pub trait Writer: AsyncFn(&AppState, BusinessId, ChatId, &str) -> Option<String> {}

impl<F: AsyncFn(&AppState, BusinessId, ChatId, &str) -> Option<String>> Writer for F {}

/// Runs a claimed `follow_up` job (see the module docs).
pub async fn run_job(app: &AppState, job: &Job, writer: impl Writer) -> Outcome {
    let id = match serde_json::from_str::<Payload>(&job.spec.payload) {
        Ok(p) => FollowUpId(p.follow_up_id),
        Err(e) => return Outcome::Done(Some(format!("unreadable payload: {e}"))),
    };
    match run(app, id, job.attempts >= job.spec.max_attempts, &writer).await {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Retry(e.message()),
    }
}

/// Why a due follow-up must not be sent, if it must not.
async fn skip_reason(
    conn: &mut AsyncMysqlConnection,
    f: &FollowUp,
) -> AppResult<Result<Outbound, String>> {
    let Some((chat, contact)) = agent_db::chat_with_contact(conn, f.chat_id).await? else {
        return Ok(Err("the chat no longer exists".into()));
    };
    if crate::blacklist::is_blocked(conn, f.business_id, &contact).await? {
        return Ok(Err("the customer is blacklisted".into()));
    }
    if chat.ai_stands_back(chrono::Utc::now().naive_utc()) {
        return Ok(Err("the chat is paused (a person took over)".into()));
    }
    if model::ordered_since(conn, f.chat_id, f.created_at).await? {
        return Ok(Err("the customer ordered since".into()));
    }
    if chat.last_inbound_at.is_some_and(|t| t > f.created_at) {
        return Ok(Err("the customer wrote since".into()));
    }
    let open = shared::window::window_open(
        chat.last_inbound_at.map(|t| t.and_utc().timestamp()),
        Utc::now().timestamp(),
    );
    let template = f.template_name.as_ref().map(|name| Template {
        name: name.clone(),
        language: f
            .template_language
            .clone()
            .unwrap_or_else(|| "en_US".into()),
        parameters: f
            .template_params
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_default(),
    });
    Ok(match (&f.body, template) {
        (Some(text), _) if open => Ok(Outbound::Text(text.clone())),
        (_, Some(template)) => Ok(Outbound::Template(template)),
        _ => Err("the 24-hour window closed and no template was set".into()),
    })
}

async fn run(
    app: &AppState,
    id: FollowUpId,
    last_attempt: bool,
    writer: &impl Writer,
) -> AppResult<Outcome> {
    let mut conn = app.db().await?;
    let Some(f) = model::find_any(&mut conn, id).await? else {
        return Ok(Outcome::Done(Some("the follow-up is gone".into())));
    };
    match f.status {
        FollowUpStatus::Scheduled => {}
        FollowUpStatus::Sending => {
            // An earlier run stopped mid-send: complete it with what the sender stored.
            if let Some(message_id) =
                model::message_sent_since(&mut conn, f.chat_id, f.updated_at).await?
            {
                settle_sent(app, &mut conn, &f, message_id).await?;
                return Ok(Outcome::Done(Some("completed an interrupted send".into())));
            }
        }
        other => return Ok(Outcome::Done(Some(format!("the follow-up is {other}")))),
    }
    let content = match skip_reason(&mut conn, &f).await? {
        Ok(content) => content,
        Err(reason) => {
            if model::move_status(
                &mut conn,
                id,
                &[FollowUpStatus::Scheduled, FollowUpStatus::Sending],
                FollowUpStatus::Skipped,
                Some(&reason),
                None,
            )
            .await?
            {
                publish(app, f.business_id, id);
                log(
                    app,
                    &mut conn,
                    &f,
                    ActivityKind::FollowUpSkipped,
                    format!("Follow-up skipped: {reason}"),
                    Some(&reason),
                )
                .await;
            }
            return Ok(Outcome::Done(Some(reason)));
        }
    };
    let content = match content {
        Outbound::Text(text) if f.status == FollowUpStatus::Scheduled => {
            Outbound::Text(ai_written(app, &mut conn, &f, text, writer).await?)
        }
        other => other,
    };
    if f.status == FollowUpStatus::Scheduled && !model::start_sending(&mut conn, id).await? {
        return Ok(Outcome::Done(Some(
            "the follow-up is no longer scheduled".into(),
        )));
    }
    drop(conn);
    let sent = sender::send(app, f.business_id, f.chat_id.0, content, SentBy::FollowUp).await;
    let mut conn = app.db().await?;
    match sent {
        Ok(message) => {
            settle_sent(app, &mut conn, &f, message.id).await?;
            Ok(Outcome::Done(None))
        }
        Err(e @ (AppError::Internal(_) | AppError::Unavailable)) if !last_attempt => {
            // Still `sending`: the next run looks for a stored message before sending.
            Ok(Outcome::Retry(e.message()))
        }
        Err(e) => {
            let reason = e.message();
            if model::move_status(
                &mut conn,
                id,
                &[FollowUpStatus::Sending],
                FollowUpStatus::Failed,
                Some(&reason),
                None,
            )
            .await?
            {
                publish(app, f.business_id, id);
                log(
                    app,
                    &mut conn,
                    &f,
                    ActivityKind::FollowUpFailed,
                    "A follow-up could not be sent".into(),
                    Some(&reason),
                )
                .await;
            }
            Ok(Outcome::Done(Some(reason)))
        }
    }
}

/// The text a rule's follow-up goes out with: the AI's own words when the owner left
/// the rule's text empty and the AI is on (the [`Writer`]), else `text`.
/// The AI's text is stored on the follow-up, so the owner sees what was sent.
async fn ai_written(
    app: &AppState,
    conn: &mut AsyncMysqlConnection,
    f: &FollowUp,
    text: String,
    writer: &impl Writer,
) -> AppResult<String> {
    if f.source != FollowUpSource::Rule {
        return Ok(text);
    }
    let (_, _, own_text) = model::rule(conn, f.business_id).await?;
    if own_text.is_some() {
        return Ok(text);
    }
    let Some(written) = writer(app, f.business_id, f.chat_id, &text).await else {
        return Ok(text);
    };
    if model::rewrite(conn, f.id, &written).await? {
        publish(app, f.business_id, f.id);
        Ok(written)
    } else {
        // No longer scheduled (cancelled meanwhile): `start_sending` refuses it next.
        Ok(text)
    }
}

async fn settle_sent(
    app: &AppState,
    conn: &mut AsyncMysqlConnection,
    f: &FollowUp,
    message_id: u64,
) -> AppResult<()> {
    if model::move_status(
        conn,
        f.id,
        &[FollowUpStatus::Sending],
        FollowUpStatus::Sent,
        None,
        Some(message_id),
    )
    .await?
    {
        publish(app, f.business_id, f.id);
        log(
            app,
            conn,
            f,
            ActivityKind::FollowUpSent,
            "Follow-up sent".into(),
            None,
        )
        .await;
    }
    Ok(())
}

async fn log(
    app: &AppState,
    conn: &mut AsyncMysqlConnection,
    f: &FollowUp,
    kind: ActivityKind,
    summary: String,
    reason: Option<&str>,
) {
    let entry = Entry::new(kind, Some(Subject::follow_up(f.id)), summary).details(json!({
        "follow_up_id": f.id.0,
        "chat_id": f.chat_id.0,
        "reason": reason,
    }));
    activity::record_quietly(conn, &app.events, f.business_id, &Actor::system(), entry).await;
}

#[cfg(test)]
mod tests {
    use super::rule_text;

    #[test]
    fn the_rule_text_fills_in_the_name_product_and_price() {
        let text = rule_text(None, Some("Ada"), "Ankara dress", "NGN 19,000.00");
        assert!(text.starts_with("Hi Ada!"), "{text}");
        assert!(
            text.contains("Ankara dress") && text.contains("NGN 19,000.00"),
            "{text}"
        );
        assert!(rule_text(None, None, "x", "y").starts_with("Hi there!"));
        assert_eq!(
            rule_text(
                Some("Still want the {product}, {name}?"),
                Some("Bo"),
                "bag",
                "1"
            ),
            "Still want the bag, Bo?"
        );
        assert!(rule_text(Some("  "), None, "bag", "1").starts_with("Hi there!"));
    }
}
