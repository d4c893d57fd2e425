//! The Orders pages in a real headless Chromium against a running backend: an order
//! recorded while the page is open appears live in the pending tab; the owner opens it,
//! confirms and completes it, and its timeline shows each step.

use serde_json::json;

use crate::common::browser::{Browser, spa_dir};
use crate::common::{TestApp, product_input};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_sees_a_new_order_live_and_confirms_and_completes_it() {
    let dist = spa_dir();
    let t = TestApp::spawn_with(|c| c.static_dir = dist).await;
    let b = Browser::start().await;
    let c = &b.client;
    b.sign_up(&t.url, "Ada's Boutique", "ada@example.com").await;
    let token = b.js("window.localStorage.getItem('wasales.token')").await;
    let token = token.as_str().expect("the session token").to_string();
    let dress = t
        .create_product_from(&token, product_input("Ankara dress"))
        .await;

    b.click("nav-orders").await;
    b.wait_path("/orders").await;
    b.find("order-empty").await;

    // Recorded elsewhere (the API) while the page is open: it appears without a reload.
    t.gql_ok(
        Some(&token),
        "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }",
        json!({"i": {
            "customer": {"new": {"name": "Ada Obi", "phone": "+234 803 123 4567"}},
            "items": [{"productId": dress, "color": "Red", "quantity": 2}],
            "deliveryDetails": "4 Marina Road, Lagos"
        }}),
    )
    .await;
    b.find("order-row").await;
    b.wait_js(
        "the pending order and its total",
        "document.querySelector(\"[data-testid='order-row']\").textContent.includes('Ada Obi') && document.querySelector(\"[data-testid='order-summary']\").textContent.includes('36,000.00')",
    )
    .await;

    b.click("order-row").await;
    b.find("order-number").await;
    let status = "document.querySelector(\"[data-testid='order-status']\").textContent";
    b.wait_js("pending", &format!("{status} === 'Pending'"))
        .await;
    b.click("order-confirm").await;
    b.wait_js("confirmed", &format!("{status} === 'Confirmed'"))
        .await;
    b.click("order-complete").await;
    b.wait_js("completed", &format!("{status} === 'Completed'"))
        .await;
    assert_eq!(t.rows("orders WHERE status = 'completed'").await, 1);
    b.wait_js(
        "three steps in the timeline",
        "document.querySelectorAll(\"[data-testid='order-step']\").length === 3",
    )
    .await;

    // The completed tab lists it; the pending tab no longer does.
    c.goto(&format!("{}/orders", t.url)).await.unwrap();
    b.find("order-empty").await;
    b.click("order-tab-completed").await;
    b.find("order-row").await;
}
