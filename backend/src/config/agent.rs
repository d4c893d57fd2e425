//! Settings of the AI salesperson's pipeline (jobs, provider retries, abuse limits).
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `AI_REPLY_DEBOUNCE_MS` | `2000` | wait after a customer's last message before answering (several quick messages get one answer) |
//! | `AGENT_WORKERS` | `4` | reply workers per server (0 disables them on this replica) |
//! | `JOB_POLL_MS` | `500` | longest a worker sleeps before looking for due jobs again |
//! | `JOB_LEASE_SECS` | `120` | how long a claimed job stays locked; a worker that died releases it when this passes |
//! | `JOB_RETRY_BASE_MS` | `2000` | first retry delay of a failed job (doubles each attempt) |
//! | `AI_MAX_ATTEMPTS` | `3` | attempts at the model before the built-in responder answers |
//! | `ANTHROPIC_MAX_RETRIES` | `2` | quick retries of one request on 429/529/5xx (honouring `retry-after`) |
//! | `ANTHROPIC_RETRY_BASE_MS` | `500` | first quick-retry delay (doubles) |
//! | `ANTHROPIC_TIMEOUT_SECS` | `30` | timeout of one Messages API request |
//! | `AI_REPLIES_PER_CONTACT` | `20` | most AI replies to one contact per `AI_RATE_WINDOW_SECS`; beyond it no model call and the chat is handed to a person |
//! | `AI_RATE_WINDOW_SECS` | `600` | the rate-limit window |
//! | `AI_PREVIEWS_PER_MINUTE` | `10` | "try it" previews (`previewAiReply`) per business per minute, fleet-wide with Redis; beyond it RATE_LIMITED |
//! | `AI_SERVER_KEY_DAILY_TOKENS` | `200000` | daily token budget of a business that uses the server's own `ANTHROPIC_API_KEY` (no key of its own); its own lower budget still applies |

use std::time::Duration;

use anyhow::Context;

/// The pipeline's knobs; tests shorten the durations.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// Debounce before a reply job runs.
    pub reply_debounce: Duration,
    /// Worker tasks per server.
    pub workers: usize,
    /// Longest idle sleep of a worker.
    pub poll_interval: Duration,
    /// Claim lease.
    pub job_lease: Duration,
    /// First job retry delay.
    pub retry_base: Duration,
    /// Attempts at the model before falling back to the built-in responder.
    pub max_attempts: i32,
    /// Quick retries of one Messages API request.
    pub anthropic_max_retries: u32,
    /// First quick-retry delay.
    pub anthropic_retry_base: Duration,
    /// Timeout of one Messages API request.
    pub anthropic_timeout: Duration,
    /// AI replies per contact per window.
    pub replies_per_window: i64,
    /// The rate-limit window.
    pub rate_window: Duration,
    /// "Try it" previews per business per minute.
    pub previews_per_minute: u32,
    /// Daily tokens a business may spend on the server's own key.
    pub server_key_daily_tokens: i64,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            reply_debounce: Duration::from_millis(2000),
            workers: 4,
            poll_interval: Duration::from_millis(500),
            job_lease: Duration::from_secs(120),
            retry_base: Duration::from_millis(2000),
            max_attempts: 3,
            anthropic_max_retries: 2,
            anthropic_retry_base: Duration::from_millis(500),
            anthropic_timeout: Duration::from_secs(30),
            replies_per_window: 20,
            rate_window: Duration::from_secs(600),
            previews_per_minute: 10,
            server_key_daily_tokens: 200_000,
        }
    }
}

fn number<T: std::str::FromStr>(name: &str) -> anyhow::Result<Option<T>> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            v.trim()
                .parse::<T>()
                .ok()
                .with_context(|| format!("{name} must be a number"))
        })
        .transpose()
}

impl AgentConfig {
    /// Reads the variables listed in the module header.
    pub fn from_env() -> anyhow::Result<AgentConfig> {
        let d = AgentConfig::default();
        let ms = |name: &str, default: Duration| -> anyhow::Result<Duration> {
            Ok(number::<u64>(name)?.map_or(default, Duration::from_millis))
        };
        let secs = |name: &str, default: Duration| -> anyhow::Result<Duration> {
            Ok(number::<u64>(name)?.map_or(default, Duration::from_secs))
        };
        Ok(AgentConfig {
            reply_debounce: ms("AI_REPLY_DEBOUNCE_MS", d.reply_debounce)?,
            workers: number("AGENT_WORKERS")?.unwrap_or(d.workers),
            poll_interval: ms("JOB_POLL_MS", d.poll_interval)?,
            job_lease: secs("JOB_LEASE_SECS", d.job_lease)?,
            retry_base: ms("JOB_RETRY_BASE_MS", d.retry_base)?,
            max_attempts: number("AI_MAX_ATTEMPTS")?.unwrap_or(d.max_attempts).max(1),
            anthropic_max_retries: number("ANTHROPIC_MAX_RETRIES")?
                .unwrap_or(d.anthropic_max_retries),
            anthropic_retry_base: ms("ANTHROPIC_RETRY_BASE_MS", d.anthropic_retry_base)?,
            anthropic_timeout: secs("ANTHROPIC_TIMEOUT_SECS", d.anthropic_timeout)?,
            replies_per_window: number("AI_REPLIES_PER_CONTACT")?.unwrap_or(d.replies_per_window),
            rate_window: secs("AI_RATE_WINDOW_SECS", d.rate_window)?,
            previews_per_minute: number("AI_PREVIEWS_PER_MINUTE")?
                .unwrap_or(d.previews_per_minute)
                .max(1),
            server_key_daily_tokens: number("AI_SERVER_KEY_DAILY_TOKENS")?
                .unwrap_or(d.server_key_daily_tokens)
                .max(0),
        })
    }

    /// Fast settings for tests: short debounce, lease and backoffs.
    pub fn for_tests() -> AgentConfig {
        AgentConfig {
            reply_debounce: Duration::from_millis(150),
            workers: 2,
            poll_interval: Duration::from_millis(50),
            job_lease: Duration::from_secs(5),
            retry_base: Duration::from_millis(50),
            max_attempts: 2,
            anthropic_max_retries: 1,
            anthropic_retry_base: Duration::from_millis(20),
            anthropic_timeout: Duration::from_secs(5),
            replies_per_window: 12,
            rate_window: Duration::from_secs(600),
            previews_per_minute: 10,
            server_key_daily_tokens: 200_000,
        }
    }
}
