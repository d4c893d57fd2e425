//! Nobody the business must not message gets an automated message, and no model call
//! is spent on them: blacklisted contacts, paused chats, AI off, STOP opt-outs, floods.

use std::time::Duration;

use serde_json::json;
use standins::anthropic::Scripted;

use crate::agent_support::World;
use backend::db::blacklist::AddedBy;
use shared::ActorKind;
use shared::blacklist::BlockKey;

fn owner() -> AddedBy<'static> {
    AddedBy {
        kind: ActorKind::Owner,
        name: Some("owner@example.com"),
    }
}

async fn reply_jobs(world: &World) -> i64 {
    world.rows("jobs WHERE kind = 'ai_reply'").await
}

#[tokio::test]
async fn a_blacklisted_contact_gets_no_job_and_no_model_call() {
    let world = World::new().await;
    let business = world.shop.business_id;
    let mut conn = world.app.app.db().await.unwrap();
    backend::db::blacklist::upsert(
        &mut conn,
        shared::BusinessId(business),
        &BlockKey::phone(world.customer.wa_id.as_deref().unwrap()).unwrap(),
        "abusive",
        owner(),
    )
    .await
    .unwrap();
    world.customer_says("hello?").await;
    // Committed with the message (the webhook answered after the commit).
    assert_eq!(reply_jobs(&world).await, 0);
    assert_eq!(world.model.request_count(), 0);
}

#[tokio::test]
async fn a_contact_blacklisted_by_bsuid_after_the_job_was_queued_is_not_answered() {
    let world = World::new_with(|c| c.agent.reply_debounce = Duration::from_millis(800)).await;
    world.customer_says("hello?").await;
    assert_eq!(reply_jobs(&world).await, 1);
    let mut conn = world.app.app.db().await.unwrap();
    backend::db::blacklist::upsert(
        &mut conn,
        shared::BusinessId(world.shop.business_id),
        &BlockKey::user_id(world.customer.user_id.as_deref().unwrap()).unwrap(),
        "spam",
        owner(),
    )
    .await
    .unwrap();
    world.jobs_settled().await;
    assert_eq!(world.model.request_count(), 0);
    assert!(world.graph.payloads().is_empty());
}

#[tokio::test]
async fn a_paused_chat_gets_no_job_and_no_model_call() {
    let world = World::new().await;
    world.model.push([Scripted::text("Hello!")]);
    world.customer_says("hi").await;
    world.received(1).await;
    world.jobs_settled().await;
    world.owner_query("{ business { id } }").await;
    let mut conn = world.app.app.db().await.unwrap();
    use diesel_async::RunQueryDsl;
    diesel::sql_query("UPDATE chats SET ai_paused = TRUE")
        .execute(&mut conn)
        .await
        .unwrap();
    world.customer_says("are you there?").await;
    assert_eq!(world.open_jobs().await, 0);
    assert_eq!(world.model.request_count(), 1);
    assert_eq!(world.graph.texts().len(), 1);
}

#[tokio::test]
async fn a_business_with_ai_off_gets_no_job_and_no_model_call() {
    let world = World::new().await;
    world
        .owner_query("mutation { updateBusiness(input: {aiEnabled: false}) { aiEnabled } }")
        .await;
    world.customer_says("hello").await;
    assert_eq!(reply_jobs(&world).await, 0);
    assert_eq!(world.model.request_count(), 0);
}

#[tokio::test]
async fn stop_blacklists_the_contact_confirms_once_and_ends_automated_messages() {
    let world = World::new().await;
    world.customer_says("STOP").await;
    // Blacklisted once (by BSUID, which matches the phone's contact too), by the
    // customer, in the ingest transaction; no reply job.
    assert_eq!(
        world
            .rows("blacklist WHERE reason LIKE 'opted out%' AND kind = 'user_id' AND created_by_kind = 'customer'")
            .await,
        1
    );
    assert_eq!(reply_jobs(&world).await, 0);
    let got = world.received(1).await;
    assert!(got[0].starts_with("You're unsubscribed"), "{got:?}");
    assert_eq!(world.rows("messages WHERE sent_by = 'system'").await, 1);
    world.customer_says("Stop messaging me").await;
    world.customer_says("hello?").await;
    world.jobs_settled().await;
    assert_eq!(
        world.graph.texts().len(),
        1,
        "one confirmation, nothing after"
    );
    assert_eq!(world.model.request_count(), 0);
    assert_eq!(reply_jobs(&world).await, 0);
}

#[tokio::test]
async fn a_flooding_contact_is_rate_limited_without_model_calls_and_handed_to_a_person() {
    let world = World::new_with(|c| c.agent.replies_per_window = 2).await;
    for (i, text) in ["one", "two"].iter().enumerate() {
        world.model.push([Scripted::text(&format!("answer {i}"))]);
        world.customer_says(text).await;
        world.received(i + 1).await;
    }
    world.customer_says("three").await;
    world.jobs_settled().await;
    assert_eq!(world.model.request_count(), 2);
    assert_eq!(world.graph.texts().len(), 2);
    assert_eq!(
        world.rows("jobs WHERE last_error = 'rate limited'").await,
        1
    );
    // Nobody is left waiting silently: the owner sees the chat handed over, and why.
    let data = world
        .owner_query("{ chats(first: 1) { nodes { aiPaused handoffReason } } }")
        .await;
    let chat = &data["chats"]["nodes"][0];
    assert_eq!(chat["aiPaused"], true);
    assert!(
        chat["handoffReason"]
            .as_str()
            .unwrap()
            .contains("wrote faster than the AI answers (2 replies in 10 minutes)"),
        "{chat}"
    );
}

#[tokio::test]
async fn a_hand_off_pauses_the_chat_and_the_ai_stays_silent() {
    let world = World::new().await;
    world.model.push([
        Scripted::tool_use(
            "tu_1",
            "hand_off_to_human",
            json!({"reason": "customer wants a refund"}),
        ),
        Scripted::text("A person from the team will reply to you shortly."),
    ]);
    let got = world
        .customer_says_and_gets("I want a refund, let me talk to a human", 1)
        .await;
    assert_eq!(got[0], "A person from the team will reply to you shortly.");
    let data = world
        .owner_query("{ chats(first: 1) { nodes { aiPaused handoffReason } } }")
        .await;
    assert_eq!(data["chats"]["nodes"][0]["aiPaused"], true);
    assert_eq!(
        data["chats"]["nodes"][0]["handoffReason"],
        "customer wants a refund"
    );
    // The reply's own job finishes just after the customer has the reply.
    world.jobs_settled().await;
    world.customer_says("hello?").await;
    // Stored (answered 200) means its reply job would be scheduled by now: none is.
    assert_eq!(world.open_jobs().await, 0);
    assert_eq!(world.model.request_count(), 2);
}
