//! The Graph API client: checks a phone number, sends messages and read receipts, and
//! the server-to-server steps of Embedded Signup (code exchange, webhook subscription,
//! registration, coexistence sync).
//!
//! The token is passed per call (the business's own, or the server's system token) and
//! only ever placed in the `Authorization` header; no error built here contains it.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::types::{
    AccessTokenResponse, ErrorEnvelope, MediaInfo, MetaError, PhoneNumberInfo, ReadReceiptRequest,
    RegisterRequest, SendMessageRequest, SendMessageResponse, SuccessResponse, SyncRequest,
    TemplateInfo, TemplatesPage, UploadedMedia,
};

/// How long one Graph API call may take before it counts as a (retryable) timeout.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// How long downloading one media file may take.
pub const MEDIA_TIMEOUT: Duration = Duration::from_secs(60);

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

    /// Whether Meta may have taken the request although no success reached us: no usable
    /// answer (a timeout, a cut connection) or a server error. A retry of such a send
    /// waits for the status webhook that would tell.
    pub fn may_have_been_accepted(&self) -> bool {
        match self {
            GraphError::Api { http_status, .. } => *http_status >= 500,
            GraphError::Status(status) => *status >= 500,
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

    /// Where a media file of a message can be downloaded.
    pub async fn media_info(
        &self,
        media_id: &str,
        token: &SecretString,
    ) -> Result<MediaInfo, GraphError> {
        let request = self.http.get(self.url(&[media_id])?);
        self.call(request, token).await
    }

    /// Downloads a media file from the URL [`GraphClient::media_info`] gave, with the
    /// token; `Ok(None)` when it is larger than `max_bytes` (the rest is not read).
    pub async fn download_media(
        &self,
        url: &str,
        token: &SecretString,
        max_bytes: usize,
    ) -> Result<Option<Vec<u8>>, GraphError> {
        let url = url::Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http"))
            .ok_or_else(|| GraphError::Transport("Meta gave an unusable media URL".into()))?;
        let mut response = self
            .http
            .get(url)
            .bearer_auth(token.expose_secret())
            .timeout(MEDIA_TIMEOUT)
            .send()
            .await
            .map_err(|e| GraphError::Transport(e.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(GraphError::Status(response.status().as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|n| n > max_bytes as u64)
        {
            return Ok(None);
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| GraphError::Transport(e.without_url().to_string()))?
        {
            if bytes.len() + chunk.len() > max_bytes {
                return Ok(None);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Some(bytes))
    }

    /// Uploads a file for the number (`POST /{phone_number_id}/media`, multipart), to
    /// send it by the media id Meta answers.
    pub async fn upload_media(
        &self,
        phone_number_id: &str,
        token: &SecretString,
        file: &[u8],
        mime_type: &str,
        filename: &str,
    ) -> Result<String, GraphError> {
        let part = reqwest::multipart::Part::bytes(file.to_vec())
            .file_name(filename.to_string())
            .mime_str(mime_type)
            .map_err(|_| GraphError::Transport("an unusable file type".into()))?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", mime_type.to_string())
            .part("file", part);
        let url = self.url(&[phone_number_id, "media"])?;
        let request = self.http.post(url).multipart(form);
        let uploaded: UploadedMedia = self
            .send_within(request.bearer_auth(token.expose_secret()), MEDIA_TIMEOUT)
            .await?;
        Ok(uploaded.id)
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

    /// Exchanges an Embedded Signup code for the business token, with the operator's
    /// app id and secret (server to server; the secret is sent in the query, as Meta
    /// requires, and never appears in an error).
    pub async fn exchange_code(
        &self,
        app_id: &str,
        app_secret: &SecretString,
        code: &str,
    ) -> Result<SecretString, GraphError> {
        let mut url = self.url(&["oauth", "access_token"])?;
        url.query_pairs_mut()
            .append_pair("client_id", app_id)
            .append_pair("client_secret", app_secret.expose_secret())
            .append_pair("code", code);
        let answer: AccessTokenResponse = self.send(self.http.get(url)).await?;
        Ok(SecretString::from(answer.access_token))
    }

    /// Subscribes the operator's app (the token's) to the WABA's webhooks.
    pub async fn subscribe_app(
        &self,
        waba_id: &str,
        token: &SecretString,
    ) -> Result<(), GraphError> {
        let url = self.url(&[waba_id, "subscribed_apps"])?;
        let answer: SuccessResponse = self.call(self.http.post(url), token).await?;
        answer.success.then_some(()).ok_or(GraphError::Status(200))
    }

    /// Unsubscribes the operator's app from the WABA's webhooks.
    pub async fn unsubscribe_app(
        &self,
        waba_id: &str,
        token: &SecretString,
    ) -> Result<(), GraphError> {
        let url = self.url(&[waba_id, "subscribed_apps"])?;
        let answer: SuccessResponse = self.call(self.http.delete(url), token).await?;
        answer.success.then_some(()).ok_or(GraphError::Status(200))
    }

    /// Registers the number for Cloud API with a six-digit two-step verification pin.
    pub async fn register(
        &self,
        phone_number_id: &str,
        token: &SecretString,
        pin: &SecretString,
    ) -> Result<(), GraphError> {
        let url = self.url(&[phone_number_id, "register"])?;
        let body = RegisterRequest {
            messaging_product: "whatsapp",
            pin: pin.expose_secret().to_string(),
        };
        let answer: SuccessResponse = self.call(self.http.post(url).json(&body), token).await?;
        answer.success.then_some(()).ok_or(GraphError::Status(200))
    }

    /// Asks a coexistence number's WhatsApp Business app to sync (`smb_app_state_sync`
    /// for contacts, `history` for past chats); the data arrives as webhooks.
    pub async fn request_sync(
        &self,
        phone_number_id: &str,
        token: &SecretString,
        sync_type: &'static str,
    ) -> Result<(), GraphError> {
        let url = self.url(&[phone_number_id, "smb_app_data"])?;
        let body = SyncRequest {
            messaging_product: "whatsapp",
            sync_type,
        };
        let _: serde_json::Value = self.call(self.http.post(url).json(&body), token).await?;
        Ok(())
    }

    /// The WABA's approved message templates (the first 200).
    pub async fn approved_templates(
        &self,
        waba_id: &str,
        token: &SecretString,
    ) -> Result<Vec<TemplateInfo>, GraphError> {
        let mut url = self.url(&[waba_id, "message_templates"])?;
        url.query_pairs_mut()
            .append_pair("fields", "name,language,status,category,components")
            .append_pair("status", "APPROVED")
            .append_pair("limit", "200");
        let page: TemplatesPage = self.call(self.http.get(url), token).await?;
        Ok(page
            .data
            .into_iter()
            .filter(|t| t.status.eq_ignore_ascii_case("APPROVED"))
            .collect())
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
        self.send(request.bearer_auth(token.expose_secret())).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, GraphError> {
        self.send_within(request, CALL_TIMEOUT).await
    }

    async fn send_within<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        timeout: Duration,
    ) -> Result<T, GraphError> {
        let response = request
            .timeout(timeout)
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
