//! Per-caller rate limits on the API: a signed-in business gets a generous budget;
//! anonymous callers (sign-up, log-in) get a small one per IP address, which also
//! slows password guessing; "try it" AI previews, which cost model tokens, a few per
//! business per minute. And the pacing of outbound sends per business number.
//!
//! Both must hold for the whole fleet, so with `REDIS_URL` set they are kept in Redis
//! ([`FleetLimiter`]: GCRA in one atomic script, keys under the fleet prefix). Without
//! Redis, or while Redis cannot be reached, each replica limits in memory (governor)
//! on its own.

mod fleet;

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use shared::BusinessId;

pub use fleet::FleetLimiter;

/// Who is being limited.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RateKey {
    /// A signed-in business (dashboard sessions and API tokens share its budget).
    Business(BusinessId),
    /// An anonymous caller, by IP address.
    Anonymous(IpAddr),
}

/// Requests per second a business may make (sustained).
pub const BUSINESS_PER_SECOND: u32 = 50;
/// Burst a business may make at once.
pub const BUSINESS_BURST: u32 = 200;
/// Requests per second an anonymous IP may make (sustained).
pub const ANONYMOUS_PER_SECOND: u32 = 5;
/// Burst an anonymous IP may make at once.
pub const ANONYMOUS_BURST: u32 = 30;

/// The API's rate limiters.
pub struct RateLimits {
    business: DefaultKeyedRateLimiter<BusinessId>,
    anonymous: DefaultKeyedRateLimiter<IpAddr>,
    /// "Try it" previews per business per minute (`AI_PREVIEWS_PER_MINUTE`).
    previews_per_minute: u32,
    previews: DefaultKeyedRateLimiter<BusinessId>,
    /// The fleet-wide limiter, when there is Redis.
    fleet: Option<FleetLimiter>,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateLimits")
    }
}

fn quota(per_second: u32, burst: u32) -> Quota {
    Quota::per_second(NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits::new(None, 10)
    }
}

impl RateLimits {
    /// Limits kept in Redis through `fleet` when given, else in memory; at most
    /// `previews_per_minute` AI previews per business a minute.
    pub fn new(fleet: Option<FleetLimiter>, previews_per_minute: u32) -> RateLimits {
        let previews_per_minute = previews_per_minute.max(1);
        let per_minute = NonZeroU32::new(previews_per_minute).unwrap_or(NonZeroU32::MIN);
        RateLimits {
            business: RateLimiter::keyed(quota(BUSINESS_PER_SECOND, BUSINESS_BURST)),
            anonymous: RateLimiter::keyed(quota(ANONYMOUS_PER_SECOND, ANONYMOUS_BURST)),
            previews_per_minute,
            previews: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(per_minute)),
            fleet,
        }
    }

    /// The AI previews a business may run per minute.
    pub fn previews_per_minute(&self) -> u32 {
        self.previews_per_minute
    }

    /// Whether `business` may run one more AI preview now: `previews_per_minute` at
    /// once, then one each `60 / previews_per_minute` seconds (fleet-wide when Redis is
    /// configured and answers; this replica's own count otherwise).
    pub async fn check_ai_preview(&self, business: BusinessId) -> bool {
        if let Some(fleet) = &self.fleet {
            let interval = std::time::Duration::from_secs(60) / self.previews_per_minute;
            let name = format!("rate:preview:{business}");
            if let Some(allowed) = fleet
                .try_take_every(&name, interval, self.previews_per_minute)
                .await
            {
                return allowed;
            }
        }
        self.previews.check_key(&business).is_ok()
    }

    /// Whether one more request from `key` is allowed now (fleet-wide when Redis is
    /// configured and answers; this replica's own count otherwise).
    pub async fn check(&self, key: &RateKey) -> bool {
        if let Some(fleet) = &self.fleet {
            let (name, per_second, burst) = match key {
                RateKey::Business(b) => (
                    format!("rate:business:{b}"),
                    BUSINESS_PER_SECOND,
                    BUSINESS_BURST,
                ),
                RateKey::Anonymous(ip) => (
                    format!("rate:ip:{ip}"),
                    ANONYMOUS_PER_SECOND,
                    ANONYMOUS_BURST,
                ),
            };
            if let Some(allowed) = fleet.try_take(&name, per_second, burst).await {
                return allowed;
            }
        }
        match key {
            RateKey::Business(b) => self.business.check_key(b).is_ok(),
            RateKey::Anonymous(ip) => self.anonymous.check_key(ip).is_ok(),
        }
    }
}

/// Messages per second Meta allows a coexistence number (one the seller keeps in the
/// WhatsApp Business app).
pub const COEXISTENCE_MPS: u32 = 20;

/// Paces outbound sends per business number to Meta's throughput limit (80 messages
/// per second by default, `META_NUMBER_MPS`; [`COEXISTENCE_MPS`] for coexistence
/// numbers; Meta answers 130429 beyond it). A send waits for its turn instead of being
/// refused, so a burst of AI replies or a broadcast drains at the number's rate.
///
/// Turns are evenly spaced (no burst allowance): with a burst of one second's worth,
/// the first second of a backlog would carry twice the rate, and Meta counts any
/// second. Spaced turns keep every one-second window at the rate.
pub struct SendPacer {
    per_second: u32,
    numbers: DefaultKeyedRateLimiter<String>,
    coexistence_numbers: DefaultKeyedRateLimiter<String>,
    /// The fleet-wide pacing, when there is Redis.
    fleet: Option<FleetLimiter>,
}

impl std::fmt::Debug for SendPacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SendPacer")
    }
}

impl SendPacer {
    /// A pacer allowing `per_second` messages per number, one every
    /// `1 / per_second` seconds, in this replica's memory.
    pub fn new(per_second: u32) -> SendPacer {
        SendPacer::for_fleet(per_second, None)
    }

    /// Like [`SendPacer::new`], paced for the whole fleet through `fleet` when given.
    pub fn for_fleet(per_second: u32, fleet: Option<FleetLimiter>) -> SendPacer {
        let coexistence = per_second.min(COEXISTENCE_MPS);
        SendPacer {
            per_second,
            numbers: RateLimiter::keyed(quota(per_second, 1)),
            coexistence_numbers: RateLimiter::keyed(quota(coexistence, 1)),
            fleet,
        }
    }

    /// Waits until `phone_number_id` may send one more message (at the coexistence
    /// rate when `coexistence`). With Redis, the turn is reserved fleet-wide (first
    /// come, first served) and then awaited.
    pub async fn ready(&self, phone_number_id: &str, coexistence: bool) {
        let rate = if coexistence {
            self.per_second.min(COEXISTENCE_MPS)
        } else {
            self.per_second
        };
        if let Some(fleet) = &self.fleet {
            let name = format!("pace:{phone_number_id}");
            if let Some(wait) = fleet.reserve(&name, rate, 1).await {
                tokio::time::sleep(wait).await;
                return;
            }
        }
        let local = if coexistence {
            &self.coexistence_numbers
        } else {
            &self.numbers
        };
        local.until_key_ready(&phone_number_id.to_string()).await;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Sends `n` on `number` and returns when each was let through, from the first.
    async fn turns(pacer: &SendPacer, number: &str, coexistence: bool, n: usize) -> Vec<Duration> {
        let start = std::time::Instant::now();
        let mut at = Vec::with_capacity(n);
        for _ in 0..n {
            pacer.ready(number, coexistence).await;
            at.push(start.elapsed());
        }
        at
    }

    /// Most turns within any one-second window.
    fn densest_second(turns: &[Duration]) -> usize {
        (0..turns.len())
            .map(|i| {
                turns[i..]
                    .iter()
                    .take_while(|t| **t - turns[i] < Duration::from_secs(1))
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    #[tokio::test]
    async fn a_backlog_never_puts_more_than_the_rate_into_one_second_and_numbers_are_apart() {
        let pacer = SendPacer::new(20);
        let at = turns(&pacer, "111", false, 30).await;
        // 30 turns at 20 a second, evenly spaced: 29 gaps of 50 ms.
        assert!(at[29] >= Duration::from_millis(1400), "{at:?}");
        assert!(
            densest_second(&at) <= 20,
            "{} in one second",
            densest_second(&at)
        );
        // Another number is not behind the first one's backlog.
        let other = turns(&pacer, "222", false, 1).await;
        assert!(other[0] < Duration::from_millis(100), "{other:?}");
    }

    #[tokio::test]
    async fn a_coexistence_number_is_paced_at_twenty_a_second() {
        let pacer = SendPacer::new(80);
        let at = turns(&pacer, "333", true, 25).await;
        assert!(at[24] >= Duration::from_millis(1150), "{at:?}");
        assert!(densest_second(&at) <= COEXISTENCE_MPS as usize);
        // The same pacer lets a regular number go at 80.
        let regular = turns(&pacer, "444", false, 25).await;
        assert!(regular[24] < Duration::from_millis(600), "{regular:?}");
    }
}
