//! WhatsApp AI Sales server.
//!
//! Layout: `config` (environment), `app` (shared state), `db` (pool, migrations,
//! models), `error` (edge error policy), `auth` (sessions, tokens), domain modules
//! (`accounts`, `catalog`, `whatsapp` connections, `ingest` of webhooks, `sender`,
//! `inbox`, `agent`: the AI salesperson, `jobs`: the job runner, `orders`: the order
//! rules, `privacy`: export, erasure, account deletion, retention), integrations (`meta` Graph API client and webhook payloads, `anthropic`
//! Messages API client), `graphql` (API parts), `http` (routes), `webhooks` (Meta's
//! webhook route), `limits` (rate limits). The development tools (demo, simulator,
//! benchmarks, stand-ins) live in the `devtools` and `standins` crates.

pub mod accounts;
pub mod activity;
pub mod agent;
pub mod anthropic;
pub mod api_tokens;
pub mod app;
pub mod auth;
pub mod blacklist;
pub mod calendar;
pub mod catalog;
pub mod config;
pub mod contact;
pub mod crypto;
pub mod db;
pub mod deal_approvals;
pub mod error;
pub mod events;
pub mod follow_ups;
pub mod graphql;
pub mod home;
pub mod http;
pub mod inbox;
pub mod ingest;
pub mod jobs;
pub mod limits;
pub mod media;
pub mod meta;
pub mod orders;
pub mod privacy;
pub mod rekey;
pub mod sender;
pub mod staff;
pub mod templates;
pub mod webhooks;
pub mod whatsapp;

use std::sync::Arc;

use secrecy::ExposeSecret;

use crate::app::{App, AppState};
use crate::config::Config;

/// Prepares the database (create, migrate) and builds the app state, starting the
/// ingest writer (its own thread and database connection) with the reply scheduler.
pub async fn init(config: Config) -> anyhow::Result<AppState> {
    let url = config.database_url.expose_secret().to_string();
    db::create_database_if_missing(&url).await?;
    db::run_migrations(&url).await?;
    let pool = db::build_pool(&url, config.db_pool_size)?;
    let events = events::EventBus::for_fleet(&config.fleet);
    let ingest = ingest::IngestQueue::start(
        url,
        pool.clone(),
        events.clone(),
        agent::enqueue::ReplyScheduler::new(&config.agent),
    )?;
    Ok(AppState(Arc::new(App::new(config, pool, events, ingest)?)))
}

/// Serves the app on an already-bound listener, with the job workers, until
/// `shutdown` resolves; then lets in-flight requests finish, drains the ingest writer
/// (every queued delivery is committed and answered) and lets running jobs finish.
pub async fn serve(
    app: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let router = http::router(app.clone());
    let workers = jobs::Workers::start(app.clone());
    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    app.ingest.shutdown().await;
    workers.shutdown().await;
    served?;
    Ok(())
}
