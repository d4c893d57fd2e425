//! The AI salesperson.
//!
//! - [`enqueue`]: inside the ingest transaction, each chat with new customer messages
//!   gets one debounced reply job (not for blacklisted contacts, paused chats or
//!   businesses with AI off); "STOP" opt-outs blacklist the contact instead.
//! - [`worker`]: workers claim due jobs (`FOR UPDATE SKIP LOCKED`), check again, and
//!   answer through [`compose`] and the one sender ([`crate::sender`]).
//! - [`compose`]: the model with tools ([`tools`]) when a key and budget allow, else
//!   the built-in responder ([`builtin`]); every model text passes the output guard
//!   ([`guard`]) before it may be sent.
//! - [`prompt`]: what the model sees (and does not).
//! - [`follow_up`]: the follow-up text the model writes when the owner's rule has none
//!   (no tools, the same output guard).
//! - [`catalog`]: catalog lookup and facts, shared by the tools and the built-in
//!   responder; [`chat_state`]: what a chat remembers (negotiation, interest). The
//!   order rules both obey are [`crate::orders`].

pub mod builtin;
pub mod catalog;
pub mod chat_state;
pub mod enqueue;
pub mod follow_up;
pub mod guard;
pub mod optout;
pub mod prompt;
mod provider;
pub mod settings;
pub mod tools;
pub mod worker;

use chrono::Utc;
use serde::Serialize;
use serde_json::json;
use shared::ActivityKind;

use crate::activity::{self, Actor, Entry, Subject};
use crate::anthropic::{ApiError, ContentBlock, Message, MessagesRequest};
use crate::app::App;
use crate::db::agent::{self as agent_db, AiProfile};
use crate::db::products::Product;
use chat_state::{ChatNegotiation, Interest, parse_interest};
use prompt::Turn;
pub use provider::{api_key, daily_budget};
use provider::{messages_client, record_provider_error};
use tools::{ChatScope, ToolBox, ToolCall};

/// Most model turns per reply (each tool round is one).
pub const MAX_TOOL_ROUNDS: usize = 6;
/// Output cap per model turn.
pub const MAX_OUTPUT_TOKENS: u32 = 1024;
/// Most active products loaded for one reply.
pub const MAX_CATALOG: i64 = 5000;

/// Who wrote a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Responder {
    /// The model (text checked by the guard).
    Model,
    /// The built-in responder (catalog facts only).
    BuiltIn,
}

/// A composed reply, not yet sent.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The text to send.
    pub text: String,
    /// Who wrote it.
    pub responder: Responder,
    /// Why the built-in responder answered, if it did.
    pub fallback_reason: Option<String>,
    /// Amounts the guard blocked (the model's text was replaced).
    pub blocked: Vec<guard::FoundAmount>,
    /// The model's text before the guard replaced it.
    pub blocked_text: Option<String>,
    /// Tool calls made.
    pub tool_calls: Vec<ToolCall>,
    /// The chat was handed to a person.
    pub handed_off: bool,
    /// Orders recorded (ids).
    pub orders: Vec<u64>,
    /// Product photos to send after the text.
    pub photos: Vec<tools::Photo>,
    /// The catalog rows the reply was written from (prices as they were then).
    pub products: Vec<UsedProduct>,
    /// The model, when the model wrote it.
    pub model: Option<String>,
}

/// A catalog row an AI reply was written from, with the prices it knew.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UsedProduct {
    /// Product id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Currency code.
    pub currency: String,
    /// List price, minor units.
    pub price_minor: i64,
    /// Discounted price, minor units.
    pub discounted_minor: i64,
    /// The bargaining floor, minor units (never told to customers).
    pub floor_minor: i64,
    /// Units in stock.
    pub quantity: i64,
}

impl UsedProduct {
    fn of(p: &Product) -> UsedProduct {
        UsedProduct {
            id: p.id.0,
            name: p.name.clone(),
            currency: p.currency.code().to_string(),
            price_minor: p.price_minor,
            discounted_minor: p.discounted_price_minor(),
            floor_minor: p.bargain_floor_minor,
            quantity: p.quantity,
        }
    }
}

/// The catalog rows relevant to a conversation (what the prompt shows the model).
fn used_products(catalog: &[Product], conversation: &Conversation) -> Vec<UsedProduct> {
    let negotiation = conversation.negotiation(catalog);
    let interest: Vec<Interest> = parse_interest(conversation.interest.as_deref());
    prompt::excerpts(catalog, &conversation.history, &interest, &negotiation)
        .into_iter()
        .map(UsedProduct::of)
        .collect()
}

/// What to compose a reply for.
#[derive(Debug, Clone, Default)]
pub struct Conversation {
    /// The chat (None in the "try it" console).
    pub chat: Option<ChatScope>,
    /// Customer's first name, if known.
    pub first_name: Option<String>,
    /// Recent history, oldest first, ending with the customer.
    pub history: Vec<Turn>,
    /// Stored negotiation state (JSON).
    pub negotiation: Option<String>,
    /// Stored product interest (JSON).
    pub interest: Option<String>,
    /// The owner's decisions on deals asked in this chat ([`crate::deal_approvals`]).
    pub answers: Vec<crate::deal_approvals::Answer>,
    /// The reply job's claim, checked before an order is recorded (None outside a
    /// job: the "try it" console).
    pub lease: Option<std::sync::Arc<crate::db::jobs::Lease>>,
}

impl Conversation {
    /// The stored negotiation with the owner's decisions taken in.
    fn negotiation(&self, catalog: &[Product]) -> ChatNegotiation {
        let mut negotiation = ChatNegotiation::parse(self.negotiation.as_deref());
        negotiation.apply_answers(catalog, &self.answers);
        negotiation
    }

    /// The customer's messages since the business last wrote, joined.
    pub fn unanswered_text(&self) -> String {
        let start = self
            .history
            .iter()
            .rposition(|t| !t.from_customer)
            .map_or(0, |i| i + 1);
        self.history[start..]
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Whether the model may be asked at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Model when a key and budget allow, else built-in.
    Auto,
    /// Built-in only (the provider gave up).
    BuiltInOnly,
}

/// Composing failed in a way worth retrying later.
#[derive(Debug, Clone)]
pub enum ComposeError {
    /// The provider is unavailable (429/529/5xx/timeouts after quick retries).
    Unavailable(String),
    /// The database failed.
    Database(String),
}

impl From<diesel::result::Error> for ComposeError {
    fn from(e: diesel::result::Error) -> Self {
        ComposeError::Database(e.to_string())
    }
}

impl From<crate::error::AppError> for ComposeError {
    fn from(e: crate::error::AppError) -> Self {
        ComposeError::Database(e.message())
    }
}

fn guard_context(
    catalog: &[Product],
    negotiation: &ChatNegotiation,
    computed: &[i64],
    fallback_currency: &str,
) -> guard::GuardContext {
    let currency = catalog
        .first()
        .map_or(fallback_currency, |p| p.currency.code());
    guard::GuardContext {
        exponent: shared::Currency::exponent_of(currency),
        products: catalog
            .iter()
            .map(|p| guard::GuardProduct {
                name: p.name.to_lowercase(),
                price_minor: p.price_minor,
                discounted_minor: p.discounted_price_minor(),
                floor_minor: p.bargain_floor_minor,
            })
            .collect(),
        negotiated: negotiation.prices(),
        // Prices the owner approved pass even below a floor, like a tool's result.
        computed: computed
            .iter()
            .copied()
            .chain(negotiation.approved_prices())
            .collect(),
    }
}

/// The built-in responder's reply. In a chat it haggles through the same tools as the
/// model (see [`builtin::respond_in_chat`]), and the negotiation it makes is stored on
/// the chat unless `dry_run`.
async fn built_in(
    app: &App,
    profile: &AiProfile,
    catalog: &[Product],
    conversation: &Conversation,
    reason: &str,
    dry_run: bool,
) -> Result<Reply, ComposeError> {
    let mut toolbox = ToolBox::new(
        app,
        profile.id,
        catalog,
        conversation.chat,
        conversation.negotiation(catalog),
        parse_interest(conversation.interest.as_deref()),
        dry_run,
    )
    .fenced_by(conversation.lease.clone());
    let text =
        builtin::respond_in_chat(&profile.name, &mut toolbox, &conversation.unanswered_text())
            .await;
    save_chat_state(app, conversation, &toolbox, dry_run).await?;
    Ok(Reply {
        text,
        responder: Responder::BuiltIn,
        fallback_reason: Some(reason.to_string()),
        blocked: Vec::new(),
        blocked_text: None,
        orders: toolbox.orders.iter().map(|(id, _)| *id).collect(),
        photos: toolbox.photos.clone(),
        tool_calls: toolbox.calls,
        handed_off: false,
        products: used_products(catalog, conversation),
        model: None,
    })
}

/// Stores what the tools learned (negotiation, product interest) on the chat.
async fn save_chat_state(
    app: &App,
    conversation: &Conversation,
    toolbox: &ToolBox<'_>,
    dry_run: bool,
) -> Result<(), ComposeError> {
    if dry_run {
        return Ok(());
    }
    let Some(chat) = conversation.chat else {
        return Ok(());
    };
    let mut conn = app.db().await?;
    agent_db::save_chat_ai_state(
        &mut conn,
        chat.chat_id,
        &serde_json::to_string(&toolbox.negotiation).unwrap_or_else(|_| "{}".into()),
        &serde_json::to_string(&toolbox.interest).unwrap_or_else(|_| "[]".into()),
    )
    .await?;
    Ok(())
}

/// Composes the reply to a conversation. With `dry_run` nothing is written (no order,
/// no hand-off, no stored state; token usage is still counted: the calls were made).
pub async fn compose(
    app: &App,
    profile: &AiProfile,
    conversation: &Conversation,
    dry_run: bool,
    mode: Mode,
) -> Result<Reply, ComposeError> {
    let catalog = {
        let mut conn = app.db().await?;
        agent_db::active_products(&mut conn, profile.id, MAX_CATALOG).await?
    };
    if mode == Mode::BuiltInOnly {
        return built_in(
            app,
            profile,
            &catalog,
            conversation,
            "the AI provider is unavailable",
            dry_run,
        )
        .await;
    }
    let Some(key) = api_key(app, profile) else {
        return built_in(
            app,
            profile,
            &catalog,
            conversation,
            "no Anthropic API key is configured",
            dry_run,
        )
        .await;
    };
    let today = Utc::now().date_naive();
    if let Some(budget) = daily_budget(app, profile) {
        let mut conn = app.db().await?;
        if agent_db::tokens_on(&mut conn, profile.id, today).await? >= budget {
            return built_in(
                app,
                profile,
                &catalog,
                conversation,
                "the daily AI token budget is spent",
                dry_run,
            )
            .await;
        }
    }
    let negotiation = conversation.negotiation(&catalog);
    let interest: Vec<Interest> = parse_interest(conversation.interest.as_deref());
    let shown = prompt::excerpts(&catalog, &conversation.history, &interest, &negotiation);
    let context = prompt::context_block(
        &catalog,
        &shown,
        &negotiation,
        conversation.first_name.as_deref(),
    );
    let client = messages_client(app);
    let mut toolbox = ToolBox::new(
        app,
        profile.id,
        &catalog,
        conversation.chat,
        negotiation,
        interest,
        dry_run,
    )
    .fenced_by(conversation.lease.clone());
    let mut request = MessagesRequest {
        model: app.config.anthropic_model.clone(),
        max_tokens: MAX_OUTPUT_TOKENS,
        system: prompt::system(profile, context),
        messages: prompt::messages(&conversation.history),
        tools: tools::definitions(),
    };
    let mut final_text = String::new();
    let mut finished = false;
    for _round in 0..MAX_TOOL_ROUNDS {
        let response = match client.create(&key, &request).await {
            Ok(r) => r,
            Err(ApiError::Unavailable(e)) => {
                record_provider_error(
                    app,
                    profile.id,
                    &format!("AI provider unavailable: {e}"),
                    dry_run,
                )
                .await;
                if toolbox.orders.is_empty() && toolbox.handed_off.is_none() {
                    return Err(ComposeError::Unavailable(e));
                }
                break;
            }
            Err(e @ (ApiError::InvalidKey(_) | ApiError::Rejected(_))) => {
                record_provider_error(app, profile.id, &e.to_string(), dry_run).await;
                let mut reply = built_in(
                    app,
                    profile,
                    &catalog,
                    conversation,
                    &e.to_string(),
                    dry_run,
                )
                .await?;
                let mut calls = toolbox.calls;
                calls.append(&mut reply.tool_calls);
                reply.tool_calls = calls;
                return Ok(reply);
            }
        };
        {
            let mut conn = app.db().await?;
            agent_db::record_usage(
                &mut conn,
                profile.id,
                today,
                response.usage.total_input(),
                response.usage.output_tokens,
            )
            .await?;
            if profile.ai_last_error.is_some() && !dry_run {
                agent_db::set_last_error(&mut conn, profile.id, None).await?;
            }
        }
        let text = response.text();
        let uses: Vec<(String, String, serde_json::Value)> = response
            .content
            .iter()
            .filter_map(|b| match b {
                ContentBlock::ToolUse { id, name, input } => {
                    Some((id.clone(), name.clone(), input.clone()))
                }
                _ => None,
            })
            .collect();
        request.messages.push(Message {
            role: "assistant".into(),
            content: response.content.clone(),
        });
        if response.stop_reason.as_deref() == Some("tool_use") && !uses.is_empty() {
            let mut results = Vec::new();
            for (id, name, input) in uses {
                let (content, is_error) = toolbox.run(&name, &input).await;
                results.push(ContentBlock::ToolResult {
                    tool_use_id: id,
                    content,
                    is_error,
                });
            }
            request.messages.push(Message {
                role: "user".into(),
                content: results,
            });
            final_text = text;
            continue;
        }
        final_text = text;
        finished = true;
        break;
    }
    if !finished {
        tracing::warn!(
            business_id = profile.id.0,
            "tool rounds exhausted or provider failed mid-reply"
        );
    }
    let order_ids: Vec<u64> = toolbox.orders.iter().map(|(id, _)| *id).collect();
    let mut reply = Reply {
        text: final_text.trim().to_string(),
        responder: Responder::Model,
        fallback_reason: None,
        blocked: Vec::new(),
        blocked_text: None,
        tool_calls: Vec::new(),
        handed_off: toolbox.handed_off.is_some(),
        orders: order_ids,
        photos: toolbox.photos.clone(),
        products: shown.iter().map(|p| UsedProduct::of(p)).collect(),
        model: Some(app.config.anthropic_model.clone()),
    };
    if !finished || reply.text.is_empty() {
        reply.text = if let Some((id, _)) = toolbox.orders.last() {
            format!(
                "Thank you! Your order #{id} is recorded. A person from {} will confirm the delivery with you.",
                profile.name
            )
        } else if toolbox.handed_off.is_some() {
            "Thanks! A person from the team will reply to you shortly.".into()
        } else {
            reply.responder = Responder::BuiltIn;
            reply.fallback_reason = Some("the model gave no answer".into());
            builtin::respond(&profile.name, &catalog, &conversation.unanswered_text())
        };
    } else {
        let ctx = guard_context(
            &catalog,
            &toolbox.negotiation,
            &toolbox.computed,
            profile.default_currency.code(),
        );
        let verdict = ctx
            .check(&reply.text)
            .and_then(|()| ctx.check_agreement(&reply.text, &conversation.unanswered_text()));
        if let Err(blocked) = verdict {
            tracing::warn!(business_id = profile.id.0, amounts = ?blocked.amounts, "output guard blocked an AI reply");
            reply.blocked_text = Some(std::mem::take(&mut reply.text));
            reply.text =
                builtin::safe_reply(&profile.name, &catalog, &conversation.unanswered_text());
            reply.blocked = blocked.amounts;
            if !dry_run {
                let mut conn = app.db().await?;
                activity::record(
                    &mut conn,
                    &app.events,
                    profile.id,
                    &Actor::ai(),
                    Entry::new(
                        ActivityKind::AiReplyBlocked,
                        conversation.chat.map(|c| Subject::chat(c.chat_id)),
                        "An AI reply with an unapproved price was not sent",
                    )
                    .details(json!({
                        "chat_id": conversation.chat.map(|c| c.chat_id),
                        "amounts": reply.blocked.iter().map(|a| a.text.clone()).collect::<Vec<_>>(),
                    })),
                )
                .await?;
            }
        }
    }
    save_chat_state(app, conversation, &toolbox, dry_run).await?;
    reply.tool_calls = toolbox.calls;
    Ok(reply)
}
