//! Configuration, read once at start from the environment (and `.env` when present).
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `APP_ENV` | `development` | `production` refuses to start without real secrets: a secret left at its documented development value, shorter than its minimum or all one character (an all-zero key) stops the server with one line on stderr; the demo refuses to run |
//! | `DATABASE_URL` | `mysql://root@127.0.0.1:3306/wasales` | MySQL/MariaDB database (created if missing) |
//! | `BIND_ADDR` | `127.0.0.1:8080` | where the HTTP server listens |
//! | `PUBLIC_URL` | `http://{BIND_ADDR}` | how the outside world reaches us (webhook URL shown to owners) |
//! | `STATIC_DIR` | `frontend/dist` | the built dashboard served at `/` |
//! | `JWT_SECRET` | a development secret | signs dashboard session tokens (HS256) |
//! | `SESSION_TTL_HOURS` | `168` | how long a dashboard login lasts |
//! | `DATA_KEY` | a development key | 32 bytes, hex or base64: AES-256-GCM key for secrets at rest |
//! | `DATA_KEY_PREVIOUS` | unset | during a key rotation, the key before `DATA_KEY`: still read, never written; `wasales reencrypt` rewrites every secret under `DATA_KEY` |
//! | `META_APP_SECRET` | a development secret | verifies `X-Hub-Signature-256` on webhooks |
//! | `META_VERIFY_TOKEN` | `wasales-dev-verify-token` | answers Meta's webhook verification handshake |
//! | `META_SYSTEM_TOKEN` | unset | system-user token used for sends instead of each business's own |
//! | `META_APP_ID` | unset | the operator's Meta app id; with `META_ES_CONFIG_ID`, owners connect their number through Meta's Embedded Signup (its webhooks are verified with `META_APP_SECRET`) |
//! | `META_ES_CONFIG_ID` | unset | the Facebook Login for Business configuration id of Embedded Signup |
//! | `META_SDK_URL` | `https://connect.facebook.net/en_US/sdk.js` | Meta's JavaScript SDK the dashboard loads for Embedded Signup (tests point it at a stand-in) |
//! | `META_GRAPH_URL` | `https://graph.facebook.com/v21.0` | Graph API base (tests and demos point it at a stand-in) |
//! | `SEND_RETRY_BASE_MS` | `1000` | first retry delay of an outbound send (doubles each attempt) |
//! | `SEND_MAX_ATTEMPTS` | `6` | attempts before a retryable send failure is recorded as failed |
//! | `META_NUMBER_MPS` | `80` | messages per second we send from one business number (Meta's default throughput; raise it for upgraded numbers, up to 1000) |
//! | `ANTHROPIC_API_KEY` | unset | server-wide Claude key (a business may set its own) |
//! | `ANTHROPIC_BASE_URL` | `https://api.anthropic.com` | Messages API base |
//! | `ANTHROPIC_MODEL` | `claude-sonnet-4-5` | model id |
//! | `DB_POOL_SIZE` | `16` | database connections |
//! | `NATS_URL` | unset | NATS server carrying live events between replicas (preferred over Redis for events) |
//! | `REDIS_URL` | unset | Redis server for the fleet-wide limits (send pacing, API rate limits), and for live events when `NATS_URL` is unset |
//! | `FLEET_PREFIX` | `wasales.{database name}` | prefix of broker subjects/channels and Redis keys: replicas sharing it act as one fleet |
//! | `TRUSTED_PROXIES` | empty | comma-separated IP addresses or CIDR blocks of the reverse proxies in front of us; only a peer in this list is believed about `X-Forwarded-For` |
//! | `LOGIN_FAILURES_PER_ACCOUNT` | `10` | wrong passwords an account may receive in 15 minutes before log-in is refused for it |
//! | `LOGIN_FAILURES_PER_IP` | `50` | wrong passwords one IP address may send in 15 minutes (any accounts) |
//! | `SIGN_UPS_PER_IP` | `20` | sign-ups one IP address may make in an hour |
//! | `RUST_LOG` | `info` | log filter; `LOG_FORMAT=json` for JSON logs |
//!
//! The AI salesperson's pipeline settings are read by [`agent::AgentConfig`].

pub mod agent;
mod proxies;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;

use anyhow::{Context, bail};
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};

pub use proxies::TrustedProxies;

const DEV_JWT_SECRET: &str = "dev-only-jwt-secret-change-me-in-production";
const DEV_DATA_KEY_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const DEV_APP_SECRET: &str = "dev-only-meta-app-secret";
const DEV_VERIFY_TOKEN: &str = "wasales-dev-verify-token";

/// Why `value` is no secret for production, if it is not: a development value, too
/// short, or one character repeated (`000...`, `aaa...`).
fn weak_secret(value: &str, dev_values: &[&str], min_len: usize) -> Option<String> {
    let value = value.trim();
    if dev_values.contains(&value) {
        return Some("is the documented development value; generate a real secret".into());
    }
    if value.chars().count() < min_len {
        return Some(format!("is too short: at least {min_len} characters"));
    }
    let mut chars = value.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Some("is one character repeated; generate a real secret".into());
    }
    None
}

/// Everything the server is configured with. Secrets are `SecretString` so they cannot
/// be printed by accident (their `Debug` shows `[REDACTED]`).
#[derive(Debug, Clone)]
pub struct Config {
    /// `APP_ENV=production`: real secrets required, no demo.
    pub production: bool,
    /// MySQL connection URL.
    pub database_url: SecretString,
    /// Listen address.
    pub bind_addr: SocketAddr,
    /// Public base URL, without a trailing slash.
    pub public_url: String,
    /// Directory of the built SPA.
    pub static_dir: String,
    /// HS256 secret for session JWTs.
    pub jwt_secret: SecretString,
    /// Session lifetime in hours.
    pub session_ttl_hours: i64,
    /// AES-256-GCM key for encrypted columns.
    pub data_key: DataKey,
    /// The previous AES key during a rotation (`DATA_KEY_PREVIOUS`): read only.
    pub data_key_previous: Option<DataKey>,
    /// Meta app secret (webhook signatures).
    pub meta_app_secret: SecretString,
    /// Meta webhook verify token.
    pub meta_verify_token: SecretString,
    /// The operator's Meta app id (Embedded Signup), when configured.
    pub meta_app_id: Option<String>,
    /// The Embedded Signup configuration id, when configured.
    pub meta_es_config_id: Option<String>,
    /// Where the dashboard loads Meta's JavaScript SDK from.
    pub meta_sdk_url: String,
    /// Optional system-user token for outbound sends.
    pub meta_system_token: Option<SecretString>,
    /// Graph API base URL.
    pub meta_graph_url: String,
    /// First retry delay of an outbound send; later retries double it.
    pub send_retry_base: std::time::Duration,
    /// Attempts (the first included) before a retryable send failure becomes `failed`.
    pub send_max_attempts: u32,
    /// Messages per second sent from one business number (Meta's throughput limit).
    pub meta_number_mps: u32,
    /// Optional server-wide Anthropic key.
    pub anthropic_api_key: Option<SecretString>,
    /// Anthropic API base URL.
    pub anthropic_base_url: String,
    /// Anthropic model id.
    pub anthropic_model: String,
    /// Database pool size.
    pub db_pool_size: usize,
    /// The AI reply pipeline (debounce, workers, retries, limits).
    pub agent: agent::AgentConfig,
    /// What replicas share: the broker and Redis (both optional).
    pub fleet: FleetConfig,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// Password-guessing limits (log-in, sign-up, password change).
    pub auth_limits: AuthLimits,
}

/// How many authentication attempts are allowed, counted in the database so that the
/// limits hold across replicas.
#[derive(Debug, Clone, Copy)]
pub struct AuthLimits {
    /// Wrong passwords one account may receive per [`AuthLimits::FAILURE_WINDOW_MINUTES`].
    pub failures_per_account: u32,
    /// Wrong passwords one IP address may send per [`AuthLimits::FAILURE_WINDOW_MINUTES`].
    pub failures_per_ip: u32,
    /// Sign-ups one IP address may make per [`AuthLimits::SIGN_UP_WINDOW_MINUTES`].
    pub sign_ups_per_ip: u32,
}

impl AuthLimits {
    /// The window wrong passwords are counted in.
    pub const FAILURE_WINDOW_MINUTES: i64 = 15;
    /// The window sign-ups are counted in.
    pub const SIGN_UP_WINDOW_MINUTES: i64 = 60;
}

impl Default for AuthLimits {
    fn default() -> Self {
        AuthLimits {
            failures_per_account: 10,
            failures_per_ip: 50,
            sign_ups_per_ip: 20,
        }
    }
}

/// How replicas find each other. With neither URL set, a replica works alone: live
/// events stay in process and limits are kept in memory.
#[derive(Debug, Clone, Default)]
pub struct FleetConfig {
    /// NATS server for live events (`NATS_URL`); may carry credentials.
    pub nats_url: Option<SecretString>,
    /// Redis server for limits, and for events without NATS (`REDIS_URL`).
    pub redis_url: Option<SecretString>,
    /// Prefix of subjects, channels and keys (`FLEET_PREFIX`).
    pub prefix: String,
}

impl FleetConfig {
    /// The prefix replicas of one database share by default: `wasales.` and the
    /// database name from `database_url` (parallel test databases never meet).
    pub fn default_prefix(database_url: &str) -> String {
        let name = database_url
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .split('?')
            .next()
            .unwrap_or_default();
        let name: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("wasales.{name}")
    }
}

/// A 32-byte key; `Debug` never shows it.
#[derive(Clone)]
pub struct DataKey(pub [u8; 32]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey([REDACTED])")
    }
}

impl DataKey {
    /// Parses 32 bytes given as 64 hex digits or base64.
    pub fn parse(text: &str) -> anyhow::Result<DataKey> {
        let text = text.trim();
        let bytes = hex::decode(text)
            .ok()
            .or_else(|| base64::engine::general_purpose::STANDARD.decode(text).ok())
            .context("DATA_KEY must be 32 bytes as hex or base64")?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| anyhow::anyhow!("DATA_KEY must be exactly 32 bytes"))?;
        Ok(DataKey(key))
    }

    /// Why this key must not protect production data, if it must not: the documented
    /// development key, or every byte the same (an all-zero key).
    pub fn weakness(&self) -> Option<&'static str> {
        let dev = DataKey::parse(DEV_DATA_KEY_HEX).ok();
        if dev.is_some_and(|d| d.0 == self.0) {
            return Some(
                "is the documented development key; generate one with `openssl rand -hex 32`",
            );
        }
        if self.0.iter().all(|b| *b == self.0[0]) {
            return Some(
                "is one byte repeated (e.g. all zeros); generate one with `openssl rand -hex 32`",
            );
        }
        None
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number_var(name: &str, default: u32) -> anyhow::Result<u32> {
    var(name)
        .map(|v| {
            v.parse()
                .with_context(|| format!("{name} must be a number"))
        })
        .transpose()
        .map(|v| v.unwrap_or(default).max(1))
}

impl Config {
    /// Reads the environment (after loading `.env` when present).
    pub fn from_env() -> anyhow::Result<Config> {
        let _ = dotenvy::dotenv();
        let production = var("APP_ENV").is_some_and(|v| v.eq_ignore_ascii_case("production"));
        let required_secret = |name: &str, dev: &str| -> anyhow::Result<SecretString> {
            match var(name) {
                Some(v) => Ok(SecretString::from(v)),
                None if production => bail!("{name} must be set when APP_ENV=production"),
                None => Ok(SecretString::from(dev.to_string())),
            }
        };
        let bind_addr: SocketAddr = var("BIND_ADDR")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .context("BIND_ADDR must be host:port")?;
        let data_key = match var("DATA_KEY") {
            Some(v) => DataKey::parse(&v)?,
            None if production => bail!("DATA_KEY must be set when APP_ENV=production"),
            None => DataKey::parse(DEV_DATA_KEY_HEX)?,
        };
        let jwt_secret = required_secret("JWT_SECRET", DEV_JWT_SECRET)?;
        let database_url =
            var("DATABASE_URL").unwrap_or_else(|| "mysql://root@127.0.0.1:3306/wasales".into());
        let fleet = FleetConfig {
            nats_url: var("NATS_URL").map(SecretString::from),
            redis_url: var("REDIS_URL").map(SecretString::from),
            prefix: var("FLEET_PREFIX")
                .unwrap_or_else(|| FleetConfig::default_prefix(&database_url)),
        };
        let config = Config {
            production,
            database_url: SecretString::from(database_url),
            public_url: var("PUBLIC_URL")
                .unwrap_or_else(|| format!("http://{bind_addr}"))
                .trim_end_matches('/')
                .to_string(),
            bind_addr,
            static_dir: var("STATIC_DIR").unwrap_or_else(|| "frontend/dist".into()),
            jwt_secret,
            session_ttl_hours: var("SESSION_TTL_HOURS")
                .map(|v| v.parse().context("SESSION_TTL_HOURS must be a number"))
                .transpose()?
                .unwrap_or(168),
            data_key,
            data_key_previous: var("DATA_KEY_PREVIOUS")
                .map(|v| DataKey::parse(&v).context("DATA_KEY_PREVIOUS"))
                .transpose()?,
            meta_app_secret: required_secret("META_APP_SECRET", DEV_APP_SECRET)?,
            meta_verify_token: required_secret("META_VERIFY_TOKEN", DEV_VERIFY_TOKEN)?,
            meta_system_token: var("META_SYSTEM_TOKEN").map(SecretString::from),
            meta_app_id: var("META_APP_ID").map(|v| v.trim().to_string()),
            meta_es_config_id: var("META_ES_CONFIG_ID").map(|v| v.trim().to_string()),
            meta_sdk_url: var("META_SDK_URL")
                .unwrap_or_else(|| "https://connect.facebook.net/en_US/sdk.js".into()),
            meta_graph_url: var("META_GRAPH_URL")
                .unwrap_or_else(|| "https://graph.facebook.com/v21.0".into())
                .trim_end_matches('/')
                .to_string(),
            send_retry_base: std::time::Duration::from_millis(
                var("SEND_RETRY_BASE_MS")
                    .map(|v| v.parse().context("SEND_RETRY_BASE_MS must be a number"))
                    .transpose()?
                    .unwrap_or(1000),
            ),
            send_max_attempts: var("SEND_MAX_ATTEMPTS")
                .map(|v| v.parse().context("SEND_MAX_ATTEMPTS must be a number"))
                .transpose()?
                .unwrap_or(6)
                .max(1),
            meta_number_mps: var("META_NUMBER_MPS")
                .map(|v| v.parse().context("META_NUMBER_MPS must be a number"))
                .transpose()?
                .unwrap_or(80)
                .clamp(1, 1000),
            anthropic_api_key: var("ANTHROPIC_API_KEY").map(SecretString::from),
            anthropic_base_url: var("ANTHROPIC_BASE_URL")
                .unwrap_or_else(|| "https://api.anthropic.com".into())
                .trim_end_matches('/')
                .to_string(),
            anthropic_model: var("ANTHROPIC_MODEL").unwrap_or_else(|| "claude-sonnet-4-5".into()),
            db_pool_size: var("DB_POOL_SIZE")
                .map(|v| v.parse().context("DB_POOL_SIZE must be a number"))
                .transpose()?
                .unwrap_or(16),
            agent: agent::AgentConfig::from_env()?,
            fleet,
            trusted_proxies: TrustedProxies::parse(&var("TRUSTED_PROXIES").unwrap_or_default())?,
            auth_limits: AuthLimits {
                failures_per_account: number_var("LOGIN_FAILURES_PER_ACCOUNT", 10)?,
                failures_per_ip: number_var("LOGIN_FAILURES_PER_IP", 50)?,
                sign_ups_per_ip: number_var("SIGN_UPS_PER_IP", 20)?,
            },
        };
        if production {
            config.check_production_secrets()?;
        }
        Ok(config)
    }

    /// In production, refuses every secret that is its documented development value,
    /// shorter than its minimum, or all one character (an all-zero key); the error is
    /// one line naming the variable, never its value.
    pub fn check_production_secrets(&self) -> anyhow::Result<()> {
        let checks: [(&str, Option<&SecretString>, &[&str], usize); 5] = [
            ("JWT_SECRET", Some(&self.jwt_secret), &[DEV_JWT_SECRET], 32),
            (
                "META_APP_SECRET",
                Some(&self.meta_app_secret),
                &[DEV_APP_SECRET],
                16,
            ),
            (
                "META_VERIFY_TOKEN",
                Some(&self.meta_verify_token),
                &[DEV_VERIFY_TOKEN],
                16,
            ),
            (
                "META_SYSTEM_TOKEN",
                self.meta_system_token.as_ref(),
                &[],
                20,
            ),
            (
                "ANTHROPIC_API_KEY",
                self.anthropic_api_key.as_ref(),
                &[],
                20,
            ),
        ];
        for (name, value, dev_values, min_len) in checks {
            if let Some(problem) =
                value.and_then(|v| weak_secret(v.expose_secret(), dev_values, min_len))
            {
                bail!("refusing to start in production: {name} {problem}");
            }
        }
        if let Some(problem) = self.data_key.weakness() {
            bail!("refusing to start in production: DATA_KEY {problem}");
        }
        if let Some(problem) = self.data_key_previous.as_ref().and_then(DataKey::weakness) {
            bail!("refusing to start in production: DATA_KEY_PREVIOUS {problem}");
        }
        Ok(())
    }

    /// Refuses the demo (demo data, a fake Meta) when `APP_ENV=production`.
    pub fn refuse_demo_in_production(&self) -> anyhow::Result<()> {
        if self.production {
            bail!(
                "refusing to run the demo with APP_ENV=production: it seeds a demo account with a published password"
            );
        }
        Ok(())
    }

    /// A development configuration for tests: given database, ephemeral port.
    pub fn for_tests(database_url: &str) -> Config {
        Config {
            production: false,
            database_url: SecretString::from(database_url.to_string()),
            bind_addr: "127.0.0.1:0".parse().expect("valid literal address"),
            public_url: "http://127.0.0.1".into(),
            static_dir: "frontend/dist".into(),
            jwt_secret: SecretString::from(DEV_JWT_SECRET.to_string()),
            session_ttl_hours: 168,
            data_key: DataKey::parse(DEV_DATA_KEY_HEX).expect("valid dev key"),
            data_key_previous: None,
            meta_app_secret: SecretString::from(DEV_APP_SECRET.to_string()),
            meta_verify_token: SecretString::from(DEV_VERIFY_TOKEN.to_string()),
            meta_system_token: None,
            meta_app_id: None,
            meta_es_config_id: None,
            meta_sdk_url: "/meta-sdk-standin.js".into(),
            meta_graph_url: "http://127.0.0.1:9/unset".into(),
            send_retry_base: std::time::Duration::from_millis(20),
            send_max_attempts: 4,
            meta_number_mps: 80,
            anthropic_api_key: None,
            anthropic_base_url: "http://127.0.0.1:9/unset".into(),
            anthropic_model: "claude-sonnet-4-5".into(),
            db_pool_size: 8,
            agent: agent::AgentConfig::for_tests(),
            fleet: FleetConfig {
                prefix: FleetConfig::default_prefix(database_url),
                ..FleetConfig::default()
            },
            trusted_proxies: TrustedProxies::default(),
            auth_limits: AuthLimits::default(),
        }
    }

    /// The keys that open secrets at rest: `DATA_KEY` first, then `DATA_KEY_PREVIOUS`.
    pub fn data_keys(&self) -> Vec<&DataKey> {
        std::iter::once(&self.data_key)
            .chain(self.data_key_previous.as_ref())
            .collect()
    }

    /// The URL Meta must call with webhooks.
    pub fn webhook_url(&self) -> String {
        format!("{}/webhooks/whatsapp", self.public_url)
    }
}
