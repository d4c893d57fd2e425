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
        "document.querySelector(\"[data-testid='order-row']\")?.textContent.includes('Ada Obi') && document.querySelector(\"[data-testid='order-summary']\")?.textContent.includes('36,000.00')",
    )
    .await;

    b.click("order-row").await;
    b.find("order-number").await;
    let status = "document.querySelector(\"[data-testid='order-status']\")?.textContent";
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

    // Export CSV: the file the browser is handed holds the filtered orders.
    b.js(
        "(() => { window.__csv = null; const made = URL.createObjectURL; \
         URL.createObjectURL = (blob) => { blob.text().then((t) => { window.__csv = t; }); return made(blob); }; \
         return true; })()",
    )
    .await;
    b.click("order-export").await;
    b.wait_js(
        "the exported CSV",
        "typeof window.__csv === 'string' && window.__csv.startsWith('\"Order\",') && window.__csv.includes('\"completed\"') && window.__csv.split('\\r\\n').length === 3",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_enters_an_order_by_hand_never_below_the_floor() {
    let dist = spa_dir();
    let t = TestApp::spawn_with(|c| c.static_dir = dist).await;
    let b = Browser::start().await;
    b.sign_up(&t.url, "Ada's Boutique", "ada@example.com").await;
    let token = b.js("window.localStorage.getItem('wasales.token')").await;
    let token = token.as_str().expect("the session token").to_string();
    // NGN 20,000, 10 % off (18,000), floor 15,000, 12 in stock, red or blue.
    let dress = t
        .create_product_from(&token, product_input("Ankara dress"))
        .await;
    let mut scarf = product_input("Silk scarf");
    scarf["colors"] = serde_json::json!(["Gold"]);
    let scarf = t.create_product_from(&token, scarf).await;

    b.click("nav-orders").await;
    b.click("order-new").await;
    b.wait_path("/orders/new").await;
    b.fill("order-customer-name", "Ada Obi").await;
    b.fill("order-customer-phone", "+234 803 123 4567").await;
    b.select("order-product", &dress).await;
    b.select("order-color", "Blue").await;
    b.fill("order-quantity", "2").await;
    b.fill("order-unit-price", "14000").await;
    b.wait_js(
        "the floor shown under the price",
        "document.querySelector(\"[data-testid='order-unit-price-error']\")?.textContent.includes('15,000.00')",
    )
    .await;
    b.fill("order-delivery", "4 Marina Road, Lagos").await;
    b.click("order-submit").await;
    b.find("order-form-error").await;
    assert_eq!(t.rows("orders").await, 0);

    b.fill("order-unit-price", "16000").await;
    // A second line: one scarf at its discounted price (NGN 18,000); the total adds up.
    b.click("order-add-line").await;
    b.select("order-product-2", &scarf).await;
    b.wait_js(
        "the running total of both lines",
        "document.querySelector(\"[data-testid='order-total']\")?.textContent.includes('50,000.00')",
    )
    .await;
    b.click("order-submit").await;
    b.find("order-number").await;
    assert_eq!(
        t.rows("order_items i JOIN products p ON p.id = i.product_id WHERE p.name = 'Silk scarf' AND i.quantity = 1 AND i.unit_price_minor = 1800000")
            .await,
        1
    );
    assert_eq!(
        t.rows("orders o JOIN order_items i ON i.order_id = o.id WHERE o.source = 'manual' AND i.color = 'Blue' AND i.quantity = 2 AND i.unit_price_minor = 1600000")
            .await,
        1
    );
    assert_eq!(
        t.rows("products WHERE name = 'Ankara dress' AND quantity = 10")
            .await,
        1
    );
    assert_eq!(t.rows("contacts WHERE wa_id = '2348031234567'").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_turns_order_notifications_on_with_a_template() {
    let dist = spa_dir();
    let t = TestApp::spawn_with(|c| c.static_dir = dist).await;
    let b = Browser::start().await;
    b.sign_up(&t.url, "Ada's Boutique", "ada@example.com").await;
    b.click("nav-settings").await;
    b.find("order-notifications").await;
    b.click("order-notifications-switch").await;
    b.wait_js(
        "the switch on",
        "document.querySelector(\"[data-testid='order-notifications-enabled']\")?.checked === true",
    )
    .await;
    b.fill("order-notifications-template", "order_update").await;
    b.click("order-notifications-save").await;
    b.find("order-notifications-notice").await;
    // The notice may still be the switch's: wait for the save itself.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while t
        .rows("businesses WHERE notify_order_updates AND order_update_template = 'order_update'")
        .await
        != 1
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the template was not saved"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // A name WhatsApp would refuse is refused, with the reason shown.
    b.fill("order-notifications-template", "Order Update!")
        .await;
    b.click("order-notifications-save").await;
    b.find("order-notifications-error").await;
    assert_eq!(
        t.rows("businesses WHERE order_update_template = 'order_update'")
            .await,
        1
    );
}
