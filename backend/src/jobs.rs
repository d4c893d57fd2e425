//! The one job runner: workers started with the server, stopped gracefully, safe with
//! replicas. The queue itself (enqueue, claim, lease, completion SQL) is
//! [`crate::db::jobs`]; this module claims due jobs and dispatches them by kind:
//!
//! - AI replies and opt-out notices to the agent ([`crate::agent::worker`]);
//! - retries of outbound sends to the sender ([`crate::sender::run_send_job`]);
//! - due follow-ups to [`crate::follow_ups::run_job`];
//! - deal approvals' expiry and answers to [`crate::deal_approvals::run_job`];
//! - the hourly message counts of the activity log to
//!   [`crate::activity::message_counts::run_job`] (the first worker schedules the
//!   current hour's when it starts).
//! - the retention purge to [`crate::privacy::retention::run_job`] (the first worker
//!   makes sure that job exists).
//!
//! A new kind of work adds a [`JobKind`] and one arm in [`run_job`].
//!
//! Each worker claims due jobs (`FOR UPDATE SKIP LOCKED`, leased), runs them, and
//! otherwise sleeps until the next job is due, a new message arrives on the event bus,
//! or the poll interval passes. Every run ends in one [`Outcome`], recorded here: done
//! (with a note), retried with doubling backoff, retried at a given time, or already
//! settled by the work's own write. A worker that dies mid-run leaves the job to the
//! next claim once its lease passes.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::app::AppState;
use crate::db::jobs::{self, Job};
use crate::events::EventKind;

pub use crate::db::jobs::{JobKind, Outcome};

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
                tracing::error!(error = %e, "job worker panicked");
            }
        }
    }
}

async fn run_worker(app: AppState, n: usize, mut stopped: watch::Receiver<bool>) {
    let mut events = app.events.subscribe();
    let poll = app.config.agent.poll_interval;
    tracing::debug!(worker = n, "job worker started");
    if n == 0 {
        schedule_recurring(&app).await;
    }
    while !*stopped.borrow() {
        match run_due(&app).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "job worker could not claim jobs");
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
    tracing::debug!(worker = n, "job worker stopped");
}

/// Makes sure the recurring jobs exist (idempotent; replicas agree by dedupe key).
async fn schedule_recurring(app: &AppState) {
    let scheduled = match app.db().await {
        Ok(mut conn) => crate::activity::message_counts::schedule_current(&mut conn)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.message()),
    };
    if let Err(error) = scheduled {
        tracing::warn!(%error, "could not schedule the hourly message counts");
    }
    if let Err(e) = crate::privacy::retention::ensure_scheduled(app).await {
        tracing::warn!(error = %e, "could not schedule the retention purge");
    }
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
    match jobs::next_due(&mut conn, JobKind::ALL).await {
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
        jobs::claim(&mut conn, JobKind::ALL, Utc::now().naive_utc(), lease, 1).await?
    };
    let Some(job) = claimed.into_iter().next() else {
        return Ok(false);
    };
    run_job(app, &job).await;
    Ok(true)
}

/// Runs one claimed job and records its outcome.
pub async fn run_job(app: &AppState, job: &Job) {
    let outcome = match job.spec.kind {
        JobKind::AiReply => crate::agent::worker::reply(app, job).await,
        JobKind::OptOutNotice => crate::agent::worker::opt_out_notice(app, job).await,
        JobKind::SendMessage => crate::sender::run_send_job(app, job).await,
        JobKind::FollowUp => {
            crate::follow_ups::run_job(app, job, crate::agent::follow_up::write).await
        }
        JobKind::DealApproval => crate::deal_approvals::run_job(app, job).await,
        JobKind::MessageCounts => crate::activity::message_counts::run_job(app, job).await,
        JobKind::RetentionPurge => crate::privacy::retention::run_job(app, job).await,
        JobKind::MediaDownload => crate::media::run_job(app, job).await,
    };
    if let Err(e) = record(app, job, outcome).await {
        tracing::error!(error = %e, job = job.id, "could not record a job's outcome; its lease will expire");
    }
}

/// Writes an outcome on the job's row.
async fn record(app: &AppState, job: &Job, outcome: Outcome) -> anyhow::Result<()> {
    let now = Utc::now().naive_utc();
    match outcome {
        Outcome::Settled | Outcome::Abandoned => {}
        Outcome::Done(note) => {
            let mut conn = app.db().await?;
            jobs::complete(&mut conn, job, now, note.as_deref()).await?;
        }
        Outcome::Retry(error) => {
            let at = now + backoff(app.config.agent.retry_base, job.attempts);
            let mut conn = app.db().await?;
            jobs::retry_later(&mut conn, job, at, &error).await?;
        }
        Outcome::RetryAt(at, error) => {
            let mut conn = app.db().await?;
            jobs::retry_later(&mut conn, job, at, &error).await?;
        }
    }
    Ok(())
}

/// The wait after a failed attempt number `attempts`: `base`, doubling per attempt.
fn backoff(base: Duration, attempts: i32) -> chrono::Duration {
    let factor = 2u32.saturating_pow(u32::try_from(attempts.max(1) - 1).unwrap_or(0));
    chrono::Duration::from_std(base.saturating_mul(factor)).unwrap_or(chrono::Duration::seconds(5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_doubling_from_the_base() {
        let base = Duration::from_secs(2);
        assert_eq!(backoff(base, 1), chrono::Duration::seconds(2));
        assert_eq!(backoff(base, 2), chrono::Duration::seconds(4));
        assert_eq!(backoff(base, 4), chrono::Duration::seconds(16));
        assert_eq!(backoff(base, 0), chrono::Duration::seconds(2));
    }
}
