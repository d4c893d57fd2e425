//! Price rules: discounts and the bargaining floor.

use serde::{Deserialize, Serialize};

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
    /// The stored kind text (`none`, `percent`, `fixed`).
    pub fn kind_str(self) -> &'static str {
        match self {
            Discount::None => "none",
            Discount::Percent(_) => "percent",
            Discount::Fixed(_) => "fixed",
        }
    }

    /// The stored value (0 for none).
    pub fn value(self) -> i64 {
        match self {
            Discount::None => 0,
            Discount::Percent(p) => i64::from(p),
            Discount::Fixed(v) => v,
        }
    }

    /// Rebuilds a discount from its stored kind and value.
    pub fn from_parts(kind: &str, value: i64) -> Option<Discount> {
        match kind {
            "none" => Some(Discount::None),
            "percent" => u32::try_from(value).ok().map(Discount::Percent),
            "fixed" => Some(Discount::Fixed(value)),
            _ => None,
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
