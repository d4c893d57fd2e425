//! Database access: the connection pool, database creation and migrations.
//!
//! Model code lives in `db/<model>.rs`: async functions taking
//! `conn: &mut AsyncMysqlConnection` first and returning `QueryResult<T>`.

pub mod agent;
pub mod chats;
pub mod contacts;
pub mod inbox;
pub mod jobs;
pub mod messages;
pub mod orders;
pub mod outbound;
pub mod products;
pub mod schema;
pub mod sessions;
pub mod tenants;
pub mod whatsapp;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// Every migration in `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// The pool type.
pub type DbPool = Pool<AsyncMysqlConnection>;
/// A pooled connection.
pub type DbConn = Object<AsyncMysqlConnection>;

/// Builds the pool (connections are opened lazily).
pub fn build_pool(database_url: &str, size: usize) -> anyhow::Result<DbPool> {
    let manager = AsyncDieselConnectionManager::<AsyncMysqlConnection>::new(database_url);
    Pool::builder(manager)
        .max_size(size)
        .build()
        .context("building the database pool")
}

/// Splits `mysql://user@host:port/name?opts` into the server URL and the database name.
pub fn split_database_url(database_url: &str) -> anyhow::Result<(String, String)> {
    let mut url = url::Url::parse(database_url).context("DATABASE_URL is not a URL")?;
    let name = url.path().trim_start_matches('/').to_string();
    anyhow::ensure!(
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "DATABASE_URL must name a database made of letters, digits and underscores"
    );
    url.set_path("/");
    Ok((url.to_string(), name))
}

/// Creates the database when it does not exist yet.
pub async fn create_database_if_missing(database_url: &str) -> anyhow::Result<()> {
    let (server_url, name) = split_database_url(database_url)?;
    let mut conn = AsyncMysqlConnection::establish(&server_url)
        .await
        .context("connecting to the database server (is MariaDB running?)")?;
    diesel::sql_query(format!(
        "CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    ))
    .execute(&mut conn)
    .await
    .context("creating the database")?;
    Ok(())
}

/// Drops a database (tests use one database each). Connections still open on it are
/// ended first: a test's runtime stops mid-way (a worker between two statements of a
/// claim), and its idle transaction would otherwise hold a metadata lock that blocks
/// `DROP DATABASE` forever.
pub async fn drop_database(database_url: &str) -> anyhow::Result<()> {
    let (server_url, name) = split_database_url(database_url)?;
    let mut conn = AsyncMysqlConnection::establish(&server_url).await?;
    #[derive(diesel::QueryableByName)]
    struct Session {
        #[diesel(sql_type = diesel::sql_types::Unsigned<diesel::sql_types::BigInt>)]
        id: u64,
    }
    let sessions: Vec<Session> = diesel::sql_query(
        "SELECT CAST(id AS UNSIGNED) AS id FROM information_schema.processlist \
         WHERE db = ? AND id <> CONNECTION_ID()",
    )
    .bind::<diesel::sql_types::Text, _>(&name)
    .load(&mut conn)
    .await?;
    for s in sessions {
        // A session may end by itself meanwhile: ignore "unknown thread".
        let _ = diesel::sql_query(format!("KILL {}", s.id))
            .execute(&mut conn)
            .await;
    }
    diesel::sql_query(format!("DROP DATABASE IF EXISTS `{name}`"))
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// Applies every pending migration. Runs on a blocking thread: diesel's migration
/// harness is synchronous.
pub async fn run_migrations(database_url: &str) -> anyhow::Result<()> {
    let url = database_url.to_string();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut conn =
            <AsyncConnectionWrapper<AsyncMysqlConnection> as diesel::Connection>::establish(&url)
                .context("connecting to run migrations")?;
        conn.batch_execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'")
            .context("setting sql_mode")?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("running migrations: {e}"))?;
        for version in applied {
            tracing::info!(%version, "applied migration");
        }
        Ok(())
    })
    .await
    .context("migration task panicked")?
}
