//! "Why this reply": `whyThisReply(messageId)` explains an AI reply: the catalog rows
//! and prices it was written from, its tool calls and their results, the output check's
//! verdict, the model and the prompt version. Owner and staff; the caller's business
//! only (another business's message is `NOT_FOUND`).

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use serde::Deserialize;
use shared::MessageId;

use super::common::{Money, money};
use super::{Authenticated, ContextExt, ids};
use crate::error::AppError;

/// A catalog row the reply was written from, with the prices it knew then.
#[derive(SimpleObject)]
pub struct UsedProduct {
    /// The product.
    pub product_id: ID,
    /// Its name then.
    pub name: String,
    /// List price.
    pub price: Money,
    /// Discounted price.
    pub discounted_price: Money,
    /// The bargaining floor (never told to customers).
    pub floor: Money,
    /// Units in stock then.
    pub quantity: i64,
}

/// A tool the AI used and what the server answered.
#[derive(SimpleObject)]
pub struct UsedTool {
    /// Tool name (`search_products`, `make_counter_offer`, `create_order`...).
    pub name: String,
    /// What the AI asked.
    pub input: Json<serde_json::Value>,
    /// What the server answered.
    pub result: Json<serde_json::Value>,
    /// The server refused.
    pub is_error: bool,
}

/// Why an AI reply says what it says.
#[derive(SimpleObject)]
pub struct AiReplyExplanation {
    /// `model` or `built_in` (the catalog-only responder).
    pub responder: String,
    /// The model, when the model wrote it.
    pub model: Option<String>,
    /// The prompt and tools version.
    pub prompt_version: String,
    /// Why the built-in responder answered, if it did.
    pub fallback_reason: Option<String>,
    /// The output check: `passed`, or `blocked` (the model's text was replaced).
    pub guard_verdict: String,
    /// Amounts the check blocked.
    pub blocked_amounts: Vec<String>,
    /// Catalog rows and prices used.
    pub products: Vec<UsedProduct>,
    /// Tool calls, in order.
    pub tool_calls: Vec<UsedTool>,
    /// Orders it recorded.
    pub order_ids: Vec<ID>,
    /// It handed the chat to a person.
    pub handed_off: bool,
}

#[derive(Deserialize)]
struct StoredProduct {
    id: u64,
    name: String,
    currency: String,
    price_minor: i64,
    discounted_minor: i64,
    floor_minor: i64,
    quantity: i64,
}

#[derive(Deserialize)]
struct StoredTool {
    name: String,
    input: serde_json::Value,
    result: serde_json::Value,
    is_error: bool,
}

#[derive(Deserialize)]
struct Stored {
    responder: String,
    model: Option<String>,
    prompt_version: String,
    fallback_reason: Option<String>,
    guard: String,
    #[serde(default)]
    blocked_amounts: Vec<String>,
    #[serde(default)]
    products: Vec<StoredProduct>,
    #[serde(default)]
    tool_calls: Vec<StoredTool>,
    #[serde(default)]
    orders: Vec<u64>,
    #[serde(default)]
    handed_off: bool,
}

impl TryFrom<Stored> for AiReplyExplanation {
    type Error = AppError;

    fn try_from(s: Stored) -> Result<AiReplyExplanation, AppError> {
        let products = s
            .products
            .into_iter()
            .map(|p| {
                Ok(UsedProduct {
                    product_id: ids::encode(shared::ProductId(p.id)),
                    price: money(p.price_minor, &p.currency)?,
                    discounted_price: money(p.discounted_minor, &p.currency)?,
                    floor: money(p.floor_minor, &p.currency)?,
                    name: p.name,
                    quantity: p.quantity,
                })
            })
            .collect::<Result<_, AppError>>()?;
        Ok(AiReplyExplanation {
            responder: s.responder,
            model: s.model,
            prompt_version: s.prompt_version,
            fallback_reason: s.fallback_reason,
            guard_verdict: s.guard,
            blocked_amounts: s.blocked_amounts,
            products,
            tool_calls: s
                .tool_calls
                .into_iter()
                .map(|t| UsedTool {
                    name: t.name,
                    input: Json(t.input),
                    result: Json(t.result),
                    is_error: t.is_error,
                })
                .collect(),
            order_ids: s
                .orders
                .into_iter()
                .map(|o| ids::encode(shared::OrderId(o)))
                .collect(),
            handed_off: s.handed_off,
        })
    }
}

/// The "why this reply" query.
#[derive(Default)]
pub struct WhyQuery;

#[Object]
impl WhyQuery {
    /// Why an AI reply says what it says (`NOT_FOUND` for a message the AI did not
    /// write or of another business).
    #[graphql(guard = "Authenticated")]
    async fn why_this_reply(
        &self,
        ctx: &Context<'_>,
        message_id: ID,
    ) -> async_graphql::Result<AiReplyExplanation> {
        let caller = ctx.caller()?;
        let message = ids::decode::<MessageId>(&message_id)?;
        let mut conn = ctx.app().db().await?;
        let stored = crate::db::ai_traces::find(&mut conn, caller.business_id, message.0)
            .await
            .map_err(AppError::from)?
            .ok_or(AppError::NotFound("AI reply"))?;
        let stored: Stored = serde_json::from_str(&stored)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("unreadable AI reply trace: {e}")))?;
        Ok(stored.try_into()?)
    }
}
