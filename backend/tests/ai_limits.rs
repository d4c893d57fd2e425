//! AI cost abuse: the "try it" preview is limited per business per minute and spends
//! the daily token budget like a reply does; a business on the server's own key has a
//! daily budget even when its owner set none.

use serde_json::{Value, json};
use standins::anthropic::Scripted;

use crate::agent_support::World;
use crate::common::error_code;

const PREVIEW: &str = "query($m: String!) { previewAiReply(message: $m) { reply responder } }";

async fn preview(world: &World, message: &str) -> Value {
    world
        .app
        .gql(Some(&world.token), PREVIEW, json!({"m": message}))
        .await
}

#[tokio::test]
async fn the_preview_after_the_per_minute_limit_is_refused_with_rate_limited() {
    let world = World::new_with(|c| c.agent.previews_per_minute = 3).await;
    world.model.push([
        Scripted::text("One"),
        Scripted::text("Two"),
        Scripted::text("Three"),
        Scripted::text("Four"),
    ]);
    for expected in ["One", "Two", "Three"] {
        let resp = preview(&world, "how much is the dress?").await;
        assert!(resp.get("errors").is_none(), "{resp}");
        assert_eq!(resp["data"]["previewAiReply"]["reply"], expected);
    }
    let refused = preview(&world, "how much is the dress?").await;
    assert_eq!(error_code(&refused), "RATE_LIMITED", "{refused}");
    assert_eq!(
        refused["errors"][0]["message"],
        "at most 3 AI previews a minute; try again in a minute"
    );
    // The refused preview never reached the model.
    assert_eq!(world.model.requests().len(), 3);
}

#[tokio::test]
async fn a_preview_counts_in_the_day_s_usage_and_against_the_daily_budget() {
    let world = World::new().await;
    world
        .app
        .gql_ok(
            Some(&world.token),
            "mutation { updateAiSettings(input: {dailyTokenBudget: 100}) { dailyTokenBudget } }",
            json!({}),
        )
        .await;
    world.model.push([Scripted::text("From the model")]);
    let first = preview(&world, "hello").await;
    assert_eq!(
        first["data"]["previewAiReply"]["responder"], "MODEL",
        "{first}"
    );
    let usage = world
        .owner_query("{ aiSettings { usageToday { requests totalTokens } } }")
        .await;
    assert_eq!(usage["aiSettings"]["usageToday"]["requests"], 1);
    let spent = usage["aiSettings"]["usageToday"]["totalTokens"]
        .as_i64()
        .unwrap();
    assert!(spent >= 100, "the stand-in's answer costs {spent} tokens");
    // The budget is spent: the next preview is the built-in responder's, no model call.
    let second = preview(&world, "how much is the ankara wrap dress?").await;
    assert_eq!(
        second["data"]["previewAiReply"]["responder"], "BUILT_IN",
        "{second}"
    );
    assert_eq!(world.model.requests().len(), 1);
}

#[tokio::test]
async fn a_business_on_the_server_key_has_a_default_daily_budget() {
    let world = World::new_with(|c| c.agent.server_key_daily_tokens = 100).await;
    let settings = world
        .owner_query("{ aiSettings { usesOwnKey dailyTokenBudget effectiveDailyTokenBudget } }")
        .await;
    assert_eq!(
        settings["aiSettings"],
        json!({"usesOwnKey": false, "dailyTokenBudget": null, "effectiveDailyTokenBudget": 100})
    );
    world
        .model
        .push([Scripted::text("From the model"), Scripted::text("Again")]);
    let first = preview(&world, "hello").await;
    assert_eq!(
        first["data"]["previewAiReply"]["responder"], "MODEL",
        "{first}"
    );
    let second = preview(&world, "how much is the ankara wrap dress?").await;
    assert_eq!(
        second["data"]["previewAiReply"]["responder"], "BUILT_IN",
        "{second}"
    );
    assert_eq!(world.model.requests().len(), 1);

    // An owner's budget above the server's allowance does not raise it.
    let raised = world
        .owner_query(
            "mutation { updateAiSettings(input: {dailyTokenBudget: 5000000}) { dailyTokenBudget effectiveDailyTokenBudget } }",
        )
        .await;
    assert_eq!(raised["updateAiSettings"]["effectiveDailyTokenBudget"], 100);

    // With its own key, the business pays: only its own budget applies.
    let own = world
        .owner_query(
            "mutation { setAnthropicKey(apiKey: \"sk-ant-api03-own-key-of-the-shop-1234\") { usesOwnKey effectiveDailyTokenBudget } }",
        )
        .await;
    assert_eq!(
        own["setAnthropicKey"],
        json!({"usesOwnKey": true, "effectiveDailyTokenBudget": 5000000})
    );
    let third = preview(&world, "hello again").await;
    assert_eq!(
        third["data"]["previewAiReply"]["responder"], "MODEL",
        "{third}"
    );
    assert_eq!(world.model.requests().len(), 2);
}
