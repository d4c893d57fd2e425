//! Security headers on every response: a Content-Security-Policy fit for the WASM
//! dashboard, `nosniff`, no referrer, no framing, and HSTS when `PUBLIC_URL` is https.
//!
//! The dashboard's `index.html` (built by Trunk) starts the app with an inline module
//! script; its SHA-256 is read from the built file at start and allowed by hash, so no
//! `'unsafe-inline'` script is ever allowed. Rebuilding the dashboard therefore needs a
//! server restart. Inline `style` attributes are allowed (the app sets widths and
//! colours with them); images may be `data:` and `blob:` (previews before upload).
//! GraphiQL, the integrators' console at `GET /graphql`, loads from unpkg.com and
//! gets its own policy.

use axum::http::{HeaderName, HeaderValue, header};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::config::Config;

/// The policy of the GraphiQL page (its scripts and styles come from unpkg.com).
pub const GRAPHIQL_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline' https://unpkg.com; \
     style-src 'self' 'unsafe-inline' https://unpkg.com; img-src 'self' data: https://graphql.org; \
     connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The headers every response carries.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    csp: String,
    hsts: bool,
}

/// `'sha256-...'` sources for every inline `<script>` of `html`.
fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_and_more = &after[open_end + 1..];
        let Some(close) = body_and_more.find("</script>") else {
            break;
        };
        if !tag.contains("src=") {
            let digest = Sha256::digest(&body_and_more.as_bytes()[..close]);
            hashes.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &body_and_more[close..];
    }
    hashes
}

/// The WebSocket origin (`ws://host` or `wss://host`) of a public base URL.
fn websocket_origin(public_url: &str) -> Option<String> {
    let url = url::Url::parse(public_url).ok()?;
    let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

/// The origin (`https://host[:port]`) of an absolute http(s) URL.
fn origin_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

/// The dashboard's Content-Security-Policy, allowing the inline scripts of
/// `index_html` by hash. With Embedded Signup (`meta_sdk_url`), Meta's SDK may load
/// from its origin and open Meta's frames and calls.
pub fn content_security_policy(
    public_url: &str,
    index_html: Option<&str>,
    meta_sdk_url: Option<&str>,
) -> String {
    let hashes = index_html.map(inline_script_hashes).unwrap_or_default();
    let mut script_src = vec!["'self'".to_string(), "'wasm-unsafe-eval'".to_string()];
    script_src.extend(hashes);
    let mut connect_src = vec!["'self'".to_string()];
    connect_src.extend(websocket_origin(public_url));
    let mut frame_src = "'none'".to_string();
    if let Some(sdk) = meta_sdk_url {
        script_src.extend(origin_of(sdk));
        connect_src.push("https://*.facebook.com".into());
        frame_src = "https://*.facebook.com".into();
    }
    format!(
        "default-src 'self'; script-src {}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; font-src 'self'; connect-src {}; frame-src {frame_src}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        script_src.join(" "),
        connect_src.join(" ")
    )
}

impl SecurityHeaders {
    /// The headers for this configuration (reads the built `index.html`, if any).
    pub fn from_config(config: &Config) -> SecurityHeaders {
        let index = std::fs::read_to_string(format!("{}/index.html", config.static_dir)).ok();
        SecurityHeaders {
            csp: content_security_policy(
                &config.public_url,
                index.as_deref(),
                config
                    .meta_app_id
                    .as_ref()
                    .map(|_| config.meta_sdk_url.as_str()),
            ),
            hsts: config.public_url.starts_with("https://"),
        }
    }

    /// Sets every header on the router's responses that a handler did not set itself.
    pub fn apply(&self, router: axum::Router) -> axum::Router {
        let pairs = std::sync::Arc::new(self.pairs());
        router.layer(axum::middleware::map_response(
            move |mut response: axum::response::Response| {
                let pairs = pairs.clone();
                async move {
                    let headers = response.headers_mut();
                    for (name, value) in pairs.iter() {
                        if !headers.contains_key(name) {
                            headers.insert(name.clone(), value.clone());
                        }
                    }
                    response
                }
            },
        ))
    }

    /// The header pairs, in a stable order.
    pub fn pairs(&self) -> Vec<(HeaderName, HeaderValue)> {
        let mut pairs = vec![
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        ];
        if let Ok(csp) = HeaderValue::from_str(&self.csp) {
            pairs.push((header::CONTENT_SECURITY_POLICY, csp));
        }
        if self.hsts {
            pairs.push((
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000; includeSubDomains"),
            ));
        }
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_hash_and_external_ones_are_not_hashed() {
        let html = r#"<html><head><script src="/a.js"></script>
<script type="module">import init from '/x.js';</script></head></html>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(b"import init from '/x.js';"));
        assert_eq!(hashes[0], format!("'sha256-{expected}'"));
        let csp = content_security_policy("https://shop.example.com", Some(html), None);
        assert!(csp.contains(&hashes[0]), "{csp}");
        assert!(
            csp.contains("connect-src 'self' wss://shop.example.com;"),
            "{csp}"
        );
        assert!(!csp.contains("'unsafe-inline' 'wasm"), "{csp}");
        assert!(csp.contains("frame-src 'none'"), "{csp}");
    }

    #[test]
    fn with_embedded_signup_meta_sdk_and_frames_are_allowed() {
        let csp = content_security_policy(
            "https://shop.example.com",
            None,
            Some("https://connect.facebook.net/en_US/sdk.js"),
        );
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' https://connect.facebook.net;"),
            "{csp}"
        );
        assert!(csp.contains("frame-src https://*.facebook.com;"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    }
}
