//! The concession policy: how the AI salesperson haggles.
//!
//! Start at the discounted price; concede in shrinking steps toward the bargaining
//! floor over a few rounds; accept any ask at or above what we would offer next; never
//! offer or accept below the floor, and never raise an offer already made. The model
//! may phrase the answer, but the numbers come from here (the server's tools call it).

use serde::{Deserialize, Serialize};

/// Rounds of conceding before we hold at our best price.
pub const MAX_CONCESSION_ROUNDS: u32 = 3;

/// Share of the remaining room (last offer minus floor) given up per round, in percent.
pub const CONCESSION_PERCENT: i64 = 40;

/// Where a negotiation on one product stands (stored on the chat).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NegotiationState {
    /// Our last offer, minor units.
    pub last_offer_minor: i64,
    /// The customer's last ask, if any.
    pub customer_ask_minor: Option<i64>,
    /// Counter-offers made so far.
    pub rounds: u32,
}

/// What the policy answers to an ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", content = "price_minor", rename_all = "snake_case")]
pub enum Decision {
    /// Agree to this price (the customer's ask, never below the floor).
    Accept(i64),
    /// Offer this price instead.
    Counter(i64),
    /// We are at our best price; this is it.
    Final(i64),
}

impl Decision {
    /// The price the decision names.
    pub fn price_minor(self) -> i64 {
        match self {
            Decision::Accept(p) | Decision::Counter(p) | Decision::Final(p) => p,
        }
    }
}

/// Prices of the product being negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceLimits {
    /// Price after the standing discount: where we start.
    pub start_minor: i64,
    /// The bargaining floor: never below.
    pub floor_minor: i64,
    /// Offers are rounded up to a multiple of this (e.g. 100 = whole units for a
    /// two-decimal currency); 1 disables rounding.
    pub rounding_minor: i64,
}

impl PriceLimits {
    /// The floor, clamped so it is never above the starting price.
    fn floor(&self) -> i64 {
        self.floor_minor.min(self.start_minor).max(0)
    }
}

/// Rounds `value` up to a multiple of `step`, without going above `ceiling` (if that is
/// impossible, `value` itself is kept).
fn round_up_within(value: i64, step: i64, ceiling: i64) -> i64 {
    if step <= 1 {
        return value;
    }
    let rounded =
        value.div_euclid(step) * step + if value.rem_euclid(step) == 0 { 0 } else { step };
    if rounded <= ceiling { rounded } else { value }
}

/// The next counter-offer we would make from `state` (without an ask in mind).
pub fn next_offer(limits: PriceLimits, state: Option<NegotiationState>) -> i64 {
    let floor = limits.floor();
    let Some(state) = state else {
        return limits.start_minor.max(floor);
    };
    let last = state
        .last_offer_minor
        .clamp(floor, limits.start_minor.max(floor));
    if state.rounds + 1 >= MAX_CONCESSION_ROUNDS {
        return floor;
    }
    let room = last - floor;
    let step = (room * CONCESSION_PERCENT)
        .div_euclid(100)
        .max(if room > 0 { 1 } else { 0 });
    round_up_within(last - step, limits.rounding_minor, last).max(floor)
}

/// Answers a customer's ask. Returns the decision and the new state.
pub fn respond_to_ask(
    limits: PriceLimits,
    state: Option<NegotiationState>,
    ask_minor: i64,
) -> (Decision, NegotiationState) {
    let floor = limits.floor();
    let rounds = state.map_or(0, |s| s.rounds);
    let current = state.map_or(limits.start_minor.max(floor), |s| {
        s.last_offer_minor
            .clamp(floor, limits.start_minor.max(floor))
    });
    // An ask at or above what we already offered: take it at our offer (never charge
    // more than the customer agreed to, never less than our offer either).
    if ask_minor >= current {
        let price = current;
        return (
            Decision::Accept(price),
            NegotiationState {
                last_offer_minor: price,
                customer_ask_minor: Some(ask_minor),
                rounds,
            },
        );
    }
    let next = if state.is_none() {
        // First haggle: the first concession from the starting price.
        next_offer(
            limits,
            Some(NegotiationState {
                last_offer_minor: current,
                customer_ask_minor: None,
                rounds: 0,
            }),
        )
    } else {
        next_offer(limits, state)
    };
    let next = next.max(floor).min(current);
    if ask_minor >= next && ask_minor >= floor {
        return (
            Decision::Accept(ask_minor),
            NegotiationState {
                last_offer_minor: ask_minor,
                customer_ask_minor: Some(ask_minor),
                rounds: rounds + 1,
            },
        );
    }
    let decision = if next <= floor {
        Decision::Final(floor)
    } else {
        Decision::Counter(next)
    };
    (
        decision,
        NegotiationState {
            last_offer_minor: decision.price_minor(),
            customer_ask_minor: Some(ask_minor),
            rounds: rounds + 1,
        },
    )
}

/// Whether a price may be agreed at all: at or above the floor.
pub fn price_allowed(limits: PriceLimits, price_minor: i64) -> bool {
    price_minor >= limits.floor()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DRESS: PriceLimits = PriceLimits {
        start_minor: 2_250_000,
        floor_minor: 1_900_000,
        rounding_minor: 100,
    };

    #[test]
    fn concedes_in_shrinking_steps_then_holds_at_the_floor() {
        let (d1, s1) = respond_to_ask(DRESS, None, 1_000_000);
        assert_eq!(d1, Decision::Counter(2_110_000));
        let (d2, s2) = respond_to_ask(DRESS, Some(s1), 1_000_000);
        assert_eq!(d2, Decision::Counter(2_026_000));
        let (d3, s3) = respond_to_ask(DRESS, Some(s2), 1_000_000);
        assert_eq!(d3, Decision::Final(1_900_000));
        let (d4, _) = respond_to_ask(DRESS, Some(s3), 1_500_000);
        assert_eq!(d4, Decision::Final(1_900_000));
    }

    #[test]
    fn accepts_a_reasonable_ask_and_never_charges_more_than_asked() {
        let (d, _) = respond_to_ask(DRESS, None, 2_200_000);
        assert_eq!(d, Decision::Accept(2_200_000));
        let (d, _) = respond_to_ask(DRESS, None, 3_000_000);
        assert_eq!(
            d,
            Decision::Accept(2_250_000),
            "asking more than the price pays the price"
        );
    }

    #[test]
    fn a_floor_above_the_start_price_is_clamped() {
        let odd = PriceLimits {
            start_minor: 1_000,
            floor_minor: 5_000,
            rounding_minor: 1,
        };
        let (d, _) = respond_to_ask(odd, None, 10);
        assert_eq!(d, Decision::Final(1_000));
    }

    proptest! {
        #[test]
        fn no_sequence_of_asks_gets_below_the_floor(
            start in 1i64..10_000_000,
            floor_pct in 0i64..=100,
            rounding in prop::sample::select(vec![1i64, 5, 100, 1_000]),
            asks in prop::collection::vec(-1_000_000i64..20_000_000, 1..12),
        ) {
            let limits = PriceLimits { start_minor: start, floor_minor: start * floor_pct / 100, rounding_minor: rounding };
            let mut state = None;
            let mut last_offer = i64::MAX;
            for ask in asks {
                let (decision, next) = respond_to_ask(limits, state, ask);
                let price = decision.price_minor();
                prop_assert!(price >= limits.floor_minor.min(start), "{decision:?} below floor");
                prop_assert!(price <= start, "{decision:?} above the start price");
                if let Decision::Accept(p) = decision {
                    prop_assert!(p <= ask.max(limits.floor_minor.min(start)) || p <= last_offer);
                } else {
                    prop_assert!(price <= last_offer, "offers never go up: {price} after {last_offer}");
                    last_offer = price;
                }
                state = Some(next);
            }
        }
    }
}
