//! The dashboard's view of API objects, built from the types `graphql_client` generates.
//!
//! Each operation module has its own copy of a fragment's struct; the macros below convert
//! every copy into the one model type here, with money, discounts and enums as `shared` types.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::{Currency, Discount, Money, ReplyTone, Role};

use super::ClientError;
use super::operations;

/// A dashboard user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Opaque API id.
    pub id: String,
    /// Log-in email.
    pub email: String,
    /// Owner or staff.
    pub role: Role,
}

/// A business profile and its AI settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Business {
    /// Opaque API id.
    pub id: String,
    /// Name shown to customers and in the dashboard.
    pub name: String,
    /// Free text such as "Fashion".
    pub business_type: String,
    /// Two-letter country code.
    pub country: String,
    /// Currency new products start in.
    pub default_currency: String,
    /// Whether the AI salesperson answers customers.
    pub ai_enabled: bool,
    /// The owner's instructions to the AI.
    pub ai_instructions: String,
    /// The voice the AI answers in.
    pub reply_tone: ReplyTone,
}

/// What a successful sign-up or log-in returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSession {
    /// Bearer token for later requests.
    pub token: String,
    /// Who signed in.
    pub user: User,
    /// Their business.
    pub business: Business,
}

/// One product image, served by the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductImage {
    /// Opaque API id.
    pub id: String,
    /// Where the browser loads it from.
    pub url: String,
}

/// A catalog product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Opaque API id.
    pub id: String,
    /// Name shown to customers.
    pub name: String,
    /// Free text.
    pub description: String,
    /// List price.
    pub price: Money,
    /// Standing discount.
    pub discount: Discount,
    /// Price after the discount.
    pub discounted_price: Money,
    /// Lowest price the AI may agree to.
    pub bargain_floor: Money,
    /// Units in stock.
    pub quantity: i64,
    /// Colors on offer.
    pub colors: Vec<String>,
    /// Images, in display order.
    pub images: Vec<ProductImage>,
    /// Hidden from the AI and the default list.
    pub archived: bool,
}

/// One page of a product list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductPage {
    /// The products on this page.
    pub products: Vec<Product>,
    /// Whether another page follows.
    pub has_next_page: bool,
    /// Cursor to pass as `after` for the next page.
    pub end_cursor: Option<String>,
    /// How many products match in all.
    pub total_count: i64,
}

/// The wire text of a generated enum value, e.g. `PERCENT`.
fn wire_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(text)) => text,
        _ => String::new(),
    }
}

/// The generated enum value for one of `shared`'s stored texts (`percent` becomes `PERCENT`).
pub(super) fn wire_enum<T: DeserializeOwned>(stored: &str) -> Result<T, ClientError> {
    serde_json::from_value(Value::String(stored.to_ascii_uppercase()))
        .map_err(|err| ClientError::Protocol(err.to_string()))
}

fn unexpected(what: &str, value: &str) -> ClientError {
    ClientError::Protocol(format!("unexpected {what} `{value}`"))
}

fn money(amount_minor: i64, currency: &str) -> Result<Money, ClientError> {
    let currency = Currency::parse(currency).ok_or_else(|| unexpected("currency", currency))?;
    Ok(Money::new(amount_minor, currency))
}

fn discount<K: Serialize>(kind: &K, value: i64) -> Result<Discount, ClientError> {
    let kind = wire_text(kind).to_ascii_lowercase();
    Discount::from_parts(&kind, value).ok_or_else(|| unexpected("discount", &kind))
}

fn reply_tone<T: Serialize>(tone: &T) -> Result<ReplyTone, ClientError> {
    let text = wire_text(tone).to_ascii_lowercase();
    ReplyTone::parse(&text).ok_or_else(|| unexpected("reply tone", &text))
}

fn role<T: Serialize>(role: &T) -> Result<Role, ClientError> {
    let text = wire_text(role).to_ascii_lowercase();
    Role::parse(&text).ok_or_else(|| unexpected("role", &text))
}

/// `TryFrom<module::$fragment>` for [`Business`], for each listed operation module.
macro_rules! business_from {
    ($fragment:ident in $($module:ident),+) => {$(
        impl TryFrom<operations::$module::$fragment> for Business {
            type Error = ClientError;

            fn try_from(b: operations::$module::$fragment) -> Result<Business, ClientError> {
                Ok(Business {
                    reply_tone: reply_tone(&b.reply_tone)?,
                    id: b.id,
                    name: b.name,
                    business_type: b.business_type,
                    country: b.country,
                    default_currency: b.default_currency,
                    ai_enabled: b.ai_enabled,
                    ai_instructions: b.ai_instructions,
                })
            }
        }
    )+};
}

business_from!(SessionBusiness in sign_up, log_in, me);
business_from!(BusinessFields in current_business, update_business);

/// `TryFrom<module::SessionUser>` for [`User`], for each listed operation module.
macro_rules! user_from {
    ($($module:ident),+) => {$(
        impl TryFrom<operations::$module::SessionUser> for User {
            type Error = ClientError;

            fn try_from(u: operations::$module::SessionUser) -> Result<User, ClientError> {
                Ok(User { role: role(&u.role)?, id: u.id, email: u.email })
            }
        }
    )+};
}

user_from!(sign_up, log_in, me);

/// `TryFrom<module::ProductFields>` for [`Product`], for each listed operation module.
macro_rules! product_from {
    ($($module:ident),+) => {$(
        impl TryFrom<operations::$module::ProductFields> for Product {
            type Error = ClientError;

            fn try_from(p: operations::$module::ProductFields) -> Result<Product, ClientError> {
                Ok(Product {
                    price: money(p.price.amount_minor, &p.price.currency)?,
                    discount: discount(&p.discount.kind, p.discount.value)?,
                    discounted_price: money(
                        p.discounted_price.amount_minor,
                        &p.discounted_price.currency,
                    )?,
                    bargain_floor: money(p.bargain_floor.amount_minor, &p.bargain_floor.currency)?,
                    id: p.id,
                    name: p.name,
                    description: p.description,
                    quantity: p.quantity,
                    colors: p.colors,
                    images: p
                        .images
                        .into_iter()
                        .map(|image| ProductImage { id: image.id, url: image.url })
                        .collect(),
                    archived: p.archived,
                })
            }
        }
    )+};
}

product_from!(
    products,
    product,
    create_product,
    update_product,
    add_product_images,
    remove_product_image,
    archive_product,
    unarchive_product
);
