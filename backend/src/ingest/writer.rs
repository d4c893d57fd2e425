//! Group commit: one writer task takes every delivery queued while the previous batch
//! was committing, stores them in one transaction, and only then answers each
//! request. Throughput grows with load (bigger batches, same number of commits)
//! while "200 only after commit" holds for every single delivery.
//!
//! The writer runs on its own thread (a current-thread Tokio runtime) with its own
//! database connection: each of its round trips to MySQL then waits only for MySQL,
//! not behind hundreds of HTTP tasks in the server's run queue, which on a 2-core
//! machine is the difference between ~2,500 and well over 5,000 messages a second.
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncMysqlConnection};
use shared::ConnectionId;
use tokio::sync::{Mutex, Notify, mpsc, oneshot};

use super::store::{self, Route, outcome};
use super::{Delivery, ROUTE_CACHE_TTL, ReplyHook};
use crate::db::DbPool;
use crate::events::EventBus;

/// Most deliveries committed together.
pub const MAX_BATCH_DELIVERIES: usize = 512;
/// Most raw bytes committed together (stays well under MySQL's `max_allowed_packet`).
pub const MAX_BATCH_BYTES: usize = 8 * 1024 * 1024;
/// Deliveries waiting for the writers before `submit` waits too (back-pressure).
pub const QUEUE_CAPACITY: usize = 8192;
/// `whatsapp_connections.last_webhook_at` is refreshed at most this often per number
/// (one statement saved on nearly every batch).
pub const TOUCH_INTERVAL: Duration = Duration::from_secs(1);

/// The answer a request gets once its delivery is durable (or cannot be).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestAck {
    /// Committed: contacts, chats, messages, statuses and the raw event (or, when
    /// processing failed, the raw event with outcome `error`). Answer 200.
    Stored,
    /// Nothing could be stored (database down, shutting down). Answer 503: Meta
    /// retries.
    Unavailable,
    /// Not a Meta notification; kept raw with outcome `malformed` (never from the
    /// writer, see [`IngestQueue::receive`]). Answer 400.
    Malformed,
}

struct Job {
    delivery: Delivery,
    reply: oneshot::Sender<IngestAck>,
}

/// Handle to the writer tasks; the application state holds one.
///
/// There are [`WRITERS`] writers, each on its own thread and connection, and a
/// delivery goes to the writer its customer hashes to: batches of different writers
/// commit in parallel, while one customer's deliveries stay in order on one writer
/// (so two writers never race to create the same contact or chat).
pub struct IngestQueue {
    /// The server's pool, for what is stored outside a batch (malformed bodies).
    pub(super) db: DbPool,
    senders: Vec<mpsc::Sender<Job>>,
    stops: Vec<Arc<Notify>>,
    finished: Mutex<Vec<oneshot::Receiver<()>>>,
}

/// Writers committing in parallel.
pub const WRITERS: usize = 3;

impl IngestQueue {
    /// Starts the writer threads; each connects to `database_url` on its own (`db`
    /// serves the rest). Committed changes are published on `events`; `replies`
    /// schedules the AI reply jobs inside each batch's transaction.
    pub fn start(
        database_url: String,
        db: DbPool,
        events: EventBus,
        replies: impl ReplyHook,
    ) -> anyhow::Result<IngestQueue> {
        let mut senders = Vec::with_capacity(WRITERS);
        let mut stops = Vec::with_capacity(WRITERS);
        let mut finished = Vec::with_capacity(WRITERS);
        for n in 0..WRITERS {
            let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY / WRITERS);
            let stop = Arc::new(Notify::new());
            let (done, finished_rx) = oneshot::channel();
            let writer = Writer {
                database_url: database_url.clone(),
                conn: None,
                events: events.clone(),
                replies,
                routes: HashMap::new(),
                touched: HashMap::new(),
            };
            let writer_stop = stop.clone();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            std::thread::Builder::new()
                .name(format!("ingest-writer-{n}"))
                .spawn(move || {
                    runtime.block_on(writer.run(receiver, writer_stop));
                    let _ = done.send(());
                })?;
            senders.push(sender);
            stops.push(stop);
            finished.push(finished_rx);
        }
        Ok(IngestQueue {
            db,
            senders,
            stops,
            finished: Mutex::new(finished),
        })
    }

    /// Queues a delivery and waits until it is committed.
    pub async fn submit(&self, delivery: Delivery) -> IngestAck {
        let shard = usize::try_from(shard_key(&delivery) % self.senders.len() as u64).unwrap_or(0);
        let (reply, answer) = oneshot::channel();
        if self.senders[shard]
            .send(Job { delivery, reply })
            .await
            .is_err()
        {
            return IngestAck::Unavailable;
        }
        answer.await.unwrap_or(IngestAck::Unavailable)
    }

    /// Stops taking deliveries, commits what is queued, and waits for the writers.
    pub async fn shutdown(&self) {
        for stop in &self.stops {
            stop.notify_one();
        }
        let finished: Vec<_> = self.finished.lock().await.drain(..).collect();
        for done in finished {
            if done.await.is_err() {
                tracing::error!("ingest writer stopped abnormally");
            }
        }
    }
}

/// Which writer a delivery goes to: its first customer (BSUID first, phone second),
/// or for status-only deliveries its first status's message.
fn shard_key(delivery: &Delivery) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    if let Some(change) = delivery.changes.first() {
        change.phone_number_id.hash(&mut hasher);
        let customer = change
            .messages
            .first()
            .map(|m| &m.sender)
            .or(change.identities.first());
        match (customer, change.statuses.first()) {
            (Some(who), _) => who
                .user_id
                .as_ref()
                .or(who.wa_id.as_ref())
                .hash(&mut hasher),
            (None, Some(status)) => status.wamid.hash(&mut hasher),
            (None, None) => {}
        }
    }
    hasher.finish()
}

struct Writer<R> {
    database_url: String,
    /// The writer's own connection; dropped after an error and opened again.
    conn: Option<AsyncMysqlConnection>,
    events: EventBus,
    replies: R,
    /// phone_number_id -> (looked up at, connected route if any).
    routes: HashMap<String, (Instant, Option<Route>)>,
    /// connection id -> when its `last_webhook_at` was last set.
    touched: HashMap<ConnectionId, Instant>,
}

impl<R: ReplyHook> Writer<R> {
    async fn run(mut self, mut receiver: mpsc::Receiver<Job>, stop: Arc<Notify>) {
        let stopping = stop.notified();
        tokio::pin!(stopping);
        let mut closed = false;
        loop {
            let first = tokio::select! {
                job = receiver.recv() => match job {
                    Some(job) => job,
                    None => break,
                },
                () = &mut stopping, if !closed => {
                    // Refuse new deliveries; `recv` still yields the queued ones.
                    receiver.close();
                    closed = true;
                    continue;
                }
            };
            let mut bytes = first.delivery.raw.len();
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH_DELIVERIES && bytes < MAX_BATCH_BYTES {
                match receiver.try_recv() {
                    Ok(job) => {
                        bytes += job.delivery.raw.len();
                        batch.push(job);
                    }
                    Err(_) => break,
                }
            }
            self.commit(batch).await;
        }
    }

    async fn commit(&mut self, batch: Vec<Job>) {
        let routes = match self.routes_for(&batch).await {
            Ok(routes) => routes,
            Err(e) => {
                tracing::error!(error = %e, "resolving webhook routes failed");
                answer_all(batch, IngestAck::Unavailable);
                return;
            }
        };
        let now = Instant::now();
        let touch: HashSet<ConnectionId> = routes
            .values()
            .map(|r| r.connection_id)
            .filter(|id| {
                self.touched
                    .get(id)
                    .is_none_or(|at| now.duration_since(*at) >= TOUCH_INTERVAL)
            })
            .collect();
        let deliveries: Vec<&Delivery> = batch.iter().map(|j| &j.delivery).collect();
        let replies = self.replies;
        let result = match self.conn().await {
            Ok(conn) => store::write_batch(conn, &deliveries, &routes, &touch, &replies)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        drop(deliveries);
        match result {
            Ok(events) => {
                for id in touch {
                    self.touched.insert(id, now);
                }
                for event in events {
                    self.events.publish(event);
                }
                answer_all(batch, IngestAck::Stored);
            }
            Err(e) => {
                tracing::warn!(error = %e, deliveries = batch.len(), "batch failed; storing one by one");
                self.conn = None;
                for job in batch {
                    let ack = self.commit_alone(&job.delivery, &routes).await;
                    let _ = job.reply.send(ack);
                }
            }
        }
    }

    /// One delivery in its own transaction (tried twice: a deadlock is transient);
    /// when it still fails, its raw body is kept with outcome `error`.
    async fn commit_alone(
        &mut self,
        delivery: &Delivery,
        routes: &HashMap<String, Route>,
    ) -> IngestAck {
        let touched: Vec<Route> = delivery
            .changes
            .iter()
            .filter_map(|c| routes.get(&c.phone_number_id).copied())
            .collect();
        let touch: HashSet<ConnectionId> = touched.iter().map(|r| r.connection_id).collect();
        let mut last_error = String::new();
        for _ in 0..2 {
            let replies = self.replies;
            let conn = match self.conn().await {
                Ok(conn) => conn,
                Err(e) => {
                    tracing::error!(error = %e, "ingest writer cannot reach the database");
                    return IngestAck::Unavailable;
                }
            };
            match store::write_batch(conn, &[delivery], routes, &touch, &replies).await {
                Ok(events) => {
                    for event in events {
                        self.events.publish(event);
                    }
                    return IngestAck::Stored;
                }
                Err(e) => {
                    last_error = e.to_string();
                    self.conn = None;
                }
            }
        }
        tracing::error!(error = %last_error, "webhook delivery could not be processed; kept raw");
        let conn = match self.conn().await {
            Ok(conn) => conn,
            Err(_) => return IngestAck::Unavailable,
        };
        match store::record_unprocessed(
            conn,
            &delivery.raw,
            outcome::ERROR,
            "processing failed; the raw event is kept for replay",
            &touched,
        )
        .await
        {
            Ok(()) => IngestAck::Stored,
            Err(e) => {
                tracing::error!(error = %e, "could not even keep the raw webhook event");
                IngestAck::Unavailable
            }
        }
    }

    /// Connected routes for every number the batch names, from the cache when fresh.
    async fn routes_for(&mut self, batch: &[Job]) -> anyhow::Result<HashMap<String, Route>> {
        let now = Instant::now();
        let mut missing: Vec<String> = Vec::new();
        for job in batch {
            for change in &job.delivery.changes {
                let fresh = self
                    .routes
                    .get(&change.phone_number_id)
                    .is_some_and(|(at, _)| now.duration_since(*at) < ROUTE_CACHE_TTL);
                if !fresh && !missing.contains(&change.phone_number_id) {
                    missing.push(change.phone_number_id.clone());
                }
            }
        }
        if !missing.is_empty() {
            let found = match store::load_routes(self.conn().await?, &missing).await {
                Ok(found) => found,
                Err(e) => {
                    self.conn = None;
                    return Err(e.into());
                }
            };
            if self.routes.len() > 10_000 {
                self.routes
                    .retain(|_, (at, _)| now.duration_since(*at) < ROUTE_CACHE_TTL);
            }
            for pnid in missing {
                let route = found.get(&pnid).copied();
                self.routes.insert(pnid, (now, route));
            }
        }
        let mut routes = HashMap::new();
        for job in batch {
            for change in &job.delivery.changes {
                if let Some((_, Some(route))) = self.routes.get(&change.phone_number_id) {
                    routes.insert(change.phone_number_id.clone(), *route);
                }
            }
        }
        Ok(routes)
    }
}

impl<R: ReplyHook> Writer<R> {
    /// The writer's connection, opened when needed.
    async fn conn(&mut self) -> anyhow::Result<&mut AsyncMysqlConnection> {
        if self.conn.is_none() {
            let mut conn = AsyncMysqlConnection::establish(&self.database_url).await?;
            // Writers insert disjoint customers; READ COMMITTED avoids the gap locks
            // that would make their concurrent multi-row inserts wait on each other.
            diesel_async::RunQueryDsl::execute(
                diesel::sql_query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"),
                &mut conn,
            )
            .await?;
            self.conn = Some(conn);
        }
        Ok(self.conn.as_mut().expect("just opened"))
    }
}

fn answer_all(batch: Vec<Job>, ack: IngestAck) {
    for job in batch {
        let _ = job.reply.send(ack);
    }
}
