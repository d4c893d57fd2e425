//! Owner approval of an out-of-policy deal in headless Chromium: a customer asks below
//! the floor, the request appears live on the home page, the owner approves a price
//! there, and the customer is told that price on WhatsApp.

use serde_json::json;
use standins::anthropic::Scripted;

use crate::agent_support::World;
use crate::common::browser::{Browser, spa_dir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_owner_approves_a_pending_deal_from_the_home_page() {
    let dist = spa_dir();
    let world = World::new_with(move |c| c.static_dir = dist).await;
    world
        .app
        .gql_ok(
            Some(&world.token),
            "mutation($input: DealApprovalSettingsInput!) { updateDealApprovalSettings(input: $input) { enabled } }",
            json!({"input": {"enabled": true}}),
        )
        .await;

    // The owner's dashboard is open on the home page before the customer asks.
    let b = Browser::start().await;
    b.client.goto(&world.app.url).await.unwrap();
    b.js(&format!(
        "(localStorage.setItem('wasales.token', {}), true)",
        serde_json::to_string(&world.token).unwrap()
    ))
    .await;
    b.client.goto(&world.app.url).await.unwrap();
    b.find("nav-home").await;

    world.model.push([
        Scripted::tool_use(
            "tu_ask",
            "make_counter_offer",
            json!({"product_id": world.dress_id, "customer_offer": 15000}),
        ),
        Scripted::text("Let me check with the shop and come back to you shortly."),
    ]);
    world
        .customer_says_and_gets("Can I have the dress for 15,000?", 1)
        .await;

    // It appears without a reload; the owner approves 17,000.
    b.find("pending-deal").await;
    b.wait_js(
        "the customer's ask",
        "(document.querySelector(\"[data-testid='deal-ask']\") || {}).textContent?.includes('15,000')",
    )
    .await;
    b.fill("deal-price", "17000").await;
    b.click("deal-approve").await;
    let got = world.received(2).await;
    assert!(got[1].contains("17,000.00"), "{got:?}");
    b.wait_js(
        "the request gone from the home page",
        "document.querySelector(\"[data-testid='pending-deal']\") === null",
    )
    .await;
    assert_eq!(
        world
            .rows("deal_approvals WHERE status = 'approved' AND approved_minor = 1700000")
            .await,
        1
    );
}
