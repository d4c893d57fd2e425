//! The Graph API client: checks a phone number, sends messages and read receipts.
//!
//! The token is passed per call (the business's own, or the server's system token) and
//! only ever placed in the `Authorization` header; no error built here contains it.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::types::{
    ErrorEnvelope, MetaError, PhoneNumberInfo, ReadReceiptRequest, SendMessageRequest,
    SendMessageResponse, SuccessResponse,
};

/// How long one Graph API call may take before it counts as a (retryable) timeout.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Error codes Meta documents as temporary: the same call may succeed later.
/// 130429: throughput (80 msg/s per number); 131056: pair rate limit (about one
/// message per 6 s to one customer); 1, 2, 131000, 131016: service errors; 4, 80007:
/// app and account rate limits.
pub const RETRYABLE_CODES: &[i64] = &[1, 2, 4, 80007, 130429, 131000, 131016, 131056];

/// Meta's "pair rate limit" error: too many messages to one customer too quickly.
pub const PAIR_RATE_LIMIT: i64 = 131056;

/// Why a Graph API call did not succeed.
#[derive(Debug, Clone)]
pub enum GraphError {
    /// Meta answered with its error envelope.
    Api {
        /// The HTTP status of the answer.
        http_status: u16,
        /// The error (boxed: it is large and errors are rare).
        error: Box<MetaError>,
    },
    /// A non-success answer without Meta's envelope (a proxy, an outage page).
    Status(u16),
    /// No usable answer: connection refused, timeout, unreadable body.
    Transport(String),
}

impl GraphError {
    /// Whether the same call may succeed later (5xx, timeouts, rate limits).
    pub fn is_retryable(&self) -> bool {
        match self {
            GraphError::Api { http_status, error } => {
                RETRYABLE_CODES.contains(&error.code) || *http_status >= 500
            }
            GraphError::Status(status) => *status >= 500 || *status == 429,
            GraphError::Transport(_) => true,
        }
    }

    /// Meta's error code, when it gave one.
    pub fn code(&self) -> Option<i64> {
        match self {
            GraphError::Api { error, .. } => Some(error.code),
            _ => None,
        }
    }

    /// A short title to record on a failed message and show in the inbox.
    pub fn title(&self) -> String {
        match self {
            GraphError::Api { error, .. } => {
                let known = match error.code {
                    190 => Some("Access token expired or invalid"),
                    100 => Some("Invalid parameter"),
                    130429 => Some("Rate limit hit"),
                    131026 => Some("Message undeliverable"),
                    131047 => Some("Re-engagement message"),
                    131051 => Some("Unsupported message type"),
                    131056 => Some("Pair rate limit hit"),
                    132000 => Some("Template parameter count mismatch"),
                    132001 => Some("Template does not exist"),
                    _ => None,
                };
                let title = known
                    .map(str::to_string)
                    .or_else(|| error.error_user_title.clone())
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| error.message.clone());
                truncate(&title, 255)
            }
            GraphError::Status(status) => format!("WhatsApp answered HTTP {status}"),
            GraphError::Transport(_) => "Could not reach WhatsApp".into(),
        }
    }
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

/// A Graph API client for one base URL (`META_GRAPH_URL`).
#[derive(Debug, Clone, Copy)]
pub struct GraphClient<'a> {
    http: &'a reqwest::Client,
    base_url: &'a str,
}

impl<'a> GraphClient<'a> {
    /// A client over a shared HTTP client.
    pub fn new(http: &'a reqwest::Client, base_url: &'a str) -> Self {
        GraphClient { http, base_url }
    }

    fn url(&self, segments: &[&str]) -> Result<url::Url, GraphError> {
        let mut url = url::Url::parse(self.base_url)
            .map_err(|_| GraphError::Transport("META_GRAPH_URL is not a URL".into()))?;
        url.path_segments_mut()
            .map_err(|_| GraphError::Transport("META_GRAPH_URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// The number's display form and verified name; proves the token can use the number.
    pub async fn phone_number(
        &self,
        phone_number_id: &str,
        token: &SecretString,
    ) -> Result<PhoneNumberInfo, GraphError> {
        let mut url = self.url(&[phone_number_id])?;
        url.query_pairs_mut()
            .append_pair("fields", "display_phone_number,verified_name");
        let request = self.http.get(url);
        self.call(request, token).await
    }

    /// Sends a message; Meta's answer carries the new message's wamid.
    pub async fn send_message(
        &self,
        phone_number_id: &str,
        token: &SecretString,
        message: &SendMessageRequest,
    ) -> Result<SendMessageResponse, GraphError> {
        self.post_messages(phone_number_id, token, message).await
    }

    /// Marks an inbound message (and those before it) read: blue ticks for the customer.
    pub async fn mark_read(
        &self,
        phone_number_id: &str,
        token: &SecretString,
        wamid: &str,
    ) -> Result<(), GraphError> {
        let body = ReadReceiptRequest {
            messaging_product: "whatsapp".into(),
            status: "read".into(),
            message_id: wamid.to_string(),
        };
        let answer: SuccessResponse = self.post_messages(phone_number_id, token, &body).await?;
        if answer.success {
            Ok(())
        } else {
            Err(GraphError::Status(200))
        }
    }

    /// Unsubscribes the operator's app from the WhatsApp Business Account's webhooks
    /// (`DELETE /{waba_id}/subscribed_apps`): Meta stops delivering the number's
    /// messages to us.
    pub async fn unsubscribe_app(
        &self,
        waba_id: &str,
        token: &SecretString,
    ) -> Result<(), GraphError> {
        let url = self.url(&[waba_id, "subscribed_apps"])?;
        let answer: SuccessResponse = self.call(self.http.delete(url), token).await?;
        if answer.success {
            Ok(())
        } else {
            Err(GraphError::Status(200))
        }
    }

    async fn post_messages<B: Serialize, T: DeserializeOwned>(
        &self,
        phone_number_id: &str,
        token: &SecretString,
        body: &B,
    ) -> Result<T, GraphError> {
        let url = self.url(&[phone_number_id, "messages"])?;
        let request = self.http.post(url).json(body);
        self.call(request, token).await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        token: &SecretString,
    ) -> Result<T, GraphError> {
        let response = request
            .bearer_auth(token.expose_secret())
            .timeout(CALL_TIMEOUT)
            .send()
            .await
            .map_err(|e| GraphError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| GraphError::Transport(e.without_url().to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes)
                .map_err(|e| GraphError::Transport(format!("unexpected answer from Meta: {e}")));
        }
        match serde_json::from_slice::<ErrorEnvelope>(&bytes) {
            Ok(envelope) => Err(GraphError::Api {
                http_status: status.as_u16(),
                error: Box::new(envelope.error),
            }),
            Err(_) => Err(GraphError::Status(status.as_u16())),
        }
    }
}
