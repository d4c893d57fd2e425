//! The dashboard in a real headless Chromium against a running backend: sign up,
//! create a product with an image, see it listed, reload and stay logged in, log out.

use crate::common::browser::{Browser, spa_dir};
use crate::common::{TestApp, png_bytes};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_signs_up_creates_a_pictured_product_and_logs_out() {
    let dist = spa_dir();
    let t = TestApp::spawn_with(|c| c.static_dir = dist).await;
    let b = Browser::start().await;
    let c = &b.client;

    b.sign_up(&t.url, "Ada's Boutique", "ada@example.com").await;
    assert_eq!(t.rows("users WHERE email = 'ada@example.com'").await, 1);

    c.goto(&format!("{}/products", t.url)).await.unwrap();
    b.click("product-new").await;
    b.fill("product-name", "Ankara wrap dress").await;
    b.fill("product-description", "Cotton, sizes 8-16").await;
    b.fill("product-price", "25000").await;
    b.select("product-discount-kind", "percent").await;
    b.fill("product-discount-value", "10").await;
    b.fill("product-floor", "19000").await;
    b.fill("product-quantity", "12").await;
    b.fill("product-colors", "Red, Blue").await;
    let image = std::env::temp_dir().join(format!("dress-{}.png", uuid::Uuid::new_v4()));
    std::fs::write(&image, png_bytes()).unwrap();
    b.find("product-image-input")
        .await
        .send_keys(image.to_str().unwrap())
        .await
        .unwrap();
    b.find("product-image-pending").await;
    b.click("product-submit").await;

    let row = "[data-testid='product-row'][data-product-name='Ankara wrap dress']";
    b.find_css(row).await;
    // The thumbnail really loads from the URL the API handed out.
    b.wait_js(
        "the product image to load",
        &format!("[...document.querySelectorAll(\"{row} img\")].some(i => i.complete && i.naturalWidth > 0)"),
    )
    .await;
    let stored = t
        .rows("products p JOIN product_images i ON i.product_id = p.id WHERE p.name = 'Ankara wrap dress' AND p.price_minor = 2500000 AND p.bargain_floor_minor = 1900000")
        .await;
    assert_eq!(stored, 1);

    c.refresh().await.unwrap();
    b.find_css(row).await;
    b.find("logout-button").await;

    b.click("logout-button").await;
    b.wait_path("/login").await;
    let token = b.js("window.localStorage.getItem('wasales.token')").await;
    assert!(token.is_null(), "the token is cleared on log-out: {token}");
    assert_eq!(
        t.rows("sessions WHERE revoked_at IS NOT NULL").await,
        1,
        "log-out revokes the session server-side"
    );
    c.goto(&format!("{}/products", t.url)).await.unwrap();
    b.wait_path("/login").await;
    std::fs::remove_file(image).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_first_then_the_activity_page_lists_what_happened_live_and_filters_it() {
    let dist = spa_dir();
    let t = TestApp::spawn_with(|c| c.static_dir = dist).await;
    let b = Browser::start().await;
    let c = &b.client;
    b.sign_up(&t.url, "Ada's Boutique", "ada@example.com").await;
    // Signed in, the owner lands on the home page.
    b.wait_path("/").await;
    b.find("home-sales").await;
    let token = t.log_in("ada@example.com").await;
    t.create_product(&token, "Ankara wrap dress").await;

    c.goto(&format!("{}/activity", t.url)).await.unwrap();
    b.find_css("[data-testid='activity-row'][data-kind='product_created']")
        .await;
    b.wait_js(
        "the owner named on the product entry",
        "[...document.querySelectorAll(\"[data-kind='product_created'] [data-testid='activity-actor-badge']\")].some(e => e.textContent.includes('ada@example.com'))",
    )
    .await;

    // A change made elsewhere appears on top without a reload.
    t.create_product(&token, "Gele head wrap").await;
    b.wait_js(
        "the new entry on top, live",
        "(document.querySelector(\"[data-testid='activity-row']\")?.textContent || '').includes('Gele head wrap')",
    )
    .await;

    // The Account tab shows sign-ins, not products.
    b.click("activity-category-account").await;
    b.find_css("[data-testid='activity-row'][data-kind='logged_in']")
        .await;
    b.wait_js(
        "only account entries",
        "document.querySelectorAll(\"[data-testid='activity-row'][data-kind^='product_']\").length === 0",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_s_time_zone_becomes_the_business_s_and_settings_change_it() {
    let dist = spa_dir();
    let t = TestApp::spawn_with(|c| c.static_dir = dist).await;
    let b = Browser::start_in_time_zone("Asia/Kathmandu").await;
    b.sign_up(&t.url, "Kathmandu Threads", "kt@example.com")
        .await;
    b.wait_path("/").await;
    // The browser names the zone as ICU does (Kathmandu's is still "Asia/Katmandu").
    let zone = b
        .js("Intl.DateTimeFormat().resolvedOptions().timeZone")
        .await
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        zone.contains("Kat"),
        "the browser runs in Kathmandu: {zone}"
    );
    b.wait_js(
        "the home page naming the zone its days are in",
        &format!(
            "(document.querySelector(\"[data-testid='home-time-zone']\")?.textContent || '').includes('{zone}')"
        ),
    )
    .await;
    assert_eq!(
        t.rows(&format!("businesses WHERE time_zone = '{zone}'"))
            .await,
        1
    );

    b.click("nav-settings").await;
    b.wait_path("/settings").await;
    b.fill("settings-time-zone", "Mars/Olympus_Mons").await;
    b.click("settings-submit").await;
    b.wait_js(
        "the server's refusal under the field",
        "document.body.textContent.includes('time zone of the tz database')",
    )
    .await;
    b.fill("settings-time-zone", "Africa/Lagos").await;
    b.click("settings-submit").await;
    b.wait_js(
        "the saved notice",
        "(document.querySelector(\"[data-testid='settings-notice']\")?.textContent || '').includes('saved')",
    )
    .await;
    assert_eq!(
        t.rows("businesses WHERE time_zone = 'Africa/Lagos'").await,
        1
    );
}
