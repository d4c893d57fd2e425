//! The HTTP surface: routes, limits, static files and graceful shutdown. Children:
//! `assets` (the dashboard's files), `files` (media and product images from the
//! database), `export` (the data export download), `headers` (security headers) and
//! `ws_executor`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, GraphiQLSource, WebSocketProtocols, WsMessage};
use async_graphql_axum::{GraphQLBatchRequest, GraphQLResponse};
use axum::extract::ws::{CloseFrame, Message as WsFrame, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use diesel_async::RunQueryDsl;
use futures::{SinkExt, StreamExt};
use tower_http::trace::TraceLayer;

use crate::app::AppState;
use crate::auth::{Caller, ClientInfo, bearer_from_header, resolve_bearer};
use crate::error::AppError;
use crate::events::EventKind;
use crate::graphql::operation::{self, AUTH_FIELDS};
use crate::graphql::{AppSchema, build_schema};
use crate::limits::RateKey;

mod assets;
mod export;
mod files;
mod headers;
mod ws_executor;

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
    let spa = assets::service(&app.config.static_dir);
    let headers = headers::SecurityHeaders::from_config(&app.config);
    let routes = Router::new()
        .route(
            "/graphql",
            get(graphiql)
                .post(graphql_handler)
                .layer(DefaultBodyLimit::max(GRAPHQL_BODY_LIMIT)),
        )
        .route("/graphql/ws", get(graphql_ws))
        .route("/healthz", get(healthz))
        .route("/ping", get(ping))
        .route("/images/{key}", get(files::image))
        .route(
            &format!("{}/{{token}}", crate::media::MEDIA_PATH),
            get(files::media_file),
        )
        .route(crate::privacy::EXPORT_PATH, get(export::export))
        .with_state((app.clone(), schema))
        .merge(crate::webhooks::routes(app))
        .fallback_service(spa);
    headers.apply(routes).layer(TraceLayer::new_for_http())
}

/// Who is on the other end of a request: the client address (believing
/// `X-Forwarded-For` only from a trusted proxy) and its `User-Agent`.
fn client_info(app: &AppState, peer: SocketAddr, headers: &HeaderMap) -> ClientInfo {
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    ClientInfo {
        ip: app.config.trusted_proxies.client_ip(peer.ip(), forwarded),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    }
}

/// Refuses, before anything runs, what a request may not do as a whole: more than one
/// authentication field (aliases, fragments and batches included: each is a password
/// guess), and mutations from a read-only API token.
fn check_batch(
    batch: &async_graphql::BatchRequest,
    caller: Option<&Caller>,
) -> Result<(), AppError> {
    let requests: Vec<&async_graphql::Request> = match batch {
        async_graphql::BatchRequest::Single(r) => vec![r],
        async_graphql::BatchRequest::Batch(v) => v.iter().collect(),
    };
    let inspected: Vec<operation::Inspected> = requests
        .iter()
        .filter_map(|r| operation::inspect(&r.query, r.operation_name.as_deref()))
        .collect();
    let auth_fields: usize = inspected.iter().map(|i| i.auth_fields).sum();
    if auth_fields > 1 {
        return Err(AppError::BadRequest(format!(
            "at most one authentication operation ({}) per HTTP request: no aliases, no batches",
            AUTH_FIELDS.join(", ")
        )));
    }
    let read_only = caller.is_some_and(|c| c.scope == shared::ApiTokenScope::Read);
    let mutates = inspected
        .iter()
        .any(|i| i.kind == Some(async_graphql::parser::types::OperationType::Mutation));
    if read_only && mutates {
        return Err(AppError::Forbidden(
            "this API token is read-only (READ scope); mutations need a WRITE token".into(),
        ));
    }
    Ok(())
}

type RouteState = (AppState, AppSchema);

async fn graphiql() -> impl IntoResponse {
    (
        [(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(headers::GRAPHIQL_CSP),
        )],
        Html(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .subscription_endpoint("/graphql/ws")
                .title("WhatsApp AI Sales API")
                .finish(),
        ),
    )
}

async fn graphql_handler(
    State((app, schema)): State<RouteState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: GraphQLBatchRequest,
) -> Response {
    let client = client_info(&app, peer, &headers);
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
    let mut rate_key = RateKey::Anonymous(client.ip);
    let mut caller = None;
    if let Some(token) = token {
        match resolve_bearer(&app, token).await {
            Ok(found) => {
                rate_key = RateKey::Business(found.business_id);
                caller = Some(found);
            }
            Err(AppError::Unauthenticated) => {
                // A stale or revoked token: answer UNAUTHENTICATED on fields that need a
                // caller (public mutations such as logIn still work).
            }
            Err(e) => return error_response(&e),
        }
    }
    if let Err(e) = check_batch(&batch, caller.as_ref()) {
        return error_response(&e);
    }
    if !app.rate_limits.check(&rate_key).await {
        return error_response(&AppError::RateLimited(
            "too many requests; slow down and retry in a moment".into(),
        ));
    }
    if let Some(caller) = caller {
        batch = batch.data(caller);
    }
    batch = batch.data(client);
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
/// [`WS_INIT_TIMEOUT`] is closed with 4408. Only subscriptions run (queries and
/// mutations go over HTTP, under its limits); when the credentials are revoked (log-out,
/// a revoked session or token, a password change, a disconnected number) the socket is
/// closed with 4401 at once, and a session's socket also closes with 4401 the moment
/// its token expires.
async fn graphql_ws(
    State((app, schema)): State<RouteState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let client = client_info(&app, peer, &headers);
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
        .on_upgrade(move |socket| serve_graphql_ws(app, schema, protocol, socket, client))
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

/// How often an open WebSocket re-checks its credentials in the database, besides
/// reacting at once to revocations on the event bus (a safety net for missed events
/// and for expiry).
const WS_RECHECK_EVERY: Duration = Duration::from_secs(60);

/// The credentials a WebSocket was accepted with.
#[derive(Debug, Clone)]
struct WsCredentials {
    token: String,
    caller: Caller,
}

async fn serve_graphql_ws(
    app: AppState,
    schema: AppSchema,
    protocol: WebSocketProtocols,
    socket: WebSocket,
    client: ClientInfo,
) {
    // Subscribed before connection_init: a revocation racing the handshake is seen.
    let mut revocations = app.events.subscribe();
    let credentials: Arc<std::sync::Mutex<Option<WsCredentials>>> = Arc::default();
    let credentials_in_init = credentials.clone();
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
    let app_in_init = app.clone();
    let (expiry_tx, expiry_rx) = tokio::sync::oneshot::channel::<chrono::DateTime<chrono::Utc>>();
    let on_init = move |payload: serde_json::Value| async move {
        let _ = init_tx.send(());
        let token = ws_token(&payload);
        let caller = match &token {
            Some(token) => resolve_bearer(&app_in_init, token).await.ok(),
            None => None,
        };
        match (caller, token) {
            (Some(caller), Some(token)) => {
                if let Some(expires) = crate::auth::token_expiry(&app_in_init, &token) {
                    let _ = expiry_tx.send(expires);
                }
                if let Ok(mut held) = credentials_in_init.lock() {
                    *held = Some(WsCredentials {
                        token,
                        caller: caller.clone(),
                    });
                }
                let mut data = async_graphql::Data::default();
                data.insert(caller);
                data.insert(client);
                Ok(data)
            }
            _ => {
                refused_in_init.store(true, Ordering::SeqCst);
                Err(async_graphql::Error::new("Forbidden"))
            }
        }
    };
    let outgoing = async_graphql::http::WebSocket::new(
        ws_executor::SubscriptionsOnly(schema),
        input,
        protocol,
    )
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
    let mut recheck = tokio::time::interval(WS_RECHECK_EVERY);
    recheck.tick().await;
    let mut bus_open = true;
    // A session's socket closes when the session's token expires (armed after init).
    let expiry = tokio::time::sleep(Duration::from_secs(365 * 24 * 3600));
    tokio::pin!(expiry);
    let mut expiry_armed = false;
    let mut expiry_rx = Some(expiry_rx);
    loop {
        tokio::select! {
            () = &mut expiry, if expiry_armed => {
                close_unauthorized(&mut sink).await;
                break;
            }
            expires = async { expiry_rx.as_mut().expect("guarded by the select condition").await }, if expiry_rx.is_some() => {
                expiry_rx = None;
                if let Ok(expires) = expires {
                    let left = (expires - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO);
                    expiry.as_mut().reset(tokio::time::Instant::now() + left);
                    expiry_armed = true;
                }
            }
            event = revocations.recv(), if bus_open => {
                let held = credentials.lock().ok().and_then(|held| held.clone());
                let revoked = match event {
                    Ok(event) => held.is_some_and(|h| match &event.kind {
                        EventKind::CredentialsRevoked(revoked) => {
                            event.business_id == h.caller.business_id
                                && revoked.covers(h.caller.session_id.as_deref(), h.caller.api_token_id)
                        }
                        _ => false,
                    }),
                    // Missed events: ask the database instead.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        still_valid(&app, held.as_ref()).await.is_some_and(|valid| !valid)
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                        bus_open = false;
                        false
                    }
                };
                if revoked {
                    close_unauthorized(&mut sink).await;
                    break;
                }
            }
            _ = recheck.tick() => {
                let held = credentials.lock().ok().and_then(|held| held.clone());
                if still_valid(&app, held.as_ref()).await == Some(false) {
                    close_unauthorized(&mut sink).await;
                    break;
                }
            }
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

/// Whether the WebSocket's credentials still work: `None` before `connection_init` or
/// when the database cannot tell (then the socket stays as it is).
async fn still_valid(app: &AppState, held: Option<&WsCredentials>) -> Option<bool> {
    let held = held?;
    match resolve_bearer(app, &held.token).await {
        Ok(caller) => Some(caller.actor == held.caller.actor),
        Err(AppError::Unauthenticated) => Some(false),
        Err(_) => None,
    }
}

/// Closes a WebSocket whose credentials ended (graphql-transport-ws: 4401).
async fn close_unauthorized<S>(sink: &mut S)
where
    S: futures::Sink<WsFrame> + Unpin,
{
    let _ = sink
        .send(WsFrame::Close(Some(CloseFrame {
            code: 4401,
            reason: "Unauthorized: the session or token was revoked or expired".into(),
        })))
        .await;
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
