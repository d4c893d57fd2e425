//! The dashboard's files: precompressed copies served to browsers that accept them,
//! hashed names cached for a year, index.html revalidated, unknown paths routed to
//! the dashboard (never cached as if they were a hashed file).

use crate::common::TestApp;

const WASM: &str = "frontend-0123456789abcdef_bg.wasm";

/// A build directory like Trunk's, each precompressed copy with its own marker bytes
/// (the server must pick the file, not compress on the fly).
fn build_dir() -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("wasales-assets-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let files: [(String, &[u8]); 5] = [
        (
            "index.html".into(),
            b"<!doctype html><title>dashboard</title>",
        ),
        ("index.html.br".into(), b"brotli index"),
        (WASM.into(), b"\0asm plain"),
        (format!("{WASM}.br"), b"brotli wasm"),
        (format!("{WASM}.gz"), b"gzip wasm"),
    ];
    for (name, body) in files {
        std::fs::write(dir.join(name), body).unwrap();
    }
    dir
}

/// Status, headers and the body exactly as sent (nothing decompressed).
struct Fetched {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Fetched {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

async fn fetch(t: &TestApp, path: &str, accept: Option<&str>) -> Fetched {
    let mut req = t.http.get(format!("{}{path}", t.url));
    if let Some(accept) = accept {
        req = req.header("accept-encoding", accept);
    }
    let resp = req.send().await.unwrap();
    Fetched {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: resp.bytes().await.unwrap().to_vec(),
    }
}

#[tokio::test]
async fn hashed_files_go_precompressed_and_cached_for_a_year_the_page_itself_is_revalidated() {
    let dir = build_dir();
    let static_dir = dir.to_string_lossy().to_string();
    let t = TestApp::spawn_with(|c| c.static_dir = static_dir).await;
    let path = format!("/{WASM}");

    let br = fetch(&t, &path, Some("gzip, deflate, br")).await;
    assert_eq!(br.status, 200);
    assert_eq!(br.body, b"brotli wasm");
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(br.header("content-type"), Some("application/wasm"));
    assert_eq!(
        br.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(
        br.header("vary")
            .is_some_and(|v| v.to_lowercase().contains("accept-encoding"))
    );

    let gzip = fetch(&t, &path, Some("gzip")).await;
    assert_eq!(gzip.body, b"gzip wasm");
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));

    let plain = fetch(&t, &path, None).await;
    assert_eq!(plain.body, b"\0asm plain");
    assert_eq!(plain.header("content-encoding"), None);

    // The page names the current hashes: checked on every load.
    for page in ["/", "/index.html", "/inbox"] {
        let got = fetch(&t, page, Some("br")).await;
        assert_eq!(got.status, 200, "{page}");
        assert_eq!(got.body, b"brotli index", "{page}");
        assert_eq!(got.header("cache-control"), Some("no-cache"), "{page}");
    }
    let plain_page = fetch(&t, "/inbox", None).await;
    assert_eq!(plain_page.body, b"<!doctype html><title>dashboard</title>");
    assert_eq!(plain_page.header("cache-control"), Some("no-cache"));

    // A hashed name of an older release is not there: the dashboard answers, uncached.
    let stale = fetch(&t, "/frontend-fedcba9876543210.js", None).await;
    assert_eq!(stale.body, b"<!doctype html><title>dashboard</title>");
    assert_eq!(stale.header("cache-control"), Some("no-cache"));

    let _ = std::fs::remove_dir_all(dir);
}
