//! The dashboard's files (Trunk's build in `STATIC_DIR`).
//!
//! - Served precompressed when the build left `.br` or `.gz` copies beside them
//!   (`scripts/lib.sh` `build_spa` writes both) and the browser accepts them.
//! - Files with a content hash in their name (`frontend-<hash>_bg.wasm`) never change
//!   under that name: cached for a year, `immutable`. Everything else (`index.html`,
//!   which names the current hashes) is revalidated on every load (`no-cache`), so a
//!   new release reaches every browser at once.
//! - Any other path gets `index.html`: the dashboard routes itself.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::{ServeDir, ServeFile};

/// A year, for names that change with their content.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For what must be checked on every load.
pub const REVALIDATE: &str = "no-cache";

/// The service answering every path no route took.
pub fn service(dir: &str) -> Router {
    let index = ServeFile::new(format!("{dir}/index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_control))
}

async fn cache_control(req: Request, next: Next) -> Response {
    let hashed = is_hashed(req.uri().path());
    let mut resp = next.run(req).await;
    // A stale hashed name (an old release) falls back to index.html: not for a year.
    let html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let value = if hashed && !html {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    if resp.status().is_success() || resp.status().is_redirection() {
        let h = resp.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        // One URL, several encodings: a shared cache must key on what was accepted.
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    resp
}

/// Whether the file name carries Trunk's content hash: `-` then 16 hex digits, then
/// `.` or `_` (`frontend-0123456789abcdef.js`, `frontend-0123456789abcdef_bg.wasm`).
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.match_indices('-').any(|(at, _)| {
        let rest = &name[at + 1..];
        rest.len() > 16
            && rest[..16].bytes().all(|b| b.is_ascii_hexdigit())
            && matches!(rest.as_bytes()[16], b'.' | b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_names_with_trunk_s_content_hash_count_as_hashed() {
        assert!(is_hashed("/frontend-0123456789abcdef.js"));
        assert!(is_hashed("/frontend-0123456789abcdef_bg.wasm"));
        assert!(is_hashed("/style-fedcba9876543210.css"));
        assert!(!is_hashed("/"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/inbox"));
        assert!(!is_hashed("/frontend-0123456789abcde.js"));
        assert!(!is_hashed("/frontend-0123456789abcdeg.js"));
        assert!(!is_hashed("/0123456789abcdef-0123456789abcdef"));
    }
}
