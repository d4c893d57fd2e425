//! Messages in and out, as counts: once an hour, each business with any messages in the
//! past hour gets one `messages` entry ("12 messages in, 9 out"); content never enters
//! the log.
//!
//! It runs on the job runner as one `message_counts` job per hour (dedupe key
//! `message_counts:<hour>`), so two replicas count each hour once: the entries, the
//! job's completion and the next hour's job commit in one transaction, and a run that
//! finds its job already done writes nothing. A server that was down catches up hour
//! by hour (each run schedules the next); one that starts schedules the current hour's
//! job if none exists.

use chrono::{DateTime, Duration, DurationRound, NaiveDateTime, Utc};
use diesel_async::{AsyncConnection, AsyncMysqlConnection};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::{ActivityId, ActivityKind, BusinessId};

use super::{Actor, Entry, Subject, append};
use crate::app::AppState;
use crate::db::activity as model;
use crate::db::jobs::{self, Job, JobKind, NewJob, Outcome};
use crate::error::AppResult;
use crate::events::{DomainEvent, EventKind};

/// How long after an hour ends its messages are counted (late commits land first).
const GRACE_SECONDS: i64 = 60;

#[derive(Serialize, Deserialize)]
struct Payload {
    hour: DateTime<Utc>,
}

/// The start of the hour `at` falls in.
fn hour_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::hours(1)).unwrap_or(at)
}

/// The job that counts the hour starting at `hour` (due a minute after it ends).
pub fn job_for(hour: DateTime<Utc>) -> NewJob {
    NewJob {
        business_id: None,
        kind: JobKind::MessageCounts,
        dedupe_key: Some(format!(
            "{}:{}",
            JobKind::MessageCounts.as_str(),
            hour.timestamp()
        )),
        payload: json!(Payload { hour }).to_string(),
        run_at: (hour + Duration::hours(1) + Duration::seconds(GRACE_SECONDS)).naive_utc(),
        max_attempts: 10,
    }
}

/// Schedules the current hour's count unless it is (called when workers start).
pub async fn schedule_current(conn: &mut AsyncMysqlConnection) -> diesel::QueryResult<bool> {
    jobs::enqueue_once(conn, &job_for(hour_of(Utc::now()))).await
}

/// The entry for one business's hour.
fn entry(
    inbound: i64,
    outbound: i64,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    business: BusinessId,
) -> Entry {
    let noun = if inbound == 1 { "message" } else { "messages" };
    Entry::new(
        ActivityKind::Messages,
        Some(Subject::business(business)),
        format!(
            "{inbound} {noun} in, {outbound} out ({}–{} UTC)",
            from.format("%H:%M"),
            until.format("%H:%M")
        ),
    )
    .details(json!({
        "inbound": inbound,
        "outbound": outbound,
        "from": from.to_rfc3339(),
        "until": until.to_rfc3339(),
    }))
}

/// Runs a claimed `message_counts` job (see the module docs).
pub async fn run_job(app: &AppState, job: &Job) -> Outcome {
    let Ok(Payload { hour }) = serde_json::from_str::<Payload>(&job.spec.payload) else {
        return Outcome::Done(Some("unreadable payload".into()));
    };
    match count_hour(app, job, hour).await {
        Ok(written) => {
            for (business_id, id) in written {
                app.events.publish(DomainEvent {
                    business_id,
                    kind: EventKind::ActivityAdded { activity_id: id.0 },
                });
            }
            Outcome::Settled
        }
        Err(e) => Outcome::Retry(e.message()),
    }
}

async fn count_hour(
    app: &AppState,
    job: &Job,
    hour: DateTime<Utc>,
) -> AppResult<Vec<(BusinessId, ActivityId)>> {
    let from: NaiveDateTime = hour.naive_utc();
    let until_utc = hour + Duration::hours(1);
    let until = until_utc.naive_utc();
    let mut conn = app.db().await?;
    let written = conn
        .transaction(async |conn| {
            if !jobs::finish_in_transaction(conn, job).await? {
                return Ok(Vec::new());
            }
            let mut written = Vec::new();
            for (business_id, inbound, outbound) in model::message_counts(conn, from, until).await?
            {
                let entry = entry(inbound, outbound, hour, until_utc, business_id);
                let id = append(conn, business_id, &Actor::system(), entry).await?;
                written.push((business_id, id));
            }
            jobs::enqueue_once(conn, &job_for(until_utc)).await?;
            diesel::QueryResult::Ok(written)
        })
        .await?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_is_counted_a_minute_after_it_ends_under_one_key() {
        let at = DateTime::parse_from_rfc3339("2026-12-07T16:42:10Z")
            .unwrap()
            .with_timezone(&Utc);
        let hour = hour_of(at);
        assert_eq!(hour.to_rfc3339(), "2026-12-07T16:00:00+00:00");
        let job = job_for(hour);
        assert_eq!(job.run_at.to_string(), "2026-12-07 17:01:00");
        assert_eq!(
            job.dedupe_key,
            job_for(hour_of(hour + Duration::minutes(59))).dedupe_key
        );
        assert_ne!(
            job.dedupe_key,
            job_for(hour + Duration::hours(1)).dedupe_key
        );
    }

    #[test]
    fn the_entry_counts_without_content() {
        let hour = hour_of(Utc::now());
        let e = entry(1, 3, hour, hour + Duration::hours(1), BusinessId(7));
        assert!(
            e.summary.starts_with("1 message in, 3 out ("),
            "{}",
            e.summary
        );
        assert_eq!(e.details["inbound"], 1);
        assert_eq!(e.details["outbound"], 3);
    }
}
