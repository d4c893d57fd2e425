//! The `make_counter_offer` tool: the customer's ask goes through the concession policy
//! ([`shared::negotiation::respond_to_ask`]), a price the model proposes outside it is
//! refused, and, when the business's rule says so, the owner is asked
//! ([`crate::deal_approvals`]) or their decision applied.

use serde_json::{Value, json};
use shared::negotiation::{self, Decision};

use super::{ToolBox, ToolResult, major_to_minor, refuse};
use crate::agent::chat_state::ProductNegotiation;
use crate::db::products::Product;
use crate::deal_approvals::{self, Standing};
use crate::orders;

impl ToolBox<'_> {
    pub(super) async fn counter_offer(&mut self, input: &Value) -> ToolResult {
        let p = self.product(input)?;
        let exponent = p.currency.exponent();
        let Some(ask) = input
            .get("customer_offer")
            .and_then(|v| major_to_minor(v, exponent))
        else {
            return refuse("customer_offer must be a positive amount in major units");
        };
        let quantity = input
            .get("quantity")
            .and_then(Value::as_i64)
            .unwrap_or(1)
            .max(1);
        if let Some(approved) = self
            .negotiation
            .products
            .get(&p.id.0)
            .and_then(|n| n.approved_minor)
        {
            return Ok(self.owner_approved(p, ask, approved));
        }
        let standing = self.owner_standing(p).await;
        if standing == Standing::Pending {
            self.note_interest(p);
            return Ok(json!({
                "product_id": p.id,
                "name": p.name,
                "decision": "awaiting_owner",
                "advice": "The shop owner is still considering this customer's request. Say you are still waiting for their answer; do not name, offer or agree to any price for this product now.",
            }));
        }
        let limits = orders::price_limits(p);
        let previous = self.negotiation.products.get(&p.id.0).map(|n| n.state);
        if let Some(proposed) = input.get("proposed_price") {
            let proposed = major_to_minor(proposed, exponent);
            if proposed.is_none_or(|m| !negotiation::price_allowed(limits, m)) {
                let best = negotiation::next_offer(limits, previous);
                self.computed.push(best);
                return refuse(format!(
                    "refused: that price is not allowed for {}. Do not offer it. The most you may concede now is {}",
                    p.name,
                    p.money(best).display()
                ));
            }
        }
        self.note_interest(p);
        let (decision, state) = negotiation::respond_to_ask(limits, previous, ask);
        if standing == Standing::None
            && let Some(asked) = self
                .ask_owner(
                    p,
                    quantity,
                    ask,
                    previous,
                    matches!(decision, Decision::Accept(_)),
                )
                .await
        {
            return Ok(asked);
        }
        let price = decision.price_minor();
        let agreed = match decision {
            Decision::Accept(x) => Some(x),
            _ => self
                .negotiation
                .products
                .get(&p.id.0)
                .and_then(|n| n.agreed_minor),
        };
        self.negotiation.products.insert(
            p.id.0,
            ProductNegotiation {
                product_name: p.name.clone(),
                currency: p.currency.code().to_string(),
                state,
                agreed_minor: agreed,
                approved_minor: None,
            },
        );
        self.computed.push(price);
        let (kind, advice) = match decision {
            Decision::Accept(_) => (
                "accept",
                "Agree to this price; confirm color, quantity and delivery details before creating the order.",
            ),
            Decision::Counter(_) => (
                "counter",
                "Offer exactly this price; do not go lower in this message.",
            ),
            Decision::Final(_) => (
                "final",
                "This is our best price; say so politely and do not go lower.",
            ),
        };
        Ok(json!({
            "product_id": p.id,
            "name": p.name,
            "decision": kind,
            "price": p.money(price).display(),
            "price_major": p.money(price).to_input(),
            "customer_offer": p.money(ask).display(),
            "advice": advice,
        }))
    }

    /// The answer when the owner approved `approved` for this customer.
    fn owner_approved(&mut self, p: &Product, ask: i64, approved: i64) -> Value {
        self.note_interest(p);
        self.computed.push(approved);
        let (kind, advice) = if ask >= approved {
            (
                "accept",
                "The shop owner approved this price for this customer. Agree to it; confirm color, quantity and delivery details before creating the order.",
            )
        } else {
            (
                "final",
                "This is the price the shop owner approved for this customer; do not go lower.",
            )
        };
        json!({
            "product_id": p.id,
            "name": p.name,
            "decision": kind,
            "price": p.money(approved).display(),
            "price_major": p.money(approved).to_input(),
            "customer_offer": p.money(ask).display(),
            "advice": advice,
        })
    }

    /// The owner's word on `p` in this chat ([`Standing::None`] outside a chat or when
    /// the store cannot tell).
    async fn owner_standing(&self, p: &Product) -> Standing {
        let Some(chat) = self.chat else {
            return Standing::None;
        };
        let Ok(mut conn) = self.app.db().await else {
            return Standing::None;
        };
        deal_approvals::standing(&mut conn, chat.chat_id, p.id)
            .await
            .unwrap_or(Standing::None)
    }

    /// Asks the owner when the business's rule says this ask needs them (below the
    /// floor, or a discount on a bulk quantity): the request is recorded and the model
    /// told to say the shop will check. `None` when the owner is not asked.
    async fn ask_owner(
        &mut self,
        p: &Product,
        quantity: i64,
        ask: i64,
        previous: Option<negotiation::NegotiationState>,
        accepted: bool,
    ) -> Option<Value> {
        let settings = {
            let mut conn = self.app.db().await.ok()?;
            crate::db::deal_approvals::settings(&mut conn, self.business_id)
                .await
                .ok()?
        };
        let reason = deal_approvals::needs_owner(&settings, p, quantity, ask, accepted)?;
        let answer = json!({
            "product_id": p.id,
            "name": p.name,
            "decision": "needs_owner_approval",
            "advice": "This request needs the shop owner's approval. Tell the customer you will check with the shop and come back to them shortly. Do not name, offer or agree to any price in this message.",
        });
        if self.dry_run {
            return Some(answer);
        }
        let chat = self.chat?;
        let offered = previous.map_or_else(|| p.discounted_price_minor(), |s| s.last_offer_minor);
        let asked = deal_approvals::request(
            self.app,
            deal_approvals::Ask {
                business_id: self.business_id,
                chat_id: chat.chat_id,
                product: p,
                quantity,
                ask_minor: ask,
                offered_minor: offered,
                reason,
            },
            &settings,
        )
        .await;
        match asked {
            Ok(_) => Some(answer),
            Err(e) => {
                tracing::warn!(error = %e.message(), "could not ask the owner about a deal; the policy answers");
                None
            }
        }
    }
}
