//! The durable work queue (`jobs`): enqueued inside the transaction that makes the work
//! necessary, claimed with `FOR UPDATE SKIP LOCKED` (safe with several replicas),
//! leased for a while (a worker that dies releases its job when the lease passes),
//! retried with backoff, and kept when done (`done_at` is set), except a message's send
//! job settled by the sender itself (the message row records the outcome).
//!
//! A job with a `dedupe_key` exists once: enqueueing it again pushes its `run_at`
//! forward (the reply debounce) and revives it when it was done. A worker finishing
//! a job whose `run_at` moved while it ran (new work arrived) leaves it pending.
//!
//! The runner that claims and dispatches jobs is [`crate::jobs`]; what a run comes to
//! is an [`Outcome`] (here, below every module that runs jobs, so each can return it).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Datetime, Integer, Nullable, Text, Unsigned, Varchar};
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};
use shared::BusinessId;

use super::schema::jobs;

/// What a job does (the `kind` column). A stored kind this build does not know is an
/// error when read, never taken for another; claims only ever select known kinds.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = Text)]
pub enum JobKind {
    /// Answer a chat with the AI salesperson (payload `{"chat_id": n}`).
    AiReply,
    /// Confirm a STOP opt-out to the customer (payload `{"chat_id": n}`).
    OptOutNotice,
    /// Send (again) a pending outbound message (payload `{"message_id": n, "request":
    /// <the Graph API request>}`).
    SendMessage,
    /// Send a scheduled follow-up when it is due (payload `{"follow_up_id": n}`).
    FollowUp,
    /// Expire an undecided deal approval when due, and answer the customer with the
    /// decision (payload `{"deal_approval_id": n}`).
    DealApproval,
    /// Log each business's messages in and out of one past hour as counts (payload
    /// `{"hour": "<RFC 3339 start>"}`); each run schedules the next hour's.
    MessageCounts,
    /// Delete what the retention limits say is too old (one job for the whole server,
    /// rescheduled by each run; payload `{}`).
    RetentionPurge,
    /// Download the file of a customer's media message from Meta and keep it (payload
    /// `{"message_id": n}`).
    MediaDownload,
}

impl JobKind {
    /// Every kind.
    pub const ALL: &'static [JobKind] = &[
        JobKind::AiReply,
        JobKind::OptOutNotice,
        JobKind::SendMessage,
        JobKind::FollowUp,
        JobKind::DealApproval,
        JobKind::MessageCounts,
        JobKind::RetentionPurge,
        JobKind::MediaDownload,
    ];

    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::AiReply => "ai_reply",
            JobKind::OptOutNotice => "opt_out_notice",
            JobKind::SendMessage => "send_message",
            JobKind::FollowUp => "follow_up",
            JobKind::DealApproval => "deal_approval",
            JobKind::MessageCounts => "message_counts",
            JobKind::RetentionPurge => "retention_purge",
            JobKind::MediaDownload => "media_download",
        }
    }

    /// Parses the stored text; `None` for anything unknown.
    pub fn parse(text: &str) -> Option<JobKind> {
        JobKind::ALL.iter().copied().find(|k| k.as_str() == text)
    }
}

impl diesel::serialize::ToSql<Text, diesel::mysql::Mysql> for JobKind {
    fn to_sql<'b>(
        &'b self,
        out: &mut diesel::serialize::Output<'b, '_, diesel::mysql::Mysql>,
    ) -> diesel::serialize::Result {
        diesel::serialize::ToSql::<Text, diesel::mysql::Mysql>::to_sql(self.as_str(), out)
    }
}

impl diesel::deserialize::FromSql<Text, diesel::mysql::Mysql> for JobKind {
    fn from_sql(value: diesel::mysql::MysqlValue<'_>) -> diesel::deserialize::Result<Self> {
        let text =
            <String as diesel::deserialize::FromSql<Text, diesel::mysql::Mysql>>::from_sql(value)?;
        JobKind::parse(&text)
            .ok_or_else(|| format!("unknown job kind {text:?} in the database").into())
    }
}

/// What became of one run of a job (recorded on its row by the runner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Finished; the note says why nothing (more) was done, if so.
    Done(Option<String>),
    /// Failed for now: again after the runner's backoff (why).
    Retry(String),
    /// Failed for now: again at this time (why).
    RetryAt(NaiveDateTime, String),
    /// Finished, and the job row already went with the work's own write (a message's
    /// send job, deleted when the message is marked sent or failed).
    Settled,
    /// Given up: this worker's lease passed and another worker claimed the job (see
    /// [`Lease`]); the row is theirs, nothing is recorded.
    Abandoned,
}

/// A worker's claim on a job, for fencing: before a step that must happen once (a
/// message sent, an order recorded), [`Lease::hold`] checks that the job is still
/// this claim's and extends the lease from now, in one locked read and write. A worker
/// slower than its lease (a model that takes minutes) finds the job re-claimed by
/// another worker and stops instead of doing the step twice.
#[derive(Debug)]
pub struct Lease {
    job_id: u64,
    /// The claim's attempt number: a new claim counts another.
    attempts: i32,
    /// The lease end this claim last set (as stored).
    held_until: std::sync::Mutex<Option<NaiveDateTime>>,
    length: chrono::Duration,
}

impl Lease {
    /// The claim `job` came with; each [`Lease::hold`] extends it by `length`.
    pub fn of(job: &Job, length: chrono::Duration) -> Lease {
        Lease {
            job_id: job.id,
            attempts: job.attempts,
            held_until: std::sync::Mutex::new(job.locked_until),
            length,
        }
    }

    /// Whether this claim still holds the job; when it does, the lease now ends
    /// `length` from now.
    pub async fn hold(&self, conn: &mut AsyncMysqlConnection) -> QueryResult<bool> {
        let Some(held_until) = self.held_until.lock().ok().and_then(|h| *h) else {
            return Ok(false);
        };
        let (job_id, attempts) = (self.job_id, self.attempts);
        let until = chrono::Utc::now().naive_utc() + self.length;
        let renewed = conn
            .transaction(async |conn| {
                let current: Option<(i32, Option<NaiveDateTime>, Option<NaiveDateTime>)> =
                    jobs::table
                        .find(job_id)
                        .select((jobs::attempts, jobs::locked_until, jobs::done_at))
                        .for_update()
                        .first(conn)
                        .await
                        .optional()?;
                if !matches!(current, Some((a, Some(l), None)) if a == attempts && l == held_until)
                {
                    return Ok(None);
                }
                diesel::update(jobs::table.find(job_id))
                    .set(jobs::locked_until.eq(until))
                    .execute(conn)
                    .await?;
                jobs::table
                    .find(job_id)
                    .select(jobs::locked_until)
                    .first::<Option<NaiveDateTime>>(conn)
                    .await
            })
            .await?;
        let held = renewed.is_some();
        if let Ok(mut h) = self.held_until.lock() {
            *h = renewed;
        }
        Ok(held)
    }
}

/// A claimed job: what was enqueued, and its attempts.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs, check_for_backend(diesel::mysql::Mysql))]
pub struct Job {
    /// Id.
    pub id: u64,
    /// What was enqueued; its `run_at` is when it became due (as claimed).
    #[diesel(embed)]
    pub spec: NewJob,
    /// Attempts so far, this claim included.
    pub attempts: i32,
    /// Lease end.
    pub locked_until: Option<NaiveDateTime>,
    /// Last failure.
    pub last_error: Option<String>,
}

/// A job to enqueue (and the enqueued part of a claimed [`Job`]).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs, check_for_backend(diesel::mysql::Mysql))]
pub struct NewJob {
    /// Tenant, when the job belongs to one.
    pub business_id: Option<BusinessId>,
    /// What to do.
    pub kind: JobKind,
    /// Deduplication key (one live job per key).
    pub dedupe_key: Option<String>,
    /// JSON payload.
    pub payload: String,
    /// When it is due.
    pub run_at: NaiveDateTime,
    /// Attempts allowed.
    pub max_attempts: i32,
}

/// Enqueues jobs in one statement. A job whose `dedupe_key` exists gets the later
/// `run_at` and, when it was done (or dead), is revived with fresh attempts.
pub async fn enqueue(conn: &mut AsyncMysqlConnection, new: &[NewJob]) -> QueryResult<()> {
    if new.is_empty() {
        return Ok(());
    }
    let mut sql = String::from(
        "INSERT INTO jobs (business_id, kind, dedupe_key, payload, run_at, max_attempts) VALUES ",
    );
    for i in 0..new.len() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str("(?, ?, ?, ?, ?, ?)");
    }
    // Order matters: MySQL evaluates the assignments left to right, so `attempts` and
    // `last_error` look at `done_at` before it is cleared.
    sql.push_str(
        " ON DUPLICATE KEY UPDATE \
         attempts = IF(done_at IS NULL AND attempts < max_attempts, attempts, 0), \
         last_error = IF(done_at IS NULL, last_error, NULL), \
         run_at = GREATEST(run_at, VALUES(run_at)), \
         payload = VALUES(payload), \
         done_at = NULL",
    );
    let mut query = diesel::sql_query(sql).into_boxed::<diesel::mysql::Mysql>();
    for j in new {
        query = query
            .bind::<Nullable<Unsigned<BigInt>>, _>(j.business_id)
            .bind::<Varchar, _>(j.kind.as_str())
            .bind::<Nullable<Varchar>, _>(j.dedupe_key.clone())
            .bind::<Text, _>(j.payload.clone())
            .bind::<Datetime, _>(j.run_at)
            .bind::<Integer, _>(j.max_attempts);
    }
    query.execute(conn).await.map(|_| ())
}

/// Enqueues a job unless one with its `dedupe_key` exists, live or done (never
/// revives finished work, unlike [`enqueue`]); true when it was added.
pub async fn enqueue_once(conn: &mut AsyncMysqlConnection, new: &NewJob) -> QueryResult<bool> {
    let n = diesel::sql_query(
        "INSERT IGNORE INTO jobs (business_id, kind, dedupe_key, payload, run_at, max_attempts) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind::<Nullable<Unsigned<BigInt>>, _>(new.business_id)
    .bind::<Varchar, _>(new.kind.as_str())
    .bind::<Nullable<Varchar>, _>(new.dedupe_key.clone())
    .bind::<Text, _>(new.payload.clone())
    .bind::<Datetime, _>(new.run_at)
    .bind::<Integer, _>(new.max_attempts)
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// Marks a claimed job done from inside the transaction that does its work, so the
/// work and its completion commit together; false when it was already done (the
/// work must not be done twice).
pub async fn finish_in_transaction(
    conn: &mut AsyncMysqlConnection,
    job: &Job,
) -> QueryResult<bool> {
    let n = diesel::update(
        jobs::table
            .filter(jobs::id.eq(job.id))
            .filter(jobs::done_at.is_null()),
    )
    .set((
        jobs::done_at.eq(Some(chrono::Utc::now().naive_utc())),
        jobs::locked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// Claims up to `limit` due jobs of the given kinds: locks them until `now + lease`
/// and counts the attempt. Jobs locked by another worker are skipped, not waited for.
pub async fn claim(
    conn: &mut AsyncMysqlConnection,
    kinds: &[JobKind],
    now: NaiveDateTime,
    lease: chrono::Duration,
    limit: i64,
) -> QueryResult<Vec<Job>> {
    conn.transaction(async |conn| {
        let ids: Vec<u64> = jobs::table
            .filter(jobs::done_at.is_null())
            .filter(jobs::kind.eq_any(kinds))
            .filter(jobs::run_at.le(now))
            .filter(jobs::locked_until.is_null().or(jobs::locked_until.le(now)))
            .filter(jobs::attempts.lt(jobs::max_attempts))
            .order(jobs::run_at)
            .limit(limit)
            .select(jobs::id)
            .for_update()
            .skip_locked()
            .load(conn)
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(jobs::table.filter(jobs::id.eq_any(&ids)))
            .set((
                jobs::locked_until.eq(now + lease),
                jobs::attempts.eq(jobs::attempts + 1),
            ))
            .execute(conn)
            .await?;
        jobs::table
            .filter(jobs::id.eq_any(&ids))
            .order(jobs::run_at)
            .select(Job::as_select())
            .load(conn)
            .await
    })
    .await
}

/// The earliest time a job of these kinds becomes claimable (for a worker's sleep).
pub async fn next_due(
    conn: &mut AsyncMysqlConnection,
    kinds: &[JobKind],
) -> QueryResult<Option<NaiveDateTime>> {
    jobs::table
        .filter(jobs::done_at.is_null())
        .filter(jobs::kind.eq_any(kinds))
        .filter(jobs::attempts.lt(jobs::max_attempts))
        .select(diesel::dsl::sql::<Nullable<Datetime>>(
            "MIN(GREATEST(run_at, COALESCE(locked_until, run_at)))",
        ))
        .first(conn)
        .await
}

/// Marks a job done, unless its `run_at` moved past the claimed one while it ran (new
/// work arrived): then it is released to run again. Returns whether it is done.
pub async fn complete(
    conn: &mut AsyncMysqlConnection,
    job: &Job,
    now: NaiveDateTime,
    note: Option<&str>,
) -> QueryResult<bool> {
    let done = diesel::update(
        jobs::table
            .filter(jobs::id.eq(job.id))
            .filter(jobs::run_at.le(job.spec.run_at)),
    )
    .set((
        jobs::done_at.eq(Some(now)),
        jobs::locked_until.eq(None::<NaiveDateTime>),
        jobs::last_error.eq(note),
    ))
    .execute(conn)
    .await?;
    if done == 0 {
        diesel::update(jobs::table.filter(jobs::id.eq(job.id)))
            .set((
                jobs::locked_until.eq(None::<NaiveDateTime>),
                jobs::attempts.eq(0),
            ))
            .execute(conn)
            .await?;
    }
    Ok(done > 0)
}

/// Schedules another attempt at `retry_at` and records why this one failed.
pub async fn retry_later(
    conn: &mut AsyncMysqlConnection,
    job: &Job,
    retry_at: NaiveDateTime,
    error: &str,
) -> QueryResult<()> {
    diesel::update(jobs::table.filter(jobs::id.eq(job.id)))
        .set((
            jobs::run_at.eq(diesel::dsl::sql::<Datetime>("GREATEST(run_at, ")
                .bind::<Datetime, _>(retry_at)
                .sql(")")),
            jobs::locked_until.eq(None::<NaiveDateTime>),
            jobs::last_error.eq(clip(error)),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

fn clip(s: &str) -> String {
    s.chars().take(2000).collect()
}

/// A job by id (tests and tools).
pub async fn find(conn: &mut AsyncMysqlConnection, id: u64) -> QueryResult<Option<Job>> {
    jobs::table
        .find(id)
        .select(Job::as_select())
        .first(conn)
        .await
        .optional()
}

/// The deduplication key of a chat's reply job.
pub fn reply_key(chat_id: u64) -> String {
    format!("{}:{chat_id}", JobKind::AiReply.as_str())
}

/// The deduplication key of an outbound message's send job.
pub fn send_key(message_id: u64) -> String {
    format!("{}:{message_id}", JobKind::SendMessage.as_str())
}

/// Deletes the job with this key: its work was settled outside a worker and its own
/// row records the outcome (a message's send job once the message is sent or failed).
pub async fn delete_by_key(conn: &mut AsyncMysqlConnection, key: &str) -> QueryResult<()> {
    diesel::delete(jobs::table.filter(jobs::dedupe_key.eq(key)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Moves the job with this key to `run_at` (earlier or later) and records why.
pub async fn reschedule_by_key(
    conn: &mut AsyncMysqlConnection,
    key: &str,
    run_at: NaiveDateTime,
    error: &str,
) -> QueryResult<()> {
    diesel::update(jobs::table.filter(jobs::dedupe_key.eq(key)))
        .set((
            jobs::run_at.eq(run_at),
            jobs::locked_until.eq(None::<NaiveDateTime>),
            jobs::last_error.eq(clip(error)),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The deduplication key of a follow-up's job.
pub fn follow_up_key(follow_up_id: u64) -> String {
    format!("{}:{follow_up_id}", JobKind::FollowUp.as_str())
}

/// The deduplication key of a chat's opt-out notice.
pub fn opt_out_key(chat_id: u64) -> String {
    format!("{}:{chat_id}", JobKind::OptOutNotice.as_str())
}
