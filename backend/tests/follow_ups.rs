//! Follow-ups: scheduled for a chat, sent by the job runner when due through the one
//! sender, skipped with the reason when they must not go, exactly once with two server
//! processes and across a crash mid-send; the business's rule after an AI quote.

use std::time::{Duration, Instant};

use chrono::Utc;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use crate::agent_support::World;
use crate::common::{TestApp, decode_id, error_code};
use crate::inbox_support::{NewChat, alice_chatting_with, chat_gid, posts, spawn, spawn_with};

const SCHEDULE: &str = "mutation($i: ScheduleFollowUpInput!) {
  scheduleFollowUp(input: $i) { id status text dueAt source createdBy chat { id } }
}";
const ONE: &str = "query($id: ID!) {
  followUp(id: $id) { id status skipReason error messageId text template { name } }
}";

fn in_seconds(s: i64) -> String {
    (Utc::now() + chrono::Duration::seconds(s)).to_rfc3339()
}

async fn schedule(t: &TestApp, token: &str, input: Value) -> Value {
    let data = t.gql_ok(Some(token), SCHEDULE, json!({ "i": input })).await;
    data["scheduleFollowUp"].clone()
}

/// Polls the follow-up until it leaves `SCHEDULED`/`SENDING`; panics after a deadline.
async fn settled(t: &TestApp, token: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let f = t.gql_ok(Some(token), ONE, json!({ "id": id })).await["followUp"].clone();
        if f["status"] != "SCHEDULED" && f["status"] != "SENDING" {
            return f;
        }
        assert!(Instant::now() < deadline, "follow-up never settled: {f}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn sql(t: &TestApp, statement: &str) {
    let mut conn = t.app.db().await.unwrap();
    diesel::sql_query(statement)
        .execute(&mut conn)
        .await
        .unwrap();
}

fn sent_texts(standin: &standins::graph::GraphStandin) -> Vec<String> {
    posts(standin)
        .into_iter()
        .filter_map(|r| r.body)
        .filter_map(|b| b["text"]["body"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn a_due_follow_up_is_sent_once_through_the_sender_and_logged() {
    let (t, standin) = spawn().await;
    let (alice, _, chat) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(30)).await;
    let f = schedule(
        &t,
        &alice,
        json!({"chatId": chat_gid(chat), "dueAt": in_seconds(0), "text": "Still thinking about the dress?"}),
    )
    .await;
    assert_eq!(f["source"], "STAFF");
    assert_eq!(f["createdBy"], "alice@example.com");
    assert_eq!(f["chat"]["id"], chat_gid(chat));
    let done = settled(&t, &alice, f["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "SENT", "{done}");
    assert_eq!(sent_texts(&standin), ["Still thinking about the dress?"]);
    let message = decode_id(done["messageId"].as_str().unwrap());
    assert_eq!(
        t.rows(&format!(
            "messages WHERE id = {message} AND sent_by = 'follow_up' AND direction = 'outbound'"
        ))
        .await,
        1
    );
    // The log entry is written right after the follow-up settles: wait for it.
    let deadline = Instant::now() + Duration::from_secs(15);
    let log = loop {
        let log = t
            .gql_ok(
                Some(&alice),
                "{ activity(filter: {kinds: [FOLLOW_UP_SCHEDULED, FOLLOW_UP_SENT]}) { nodes { kind subject { id } } } }",
                json!({}),
            )
            .await;
        if log["activity"]["nodes"]
            .as_array()
            .is_some_and(|n| n.len() >= 2)
        {
            break log;
        }
        assert!(Instant::now() < deadline, "no FOLLOW_UP_SENT entry: {log}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let kinds: Vec<&str> = log["activity"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["FOLLOW_UP_SENT", "FOLLOW_UP_SCHEDULED"]);
    assert_eq!(log["activity"]["nodes"][0]["subject"]["id"], f["id"]);
}

#[tokio::test]
async fn each_reason_to_hold_back_skips_it_with_the_reason_and_sends_nothing() {
    let (t, standin) = spawn_with(|c| c.agent.workers = 0).await;
    let (alice, business) = crate::inbox_support::alice_connected(&t).await;
    let mut cases = Vec::new();
    for (n, reason) in [
        "the customer is blacklisted",
        "the chat is paused (a person took over)",
        "the customer ordered since",
        "the customer wrote since",
    ]
    .into_iter()
    .enumerate()
    {
        let wa_id = format!("23480100000{n:02}");
        let chat = NewChat::phone("Cust", &wa_id)
            .wrote_minutes_ago(60)
            .insert(&t, business)
            .await;
        let f = schedule(
            &t,
            &alice,
            json!({"chatId": chat_gid(chat), "dueAt": in_seconds(0), "text": "Hello again"}),
        )
        .await;
        cases.push((chat, wa_id, f["id"].as_str().unwrap().to_string(), reason));
    }
    // The window closed 25 hours ago and there is only text.
    let closed = NewChat::phone("Late", "2348019999999")
        .wrote_minutes_ago(25 * 60)
        .insert(&t, business)
        .await;
    let late = schedule(
        &t,
        &alice,
        json!({"chatId": chat_gid(closed), "dueAt": in_seconds(0), "text": "Hello again"}),
    )
    .await;
    // What changes while they wait.
    let (c0, wa0, ..) = &cases[0];
    sql(&t, &format!("INSERT INTO blacklist (business_id, kind, value, reason) VALUES ({business}, 'phone', '{wa0}', 'test')")).await;
    let _ = c0;
    t.gql_ok(
        Some(&alice),
        "mutation($c: ID!) { setChatAiPaused(chatId: $c, paused: true) { aiPaused } }",
        json!({"c": chat_gid(cases[1].0)}),
    )
    .await;
    sql(&t, &format!(
        "INSERT INTO orders (business_id, chat_id, contact_id, status, source, currency, total_minor, created_at) \
         SELECT business_id, id, contact_id, 'pending', 'chat', 'NGN', 100, NOW(6) + INTERVAL 1 SECOND FROM chats WHERE id = {}",
        cases[2].0
    ))
    .await;
    sql(
        &t,
        &format!(
            "UPDATE chats SET last_inbound_at = NOW(6) + INTERVAL 1 SECOND WHERE id = {}",
            cases[3].0
        ),
    )
    .await;

    let workers = backend::jobs::Workers::start_with(t.app.clone(), 2);
    for (_, _, id, reason) in &cases {
        let done = settled(&t, &alice, id).await;
        assert_eq!(done["status"], "SKIPPED", "{done}");
        assert_eq!(done["skipReason"], *reason, "{done}");
    }
    let done = settled(&t, &alice, late["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "SKIPPED");
    assert_eq!(
        done["skipReason"],
        "the 24-hour window closed and no template was set"
    );
    workers.shutdown().await;
    assert!(posts(&standin).is_empty(), "nothing was sent");
    assert_eq!(
        t.rows("activity_events WHERE kind = 'follow_up_skipped'")
            .await,
        5
    );
}

#[tokio::test]
async fn outside_the_window_the_template_goes_instead() {
    let (t, standin) = spawn().await;
    let (alice, _, chat) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(30 * 60)).await;
    let f = schedule(
        &t,
        &alice,
        json!({"chatId": chat_gid(chat), "dueAt": in_seconds(0), "text": "Hi",
               "template": {"name": "cart_reminder", "language": "en_US", "parameters": ["Ada"]}}),
    )
    .await;
    let done = settled(&t, &alice, f["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "SENT", "{done}");
    let sent = posts(&standin);
    assert_eq!(sent.len(), 1);
    let body = sent[0].body.clone().unwrap();
    assert_eq!(body["type"], "template");
    assert_eq!(body["template"]["name"], "cart_reminder");
}

#[tokio::test]
async fn two_server_processes_send_each_follow_up_exactly_once() {
    let (t, standin) = spawn_with(|c| c.agent.workers = 0).await;
    let (alice, business) = crate::inbox_support::alice_connected(&t).await;
    let mut ids = Vec::new();
    for n in 0..12 {
        let chat = NewChat::phone("Cust", &format!("2348020000{n:03}"))
            .wrote_minutes_ago(10)
            .insert(&t, business)
            .await;
        let f = schedule(
            &t,
            &alice,
            json!({"chatId": chat_gid(chat), "dueAt": in_seconds(0), "text": format!("Follow-up {n}")}),
        )
        .await;
        ids.push(f["id"].as_str().unwrap().to_string());
    }
    // Two processes on one database (fresh memory each), two workers each.
    let a = backend::init(t.app.config.clone()).await.unwrap();
    let b = backend::init(t.app.config.clone()).await.unwrap();
    let wa = backend::jobs::Workers::start_with(a, 2);
    let wb = backend::jobs::Workers::start_with(b, 2);
    for id in &ids {
        assert_eq!(settled(&t, &alice, id).await["status"], "SENT");
    }
    wa.shutdown().await;
    wb.shutdown().await;
    let mut texts = sent_texts(&standin);
    texts.sort();
    let mut expected: Vec<String> = (0..12).map(|n| format!("Follow-up {n}")).collect();
    expected.sort();
    assert_eq!(texts, expected, "each sent exactly once");
}

#[tokio::test]
async fn a_send_interrupted_by_a_crash_is_completed_not_repeated() {
    let (t, standin) = spawn_with(|c| c.agent.workers = 0).await;
    let (alice, business, chat) =
        alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(10)).await;
    let f = schedule(
        &t,
        &alice,
        json!({"chatId": chat_gid(chat), "dueAt": in_seconds(0), "text": "Hello again"}),
    )
    .await;
    let id = decode_id(f["id"].as_str().unwrap());
    // The crashed run: marked `sending`, and the sender had stored the message (its own
    // send job delivers it) when the process died.
    sql(&t, &format!("UPDATE follow_ups SET status = 'sending', attempts = 1, updated_at = NOW(6) - INTERVAL 1 SECOND WHERE id = {id}")).await;
    sql(&t, &format!(
        "INSERT INTO messages (business_id, chat_id, direction, kind, body, sent_by, status, wa_timestamp) \
         VALUES ({business}, {chat}, 'outbound', 'text', 'Hello again', 'follow_up', 'sent', NOW(6))"
    ))
    .await;
    let workers = backend::jobs::Workers::start_with(t.app.clone(), 1);
    let done = settled(&t, &alice, f["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "SENT", "{done}");
    assert!(done["messageId"].is_string());
    assert!(posts(&standin).is_empty(), "not sent a second time");

    // A crash before the sender stored anything: nothing reached Meta, so it is sent.
    let g = schedule(
        &t,
        &alice,
        json!({"chatId": chat_gid(chat), "dueAt": in_seconds(3600), "text": "Second"}),
    )
    .await;
    let gid = decode_id(g["id"].as_str().unwrap());
    sql(&t, &format!("UPDATE follow_ups SET status = 'sending', attempts = 1, updated_at = NOW(6) WHERE id = {gid}")).await;
    sql(
        &t,
        &format!("UPDATE jobs SET run_at = NOW(6) WHERE dedupe_key = 'follow_up:{gid}'"),
    )
    .await;
    let done = settled(&t, &alice, g["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "SENT", "{done}");
    assert_eq!(sent_texts(&standin), ["Second"]);
    workers.shutdown().await;
}

#[tokio::test]
async fn cancel_bad_input_and_tenancy() {
    let (t, standin) = spawn_with(|c| c.agent.workers = 0).await;
    let (alice, _, chat) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(10)).await;
    let f = schedule(
        &t,
        &alice,
        json!({"chatId": chat_gid(chat), "dueAt": in_seconds(3600), "text": "Later"}),
    )
    .await;
    let id = f["id"].as_str().unwrap();
    let (bob, _) = t.sign_up_business("Bob Shoes", "bob@example.com").await;

    // Bob sees nothing of Alice's and cannot touch it.
    let list = t
        .gql_ok(Some(&bob), "{ followUps { nodes { id } } }", json!({}))
        .await;
    assert_eq!(list["followUps"]["nodes"], json!([]));
    for (query, vars) in [
        (ONE, json!({"id": id})),
        (
            "mutation($id: ID!) { cancelFollowUp(id: $id) { id } }",
            json!({"id": id}),
        ),
        (
            SCHEDULE,
            json!({"i": {"chatId": chat_gid(chat), "dueAt": in_seconds(60), "text": "x"}}),
        ),
    ] {
        let resp = t.gql(Some(&bob), query, vars).await;
        assert_eq!(error_code(&resp), "NOT_FOUND", "{resp}");
    }
    let anonymous = t
        .gql(None, "{ followUps { nodes { id } } }", json!({}))
        .await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");

    // Bad input: nothing to say, in the past, too far ahead, a bad template, a bad rule.
    for input in [
        json!({"chatId": chat_gid(chat), "dueAt": in_seconds(60)}),
        json!({"chatId": chat_gid(chat), "dueAt": in_seconds(-3600), "text": "x"}),
        json!({"chatId": chat_gid(chat), "dueAt": in_seconds(100 * 86_400), "text": "x"}),
        json!({"chatId": chat_gid(chat), "dueAt": in_seconds(60), "template": {"name": "Bad Name!", "language": "en_US"}}),
    ] {
        let resp = t.gql(Some(&alice), SCHEDULE, json!({"i": input})).await;
        assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{resp}");
    }
    let resp = t
        .gql(
            Some(&alice),
            "mutation { updateFollowUpRule(input: {afterHours: 30}) { afterHours } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{resp}");

    // Alice cancels; a second cancel names the status; the job is gone.
    let cancelled = t
        .gql_ok(
            Some(&alice),
            "mutation($id: ID!) { cancelFollowUp(id: $id) { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(cancelled["cancelFollowUp"]["status"], "CANCELLED");
    let again = t
        .gql(
            Some(&alice),
            "mutation($id: ID!) { cancelFollowUp(id: $id) { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(error_code(&again), "BAD_USER_INPUT");
    assert!(again.to_string().contains("cancelled"), "{again}");
    assert_eq!(t.rows("jobs WHERE kind = 'follow_up'").await, 0);
    let only_cancelled = t
        .gql_ok(
            Some(&alice),
            "{ followUps(status: [CANCELLED]) { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(only_cancelled["followUps"]["nodes"][0]["id"], id);
    assert!(posts(&standin).is_empty());
}

#[tokio::test]
async fn the_rule_follows_up_a_quote_without_an_order_once() {
    let world = World::new_with(|c| c.anthropic_api_key = None).await;
    world
        .owner_query("mutation { updateFollowUpRule(input: {enabled: true, afterHours: 5, text: \"{name}, the {product} is yours for {price}!\"}) { enabled } }")
        .await;
    world.customer_says("how much is the ankara dress?").await;
    world.received(1).await;
    world.customer_says("can I get it for 15,000?").await;
    world.received(2).await;
    let first = rule_follow_up(&world, None).await;
    assert_eq!(first["source"], "RULE");
    assert_eq!(first["status"], "SCHEDULED");
    assert_eq!(
        first["text"],
        "Ada, the Ankara wrap dress is yours for NGN 21,100.00!"
    );
    let due = chrono::DateTime::parse_from_rfc3339(first["dueAt"].as_str().unwrap()).unwrap();
    let minutes = (due.with_timezone(&Utc) - Utc::now()).num_minutes();
    assert!(
        (4 * 60..=5 * 60).contains(&minutes),
        "{minutes} minutes ahead"
    );

    // Another quote moves the same follow-up (new price) instead of adding one.
    world.customer_says("10k?").await;
    world.received(3).await;
    let moved = rule_follow_up(&world, first["text"].as_str()).await;
    assert_eq!(moved["id"], first["id"]);
    assert_eq!(world.rows("follow_ups").await, 1);

    // The deal becomes an order: the follow-up is called off.
    world
        .customer_says("fine, 19,000 for the red one. Deliver to 12 Allen Avenue")
        .await;
    world.received(4).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while world.rows("follow_ups WHERE status = 'cancelled'").await == 0 {
        assert!(
            Instant::now() < deadline,
            "the order did not call the follow-up off"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(world.rows("orders").await, 1);
}

/// The chat's one rule follow-up, once its text is not `previous`.
async fn rule_follow_up(world: &World, previous: Option<&str>) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let data = world
            .owner_query("{ followUps { nodes { id status source text dueAt } } }")
            .await;
        let nodes = data["followUps"]["nodes"].as_array().unwrap().clone();
        assert!(nodes.len() <= 1, "{data}");
        if let Some(f) = nodes.as_slice().first()
            && f["text"].as_str() != previous
        {
            return f.clone();
        }
        assert!(Instant::now() < deadline, "no rule follow-up: {data}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A haggle the scripted model answers (a counter-offer of NGN 21,100.00 on the dress),
/// then the rule's follow-up made due now; returns it.
async fn haggled_and_due(world: &World) -> Value {
    world
        .owner_query("mutation { updateFollowUpRule(input: {enabled: true, afterHours: 3, text: \"\"}) { enabled text } }")
        .await;
    world.model.push([
        standins::anthropic::Scripted::tool_use(
            "tu_1",
            "make_counter_offer",
            json!({"product_id": world.dress_id, "customer_offer": 15000}),
        ),
        standins::anthropic::Scripted::text("I can do NGN 21,100.00 for the Ankara wrap dress."),
    ]);
    world
        .customer_says("can I get the ankara dress for 15,000?")
        .await;
    world.received(1).await;
    let scheduled = rule_follow_up(world, None).await;
    assert_eq!(scheduled["status"], "SCHEDULED");
    let mut conn = world.app.app.db().await.unwrap();
    for statement in [
        "UPDATE follow_ups SET due_at = UTC_TIMESTAMP(6)",
        "UPDATE jobs SET run_at = UTC_TIMESTAMP(6) WHERE kind = 'follow_up'",
    ] {
        diesel::sql_query(statement)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    scheduled
}

#[tokio::test]
async fn with_the_rule_text_empty_and_ai_on_the_model_writes_the_follow_up() {
    let world = World::new().await;
    let scheduled = haggled_and_due(&world).await;
    let written =
        "Hi Ada! The Ankara wrap dress is still yours at NGN 21,100.00. Shall I put one aside?";
    world
        .model
        .push([standins::anthropic::Scripted::text(written)]);
    let got = world.received(2).await;
    assert_eq!(got[1], written);
    // The model was asked for a follow-up, without tools, and the owner sees what went.
    let last = world.model.requests().last().unwrap().body.clone();
    assert!(last.to_string().contains("follow-up message"), "{last}");
    assert!(last.get("tools").is_none(), "{last}");
    let done = settled(&world.app, &world.token, scheduled["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "SENT", "{done}");
    assert_eq!(done["text"], written);
}

#[tokio::test]
async fn an_ai_follow_up_below_the_floor_is_not_sent_the_default_text_goes() {
    let world = World::new().await;
    let scheduled = haggled_and_due(&world).await;
    let default = scheduled["text"].as_str().unwrap().to_string();
    assert!(default.contains("NGN 21,100.00"), "{default}");
    world.model.push([standins::anthropic::Scripted::text(
        "Hi Ada! Last chance: the Ankara wrap dress for NGN 12,000.00 today only.",
    )]);
    let got = world.received(2).await;
    assert_eq!(got[1], default);
    assert!(!got.iter().any(|t| t.contains("12,000")), "{got:?}");
    let done = settled(&world.app, &world.token, scheduled["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "SENT", "{done}");
    assert_eq!(done["text"], default);
}
