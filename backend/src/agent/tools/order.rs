//! The `create_order` tool: the model's order is checked item by item against the
//! order rules ([`crate::orders`]) and recorded with its stock taken in the same
//! transaction. In a dry run it is checked and previewed, never recorded.

use serde_json::{Value, json};
use shared::{Currency, Money, OrderSource};

use super::{Refusal, ToolBox, ToolResult, major_to_minor, refuse};
use crate::activity::Actor;
use crate::db::orders::{self as model, NewItem, NewOrder, OrderRefusal};
use crate::db::products::Product;
use crate::orders::{self, MAX_ITEMS};

impl ToolBox<'_> {
    /// The price agreed with the customer for `p` in this chat, if any.
    pub fn agreed_price(&self, p: &Product) -> Option<i64> {
        self.negotiation
            .products
            .get(&p.id.0)
            .and_then(|n| n.agreed_minor)
    }

    /// The number of a pending order of this chat that has `p` in it, if any (so a
    /// customer repeating the address does not order twice). `None` outside a chat or
    /// when the store cannot tell.
    pub async fn pending_order_with(&self, p: &Product) -> Option<u64> {
        let chat = self.chat?;
        let mut conn = self.app.db().await.ok()?;
        model::pending_in_chat_with(&mut conn, chat.chat_id, p.id)
            .await
            .ok()
            .flatten()
    }

    pub(super) async fn create_order(&mut self, input: &Value) -> ToolResult {
        let address = input
            .get("delivery_address")
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("");
        if address.chars().count() < 4 {
            return refuse(
                "delivery details are required: ask the customer for the delivery address (or pickup arrangement) first",
            );
        }
        let Some(items) = input
            .get("items")
            .and_then(Value::as_array)
            .filter(|i| !i.is_empty())
        else {
            return refuse("items are required");
        };
        if items.len() > MAX_ITEMS {
            return refuse(format!("at most {MAX_ITEMS} items per order"));
        }
        let mut new_items = Vec::new();
        let mut currency: Option<Currency> = None;
        for item in items {
            let p = self.product(item)?;
            let quantity = item.get("quantity").and_then(Value::as_i64).unwrap_or(0);
            Self::check_quantity(p, quantity)?;
            let color = Self::check_color(p, item.get("color").and_then(Value::as_str))?;
            let exponent = p.currency.exponent();
            let Some(unit) = item
                .get("unit_price")
                .and_then(|v| major_to_minor(v, exponent))
            else {
                return refuse(format!("unit_price is required for {}", p.name));
            };
            if !self.allowed_unit_prices(p).contains(&unit) {
                let usable = self.unit_price(p);
                self.computed.push(usable);
                return refuse(format!(
                    "refused: {} is not an agreed price for {}. Use {} (or negotiate with make_counter_offer first)",
                    p.money(unit).display(),
                    p.name,
                    p.money(usable).display()
                ));
            }
            if currency.get_or_insert_with(|| p.currency.clone()) != &p.currency {
                return refuse("all items of an order must be in the same currency");
            }
            new_items.push(NewItem {
                product_id: p.id,
                name: p.name.clone(),
                color,
                unit_price_minor: unit,
                quantity,
            });
        }
        // Every item either refused or set the currency; the list is not empty.
        let Some(currency) = currency else {
            return refuse("items are required");
        };
        let text = |key: &str| {
            input
                .get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| s.chars().take(1000).collect::<String>())
        };
        let items_json: Vec<Value> = new_items
            .iter()
            .map(|i| {
                json!({"name": i.name, "color": i.color, "quantity": i.quantity,
                       "unit_price": Money::new(i.unit_price_minor, currency.clone()).display()})
            })
            .collect();
        let order = NewOrder {
            business_id: self.business_id,
            chat_id: self.chat.map(|c| c.chat_id),
            contact_id: self.chat.map(|c| c.contact_id),
            source: OrderSource::Chat,
            currency: currency.clone(),
            customer_name: text("customer_name"),
            delivery_details: address.chars().take(1000).collect(),
            notes: text("delivery_notes"),
            items: new_items,
        };
        let total = order.total_minor();
        self.computed.push(total);
        self.computed
            .extend(order.items.iter().map(|i| i.unit_price_minor));
        if self.dry_run {
            return Ok(json!({
                "dry_run": true,
                "status": "would be recorded (preview: nothing is saved, stock unchanged)",
                "items": items_json,
                "total": Money::new(total, currency.clone()).display(),
            }));
        }
        let mut conn = self
            .app
            .db()
            .await
            .map_err(|_| Refusal("the order could not be saved right now; try again".into()))?;
        // A reply slower than its job's lease may have been taken over by another
        // worker, which records the order itself: never both.
        if let Some(lease) = &self.lease {
            match lease.hold(&mut conn).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(
                        "an AI reply outlived its job's lease; its order is left to the worker that holds it"
                    );
                    return refuse(
                        "this conversation is now answered elsewhere: do not record the order",
                    );
                }
                Err(e) => {
                    tracing::error!(error = %e, "could not check an AI reply's job lease");
                    return refuse("the order could not be saved right now; hand off to a person");
                }
            }
        }
        match orders::record(&mut conn, &self.app.events, &order, &Actor::ai()).await {
            Ok(Ok(created)) => {
                self.orders.push((created.id, created.total_minor));
                Ok(json!({
                    "order_id": created.id,
                    "order_number": format!("#{}", created.id),
                    "status": "recorded",
                    "items": items_json,
                    "total": Money::new(created.total_minor, currency).display(),
                }))
            }
            Ok(Err(OrderRefusal::OutOfStock(name, left))) => {
                refuse(format!("only {left} of {name} left in stock now"))
            }
            Err(e) => {
                tracing::error!(error = %e, "recording an AI order failed");
                refuse("the order could not be saved right now; hand off to a person")
            }
        }
    }
}
