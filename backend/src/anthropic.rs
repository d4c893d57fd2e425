//! The Anthropic Messages API client (`POST {base}/v1/messages`), with tool use.
//!
//! One [`MessagesClient::create`] call is one model turn: it retries 429, 529 and 5xx
//! a few times with backoff (honouring `retry-after`), never retries 401/403 (an
//! invalid key must not become a retry storm), and times out. The tool loop lives in
//! the agent; this module only speaks the wire format.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The API version header value.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// A system prompt block; the stable part carries `cache_control` (prompt caching).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SystemBlock {
    /// Always `text`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The text.
    pub text: String,
    /// `{"type": "ephemeral"}` on blocks to cache.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cache_control: Option<Value>,
}

impl SystemBlock {
    /// A block cached across requests (the stable part of the prompt).
    pub fn cached(text: impl Into<String>) -> SystemBlock {
        SystemBlock {
            kind: "text".into(),
            text: text.into(),
            cache_control: Some(serde_json::json!({"type": "ephemeral"})),
        }
    }

    /// A block that changes per request.
    pub fn plain(text: impl Into<String>) -> SystemBlock {
        SystemBlock {
            kind: "text".into(),
            text: text.into(),
            cache_control: None,
        }
    }
}

/// One content block of a message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// The model asks the server to run a tool.
    ToolUse {
        /// Id to answer with.
        id: String,
        /// Tool name.
        name: String,
        /// Arguments.
        input: Value,
    },
    /// The server's answer to a tool use.
    ToolResult {
        /// The `tool_use` id answered.
        tool_use_id: String,
        /// Result (JSON text).
        content: String,
        /// Set when the tool refused or failed.
        #[serde(skip_serializing_if = "std::ops::Not::not", default)]
        is_error: bool,
    },
    /// Anything else the API may add (thinking, ...): kept out of our logic.
    #[serde(other)]
    Other,
}

/// One conversation turn.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Message {
    /// `user` or `assistant`.
    pub role: String,
    /// Blocks.
    pub content: Vec<ContentBlock>,
}

impl Message {
    /// A user turn with text.
    pub fn user_text(text: impl Into<String>) -> Message {
        Message {
            role: "user".into(),
            content: vec![ContentBlock::Text { text: text.into() }],
        }
    }

    /// An assistant turn with text.
    pub fn assistant_text(text: impl Into<String>) -> Message {
        Message {
            role: "assistant".into(),
            content: vec![ContentBlock::Text { text: text.into() }],
        }
    }
}

/// A tool the model may call.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Tool {
    /// Name.
    pub name: String,
    /// What it does (the model reads this).
    pub description: String,
    /// JSON Schema of the input.
    pub input_schema: Value,
}

/// The request body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessagesRequest {
    /// Model id.
    pub model: String,
    /// Output cap.
    pub max_tokens: u32,
    /// System prompt blocks.
    pub system: Vec<SystemBlock>,
    /// The conversation.
    pub messages: Vec<Message>,
    /// Tools.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tools: Vec<Tool>,
}

/// Token usage of one response.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Usage {
    /// Uncached input tokens.
    #[serde(default)]
    pub input_tokens: i64,
    /// Output tokens.
    #[serde(default)]
    pub output_tokens: i64,
    /// Input tokens written to the prompt cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation_input_tokens: Option<i64>,
    /// Input tokens read from the prompt cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read_input_tokens: Option<i64>,
}

impl Usage {
    /// Every input token, cached or not.
    pub fn total_input(&self) -> i64 {
        self.input_tokens
            + self.cache_creation_input_tokens.unwrap_or(0)
            + self.cache_read_input_tokens.unwrap_or(0)
    }
}

/// The response body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessagesResponse {
    /// Blocks.
    pub content: Vec<ContentBlock>,
    /// `end_turn`, `tool_use`, `max_tokens`, ...
    #[serde(default)]
    pub stop_reason: Option<String>,
    /// Tokens.
    #[serde(default)]
    pub usage: Usage,
}

impl MessagesResponse {
    /// The text blocks joined.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|b| match b {
                ContentBlock::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 401/403: the key is wrong or revoked. Not retried.
    #[error("the Anthropic API key was rejected ({0})")]
    InvalidKey(String),
    /// 429, 529, 5xx, timeouts, connection errors: retried, then reported.
    #[error("the AI provider is unavailable: {0}")]
    Unavailable(String),
    /// Any other 4xx: our request was wrong.
    #[error("the AI provider refused the request: {0}")]
    Rejected(String),
}

/// Retry and timeout policy of one call.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first try.
    pub max_retries: u32,
    /// First backoff (doubles).
    pub base_delay: Duration,
    /// Timeout of each try.
    pub timeout: Duration,
}

/// Longest `retry-after` we honour inside one call; beyond it the job retries later.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(20);

/// A client bound to a base URL.
#[derive(Debug, Clone)]
pub struct MessagesClient {
    http: reqwest::Client,
    base_url: String,
    policy: RetryPolicy,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    message: String,
}

impl MessagesClient {
    /// A client for `base_url` (e.g. `https://api.anthropic.com`).
    pub fn new(http: reqwest::Client, base_url: &str, policy: RetryPolicy) -> MessagesClient {
        MessagesClient {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            policy,
        }
    }

    /// One model turn, with quick retries of transient failures.
    pub async fn create(
        &self,
        key: &SecretString,
        request: &MessagesRequest,
    ) -> Result<MessagesResponse, ApiError> {
        let mut attempt = 0;
        loop {
            match self.try_once(key, request).await {
                Ok(r) => return Ok(r),
                Err((ApiError::Unavailable(e), retry_after))
                    if attempt < self.policy.max_retries =>
                {
                    let backoff = self.policy.base_delay * 2u32.pow(attempt);
                    let wait = retry_after.unwrap_or(backoff);
                    if wait > MAX_RETRY_AFTER {
                        return Err(ApiError::Unavailable(e));
                    }
                    tracing::warn!(error = %e, attempt, wait_ms = wait.as_millis() as u64, "AI provider unavailable; retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err((e, _)) => return Err(e),
            }
        }
    }

    async fn try_once(
        &self,
        key: &SecretString,
        request: &MessagesRequest,
    ) -> Result<MessagesResponse, (ApiError, Option<Duration>)> {
        let sent = self
            .http
            .post(format!("{}/v1/messages", self.base_url))
            .header("x-api-key", key.expose_secret())
            .header("anthropic-version", ANTHROPIC_VERSION)
            .timeout(self.policy.timeout)
            .json(request)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return Err((ApiError::Unavailable("request timed out".into()), None));
            }
            Err(e) => {
                // reqwest's message names the URL, never the key.
                return Err((
                    ApiError::Unavailable(format!("connection failed: {e}")),
                    None,
                ));
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64);
        let body = response.bytes().await.map_err(|e| {
            (
                ApiError::Unavailable(format!("reading the response failed: {e}")),
                None,
            )
        })?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&body).map_err(|e| {
                (
                    ApiError::Unavailable(format!("unreadable response: {e}")),
                    None,
                )
            });
        }
        let detail = serde_json::from_slice::<ErrorBody>(&body)
            .map(|b| format!("{} {}: {}", status, b.error.kind, b.error.message))
            .unwrap_or_else(|_| format!("HTTP {status}"));
        let detail: String = detail.chars().take(300).collect();
        Err(match status {
            401 | 403 => (ApiError::InvalidKey(detail), None),
            408 | 409 | 429 | 500..=599 => (ApiError::Unavailable(detail), retry_after),
            _ => (ApiError::Rejected(detail), None),
        })
    }
}
