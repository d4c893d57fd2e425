//! Embedded Signup in headless Chromium: the owner clicks "Connect with Meta" in
//! Settings, a stand-in for Meta's SDK plays the popup and its session info, the server
//! finishes with the Graph stand-in (code exchange with the app secret, subscription,
//! registration or, for the WhatsApp Business app's number, the sync), and the number
//! shows connected. A cancel in Meta's window names the step and connects nothing.

use secrecy::ExposeSecret;
use standins::graph::GraphStandin;
use standins::meta_sdk::MetaSdkStandin;

use crate::common::TestApp;
use crate::common::browser::{Browser, spa_dir};

const APP_ID: &str = "424242424242";
const WABA_ID: &str = "102290129340001";
const NUMBER_ID: &str = "106540352240001";

async fn spawn() -> (TestApp, GraphStandin, MetaSdkStandin) {
    let dist = spa_dir();
    let graph = GraphStandin::start(0, false).await.unwrap();
    let sdk = MetaSdkStandin::start().await.unwrap();
    let (graph_url, sdk_url) = (graph.url.clone(), sdk.url.clone());
    let t = TestApp::spawn_with(move |c| {
        c.static_dir = dist;
        c.meta_graph_url = graph_url;
        c.meta_app_id = Some(APP_ID.into());
        c.meta_es_config_id = Some("777000111".into());
        c.meta_sdk_url = sdk_url;
        c.agent.workers = 0;
    })
    .await;
    graph.set_app(APP_ID, t.app.config.meta_app_secret.expose_secret());
    graph.add_signup(
        "AQB-browser-code",
        WABA_ID,
        NUMBER_ID,
        "EAAG-browser-business-token-wxyz",
        "+234 801 000 0001",
        "Chioma's Closet",
    );
    (t, graph, sdk)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_owner_connects_the_whatsapp_business_app_number_with_meta() {
    let (t, graph, sdk) = spawn().await;
    let b = Browser::start().await;
    // Connecting is sign-up's last step.
    b.sign_up_to_welcome(&t.url, "Chioma's Closet", "chioma@example.com")
        .await;

    // Closing Meta's window connects nothing and says where it stopped.
    sdk.cancel_at("PHONE_NUMBER_VERIFICATION");
    b.click("settings-wa-meta-connect").await;
    b.wait_js(
        "the cancel named",
        "(document.querySelector(\"[data-testid='settings-wa-meta-error']\") || {}).textContent?.includes('PHONE_NUMBER_VERIFICATION')",
    )
    .await;
    assert_eq!(t.rows("whatsapp_connections").await, 0);
    assert!(graph.requests().is_empty(), "{:?}", graph.requests());
    // No callback URL or verify token for the owner to paste.
    assert_eq!(
        b.js("document.querySelector(\"[data-testid='settings-webhook-url']\") === null")
            .await,
        serde_json::Value::Bool(true)
    );

    // The WhatsApp Business app's number (the default choice): no registration, a sync.
    // (The page is opened again: the stand-in SDK carries its plan from when it loaded.)
    sdk.finish("AQB-browser-code", WABA_ID, NUMBER_ID);
    b.client.goto(&format!("{}/welcome", t.url)).await.unwrap();
    b.click("settings-wa-meta-connect").await;
    b.find_css("[data-testid='settings-wa-status'][data-status='connected']")
        .await;
    b.wait_js(
        "the verified name from Meta",
        "(document.querySelector(\"[data-testid='settings-wa-verified-name']\") || {}).textContent === \"Chioma's Closet\"",
    )
    .await;
    let login = b.js("JSON.stringify(window.__metaSdk.logins[0])").await;
    let login = login.as_str().unwrap();
    assert!(login.contains("\"config_id\":\"777000111\""), "{login}");
    assert!(login.contains("\"response_type\":\"code\""), "{login}");
    assert!(
        login.contains("whatsapp_business_app_onboarding"),
        "{login}"
    );
    let calls: Vec<String> = graph
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        calls,
        [
            "GET /oauth/access_token".to_string(),
            format!("GET /{NUMBER_ID}"),
            format!("POST /{WABA_ID}/subscribed_apps"),
            format!("POST /{NUMBER_ID}/smb_app_data"),
            format!("POST /{NUMBER_ID}/smb_app_data"),
        ]
    );
    assert_eq!(
        t.rows("whatsapp_connections WHERE coexistence AND onboarding = 'embedded_signup' AND status = 'connected'").await,
        1
    );
    // Connected, the owner goes on to the dashboard; Settings shows the same number.
    b.click("welcome-continue").await;
    b.wait_path("/").await;
    b.click("nav-settings").await;
    b.find_css("[data-testid='settings-wa-status'][data-status='connected']")
        .await;
}
