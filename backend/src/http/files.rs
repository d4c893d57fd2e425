//! Files kept in the database: a customer's media through its signed link, and product
//! images by their content key (cached for a year: the key changes with the bytes).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{RouteState, assets};
use crate::db::products;
use crate::error::AppError;

/// Types a browser may show inline from our origin: pictures, sound and video. Anything
/// else a customer sent (a PDF, an HTML or SVG file) is served as a download, so no file
/// can run script on the dashboard's origin.
const INLINE_MEDIA: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "audio/ogg",
    "audio/mpeg",
    "audio/mp4",
    "audio/aac",
    "audio/amr",
    "video/mp4",
    "video/3gpp",
];

/// A customer's file, through a signed link from the API (`Message.media.url`): the
/// link names the business and message and expires; anything else is 404.
pub(super) async fn media_file(
    State((app, _)): State<RouteState>,
    Path(token): Path<String>,
) -> Response {
    let Some((business_id, message_id)) = crate::media::verify(&app, &token) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let found = async {
        let mut conn = app.db().await?;
        crate::db::media::file(&mut conn, business_id, message_id)
            .await
            .map_err(AppError::from)
    }
    .await;
    match found {
        Ok(Some((mime, data))) => {
            let mime = mime.unwrap_or_default();
            let essence = mime
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            let inline = INLINE_MEDIA.contains(&essence.as_str());
            let content_type = if inline {
                mime.as_str()
            } else {
                "application/octet-stream"
            };
            let mut resp = file_response(data, content_type, "private, max-age=3600");
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static(if inline { "inline" } else { "attachment" }),
            );
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox; default-src 'none'"),
            );
            resp
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => e.into_response(),
    }
}

pub(super) async fn image(
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
            let mut resp = file_response(data, &mime, assets::IMMUTABLE);
            if let Ok(v) = HeaderValue::from_str(&etag) {
                resp.headers_mut().insert(header::ETAG, v);
            }
            resp
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => e.into_response(),
    }
}

/// `data` as `content_type` (dropped if not a valid header value), cached as `cache`,
/// never sniffed into another type by the browser.
fn file_response(data: Vec<u8>, content_type: &str, cache: &'static str) -> Response {
    let mut resp = data.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}
