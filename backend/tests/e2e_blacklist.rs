//! The blacklist in a real headless Chromium against a running backend: block a customer
//! from the chat (with a reason), see the "Blocked" badge, find them on the Blacklist
//! page with the reason and who added them, and unblock them there.

use serde_json::Value;

use crate::common::TestApp;
use crate::common::browser::{Browser, spa_dir};
use crate::inbox_support::NewChat;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_a_customer_from_the_chat_and_see_them_on_the_blacklist_page() {
    let dist = spa_dir();
    let t = TestApp::spawn_with(move |c| {
        c.static_dir = dist;
        c.agent.workers = 0;
    })
    .await;
    let b = Browser::start().await;
    b.sign_up(&t.url, "Chioma's Closet", "chioma@example.com")
        .await;
    let business = t
        .count("SELECT CAST(MAX(id) AS SIGNED) AS n FROM businesses")
        .await;
    NewChat::phone("Ada Obi", "2348012345678")
        .wrote_minutes_ago(5)
        .insert(&t, u64::try_from(business).unwrap())
        .await;

    // The inbox was open since sign-up: load it again to list the chat inserted since.
    b.client.goto(&format!("{}/inbox", t.url)).await.unwrap();
    b.find_css("[data-testid='chat-row'][data-chat-name='Ada Obi']")
        .await
        .click()
        .await
        .unwrap();
    b.find("conversation").await;
    b.click("block-customer").await;
    b.fill("block-reason", "Abusive messages").await;
    b.click("block-confirm").await;
    let badge = b.find("blocked-badge").await;
    assert_eq!(
        badge.attr("title").await.unwrap().as_deref(),
        Some("Abusive messages")
    );
    b.find("unblock-customer").await;
    b.find_css("[data-testid='chat-row'][data-chat-name='Ada Obi'] [data-testid='chat-blocked']")
        .await;

    b.click("nav-blacklist").await;
    b.wait_path("/blacklist").await;
    let entry = b
        .find_css("[data-testid='blacklist-entry'][data-value='+2348012345678']")
        .await;
    let text = entry.text().await.unwrap();
    assert!(text.contains("Ada Obi"), "{text}");
    assert!(text.contains("Abusive messages"), "{text}");
    assert!(text.contains("chioma@example.com"), "{text}");

    // Add one by hand: a number typed with spaces is stored as digits.
    b.fill("blacklist-value", "+1 555 123 4567").await;
    b.fill("blacklist-reason", "Spam").await;
    b.click("blacklist-add").await;
    b.find_css("[data-testid='blacklist-entry'][data-value='+15551234567']")
        .await;
    assert_eq!(t.rows("blacklist").await, 2);

    // Unblock Ada from the list: her entry goes, the other stays.
    entry
        .find(fantoccini::Locator::Css("[data-testid='blacklist-remove']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_js(
        "Ada's entry to go",
        "!document.querySelector(\"[data-testid='blacklist-entry'][data-value='+2348012345678']\")",
    )
    .await;
    assert_eq!(t.rows("blacklist").await, 1);
    assert_eq!(
        b.js("document.querySelectorAll(\"[data-testid='blacklist-entry']\").length")
            .await,
        Value::from(1)
    );
}
