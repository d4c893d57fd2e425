//! The tools the model acts through. The server executes and validates every call:
//! it is the authority on prices, stock and colors, whatever the model wrote.
//!
//! - `search_products`: name/description words, color, price range; returns price,
//!   discounted price, stock and colors, never the bargaining floor.
//! - `quote_price`: the unit price (agreed or discounted) and total for a quantity.
//! - `make_counter_offer`: the customer's ask goes through
//!   [`shared::negotiation::respond_to_ask`]; a price the model proposes below the
//!   floor is refused.
//! - `create_order`: delivery details required; each item's product, quantity (at
//!   most the stock), color (one on offer) and unit price (list, discounted, or the
//!   price offered/agreed in the stored negotiation; never below the floor) checked;
//!   stock lowered in the same transaction.
//! - `hand_off_to_human`: pauses the AI on the chat with the reason.
//!
//! In a dry run (the "try it" console) nothing is written: orders are validated but not
//! recorded, hand-offs do not pause, negotiation state stays in memory.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shared::negotiation::{self, Decision, NegotiationState, PriceLimits};
use shared::{BusinessId, Currency};

use crate::anthropic::Tool;
use crate::app::App;
use crate::db::orders::{self, NewItem, NewOrder, OrderRefusal};
use crate::db::products::Product;
use crate::db::{self, agent as agent_db};
use crate::events::{DomainEvent, EventKind};

/// Most tool calls recorded as product interest.
const MAX_INTEREST: usize = 10;
/// Most products a search returns.
const MAX_SEARCH_RESULTS: usize = 10;
/// Most items in one order.
const MAX_ORDER_ITEMS: usize = 20;

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
    pub chat_id: u64,
    /// Customer.
    pub contact_id: u64,
}

/// Tool state for one reply.
pub struct ToolBox<'a> {
    app: &'a App,
    business_id: u64,
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
}

/// A refusal or failure, answered to the model with `is_error`.
struct Refusal(String);

type ToolResult = Result<Value, Refusal>;

fn refuse<T>(message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(message.into()))
}

/// The tool definitions sent to the model.
pub fn definitions() -> Vec<Tool> {
    vec![
        Tool {
            name: "search_products".into(),
            description: "Search this business's catalog by words in the name or description, color and price range. Returns each product's id, price, discounted price, stock and colors. Use it before quoting anything.".into(),
            input_schema: json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "Words the customer used, e.g. \"red dress\""},
                    "color": {"type": "string"},
                    "min_price": {"type": "number", "description": "In major units of the shop's currency"},
                    "max_price": {"type": "number", "description": "In major units of the shop's currency"}
                }
            }),
        },
        Tool {
            name: "quote_price".into(),
            description: "The current unit price (agreed in this chat, else the discounted price) and the total for a quantity, checking stock and color.".into(),
            input_schema: json!({
                "type": "object",
                "properties": {
                    "product_id": {"type": "integer"},
                    "quantity": {"type": "integer", "minimum": 1},
                    "color": {"type": "string"}
                },
                "required": ["product_id"]
            }),
        },
        Tool {
            name: "make_counter_offer".into(),
            description: "Call whenever the customer proposes a price. Returns the decision: accept (their price), counter (our new price) or final (our best price). Answer with exactly that price.".into(),
            input_schema: json!({
                "type": "object",
                "properties": {
                    "product_id": {"type": "integer"},
                    "customer_offer": {"type": "number", "description": "The customer's proposed unit price, major units"},
                    "proposed_price": {"type": "number", "description": "Optional price you would like to offer, major units; refused when not allowed"}
                },
                "required": ["product_id", "customer_offer"]
            }),
        },
        Tool {
            name: "create_order".into(),
            description: "Record the customer's order once product, color, quantity, unit price and delivery details are agreed. The unit price must be the catalog/discounted price or the price agreed in this chat.".into(),
            input_schema: json!({
                "type": "object",
                "properties": {
                    "items": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "product_id": {"type": "integer"},
                                "quantity": {"type": "integer", "minimum": 1},
                                "color": {"type": "string"},
                                "unit_price": {"type": "number", "description": "Major units"}
                            },
                            "required": ["product_id", "quantity", "unit_price"]
                        }
                    },
                    "customer_name": {"type": "string"},
                    "delivery_address": {"type": "string", "description": "Where to deliver (or 'pickup' with a time)"},
                    "delivery_notes": {"type": "string"}
                },
                "required": ["items", "delivery_address"]
            }),
        },
        Tool {
            name: "hand_off_to_human".into(),
            description: "Hand the chat to a person of the business (the AI stops answering this chat). Use when the customer asks for a human, complains, or you cannot help from the tools.".into(),
            input_schema: json!({
                "type": "object",
                "properties": {"reason": {"type": "string"}},
                "required": ["reason"]
            }),
        },
    ]
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

fn exponent_of(currency: &str) -> u32 {
    Currency::parse(currency).map_or(2, |c| c.exponent())
}

pub(crate) fn display(minor: i64, currency: &str) -> String {
    Currency::parse(currency).map_or_else(
        || minor.to_string(),
        |c| shared::money::format_minor(minor, &c),
    )
}

pub(crate) fn major_string(minor: i64, currency: &str) -> String {
    Currency::parse(currency).map_or_else(
        || minor.to_string(),
        |c| shared::money::minor_to_input(minor, &c),
    )
}

fn limits(p: &Product) -> PriceLimits {
    PriceLimits {
        start_minor: p.discounted_price_minor(),
        floor_minor: p.bargain_floor_minor,
        rounding_minor: 10i64.pow(exponent_of(&p.currency)),
    }
}

impl<'a> ToolBox<'a> {
    /// Tools for one reply.
    pub fn new(
        app: &'a App,
        business_id: u64,
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
        }
    }

    /// Runs one call; returns the JSON text for the `tool_result` and whether it is an
    /// error. Every call is recorded in [`ToolBox::calls`].
    pub async fn run(&mut self, name: &str, input: &Value) -> (String, bool) {
        let result = match name {
            "search_products" => Ok(self.search(input)),
            "quote_price" => self.quote(input),
            "make_counter_offer" => self.counter_offer(input),
            "create_order" => self.create_order(input).await,
            "hand_off_to_human" => self.hand_off(input).await,
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
        match self.catalog.iter().find(|p| p.id == id) {
            Some(p) => Ok(p),
            None => refuse(format!(
                "no product with id {id} in this shop's catalog; use search_products"
            )),
        }
    }

    /// Remembers that the customer looked at `p` (most recent first).
    pub fn note_interest(&mut self, p: &Product) {
        self.interest.retain(|i| i.product_id != p.id);
        self.interest.insert(
            0,
            Interest {
                product_id: p.id,
                name: p.name.clone(),
            },
        );
        self.interest.truncate(MAX_INTEREST);
    }

    /// The facts about a product the model may see (never the floor).
    pub fn product_facts(p: &Product) -> Value {
        let now = p.discounted_price_minor();
        json!({
            "product_id": p.id,
            "name": p.name,
            "description": p.description.chars().take(300).collect::<String>(),
            "price": display(p.price_minor, &p.currency),
            "discounted_price": display(now, &p.currency),
            "discounted_price_major": major_string(now, &p.currency),
            "on_sale": now < p.price_minor,
            "in_stock": p.quantity,
            "colors": p.color_list(),
        })
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
        let exponent = self.catalog.first().map_or(2, |p| exponent_of(&p.currency));
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
                    p.color_list()
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
                let haystack = format!("{} {} {}", p.name, p.description, p.color_list().join(" "))
                    .to_lowercase();
                let score = super::builtin::match_score(p, &query_words)
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
            "products": found.iter().map(|(_, p)| Self::product_facts(p)).collect::<Vec<_>>(),
            "count": found.len(),
        })
    }

    /// The price a customer pays now for one unit: agreed, else discounted.
    fn unit_price(&self, p: &Product) -> i64 {
        self.negotiation
            .products
            .get(&p.id)
            .and_then(|n| n.agreed_minor)
            .unwrap_or_else(|| p.discounted_price_minor())
    }

    fn check_color(p: &Product, color: Option<&str>) -> Result<Option<String>, Refusal> {
        let colors = p.color_list();
        match color.map(str::trim).filter(|c| !c.is_empty()) {
            None if colors.len() <= 1 => Ok(colors.first().cloned()),
            None => refuse(format!(
                "{} comes in {}: ask the customer which color",
                p.name,
                colors.join(", ")
            )),
            Some(c) => match colors.iter().find(|pc| pc.eq_ignore_ascii_case(c)) {
                Some(pc) => Ok(Some(pc.clone())),
                None => refuse(format!(
                    "{} is not available in {c}; colors on offer: {}",
                    p.name,
                    if colors.is_empty() {
                        "none listed".into()
                    } else {
                        colors.join(", ")
                    }
                )),
            },
        }
    }

    fn check_quantity(p: &Product, quantity: i64) -> Result<(), Refusal> {
        if quantity < 1 {
            return refuse("quantity must be at least 1");
        }
        if p.quantity == 0 {
            return refuse(format!("{} is out of stock", p.name));
        }
        if quantity > p.quantity {
            return refuse(format!("only {} of {} in stock", p.quantity, p.name));
        }
        Ok(())
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
            "unit_price": display(unit, &p.currency),
            "unit_price_major": major_string(unit, &p.currency),
            "total": display(total, &p.currency),
            "list_price": display(p.price_minor, &p.currency),
            "in_stock": p.quantity,
        }))
    }

    fn counter_offer(&mut self, input: &Value) -> ToolResult {
        let p = self.product(input)?;
        let exponent = exponent_of(&p.currency);
        let Some(ask) = input
            .get("customer_offer")
            .and_then(|v| major_to_minor(v, exponent))
        else {
            return refuse("customer_offer must be a positive amount in major units");
        };
        let limits = limits(p);
        let previous = self.negotiation.products.get(&p.id).map(|n| n.state);
        if let Some(proposed) = input.get("proposed_price") {
            let proposed = major_to_minor(proposed, exponent);
            if proposed.is_none_or(|m| !negotiation::price_allowed(limits, m)) {
                let best = negotiation::next_offer(limits, previous);
                self.computed.push(best);
                return refuse(format!(
                    "refused: that price is not allowed for {}. Do not offer it. The most you may concede now is {}",
                    p.name,
                    display(best, &p.currency)
                ));
            }
        }
        self.note_interest(p);
        let (decision, state) = negotiation::respond_to_ask(limits, previous, ask);
        let price = decision.price_minor();
        let agreed = match decision {
            Decision::Accept(x) => Some(x),
            _ => self
                .negotiation
                .products
                .get(&p.id)
                .and_then(|n| n.agreed_minor),
        };
        self.negotiation.products.insert(
            p.id,
            ProductNegotiation {
                product_name: p.name.clone(),
                currency: p.currency.clone(),
                state,
                agreed_minor: agreed,
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
            "price": display(price, &p.currency),
            "price_major": major_string(price, &p.currency),
            "customer_offer": display(ask, &p.currency),
            "advice": advice,
        }))
    }

    /// Unit prices an order may use for a product.
    fn allowed_unit_prices(&self, p: &Product) -> Vec<i64> {
        let mut prices = vec![p.price_minor, p.discounted_price_minor()];
        if let Some(n) = self.negotiation.products.get(&p.id) {
            prices.push(n.state.last_offer_minor);
            prices.extend(n.agreed_minor);
        }
        prices.retain(|x| negotiation::price_allowed(limits(p), *x) && *x >= p.bargain_floor_minor);
        prices
    }

    async fn create_order(&mut self, input: &Value) -> ToolResult {
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
        if items.len() > MAX_ORDER_ITEMS {
            return refuse(format!("at most {MAX_ORDER_ITEMS} items per order"));
        }
        let mut new_items = Vec::new();
        let mut currency = None;
        for item in items {
            let p = self.product(item)?;
            let quantity = item.get("quantity").and_then(Value::as_i64).unwrap_or(0);
            Self::check_quantity(p, quantity)?;
            let color = Self::check_color(p, item.get("color").and_then(Value::as_str))?;
            let exponent = exponent_of(&p.currency);
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
                    display(unit, &p.currency),
                    p.name,
                    display(usable, &p.currency)
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
        let currency = currency.unwrap_or_else(|| "USD".into());
        let total: i64 = new_items
            .iter()
            .map(|i| i.unit_price_minor.saturating_mul(i.quantity))
            .sum();
        let text = |key: &str| {
            input
                .get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| s.chars().take(1000).collect::<String>())
        };
        self.computed.push(total);
        self.computed
            .extend(new_items.iter().map(|i| i.unit_price_minor));
        let items_json: Vec<Value> = new_items
            .iter()
            .map(|i| {
                json!({"name": i.name, "color": i.color, "quantity": i.quantity,
                       "unit_price": display(i.unit_price_minor, &currency)})
            })
            .collect();
        if self.dry_run {
            return Ok(json!({
                "dry_run": true,
                "status": "would be recorded (preview: nothing is saved, stock unchanged)",
                "items": items_json,
                "total": display(total, &currency),
            }));
        }
        let order = NewOrder {
            business_id: self.business_id,
            chat_id: self.chat.map(|c| c.chat_id),
            contact_id: self.chat.map(|c| c.contact_id),
            source: shared::OrderSource::Chat.as_str(),
            currency: currency.clone(),
            customer_name: text("customer_name"),
            delivery_details: address.chars().take(1000).collect(),
            notes: text("delivery_notes"),
            items: new_items,
        };
        let mut conn = self
            .app
            .db()
            .await
            .map_err(|_| Refusal("the order could not be saved right now; try again".into()))?;
        match orders::create(&mut conn, &order).await {
            Ok(Ok(created)) => {
                self.orders.push((created.id, created.total_minor));
                let _ = agent_db::record_activity(
                    &mut conn,
                    self.business_id,
                    "order_created",
                    &format!("Order #{} recorded from chat", created.id),
                    &json!({"order_id": created.id, "total_minor": created.total_minor, "currency": currency, "source": "ai"}),
                    "ai",
                )
                .await;
                self.app.events.publish(DomainEvent {
                    business_id: BusinessId(self.business_id),
                    kind: EventKind::OrderChanged {
                        order_id: created.id,
                    },
                });
                for item in &order.items {
                    self.app.events.publish(DomainEvent {
                        business_id: BusinessId(self.business_id),
                        kind: EventKind::ProductChanged(item.product_id),
                    });
                }
                Ok(json!({
                    "order_id": created.id,
                    "order_number": format!("#{}", created.id),
                    "status": "recorded",
                    "items": items_json,
                    "total": display(created.total_minor, &currency),
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
        db::agent::hand_off(&mut conn, self.business_id, chat.chat_id, &reason)
            .await
            .map_err(|_| Refusal("could not hand off right now".into()))?;
        let _ = agent_db::record_activity(
            &mut conn,
            self.business_id,
            "ai_handoff",
            "The AI handed a chat to a person",
            &json!({"chat_id": chat.chat_id, "reason": reason}),
            "ai",
        )
        .await;
        self.app.events.publish(DomainEvent {
            business_id: BusinessId(self.business_id),
            kind: EventKind::ChatUpdated {
                chat_id: chat.chat_id,
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
