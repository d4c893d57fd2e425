//! Per-caller rate limits on the API: a signed-in business gets a generous budget;
//! anonymous callers (sign-up, log-in) get a small one per IP address, which also
//! slows password guessing.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use shared::BusinessId;

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
        RateLimits {
            business: RateLimiter::keyed(quota(BUSINESS_PER_SECOND, BUSINESS_BURST)),
            anonymous: RateLimiter::keyed(quota(ANONYMOUS_PER_SECOND, ANONYMOUS_BURST)),
        }
    }
}

impl RateLimits {
    /// Whether one more request from `key` is allowed now.
    pub fn check(&self, key: &RateKey) -> bool {
        match key {
            RateKey::Business(b) => self.business.check_key(b).is_ok(),
            RateKey::Anonymous(ip) => self.anonymous.check_key(ip).is_ok(),
        }
    }
}
