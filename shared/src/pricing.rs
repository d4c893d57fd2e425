//! Price rules: discounts and the bargaining floor.

use serde::{Deserialize, Serialize};

use crate::DiscountKind;

/// Most lines (items) in one order, whoever records it: the AI, the dashboard or the API.
pub const MAX_ORDER_ITEMS: usize = 20;

/// A standing discount on a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Discount {
    /// No discount.
    #[default]
    None,
    /// A whole percentage off the price, 0 to 100.
    Percent(u32),
    /// A fixed amount off the price, in minor units.
    Fixed(i64),
}

impl Discount {
    /// The kind, as stored.
    pub fn kind(self) -> DiscountKind {
        match self {
            Discount::None => DiscountKind::None,
            Discount::Percent(_) => DiscountKind::Percent,
            Discount::Fixed(_) => DiscountKind::Fixed,
        }
    }

    /// The stored kind text (`none`, `percent`, `fixed`).
    pub fn kind_str(self) -> &'static str {
        self.kind().as_str()
    }

    /// The stored value (0 for none).
    pub fn value(self) -> i64 {
        match self {
            Discount::None => 0,
            Discount::Percent(p) => i64::from(p),
            Discount::Fixed(v) => v,
        }
    }

    /// Rebuilds a discount from its stored kind and value; `None` for an unknown kind
    /// or a percentage outside 0 to 100.
    pub fn from_parts(kind: &str, value: i64) -> Option<Discount> {
        Discount::from_kind(DiscountKind::parse(kind)?, value)
    }

    /// Rebuilds a discount from its typed kind and value; `None` for a percentage
    /// outside 0 to 100.
    pub fn from_kind(kind: DiscountKind, value: i64) -> Option<Discount> {
        match kind {
            DiscountKind::None => Some(Discount::None),
            DiscountKind::Percent => u32::try_from(value)
                .ok()
                .filter(|p| *p <= 100)
                .map(Discount::Percent),
            DiscountKind::Fixed => Some(Discount::Fixed(value)),
        }
    }
}

/// The price after the standing discount, in minor units. A percentage discount is
/// rounded in the business's favour (the customer never pays a fraction less); the
/// result is never negative.
pub fn discounted_price(price_minor: i64, discount: Discount) -> i64 {
    let off = match discount {
        Discount::None => 0,
        Discount::Percent(p) => {
            let p = i128::from(p.min(100));
            // floor(price * p / 100): the discount is rounded down.
            i64::try_from(i128::from(price_minor) * p / 100).unwrap_or(i64::MAX)
        }
        Discount::Fixed(v) => v.max(0),
    };
    (price_minor - off).max(0)
}

/// Whether `offer_minor` respects the bargaining floor.
pub fn respects_floor(offer_minor: i64, floor_minor: i64) -> bool {
    offer_minor >= floor_minor
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stored_discounts_round_trip_and_unknown_ones_are_refused() {
        for d in [
            Discount::None,
            Discount::Percent(15),
            Discount::Fixed(2_500),
        ] {
            assert_eq!(Discount::from_parts(d.kind_str(), d.value()), Some(d));
        }
        assert_eq!(Discount::from_parts("bogus", 1), None);
        assert_eq!(Discount::from_parts("percent", 101), None);
        assert_eq!(Discount::from_parts("percent", -1), None);
    }

    #[test]
    fn percent_and_fixed() {
        assert_eq!(discounted_price(10_000, Discount::Percent(15)), 8_500);
        assert_eq!(discounted_price(999, Discount::Percent(10)), 900);
        assert_eq!(discounted_price(10_000, Discount::Fixed(2_500)), 7_500);
        assert_eq!(discounted_price(10_000, Discount::Fixed(20_000)), 0);
        assert_eq!(discounted_price(10_000, Discount::None), 10_000);
    }

    proptest! {
        #[test]
        fn discounted_price_is_between_zero_and_price(price in 0i64..1_000_000_000_000, p in 0u32..=100, f in 0i64..2_000_000_000_000) {
            for d in [Discount::Percent(p), Discount::Fixed(f), Discount::None] {
                let dp = discounted_price(price, d);
                prop_assert!(dp >= 0 && dp <= price);
            }
        }
    }
}
