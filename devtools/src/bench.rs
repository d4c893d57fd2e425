//! What the benchmarks share: a fresh database of their own, a business with the demo
//! number connected through a quiet Graph API stand-in, the server in-process, signed
//! webhook posts (the simulator's too), and latency percentiles.

use std::future::Future;

use anyhow::Context;
use backend::app::AppState;
use backend::auth::Caller;
use backend::config::Config;
use backend::webhooks::WEBHOOK_PATH;
use secrecy::{ExposeSecret, SecretString};
use standins::graph::GraphStandin;
use standins::webhook::SIGNATURE_HEADER;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use backend::accounts::SignUp;

use crate::demo;

/// Runs `bench` on a database of its own (`wasales_<prefix>_<uuid>` on the configured
/// server), created by the server's start and dropped afterwards, whatever the outcome.
pub async fn on_fresh_database<F, Fut>(
    mut config: Config,
    prefix: &str,
    bench: F,
) -> anyhow::Result<()>
where
    F: FnOnce(Config) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let (server, _) = backend::db::split_database_url(config.database_url.expose_secret())?;
    let database_url = format!("{server}wasales_{prefix}_{}", uuid::Uuid::new_v4().simple());
    config.database_url = SecretString::from(database_url.clone());
    config.bind_addr = "127.0.0.1:0".parse().expect("literal address");
    let result = bench(config).await;
    backend::db::drop_database(&database_url).await?;
    result
}

/// A benchmark's business: the demo number connected (through `graph`, which must know
/// it: [`demo::register_number`]) under this name; returns the owner.
pub async fn business(
    app: &AppState,
    graph: &GraphStandin,
    name: &str,
    country: &str,
    currency: &str,
    email: &str,
) -> anyhow::Result<Caller> {
    demo::register_number(graph, name);
    let sign_up = SignUp {
        business_name: name.into(),
        country: country.into(),
        currency: Some(currency.into()),
        email: email.into(),
        ..demo::owner()
    };
    let owner = demo::sign_up(app, sign_up).await?;
    demo::connect(app, owner.business_id).await?;
    Ok(owner)
}

/// The demo owner's business, signed up on `app`'s database, with a READ API token
/// named `label`: returns the business id and the token.
pub async fn business_with_read_token(
    app: &AppState,
    label: &str,
) -> anyhow::Result<(u64, String)> {
    let owner = demo::sign_up(app, demo::owner()).await?;
    let token = backend::auth::new_api_token_secret();
    let mut conn = app.db().await?;
    backend::db::sessions::create_api_token(
        &mut conn,
        owner.business_id.0,
        label,
        &token,
        shared::ApiTokenScope::Read,
    )
    .await?;
    Ok((owner.business_id.0, token))
}

/// Seeds `count` customers of `business`, each with a chat, in multi-row inserts of
/// `batch`: customer `i` is `(number, name)` of `customer(i)` (quote-free text).
pub async fn seed_customers(
    conn: &mut diesel_async::AsyncMysqlConnection,
    business: u64,
    count: usize,
    batch: usize,
    customer: impl Fn(usize) -> (String, String),
) -> anyhow::Result<()> {
    use diesel_async::RunQueryDsl;
    for start in (0..count).step_by(batch.max(1)) {
        let values: Vec<String> = (start..(start + batch).min(count))
            .map(|i| {
                let (number, name) = customer(i);
                format!("({business}, '{number}', '{name}')")
            })
            .collect();
        diesel::sql_query(format!(
            "INSERT INTO contacts (business_id, wa_id, profile_name) VALUES {}",
            values.join(",")
        ))
        .execute(conn)
        .await?;
    }
    diesel::sql_query(format!(
        "INSERT INTO chats (business_id, contact_id, last_message_at) \
         SELECT business_id, id, UTC_TIMESTAMP() FROM contacts WHERE business_id = {business}"
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// The server running in this process on a loopback port, until [`InProcess::stop`].
pub struct InProcess {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl InProcess {
    /// Serves `app` (routes and workers) on `127.0.0.1:0`.
    pub async fn start(app: &AppState) -> anyhow::Result<InProcess> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(backend::serve(app.clone(), listener, async {
            let _ = stopped.await;
        }));
        Ok(InProcess { base, stop, task })
    }

    /// The webhook URL Meta would post to.
    pub fn webhook_url(&self) -> String {
        format!("{}{WEBHOOK_PATH}", self.base)
    }

    /// Shuts the server down gracefully and waits for it.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await.context("server task")?
    }
}

/// A signed delivery `(body, signature)` posted to `url` as Meta posts it.
pub fn signed_post(
    client: &reqwest::Client,
    url: &str,
    (body, signature): &(Vec<u8>, String),
) -> reqwest::RequestBuilder {
    client
        .post(url)
        .header(SIGNATURE_HEADER, signature.as_str())
        .header("content-type", "application/json")
        .body(body.clone())
}

/// The `p`th percentile of `sorted` microseconds, in milliseconds (`empty` when none).
pub fn percentile_ms(sorted: &[u64], p: f64, empty: f64) -> f64 {
    if sorted.is_empty() {
        return empty;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

/// The `n` column of `sql`'s one row (`SELECT COUNT(*) AS n ...`).
pub async fn count(
    conn: &mut diesel_async::AsyncMysqlConnection,
    sql: &str,
) -> anyhow::Result<i64> {
    use diesel::QueryableByName;
    use diesel_async::RunQueryDsl;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let row: Row = diesel::sql_query(sql).get_result(conn).await?;
    Ok(row.n)
}
