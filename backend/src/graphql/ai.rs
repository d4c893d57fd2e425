//! The AI salesperson's API: settings (own key, budget, usage, last error), the "try
//! it" console, and the orders it records (read-only).

use async_graphql::connection::{Connection, Edge};
use async_graphql::{
    Context, Enum, ID, InputObject, Json, MaybeUndefined, Object, SimpleObject, Subscription,
};
use chrono::{DateTime, NaiveDate, Utc};
use futures::{Stream, StreamExt};

use super::products::Money;
use super::{Authenticated, ContextExt, id_cursor, ids, page_size};
use crate::agent::chat_state::{ChatNegotiation, parse_interest};
use crate::agent::settings::{self, AiSettingsView, PreviewTurn};
use crate::agent::{Reply, Responder};
use crate::app::AppState;
use crate::db::agent::UsageDay;
use crate::db::orders as model;
use crate::error::AppError;
use crate::events::EventKind;

/// Token usage of one day.
#[derive(SimpleObject)]
pub struct AiUsage {
    /// The UTC day.
    pub day: NaiveDate,
    /// Input tokens (cached ones included).
    pub input_tokens: i64,
    /// Output tokens.
    pub output_tokens: i64,
    /// Input plus output.
    pub total_tokens: i64,
    /// Model requests.
    pub requests: i32,
}

impl From<UsageDay> for AiUsage {
    fn from(u: UsageDay) -> Self {
        AiUsage {
            day: u.day,
            input_tokens: u.input_tokens,
            output_tokens: u.output_tokens,
            total_tokens: u.input_tokens + u.output_tokens,
            requests: u.requests,
        }
    }
}

/// The AI settings the owner manages (on/off, instructions and tone are on `Business`).
#[derive(SimpleObject)]
pub struct AiSettings {
    /// Masked hint of the business's own Anthropic key (`••••abcd`); the key itself is
    /// never returned.
    pub anthropic_key_hint: Option<String>,
    /// Whether the business set its own key.
    pub uses_own_key: bool,
    /// Whether the server has a key (used when the business has none).
    pub server_key_configured: bool,
    /// Whether replies can come from the model at all (else the built-in responder).
    pub model_available: bool,
    /// Daily token budget (input + output); null = unlimited.
    pub daily_token_budget: Option<i64>,
    /// Today's usage (UTC).
    pub usage_today: AiUsage,
    /// The last 7 days, oldest first.
    pub usage_last_7_days: Vec<AiUsage>,
    /// The last error from the AI provider (e.g. an invalid key), until a call succeeds.
    pub last_error: Option<String>,
    /// When it happened.
    pub last_error_at: Option<DateTime<Utc>>,
}

impl From<AiSettingsView> for AiSettings {
    fn from(v: AiSettingsView) -> Self {
        AiSettings {
            uses_own_key: v.key_hint.is_some(),
            model_available: v.key_hint.is_some() || v.server_key_configured,
            anthropic_key_hint: v.key_hint,
            server_key_configured: v.server_key_configured,
            daily_token_budget: v.daily_token_budget,
            usage_today: v.today.into(),
            usage_last_7_days: v.last_7_days.into_iter().map(Into::into).collect(),
            last_error: v.last_error,
            last_error_at: v.last_error_at.map(|t| t.and_utc()),
        }
    }
}

/// Changes to AI settings; omitted fields stay.
#[derive(InputObject, Default)]
pub struct UpdateAiSettingsInput {
    /// Daily token budget; null removes the limit.
    pub daily_token_budget: MaybeUndefined<i64>,
}

/// Who wrote a reply.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum AiResponder {
    /// The model (checked by the output guard).
    Model,
    /// The built-in responder (catalog facts only).
    BuiltIn,
}

/// One tool call of a reply.
#[derive(SimpleObject)]
pub struct AiToolCall {
    /// Tool name.
    pub name: String,
    /// The model's input.
    pub input: Json<serde_json::Value>,
    /// The server's result.
    pub result: Json<serde_json::Value>,
    /// Whether the server refused.
    pub is_error: bool,
}

/// The result of the "try it" console.
#[derive(SimpleObject)]
pub struct AiPreview {
    /// What the customer would receive.
    pub reply: String,
    /// Who wrote it.
    pub responder: AiResponder,
    /// Why the built-in responder answered, when it did.
    pub fallback_reason: Option<String>,
    /// Amounts the output guard blocked (the model's text was replaced).
    pub blocked_amounts: Vec<String>,
    /// The tool calls, in order.
    pub tool_calls: Vec<AiToolCall>,
    /// Whether the AI would hand the chat to a person.
    pub would_hand_off: bool,
}

impl From<Reply> for AiPreview {
    fn from(r: Reply) -> Self {
        AiPreview {
            reply: r.text,
            responder: match r.responder {
                Responder::Model => AiResponder::Model,
                Responder::BuiltIn => AiResponder::BuiltIn,
            },
            fallback_reason: r.fallback_reason,
            blocked_amounts: r.blocked.into_iter().map(|a| a.text).collect(),
            tool_calls: r
                .tool_calls
                .into_iter()
                .map(|c| AiToolCall {
                    name: c.name,
                    input: Json(c.input),
                    result: Json(c.result),
                    is_error: c.is_error,
                })
                .collect(),
            would_hand_off: r.handed_off,
        }
    }
}

/// Who said a history line in the console.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum PreviewSpeaker {
    /// The customer.
    Customer,
    /// The business (AI or staff).
    Business,
}

/// An earlier message of the console's made-up conversation.
#[derive(InputObject)]
pub struct PreviewTurnInput {
    /// Who said it.
    pub from: PreviewSpeaker,
    /// What was said.
    pub text: String,
}

/// Where an order is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::OrderStatus")]
pub enum OrderStatus {
    /// Recorded, not yet confirmed.
    Pending,
    /// Confirmed.
    Confirmed,
    /// Delivered and paid.
    Completed,
    /// Called off.
    Cancelled,
}

/// How an order came to be.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::OrderSource")]
pub enum OrderSource {
    /// From a WhatsApp chat (the AI salesperson).
    Chat,
    /// Entered by hand.
    Manual,
}

/// One line of an order (a snapshot taken when ordered).
#[derive(SimpleObject)]
pub struct OrderItem {
    /// The product, when it still exists.
    pub product_id: Option<ID>,
    /// Product name when ordered.
    pub name: String,
    /// Chosen color.
    pub color: Option<String>,
    /// Agreed unit price.
    pub unit_price: Money,
    /// Units.
    pub quantity: i64,
}

/// An order.
#[derive(SimpleObject)]
pub struct Order {
    /// Opaque id.
    pub id: ID,
    /// Order number shown to customers (`#12`).
    pub number: String,
    /// The chat it came from.
    pub chat_id: Option<ID>,
    /// Status.
    pub status: OrderStatus,
    /// Source.
    pub source: OrderSource,
    /// Total.
    pub total: Money,
    /// Name for the delivery.
    pub customer_name: Option<String>,
    /// Delivery details.
    pub delivery_details: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Lines.
    pub items: Vec<OrderItem>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Completed.
    pub completed_at: Option<DateTime<Utc>>,
}

pub(super) fn order(o: model::Order, items: Vec<model::OrderItem>) -> Order {
    Order {
        id: ids::encode("Order", o.id),
        number: format!("#{}", o.id),
        chat_id: o.chat_id.map(|c| ids::encode("Chat", c)),
        status: shared::OrderStatus::parse(&o.status)
            .unwrap_or(shared::OrderStatus::Pending)
            .into(),
        source: shared::OrderSource::parse(&o.source)
            .unwrap_or(shared::OrderSource::Manual)
            .into(),
        total: Money::new(o.total_minor, &o.currency),
        customer_name: o.customer_name,
        delivery_details: o.delivery_details,
        notes: o.notes,
        items: items
            .into_iter()
            .map(|i| OrderItem {
                product_id: i.product_id.map(|p| ids::encode("Product", p)),
                name: i.name,
                color: i.color,
                unit_price: Money::new(i.unit_price_minor, &o.currency),
                quantity: i.quantity,
            })
            .collect(),
        created_at: o.created_at.and_utc(),
        completed_at: o.completed_at.map(|t| t.and_utc()),
    }
}

/// Extra fields on the order list.
#[derive(SimpleObject)]
pub struct OrderConnectionFields {
    /// Orders matching the filter (all pages).
    pub total_count: i64,
}

/// AI queries.
#[derive(Default)]
pub struct AiQuery;

#[Object]
impl AiQuery {
    /// The AI settings, usage and last error of the caller's business.
    #[graphql(guard = "Authenticated")]
    async fn ai_settings(&self, ctx: &Context<'_>) -> async_graphql::Result<AiSettings> {
        Ok(settings::view(ctx.app(), ctx.caller()?).await?.into())
    }

    /// Orders, newest first (recorded from chats by the AI, or by hand).
    #[graphql(guard = "Authenticated")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<OrderStatus>,
    ) -> async_graphql::Result<Connection<String, Order, OrderConnectionFields>> {
        let caller = ctx.caller()?;
        let limit = page_size(first, "first")?;
        let after_id = id_cursor(after.as_deref(), "Order", "after")?;
        let status = status.map(|s| shared::OrderStatus::from(s).as_str());
        let mut conn = ctx.app().db().await?;
        let business = caller.business_id.0;
        let total = model::count(&mut conn, business, status)
            .await
            .map_err(AppError::from)?;
        let mut rows = model::list_page(
            &mut conn,
            business,
            status,
            after_id,
            i64::try_from(limit).unwrap_or(20) + 1,
        )
        .await
        .map_err(AppError::from)?;
        let has_next = rows.len() > limit;
        rows.truncate(limit);
        let order_ids: Vec<u64> = rows.iter().map(|o| o.id).collect();
        let mut items = model::items_for(&mut conn, &order_ids)
            .await
            .map_err(AppError::from)?;
        let mut connection = Connection::with_additional_fields(
            after_id.is_some(),
            has_next,
            OrderConnectionFields { total_count: total },
        );
        connection.edges.extend(rows.into_iter().map(|o| {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut items)
                .into_iter()
                .partition(|i| i.order_id == o.id);
            items = rest;
            Edge::new(ids::encode("Order", o.id).0, order(o, mine))
        }));
        Ok(connection)
    }

    /// One order. Another business's order is `NOT_FOUND`.
    #[graphql(guard = "Authenticated")]
    async fn order(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Order> {
        let caller = ctx.caller()?;
        let id = ids::decode("Order", &id)?;
        Ok(load_order(ctx.app(), caller.business_id.0, id)
            .await?
            .ok_or(AppError::NotFound("order"))?)
    }

    /// "Try it": what the AI would answer `message` (after `history`), using the real
    /// catalog. Nothing is sent to WhatsApp and nothing is written (tools run dry);
    /// model calls do count toward token usage.
    #[graphql(guard = "Authenticated")]
    async fn preview_ai_reply(
        &self,
        ctx: &Context<'_>,
        message: String,
        history: Option<Vec<PreviewTurnInput>>,
    ) -> async_graphql::Result<AiPreview> {
        let history = history
            .unwrap_or_default()
            .into_iter()
            .map(|t| PreviewTurn {
                from_customer: t.from == PreviewSpeaker::Customer,
                text: t.text,
            })
            .collect();
        Ok(
            settings::preview(ctx.app(), ctx.caller()?, &message, history)
                .await?
                .into(),
        )
    }
}

/// AI mutations.
#[derive(Default)]
pub struct AiMutation;

#[Object]
impl AiMutation {
    /// Sets the business's own Anthropic API key (stored encrypted; only a masked hint
    /// is returned). Without one, the server's key is used, if any.
    #[graphql(guard = "Authenticated")]
    async fn set_anthropic_key(
        &self,
        ctx: &Context<'_>,
        api_key: String,
    ) -> async_graphql::Result<AiSettings> {
        Ok(settings::set_key(ctx.app(), ctx.caller()?, &api_key)
            .await?
            .into())
    }

    /// Removes the business's own Anthropic API key.
    #[graphql(guard = "Authenticated")]
    async fn clear_anthropic_key(&self, ctx: &Context<'_>) -> async_graphql::Result<AiSettings> {
        Ok(settings::clear_key(ctx.app(), ctx.caller()?).await?.into())
    }

    /// Changes the daily token budget (null removes the limit). When today's usage
    /// reaches it, no model call is made and the built-in responder answers.
    #[graphql(guard = "Authenticated")]
    async fn update_ai_settings(
        &self,
        ctx: &Context<'_>,
        input: UpdateAiSettingsInput,
    ) -> async_graphql::Result<AiSettings> {
        let app = ctx.app();
        let caller = ctx.caller()?;
        match input.daily_token_budget {
            MaybeUndefined::Undefined => Ok(settings::view(app, caller).await?.into()),
            MaybeUndefined::Null => Ok(settings::set_budget(app, caller, None).await?.into()),
            MaybeUndefined::Value(b) => {
                Ok(settings::set_budget(app, caller, Some(b)).await?.into())
            }
        }
    }
}

/// Where haggling over one product stands in a chat.
#[derive(SimpleObject)]
pub struct Negotiation {
    /// The product.
    pub product_id: ID,
    /// Its name.
    pub product_name: String,
    /// Our last offer.
    pub our_last_offer: Money,
    /// The customer's last ask.
    pub customer_ask: Option<Money>,
    /// Counter-offers made so far.
    pub rounds: i32,
    /// The price both sides agreed, if any.
    pub agreed_price: Option<Money>,
}

/// A product a customer showed interest in.
#[derive(SimpleObject)]
pub struct ProductInterest {
    /// The product.
    pub product_id: ID,
    /// Its name.
    pub name: String,
}

/// A chat's stored negotiation state, for the API.
pub fn negotiations(stored: Option<&str>) -> Vec<Negotiation> {
    ChatNegotiation::parse(stored)
        .products
        .into_iter()
        .map(|(id, n)| Negotiation {
            product_id: ids::encode("Product", id),
            our_last_offer: Money::new(n.state.last_offer_minor, &n.currency),
            customer_ask: n
                .state
                .customer_ask_minor
                .map(|a| Money::new(a, &n.currency)),
            rounds: i32::try_from(n.state.rounds).unwrap_or(i32::MAX),
            agreed_price: n.agreed_minor.map(|a| Money::new(a, &n.currency)),
            product_name: n.product_name,
        })
        .collect()
}

/// A chat's stored product interest, for the API.
pub fn product_interest(stored: Option<&str>) -> Vec<ProductInterest> {
    parse_interest(stored)
        .into_iter()
        .map(|i| ProductInterest {
            product_id: ids::encode("Product", i.product_id),
            name: i.name,
        })
        .collect()
}

/// Live order updates over WebSocket (`/graphql/ws`): each subscriber receives only its
/// own business's orders.
#[derive(Default)]
pub struct OrderSubscription;

#[Subscription]
impl OrderSubscription {
    /// An order was recorded (by the AI from a chat, or by hand) or changed.
    #[graphql(guard = "Authenticated")]
    async fn order_changed(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = Order> + use<>> {
        let business_id = ctx.caller()?.business_id;
        let app = ctx.app().clone();
        Ok(
            super::inbox::business_events(&app, business_id).filter_map(move |kind| {
                let app = app.clone();
                async move {
                    match kind {
                        EventKind::OrderChanged { order_id } => {
                            load_order(&app, business_id.0, order_id)
                                .await
                                .ok()
                                .flatten()
                        }
                        _ => None,
                    }
                }
            }),
        )
    }
}

/// One order of `business_id` with its lines; `None` when it is not theirs.
async fn load_order(app: &AppState, business_id: u64, id: u64) -> Result<Option<Order>, AppError> {
    let mut conn = app.db().await?;
    let Some(o) = model::find(&mut conn, business_id, id).await? else {
        return Ok(None);
    };
    let items = model::items_for(&mut conn, &[o.id]).await?;
    Ok(Some(order(o, items)))
}
