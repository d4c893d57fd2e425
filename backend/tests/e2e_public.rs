//! The public pages in a real headless Chromium, signed out: the privacy policy and the
//! terms with their version, and the contact form, whose message is stored.

use crate::common::TestApp;
use crate::common::browser::{Browser, spa_dir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_reads_the_policies_and_writes_through_the_contact_form_without_an_account() {
    let dist = spa_dir();
    let t = TestApp::spawn_with(|c| c.static_dir = dist).await;
    let b = Browser::start().await;
    let c = &b.client;

    c.goto(&format!("{}/privacy", t.url)).await.unwrap();
    let privacy = b.find("privacy-page").await.text().await.unwrap();
    assert!(
        privacy.contains(shared::legal::POLICY_VERSION),
        "the policy shows its version: {privacy}"
    );
    assert!(privacy.contains("masked"), "{privacy}");
    b.wait_path("/privacy").await;
    c.goto(&format!("{}/terms", t.url)).await.unwrap();
    let terms = b.find("terms-page").await.text().await.unwrap();
    assert!(terms.contains("over 16"), "{terms}");

    c.goto(&format!("{}/contact", t.url)).await.unwrap();
    b.fill("contact-name", "Ada Obi").await;
    b.fill("contact-email", "ada@example.com").await;
    b.fill("contact-message", "Please delete my shop's data.")
        .await;
    b.click("contact-submit").await;
    b.find("contact-sent").await;
    assert_eq!(
        t.rows("contact_messages WHERE email = 'ada@example.com' AND message = 'Please delete my shop''s data.'")
            .await,
        1
    );
    b.wait_path("/contact").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_page_loads_precompressed_from_a_cold_cache() {
    let dist = spa_dir();
    let t = TestApp::spawn_with(|c| c.static_dir = dist).await;
    let b = Browser::start().await;

    b.client.goto(&format!("{}/login", t.url)).await.unwrap();
    b.find("login-form").await;
    // At most this long after navigation the form was there (the test polls for it).
    let shown_ms = b.js("performance.now()").await.as_f64().unwrap();
    let sizes = b
        .js(
            "(() => { const w = performance.getEntriesByType('resource').find(r => r.name.endsWith('.wasm'));
                      return w ? [w.encodedBodySize, w.decodedBodySize] : null; })()",
        )
        .await;
    let (wire, decoded) = (sizes[0].as_f64().unwrap(), sizes[1].as_f64().unwrap());
    println!(
        "login page from a cold cache: form shown within {shown_ms:.0} ms; WebAssembly {:.0} kB on the wire, {:.0} kB decoded",
        wire / 1000.0,
        decoded / 1000.0
    );
    // The build's brotli copy went out, not the raw file (brotli packs it about 4x).
    assert!(
        wire > 0.0 && wire * 2.0 < decoded,
        "the WebAssembly was not sent compressed: {wire} bytes on the wire for {decoded}"
    );
}
