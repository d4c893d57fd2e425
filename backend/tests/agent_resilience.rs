//! The provider failing, keys, budgets, debounce, and jobs that survive dead workers.

use std::time::{Duration, Instant};

use backend::db::jobs;
use chrono::Utc;
use diesel_async::RunQueryDsl;
use serde_json::json;
use standins::anthropic::Scripted;

use crate::agent_support::{World, create_order};

#[tokio::test]
async fn an_overloaded_provider_is_retried_and_then_answers() {
    let world = World::new().await;
    world.model.push([
        Scripted::overloaded(),
        Scripted::text("Hello! How can I help?"),
    ]);
    let got = world.customer_says_and_gets("hello", 1).await;
    assert_eq!(got, ["Hello! How can I help?"]);
    assert_eq!(world.model.request_count(), 2);
}

#[tokio::test]
async fn a_rate_limited_provider_is_retried_after_retry_after() {
    let world = World::new().await;
    world
        .model
        .push([Scripted::rate_limited(1), Scripted::text("Hello again!")]);
    let start = Instant::now();
    world.customer_says("hello").await;
    assert_eq!(world.received(1).await, ["Hello again!"]);
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "retry-after was honoured"
    );
}

#[tokio::test]
async fn a_provider_that_keeps_failing_gives_way_to_the_built_in_responder() {
    let world = World::new().await;
    world.model.always(Some(Scripted::overloaded()));
    let got = world
        .customer_says_and_gets("How much is the ankara dress?", 1)
        .await;
    assert!(
        got[0].contains("Ankara wrap dress: NGN 22,500.00"),
        "{got:?}"
    );
    // Test config: 1 quick retry per attempt, 2 attempts: exactly 4 requests, then
    // the built-in responder.
    world.jobs_settled().await;
    assert_eq!(world.model.request_count(), 4);
    assert_eq!(got.len(), 1);
    let business = world.shop.business_id;
    assert_eq!(
        world
            .rows(&format!(
                "businesses WHERE id = {business} AND ai_last_error LIKE '%overloaded%'"
            ))
            .await,
        1
    );
}

#[tokio::test]
async fn an_invalid_key_is_recorded_for_the_owner_without_a_retry_storm() {
    let world = World::new().await;
    world.model.always(Some(Scripted::invalid_key()));
    let got = world.customer_says_and_gets("hello", 1).await;
    assert!(
        got[0].starts_with("Hello! Welcome to Ada Boutique."),
        "{got:?}"
    );
    world.jobs_settled().await;
    assert_eq!(
        world.model.request_count(),
        1,
        "a rejected key is not retried"
    );
    let data = world
        .owner_query("{ aiSettings { lastError lastErrorAt } }")
        .await;
    let error = data["aiSettings"]["lastError"].as_str().unwrap();
    assert!(
        error.contains("rejected") && error.contains("authentication_error"),
        "{error}"
    );
    assert!(!error.contains("sk-ant"), "the key never appears in errors");
    assert_eq!(world.activity("ai_provider_error").await, 1);
}

#[tokio::test]
async fn a_spent_daily_budget_stops_model_calls() {
    let world = World::new().await;
    world
        .owner_query(
            "mutation { updateAiSettings(input: {dailyTokenBudget: 100}) { dailyTokenBudget } }",
        )
        .await;
    world.model.push([Scripted::text("Hello!")]);
    world.customer_says("hello").await;
    world.received(1).await;
    assert_eq!(
        world.model.request_count(),
        1,
        "120 tokens used: over the budget now"
    );
    let got = world
        .customer_says_and_gets("how much are the gold hoop earrings", 2)
        .await;
    assert!(
        got[1].contains("Gold hoop earrings: NGN 9,500.00"),
        "{got:?}"
    );
    assert_eq!(
        world.model.request_count(),
        1,
        "no model call once the budget is spent"
    );
}

#[tokio::test]
async fn three_quick_messages_get_one_model_call_and_one_reply() {
    let world = World::new_with(|c| c.agent.reply_debounce = Duration::from_millis(600)).await;
    world
        .model
        .push([Scripted::text("Yes, we have it in red!")]);
    for text in ["hi", "do you have the dress", "in red?"] {
        world.customer_says(text).await;
    }
    assert_eq!(world.received(1).await, ["Yes, we have it in red!"]);
    world.jobs_settled().await;
    assert_eq!(world.model.request_count(), 1);
    assert_eq!(world.graph.texts().len(), 1);
    let first = &world.model.requests()[0].body["messages"][0]["content"][0]["text"];
    assert_eq!(first, "hi\ndo you have the dress\nin red?");
}

#[tokio::test]
async fn a_job_whose_worker_died_runs_once_after_its_lease() {
    // No workers at first: this test plays the worker that dies.
    let world = World::new_with(|c| {
        c.agent.workers = 0;
        c.agent.reply_debounce = Duration::from_millis(10);
    })
    .await;
    world.customer_says("hello").await;
    let job_id = world
        .count("SELECT CAST(id AS SIGNED) AS n FROM jobs WHERE kind = 'ai_reply'")
        .await as u64;
    let mut conn = world.app.app.db().await.unwrap();
    // Claim it and "die": the lease (1 s) is never released.
    let claimed = loop {
        let c = jobs::claim(
            &mut conn,
            &[jobs::JobKind::AiReply],
            Utc::now().naive_utc(),
            chrono::Duration::seconds(1),
            1,
        )
        .await
        .unwrap();
        if !c.is_empty() {
            break c;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(claimed[0].id, job_id);
    let workers = backend::jobs::Workers::start_with(world.app.app.clone(), 2);
    world.model.push([Scripted::text("Hello, welcome back!")]);
    let got = world.received(1).await;
    assert_eq!(got, ["Hello, welcome back!"]);
    world.jobs_settled().await;
    let job = jobs::find(&mut conn, job_id).await.unwrap().unwrap();
    assert_eq!(
        job.attempts, 2,
        "claimed by the dead worker, then by a live one"
    );

    // Even if the worker died after sending (job still claimable), the chat is not
    // answered twice.
    diesel::sql_query(format!(
        "UPDATE jobs SET done_at = NULL, locked_until = NULL, attempts = 0 WHERE id = {job_id}"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    world.jobs_settled().await;
    assert_eq!(world.graph.texts().len(), 1);
    assert_eq!(world.model.request_count(), 1);
    workers.shutdown().await;
}

#[tokio::test]
async fn two_workers_racing_claim_a_job_once() {
    let world = World::new_with(|c| {
        c.agent.workers = 0;
        c.agent.reply_debounce = Duration::ZERO;
    })
    .await;
    for round in 0..10 {
        world.customer_says(&format!("message {round}")).await;
        let now = Utc::now().naive_utc() + chrono::Duration::seconds(1);
        let lease = chrono::Duration::seconds(60);
        let (mut a, mut b) = (
            world.app.app.db().await.unwrap(),
            world.app.app.db().await.unwrap(),
        );
        let (x, y) = tokio::join!(
            jobs::claim(&mut a, &[jobs::JobKind::AiReply], now, lease, 1),
            jobs::claim(&mut b, &[jobs::JobKind::AiReply], now, lease, 1),
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        assert_eq!(
            x.len() + y.len(),
            1,
            "round {round}: exactly one claim wins"
        );
        let job = x.into_iter().chain(y).next().unwrap();
        jobs::complete(&mut a, &job, now, None).await.unwrap();
    }
}

#[tokio::test]
async fn a_model_slower_than_the_job_lease_never_makes_two_replies_or_two_orders() {
    let world = World::new_with(|c| {
        c.agent.workers = 0;
        c.agent.reply_debounce = Duration::from_millis(10);
        c.agent.job_lease = Duration::from_secs(1);
    })
    .await;
    let order = |id: &str| {
        create_order(
            id,
            json!({"product_id": world.dress_id, "quantity": 1, "color": "Blue", "unit_price": 22500}),
            Some("Ada Customer"),
            "3 Marina Road, Lagos",
        )
    };
    world.model.push([
        // The first worker's model call outlives the lease (1 s) ...
        order("tu_slow").after(Duration::from_millis(2500)),
        // ... so the second worker claims the job, orders and answers meanwhile ...
        order("tu_fast"),
        Scripted::text("Your dress is ordered."),
        // ... and what the first worker's model says last never reaches the customer.
        Scripted::text("Your dress is ordered (again)."),
    ]);
    let workers = backend::jobs::Workers::start_with(world.app.app.clone(), 2);
    world
        .customer_says("I'll take the blue dress, 3 Marina Road")
        .await;
    assert_eq!(world.received(1).await, ["Your dress is ordered."]);
    // The slow worker's last model call, then its run's end (shutdown waits for it).
    let deadline = Instant::now() + Duration::from_secs(10);
    while world.model.request_count() < 4 {
        assert!(Instant::now() < deadline, "the slow worker never came back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    workers.shutdown().await;

    assert_eq!(world.graph.texts(), ["Your dress is ordered."]);
    assert_eq!(world.rows("orders").await, 1);
    // The slow worker's order was refused to the model, with is_error.
    let refused = world.model.requests()[3].body["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["content"][0]
        .clone();
    assert_eq!(refused["is_error"], true, "{refused}");
}
