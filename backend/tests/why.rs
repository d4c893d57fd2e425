//! "Why this reply": each AI reply keeps what it was written from (catalog rows and
//! prices, tool calls and results), the output check's verdict, the model and the prompt
//! version; only its own business can read it.

use serde_json::{Value, json};
use standins::anthropic::Scripted;

use crate::agent_support::World;
use crate::common::error_code;
use crate::inbox_support::chat_messages;

const WHY: &str = "query($m: ID!) { whyThisReply(messageId: $m) {
  responder model promptVersion fallbackReason guardVerdict blockedAmounts
  products { productId name price { formatted } discountedPrice { formatted } floor { formatted } quantity }
  toolCalls { name input result isError }
  orderIds handedOff
} }";

/// The AI's messages in the world's one chat, oldest first.
async fn ai_messages(world: &World) -> Vec<Value> {
    let data = world
        .owner_query("{ chats(first: 1) { nodes { id } } }")
        .await;
    let chat = data["chats"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    chat_messages(&world.app, &world.token, &chat)
        .await
        .into_iter()
        .filter(|m| m["sentBy"] == "AI")
        .collect()
}

async fn why(world: &World, message: &Value) -> Value {
    world
        .app
        .gql_ok(Some(&world.token), WHY, json!({"m": message["id"]}))
        .await["whyThisReply"]
        .clone()
}

#[tokio::test]
async fn a_reply_keeps_its_catalog_rows_tools_verdict_and_model() {
    let world = World::new().await;
    world.model.push([
        Scripted::tool_use(
            "tu_1",
            "make_counter_offer",
            json!({"product_id": world.dress_id, "customer_offer": 15000}),
        ),
        Scripted::text("For you, NGN 21,100.00. Shall I reserve one?"),
    ]);
    world
        .customer_says_and_gets("Can I get the ankara dress for 15,000?", 1)
        .await;
    world.jobs_settled().await;
    let messages = ai_messages(&world).await;
    assert_eq!(messages.len(), 1);
    let w = why(&world, &messages[0]).await;
    assert_eq!(w["responder"], "model");
    assert_eq!(w["model"], "claude-sonnet-4-5");
    assert_eq!(w["guardVerdict"], "passed");
    assert!(w["promptVersion"].as_str().is_some_and(|v| !v.is_empty()));
    let dress = w["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Ankara wrap dress")
        .unwrap_or_else(|| panic!("the dress was in the context: {w}"));
    assert_eq!(dress["price"]["formatted"], "NGN 25,000.00");
    assert_eq!(dress["floor"]["formatted"], "NGN 19,000.00");
    assert_eq!(w["toolCalls"][0]["name"], "make_counter_offer");
    assert_eq!(w["toolCalls"][0]["isError"], false);
    assert!(
        w["toolCalls"][0]["result"].to_string().contains("21100"),
        "{w}"
    );

    // Another business cannot read it; a customer's message has no explanation.
    let other = world.app.sign_up("Other Shop", "other@shops.test").await;
    let resp = world
        .app
        .gql(Some(&other), WHY, json!({"m": messages[0]["id"]}))
        .await;
    assert_eq!(error_code(&resp), "NOT_FOUND");
}

#[tokio::test]
async fn a_blocked_reply_says_what_the_check_caught() {
    let world = World::new().await;
    world.model.push([Scripted::text("fine, 5,000 it is!")]);
    world
        .customer_says_and_gets("Ankara dress for 5,000?", 1)
        .await;
    world.jobs_settled().await;
    let messages = ai_messages(&world).await;
    let w = why(&world, &messages[0]).await;
    assert_eq!(w["guardVerdict"], "blocked");
    assert_eq!(w["blockedAmounts"], json!(["5,000"]));
}

#[tokio::test]
async fn the_built_in_responder_says_why_it_answered() {
    let world = World::new_with(|c| c.anthropic_api_key = None).await;
    world
        .customer_says_and_gets("how much is the ankara dress", 1)
        .await;
    world.jobs_settled().await;
    let messages = ai_messages(&world).await;
    let w = why(&world, &messages[0]).await;
    assert_eq!(w["responder"], "built_in");
    assert_eq!(w["model"], Value::Null);
    assert_eq!(w["fallbackReason"], "no Anthropic API key is configured");
}
