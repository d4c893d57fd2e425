//! The application state shared by every request, worker and test.

use std::sync::Arc;

use crate::config::Config;
use crate::db::{DbConn, DbPool};
use crate::error::AppResult;
use crate::events::EventBus;
use crate::ingest::IngestQueue;
use crate::limits::{FleetLimiter, RateLimits, SendPacer};

/// Everything a request handler or worker needs, built once at start.
pub struct App {
    /// Configuration read from the environment at start.
    pub config: Config,
    /// MySQL connection pool; ask for a connection with [`App::db`].
    db: DbPool,
    /// Outbound HTTP client (Meta Graph API, Anthropic), with timeouts set.
    pub http: reqwest::Client,
    /// Live events for subscriptions (in-process broadcast, relayed across replicas
    /// through the broker when there is one).
    pub events: EventBus,
    /// The webhook ingest writer (group commit); see [`crate::ingest`].
    pub ingest: IngestQueue,
    /// Per-caller API rate limits (fleet-wide with Redis).
    pub rate_limits: RateLimits,
    /// Outbound throughput per business number (Meta's messages-per-second limit;
    /// fleet-wide with Redis).
    pub send_pacer: SendPacer,
}

impl App {
    /// Builds the state from a configuration, a pool, the event bus and the ingest
    /// writer started on that bus (wired in [`crate::init`]).
    pub fn new(
        config: Config,
        db: DbPool,
        events: EventBus,
        ingest: IngestQueue,
    ) -> anyhow::Result<App> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .connect_timeout(std::time::Duration::from_secs(5))
            .user_agent(concat!("wasales/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let fleet_limiter = config
            .fleet
            .redis_url
            .as_ref()
            .map(|url| FleetLimiter::new(url, &config.fleet.prefix))
            .transpose()?;
        Ok(App {
            db,
            http,
            events,
            ingest,
            rate_limits: RateLimits::new(fleet_limiter.clone(), config.agent.previews_per_minute),
            send_pacer: SendPacer::for_fleet(config.meta_number_mps, fleet_limiter),
            config,
        })
    }

    /// A pooled database connection (pool exhaustion becomes `UNAVAILABLE`).
    pub async fn db(&self) -> AppResult<DbConn> {
        Ok(self.db.get().await?)
    }

    /// The pool itself, for health reporting.
    pub fn pool(&self) -> &DbPool {
        &self.db
    }
}

/// Cheap-to-clone handle to [`App`]; also an axum state type.
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}
