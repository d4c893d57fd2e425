//! A stand-in for Meta's Graph API (WhatsApp Cloud API): the same paths, JSON and
//! error envelope as `graph.facebook.com`, on `127.0.0.1:<port>`.
//!
//! It answers `GET /{phone_number_id}` for the numbers it knows, `POST
//! /{phone_number_id}/messages` for messages and read receipts, `DELETE
//! /{waba_id}/subscribed_apps` (the app unsubscribed from a business account), rejects a bad bearer
//! token with code 190, records every request (secrets removed) for tests to inspect,
//! and can be scripted to fail the next calls ([`Failure`]), or the next call to one
//! path ([`GraphStandin::fail_path`]).
//!
//! Media: `GET /{media_id}` answers a file's download URL, type, size and sha256 for
//! files added with [`GraphStandin::add_media`]; the URL (`/media-files/{media_id}`)
//! serves the bytes to a known bearer token. `POST /{phone_number_id}/media` takes an
//! upload (multipart: `messaging_product`, `type`, `file`) and answers its media id; a
//! message that sends an image or document `id` must name an upload it knows.
//!
//! Embedded Signup, server side: `GET /oauth/access_token` exchanges a code the
//! stand-in issued ([`GraphStandin::add_signup`]) for the business token with the
//! operator's app id and secret ([`GraphStandin::set_app`]); `POST`/`DELETE
//! /{waba_id}/subscribed_apps`, `POST /{phone_number_id}/register` (6-digit pin) and
//! `POST /{phone_number_id}/smb_app_data` (coexistence sync) answer as Meta does.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use sha2::Digest;
use tokio::sync::{oneshot, watch};

use crate::random_hex;

/// One request the stand-in received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// `GET`, `POST` or `DELETE`.
    pub method: String,
    /// The path, e.g. `/106540352242922/messages`.
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// Headers, without `Authorization`.
    pub headers: Vec<(String, String)>,
    /// The bearer token, masked (`••••abcd`), to tell which token was used.
    pub bearer_hint: Option<String>,
    /// The JSON body, when there was one.
    pub body: Option<Value>,
    /// When the request arrived (benchmarks time replies with it).
    pub received_at: std::time::Instant,
}

/// A failure the stand-in can be told to answer the next calls with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// HTTP 500 without Meta's envelope (an outage).
    ServerError,
    /// Code 130429: the number's throughput limit.
    RateLimited,
    /// Code 131056: too many messages to one customer.
    PairRateLimited,
    /// Code 131047: more than 24 hours since the customer last wrote.
    ReEngagement,
    /// Code 131026: the message cannot be delivered to this customer.
    Undeliverable,
    /// Code 190: the access token expired.
    TokenExpired,
    /// Code 100: an invalid parameter.
    InvalidParameter,
    /// Meta takes the message (it reaches the customer) but its answer is lost on the
    /// way back: HTTP 502 without an envelope. For sends only.
    AnswerLost,
}

impl Failure {
    fn response(self) -> Response {
        let (code, subcode, kind, message, details) = match self {
            Failure::ServerError => {
                return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
                    .into_response();
            }
            Failure::AnswerLost => {
                return (StatusCode::BAD_GATEWAY, "Bad Gateway").into_response();
            }
            Failure::RateLimited => (
                130429,
                None,
                "OAuthException",
                "(#130429) Rate limit hit",
                "Cloud API message throughput has been reached.",
            ),
            Failure::PairRateLimited => (
                131056,
                None,
                "OAuthException",
                "(#131056) (Business Account, Consumer Account) pair rate limit hit",
                "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
            ),
            Failure::ReEngagement => (
                131047,
                None,
                "OAuthException",
                "(#131047) Re-engagement message",
                "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
            ),
            Failure::Undeliverable => (
                131026,
                None,
                "OAuthException",
                "(#131026) Message undeliverable",
                "Message failed to send because the recipient cannot receive it.",
            ),
            Failure::TokenExpired => {
                return error_response(
                    StatusCode::UNAUTHORIZED,
                    190,
                    Some(463),
                    "OAuthException",
                    "Error validating access token: Session has expired.",
                    None,
                );
            }
            Failure::InvalidParameter => (
                100,
                None,
                "OAuthException",
                "(#100) Invalid parameter",
                "Parameter value is not valid.",
            ),
        };
        error_response(
            StatusCode::BAD_REQUEST,
            code,
            subcode,
            kind,
            message,
            Some(details),
        )
    }
}

fn error_response(
    status: StatusCode,
    code: i64,
    error_subcode: Option<i64>,
    kind: &str,
    message: &str,
    details: Option<&str>,
) -> Response {
    let mut error = json!({
        "message": message,
        "type": kind,
        "code": code,
        "fbtrace_id": format!("A{}", random_hex(10)),
    });
    if let Some(subcode) = error_subcode {
        error["error_subcode"] = json!(subcode);
    }
    if let Some(details) = details {
        error["error_data"] = json!({ "messaging_product": "whatsapp", "details": details });
    }
    (status, Json(json!({ "error": error }))).into_response()
}

/// Meta's code-100 answer to a request it cannot use, with `detail`.
fn invalid(detail: &str) -> Response {
    error_response(
        StatusCode::BAD_REQUEST,
        100,
        None,
        "OAuthException",
        "(#100) Invalid parameter",
        Some(detail),
    )
}

/// `••••` and the last four characters: enough to tell tokens apart in a test.
fn mask_secret(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("••••{tail}")
}

/// The token of an `Authorization: Bearer <token>` header value.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

struct KnownNumber {
    token: String,
    display_phone_number: String,
    verified_name: String,
    waba_id: Option<String>,
}

/// An Embedded Signup the stand-in issued a code for.
struct Signup {
    token: String,
    used: bool,
}

#[derive(Default)]
struct Inner {
    numbers: HashMap<String, KnownNumber>,
    system_tokens: HashSet<String>,
    script: VecDeque<Failure>,
    path_failures: Vec<(String, Failure)>,
    requests: Vec<RecordedRequest>,
    app: Option<(String, String)>,
    signups: HashMap<String, Signup>,
    subscribed: HashSet<String>,
    templates: Vec<Value>,
    media: HashMap<String, StoredMedia>,
    accepted: Vec<AcceptedMessage>,
}

/// A message Meta took for delivery, with the wamid it gave.
#[derive(Debug, Clone)]
pub struct AcceptedMessage {
    /// The wamid.
    pub wamid: String,
    /// The send's JSON body.
    pub body: Value,
}

/// Media ids with this prefix are photos the stand-in knows without being told (what
/// `wasales-dev simulate --image` sends against the demo, whose stand-in runs in
/// another process): each is [`SAMPLE_PHOTO`].
pub const SIMULATED_MEDIA_PREFIX: &str = "sim-media-";

/// A tiny valid PNG (1x1, red): the picture of every simulated media id.
pub const SAMPLE_PHOTO: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// A customer's photo, voice note or document, as Meta holds it for download.
#[derive(Debug, Clone)]
struct StoredMedia {
    mime_type: String,
    bytes: Vec<u8>,
    /// Whether `GET /{media_id}` states a wrong sha256 (a corrupted download).
    wrong_hash: bool,
}

impl Inner {
    /// The scripted failure for this call, if any: the next one for any path first,
    /// then the next one for a path ending with a registered suffix.
    fn failure_for(&mut self, path: &str) -> Option<Failure> {
        if let Some(failure) = self.script.pop_front() {
            return Some(failure);
        }
        let at = self
            .path_failures
            .iter()
            .position(|(suffix, _)| path.ends_with(suffix.as_str()))?;
        Some(self.path_failures.remove(at).1)
    }

    /// The media file under `media_id`: added ones, and the simulated photos.
    fn media_file(&self, media_id: &str) -> Option<StoredMedia> {
        self.media.get(media_id).cloned().or_else(|| {
            media_id
                .starts_with(SIMULATED_MEDIA_PREFIX)
                .then(|| StoredMedia {
                    mime_type: "image/png".into(),
                    bytes: SAMPLE_PHOTO.to_vec(),
                    wrong_hash: false,
                })
        })
    }

    /// Whether `token` is one the stand-in issued (a number's or a system token).
    fn knows_token(&self, token: &str) -> bool {
        self.system_tokens.contains(token) || self.numbers.values().any(|n| n.token == token)
    }

    /// Whether `token` may manage WABA `waba_id`: a number of it uses the token (a
    /// number added without a WABA lets its token manage any).
    fn manages(&self, waba_id: &str, token: &str) -> bool {
        self.system_tokens.contains(token)
            || self
                .numbers
                .values()
                .any(|n| n.token == token && n.waba_id.as_deref().is_none_or(|w| w == waba_id))
    }
}

struct Shared {
    inner: Mutex<Inner>,
    received: watch::Sender<usize>,
    print: bool,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A running stand-in; stops when dropped.
pub struct GraphStandin {
    /// Base URL to use as `META_GRAPH_URL`, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// Bound address.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    _shutdown: oneshot::Sender<()>,
}

impl GraphStandin {
    /// Starts on `127.0.0.1:port` (`0` for any free port). With `print`, every request
    /// is printed to stdout (`wasales-dev graph-standin`).
    pub async fn start(port: u16, print: bool) -> anyhow::Result<GraphStandin> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let (received, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::default()),
            received,
            print,
        });
        let router = Router::new()
            .route("/oauth/access_token", get(exchange_code))
            .route("/{phone_number_id}", get(phone_number))
            .route("/{phone_number_id}/messages", post(messages))
            .route(
                "/{waba_id}/subscribed_apps",
                post(subscribe_app).delete(unsubscribe_app),
            )
            .route("/{phone_number_id}/register", post(register))
            .route(
                "/{phone_number_id}/media",
                // Meta takes documents up to 100 MB.
                post(upload_media).layer(DefaultBodyLimit::max(100 * 1024 * 1024)),
            )
            .route("/{waba_id}/message_templates", get(message_templates))
            .route("/{phone_number_id}/smb_app_data", post(smb_app_data))
            .route("/media-files/{media_id}", get(media_file))
            .with_state(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::warn!(error = %e, "graph stand-in stopped");
            }
        });
        Ok(GraphStandin {
            url: format!("http://{addr}"),
            addr,
            shared,
            _shutdown: tx,
        })
    }

    /// Holds a media file under `media_id`, as Meta does for a customer's photo, voice
    /// note or document: `GET /{media_id}` answers its URL, type, size and sha256, and
    /// the URL serves the bytes to any token the stand-in knows.
    pub fn add_media(&self, media_id: &str, mime_type: &str, bytes: &[u8]) {
        self.shared.lock().media.insert(
            media_id.to_string(),
            StoredMedia {
                mime_type: mime_type.to_string(),
                bytes: bytes.to_vec(),
                wrong_hash: false,
            },
        );
    }

    /// Like [`GraphStandin::add_media`], with a sha256 that does not match the bytes.
    pub fn add_corrupted_media(&self, media_id: &str, mime_type: &str, bytes: &[u8]) {
        self.add_media(media_id, mime_type, bytes);
        if let Some(m) = self.shared.lock().media.get_mut(media_id) {
            m.wrong_hash = true;
        }
    }

    /// Makes a phone number known, usable with `token`.
    pub fn add_number(
        &self,
        phone_number_id: &str,
        token: &str,
        display_phone_number: &str,
        verified_name: &str,
    ) {
        self.shared.lock().numbers.insert(
            phone_number_id.to_string(),
            KnownNumber {
                token: token.to_string(),
                display_phone_number: display_phone_number.to_string(),
                verified_name: verified_name.to_string(),
                waba_id: None,
            },
        );
    }

    /// The operator's app: the id and secret `GET /oauth/access_token` checks.
    pub fn set_app(&self, app_id: &str, app_secret: &str) {
        self.shared.lock().app = Some((app_id.to_string(), app_secret.to_string()));
    }

    /// What Embedded Signup leaves behind for a business: number `phone_number_id` in
    /// WABA `waba_id`, usable with `token`, which the one-time `code` exchanges for.
    pub fn add_signup(
        &self,
        code: &str,
        waba_id: &str,
        phone_number_id: &str,
        token: &str,
        display_phone_number: &str,
        verified_name: &str,
    ) {
        let mut inner = self.shared.lock();
        inner.numbers.insert(
            phone_number_id.to_string(),
            KnownNumber {
                token: token.to_string(),
                display_phone_number: display_phone_number.to_string(),
                verified_name: verified_name.to_string(),
                waba_id: Some(waba_id.to_string()),
            },
        );
        inner.signups.insert(
            code.to_string(),
            Signup {
                token: token.to_string(),
                used: false,
            },
        );
    }

    /// Adds a message template every WABA lists (`status` as Meta says it:
    /// `APPROVED`, `PENDING`, `REJECTED`...), with `body` as its BODY component.
    pub fn add_template(&self, name: &str, language: &str, status: &str, body: &str) {
        self.shared.lock().templates.push(json!({
            "name": name,
            "language": language,
            "status": status,
            "category": "UTILITY",
            "components": [{ "type": "BODY", "text": body }],
            "id": random_hex(8),
        }));
    }

    /// Whether the operator's app is subscribed to WABA `waba_id`'s webhooks.
    pub fn is_subscribed(&self, waba_id: &str) -> bool {
        self.shared.lock().subscribed.contains(waba_id)
    }

    /// Answers the next call whose path ends with `suffix` (e.g. `/register`) with
    /// `failure`.
    pub fn fail_path(&self, suffix: &str, failure: Failure) {
        self.shared
            .lock()
            .path_failures
            .push((suffix.to_string(), failure));
    }

    /// Accepts `token` for every known number (a system-user token).
    pub fn add_system_token(&self, token: &str) {
        self.shared.lock().system_tokens.insert(token.to_string());
    }

    /// Answers the next `times` calls (any route) with `failure`.
    pub fn fail_next(&self, times: usize, failure: Failure) {
        let mut inner = self.shared.lock();
        inner.script.extend(std::iter::repeat_n(failure, times));
    }

    /// The type and bytes of a file held under `media_id` (an upload, or one added).
    pub fn media(&self, media_id: &str) -> Option<(String, Vec<u8>)> {
        self.shared
            .lock()
            .media_file(media_id)
            .map(|m| (m.mime_type, m.bytes))
    }

    /// The messages Meta took for delivery (read receipts aside), oldest first: what
    /// customers receive.
    pub fn accepted(&self) -> Vec<AcceptedMessage> {
        self.shared.lock().accepted.clone()
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Waits until at least `count` requests have arrived (or `timeout` passes) and
    /// returns them all.
    pub async fn wait_for_requests(
        &self,
        count: usize,
        timeout: Duration,
    ) -> anyhow::Result<Vec<RecordedRequest>> {
        let mut rx = self.shared.received.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|n| *n >= count))
            .await
            .map_err(|_| {
                anyhow::anyhow!(
                    "the Graph stand-in received {} request(s), expected {count}",
                    self.requests().len()
                )
            })?
            .map_err(|_| anyhow::anyhow!("the Graph stand-in stopped"))?;
        Ok(self.requests())
    }
}

/// Records the request; returns the bearer token it carried.
fn record(
    shared: &Shared,
    method: &str,
    path: String,
    query: Option<String>,
    headers: &HeaderMap,
    body: Option<Value>,
) -> Option<String> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .map(str::to_string);
    let recorded = RecordedRequest {
        received_at: std::time::Instant::now(),
        method: method.to_string(),
        path,
        query,
        headers: headers
            .iter()
            .filter(|(name, _)| *name != header::AUTHORIZATION)
            .map(|(name, value)| {
                (
                    name.to_string(),
                    value.to_str().unwrap_or("<binary>").to_string(),
                )
            })
            .collect(),
        bearer_hint: token.as_deref().map(mask_secret),
        body,
    };
    if shared.print {
        let body = recorded
            .body
            .as_ref()
            .map(Value::to_string)
            .unwrap_or_default();
        let query = recorded
            .query
            .as_deref()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        println!(
            "{} {}{} (token {}) {}",
            recorded.method,
            recorded.path,
            query,
            recorded.bearer_hint.as_deref().unwrap_or("none"),
            body
        );
    }
    let count = {
        let mut inner = shared.lock();
        inner.requests.push(recorded);
        inner.requests.len()
    };
    shared.received.send_replace(count);
    token
}

fn bad_token() -> Response {
    error_response(
        StatusCode::UNAUTHORIZED,
        190,
        None,
        "OAuthException",
        "Invalid OAuth access token - Cannot parse access token",
        None,
    )
}

fn unknown_object(phone_number_id: &str) -> Response {
    error_response(
        StatusCode::BAD_REQUEST,
        100,
        Some(33),
        "GraphMethodException",
        &format!(
            "Unsupported get request. Object with ID '{phone_number_id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."
        ),
        None,
    )
}

/// Checks the number and token; `Some` is the refusal Meta would answer with.
fn refusal(inner: &Inner, phone_number_id: &str, token: Option<&str>) -> Option<Response> {
    let Some(token) = token else {
        return Some(bad_token());
    };
    let number = inner.numbers.get(phone_number_id);
    let token_known =
        inner.system_tokens.contains(token) || inner.numbers.values().any(|n| n.token == token);
    if !token_known {
        return Some(bad_token());
    }
    match number {
        Some(n) if n.token == token || inner.system_tokens.contains(token) => None,
        _ => Some(unknown_object(phone_number_id)),
    }
}

async fn phone_number(
    State(shared): State<Arc<Shared>>,
    Path(phone_number_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let token = record(
        &shared,
        "GET",
        format!("/{phone_number_id}"),
        query,
        &headers,
        None,
    );
    let mut inner = shared.lock();
    if let Some(failure) = inner.failure_for(&format!("/{phone_number_id}")) {
        return failure.response();
    }
    // The same path names a media file: its download URL, as Meta answers.
    if let Some(media) = inner.media_file(&phone_number_id) {
        if !token.as_deref().is_some_and(|t| inner.knows_token(t)) {
            return bad_token();
        }
        let digest = sha2::Sha256::digest(&media.bytes);
        let sha256 = if media.wrong_hash {
            "0".repeat(64)
        } else {
            hex::encode(digest)
        };
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        return Json(json!({
            "messaging_product": "whatsapp",
            "url": format!("http://{host}/media-files/{phone_number_id}"),
            "mime_type": media.mime_type,
            "sha256": sha256,
            "file_size": media.bytes.len().to_string(),
            "id": phone_number_id,
        }))
        .into_response();
    }
    if let Some(answer) = refusal(&inner, &phone_number_id, token.as_deref()) {
        return answer;
    }
    let number = &inner.numbers[&phone_number_id];
    Json(json!({
        "id": phone_number_id,
        "display_phone_number": number.display_phone_number,
        "verified_name": number.verified_name,
    }))
    .into_response()
}

async fn messages(
    State(shared): State<Arc<Shared>>,
    Path(phone_number_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    let token = record(
        &shared,
        "POST",
        format!("/{phone_number_id}/messages"),
        None,
        &headers,
        json.clone(),
    );
    let mut inner = shared.lock();
    let failure = inner.failure_for(&format!("/{phone_number_id}/messages"));
    if let Some(failure) = failure.filter(|f| *f != Failure::AnswerLost) {
        return failure.response();
    }
    if let Some(answer) = refusal(&inner, &phone_number_id, token.as_deref()) {
        return answer;
    }
    drop(inner);
    let Some(json) = json else {
        return invalid("The request body is not JSON.");
    };
    if json["messaging_product"] != "whatsapp" {
        return invalid("messaging_product must be whatsapp.");
    }
    if json["status"] == "read" {
        return if json["message_id"].as_str().is_some_and(|id| !id.is_empty()) {
            Json(json!({ "success": true })).into_response()
        } else {
            invalid("message_id is required.")
        };
    }
    if !is_message_shape(&json) {
        return invalid("Unsupported message shape.");
    }
    let media_id = ["image", "document"]
        .iter()
        .find_map(|kind| json[*kind]["id"].as_str());
    if let Some(id) = media_id
        && shared.lock().media_file(id).is_none()
    {
        return invalid("The media id does not name an uploaded file.");
    }
    let non_empty = |key: &str| json[key].as_str().filter(|v| !v.is_empty());
    let contact = match (non_empty("to"), non_empty("recipient")) {
        (Some(to), None) if json["recipient"].is_null() => {
            json!({ "input": to, "wa_id": to })
        }
        (None, Some(recipient)) if json["to"].is_null() => {
            json!({ "input": recipient, "user_id": recipient })
        }
        _ => return invalid("Exactly one of to and recipient is required."),
    };
    let wamid = format!("wamid.{}", random_hex(24));
    shared.lock().accepted.push(AcceptedMessage {
        wamid: wamid.clone(),
        body: json.clone(),
    });
    if failure == Some(Failure::AnswerLost) {
        return failure.map(Failure::response).unwrap_or_default();
    }
    Json(json!({
        "messaging_product": "whatsapp",
        "contacts": [contact],
        "messages": [{ "id": wamid }],
    }))
    .into_response()
}

/// Whether a send body has the shape of the Cloud API reference: `recipient_type`,
/// optional string `to`/`recipient`, and a `text` (`body`, `preview_url`), a
/// `template` (`name`, `language.code`, optional `components` of text parameters) or an
/// `image` (`link` or `id`, optional `caption`).
fn is_message_shape(json: &Value) -> bool {
    let optional_string = |v: &Value| v.is_null() || v.is_string();
    let envelope = json["recipient_type"].is_string()
        && optional_string(&json["to"])
        && optional_string(&json["recipient"]);
    let content = match json["type"].as_str() {
        Some("text") => {
            json["text"]["body"].is_string() && json["text"]["preview_url"].is_boolean()
        }
        Some("template") => {
            let template = &json["template"];
            let text_parameter = |p: &Value| p["type"].is_string() && p["text"].is_string();
            let component = |c: &Value| {
                c["type"].is_string()
                    && c["parameters"]
                        .as_array()
                        .is_some_and(|ps| ps.iter().all(text_parameter))
            };
            template["name"].is_string()
                && template["language"]["code"].is_string()
                && (template["components"].is_null()
                    || template["components"]
                        .as_array()
                        .is_some_and(|cs| cs.iter().all(component)))
        }
        // A picture or document by link or by the id of an upload.
        Some(kind @ ("image" | "document")) => {
            let media = &json[kind];
            (media["link"].is_string() || media["id"].is_string())
                && optional_string(&media["caption"])
                && optional_string(&media["filename"])
        }
        _ => false,
    };
    envelope && content
}

/// `POST /{phone_number_id}/media`: a file uploaded for the number (multipart
/// `messaging_product=whatsapp`, `type`, `file`), kept under a new media id. The record
/// shows the fields and the file's name, type, size and sha256 (not its bytes).
async fn upload_media(
    State(shared): State<Arc<Shared>>,
    Path(phone_number_id): Path<String>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let mut fields = serde_json::Map::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return invalid("The multipart body could not be read."),
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let filename = field.file_name().unwrap_or_default().to_string();
            let content_type = field.content_type().unwrap_or_default().to_string();
            let Ok(bytes) = field.bytes().await else {
                return invalid("The file could not be read.");
            };
            fields.insert(
                "file".into(),
                json!({
                    "filename": filename,
                    "content_type": content_type,
                    "size": bytes.len(),
                    "sha256": hex::encode(sha2::Sha256::digest(&bytes)),
                }),
            );
            file = Some((content_type, bytes.to_vec()));
        } else if let Ok(text) = field.text().await {
            fields.insert(name, Value::String(text));
        }
    }
    let path = format!("/{phone_number_id}/media");
    let token = record(
        &shared,
        "POST",
        path.clone(),
        None,
        &headers,
        Some(Value::Object(fields.clone())),
    );
    let mut inner = shared.lock();
    if let Some(failure) = inner.failure_for(&path) {
        return failure.response();
    }
    if let Some(answer) = refusal(&inner, &phone_number_id, token.as_deref()) {
        return answer;
    }
    if fields.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
        return invalid("messaging_product must be whatsapp.");
    }
    let Some(mime_type) = fields.get("type").and_then(Value::as_str) else {
        return invalid("The type parameter is required.");
    };
    let Some((_, bytes)) = file.filter(|(_, bytes)| !bytes.is_empty()) else {
        return invalid("The file parameter is required.");
    };
    let media_id = format!(
        "{}",
        1_000_000_000_000_000u64 + rand::random::<u64>() % 1_000_000_000_000_000
    );
    inner.media.insert(
        media_id.clone(),
        StoredMedia {
            mime_type: mime_type.to_string(),
            bytes,
            wrong_hash: false,
        },
    );
    Json(json!({ "id": media_id })).into_response()
}

/// `GET /oauth/access_token?client_id&client_secret&code`: the business token for a
/// code Embedded Signup issued, once. The secret is never recorded.
async fn exchange_code(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let pairs: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let shown: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| {
            (
                k.as_str(),
                if k == "client_secret" {
                    "[REDACTED]"
                } else {
                    v.as_str()
                },
            )
        }))
        .finish();
    record(
        &shared,
        "GET",
        "/oauth/access_token".into(),
        Some(shown),
        &headers,
        None,
    );
    let mut inner = shared.lock();
    if let Some(failure) = inner.failure_for("/oauth/access_token") {
        return failure.response();
    }
    let app_ok = match &inner.app {
        Some((id, secret)) => {
            pairs.get("client_id") == Some(id) && pairs.get("client_secret") == Some(secret)
        }
        None => false,
    };
    if !app_ok {
        return error_response(
            StatusCode::BAD_REQUEST,
            1,
            None,
            "OAuthException",
            "Error validating client secret.",
            None,
        );
    }
    let code = pairs.get("code").cloned().unwrap_or_default();
    match inner.signups.get_mut(&code) {
        Some(signup) if !signup.used => {
            signup.used = true;
            Json(json!({ "access_token": signup.token, "token_type": "bearer" })).into_response()
        }
        Some(_) => error_response(
            StatusCode::BAD_REQUEST,
            100,
            Some(36009),
            "OAuthException",
            "This authorization code has been used.",
            None,
        ),
        None => error_response(
            StatusCode::BAD_REQUEST,
            100,
            Some(36008),
            "OAuthException",
            "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
            None,
        ),
    }
}

async fn subscribe_app(
    State(shared): State<Arc<Shared>>,
    Path(waba_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    waba_call(&shared, &waba_id, &headers, "POST", true)
}

async fn unsubscribe_app(
    State(shared): State<Arc<Shared>>,
    Path(waba_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    waba_call(&shared, &waba_id, &headers, "DELETE", false)
}

fn waba_call(
    shared: &Shared,
    waba_id: &str,
    headers: &HeaderMap,
    method: &str,
    subscribe: bool,
) -> Response {
    let path = format!("/{waba_id}/subscribed_apps");
    let token = record(shared, method, path.clone(), None, headers, None);
    let mut inner = shared.lock();
    if let Some(failure) = inner.failure_for(&path) {
        return failure.response();
    }
    let Some(token) = token else {
        return bad_token();
    };
    if !inner.manages(waba_id, &token) {
        return unknown_object(waba_id);
    }
    if subscribe {
        inner.subscribed.insert(waba_id.to_string());
    } else {
        inner.subscribed.remove(waba_id);
    }
    Json(json!({ "success": true })).into_response()
}

async fn register(
    State(shared): State<Arc<Shared>>,
    Path(phone_number_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    let path = format!("/{phone_number_id}/register");
    // The pin is a secret: recorded as its length only.
    let shown = json.clone().map(|mut j| {
        if let Some(pin) = j["pin"].as_str() {
            j["pin"] = json!(format!("[{} digits]", pin.len()));
        }
        j
    });
    let token = record(&shared, "POST", path.clone(), None, &headers, shown);
    let mut inner = shared.lock();
    if let Some(failure) = inner.failure_for(&path) {
        return failure.response();
    }
    if let Some(answer) = refusal(&inner, &phone_number_id, token.as_deref()) {
        return answer;
    }
    let pin_ok = json
        .as_ref()
        .and_then(|j| j["pin"].as_str())
        .is_some_and(|p| p.len() == 6 && p.chars().all(|c| c.is_ascii_digit()));
    if json
        .as_ref()
        .map(|j| j["messaging_product"] != "whatsapp")
        .unwrap_or(true)
        || !pin_ok
    {
        return error_response(
            StatusCode::BAD_REQUEST,
            100,
            None,
            "OAuthException",
            "(#100) Invalid parameter",
            Some("messaging_product must be whatsapp and pin six digits."),
        );
    }
    Json(json!({ "success": true })).into_response()
}

async fn smb_app_data(
    State(shared): State<Arc<Shared>>,
    Path(phone_number_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    let path = format!("/{phone_number_id}/smb_app_data");
    let token = record(&shared, "POST", path.clone(), None, &headers, json.clone());
    let mut inner = shared.lock();
    if let Some(failure) = inner.failure_for(&path) {
        return failure.response();
    }
    if let Some(answer) = refusal(&inner, &phone_number_id, token.as_deref()) {
        return answer;
    }
    let sync_type = json
        .as_ref()
        .and_then(|j| j["sync_type"].as_str())
        .unwrap_or_default();
    if !matches!(sync_type, "smb_app_state_sync" | "history") {
        return error_response(
            StatusCode::BAD_REQUEST,
            100,
            None,
            "OAuthException",
            "(#100) Invalid parameter",
            Some("sync_type must be smb_app_state_sync or history."),
        );
    }
    Json(json!({ "messaging_product": "whatsapp", "request_id": random_hex(16) })).into_response()
}

/// `GET /{waba_id}/message_templates`: the templates, filtered by `status` when asked.
async fn message_templates(
    State(shared): State<Arc<Shared>>,
    Path(waba_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let path = format!("/{waba_id}/message_templates");
    let token = record(&shared, "GET", path.clone(), query.clone(), &headers, None);
    let mut inner = shared.lock();
    if let Some(failure) = inner.failure_for(&path) {
        return failure.response();
    }
    let known = token.as_deref().is_some_and(|t| {
        inner.system_tokens.contains(t) || inner.numbers.values().any(|n| n.token == t)
    });
    if !known {
        return bad_token();
    }
    let wanted: Option<String> = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "status")
        .map(|(_, v)| v.into_owned());
    let data: Vec<Value> = inner
        .templates
        .iter()
        .filter(|t| wanted.as_deref().is_none_or(|w| t["status"] == w))
        .cloned()
        .collect();
    Json(json!({ "data": data, "paging": { "cursors": { "before": "MAA", "after": "MjQ" } } }))
        .into_response()
}

/// The bytes of a media file, behind the same bearer check as the API (Meta's media
/// URLs need the token too).
async fn media_file(
    State(shared): State<Arc<Shared>>,
    Path(media_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let token = record(
        &shared,
        "GET",
        format!("/media-files/{media_id}"),
        None,
        &headers,
        None,
    );
    let inner = shared.lock();
    if !token.as_deref().is_some_and(|t| inner.knows_token(t)) {
        return bad_token();
    }
    match inner.media_file(&media_id) {
        Some(media) => (
            [(header::CONTENT_TYPE, media.mime_type.clone())],
            media.bytes.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
