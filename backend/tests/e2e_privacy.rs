//! The data rights in the dashboard (headless Chromium against the built SPA): the
//! owner sets message retention, downloads the export archive and deletes the account
//! from the danger zone, after a wrong password is refused.

use crate::common::TestApp;
use crate::common::browser::{Browser, spa_dir};

fn text_of(testid: &str) -> String {
    format!("((document.querySelector(\"[data-testid='{testid}']\") || {{}}).textContent || '')")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_sets_retention_downloads_everything_and_deletes_the_account() {
    let dist = spa_dir();
    let t = TestApp::spawn_with(move |c| c.static_dir = dist).await;
    let b = Browser::start().await;
    b.sign_up(&t.url, "Zara's Fabrics", "zara@example.com")
        .await;
    let business = t
        .count("SELECT CAST(id AS SIGNED) AS n FROM businesses")
        .await;
    b.click("nav-settings").await;
    b.wait_path("/settings").await;

    // Retention: a number of days, saved for the business.
    b.find("settings-retention").await;
    b.fill("retention-days", "30").await;
    b.click("retention-save").await;
    b.wait_js(
        "the retention notice",
        &format!("{}.includes('30 days')", text_of("retention-notice")),
    )
    .await;
    assert_eq!(
        t.rows(&format!(
            "businesses WHERE id = {business} AND retention_days = 30"
        ))
        .await,
        1
    );

    // Export: the archive is fetched with the session and offered as a download.
    b.click("export-download").await;
    b.wait_js(
        "the export notice",
        &format!("{}.includes('wasales-export-')", text_of("export-notice")),
    )
    .await;
    assert_eq!(
        t.rows(&format!(
            "activity_events WHERE business_id = {business} AND kind = 'data_exported'"
        ))
        .await,
        1
    );

    // The danger zone: a wrong password is refused, the right one deletes everything.
    b.fill("delete-password", "not-my-password").await;
    b.click("delete-account").await;
    b.wait_js(
        "the wrong-password error",
        &format!("{}.length > 0", text_of("delete-error")),
    )
    .await;
    assert_eq!(t.rows("businesses").await, 1);
    b.fill("delete-password", "correct-horse-1").await;
    b.click("delete-account").await;
    b.wait_path("/login").await;
    assert_eq!(t.rows("businesses").await, 0);
    assert_eq!(t.rows("users").await, 0);
}
