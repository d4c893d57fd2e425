//! What the AI salesperson remembers about a chat, stored as JSON on the chat: the
//! negotiation per product and the products the customer showed interest in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shared::negotiation::NegotiationState;

/// Where a negotiation on one product stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductNegotiation {
    /// Product name (for people reading the state).
    pub product_name: String,
    /// Currency of the prices.
    #[serde(default)]
    pub currency: String,
    /// The policy's state.
    #[serde(flatten)]
    pub state: NegotiationState,
    /// A price both sides agreed, if any.
    #[serde(default)]
    pub agreed_minor: Option<i64>,
}

/// The chat's negotiation context, per product (stored as JSON on the chat).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatNegotiation {
    /// By product id.
    #[serde(default)]
    pub products: BTreeMap<u64, ProductNegotiation>,
}

impl ChatNegotiation {
    /// Parses the stored JSON (empty when absent or unreadable).
    pub fn parse(stored: Option<&str>) -> ChatNegotiation {
        stored
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }

    /// Every price we offered or agreed (each at or above its floor by construction).
    pub fn prices(&self) -> Vec<i64> {
        self.products
            .values()
            .flat_map(|p| [Some(p.state.last_offer_minor), p.agreed_minor])
            .flatten()
            .collect()
    }
}

/// A product the customer showed interest in (stored as JSON on the chat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interest {
    /// Product id.
    pub product_id: u64,
    /// Its name.
    pub name: String,
}

/// Parses stored product interest.
pub fn parse_interest(stored: Option<&str>) -> Vec<Interest> {
    stored
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}
