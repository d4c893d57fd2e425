//! "Why this reply": the explanation of one AI reply.

use super::operations::{self, WhyThisReply};
use super::transport::send;
use super::{Client, ClientError};

/// A catalog row the reply was written from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedProduct {
    /// Name.
    pub name: String,
    /// List price.
    pub price: String,
    /// Discounted price.
    pub discounted: String,
    /// Bargaining floor.
    pub floor: String,
    /// Stock then.
    pub quantity: i64,
}

/// A tool call and its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedTool {
    /// Tool name.
    pub name: String,
    /// What the AI asked (JSON text).
    pub input: String,
    /// What the server answered (JSON text).
    pub result: String,
    /// The server refused.
    pub is_error: bool,
}

/// Why an AI reply says what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyExplanation {
    /// `model` or `built_in`.
    pub responder: String,
    /// The model, if it wrote the reply.
    pub model: Option<String>,
    /// Prompt version.
    pub prompt_version: String,
    /// Why the built-in responder answered.
    pub fallback_reason: Option<String>,
    /// `passed` or `blocked`.
    pub guard_verdict: String,
    /// Amounts the check blocked.
    pub blocked_amounts: Vec<String>,
    /// Catalog rows used.
    pub products: Vec<UsedProduct>,
    /// Tool calls.
    pub tool_calls: Vec<UsedTool>,
    /// Handed to a person.
    pub handed_off: bool,
}

impl Client {
    /// The explanation of the AI reply `message_id`.
    pub async fn why_this_reply(&self, message_id: &str) -> Result<ReplyExplanation, ClientError> {
        let variables = operations::why_this_reply::Variables {
            message_id: message_id.to_string(),
        };
        let data = self.watch(send::<WhyThisReply>(self.token.as_deref(), variables).await)?;
        let w = data.why_this_reply;
        Ok(ReplyExplanation {
            responder: w.responder,
            model: w.model,
            prompt_version: w.prompt_version,
            fallback_reason: w.fallback_reason,
            guard_verdict: w.guard_verdict,
            blocked_amounts: w.blocked_amounts,
            products: w
                .products
                .into_iter()
                .map(|p| UsedProduct {
                    name: p.name,
                    price: p.price.formatted,
                    discounted: p.discounted_price.formatted,
                    floor: p.floor.formatted,
                    quantity: p.quantity,
                })
                .collect(),
            tool_calls: w
                .tool_calls
                .into_iter()
                .map(|t| UsedTool {
                    name: t.name,
                    input: t.input.to_string(),
                    result: t.result.to_string(),
                    is_error: t.is_error,
                })
                .collect(),
            handed_off: w.handed_off,
        })
    }
}
