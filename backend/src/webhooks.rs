//! Meta's webhook route, `/webhooks/whatsapp`: the `GET` verification handshake and
//! signed `POST` deliveries. Thin: it checks the signature, hands the body to
//! [`crate::ingest`] and answers with what ingest reports, only after the commit.
//! The payload's types are in [`crate::meta::webhook`].
//!
//! | situation | answer | stored |
//! |---|---|---|
//! | missing or wrong `X-Hub-Signature-256` | 401 | nothing |
//! | body over [`MAX_BODY_BYTES`] | 413 | nothing |
//! | valid signature, not a Meta notification | 400 | raw event, outcome `malformed` |
//! | unknown or disconnected number | 200 | raw event, outcome `unknown_number` |
//! | stored | 200 | raw event + contacts, chats, messages, statuses |
//! | `account_update` removing our app | 200 | raw event; the WABA's numbers disconnected |
//! | database unavailable | 503 (Meta retries) | nothing |

pub mod signature;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use secrecy::ExposeSecret;
use serde::Deserialize;

use crate::app::AppState;
use crate::ingest::IngestAck;

/// The route path.
pub const WEBHOOK_PATH: &str = "/webhooks/whatsapp";

/// Largest delivery accepted (Meta's are a few KiB; batches stay far below this).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The webhook routes, ready to merge into the app router.
pub fn routes(app: AppState) -> Router {
    Router::new()
        .route(
            WEBHOOK_PATH,
            get(verify)
                .post(receive)
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .with_state(app)
}

/// Query of Meta's verification request.
#[derive(Debug, Deserialize)]
pub struct VerifyQuery {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// `GET`: echo `hub.challenge` when the mode is `subscribe` and the token is ours.
async fn verify(State(app): State<AppState>, Query(q): Query<VerifyQuery>) -> Response {
    let expected = app.config.meta_verify_token.expose_secret().as_bytes();
    let token_ok = q.verify_token.as_deref().is_some_and(|t| {
        // Constant time, like the signature check.
        t.len() == expected.len()
            && t.as_bytes()
                .iter()
                .zip(expected)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    match (q.mode.as_deref(), token_ok, q.challenge) {
        (Some("subscribe"), true, Some(challenge)) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge,
        )
            .into_response(),
        _ => (StatusCode::FORBIDDEN, "verification failed").into_response(),
    }
}

/// `POST`: a signed delivery.
async fn receive(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers
        .get(signature::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    if !signature::verify(
        app.config.meta_app_secret.expose_secret().as_bytes(),
        &body,
        signature,
    ) {
        tracing::warn!(
            present = signature.is_some(),
            "webhook rejected: bad signature"
        );
        return (StatusCode::UNAUTHORIZED, "invalid signature").into_response();
    }
    match app.ingest.receive(body).await {
        Ok((IngestAck::Stored, updates)) => {
            // Rare lifecycle news (a WABA that removed our app): applied after the
            // raw delivery is stored.
            crate::whatsapp::account_updates(&app, updates).await;
            (StatusCode::OK, "ok").into_response()
        }
        Ok((IngestAck::Malformed, _)) => {
            (StatusCode::BAD_REQUEST, "malformed delivery").into_response()
        }
        Ok((IngestAck::Unavailable, _)) => {
            (StatusCode::SERVICE_UNAVAILABLE, "try again later").into_response()
        }
        Err(e) => e.into_response(),
    }
}
