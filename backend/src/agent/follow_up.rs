//! The follow-up the AI writes: when the business's follow-up rule has no text of the
//! owner's and its AI is on, the model writes the one message that goes to a customer
//! who was quoted a price and did not order, from the chat's own history, in the
//! business's tone. No tools: it may only restate what was offered. The text passes the
//! same output guard as every reply (no price below an approved one); on any failure
//! (no key, budget spent, provider down, blocked price, empty or overlong text) the
//! caller sends the rule's default text instead.

use chrono::Utc;
use shared::{BusinessId, ChatId};

use super::prompt::{self, Turn};
use super::{Conversation, api_key, guard_context};
use crate::anthropic::{MessagesRequest, SystemBlock};
use crate::app::{App, AppState};
use crate::db::agent as agent_db;

/// Longest follow-up the model may write (characters); a longer one is not sent.
pub const MAX_CHARS: usize = 600;
/// Output cap for a follow-up.
const MAX_TOKENS: u32 = 300;

/// What the model is asked for, after the business's own prompt.
const INSTRUCTION: &str = "Task now: the customer has not answered since the last message \
and has not ordered. Write ONE short follow-up message to them (at most two sentences): \
friendly, in the chat's language and the business's tone, reminding them of the product \
and the price already offered in this chat and inviting them to order. Never offer a lower \
price or a new discount, never invent stock or delivery promises. Reply with the message \
text only.";

/// The last user turn, when the business spoke last.
const CLOSING: &str = "(The customer has not answered. Write the follow-up now.)";

/// The follow-up text the model writes for `chat_id`, or `None` when it should not or
/// could not (see the module docs). `default_text` is what goes otherwise, given to the
/// model as the gist to keep.
pub async fn write(
    app: &AppState,
    business_id: BusinessId,
    chat_id: ChatId,
    default_text: &str,
) -> Option<String> {
    match try_write(app, business_id, chat_id, default_text).await {
        Ok(text) => text,
        Err(e) => {
            tracing::warn!(%business_id, chat_id = chat_id.0, error = %e, "the AI could not write a follow-up; the default text goes");
            None
        }
    }
}

async fn try_write(
    app: &App,
    business_id: BusinessId,
    chat_id: ChatId,
    default_text: &str,
) -> anyhow::Result<Option<String>> {
    let mut conn = app.db().await?;
    let Some(profile) = agent_db::profile(&mut conn, business_id).await? else {
        return Ok(None);
    };
    if !profile.ai_enabled {
        return Ok(None);
    }
    let Some(key) = api_key(app, &profile) else {
        return Ok(None);
    };
    let today = Utc::now().date_naive();
    if let Some(budget) = profile.ai_daily_token_budget
        && agent_db::tokens_on(&mut conn, business_id, today).await? >= budget
    {
        return Ok(None);
    }
    let Some((chat, contact)) = agent_db::chat_with_contact(&mut conn, chat_id).await? else {
        return Ok(None);
    };
    let catalog = agent_db::active_products(&mut conn, business_id, super::MAX_CATALOG).await?;
    let history = agent_db::recent_messages(&mut conn, chat_id, prompt::HISTORY_LIMIT).await?;
    let answers = crate::deal_approvals::answers_in_chat(&mut conn, business_id, chat_id)
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    drop(conn);
    let conversation = Conversation {
        first_name: prompt::first_name(contact.identity.profile_name.as_deref()),
        history: history.iter().map(Turn::of).collect(),
        negotiation: chat.negotiation.clone(),
        interest: chat.product_interest.clone(),
        answers,
        ..Conversation::default()
    };
    let negotiation = conversation.negotiation(&catalog);
    let interest = super::chat_state::parse_interest(conversation.interest.as_deref());
    let shown = prompt::excerpts(&catalog, &conversation.history, &interest, &negotiation);
    let context = prompt::context_block(
        &catalog,
        &shown,
        &negotiation,
        conversation.first_name.as_deref(),
    );
    let mut system = prompt::system(&profile, context);
    system.push(SystemBlock::plain(format!(
        "{INSTRUCTION}\nThe gist, in case it helps: {default_text}"
    )));
    let request = MessagesRequest {
        model: app.config.anthropic_model.clone(),
        max_tokens: MAX_TOKENS,
        system,
        messages: prompt::messages_closing(&conversation.history, CLOSING),
        tools: Vec::new(),
    };
    let client = super::messages_client(app);
    let response = client.create(&key, &request).await?;
    let mut conn = app.db().await?;
    agent_db::record_usage(
        &mut conn,
        business_id,
        today,
        response.usage.total_input(),
        response.usage.output_tokens,
    )
    .await?;
    let text = response.text().trim().to_string();
    if text.is_empty() || text.chars().count() > MAX_CHARS {
        return Ok(None);
    }
    let guard = guard_context(&catalog, &negotiation, &[], profile.default_currency.code());
    if let Err(blocked) = guard.check(&text) {
        tracing::warn!(%business_id, chat_id = chat_id.0, amounts = ?blocked.amounts, "the output guard blocked an AI follow-up; the default text goes");
        return Ok(None);
    }
    Ok(Some(text))
}
