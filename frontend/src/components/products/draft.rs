//! What the product form holds (text, as typed) and how it becomes a
//! [`shared::ProductDraft`]: money typed in major units is parsed with `shared::money`, and
//! the draft is checked with `ProductDraft::validate`, so the form and the server apply the
//! same rules.

use shared::money::{minor_to_input, parse_major};
use shared::{Currency, Discount, FieldErrors, ProductDraft};

use crate::client::Product;

/// The product form's fields, exactly as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProductText {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Price in major units (`12,500.00`).
    pub price: String,
    /// Currency code.
    pub currency: String,
    /// `none`, `percent` or `fixed` (shared's stored discount kinds).
    pub discount_kind: String,
    /// Whole percent, or an amount in major units for a fixed discount.
    pub discount_value: String,
    /// Bargaining floor in major units.
    pub bargain_floor: String,
    /// Hard minimum for deal approvals in major units (empty: none).
    pub hard_minimum: String,
    /// Units in stock.
    pub quantity: String,
    /// Colors, comma-separated.
    pub colors: String,
}

/// Every field of the form, by its API name.
pub const PRODUCT_FIELDS: &[&str] = &[
    "name",
    "description",
    "price",
    "currency",
    "discount",
    "bargainFloor",
    "hardMinimum",
    "quantity",
    "colors",
    "images",
];

impl ProductText {
    /// An empty form for a business that sells in `currency`.
    pub fn new(currency: &str) -> ProductText {
        ProductText {
            currency: currency.to_string(),
            discount_kind: Discount::None.kind_str().to_string(),
            ..ProductText::default()
        }
    }

    /// The form filled with a saved product.
    pub fn from_product(product: &Product) -> ProductText {
        let currency = &product.price.currency;
        let discount_value = match product.discount {
            Discount::None => String::new(),
            Discount::Percent(percent) => percent.to_string(),
            Discount::Fixed(amount) => minor_to_input(amount, currency),
        };
        ProductText {
            name: product.name.clone(),
            description: product.description.clone(),
            price: minor_to_input(product.price.amount_minor, currency),
            currency: currency.code().to_string(),
            discount_kind: product.discount.kind_str().to_string(),
            discount_value,
            bargain_floor: minor_to_input(product.bargain_floor.amount_minor, currency),
            hard_minimum: product
                .hard_minimum
                .as_ref()
                .map(|m| minor_to_input(m.amount_minor, currency))
                .unwrap_or_default(),
            quantity: product.quantity.to_string(),
            colors: product.colors.join(", "),
        }
    }

    /// The colors as a list (split on commas; `ProductDraft` tidies them).
    pub fn color_list(&self) -> Vec<String> {
        self.colors.split(',').map(str::to_string).collect()
    }

    /// The draft, or every problem with the form by API field name.
    ///
    /// Text that is not a number is reported here; everything else by
    /// `ProductDraft::validate`. A rule that depends on a field that did not parse is not
    /// reported (its message would be about a made-up value).
    pub fn to_draft(&self) -> Result<ProductDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        // While the currency is invalid (reported by the rules), amounts are read with two
        // decimals, the most common minor unit.
        let currency = Currency::parse(&self.currency)
            .or_else(|| Currency::parse("USD"))
            .expect("USD is a valid currency code");

        let price = parse_amount(&mut errors, "price", &self.price, &currency);
        let discount = match self.discount_kind.as_str() {
            "percent" => match self.discount_value.trim().parse::<u32>() {
                Ok(percent) => Some(Discount::Percent(percent)),
                Err(_) => {
                    errors.add("discount", "enter a whole percentage, e.g. 10");
                    None
                }
            },
            "fixed" => parse_amount(&mut errors, "discount", &self.discount_value, &currency)
                .map(Discount::Fixed),
            _ => Some(Discount::None),
        };
        let floor = parse_amount(&mut errors, "bargainFloor", &self.bargain_floor, &currency);
        let hard_minimum = if self.hard_minimum.trim().is_empty() {
            None
        } else {
            parse_amount(&mut errors, "hardMinimum", &self.hard_minimum, &currency)
        };
        let quantity = match self.quantity.trim() {
            "" => {
                errors.add("quantity", "is required");
                None
            }
            text => match text.parse::<i64>() {
                Ok(quantity) => Some(quantity),
                Err(_) => {
                    errors.add("quantity", "enter a whole number, e.g. 12");
                    None
                }
            },
        };

        let draft = ProductDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            price_minor: price.unwrap_or(0),
            currency: self.currency.trim().to_ascii_uppercase(),
            discount: discount.unwrap_or_default(),
            bargain_floor_minor: floor.unwrap_or(0),
            hard_minimum_minor: hard_minimum,
            quantity: quantity.unwrap_or(0),
            colors: self.color_list(),
        };
        if let Err(rule_errors) = draft.validate() {
            for error in rule_errors.0 {
                let depends_on_unparsed = match error.field {
                    "discount" => price.is_none(),
                    "bargainFloor" => price.is_none() || discount.is_none(),
                    "hardMinimum" => floor.is_none(),
                    _ => false,
                };
                if errors.for_field(error.field).is_none() && !depends_on_unparsed {
                    errors.0.push(error);
                }
            }
        }
        errors.into_result().map(|()| draft)
    }
}

/// Parses an amount typed in major units, recording why it is not one.
fn parse_amount(
    errors: &mut FieldErrors,
    field: &'static str,
    text: &str,
    currency: &Currency,
) -> Option<i64> {
    if text.trim().is_empty() {
        errors.add(field, "is required");
        return None;
    }
    let amount = parse_major(text, currency);
    if amount.is_none() {
        let example = minor_to_input(1_250_000, currency);
        errors.add(field, format!("enter an amount such as {example}"));
    }
    amount
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dress() -> ProductText {
        ProductText {
            name: "Ankara wrap dress".into(),
            description: String::new(),
            price: "20,000".into(),
            currency: "NGN".into(),
            discount_kind: "percent".into(),
            discount_value: "10".into(),
            bargain_floor: "15000".into(),
            hard_minimum: String::new(),
            quantity: "12".into(),
            colors: "Red, Blue".into(),
        }
    }

    #[test]
    fn a_hard_minimum_is_optional_and_never_above_the_floor() {
        assert_eq!(dress().to_draft().unwrap().hard_minimum_minor, None);
        let set = ProductText {
            hard_minimum: "12,000".into(),
            ..dress()
        };
        assert_eq!(set.to_draft().unwrap().hard_minimum_minor, Some(1_200_000));
        let above = ProductText {
            hard_minimum: "16,000".into(),
            ..dress()
        };
        assert!(
            above
                .to_draft()
                .unwrap_err()
                .for_field("hardMinimum")
                .is_some()
        );
    }

    #[test]
    fn typed_text_becomes_minor_units() {
        let draft = dress().to_draft().unwrap();
        assert_eq!(draft.price_minor, 2_000_000);
        assert_eq!(draft.discount, Discount::Percent(10));
        assert_eq!(draft.bargain_floor_minor, 1_500_000);
        assert_eq!(draft.normalized_colors(), vec!["Red", "Blue"]);
    }

    #[test]
    fn shared_rules_name_the_field() {
        let text = ProductText {
            bargain_floor: "19000".into(),
            ..dress()
        };
        let errors = text.to_draft().unwrap_err();
        assert!(errors.for_field("bargainFloor").is_some());
    }

    #[test]
    fn unparsed_price_hides_rules_that_depend_on_it() {
        let text = ProductText {
            price: "abc".into(),
            ..dress()
        };
        let errors = text.to_draft().unwrap_err();
        assert!(errors.for_field("price").is_some());
        assert!(errors.for_field("bargainFloor").is_none());
    }
}
