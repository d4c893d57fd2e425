//! What the AI salesperson remembers about a chat, stored as JSON on the chat: the
//! negotiation per product and the products the customer showed interest in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shared::negotiation::{MAX_CONCESSION_ROUNDS, NegotiationState};

use crate::db::products::Product;
use crate::deal_approvals::Answer;

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
    /// A unit price the owner approved for this customer (may be below the floor;
    /// see [`crate::deal_approvals`]).
    #[serde(default)]
    pub approved_minor: Option<i64>,
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

    /// Every price we offered or agreed (each at or above its floor by construction,
    /// or approved by the owner).
    pub fn prices(&self) -> Vec<i64> {
        self.products
            .values()
            .flat_map(|p| [Some(p.state.last_offer_minor), p.agreed_minor])
            .flatten()
            .collect()
    }

    /// Prices the owner approved (the output guard lets these through even below a
    /// floor).
    pub fn approved_prices(&self) -> Vec<i64> {
        self.products
            .values()
            .filter_map(|p| p.approved_minor)
            .collect()
    }

    /// Takes in the owner's decisions: an approved price becomes the agreed price; a
    /// declined or expired request makes the floor our final offer.
    pub fn apply_answers(&mut self, catalog: &[Product], answers: &[Answer]) {
        for a in answers {
            let Some(p) = catalog.iter().find(|p| p.id == a.product_id) else {
                continue;
            };
            let entry = self
                .products
                .entry(p.id.0)
                .or_insert_with(|| ProductNegotiation {
                    product_name: p.name.clone(),
                    currency: p.currency.code().to_string(),
                    state: NegotiationState {
                        last_offer_minor: p.discounted_price_minor(),
                        customer_ask_minor: None,
                        rounds: 0,
                    },
                    agreed_minor: None,
                    approved_minor: None,
                });
            match a.approved_minor {
                Some(price) => {
                    entry.approved_minor = Some(price);
                    entry.agreed_minor = Some(price);
                }
                None => {
                    let floor = p.bargain_floor_minor.min(p.discounted_price_minor());
                    entry.state.last_offer_minor = floor;
                    entry.state.rounds = entry.state.rounds.max(MAX_CONCESSION_ROUNDS);
                }
            }
        }
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
