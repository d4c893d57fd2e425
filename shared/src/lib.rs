//! The vocabulary both halves of WhatsApp AI Sales speak.
//!
//! Everything here compiles for `wasm32-unknown-unknown` (the dashboard) and for the
//! server alike, and pulls in neither diesel nor tokio: a rule that the dashboard shows
//! and the server enforces is written once, here.

pub mod attachment;
pub mod blacklist;
pub mod enums;
pub mod error_code;
pub mod ids;
pub mod legal;
pub mod money;
pub mod negotiation;
pub mod phone;
pub mod pricing;
pub mod privacy;
pub mod product;
pub mod validation;
pub mod window;

pub use enums::*;
pub use error_code::ErrorCode;
pub use ids::*;
pub use money::{Currency, Money};
pub use pricing::Discount;
pub use product::ProductDraft;
pub use validation::{FieldError, FieldErrors};
