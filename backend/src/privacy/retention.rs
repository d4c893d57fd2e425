//! The retention purge: a job of the one job runner, safe with replicas.
//!
//! One `retention_purge` job exists (a fixed deduplication key); it is claimed like any
//! job (`FOR UPDATE SKIP LOCKED`, leased), so two replicas never purge at once, and
//! each run schedules the next one [`PURGE_EVERY`] later. The first worker of every
//! server makes sure the job exists (enqueueing it again never postpones it). A run:
//!
//! - deletes each business's messages stored more than its `messageRetentionDays` ago
//!   (and the previews of chats whose last message went), and logs the count in the
//!   business's activity (by the system);
//! - deletes raw webhook bodies received more than [`WEBHOOK_BODY_DAYS`] ago, those no
//!   business could be found for after [`UNROUTABLE_BODY_DAYS`], and statuses that
//!   never found their message after [`WEBHOOK_BODY_DAYS`]; counts go to the log
//!   (`tracing`), as they belong to no business.
//!
//! Deletes run in batches; the lease is renewed between batches and a worker that lost
//! it stops.

use chrono::{Duration, NaiveDateTime, Utc};
use serde_json::json;
use shared::{ActivityKind, BusinessId};

use crate::activity::{self, Actor, Entry};
use crate::app::{App, AppState};
use crate::db::jobs::{self, Job, JobKind, Lease, NewJob, Outcome};
use crate::db::privacy as model;

/// How often the purge runs.
pub const PURGE_EVERY: Duration = Duration::hours(1);
/// Raw webhook bodies are kept at most this many days.
pub const WEBHOOK_BODY_DAYS: i64 = 30;
/// Raw webhook bodies no business could be found for are kept at most this many days.
pub const UNROUTABLE_BODY_DAYS: i64 = 7;
/// The purge job's deduplication key (one such job exists).
pub const PURGE_KEY: &str = "retention_purge";

/// What one purge deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purged {
    /// Messages per business (businesses with none deleted are left out).
    pub messages: Vec<(BusinessId, usize)>,
    /// Raw webhook bodies older than [`WEBHOOK_BODY_DAYS`].
    pub webhook_events: usize,
    /// Unroutable raw webhook bodies older than [`UNROUTABLE_BODY_DAYS`].
    pub unroutable_webhook_events: usize,
    /// Statuses that never found their message.
    pub pending_statuses: usize,
}

fn purge_job(run_at: NaiveDateTime) -> NewJob {
    NewJob {
        business_id: None,
        kind: JobKind::RetentionPurge,
        dedupe_key: Some(PURGE_KEY.to_string()),
        payload: "{}".to_string(),
        run_at,
        max_attempts: 5,
    }
}

/// Makes sure the purge job exists (due now when it did not; an existing one keeps its
/// time).
pub async fn ensure_scheduled(app: &App) -> anyhow::Result<()> {
    let mut conn = app.db().await?;
    jobs::enqueue(&mut conn, &[purge_job(Utc::now().naive_utc())]).await?;
    Ok(())
}

/// Runs the claimed purge job, scheduling the next run first.
pub async fn run_job(app: &AppState, job: &Job) -> Outcome {
    let lease = chrono::Duration::from_std(app.config.agent.job_lease)
        .map(|length| Lease::of(job, length))
        .ok();
    let next = async {
        let mut conn = app.db().await?;
        jobs::enqueue(
            &mut conn,
            &[purge_job(Utc::now().naive_utc() + PURGE_EVERY)],
        )
        .await?;
        anyhow::Ok(())
    };
    if let Err(e) = next.await {
        return Outcome::Retry(format!("could not schedule the next purge: {e}"));
    }
    match purge(app, Utc::now().naive_utc(), lease.as_ref()).await {
        Ok(Some(purged)) => Outcome::Done(Some(format!(
            "purged {} messages, {} webhook bodies, {} unroutable webhook bodies, {} statuses",
            purged.messages.iter().map(|(_, n)| n).sum::<usize>(),
            purged.webhook_events,
            purged.unroutable_webhook_events,
            purged.pending_statuses
        ))),
        Ok(None) => Outcome::Abandoned,
        Err(e) => Outcome::Retry(format!("purge failed: {e}")),
    }
}

/// Deletes what is older than its limit at `now` (module docs). With a `lease`, stops
/// (`None`) as soon as it no longer holds the job.
pub async fn purge(
    app: &App,
    now: NaiveDateTime,
    lease: Option<&Lease>,
) -> anyhow::Result<Option<Purged>> {
    let mut conn = app.db().await?;
    let mut purged = Purged::default();
    for (business_id, days) in model::businesses_with_retention(&mut conn).await? {
        let cutoff = now - Duration::days(i64::from(days));
        let mut deleted = 0;
        loop {
            if !still_held(&mut conn, lease).await? {
                return Ok(None);
            }
            let n = model::purge_messages_batch(&mut conn, business_id, cutoff).await?;
            deleted += n;
            if (n as i64) < model::DELETE_BATCH {
                break;
            }
        }
        if deleted > 0 {
            let business = BusinessId(business_id);
            purged.messages.push((business, deleted));
            let entry = Entry::new(
                ActivityKind::MessagesPurged,
                None,
                format!("Retention: {deleted} messages older than {days} days deleted"),
            )
            .details(json!({ "messages": deleted, "retention_days": days }));
            activity::record_quietly(&mut conn, &app.events, business, &Actor::system(), entry)
                .await;
        }
    }
    let body_cutoff = now - Duration::days(WEBHOOK_BODY_DAYS);
    let unroutable_cutoff = now - Duration::days(UNROUTABLE_BODY_DAYS);
    loop {
        if !still_held(&mut conn, lease).await? {
            return Ok(None);
        }
        let n = model::purge_webhook_events_batch(&mut conn, body_cutoff, false).await?;
        purged.webhook_events += n;
        let u = model::purge_webhook_events_batch(&mut conn, unroutable_cutoff, true).await?;
        purged.unroutable_webhook_events += u;
        let p = model::purge_pending_statuses_batch(&mut conn, body_cutoff).await?;
        purged.pending_statuses += p;
        if (n.max(u).max(p) as i64) < model::DELETE_BATCH {
            break;
        }
    }
    tracing::info!(
        businesses = purged.messages.len(),
        messages = purged.messages.iter().map(|(_, n)| n).sum::<usize>(),
        webhook_events = purged.webhook_events,
        unroutable_webhook_events = purged.unroutable_webhook_events,
        pending_statuses = purged.pending_statuses,
        "retention purge done"
    );
    Ok(Some(purged))
}

/// Whether this run still holds its job (always, without a lease: tests and tools).
async fn still_held(
    conn: &mut diesel_async::AsyncMysqlConnection,
    lease: Option<&Lease>,
) -> anyhow::Result<bool> {
    Ok(match lease {
        Some(lease) => lease.hold(conn).await?,
        None => true,
    })
}
