//! Owner approval for out-of-policy deals: a below-floor (or bulk) ask becomes a
//! pending request instead of a refusal; the owner approves a price (never below the
//! hard minimum) or declines; the customer is told once, and what was decided binds
//! the AI afterwards (orders at the approved price, never lower; the floor final after
//! a decline or expiry).

use serde_json::{Value, json};
use standins::anthropic::Scripted;

use crate::agent_support::{World, create_order};
use crate::common::error_code;

const APPROVALS: &str = "{ dealApprovals(first: 10) { nodes { id status reason quantity productName customerAsk { amountMinor } floor { amountMinor } approvedPrice { amountMinor formatted } customerTold answerError decidedBy chat { id } } } }";

async fn enable(world: &World, extra: Value) {
    let mut input = json!({"enabled": true});
    if let (Some(i), Some(e)) = (input.as_object_mut(), extra.as_object()) {
        i.extend(e.clone());
    }
    world
        .app
        .gql_ok(
            Some(&world.token),
            "mutation($input: DealApprovalSettingsInput!) { updateDealApprovalSettings(input: $input) { enabled bulkQuantity expiryMinutes } }",
            json!({"input": input}),
        )
        .await;
}

async fn approvals(world: &World) -> Vec<Value> {
    world.owner_query(APPROVALS).await["dealApprovals"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The model hears a below-floor ask and calls the counter-offer tool.
async fn ask_below_floor(world: &World, n: usize) -> Vec<String> {
    world.model.push([
        Scripted::tool_use(
            "tu_ask",
            "make_counter_offer",
            json!({"product_id": world.dress_id, "customer_offer": 15000}),
        ),
        Scripted::text("Let me check with the shop and come back to you shortly."),
    ]);
    world
        .customer_says_and_gets("Can I have the dress for 15,000?", n)
        .await
}

/// Whether a tool answered the model with this decision (as it appears, escaped, in
/// the requests' `tool_result` blocks).
fn decided(world: &World, decision: &str) -> bool {
    tool_results(world).contains(&format!("\\\"decision\\\":\\\"{decision}\\\""))
}

fn tool_results(world: &World) -> String {
    world
        .model
        .requests()
        .iter()
        .map(|r| r.body.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn approve(world: &World, token: &str, id: &str, price: Option<i64>) -> Value {
    world
        .app
        .gql(
            Some(token),
            "mutation($input: ApproveDealInput!) { approveDeal(input: $input) { id status approvedPrice { amountMinor } decidedBy } }",
            json!({"input": {"id": id, "price": price, "note": "good customer"}}),
        )
        .await
}

#[tokio::test]
async fn a_below_floor_ask_waits_for_the_owner_whose_approved_price_the_customer_gets_and_orders_at()
 {
    let world = World::new().await;
    enable(&world, json!({})).await;

    let got = ask_below_floor(&world, 1).await;
    assert_eq!(
        got[0],
        "Let me check with the shop and come back to you shortly."
    );
    assert!(
        decided(&world, "needs_owner_approval"),
        "the tool told the model to ask the owner"
    );
    let pending = approvals(&world).await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["status"], "PENDING");
    assert_eq!(pending[0]["reason"], "BELOW_FLOOR");
    assert_eq!(pending[0]["customerAsk"]["amountMinor"], 1_500_000);
    assert_eq!(pending[0]["floor"]["amountMinor"], 1_900_000);
    assert!(pending[0]["chat"]["id"].is_string());
    assert_eq!(world.activity("deal_approval_requested").await, 1);

    // Asked again while pending: no second request; the model is told to wait.
    world.model.push([
        Scripted::tool_use(
            "tu_again",
            "make_counter_offer",
            json!({"product_id": world.dress_id, "customer_offer": 14000}),
        ),
        Scripted::text("I'm still waiting for the shop's answer."),
    ]);
    world.customer_says_and_gets("14,000 then?", 2).await;
    assert!(decided(&world, "awaiting_owner"));
    assert_eq!(approvals(&world).await.len(), 1);

    // The owner approves 17,000: the customer is told once, by the AI.
    let id = pending[0]["id"].as_str().unwrap().to_string();
    let approved = approve(&world, &world.token, &id, Some(1_700_000)).await;
    assert_eq!(
        approved["data"]["approveDeal"]["status"], "APPROVED",
        "{approved}"
    );
    let got = world.received(3).await;
    assert!(got[2].contains("17,000.00"), "{got:?}");
    assert!(got[2].contains("approved"), "{got:?}");
    world.jobs_settled().await;
    let now = approvals(&world).await;
    assert_eq!(now[0]["customerTold"], true);
    assert_eq!(now[0]["approvedPrice"]["amountMinor"], 1_700_000);
    assert_eq!(world.activity("deal_approved").await, 1);
    assert_eq!(
        world
            .rows("messages WHERE direction = 'outbound' AND sent_by = 'ai' AND body LIKE '%17,000.00%'")
            .await,
        1,
        "told once"
    );

    // Deciding again is refused by name.
    let again = approve(&world, &world.token, &id, None).await;
    assert_eq!(error_code(&again), "BAD_USER_INPUT");
    assert!(again.to_string().contains("approved"), "{again}");

    // The customer accepts: the order is recorded at the approved price, below the
    // floor; a price under the approved one is refused.
    world.model.push([
        create_order(
            "tu_low",
            json!({"product_id": world.dress_id, "quantity": 1, "color": "red", "unit_price": 16000}),
            None,
            "12 Allen Avenue, Ikeja",
        ),
        create_order(
            "tu_ok",
            json!({"product_id": world.dress_id, "quantity": 1, "color": "red", "unit_price": 17000}),
            None,
            "12 Allen Avenue, Ikeja",
        ),
        Scripted::text("Done! Your red dress is ordered at NGN 17,000.00."),
    ]);
    let got = world
        .customer_says_and_gets("Great, the red one, deliver to 12 Allen Avenue, Ikeja", 4)
        .await;
    assert!(
        got[3].contains("17,000.00"),
        "the guard let the approved price through: {got:?}"
    );
    assert_eq!(
        world
            .rows("orders WHERE source = 'chat' AND total_minor = 1700000")
            .await,
        1
    );
    assert_eq!(world.rows("orders").await, 1, "the lower price was refused");
}

#[tokio::test]
async fn a_declined_or_expired_request_offers_the_floor_and_the_floor_stays_final() {
    let world = World::new().await;
    enable(&world, json!({})).await;
    ask_below_floor(&world, 1).await;
    let id = approvals(&world).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let declined = world
        .app
        .gql_ok(
            Some(&world.token),
            "mutation($input: DeclineDealInput!) { declineDeal(input: $input) { status decidedBy } }",
            json!({"input": {"id": id, "note": "too low"}}),
        )
        .await;
    assert_eq!(declined["declineDeal"]["status"], "DECLINED");
    let got = world.received(2).await;
    assert!(
        got[1].contains("19,000.00"),
        "the floor is offered: {got:?}"
    );
    assert_eq!(world.activity("deal_declined").await, 1);

    // The customer asks again lower: no new request, the floor is the final word.
    world.model.push([
        Scripted::tool_use(
            "tu_2",
            "make_counter_offer",
            json!({"product_id": world.dress_id, "customer_offer": 16000}),
        ),
        Scripted::text("NGN 19,000.00 is our best price."),
    ]);
    world.customer_says_and_gets("16,000?", 3).await;
    assert!(decided(&world, "final"), "{}", tool_results(&world));
    assert_eq!(approvals(&world).await.len(), 1);

    // A second customer's request expires: the floor is offered, logged as expired.
    let other = standins::webhook::Customer::with_phone("2348099990000", "Bola");
    world.model.push([
        Scripted::tool_use(
            "tu_3",
            "make_counter_offer",
            json!({"product_id": world.dress_id, "customer_offer": 15000}),
        ),
        Scripted::text("Let me check with the shop."),
    ]);
    crate::webhook_support::text_to(
        &world.app,
        &world.shop.phone_number_id,
        &other,
        "15,000 for the dress?",
    )
    .await;
    let got = world.received(4).await;
    assert_eq!(got[3], "Let me check with the shop.");
    assert_eq!(approvals(&world).await.len(), 2);
    run_sql(
        &world,
        "UPDATE deal_approvals SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE status = 'pending'",
    )
    .await;
    run_sql(
        &world,
        "UPDATE jobs SET run_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE kind = 'deal_approval' AND done_at IS NULL",
    )
    .await;
    let got = world.received(5).await;
    assert!(got[4].contains("19,000.00"), "{got:?}");
    assert_eq!(world.activity("deal_approval_expired").await, 1);
    let statuses: Vec<String> = approvals(&world)
        .await
        .iter()
        .map(|a| a["status"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(statuses, ["EXPIRED", "DECLINED"]);
}

/// Runs a statement on the test's database.
async fn run_sql(world: &World, sql: &str) {
    world.app.execute(sql).await;
}

#[tokio::test]
async fn approvals_respect_the_hard_minimum_the_rule_and_the_tenant() {
    let world = World::new().await;

    // The rule is off by default: a below-floor ask gets the policy's answer.
    ask_below_floor(&world, 1).await;
    assert!(!decided(&world, "needs_owner_approval"));
    assert!(decided(&world, "counter"));
    assert_eq!(world.rows("deal_approvals").await, 0);

    // Bad settings are refused by field.
    let bad = world
        .app
        .gql(
            Some(&world.token),
            "mutation { updateDealApprovalSettings(input: {enabled: true, expiryMinutes: 1}) { enabled } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT");
    assert!(bad.to_string().contains("expiryMinutes"), "{bad}");

    // A hard minimum of 16,000 on the dress; the rule on with a bulk threshold.
    let hard = world
        .app
        .gql(
            Some(&world.token),
            "mutation($id: ID!, $input: ProductInput!) { updateProduct(id: $id, input: $input) { hardMinimum { amountMinor } } }",
            json!({
                "id": crate::common::encode_id("Product", world.dress_id),
                "input": {
                    "name": "Ankara wrap dress", "description": "Hand-sewn cotton wrap dress, sizes 8 to 16",
                    "price": 2_500_000, "currency": "NGN", "discountKind": "PERCENT", "discountValue": 10,
                    "bargainFloor": 1_900_000, "hardMinimum": 1_600_000, "quantity": 14, "colors": ["Red", "Blue", "Green"]
                }
            }),
        )
        .await;
    assert_eq!(
        hard["data"]["updateProduct"]["hardMinimum"]["amountMinor"], 1_600_000,
        "{hard}"
    );
    enable(&world, json!({"bulkQuantity": 5})).await;

    // A bulk ask above the floor but below our offer goes to the owner too.
    world.model.push([
        Scripted::tool_use(
            "tu_bulk",
            "make_counter_offer",
            json!({"product_id": world.dress_id, "customer_offer": 20000, "quantity": 10}),
        ),
        Scripted::text("Let me check with the shop about ten."),
    ]);
    world
        .customer_says_and_gets("10 dresses at 20,000 each?", 2)
        .await;
    let list = approvals(&world).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["reason"], "BULK");
    assert_eq!(list[0]["quantity"], 10);
    let id = list[0]["id"].as_str().unwrap().to_string();

    // Below the hard minimum: refused, naming it.
    let low = approve(&world, &world.token, &id, Some(1_500_000)).await;
    assert_eq!(error_code(&low), "BAD_USER_INPUT");
    assert!(low.to_string().contains("hard minimum"), "{low}");

    // Another business sees nothing and can decide nothing.
    let (intruder, _) = world
        .app
        .sign_up_business("Mallory Shop", "mallory@example.com")
        .await;
    let stolen = approve(&world, &intruder, &id, None).await;
    assert_eq!(error_code(&stolen), "NOT_FOUND");
    let theirs = world
        .app
        .gql_ok(Some(&intruder), APPROVALS, json!({}))
        .await;
    assert_eq!(theirs["dealApprovals"]["nodes"], json!([]));
    let one = world
        .app
        .gql(
            Some(&intruder),
            "query($id: ID!) { dealApproval(id: $id) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(error_code(&one), "NOT_FOUND");
    assert_eq!(
        world.rows("deal_approvals WHERE status = 'pending'").await,
        1
    );

    // Anonymous callers are refused.
    let anon = world.app.gql(None, APPROVALS, json!({})).await;
    assert_eq!(error_code(&anon), "UNAUTHENTICATED");
}

#[tokio::test]
async fn the_built_in_responder_asks_the_owner_too() {
    let world = World::new_with(|c| c.anthropic_api_key = None).await;
    enable(&world, json!({})).await;
    let got = world
        .customer_says_and_gets("Can I have the Ankara wrap dress for 15000?", 1)
        .await;
    assert!(got[0].contains("check with Ada Boutique"), "{got:?}");
    assert!(!got[0].contains("15,000"), "no price named: {got:?}");
    let list = approvals(&world).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["status"], "PENDING");
    assert_eq!(world.model.request_count(), 0);
}
