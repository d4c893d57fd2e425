//! The AI salesperson's API: settings (own key, budget, usage, last error), the "try
//! it" console, and the negotiation and interest state it keeps per chat (shown on
//! `Chat`).

use async_graphql::{Context, Enum, ID, InputObject, Json, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use shared::ProductId;

use super::common::{Money, money};
use super::{Authenticated, ContextExt, OwnerAuthority, OwnerOnly, ids};
use crate::agent::chat_state::{ChatNegotiation, parse_interest};
use crate::agent::settings::{self, AiSettingsView, PreviewTurn};
use crate::agent::{Reply, Responder};
use crate::db::agent::UsageDay;
use crate::error::AppError;

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
    /// Daily token budget (input + output) the owner set; null = none set.
    pub daily_token_budget: Option<i64>,
    /// The budget that applies today: the owner's, and, while the business answers on
    /// the server's key (no key of its own), at most the server's daily allowance;
    /// null = unlimited. Replies and previews beyond it come from the built-in
    /// responder.
    pub effective_daily_token_budget: Option<i64>,
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
            effective_daily_token_budget: v.effective_daily_token_budget,
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
}

/// The "try it" console. A part of its own so that the query fields keep their order
/// in the schema (after the orders).
#[derive(Default)]
pub struct AiPreviewQuery;

#[Object]
impl AiPreviewQuery {
    /// "Try it": what the AI would answer `message` (after `history`), using the real
    /// catalog. Nothing is sent to WhatsApp and nothing is written (tools run dry);
    /// model calls do count toward token usage and the daily budget. At most
    /// `AI_PREVIEWS_PER_MINUTE` (10 by default) per business per minute, then
    /// RATE_LIMITED.
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
    /// Owner only, signed in to the dashboard (staff and API tokens: FORBIDDEN).
    #[graphql(guard = "OwnerOnly")]
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
    /// Owner only, signed in to the dashboard (staff and API tokens: FORBIDDEN).
    #[graphql(guard = "OwnerOnly")]
    async fn clear_anthropic_key(&self, ctx: &Context<'_>) -> async_graphql::Result<AiSettings> {
        Ok(settings::clear_key(ctx.app(), ctx.caller()?).await?.into())
    }

    /// Changes the daily token budget (null removes the limit). When today's usage
    /// reaches it, no model call is made and the built-in responder answers.
    /// Owner only, in the dashboard or with an API token (staff: FORBIDDEN).
    #[graphql(guard = "OwnerAuthority")]
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
pub fn negotiations(stored: Option<&str>) -> Result<Vec<Negotiation>, AppError> {
    ChatNegotiation::parse(stored)
        .products
        .into_iter()
        .map(|(id, n)| {
            let price = |minor| money(minor, &n.currency);
            Ok(Negotiation {
                product_id: ids::encode(ProductId(id)),
                our_last_offer: price(n.state.last_offer_minor)?,
                customer_ask: n.state.customer_ask_minor.map(price).transpose()?,
                rounds: i32::try_from(n.state.rounds).unwrap_or(i32::MAX),
                agreed_price: n.agreed_minor.map(price).transpose()?,
                product_name: n.product_name,
            })
        })
        .collect()
}

/// A chat's stored product interest, for the API.
pub fn product_interest(stored: Option<&str>) -> Vec<ProductInterest> {
    parse_interest(stored)
        .into_iter()
        .map(|i| ProductInterest {
            product_id: ids::encode(ProductId(i.product_id)),
            name: i.name,
        })
        .collect()
}
