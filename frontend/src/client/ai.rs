//! The AI salesperson's settings (own Anthropic key, token budget, usage) and the "try it"
//! preview.

use super::operations::{
    self, AiSettings as AiSettingsOp, ClearAnthropicKey, PreviewAiReply, SetAnthropicKey,
    UpdateAiSettings,
};
use super::transport::send;
use super::{Client, ClientError};

/// Token usage of one UTC day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiUsage {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Input tokens.
    pub input_tokens: i64,
    /// Output tokens.
    pub output_tokens: i64,
}

/// What the AI section shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiSettings {
    /// Masked hint of the own key, if set.
    pub key_hint: Option<String>,
    /// Whether the server has a fallback key.
    pub server_key_configured: bool,
    /// Whether replies can come from the model at all.
    pub model_available: bool,
    /// Daily token budget; `None` = unlimited.
    pub daily_token_budget: Option<i64>,
    /// Today's usage.
    pub usage_today: AiUsage,
    /// The last 7 days, oldest first.
    pub usage_last_7_days: Vec<AiUsage>,
    /// The last provider error.
    pub last_error: Option<String>,
    /// When it happened.
    pub last_error_at: Option<String>,
}

/// One tool call of a previewed reply.
#[derive(Debug, Clone, PartialEq)]
pub struct AiToolCall {
    /// Tool name.
    pub name: String,
    /// The model's input (JSON text).
    pub input: String,
    /// The server's result (JSON text).
    pub result: String,
    /// Whether the server refused.
    pub is_error: bool,
}

/// The "try it" result.
#[derive(Debug, Clone, PartialEq)]
pub struct AiPreview {
    /// What the customer would receive.
    pub reply: String,
    /// `true` when the model wrote it, `false` for the built-in responder.
    pub by_model: bool,
    /// Why the built-in responder answered.
    pub fallback_reason: Option<String>,
    /// Amounts the output guard blocked.
    pub blocked_amounts: Vec<String>,
    /// The tool calls, in order.
    pub tool_calls: Vec<AiToolCall>,
    /// Whether the AI would hand the chat to a person.
    pub would_hand_off: bool,
}

impl Client {
    /// The AI settings, usage and last error.
    pub async fn ai_settings(&self) -> Result<AiSettings, ClientError> {
        let data = self.watch(
            send::<AiSettingsOp>(self.token.as_deref(), operations::ai_settings::Variables).await,
        )?;
        let s = data.ai_settings;
        Ok(AiSettings {
            key_hint: s.anthropic_key_hint.filter(|_| s.uses_own_key),
            server_key_configured: s.server_key_configured,
            model_available: s.model_available,
            daily_token_budget: s.daily_token_budget,
            usage_today: AiUsage {
                day: s.usage_today.day,
                input_tokens: s.usage_today.input_tokens,
                output_tokens: s.usage_today.output_tokens,
            },
            usage_last_7_days: s
                .usage_last7_days
                .into_iter()
                .map(|u| AiUsage {
                    day: u.day,
                    input_tokens: u.input_tokens,
                    output_tokens: u.output_tokens,
                })
                .collect(),
            last_error: s.last_error,
            last_error_at: s.last_error_at,
        })
    }

    /// Stores the business's own Anthropic key.
    pub async fn set_anthropic_key(&self, api_key: String) -> Result<(), ClientError> {
        let variables = operations::set_anthropic_key::Variables {
            api_key: api_key.trim().to_string(),
        };
        self.watch(send::<SetAnthropicKey>(self.token.as_deref(), variables).await)?;
        Ok(())
    }

    /// Removes the business's own Anthropic key.
    pub async fn clear_anthropic_key(&self) -> Result<(), ClientError> {
        let variables = operations::clear_anthropic_key::Variables;
        self.watch(send::<ClearAnthropicKey>(self.token.as_deref(), variables).await)?;
        Ok(())
    }

    /// Sets the daily token budget (`None` removes the limit).
    pub async fn set_daily_token_budget(&self, budget: Option<i64>) -> Result<(), ClientError> {
        let variables = operations::update_ai_settings::Variables {
            input: operations::update_ai_settings::UpdateAiSettingsInput {
                daily_token_budget: budget,
            },
        };
        self.watch(send::<UpdateAiSettings>(self.token.as_deref(), variables).await)?;
        Ok(())
    }

    /// What the AI would answer `message`; nothing is sent to WhatsApp.
    pub async fn preview_ai_reply(&self, message: String) -> Result<AiPreview, ClientError> {
        let variables = operations::preview_ai_reply::Variables { message };
        let data = self.watch(send::<PreviewAiReply>(self.token.as_deref(), variables).await)?;
        let p = data.preview_ai_reply;
        Ok(AiPreview {
            reply: p.reply,
            by_model: matches!(
                p.responder,
                operations::preview_ai_reply::AiResponder::Model
            ),
            fallback_reason: p.fallback_reason,
            blocked_amounts: p.blocked_amounts,
            tool_calls: p
                .tool_calls
                .into_iter()
                .map(|c| AiToolCall {
                    name: c.name,
                    input: c.input.to_string(),
                    result: c.result.to_string(),
                    is_error: c.is_error,
                })
                .collect(),
            would_hand_off: p.would_hand_off,
        })
    }
}
