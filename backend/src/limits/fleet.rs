//! Limits shared by every replica, kept in Redis.
//!
//! GCRA (the generic cell rate algorithm): one key per limited thing holds its
//! "theoretical arrival time"; a Lua script reads Redis's clock, decides and moves the
//! time forward atomically, so replicas on different machines draw from one budget.
//! While Redis fails the callers fall back to their in-memory limiters: each call
//! answers `None`, Redis is left alone for a second, then tried again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use secrecy::{ExposeSecret, SecretString};

/// The script: `KEYS[1]` the limited thing; `ARGV[1]` microseconds between two
/// requests at the sustained rate; `ARGV[2]` the burst tolerance in microseconds;
/// `ARGV[3]` `1` to reserve a turn even if it lies in the future, `0` to take one only
/// if it is due now. Answers the microseconds the caller must wait (0: go now). A
/// refused try (`0` and a wait above 0) changes nothing.
const GCRA: &str = r"
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
if wait > 0 and ARGV[3] ~= '1' then return wait end
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', math.ceil((next_tat - now) / 1000) + 1000)
return wait
";

/// Longest a limit check waits for Redis before using the local limiter.
const REDIS_TIMEOUT: Duration = Duration::from_millis(500);
/// How long Redis is left alone after it failed.
const COOL_DOWN: Duration = Duration::from_secs(1);

/// A GCRA limiter in Redis, shared by the fleet. Cheap to clone.
#[derive(Clone)]
pub struct FleetLimiter {
    inner: Arc<Inner>,
}

struct Inner {
    redis: ConnectionManager,
    script: redis::Script,
    /// Prepended to every key (`{prefix}:pace:{number}`).
    prefix: String,
    /// After a failure: when to try Redis again.
    resume_at: std::sync::Mutex<Option<Instant>>,
    /// Whether the last call failed (to log the change once, not every call).
    degraded: AtomicBool,
}

impl std::fmt::Debug for FleetLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetLimiter")
            .field("prefix", &self.inner.prefix)
            .finish_non_exhaustive()
    }
}

impl FleetLimiter {
    /// A limiter on the Redis server at `url`, keys under `prefix`. Connects lazily
    /// (a Redis that is down at start is only a warning later); must be called inside
    /// a Tokio runtime.
    pub fn new(url: &SecretString, prefix: &str) -> anyhow::Result<FleetLimiter> {
        let client = redis::Client::open(url.expose_secret())
            .map_err(|_| anyhow::anyhow!("REDIS_URL is not a valid Redis URL"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_number_of_retries(1);
        let redis = client.get_connection_manager_lazy(config)?;
        Ok(FleetLimiter {
            inner: Arc::new(Inner {
                redis,
                script: redis::Script::new(GCRA),
                prefix: prefix.to_string(),
                resume_at: std::sync::Mutex::new(None),
                degraded: AtomicBool::new(false),
            }),
        })
    }

    /// Takes one request of `name`'s budget (`per_second` sustained, `burst` at once)
    /// if one is available now: `Some(true)` allowed, `Some(false)` refused, `None`
    /// when Redis could not answer (use the local limiter).
    pub async fn try_take(&self, name: &str, per_second: u32, burst: u32) -> Option<bool> {
        self.run(name, per_second, burst, false)
            .await
            .map(|wait| wait.is_zero())
    }

    /// Reserves the next turn of `name` (`per_second` sustained, `burst` at once) and
    /// says how long to wait for it; `None` when Redis could not answer.
    pub async fn reserve(&self, name: &str, per_second: u32, burst: u32) -> Option<Duration> {
        self.run(name, per_second, burst, true).await
    }

    /// Takes one request of `name`'s budget (one per `interval` sustained, `burst` at
    /// once) if one is available now, for rates slower than one a second (e.g. 10 a
    /// minute); answers like [`FleetLimiter::try_take`].
    pub async fn try_take_every(&self, name: &str, interval: Duration, burst: u32) -> Option<bool> {
        let interval = u64::try_from(interval.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        self.run_interval(name, interval, burst, false)
            .await
            .map(|wait| wait.is_zero())
    }

    async fn run(
        &self,
        name: &str,
        per_second: u32,
        burst: u32,
        reserve: bool,
    ) -> Option<Duration> {
        let interval = 1_000_000 / u64::from(per_second.max(1));
        self.run_interval(name, interval, burst, reserve).await
    }

    /// Runs the script with `interval` microseconds between requests.
    async fn run_interval(
        &self,
        name: &str,
        interval: u64,
        burst: u32,
        reserve: bool,
    ) -> Option<Duration> {
        let inner = &self.inner;
        if inner
            .resume_at
            .lock()
            .ok()?
            .is_some_and(|at| Instant::now() < at)
        {
            return None;
        }
        let tolerance = interval.saturating_mul(u64::from(burst.max(1) - 1));
        let mut redis = inner.redis.clone();
        let mut invocation = inner.script.key(format!("{}:{name}", inner.prefix));
        invocation
            .arg(interval)
            .arg(tolerance)
            .arg(if reserve { "1" } else { "0" });
        let answer =
            tokio::time::timeout(REDIS_TIMEOUT, invocation.invoke_async::<u64>(&mut redis)).await;
        match answer {
            Ok(Ok(wait)) => {
                if inner.degraded.swap(false, Ordering::Relaxed) {
                    tracing::info!("Redis is back: limits hold for the fleet again");
                }
                Some(Duration::from_micros(wait))
            }
            failed => {
                let error = match failed {
                    Ok(Err(error)) => error.to_string(),
                    _ => "timed out".to_string(),
                };
                if let Ok(mut resume_at) = inner.resume_at.lock() {
                    *resume_at = Some(Instant::now() + COOL_DOWN);
                }
                if !inner.degraded.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        %error,
                        "Redis unavailable: limits fall back to this replica's own until it is back"
                    );
                }
                None
            }
        }
    }
}
