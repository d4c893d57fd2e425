//! The AI salesperson in the dashboard, in a real headless Chromium against a running
//! backend, the Anthropic stand-in (scripted `tool_use` answers) and the Graph stand-in:
//! the owner sets an own Claude key in Settings (only its masked hint ever comes back),
//! tries the AI in the "try it" console (reply and tool calls shown, nothing sent to
//! WhatsApp), then watches a real customer chat in the inbox: the AI's reply is marked as
//! written by the AI, the negotiation (customer's ask, our offer, then the agreed price)
//! and the order it records show in the conversation header, and a hand-off shows its
//! reason with the takeover switch on.

use serde_json::{Value, json};
use standins::anthropic::{Scripted, StandInAnthropic};
use standins::graph::GraphStandin;
use standins::webhook::Customer;

use crate::agent_support::create_order;
use crate::common::TestApp;
use crate::common::browser::{Browser, spa_dir};
use crate::webhook_support::text_to;

const PHONE_NUMBER_ID: &str = "106540352242933";
const ACCESS_TOKEN: &str = "EAAGaiE2ESECRETtoken1234567890qrst";
const OWN_KEY: &str = "sk-ant-api03-e2e-owner-secret-key-9f2c";

/// JS: the text of the element with this test id ('' when absent).
fn text_of(testid: &str) -> String {
    format!("((document.querySelector(\"[data-testid='{testid}']\") || {{}}).textContent || '')")
}

/// A customer text message, signed as Meta signs it, to the real webhook route.
async fn customer_says(t: &TestApp, customer: &Customer, text: &str) {
    text_to(t, PHONE_NUMBER_ID, customer, text).await;
}

/// Texts the Graph stand-in was asked to send.
fn sent_texts(standin: &GraphStandin) -> Vec<String> {
    standin
        .requests()
        .iter()
        .filter_map(|r| r.body.as_ref())
        .filter_map(|b| b["text"]["body"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_configures_tries_and_watches_the_ai_salesperson() {
    let model = StandInAnthropic::start().await.unwrap();
    let graph = GraphStandin::start(0, false).await.unwrap();
    graph.add_number(
        PHONE_NUMBER_ID,
        ACCESS_TOKEN,
        "+234 700 000 0002",
        "Zara's Fabrics",
    );
    let dist = spa_dir();
    let (model_url, graph_url) = (model.url.clone(), graph.url.clone());
    let t = TestApp::spawn_with(move |c| {
        c.static_dir = dist;
        c.meta_graph_url = graph_url;
        c.anthropic_base_url = model_url;
        // No server key: the owner brings their own.
        c.anthropic_api_key = None;
    })
    .await;
    let b = Browser::start().await;

    // Sign up in the browser; the number and the catalog are set up through the API.
    b.sign_up(&t.url, "Zara's Fabrics", "zara@example.com")
        .await;
    let token = b.js("localStorage.getItem('wasales.token')").await;
    let token = token.as_str().expect("the session token").to_string();
    t.gql_ok(
        Some(&token),
        "mutation($i: ConnectWhatsAppInput!) { connectWhatsApp(input: $i) { status } }",
        json!({"i": {"phoneNumberId": PHONE_NUMBER_ID, "wabaId": "102290129340398", "displayPhoneNumber": "+234 700 000 0002", "accessToken": ACCESS_TOKEN}}),
    )
    .await;
    t.gql_ok(
        Some(&token),
        "mutation($i: ProductInput!) { createProduct(input: $i) { id } }",
        json!({"i": {
            "name": "Ankara wrap dress", "description": "Hand-sewn cotton wrap dress",
            "price": 2_500_000, "currency": "NGN", "discountKind": "PERCENT", "discountValue": 10,
            "bargainFloor": 1_900_000, "quantity": 14, "colors": ["Red", "Blue"]
        }}),
    )
    .await;
    let dress = t
        .count("SELECT CAST(id AS SIGNED) AS n FROM products WHERE name = 'Ankara wrap dress'")
        .await;

    // Settings: set an own Claude key; only its masked hint comes back.
    b.click("nav-settings").await;
    b.wait_path("/settings").await;
    b.find("settings-ai").await;
    b.find("ai-usage-today").await;
    assert_eq!(b.js(&format!("{}.length", text_of("ai-key-hint"))).await, 0);
    b.fill("ai-key-input", OWN_KEY).await;
    b.click("ai-key-save").await;
    b.wait_js(
        "the masked key hint",
        &format!("{} === '••••9f2c'", text_of("ai-key-hint")),
    )
    .await;
    assert_eq!(
        b.js("document.documentElement.outerHTML.includes('owner-secret-key')")
            .await,
        Value::Bool(false),
        "the key itself is nowhere on the page"
    );

    // Try it: the scripted model counters through the real tool; nothing goes to WhatsApp.
    model.push([
        Scripted::tool_use(
            "tu_1",
            "make_counter_offer",
            json!({"product_id": dress, "customer_offer": 15000}),
        ),
        Scripted::text("I can give it to you for NGN 21,100.00."),
    ]);
    b.fill("try-input", "Can I get the ankara dress for 15,000?")
        .await;
    b.click("try-send").await;
    b.wait_js(
        "the preview reply",
        &format!(
            "{} === 'I can give it to you for NGN 21,100.00.'",
            text_of("try-reply")
        ),
    )
    .await;
    b.wait_js(
        "one tool call, not refused",
        "(() => { const c = [...document.querySelectorAll(\"[data-testid='try-tool-call']\")]; \
         return c.length === 1 && c[0].dataset.error === 'false' && c[0].textContent.includes('make_counter_offer'); })()",
    )
    .await;
    assert!(sent_texts(&graph).is_empty(), "the console sends nothing");
    let requests = model.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].api_key.as_deref(), Some(OWN_KEY));

    // The inbox: a customer haggles, the AI answers through the same tool.
    b.click("nav-inbox").await;
    b.wait_path("/inbox").await;
    b.find_css("[data-testid='live-status'][data-status='live']")
        .await;
    model.push([
        Scripted::tool_use(
            "tu_2",
            "make_counter_offer",
            json!({"product_id": dress, "customer_offer": 15000}),
        ),
        Scripted::text("For you, NGN 21,100.00. Shall I reserve one?"),
    ]);
    let customer = Customer::with_phone("2348077766655", "Funke Adebayo");
    customer_says(&t, &customer, "Can I get the ankara dress for 15,000?").await;
    let row = "[data-testid='chat-row'][data-chat-name='Funke Adebayo']";
    b.find_css(row).await.click().await.unwrap();
    b.find("conversation").await;
    b.wait_js(
        "the AI's reply, marked as the AI's and sent",
        "[...document.querySelectorAll(\"[data-testid='message-bubble'][data-direction='outbound']\")]\
         .some(m => m.dataset.sentBy === 'ai' && m.dataset.status === 'sent' && m.textContent.includes('For you, NGN 21,100.00'))",
    )
    .await;
    b.wait_js(
        "the negotiation in the conversation header",
        &format!(
            "{}.includes('Ankara wrap dress: customer asked NGN 15,000.00, our offer NGN 21,100.00 (1 round)')",
            text_of("chat-negotiation")
        ),
    )
    .await;
    assert_eq!(
        sent_texts(&graph),
        ["For you, NGN 21,100.00. Shall I reserve one?"]
    );

    // The customer accepts: the AI records the order, and the header shows it.
    model.push([
        Scripted::tool_use(
            "tu_4",
            "make_counter_offer",
            json!({"product_id": dress, "customer_offer": 21100}),
        ),
        create_order(
            "tu_5",
            json!({"product_id": dress, "quantity": 1, "color": "Red", "unit_price": 21100}),
            Some("Funke"),
            "3 Marina Road, Lagos",
        ),
        Scripted::text("Done! Your red Ankara wrap dress is ordered for NGN 21,100.00."),
    ]);
    customer_says(
        &t,
        &customer,
        "OK 21,100 then. The red one, deliver to 3 Marina Road, Lagos",
    )
    .await;
    b.wait_js(
        "the order in the conversation header",
        &format!(
            "{}.includes(': 1 × Ankara wrap dress (Red), NGN 21,100.00')",
            text_of("chat-order")
        ),
    )
    .await;
    b.wait_js(
        "the agreed price",
        &format!(
            "{}.includes('Ankara wrap dress: agreed at NGN 21,100.00')",
            text_of("chat-negotiation")
        ),
    )
    .await;

    // The customer wants what only a person can give: the AI hands over.
    model.push([
        Scripted::tool_use(
            "tu_3",
            "hand_off_to_human",
            json!({"reason": "Customer needs a custom size 20"}),
        ),
        Scripted::text("A person from Zara's Fabrics will help you with the custom size."),
    ]);
    customer_says(&t, &customer, "Can you sew it in size 20?").await;
    b.wait_js(
        "the hand-off reason",
        &format!(
            "{}.includes('Customer needs a custom size 20')",
            text_of("handoff-reason")
        ),
    )
    .await;
    b.wait_js(
        "the takeover switch on",
        "document.querySelector(\"[data-testid='ai-paused-toggle']\").checked === true",
    )
    .await;
    assert_eq!(t.rows("chats WHERE ai_paused = 1").await, 1);
    assert_eq!(model.remaining(), 0, "every scripted answer was used");
}
