//! The tools the model acts through. The server executes and validates every call:
//! it is the authority on prices, stock and colors, whatever the model wrote.
//!
//! - `search_products`: name/description words, color, price range; returns price,
//!   discounted price, stock and colors, never the bargaining floor.
//! - `quote_price`: the unit price (agreed or discounted) and total for a quantity.
//! - `make_counter_offer` ([`counter_offer`]): the customer's ask goes through
//!   [`shared::negotiation::respond_to_ask`]; a price the model proposes below the
//!   floor is refused.
//! - `create_order` ([`order`]): delivery details required; each item checked by the
//!   order rules ([`crate::orders`]: quantity at most the stock, a color on offer, a
//!   unit price that is the list or discounted price or one offered/agreed in the
//!   stored negotiation, never below the floor); stock lowered in the same transaction.
//! - `hand_off_to_human`: pauses the AI on the chat with the reason.
//!
//! The definitions the model sees are in [`definitions`]; what a chat remembers is
//! [`super::chat_state`]; catalog lookup and facts are [`super::catalog`].
//!
//! In a dry run (the "try it" console) nothing is written: orders are validated but not
//! recorded, hand-offs do not pause, negotiation state stays in memory.

mod counter_offer;
mod definitions;
mod order;

use serde::Serialize;
use serde_json::{Value, json};
use shared::{ActivityKind, BusinessId, ChatId, ContactId, Currency};

use super::catalog;
use super::chat_state::{ChatNegotiation, Interest};
use crate::activity::{self, Actor, Entry, Subject};
use crate::app::App;
use crate::db::agent as agent_db;
use crate::db::products::Product;
use crate::events::{DomainEvent, EventKind};
use crate::orders::{self, ColorProblem, QuantityProblem};

pub use definitions::definitions;

/// Most tool calls recorded as product interest.
const MAX_INTEREST: usize = 10;
/// Most products a search returns.
const MAX_SEARCH_RESULTS: usize = 10;

/// One executed tool call, as shown in the "try it" console and logs.
#[derive(Debug, Clone, Serialize)]
pub struct ToolCall {
    /// Tool name.
    pub name: String,
    /// What the model asked.
    pub input: Value,
    /// What the server answered.
    pub result: Value,
    /// Whether the server refused.
    pub is_error: bool,
}

/// The chat the tools act on.
#[derive(Debug, Clone, Copy)]
pub struct ChatScope {
    /// Chat.
    pub chat_id: ChatId,
    /// Customer.
    pub contact_id: ContactId,
}

/// Tool state for one reply.
pub struct ToolBox<'a> {
    app: &'a App,
    business_id: BusinessId,
    /// Active products.
    pub catalog: &'a [Product],
    chat: Option<ChatScope>,
    dry_run: bool,
    /// Negotiation state (updated by counter-offers).
    pub negotiation: ChatNegotiation,
    /// Product interest, most recent first.
    pub interest: Vec<Interest>,
    /// Every call, in order.
    pub calls: Vec<ToolCall>,
    /// Amounts tools computed (the guard lets these through).
    pub computed: Vec<i64>,
    /// Set when the chat was handed to a person (the reason).
    pub handed_off: Option<String>,
    /// Orders recorded (id, total minor).
    pub orders: Vec<(u64, i64)>,
    /// Product photos to send after the reply's text.
    pub photos: Vec<Photo>,
    /// The reply job's claim, held before an order is recorded.
    lease: Option<std::sync::Arc<crate::db::jobs::Lease>>,
}

/// A product photo the model chose to show the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    /// The product.
    pub product_id: u64,
    /// The picture's public link (`PUBLIC_URL/images/<key>`).
    pub link: String,
    /// The product's name, as the caption.
    pub caption: String,
}

/// Most photos one reply sends.
pub const MAX_PHOTOS_PER_REPLY: usize = 3;

/// A refusal or failure, answered to the model with `is_error`.
struct Refusal(String);

type ToolResult = Result<Value, Refusal>;

fn refuse<T>(message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(message.into()))
}

/// A number given by the model in major units, to minor units (no floats involved).
pub fn major_to_minor(value: &Value, exponent: u32) -> Option<i64> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    let text: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == ',' || *c == '-')
        .collect();
    let currency = Currency::parse(match exponent {
        0 => "JPY",
        3 => "KWD",
        _ => "USD",
    })?;
    // Accept more decimals than the currency has only when they are zeros.
    let text = match text.split_once('.') {
        Some((w, f))
            if f.len() > exponent as usize && f[exponent as usize..].chars().all(|c| c == '0') =>
        {
            if exponent == 0 {
                w.to_string()
            } else {
                format!("{w}.{}", &f[..exponent as usize])
            }
        }
        _ => text,
    };
    shared::money::parse_major(&text, &currency)
}

impl<'a> ToolBox<'a> {
    /// Tools for one reply.
    pub fn new(
        app: &'a App,
        business_id: BusinessId,
        catalog: &'a [Product],
        chat: Option<ChatScope>,
        negotiation: ChatNegotiation,
        interest: Vec<Interest>,
        dry_run: bool,
    ) -> ToolBox<'a> {
        ToolBox {
            app,
            business_id,
            catalog,
            chat,
            dry_run,
            negotiation,
            interest,
            calls: Vec::new(),
            computed: Vec::new(),
            handed_off: None,
            orders: Vec::new(),
            photos: Vec::new(),
            lease: None,
        }
    }

    /// Records orders only while `lease` (the reply job's claim) is still held.
    pub fn fenced_by(mut self, lease: Option<std::sync::Arc<crate::db::jobs::Lease>>) -> Self {
        self.lease = lease;
        self
    }

    /// Runs one call; returns the JSON text for the `tool_result` and whether it is an
    /// error. Every call is recorded in [`ToolBox::calls`].
    pub async fn run(&mut self, name: &str, input: &Value) -> (String, bool) {
        let result = match name {
            "search_products" => Ok(self.search(input)),
            "quote_price" => self.quote(input),
            "make_counter_offer" => self.counter_offer(input).await,
            "create_order" => self.create_order(input).await,
            "hand_off_to_human" => self.hand_off(input).await,
            "send_product_photo" => self.product_photo(input).await,
            other => refuse(format!("unknown tool {other}")),
        };
        let (value, is_error) = match result {
            Ok(v) => (v, false),
            Err(Refusal(m)) => (json!({"error": m}), true),
        };
        self.calls.push(ToolCall {
            name: name.to_string(),
            input: input.clone(),
            result: value.clone(),
            is_error,
        });
        (value.to_string(), is_error)
    }

    fn product(&self, input: &Value) -> Result<&'a Product, Refusal> {
        let id = input.get("product_id").and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        });
        let Some(id) = id else {
            return refuse("product_id is required (use search_products to find it)");
        };
        match self.catalog.iter().find(|p| p.id.0 == id) {
            Some(p) => Ok(p),
            None => refuse(format!(
                "no product with id {id} in this shop's catalog; use search_products"
            )),
        }
    }

    /// Remembers that the customer looked at `p` (most recent first).
    pub fn note_interest(&mut self, p: &Product) {
        self.interest.retain(|i| i.product_id != p.id.0);
        self.interest.insert(
            0,
            Interest {
                product_id: p.id.0,
                name: p.name.clone(),
            },
        );
        self.interest.truncate(MAX_INTEREST);
    }

    fn search(&mut self, input: &Value) -> Value {
        let query = input
            .get("query")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_lowercase();
        let color = input
            .get("color")
            .and_then(Value::as_str)
            .map(|c| c.trim().to_lowercase());
        let exponent = self.catalog.first().map_or(2, |p| p.currency.exponent());
        let min = input
            .get("min_price")
            .and_then(|v| major_to_minor(v, exponent));
        let max = input
            .get("max_price")
            .and_then(|v| major_to_minor(v, exponent));
        let query_words: Vec<String> = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= 3)
            .map(str::to_string)
            .collect();
        let mut found: Vec<(usize, &'a Product)> = self
            .catalog
            .iter()
            .filter(|p| {
                color.as_ref().is_none_or(|c| {
                    p.colors
                        .iter()
                        .any(|pc| pc.to_lowercase().contains(c.as_str()))
                })
            })
            .filter(|p| min.is_none_or(|m| p.discounted_price_minor() >= m))
            .filter(|p| max.is_none_or(|m| p.discounted_price_minor() <= m))
            .filter_map(|p| {
                if query_words.is_empty() {
                    return Some((0, p));
                }
                let haystack =
                    format!("{} {} {}", p.name, p.description, p.colors.join(" ")).to_lowercase();
                let score = catalog::match_score(p, &query_words)
                    + query_words
                        .iter()
                        .filter(|w| haystack.contains(w.trim_end_matches('s')))
                        .count();
                (score > 0).then_some((score, p))
            })
            .collect();
        found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
        found.truncate(MAX_SEARCH_RESULTS);
        if !query_words.is_empty() {
            for (_, p) in found.iter().take(3).rev() {
                self.note_interest(p);
            }
        }
        for (_, p) in &found {
            self.computed.push(p.discounted_price_minor());
        }
        json!({
            "products": found.iter().map(|(_, p)| catalog::facts(p)).collect::<Vec<_>>(),
            "count": found.len(),
        })
    }

    /// The price a customer pays now for one unit: agreed, else discounted.
    pub fn unit_price(&self, p: &Product) -> i64 {
        self.negotiation
            .products
            .get(&p.id.0)
            .and_then(|n| n.agreed_minor)
            .unwrap_or_else(|| p.discounted_price_minor())
    }

    /// [`orders::choose_color`], refused in words the model can act on.
    fn check_color(p: &Product, color: Option<&str>) -> Result<Option<String>, Refusal> {
        orders::choose_color(p, color).or_else(|problem| match problem {
            ColorProblem::Required(colors) => refuse(format!(
                "{} comes in {}: ask the customer which color",
                p.name,
                colors.join(", ")
            )),
            ColorProblem::NotOffered(colors) => refuse(format!(
                "{} is not available in {}; colors on offer: {}",
                p.name,
                color.map(str::trim).unwrap_or_default(),
                if colors.is_empty() {
                    "none listed".into()
                } else {
                    colors.join(", ")
                }
            )),
        })
    }

    /// [`orders::check_quantity`], refused in words the model can act on.
    fn check_quantity(p: &Product, quantity: i64) -> Result<(), Refusal> {
        orders::check_quantity(p, quantity).or_else(|problem| match problem {
            QuantityProblem::BelowOne => refuse("quantity must be at least 1"),
            QuantityProblem::OutOfStock => refuse(format!("{} is out of stock", p.name)),
            QuantityProblem::OnlyLeft(left) => {
                refuse(format!("only {left} of {} in stock", p.name))
            }
        })
    }

    fn quote(&mut self, input: &Value) -> ToolResult {
        let p = self.product(input)?;
        let quantity = input.get("quantity").and_then(Value::as_i64).unwrap_or(1);
        Self::check_quantity(p, quantity)?;
        let color = match input.get("color").and_then(Value::as_str) {
            Some(c) => Self::check_color(p, Some(c))?,
            None => None,
        };
        self.note_interest(p);
        let unit = self.unit_price(p);
        let total = unit.saturating_mul(quantity);
        self.computed.extend([unit, total]);
        Ok(json!({
            "product_id": p.id,
            "name": p.name,
            "color": color,
            "quantity": quantity,
            "unit_price": p.money(unit).display(),
            "unit_price_major": p.money(unit).to_input(),
            "total": p.money(total).display(),
            "list_price": p.money(p.price_minor).display(),
            "in_stock": p.quantity,
        }))
    }

    /// Unit prices an order may use for a product ([`orders::allowed_unit_prices`],
    /// with the prices offered and agreed in this chat).
    fn allowed_unit_prices(&self, p: &Product) -> Vec<i64> {
        let negotiated = self
            .negotiation
            .products
            .get(&p.id.0)
            .map(|n| [Some(n.state.last_offer_minor), n.agreed_minor])
            .into_iter()
            .flatten()
            .flatten();
        let mut prices = orders::allowed_unit_prices(p, negotiated);
        if let Some(approved) = self
            .negotiation
            .products
            .get(&p.id.0)
            .and_then(|n| n.approved_minor)
            .filter(|a| orders::approved_price_allowed(p, *a))
        {
            prices.push(approved);
        }
        prices
    }

    /// Queues the product's first photo to go after the reply (with its name as the
    /// caption): the customer sees the real item.
    async fn product_photo(&mut self, input: &Value) -> ToolResult {
        let product = self.product(input)?;
        if self.photos.iter().any(|p| p.product_id == product.id.0) {
            return Ok(
                json!({"queued": true, "note": "this photo is already going with your reply"}),
            );
        }
        if self.photos.len() >= MAX_PHOTOS_PER_REPLY {
            return refuse(format!(
                "at most {MAX_PHOTOS_PER_REPLY} photos go with one reply"
            ));
        }
        let images = match self.app.db().await {
            Ok(mut conn) => crate::db::products::images_for(&mut conn, &[product.id])
                .await
                .ok(),
            Err(_) => None,
        };
        let Some(images) = images else {
            return refuse("the catalog is unavailable right now");
        };
        let Some(image) = images.first() else {
            return refuse(format!(
                "{} has no photo; describe it in words instead",
                product.name
            ));
        };
        self.note_interest(product);
        self.photos.push(Photo {
            product_id: product.id.0,
            link: format!(
                "{}/images/{}",
                self.app.config.public_url.trim_end_matches('/'),
                image.url_key
            ),
            caption: product.name.clone(),
        });
        Ok(json!({
            "queued": true,
            "note": "the photo is sent right after your reply; do not paste a link"
        }))
    }

    async fn hand_off(&mut self, input: &Value) -> ToolResult {
        let reason = input
            .get("reason")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .unwrap_or("The AI asked for a person")
            .chars()
            .take(500)
            .collect::<String>();
        self.handed_off = Some(reason.clone());
        if self.dry_run {
            return Ok(json!({"dry_run": true, "status": "would hand the chat to a person"}));
        }
        let Some(chat) = self.chat else {
            return Ok(json!({"status": "no chat to hand off"}));
        };
        let mut conn = self
            .app
            .db()
            .await
            .map_err(|_| Refusal("could not hand off right now".into()))?;
        agent_db::hand_off(&mut conn, self.business_id, chat.chat_id, &reason)
            .await
            .map_err(|_| Refusal("could not hand off right now".into()))?;
        activity::record_quietly(
            &mut conn,
            &self.app.events,
            self.business_id,
            &Actor::ai(),
            Entry::new(
                ActivityKind::AiHandoff,
                Some(Subject::chat(chat.chat_id)),
                "The AI handed a chat to a person",
            )
            .details(json!({"chat_id": chat.chat_id, "reason": reason})),
        )
        .await;
        self.app.events.publish(DomainEvent {
            business_id: self.business_id,
            kind: EventKind::ChatUpdated {
                chat_id: chat.chat_id.0,
            },
        });
        Ok(json!({"status": "handed off; a person will answer. Tell the customer so, briefly."}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_amounts_become_minor_units_without_floats() {
        assert_eq!(major_to_minor(&json!(21100), 2), Some(2_110_000));
        assert_eq!(major_to_minor(&json!("21,100.50"), 2), Some(2_110_050));
        assert_eq!(major_to_minor(&json!(19000.0), 2), Some(1_900_000));
        assert_eq!(major_to_minor(&json!("1500"), 0), Some(1500));
        assert_eq!(major_to_minor(&json!(-5), 2), None);
        assert_eq!(major_to_minor(&json!(null), 2), None);
    }
}
