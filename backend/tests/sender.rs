//! The outbound sender against the Graph API stand-in: the exact JSON Meta receives,
//! retries on temporary failures, permanent failures recorded, and the 24-hour rule.

use serde_json::{Value, json};
use standins::graph::Failure;

use crate::common::{TestApp, decode_id, error_code};
use crate::inbox_support::{
    NewChat, PHONE_NUMBER_ID, WAIT, alice_chatting_with, alice_connected, chat_gid, chat_messages,
    next_status_change, posts, spawn, spawn_with,
};

const SEND: &str = "mutation($c: ID!, $t: String!) { sendMessage(chatId: $c, text: $t) {
    id direction kind body sentBy status errorCode errorTitle } }";
const SEND_TEMPLATE: &str =
    "mutation($c: ID!, $t: TemplateInput!) { sendTemplate(chatId: $c, template: $t) {
    id kind body sentBy status errorCode errorTitle } }";

/// Alice sends `text` in `chat`; the send must be accepted. Returns `data`.
async fn send(t: &TestApp, alice: &str, chat: u64, text: &str) -> Value {
    t.gql_ok(Some(alice), SEND, json!({"c": chat_gid(chat), "t": text}))
        .await
}

/// Alice tries to send `text` in `chat`; returns the whole response.
async fn try_send(t: &TestApp, alice: &str, chat: u64, text: &str) -> Value {
    t.gql(Some(alice), SEND, json!({"c": chat_gid(chat), "t": text}))
        .await
}

/// Ada, known by phone and BSUID.
fn ada() -> NewChat<'static> {
    NewChat {
        user_id: Some("NG.1502576394655843"),
        ..NewChat::ada()
    }
}

/// Alice signs up and connects her number; Ada last wrote `minutes` ago. Returns
/// Alice's token, her business id and the chat's id.
async fn alice_and_ada(t: &TestApp, minutes: i64) -> (String, u64, u64) {
    alice_chatting_with(t, ada().wrote_minutes_ago(minutes)).await
}

#[tokio::test]
async fn a_reply_inside_the_window_reaches_meta_as_exact_json_and_is_saved_sent() {
    let (t, standin) = spawn().await;
    let (alice, _, chat) = alice_and_ada(&t, 30).await;

    let resp = send(&t, &alice, chat, "The red dress is 18,000 NGN").await;
    let m = &resp["sendMessage"];
    assert_eq!(m["status"], "SENT");
    assert_eq!(m["direction"], "OUTBOUND");
    assert_eq!(m["sentBy"], "STAFF");
    assert_eq!(m["kind"], "TEXT");

    let requests = standin.requests();
    let post = requests.last().unwrap();
    assert_eq!(post.method, "POST");
    assert_eq!(post.path, format!("/{PHONE_NUMBER_ID}/messages"));
    assert_eq!(post.bearer_hint.as_deref(), Some("••••abcd"));
    assert!(
        post.headers
            .iter()
            .all(|(name, _)| !name.eq_ignore_ascii_case("authorization"))
    );
    assert_eq!(
        post.body.clone().unwrap(),
        json!({
            "messaging_product": "whatsapp", "recipient_type": "individual",
            "to": "2348012345678", "type": "text",
            "text": {"preview_url": false, "body": "The red dress is 18,000 NGN"},
            "biz_opaque_callback_data": format!("wasales:m:{}", decode_id(m["id"].as_str().unwrap()))
        })
    );
    assert_eq!(
        t.rows("messages WHERE wamid LIKE 'wamid.%' AND status = 'sent' AND sent_by = 'staff'")
            .await,
        1
    );
    // The chat shows it as its latest message.
    let summary = t
        .gql_ok(
            Some(&alice),
            "query($c: ID!) { chat(id: $c) { lastMessagePreview windowOpen } }",
            json!({"c": chat_gid(chat)}),
        )
        .await;
    assert_eq!(
        summary["chat"]["lastMessagePreview"],
        "The red dress is 18,000 NGN"
    );
    assert_eq!(summary["chat"]["windowOpen"], true);
}

#[tokio::test]
async fn a_customer_known_only_by_bsuid_is_addressed_by_recipient() {
    let (t, standin) = spawn().await;
    let by_bsuid = NewChat {
        user_id: Some("NG.1502576394655843"),
        ..NewChat::named("ada.styles")
    };
    let (alice, _, chat) = alice_chatting_with(&t, by_bsuid.wrote_minutes_ago(1)).await;

    let resp = send(&t, &alice, chat, "Hello!").await;
    assert_eq!(resp["sendMessage"]["status"], "SENT");
    let body = standin.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(body["recipient"], "NG.1502576394655843");
    assert!(body.get("to").is_none(), "{body}");
}

#[tokio::test]
async fn outages_and_rate_limits_are_retried_until_meta_accepts() {
    for failure in [
        Failure::ServerError,
        Failure::RateLimited,
        Failure::PairRateLimited,
    ] {
        let (t, standin) = spawn().await;
        let (alice, business, chat) = alice_and_ada(&t, 5).await;
        let mut events = t.app.events.subscribe();
        standin.fail_next(1, failure);

        let resp = send(&t, &alice, chat, "Hi").await;
        assert_eq!(
            resp["sendMessage"]["status"], "PENDING",
            "{failure:?}: retried later, not failed"
        );

        next_status_change(&mut events, business).await;
        let messages = chat_messages(&t, &alice, &chat_gid(chat)).await;
        assert_eq!(messages[0]["status"], "SENT", "{failure:?}");
        assert!(messages[0]["errorCode"].is_null());
        let posts = standin.wait_for_requests(3, WAIT).await.unwrap();
        assert_eq!(
            posts.iter().filter(|r| r.method == "POST").count(),
            2,
            "{failure:?}: one failure, one success"
        );
        assert_eq!(
            posts[1].body, posts[2].body,
            "the retry sends the same message"
        );
    }
}

#[tokio::test]
async fn retries_are_bounded_then_the_failure_is_recorded() {
    let (t, standin) = spawn().await;
    let (alice, business, chat) = alice_and_ada(&t, 5).await;
    let mut events = t.app.events.subscribe();
    // The test configuration allows 4 attempts.
    standin.fail_next(10, Failure::RateLimited);

    send(&t, &alice, chat, "Hi").await;
    next_status_change(&mut events, business).await;
    let messages = chat_messages(&t, &alice, &chat_gid(chat)).await;
    assert_eq!(messages[0]["status"], "FAILED");
    assert_eq!(messages[0]["errorCode"], 130429);
    assert_eq!(messages[0]["errorTitle"], "Rate limit hit");
    assert_eq!(posts(&standin).len(), 4);
}

#[tokio::test]
async fn permanent_failures_are_recorded_with_meta_code_and_title() {
    let cases = [
        (Failure::ReEngagement, 131047, "Re-engagement message"),
        (Failure::Undeliverable, 131026, "Message undeliverable"),
        (
            Failure::TokenExpired,
            190,
            "Access token expired or invalid",
        ),
    ];
    for (failure, code, title) in cases {
        let (t, standin) = spawn().await;
        let (alice, _, chat) = alice_and_ada(&t, 5).await;
        standin.fail_next(1, failure);

        let resp = send(&t, &alice, chat, "Hi").await;
        let m = &resp["sendMessage"];
        assert_eq!(m["status"], "FAILED", "{failure:?}");
        assert_eq!(m["errorCode"], code);
        assert_eq!(m["errorTitle"], title);
        assert_eq!(posts(&standin).len(), 1, "{failure:?} is not retried");
        let stored = chat_messages(&t, &alice, &chat_gid(chat)).await;
        assert_eq!(stored[0]["status"], "FAILED");
        assert_eq!(stored[0]["errorCode"], code);
    }
}

#[tokio::test]
async fn outside_the_window_free_text_is_refused_before_anything_happens_but_a_template_goes() {
    let (t, standin) = spawn().await;
    let (alice, business) = alice_connected(&t).await;
    let stale = ada().wrote_minutes_ago(25 * 60).insert(&t, business).await;
    let never = NewChat::phone("Bayo", "2348099999999")
        .insert(&t, business)
        .await;
    let requests_before = standin.requests().len();

    for chat in [stale, never] {
        let resp = try_send(&t, &alice, chat, "Still interested?").await;
        assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{resp}");
        assert_eq!(resp["errors"][0]["extensions"]["field"], "text");
        let message = resp["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("24-hour") && message.contains("template"),
            "{message}"
        );
    }
    assert_eq!(t.rows("messages").await, 0, "nothing stored");
    assert_eq!(standin.requests().len(), requests_before, "nothing sent");

    let resp = t
        .gql_ok(
            Some(&alice),
            SEND_TEMPLATE,
            json!({"c": chat_gid(stale), "t": {"name": "order_update", "parameters": ["Ada", "#1024"]}}),
        )
        .await;
    let m = &resp["sendTemplate"];
    assert_eq!(m["status"], "SENT");
    assert_eq!(m["kind"], "TEMPLATE");
    assert_eq!(m["body"], "Template order_update: Ada · #1024");
    assert_eq!(
        standin.requests().last().unwrap().body.clone().unwrap(),
        json!({
            "messaging_product": "whatsapp", "recipient_type": "individual",
            "to": "2348012345678", "type": "template",
            "biz_opaque_callback_data": format!("wasales:m:{}", decode_id(m["id"].as_str().unwrap())),
            "template": {
                "name": "order_update", "language": {"code": "en_US"},
                "components": [{"type": "body", "parameters": [
                    {"type": "text", "text": "Ada"}, {"type": "text", "text": "#1024"}
                ]}]
            }
        })
    );
}

#[tokio::test]
async fn empty_text_and_bad_templates_are_refused() {
    let (t, standin) = spawn().await;
    let (alice, _, chat) = alice_and_ada(&t, 5).await;
    let empty = try_send(&t, &alice, chat, "   ").await;
    assert_eq!(empty["errors"][0]["extensions"]["field"], "text");
    let bad = t
        .gql(
            Some(&alice),
            SEND_TEMPLATE,
            json!({"c": chat_gid(chat), "t": {"name": "Not A Name!"}}),
        )
        .await;
    assert_eq!(bad["errors"][0]["extensions"]["field"], "template");
    assert_eq!(t.rows("messages").await, 0);
    assert_eq!(standin.requests().len(), 1, "only the connection check");
}

#[tokio::test]
async fn a_message_waiting_for_a_retry_is_not_sent_after_the_number_is_disconnected() {
    // A long first retry delay leaves ample time to disconnect before it.
    let (t, standin) = spawn_with(|c| c.send_retry_base = std::time::Duration::from_secs(2)).await;
    let (alice, business, chat) = alice_and_ada(&t, 5).await;
    let mut events = t.app.events.subscribe();
    standin.fail_next(1, Failure::RateLimited);

    let resp = send(&t, &alice, chat, "Hi").await;
    assert_eq!(resp["sendMessage"]["status"], "PENDING");
    t.query_ok(&alice, "mutation { disconnectWhatsApp { status } }")
        .await;

    next_status_change(&mut events, business).await;
    assert_eq!(
        t.rows(
            "messages WHERE status = 'failed' AND error_title LIKE 'WhatsApp number disconnected%'"
        )
        .await,
        1
    );
    assert_eq!(
        posts(&standin).len(),
        1,
        "only the first, failed attempt reached Meta"
    );
}

#[tokio::test]
async fn a_send_waiting_for_a_retry_survives_a_restart() {
    // This server runs no job workers: it "stops" with the retry still to do.
    let (t, standin) = spawn_with(|c| c.agent.workers = 0).await;
    let (alice, _, chat) = alice_and_ada(&t, 5).await;
    standin.fail_next(1, Failure::ServerError);
    let resp = send(&t, &alice, chat, "Your order ships today").await;
    assert_eq!(resp["sendMessage"]["status"], "PENDING");
    // The retry is a row in the database, not a task in this process.
    assert_eq!(
        t.rows("jobs WHERE kind = 'send_message' AND done_at IS NULL AND last_error IS NOT NULL")
            .await,
        1
    );

    // A new server process on the same database (fresh memory) picks it up.
    let restarted = backend::init(t.app.config.clone()).await.unwrap();
    let workers = backend::jobs::Workers::start_with(restarted.clone(), 1);
    let deadline = std::time::Instant::now() + WAIT;
    while t
        .rows("messages WHERE direction = 'outbound' AND status = 'sent'")
        .await
        == 0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the restarted server never sent the pending message"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    workers.shutdown().await;
    let posts = posts(&standin);
    assert_eq!(posts.len(), 2, "the failed attempt, then the retry");
    assert_eq!(posts[0].body, posts[1].body, "the same message");
    assert_eq!(
        posts[1].body.as_ref().unwrap()["text"]["body"],
        "Your order ships today"
    );
    assert_eq!(
        t.rows("jobs WHERE kind = 'send_message'").await,
        0,
        "the job went with the message's `sent`"
    );
}

#[tokio::test]
async fn a_send_whose_answer_was_lost_is_completed_by_its_status_webhook_and_never_sent_twice() {
    // Retries wait a minute (the cap): only the status webhook can settle this send.
    let (t, standin) = spawn_with(|c| c.send_retry_base = std::time::Duration::from_secs(60)).await;
    let (alice, _, chat) = alice_and_ada(&t, 5).await;
    let bob = crate::webhook_support::shop(&t, "Bob Shop", "555000999").await;
    // Meta takes the message, but its answer never reaches the server (as when the
    // server dies between Meta's 200 and its commit).
    standin.fail_next(1, Failure::AnswerLost);
    let resp = send(&t, &alice, chat, "Your order ships today").await;
    assert_eq!(resp["sendMessage"]["status"], "PENDING");
    let accepted = standin.accepted();
    assert_eq!(accepted.len(), 1, "the customer got it once");
    let wamid = accepted[0].wamid.clone();
    let callback = accepted[0].body["biz_opaque_callback_data"]
        .as_str()
        .expect("every send names its message")
        .to_string();
    let ada = standins::webhook::Customer::with_phone("2348012345678", "Ada");
    let sent_status = |wamid: &str| {
        let mut status = standins::webhook::status(wamid, "sent", &ada);
        status["biz_opaque_callback_data"] = json!(callback);
        status
    };

    // Another business echoing that callback data changes nothing of Alice's.
    assert_eq!(
        crate::webhook_support::send_statuses(
            &t,
            &bob,
            &ada,
            vec![sent_status("wamid.BOB-FORGED")]
        )
        .await,
        200
    );
    assert_eq!(
        t.rows("jobs WHERE kind = 'send_message' AND done_at IS NULL")
            .await,
        1
    );
    assert_eq!(t.rows("messages WHERE wamid = 'wamid.BOB-FORGED'").await, 0);

    // Meta's status webhook names the message: it takes Meta's wamid, and its send
    // job ends, so no retry sends it again.
    assert_eq!(
        crate::webhook_support::statuses_to(&t, PHONE_NUMBER_ID, &ada, vec![sent_status(&wamid)])
            .await,
        200
    );
    assert_eq!(
        t.rows(&format!(
            "messages WHERE wamid = '{wamid}' AND status = 'sent' AND sent_by = 'staff'"
        ))
        .await,
        1
    );
    assert_eq!(t.rows("jobs WHERE kind = 'send_message'").await, 0);
    // Later statuses follow as for any message.
    let delivered = standins::webhook::status(&wamid, "delivered", &ada);
    crate::webhook_support::statuses_to(&t, PHONE_NUMBER_ID, &ada, vec![delivered]).await;
    assert_eq!(
        t.rows(&format!(
            "messages WHERE wamid = '{wamid}' AND status = 'delivered'"
        ))
        .await,
        1
    );
    assert_eq!(standin.accepted().len(), 1);
}
