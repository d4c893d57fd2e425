//! The live inbox in a real headless Chromium against a running backend and the Graph API
//! stand-in: sign up, connect a number in Settings, open the inbox; a signed customer
//! message posted to the real webhook route shows up without a reload (row and bubble);
//! a reply typed in the composer reaches the stand-in addressed to the customer, and its
//! bubble follows the delivery statuses Meta reports (sent, delivered, read) live; a
//! reply Meta fails to deliver shows Meta's error. Opening a chat marks it read (badge gone,
//! read receipt to WhatsApp). A customer's photo shows in the conversation once fetched,
//! and the owner answers with a photo attached in the composer.

use std::time::Duration;

use backend::db::schema::messages;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use standins::graph::{GraphStandin, RecordedRequest};
use standins::webhook::{self as fixtures, Customer};

use crate::common::TestApp;
use crate::common::browser::{Browser, WAIT, spa_dir};
use crate::webhook_support::{insert_connection, send_to, statuses_to, text_to};

const PHONE_NUMBER_ID: &str = "106540352242922";
const ACCESS_TOKEN: &str = "EAAGe2eSECRETtoken1234567890wxyz";
const CUSTOMER_PHONE: &str = "2348012345678";
const CUSTOMER_NAME: &str = "Chioma Okafor";

/// A customer text message to the connected number, signed as Meta signs it, to the
/// real webhook route; returns its wamid.
async fn customer_says(t: &TestApp, customer: &Customer, text: &str) -> String {
    text_to(t, PHONE_NUMBER_ID, customer, text).await
}

/// Waits until the stand-in has received a request matching `wanted`; returns it.
async fn graph_request(
    standin: &GraphStandin,
    what: &str,
    wanted: impl Fn(&RecordedRequest) -> bool,
) -> RecordedRequest {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let seen = standin.requests();
        if let Some(found) = seen.iter().find(|r| wanted(r)) {
            return found.clone();
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        assert!(
            !left.is_zero(),
            "the Graph stand-in never got {what}: {seen:?}"
        );
        // Returns as soon as another request arrives (or the time is up).
        let _ = standin.wait_for_requests(seen.len() + 1, left).await;
    }
}

/// Meta reports `status` (a status object) about a message to `customer`.
async fn meta_reports(t: &TestApp, customer: &Customer, status: Value) {
    assert_eq!(
        statuses_to(t, PHONE_NUMBER_ID, customer, vec![status]).await,
        200,
        "the webhook accepts the signed delivery"
    );
}

/// The wamid Meta (the stand-in) gave the outbound message with this body, once stored.
async fn outbound_wamid(t: &TestApp, body: &str) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let mut conn = t.app.db().await.unwrap();
        let wamid: Option<Option<String>> = messages::table
            .filter(messages::direction.eq("outbound"))
            .filter(messages::body.eq(body))
            .select(messages::wamid)
            .first(&mut conn)
            .await
            .optional()
            .unwrap();
        if let Some(Some(wamid)) = wamid {
            return wamid;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the reply was never stored with a wamid"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A JS string literal.
fn js_str(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// JS: the bubbles of the open conversation with this direction whose body is `text`.
fn bubbles(direction: &str, text: &str) -> String {
    format!(
        "[...document.querySelectorAll(\"[data-testid='conversation'] [data-testid='message-bubble'][data-direction='{direction}']\")]\
         .filter(b => (b.querySelector(\"[data-testid='message-body']\") || {{}}).textContent === {})",
        js_str(text)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_message_arrives_live_and_the_owner_replies_from_the_inbox() {
    let standin = GraphStandin::start(0, false).await.unwrap();
    standin.add_number(
        PHONE_NUMBER_ID,
        ACCESS_TOKEN,
        "+234 700 000 0001",
        "Chioma's Closet",
    );
    let dist = spa_dir();
    let graph_url = standin.url.clone();
    let t = TestApp::spawn_with(move |c| {
        c.static_dir = dist;
        c.meta_graph_url = graph_url;
        // This test is about the human inbox: no AI worker answers the customer.
        c.agent.workers = 0;
    })
    .await;
    let b = Browser::start().await;

    // Sign up in the browser.
    b.sign_up(&t.url, "Chioma's Closet", "chioma@example.com")
        .await;

    // Connect the number in Settings: Meta (the stand-in) is asked about it first.
    b.click("nav-settings").await;
    b.wait_path("/settings").await;
    b.find_css("[data-testid='settings-wa-status'][data-status='none']")
        .await;
    b.fill("settings-wa-phone-number-id", PHONE_NUMBER_ID).await;
    b.fill("settings-wa-waba-id", "102290129340398").await;
    b.fill("settings-wa-display-phone", "+234 700 000 0001")
        .await;
    b.fill("settings-wa-token", ACCESS_TOKEN).await;
    b.click("settings-wa-connect").await;
    b.find_css("[data-testid='settings-wa-status'][data-status='connected']")
        .await;
    b.wait_js(
        "the verified name from Meta",
        "(document.querySelector(\"[data-testid='settings-wa-verified-name']\") || {}).textContent === \"Chioma's Closet\"",
    )
    .await;
    let checked = standin.requests();
    assert_eq!(checked.len(), 1, "{checked:?}");
    assert_eq!(
        (checked[0].method.as_str(), checked[0].path.as_str()),
        ("GET", format!("/{PHONE_NUMBER_ID}").as_str())
    );

    // The inbox, empty and live: the dashboard sends its `subscribe` messages before it
    // shows "Live", so the server has them before the webhook below is even posted.
    b.click("nav-inbox").await;
    b.wait_path("/inbox").await;
    b.find("chat-empty").await;
    b.find_css("[data-testid='live-status'][data-status='live']")
        .await;
    // Set on this page load: still there later means the page was never reloaded.
    b.js("(window.__e2eSamePage = true)").await;

    // A customer writes: the chat appears at once, unread, with the message as preview.
    let customer = Customer::with_phone(CUSTOMER_PHONE, CUSTOMER_NAME);
    let first = "Hello! Is the Ankara wrap dress still available?";
    customer_says(&t, &customer, first).await;
    let row = format!(
        "[data-testid='chat-row'][data-chat-name={}]",
        js_str(CUSTOMER_NAME)
    );
    b.find_css(&row).await;
    b.wait_js(
        "the row to preview the message with an unread badge",
        &format!(
            "(() => {{ const r = document.querySelector({row}); return r && r.textContent.includes({first}) \
             && (r.querySelector(\"[data-testid='chat-unread']\") || {{}}).textContent === '1'; }})()",
            row = js_str(&row),
            first = js_str(first),
        ),
    )
    .await;
    assert_eq!(
        b.js("window.__e2eSamePage === true").await,
        Value::Bool(true)
    );

    // Open the chat: the bubble is there; a second message arrives live in the open thread.
    b.find_css(&row).await.click().await.unwrap();
    b.find("conversation").await;
    b.wait_js(
        "the first inbound bubble",
        &format!("{}.length === 1", bubbles("inbound", first)),
    )
    .await;
    let no_unread_badge = format!(
        "(() => {{ const r = document.querySelector({}); return r && r.getAttribute('aria-current') === 'page' \
         && !r.querySelector(\"[data-testid='chat-unread']\"); }})()",
        js_str(&row)
    );
    b.wait_js("the open chat to be marked read", &no_unread_badge)
        .await;
    let second = "Size 12, in red please";
    let second_wamid = customer_says(&t, &customer, second).await;
    b.wait_js(
        "the second inbound bubble, live",
        &format!("{}.length === 1", bubbles("inbound", second)),
    )
    .await;
    assert_eq!(
        b.js("window.__e2eSamePage === true").await,
        Value::Bool(true)
    );

    b.wait_js(
        "the open chat to stay read after the live message",
        &format!(
            "{no_unread_badge} && document.querySelector({}).textContent.includes({})",
            js_str(&row),
            js_str(second)
        ),
    )
    .await;

    // Reply from the composer.
    let reply = "Yes, we have it in red, size 12. Shall I reserve one for you?";
    b.fill("composer-input", reply).await;
    b.click("composer-send").await;

    // Meta (the stand-in) receives the text, addressed to the customer, on our number.
    let messages_path = format!("/{PHONE_NUMBER_ID}/messages");
    let is_send = |r: &RecordedRequest| {
        r.method == "POST"
            && r.path == messages_path
            && r.body.as_ref().is_some_and(|b| b["type"] == "text")
    };
    let send = graph_request(&standin, "the reply", is_send).await;
    let body = send.body.as_ref().expect("a JSON body");
    assert_eq!(body["messaging_product"], "whatsapp");
    assert_eq!(body["recipient_type"], "individual");
    assert_eq!(body["to"], CUSTOMER_PHONE, "{body}");
    assert_eq!(body["text"]["body"], reply, "{body}");
    assert_eq!(send.bearer_hint.as_deref(), Some("••••wxyz"));
    assert_eq!(
        standin.requests().iter().filter(|r| is_send(r)).count(),
        1,
        "the reply is sent once"
    );
    // Reading the open chat sent WhatsApp a read receipt for the latest customer message.
    graph_request(&standin, "a read receipt for the second message", |r| {
        r.method == "POST"
            && r.path == messages_path
            && r.body
                .as_ref()
                .is_some_and(|b| b["status"] == "read" && b["message_id"] == second_wamid.as_str())
    })
    .await;

    // The bubble: exactly one (no duplicate from the live echo), sent by staff, then "sent".
    let reply_bubble = format!("{}[0]", bubbles("outbound", reply));
    b.wait_js(
        "the reply bubble to show it was sent",
        &format!(
            "{all}.length === 1 && {one}.dataset.status === 'sent' && {one}.dataset.sentBy === 'staff'",
            all = bubbles("outbound", reply),
            one = reply_bubble,
        ),
    )
    .await;
    let ticks = |status: &str| {
        format!(
            "(() => {{ const t = {reply_bubble}.querySelector(\"[data-testid='message-ticks']\"); \
             return {reply_bubble}.dataset.status === '{status}' && t && t.classList.contains('ticks-{status}'); }})()"
        )
    };
    b.wait_js("sent ticks", &ticks("sent")).await;
    assert_eq!(
        b.js(&format!(
            "{reply_bubble}.querySelector(\"[data-testid='message-ticks']\").textContent"
        ))
        .await,
        "✓"
    );

    // Meta reports delivery, then the read receipt: the ticks follow without a reload.
    let wamid = outbound_wamid(&t, reply).await;
    meta_reports(
        &t,
        &customer,
        fixtures::status(&wamid, "delivered", &customer),
    )
    .await;
    b.wait_js("delivered ticks", &ticks("delivered")).await;
    assert_eq!(
        b.js(&format!(
            "{reply_bubble}.querySelector(\"[data-testid='message-ticks']\").textContent"
        ))
        .await,
        "✓✓"
    );
    meta_reports(&t, &customer, fixtures::status(&wamid, "read", &customer)).await;
    b.wait_js("read ticks", &ticks("read")).await;
    assert_eq!(
        b.js("window.__e2eSamePage === true").await,
        Value::Bool(true)
    );

    // A second reply, sent with Enter, that Meta then fails to deliver: the bubble says so.
    let doomed = "I can also do it in blue.";
    b.fill("composer-input", &format!("{doomed}\n")).await;
    graph_request(&standin, "the second reply", |r| {
        r.body
            .as_ref()
            .is_some_and(|b| b["type"] == "text" && b["text"]["body"] == doomed)
    })
    .await;
    let doomed_bubble = format!("{}[0]", bubbles("outbound", doomed));
    b.wait_js(
        "the second reply to show it was sent",
        &format!("{doomed_bubble} && {doomed_bubble}.dataset.status === 'sent'"),
    )
    .await;
    let doomed_wamid = outbound_wamid(&t, doomed).await;
    let failed = fixtures::failed_status(&doomed_wamid, &customer, 131026, "Message undeliverable");
    meta_reports(&t, &customer, failed).await;
    b.wait_js(
        "the failed reply to show Meta's error",
        &format!(
            "{doomed_bubble}.dataset.status === 'failed' && ({doomed_bubble}.querySelector(\"[data-testid='message-error']\") || {{}}).textContent === '⚠ Not delivered. Error 131026: Message undeliverable'"
        ),
    )
    .await;
    // The first reply is untouched.
    b.wait_js("read ticks", &ticks("read")).await;

    // The server agrees: the reply is stored as read, and the chat has nothing unread.
    assert_eq!(
        t.rows(&format!(
            "messages WHERE wamid = '{wamid}' AND status = 'read' AND sent_by = 'staff'"
        ))
        .await,
        1
    );
    assert_eq!(t.rows("chats WHERE unread_count = 0").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_s_photo_shows_in_the_conversation() {
    let standin = GraphStandin::start(0, false).await.unwrap();
    let token = format!("EAAG-fixture-token-{PHONE_NUMBER_ID}");
    standin.add_number(
        PHONE_NUMBER_ID,
        &token,
        "+234 700 000 0001",
        "Chioma's Closet",
    );
    standin.add_media("MEDIA-E2E-PHOTO", "image/png", &crate::common::png_bytes());
    let dist = spa_dir();
    let graph_url = standin.url.clone();
    let t = TestApp::spawn_with(move |c| {
        c.static_dir = dist;
        c.meta_graph_url = graph_url;
    })
    .await;
    let b = Browser::start().await;
    b.sign_up(&t.url, "Chioma's Closet", "chioma@example.com")
        .await;
    let owner = t.log_in("chioma@example.com").await;
    let business_id = t.business_id(&owner).await;
    {
        let mut conn = t.app.db().await.unwrap();
        insert_connection(
            &mut conn,
            &t.app.config.data_key,
            business_id,
            PHONE_NUMBER_ID,
            shared::ConnectionStatus::Connected,
        )
        .await
        .unwrap();
    }
    b.click("nav-inbox").await;
    b.find_css("[data-testid='live-status'][data-status='live']")
        .await;

    let customer = Customer::with_phone(CUSTOMER_PHONE, CUSTOMER_NAME);
    let photo = fixtures::message(
        &customer,
        &fixtures::new_wamid(),
        "image",
        json!({"id": "MEDIA-E2E-PHOTO", "mime_type": "image/png", "caption": "Do you have this in green?"}),
    );
    assert_eq!(send_to(&t, PHONE_NUMBER_ID, &customer, photo).await, 200);
    let row = format!(
        "[data-testid='chat-row'][data-chat-name={}]",
        js_str(CUSTOMER_NAME)
    );
    b.find_css(&row).await.click().await.unwrap();
    // Fetched in the background, the picture replaces "Fetching the file…" live and
    // loads from its signed link.
    b.wait_js(
        "the customer's photo, loaded",
        "(() => { const i = document.querySelector(\"[data-testid='message-image']\"); return !!i && i.complete && i.naturalWidth > 0; })()",
    )
    .await;
    b.wait_js(
        "the caption beside it",
        "document.body.textContent.includes('Do you have this in green?')",
    )
    .await;

    // The owner answers with a photo: attach, caption, send.
    let photo_file = std::env::temp_dir().join(format!("green-{}.png", uuid::Uuid::new_v4()));
    std::fs::write(&photo_file, crate::common::png_bytes()).unwrap();
    b.find("composer-attach-input")
        .await
        .send_keys(photo_file.to_str().unwrap())
        .await
        .unwrap();
    b.find("composer-attachment").await;
    b.fill("composer-input", "Here it is in green").await;
    b.click("composer-send").await;
    let sent = graph_request(&standin, "the photo message", |r| {
        r.path.ends_with("/messages") && r.body.as_ref().is_some_and(|b| b["type"] == "image")
    })
    .await;
    let body = sent.body.unwrap();
    assert_eq!(body["image"]["caption"], "Here it is in green");
    let media_id = body["image"]["id"].as_str().unwrap();
    assert_eq!(
        standin.media(media_id).map(|(_, bytes)| bytes),
        Some(crate::common::png_bytes()),
        "the message names the upload of the very file the owner picked"
    );
    // Both pictures now show in the conversation, the owner's loaded from its link.
    b.wait_js(
        "the owner's photo, loaded",
        "[...document.querySelectorAll(\"[data-testid='message-image']\")].filter(i => i.complete && i.naturalWidth > 0).length === 2",
    )
    .await;
    b.wait_js(
        "the attachment chip gone",
        "!document.querySelector(\"[data-testid='composer-attachment']\")",
    )
    .await;
    std::fs::remove_file(photo_file).ok();
}
