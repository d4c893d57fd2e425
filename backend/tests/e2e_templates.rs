//! The closed-window composer in headless Chromium: the business's approved templates
//! (read through the Graph stand-in) are offered by name, with a field per parameter
//! and a preview; sending one reaches the stand-in with its parameters.

use crate::common::browser::{Browser, spa_dir};
use crate::inbox_support::{NewChat, chat_gid, connect, posts, spawn_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_a_template_is_picked_from_the_approved_list_and_sent_with_its_parameters() {
    let dist = spa_dir();
    let (t, standin) = spawn_with(move |c| {
        c.static_dir = dist;
        c.agent.workers = 1;
    })
    .await;
    standin.add_template(
        "order_update",
        "en_US",
        "APPROVED",
        "Hi {{1}}, your order {{2}} is on its way.",
    );
    standin.add_template("draft_promo", "en_US", "REJECTED", "Nope");
    let b = Browser::start().await;
    b.sign_up(&t.url, "Chioma's Closet", "chioma@example.com")
        .await;
    let token = b.js("window.localStorage.getItem('wasales.token')").await;
    let token = token.as_str().unwrap().to_string();
    connect(&t, &token).await;
    let business = t.business_id(&token).await;
    // Ada last wrote two days ago: the 24-hour window is closed.
    let chat = NewChat::ada()
        .wrote_minutes_ago(48 * 60)
        .insert(&t, business)
        .await;
    b.client
        .goto(&format!("{}/inbox/{}", t.url, chat_gid(chat)))
        .await
        .unwrap();
    b.find("window-closed-notice").await;
    b.find("template-pick").await;
    let options = b
        .js("Array.from(document.querySelectorAll(\"[data-testid='template-pick'] option\")).map(o => o.textContent).join('|')")
        .await;
    let options = options.as_str().unwrap();
    assert!(options.contains("order_update (en_US)"), "{options}");
    assert!(!options.contains("draft_promo"), "{options}");
    b.select("template-pick", "0").await;
    b.fill("template-param-1", "Ada").await;
    b.fill("template-param-2", "#12").await;
    b.wait_js(
        "the preview",
        "(document.querySelector(\"[data-testid='template-preview']\") || {}).textContent === 'Hi Ada, your order #12 is on its way.'",
    )
    .await;
    b.click("template-send").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let sent = loop {
        let sent: Vec<_> = posts(&standin)
            .into_iter()
            .filter_map(|r| r.body)
            .filter(|b| b["type"] == "template")
            .collect();
        if let Some(first) = sent.into_iter().next() {
            break first;
        }
        assert!(std::time::Instant::now() < deadline, "no template sent");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(sent["template"]["name"], "order_update");
    assert_eq!(sent["template"]["language"]["code"], "en_US");
    let parameters = sent["template"]["components"][0]["parameters"].to_string();
    assert!(
        parameters.contains("\"Ada\"") && parameters.contains("\"#12\""),
        "{parameters}"
    );
}
