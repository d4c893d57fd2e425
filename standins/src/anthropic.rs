//! A stand-in for the Anthropic Messages API: `POST /v1/messages` on 127.0.0.1:0 with
//! the same JSON and errors, answering from a script and recording every request.
//!
//! Tests script real `tool_use` turns ([`Scripted::tool_use`]), plain text
//! ([`Scripted::text`]) and failures ([`Scripted::overloaded`] = 529,
//! [`Scripted::rate_limited`] = 429 with `retry-after`, [`Scripted::invalid_key`] = 401).
//! When the script is empty it answers [`StandInAnthropic::default_reply`] at once
//! (the zero-latency model of `wasales-dev bench-agent`).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Scripted {
    /// 200 with this body (a Messages API response).
    Reply(Value),
    /// An error status with Anthropic's error body, and optionally `retry-after`.
    Error {
        /// HTTP status.
        status: u16,
        /// `error.type`.
        kind: String,
        /// `retry-after` seconds.
        retry_after: Option<u64>,
    },
    /// This answer after a pause (a model slower than usual).
    Slow(std::time::Duration, Box<Scripted>),
}

impl Scripted {
    /// This answer, given only after `delay`.
    pub fn after(self, delay: std::time::Duration) -> Scripted {
        Scripted::Slow(delay, Box::new(self))
    }

    /// A final text answer (`stop_reason: end_turn`).
    pub fn text(text: &str) -> Scripted {
        Scripted::Reply(json!({
            "id": "msg_standin", "type": "message", "role": "assistant",
            "model": "claude-standin",
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 100, "output_tokens": 20}
        }))
    }

    /// One tool call (`stop_reason: tool_use`), with optional text before it.
    pub fn tool_use(id: &str, name: &str, input: Value) -> Scripted {
        Scripted::tool_uses(&[(id, name, input)])
    }

    /// Several tool calls in one turn.
    pub fn tool_uses(calls: &[(&str, &str, Value)]) -> Scripted {
        let content: Vec<Value> = calls
            .iter()
            .map(|(id, name, input)| json!({"type": "tool_use", "id": id, "name": name, "input": input}))
            .collect();
        Scripted::Reply(json!({
            "id": "msg_standin", "type": "message", "role": "assistant",
            "model": "claude-standin", "content": content,
            "stop_reason": "tool_use", "stop_sequence": null,
            "usage": {"input_tokens": 120, "output_tokens": 30}
        }))
    }

    /// 529 `overloaded_error`.
    pub fn overloaded() -> Scripted {
        Scripted::Error {
            status: 529,
            kind: "overloaded_error".into(),
            retry_after: None,
        }
    }

    /// 429 `rate_limit_error` with `retry-after`.
    pub fn rate_limited(retry_after: u64) -> Scripted {
        Scripted::Error {
            status: 429,
            kind: "rate_limit_error".into(),
            retry_after: Some(retry_after),
        }
    }

    /// 401 `authentication_error`.
    pub fn invalid_key() -> Scripted {
        Scripted::Error {
            status: 401,
            kind: "authentication_error".into(),
            retry_after: None,
        }
    }
}

/// A request as received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The `x-api-key` header.
    pub api_key: Option<String>,
    /// The `anthropic-version` header.
    pub version: Option<String>,
    /// The JSON body.
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Scripted>,
    requests: Vec<Recorded>,
    /// Answer every request with this when set (e.g. always 529), ignoring the script.
    always: Option<Scripted>,
}

/// A running stand-in.
#[derive(Clone)]
pub struct StandInAnthropic {
    /// Base URL for `ANTHROPIC_BASE_URL`, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// Bound address.
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

impl StandInAnthropic {
    /// The answer when nothing is scripted.
    pub fn default_reply() -> Scripted {
        Scripted::text("Thanks for your message! How can I help you today?")
    }

    /// Starts on 127.0.0.1:0 (runs until the runtime stops).
    pub async fn start() -> std::io::Result<StandInAnthropic> {
        Self::start_on("127.0.0.1:0").await
    }

    /// Starts on a given address.
    pub async fn start_on(addr: &str) -> std::io::Result<StandInAnthropic> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Mutex::new(Inner::default()));
        let router = Router::new()
            .route("/v1/messages", post(messages))
            .with_state(inner.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(StandInAnthropic {
            url: format!("http://{addr}"),
            addr,
            inner,
        })
    }

    /// Appends answers to the script.
    pub fn push(&self, answers: impl IntoIterator<Item = Scripted>) {
        self.lock().script.extend(answers);
    }

    /// Answers every request with `answer` from now on (`None` returns to the script).
    pub fn always(&self, answer: Option<Scripted>) {
        self.lock().always = answer;
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    /// How many requests arrived.
    pub fn request_count(&self) -> usize {
        self.lock().requests.len()
    }

    /// Scripted answers not yet used.
    pub fn remaining(&self) -> usize {
        self.lock().script.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

async fn messages(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Option<Json<Value>>,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let Some(Json(body)) = body else {
        return error(400, "invalid_request_error", "body must be JSON", None);
    };
    let answer = {
        let mut inner = inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.requests.push(Recorded {
            api_key: header("x-api-key"),
            version: header("anthropic-version"),
            body: body.clone(),
        });
        inner
            .always
            .clone()
            .or_else(|| inner.script.pop_front())
            .unwrap_or_else(StandInAnthropic::default_reply)
    };
    if header("x-api-key").is_none_or(|k| k.is_empty()) {
        return error(
            401,
            "authentication_error",
            "x-api-key header is required",
            None,
        );
    }
    for field in ["model", "max_tokens", "messages"] {
        if body.get(field).is_none() {
            return error(
                400,
                "invalid_request_error",
                &format!("{field}: Field required"),
                None,
            );
        }
    }
    let mut answer = answer;
    while let Scripted::Slow(delay, then) = answer {
        tokio::time::sleep(delay).await;
        answer = *then;
    }
    match answer {
        Scripted::Slow(..) => unreachable!("unwrapped above"),
        Scripted::Reply(v) => (StatusCode::OK, Json(v)).into_response(),
        Scripted::Error {
            status,
            kind,
            retry_after,
        } => error(status, &kind, "scripted failure", retry_after),
    }
}

fn error(status: u16, kind: &str, message: &str, retry_after: Option<u64>) -> Response {
    let body = json!({"type": "error", "error": {"type": kind, "message": message}});
    let mut resp = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        Json(body),
    )
        .into_response();
    if let Some(s) = retry_after
        && let Ok(v) = s.to_string().parse()
    {
        resp.headers_mut().insert("retry-after", v);
    }
    resp
}
