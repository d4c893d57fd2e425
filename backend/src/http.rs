//! The HTTP surface: routes, limits, static files and graceful shutdown.

use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLBatchRequest, GraphQLResponse};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use diesel_async::RunQueryDsl;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

use crate::app::AppState;
use crate::auth::{bearer_from_header, resolve_bearer};
use crate::db::products;
use crate::error::AppError;
use crate::graphql::{AppSchema, build_schema};

/// Largest GraphQL request body (multipart uploads included).
pub const GRAPHQL_BODY_LIMIT: usize = 20 * 1024 * 1024;
/// Most operations in one batched request.
pub const MAX_BATCH: usize = 10;

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
    headers: HeaderMap,
    request: GraphQLBatchRequest,
) -> Response {
    let batch = request.into_inner();
    let count = match &batch {
        async_graphql::BatchRequest::Single(_) => 1,
        async_graphql::BatchRequest::Batch(v) => v.len(),
    };
    if count > MAX_BATCH {
        let error = AppError::BadRequest(format!("at most {MAX_BATCH} operations per batch"));
        let resp = async_graphql::Response::from_errors(vec![
            async_graphql::ErrorExtensions::extend(&error).into_server_error(Default::default()),
        ]);
        return GraphQLResponse::from(resp).into_response();
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_from_header);
    let mut batch = batch;
    if let Some(token) = token {
        match resolve_bearer(&app, token).await {
            Ok(caller) => batch = batch.data(caller),
            Err(AppError::Unauthenticated) => {
                // A stale or revoked token: answer UNAUTHENTICATED on fields that need a
                // caller (public mutations such as logIn still work).
            }
            Err(e) => {
                let resp = async_graphql::Response::from_errors(vec![
                    async_graphql::ErrorExtensions::extend(&e)
                        .into_server_error(Default::default()),
                ]);
                return GraphQLResponse::from(resp).into_response();
            }
        }
    }
    GraphQLResponse::from(schema.execute_batch(batch).await).into_response()
}

/// The cheapest route (no database): the HTTP ceiling benchmarks compare against.
async fn ping() -> &'static str {
    "pong"
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
        Ok(Ok(_)) => Json(serde_json::json!({"status": "ok", "database": "ok"})).into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "degraded", "database": "unreachable"})),
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
