//! The HTTP surface: routes, limits, static files and graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, GraphiQLSource, WebSocketProtocols, WsMessage};
use async_graphql_axum::{GraphQLBatchRequest, GraphQLResponse};
use axum::extract::ws::{CloseFrame, Message as WsFrame, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use diesel_async::RunQueryDsl;
use futures::{SinkExt, StreamExt};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

use crate::app::AppState;
use crate::auth::{bearer_from_header, resolve_bearer};
use crate::db::products;
use crate::error::AppError;
use crate::graphql::{AppSchema, build_schema};
use crate::limits::RateKey;

/// Largest GraphQL request body (multipart uploads included).
pub const GRAPHQL_BODY_LIMIT: usize = 20 * 1024 * 1024;
/// Most operations in one batched request.
pub const MAX_BATCH: usize = 10;
/// How long a WebSocket client has to send `connection_init` (as the graphql-ws
/// reference server: 3 s, then close code 4408).
pub const WS_INIT_TIMEOUT: Duration = Duration::from_secs(3);

/// Builds the whole router.
pub fn router(app: AppState) -> Router {
    let schema = build_schema(app.clone());
    let spa = ServeDir::new(&app.config.static_dir).fallback(ServeFile::new(format!(
        "{}/index.html",
        app.config.static_dir
    )));
    Router::new()
        .route(
            "/graphql",
            get(graphiql)
                .post(graphql_handler)
                .layer(DefaultBodyLimit::max(GRAPHQL_BODY_LIMIT)),
        )
        .route("/graphql/ws", get(graphql_ws))
        .route("/healthz", get(healthz))
        .route("/ping", get(ping))
        .route("/images/{key}", get(image))
        .with_state((app.clone(), schema))
        .merge(crate::webhooks::routes(app))
        .fallback_service(spa)
        .layer(TraceLayer::new_for_http())
}

type RouteState = (AppState, AppSchema);

async fn graphiql() -> impl IntoResponse {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("WhatsApp AI Sales API")
            .finish(),
    )
}

async fn graphql_handler(
    State((app, schema)): State<RouteState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: GraphQLBatchRequest,
) -> Response {
    let batch = request.into_inner();
    let count = match &batch {
        async_graphql::BatchRequest::Single(_) => 1,
        async_graphql::BatchRequest::Batch(v) => v.len(),
    };
    if count > MAX_BATCH {
        return error_response(&AppError::BadRequest(format!(
            "at most {MAX_BATCH} operations per batch"
        )));
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_from_header);
    let mut batch = batch;
    let mut rate_key = RateKey::Anonymous(peer.ip());
    if let Some(token) = token {
        match resolve_bearer(&app, token).await {
            Ok(caller) => {
                rate_key = RateKey::Business(caller.business_id);
                batch = batch.data(caller);
            }
            Err(AppError::Unauthenticated) => {
                // A stale or revoked token: answer UNAUTHENTICATED on fields that need a
                // caller (public mutations such as logIn still work).
            }
            Err(e) => return error_response(&e),
        }
    }
    if !app.rate_limits.check(&rate_key).await {
        return error_response(&AppError::RateLimited(
            "too many requests; slow down and retry in a moment".into(),
        ));
    }
    GraphQLResponse::from(schema.execute_batch(batch).await).into_response()
}

/// The cheapest route (no database): the HTTP ceiling benchmarks compare against.
async fn ping() -> &'static str {
    "pong"
}

/// A GraphQL-shaped response carrying one error (for failures before execution).
fn error_response(error: &AppError) -> Response {
    let resp = async_graphql::Response::from_errors(vec![
        async_graphql::ErrorExtensions::extend(error).into_server_error(Default::default()),
    ]);
    GraphQLResponse::from(resp).into_response()
}

/// GraphQL subscriptions over WebSocket (`graphql-transport-ws`, and the legacy
/// `graphql-ws`). The client authenticates in `connection_init` with
/// `{"token": "..."}` or `{"Authorization": "Bearer ..."}`; anything else is closed
/// with 4403, and a client that does not send `connection_init` within
/// [`WS_INIT_TIMEOUT`] is closed with 4408.
async fn graphql_ws(
    State((app, schema)): State<RouteState>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let protocol = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|offered| {
            offered
                .split(',')
                .find_map(|p| p.trim().parse::<WebSocketProtocols>().ok())
        });
    let Some(protocol) = protocol else {
        return (
            StatusCode::BAD_REQUEST,
            "use the graphql-transport-ws WebSocket subprotocol",
        )
            .into_response();
    };
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve_graphql_ws(app, schema, protocol, socket))
}

/// The bearer token in a `connection_init` payload.
fn ws_token(payload: &serde_json::Value) -> Option<String> {
    if let Some(token) = payload.get("token").and_then(|v| v.as_str()) {
        return Some(token.to_string());
    }
    ["Authorization", "authorization"]
        .iter()
        .filter_map(|key| payload.get(*key).and_then(|v| v.as_str()))
        .find_map(bearer_from_header)
        .map(str::to_string)
}

async fn serve_graphql_ws(
    app: AppState,
    schema: AppSchema,
    protocol: WebSocketProtocols,
    socket: WebSocket,
) {
    let (mut sink, source) = socket.split();
    let input = source
        .take_while(|frame| std::future::ready(frame.is_ok()))
        .filter_map(|frame| {
            std::future::ready(match frame {
                Ok(frame @ (WsFrame::Text(_) | WsFrame::Binary(_))) => Some(frame.into_data()),
                _ => None,
            })
        });
    let (init_tx, init_rx) = tokio::sync::oneshot::channel::<()>();
    let refused = Arc::new(AtomicBool::new(false));
    let refused_in_init = refused.clone();
    let on_init = move |payload: serde_json::Value| async move {
        let _ = init_tx.send(());
        let caller = match ws_token(&payload) {
            Some(token) => resolve_bearer(&app, &token).await.ok(),
            None => None,
        };
        match caller {
            Some(caller) => {
                let mut data = async_graphql::Data::default();
                data.insert(caller);
                Ok(data)
            }
            None => {
                refused_in_init.store(true, Ordering::SeqCst);
                Err(async_graphql::Error::new("Forbidden"))
            }
        }
    };
    let outgoing = async_graphql::http::WebSocket::new(schema, input, protocol)
        .on_connection_init(on_init)
        .map(move |message| match message {
            WsMessage::Text(text) => WsFrame::Text(text.into()),
            WsMessage::Close(code, reason) => {
                // A refused connection_init: graphql-transport-ws says 4403 Forbidden.
                let code = if code == 1002 && AtomicBool::load(&refused, Ordering::SeqCst) {
                    4403
                } else {
                    code
                };
                WsFrame::Close(Some(CloseFrame {
                    code,
                    reason: reason.into(),
                }))
            }
        });
    futures::pin_mut!(outgoing);
    let deadline = tokio::time::sleep(WS_INIT_TIMEOUT);
    tokio::pin!(deadline);
    let mut init_rx = Some(init_rx);
    loop {
        tokio::select! {
            message = outgoing.next() => {
                let Some(message) = message else { break };
                if sink.send(message).await.is_err() {
                    break;
                }
            }
            received = async { init_rx.as_mut().expect("guarded by the select condition").await }, if init_rx.is_some() => {
                if received.is_ok() {
                    init_rx = None;
                } else {
                    // The socket ended before connection_init.
                    break;
                }
            }
            () = &mut deadline, if init_rx.is_some() => {
                let _ = sink
                    .send(WsFrame::Close(Some(CloseFrame {
                        code: 4408,
                        reason: "Connection initialisation timeout".into(),
                    })))
                    .await;
                break;
            }
        }
    }
}

async fn healthz(State((app, _)): State<RouteState>) -> Response {
    let check = async {
        let mut conn = app.db().await?;
        diesel::sql_query("SELECT 1")
            .execute(&mut conn)
            .await
            .map_err(AppError::from)
    };
    match tokio::time::timeout(Duration::from_secs(3), check).await {
        // A broker outage only narrows live events to this replica: reported, not 503.
        Ok(Ok(_)) => Json(serde_json::json!({
            "status": "ok", "database": "ok", "events": app.events.delivery(),
        }))
        .into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({
                "status": "degraded", "database": "unreachable", "events": app.events.delivery(),
            })),
        )
            .into_response(),
    }
}

async fn image(
    State((app, _)): State<RouteState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Response {
    if key.len() != 32 || !key.chars().all(|c| c.is_ascii_hexdigit()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let etag = format!("\"{key}\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag)
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let found = async {
        let mut conn = app.db().await?;
        products::image_data(&mut conn, &key)
            .await
            .map_err(AppError::from)
    }
    .await;
    match found {
        Ok(Some((mime, data))) => {
            let mut resp = data.into_response();
            let h = resp.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&mime) {
                h.insert(header::CONTENT_TYPE, v);
            }
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            if let Ok(v) = HeaderValue::from_str(&etag) {
                h.insert(header::ETAG, v);
            }
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            resp
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => e.into_response(),
    }
}

/// Resolves when the process is asked to stop (Ctrl-C or SIGTERM).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down gracefully");
}
