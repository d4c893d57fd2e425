//! A product as the owner edits it, and the rules it must satisfy.

use serde::{Deserialize, Serialize};

use crate::money::Currency;
use crate::pricing::{Discount, discounted_price};
use crate::validation::{FieldErrors, check_length};

/// Longest product name, in characters.
pub const MAX_NAME_LEN: usize = 120;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_LEN: usize = 4_000;
/// Most colors per product.
pub const MAX_COLORS: usize = 30;
/// Longest color name.
pub const MAX_COLOR_LEN: usize = 40;
/// Most images per product.
pub const MAX_IMAGES: usize = 8;
/// Largest accepted image, in bytes.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;
/// Image types accepted (checked by content, not by file name).
pub const IMAGE_MIME_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp", "image/gif"];
/// Highest price accepted, in minor units (a trillion: far above any real product).
pub const MAX_PRICE_MINOR: i64 = 1_000_000_000_000;
/// Highest stock count accepted.
pub const MAX_QUANTITY: i64 = 10_000_000;

/// Everything the owner types about a product (images travel separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDraft {
    /// Name shown to customers.
    pub name: String,
    /// Free text: material, sizes, care.
    pub description: String,
    /// List price in minor units.
    pub price_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// Standing discount.
    pub discount: Discount,
    /// Lowest price the AI may ever agree to, in minor units.
    pub bargain_floor_minor: i64,
    /// Lowest price the owner may approve for a customer asking below the floor (deal
    /// approvals), in minor units; `None`: any price above zero.
    #[serde(default)]
    pub hard_minimum_minor: Option<i64>,
    /// Units in stock.
    pub quantity: i64,
    /// Colors on offer.
    pub colors: Vec<String>,
}

impl ProductDraft {
    /// The price after the standing discount.
    pub fn discounted_price_minor(&self) -> i64 {
        discounted_price(self.price_minor, self.discount)
    }

    /// Colors trimmed, empty ones dropped, duplicates (ignoring case) removed.
    pub fn normalized_colors(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.colors {
            let c = c.trim();
            if !c.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(c)) {
                out.push(c.to_string());
            }
        }
        out
    }

    /// Checks every rule; the errors name the API field concerned.
    ///
    /// The pricing invariant is `bargainFloor <= discounted price <= price`.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        check_length(&mut errors, "name", &self.name, 1, MAX_NAME_LEN);
        if self.description.chars().count() > MAX_DESCRIPTION_LEN {
            errors.add(
                "description",
                format!("must be at most {MAX_DESCRIPTION_LEN} characters"),
            );
        }
        if Currency::parse(&self.currency).is_none() {
            errors.add("currency", "must be a three-letter currency code, e.g. NGN");
        }
        let price_ok = (0..=MAX_PRICE_MINOR).contains(&self.price_minor);
        if self.price_minor < 0 {
            errors.add("price", "must not be negative");
        } else if !price_ok {
            errors.add("price", "is too large");
        }
        match self.discount {
            Discount::None => {}
            Discount::Percent(p) if p > 100 => {
                errors.add("discount", "a percentage must be between 0 and 100");
            }
            Discount::Percent(_) => {}
            Discount::Fixed(v) if v < 0 => errors.add("discount", "must not be negative"),
            Discount::Fixed(v) if price_ok && v > self.price_minor => {
                errors.add("discount", "must not exceed the price");
            }
            Discount::Fixed(_) => {}
        }
        if self.bargain_floor_minor < 0 {
            errors.add("bargainFloor", "must not be negative");
        } else if price_ok
            && errors.for_field("discount").is_none()
            && self.bargain_floor_minor > self.discounted_price_minor()
        {
            errors.add("bargainFloor", "must not be above the discounted price");
        }
        match self.hard_minimum_minor {
            Some(m) if m < 0 => errors.add("hardMinimum", "must not be negative"),
            Some(m) if m > self.bargain_floor_minor => {
                errors.add("hardMinimum", "must not be above the bargaining floor");
            }
            _ => {}
        }
        if self.quantity < 0 {
            errors.add("quantity", "must not be negative");
        } else if self.quantity > MAX_QUANTITY {
            errors.add("quantity", "is too large");
        }
        let colors = self.normalized_colors();
        if colors.len() > MAX_COLORS {
            errors.add("colors", format!("at most {MAX_COLORS} colors"));
        }
        if colors.iter().any(|c| c.chars().count() > MAX_COLOR_LEN) {
            errors.add(
                "colors",
                format!("each color must be at most {MAX_COLOR_LEN} characters"),
            );
        }
        errors.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dress() -> ProductDraft {
        ProductDraft {
            name: "Ankara wrap dress".into(),
            description: "Cotton, sizes 8-16".into(),
            price_minor: 2_000_000,
            currency: "NGN".into(),
            discount: Discount::Percent(10),
            bargain_floor_minor: 1_500_000,
            hard_minimum_minor: None,
            quantity: 12,
            colors: vec!["Red".into(), " red ".into(), "Blue".into(), "".into()],
        }
    }

    #[test]
    fn a_sound_product_passes_and_colors_are_tidied() {
        let d = dress();
        assert!(d.validate().is_ok());
        assert_eq!(d.normalized_colors(), vec!["Red", "Blue"]);
        assert_eq!(d.discounted_price_minor(), 1_800_000);
    }

    #[test]
    fn floor_above_discounted_price_is_refused_by_name() {
        let d = ProductDraft {
            bargain_floor_minor: 1_900_000,
            ..dress()
        };
        let err = d.validate().unwrap_err();
        assert!(err.for_field("bargainFloor").is_some());
        assert_eq!(err.0.len(), 1);
    }

    #[test]
    fn every_bad_field_is_named() {
        let d = ProductDraft {
            name: "  ".into(),
            description: "x".repeat(MAX_DESCRIPTION_LEN + 1),
            price_minor: -1,
            currency: "naira".into(),
            discount: Discount::Percent(150),
            bargain_floor_minor: -5,
            hard_minimum_minor: Some(-1),
            quantity: -1,
            colors: vec!["x".repeat(MAX_COLOR_LEN + 1)],
        };
        let err = d.validate().unwrap_err();
        for field in [
            "name",
            "description",
            "price",
            "currency",
            "discount",
            "bargainFloor",
            "hardMinimum",
            "quantity",
            "colors",
        ] {
            assert!(err.for_field(field).is_some(), "{field} not reported");
        }
    }

    #[test]
    fn hard_minimum_above_the_floor_is_refused() {
        let d = ProductDraft {
            hard_minimum_minor: Some(1_600_000),
            ..dress()
        };
        assert!(d.validate().unwrap_err().for_field("hardMinimum").is_some());
        let ok = ProductDraft {
            hard_minimum_minor: Some(1_200_000),
            ..dress()
        };
        assert!(ok.validate().is_ok());
    }

    #[test]
    fn fixed_discount_above_price_is_refused() {
        let d = ProductDraft {
            discount: Discount::Fixed(3_000_000),
            bargain_floor_minor: 0,
            ..dress()
        };
        assert!(d.validate().unwrap_err().for_field("discount").is_some());
    }
}
