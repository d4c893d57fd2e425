//! Job workers: started with the server, stopped gracefully, safe with replicas. They
//! run AI replies, opt-out notices, and retries of outbound sends
//! ([`crate::sender::run_send_job`]).
//!
//! Each worker claims due jobs (`FOR UPDATE SKIP LOCKED`, leased), runs them, and
//! otherwise sleeps until the next job is due, a new message arrives on the event bus,
//! or the poll interval passes. A job runs once per claim: the checks are made again
//! (AI off, paused, blacklisted, rate limit), a chat already answered is not answered
//! again (a worker that died after sending leaves nothing to redo), a provider failure
//! retries with backoff and after the last attempt the built-in responder answers.
//! Replies leave through the one sender ([`crate::sender`]).

use std::time::Duration;

use chrono::Utc;
use serde::Deserialize;
use shared::{BusinessId, MessageDirection, SentBy};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::prompt::{self, Turn};
use super::tools::ChatScope;
use super::{ComposeError, Conversation, Mode, compose, optout};
use crate::app::AppState;
use crate::db::agent as agent_db;
use crate::db::jobs::{self, Job, kind};
use crate::error::AppError;
use crate::events::EventKind;

/// Job kinds these workers run.
pub const KINDS: &[&str] = &[kind::AI_REPLY, kind::OPT_OUT_NOTICE, kind::SEND_MESSAGE];

/// Running workers.
pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Starts `app.config.agent.workers` workers.
    pub fn start(app: AppState) -> Workers {
        let count = app.config.agent.workers;
        Workers::start_with(app, count)
    }

    /// Starts `count` workers (tests and tools choose their own number).
    pub fn start_with(app: AppState, count: usize) -> Workers {
        let (stop, stopped) = watch::channel(false);
        let tasks = (0..count)
            .map(|n| tokio::spawn(run_worker(app.clone(), n, stopped.clone())))
            .collect();
        Workers { stop, tasks }
    }

    /// Stops claiming, lets running jobs finish, and waits for the workers.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            if let Err(e) = t.await {
                tracing::error!(error = %e, "agent worker panicked");
            }
        }
    }
}

async fn run_worker(app: AppState, n: usize, mut stopped: watch::Receiver<bool>) {
    let mut events = app.events.subscribe();
    let poll = app.config.agent.poll_interval;
    tracing::debug!(worker = n, "agent worker started");
    while !*stopped.borrow() {
        match run_due(&app).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "agent worker could not claim jobs");
                tokio::select! {
                    _ = stopped.changed() => {}
                    () = tokio::time::sleep(poll) => {}
                }
                continue;
            }
        }
        let wait = next_wait(&app, poll).await;
        tokio::select! {
            _ = stopped.changed() => {}
            () = tokio::time::sleep(wait) => {}
            () = wait_for_message(&mut events) => {}
        }
    }
    tracing::debug!(worker = n, "agent worker stopped");
}

/// Resolves on the next inbound-message event (a job may have been enqueued).
async fn wait_for_message(
    events: &mut tokio::sync::broadcast::Receiver<crate::events::DomainEvent>,
) {
    loop {
        match events.recv().await {
            Ok(e) if matches!(e.kind, EventKind::MessageAdded { .. }) => return,
            Ok(_) => {}
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                std::future::pending::<()>().await;
            }
        }
    }
}

async fn next_wait(app: &AppState, poll: Duration) -> Duration {
    let Ok(mut conn) = app.db().await else {
        return poll;
    };
    match jobs::next_due(&mut conn, KINDS).await {
        Ok(Some(due)) => (due - Utc::now().naive_utc())
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(poll),
        _ => poll,
    }
}

/// Claims and runs one due job; `Ok(true)` when there was one.
pub async fn run_due(app: &AppState) -> anyhow::Result<bool> {
    let claimed = {
        let mut conn = app.db().await?;
        let lease = chrono::Duration::from_std(app.config.agent.job_lease)?;
        jobs::claim(&mut conn, KINDS, Utc::now().naive_utc(), lease, 1).await?
    };
    let Some(job) = claimed.into_iter().next() else {
        return Ok(false);
    };
    run_job(app, &job).await;
    Ok(true)
}

#[derive(Deserialize)]
struct ChatPayload {
    chat_id: u64,
}

/// What became of a job.
enum Outcome {
    Done(Option<String>),
    /// Again after the worker's backoff.
    Retry(String),
    /// Again at this time.
    RetryAt(chrono::NaiveDateTime, String),
    /// Finished, and the job row already went with the work's own write.
    Settled,
}

/// Runs one claimed job and records its outcome.
pub async fn run_job(app: &AppState, job: &Job) {
    let outcome = match job.kind.as_str() {
        kind::AI_REPLY => reply(app, job).await,
        kind::OPT_OUT_NOTICE => opt_out_notice(app, job).await,
        kind::SEND_MESSAGE => match crate::sender::run_send_job(app, job).await {
            crate::sender::Settled::Done => Outcome::Settled,
            crate::sender::Settled::Nothing(why) => Outcome::Done(Some(why.into())),
            crate::sender::Settled::RetryAt(at, error) => Outcome::RetryAt(at, error),
        },
        other => Outcome::Done(Some(format!("unknown job kind {other}"))),
    };
    if matches!(outcome, Outcome::Settled) {
        return;
    }
    let now = Utc::now().naive_utc();
    let recorded = async {
        let mut conn = app.db().await?;
        match outcome {
            Outcome::Done(note) => {
                jobs::complete(&mut conn, job, now, note.as_deref()).await?;
            }
            Outcome::Retry(error) => {
                let factor =
                    2u32.saturating_pow(u32::try_from(job.attempts.max(1) - 1).unwrap_or(0));
                let delay = app.config.agent.retry_base.saturating_mul(factor);
                let at =
                    now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::seconds(5));
                jobs::retry_later(&mut conn, job, at, &error).await?;
            }
            Outcome::RetryAt(at, error) => {
                jobs::retry_later(&mut conn, job, at, &error).await?;
            }
            Outcome::Settled => {}
        }
        Ok::<_, anyhow::Error>(())
    };
    if let Err(e) = recorded.await {
        tracing::error!(error = %e, job = job.id, "could not record a job's outcome; its lease will expire");
    }
}

async fn reply(app: &AppState, job: &Job) -> Outcome {
    match try_reply(app, job).await {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Retry(format!("{e:#}")),
    }
}

async fn try_reply(app: &AppState, job: &Job) -> anyhow::Result<Outcome> {
    let Ok(ChatPayload { chat_id }) = serde_json::from_str(&job.payload) else {
        return Ok(Outcome::Done(Some("unreadable payload".into())));
    };
    let mut conn = app.db().await?;
    let Some((chat, contact)) = agent_db::chat_with_contact(&mut conn, chat_id).await? else {
        return Ok(Outcome::Done(Some("chat no longer exists".into())));
    };
    let Some(profile) = agent_db::profile(&mut conn, chat.business_id).await? else {
        return Ok(Outcome::Done(Some("business no longer exists".into())));
    };
    if !profile.ai_enabled {
        return Ok(Outcome::Done(Some("AI is off for the business".into())));
    }
    if chat.ai_paused {
        return Ok(Outcome::Done(Some(
            "chat is paused (human takeover)".into(),
        )));
    }
    if agent_db::is_blacklisted(&mut conn, chat.business_id, &contact).await? {
        return Ok(Outcome::Done(Some("contact is blacklisted".into())));
    }
    let history = agent_db::recent_messages(&mut conn, chat_id, prompt::HISTORY_LIMIT).await?;
    let answered = history
        .last()
        .is_none_or(|m| m.direction == MessageDirection::Outbound);
    if answered {
        return Ok(Outcome::Done(Some("nothing to answer".into())));
    }
    let window = chrono::Duration::from_std(app.config.agent.rate_window)?;
    let recent =
        agent_db::ai_replies_since(&mut conn, chat_id, Utc::now().naive_utc() - window).await?;
    if recent >= app.config.agent.replies_per_window {
        tracing::warn!(
            chat_id,
            recent,
            "AI reply rate limit reached for a contact; no model call, handed to a person"
        );
        // Not a silent drop: a person sees the chat handed over, with the reason.
        let reason = format!(
            "The customer wrote faster than the AI answers ({} replies in {} minutes): the AI is paused here until you turn it back on",
            app.config.agent.replies_per_window,
            app.config.agent.rate_window.as_secs().div_ceil(60)
        );
        if agent_db::hand_off(&mut conn, chat.business_id, chat_id, &reason).await? {
            agent_db::record_activity(
                &mut conn,
                chat.business_id,
                "ai_rate_limited",
                "The AI stopped answering a customer who wrote too fast",
                &serde_json::json!({"chat_id": chat_id, "replies": recent}),
                "ai",
            )
            .await?;
            app.events.publish(crate::events::DomainEvent {
                business_id: BusinessId(chat.business_id),
                kind: EventKind::ChatUpdated { chat_id },
            });
        }
        return Ok(Outcome::Done(Some("rate limited".into())));
    }
    let open = chat.last_inbound_at.is_some_and(|t| {
        shared::window::window_open(Some(t.and_utc().timestamp()), Utc::now().timestamp())
    });
    if !open {
        return Ok(Outcome::Done(Some("the 24-hour window is closed".into())));
    }
    drop(conn);
    let conversation = Conversation {
        chat: Some(ChatScope {
            chat_id,
            contact_id: contact.id,
        }),
        first_name: prompt::first_name(contact.profile_name.as_deref()),
        history: history
            .iter()
            .map(|m| Turn {
                from_customer: m.direction == MessageDirection::Inbound,
                text: m.body.clone(),
            })
            .collect(),
        negotiation: chat.negotiation.clone(),
        interest: chat.product_interest.clone(),
    };
    let composed = match compose(app, &profile, &conversation, false, Mode::Auto).await {
        Ok(r) => r,
        Err(ComposeError::Unavailable(e)) if job.attempts < job.max_attempts => {
            return Ok(Outcome::Retry(format!("AI provider unavailable: {e}")));
        }
        Err(ComposeError::Unavailable(_)) => {
            compose(app, &profile, &conversation, false, Mode::BuiltInOnly)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?
        }
        Err(ComposeError::Database(e)) => return Ok(Outcome::Retry(e)),
    };
    // The chat may have been taken over while the model was thinking.
    let mut conn = app.db().await?;
    if let Some((latest, _)) = agent_db::chat_with_contact(&mut conn, chat_id).await?
        && latest.ai_paused
        && !composed.handed_off
    {
        return Ok(Outcome::Done(Some(
            "chat was taken over while composing".into(),
        )));
    }
    drop(conn);
    let sent = crate::sender::send_text(
        app,
        BusinessId(chat.business_id),
        chat_id,
        &composed.text,
        SentBy::Ai,
    )
    .await;
    Ok(match sent {
        Ok(_) => Outcome::Done(composed.fallback_reason),
        Err(e @ (AppError::Internal(_) | AppError::Unavailable)) => Outcome::Retry(e.message()),
        // The sender refused (window closed, number disconnected...): retrying cannot help.
        Err(e) => Outcome::Done(Some(format!("the sender refused: {}", e.message()))),
    })
}

async fn opt_out_notice(app: &AppState, job: &Job) -> Outcome {
    let run = async {
        let Ok(ChatPayload { chat_id }) = serde_json::from_str(&job.payload) else {
            return Ok(Outcome::Done(Some("unreadable payload".into())));
        };
        let mut conn = app.db().await?;
        let Some((chat, _)) = agent_db::chat_with_contact(&mut conn, chat_id).await? else {
            return Ok(Outcome::Done(Some("chat no longer exists".into())));
        };
        let Some(profile) = agent_db::profile(&mut conn, chat.business_id).await? else {
            return Ok(Outcome::Done(Some("business no longer exists".into())));
        };
        drop(conn);
        crate::sender::send_text(
            app,
            BusinessId(chat.business_id),
            chat_id,
            &optout::confirmation(&profile.name),
            SentBy::System,
        )
        .await
        .map_err(anyhow::Error::from)?;
        Ok::<_, anyhow::Error>(Outcome::Done(None))
    };
    run.await
        .unwrap_or_else(|e| Outcome::Retry(format!("{e:#}")))
}
