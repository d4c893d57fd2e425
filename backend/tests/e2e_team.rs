//! The Team section in a real headless Chromium: the owner invites a colleague and
//! gets the one-time link; the colleague opens it, gives a name and a password and
//! lands in the dashboard as staff, where the owner's settings are not offered.

use crate::common::TestApp;
use crate::common::browser::{Browser, spa_dir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_invites_a_colleague_who_joins_as_staff_from_the_link() {
    let dist = spa_dir();
    let t = TestApp::spawn_with(|c| c.static_dir = dist).await;
    let b = Browser::start().await;
    let c = &b.client;

    b.sign_up(&t.url, "Ada's Boutique", "ada@example.com").await;
    c.goto(&format!("{}/settings", t.url)).await.unwrap();
    b.find("settings-team").await;
    b.fill("team-invite-email", "sam@example.com").await;
    b.click("team-invite").await;
    let link = b.find("team-invite-link").await.text().await.unwrap();
    let secret = link
        .split_once("/accept-invite#")
        .map(|(_, s)| s.trim().to_string())
        .unwrap_or_else(|| panic!("not an invitation link: {link}"));
    b.wait_js(
        "the pending invitation in the list",
        "[...document.querySelectorAll(\"[data-testid='team-invite-row']\")].some(r => r.textContent.includes('sam@example.com'))",
    )
    .await;

    b.click("logout-button").await;
    b.wait_path("/login").await;
    c.goto(&format!("{}/accept-invite#{secret}", t.url))
        .await
        .unwrap();
    b.fill("accept-invite-name", "Sam Staff").await;
    b.fill("accept-invite-password", "staff-password-1").await;
    b.click("accept-invite-submit").await;
    b.find("logout-button").await;
    b.wait_path("/").await;
    assert_eq!(
        t.rows("users WHERE email = 'sam@example.com' AND role = 'staff' AND name = 'Sam Staff'")
            .await,
        1
    );

    // Staff see their sessions and password, not the owner's settings or the team.
    c.goto(&format!("{}/settings", t.url)).await.unwrap();
    b.find("settings-owner-only").await;
    b.find("settings-sessions").await;
    let team = b
        .js("document.querySelector(\"[data-testid='settings-team']\") === null")
        .await;
    assert_eq!(team, serde_json::json!(true), "staff get no Team section");
}
