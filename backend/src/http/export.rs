//! `GET /api/export`: the business's export archive (see [`crate::privacy::export`]),
//! streamed as it is written.
//!
//! Authenticated like GraphQL (`Authorization: Bearer <session JWT or API token>`);
//! allowed to the owner and to API tokens of either scope, refused to staff
//! (`crate::privacy` docs). Counted against the caller's API rate limit. Errors before
//! the first byte are JSON `{"error": {"code", "message"}}` with their HTTP status; a
//! failure while streaming aborts the response, so a client never takes a truncated
//! archive for a whole one.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use shared::ActivityKind;

use super::RouteState;
use crate::activity::Entry;
use crate::auth::{bearer_from_header, resolve_bearer};
use crate::error::AppError;
use crate::limits::RateKey;
use crate::privacy;

/// Bytes buffered between the archive writer and the HTTP body: the writer waits when
/// the client reads slowly.
const PIPE_BYTES: usize = 256 * 1024;

pub(super) async fn export(State((app, _)): State<RouteState>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_from_header);
    let Some(token) = token else {
        return AppError::Unauthenticated.into_response();
    };
    let caller = match resolve_bearer(&app, token).await {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = privacy::check_can_export(&caller) {
        return e.into_response();
    }
    if !app
        .rate_limits
        .check(&RateKey::Business(caller.business_id))
        .await
    {
        return AppError::RateLimited("too many requests; slow down and retry in a moment".into())
            .into_response();
    }
    if let Ok(mut conn) = app.db().await {
        let entry = Entry::new(
            ActivityKind::DataExported,
            None,
            "All data exported (archive downloaded)",
        );
        caller.record(&mut conn, &app.events, entry).await;
    }
    let (writer, reader) = tokio::io::duplex(PIPE_BYTES);
    let business_id = caller.business_id;
    let writing_app = app.clone();
    let written = tokio::spawn(async move {
        privacy::export::write_archive(&writing_app, business_id, writer).await
    });
    let ending = futures::stream::once(async move {
        match written.await {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => {
                tracing::error!(business_id = business_id.0, error = ?e, "export failed while streaming");
                Some(Err(std::io::Error::other("the export failed")))
            }
            Err(e) => {
                tracing::error!(business_id = business_id.0, error = %e, "export task failed");
                Some(Err(std::io::Error::other("the export failed")))
            }
        }
    })
    .filter_map(std::future::ready);
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(reader).chain(ending));
    let file = format!(
        "attachment; filename=\"wasales-export-{}.zip\"",
        chrono::Utc::now().format("%Y-%m-%d")
    );
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = HeaderValue::from_str(&file) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
