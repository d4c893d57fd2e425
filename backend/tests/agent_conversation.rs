//! The AI salesperson end to end: customers write through the signed webhook, the
//! scripted model acts through tools, replies reach the Graph stand-in.

use backend::events::{DomainEvent, EventKind};
use serde_json::json;
use standins::anthropic::Scripted;

use crate::agent_support::{World, create_order};
use crate::common::error_code;
use crate::inbox_support::{WAIT, WsClient, WsEvent};

/// Whether `text` names the amount `amount` on its own (not inside a larger number).
fn has_amount(text: &str, amount: &str) -> bool {
    text.match_indices(amount).any(|(i, _)| {
        !text[..i].ends_with(|c: char| c.is_ascii_digit() || c == ',')
            && !text[i + amount.len()..].starts_with(|c: char| c.is_ascii_digit())
    })
}

fn bodies(world: &World) -> Vec<String> {
    world
        .model
        .requests()
        .iter()
        .map(|r| r.body.to_string())
        .collect()
}

#[tokio::test]
async fn a_full_conversation_ends_in_an_order_at_the_agreed_price() {
    let world = World::new().await;
    let dress = world.dress_id;

    // Greeting.
    world.model.push([Scripted::text(
        "Hello Ada! Welcome to Ada Boutique. How can I help?",
    )]);
    let got = world.customer_says_and_gets("Hi", 1).await;
    assert_eq!(
        got[0],
        "Hello Ada! Welcome to Ada Boutique. How can I help?"
    );

    // Product question: the model searches, then answers with catalog prices.
    world.model.push([
        Scripted::tool_use("tu_1", "search_products", json!({"query": "ankara dress"})),
        Scripted::text("The Ankara wrap dress is NGN 22,500.00 today (was NGN 25,000.00), in Red, Blue and Green."),
    ]);
    let got = world
        .customer_says_and_gets("How much is the ankara dress?", 2)
        .await;
    assert!(got[1].contains("22,500.00"), "{got:?}");

    // Haggling: the policy counters 15,000 with 21,100.
    world.model.push([
        Scripted::tool_use(
            "tu_2",
            "make_counter_offer",
            json!({"product_id": dress, "customer_offer": 15000}),
        ),
        Scripted::text("I can give it to you for NGN 21,100.00."),
    ]);
    let got = world
        .customer_says_and_gets("Can I get it for 15,000?", 3)
        .await;
    assert!(got[2].contains("21,100.00"), "{got:?}");

    // The customer accepts and gives delivery details; the model records the order.
    world.model.push([
        Scripted::tool_use("tu_3", "make_counter_offer", json!({"product_id": dress, "customer_offer": 21100})),
        create_order(
            "tu_4",
            json!({"product_id": dress, "quantity": 1, "color": "red", "unit_price": 21100}),
            Some("Ada"),
            "12 Allen Avenue, Ikeja, Lagos",
        ),
        Scripted::text("Done! Your red Ankara wrap dress is ordered: total NGN 21,100.00, delivered to 12 Allen Avenue."),
    ]);
    let got = world
        .customer_says_and_gets(
            "OK deal at 21,100. The red one, deliver to 12 Allen Avenue, Ikeja",
            4,
        )
        .await;
    assert!(got[3].contains("21,100.00"), "{got:?}");
    assert_eq!(world.model.remaining(), 0, "every scripted turn was used");

    // The order exists at the agreed price, stock went down by one.
    assert_eq!(world.rows("orders WHERE source = 'chat' AND total_minor = 2110000 AND delivery_details LIKE '12 Allen Avenue%'").await, 1);
    assert_eq!(
        world
            .rows("order_items WHERE unit_price_minor = 2110000 AND quantity = 1 AND color = 'Red'")
            .await,
        1
    );
    assert_eq!(world.stock(dress).await, 13);
    // Meta has the last reply; its `sent` is recorded once the job is done.
    world.jobs_settled().await;
    assert_eq!(
        world
            .rows("messages WHERE direction = 'outbound' AND sent_by = 'ai' AND status = 'sent'")
            .await,
        4
    );

    // The owner sees it in the API.
    let data = world.owner_query("{ orders(first: 5) { totalCount nodes { number source total { amountMinor } items { name color quantity unitPrice { formatted } } } } }").await;
    let order = &data["orders"]["nodes"][0];
    assert_eq!(data["orders"]["totalCount"], 1);
    assert_eq!(order["source"], "CHAT");
    assert_eq!(order["total"]["amountMinor"], 2_110_000);
    assert_eq!(order["items"][0]["unitPrice"]["formatted"], "NGN 21,100.00");

    // The chat keeps the negotiation and product interest.
    let negotiation = world.rows("chats WHERE negotiation LIKE '%\"agreed_minor\":2110000%' AND product_interest LIKE '%Ankara wrap dress%'").await;
    assert_eq!(negotiation, 1);

    let data = world.owner_query("{ chats(first: 1) { nodes { negotiations { productName ourLastOffer { formatted } agreedPrice { formatted } rounds } productInterest { name } orders { number total { amountMinor } items { color } } } } }").await;
    let chat = &data["chats"]["nodes"][0];
    assert_eq!(chat["negotiations"][0]["productName"], "Ankara wrap dress");
    assert_eq!(
        chat["negotiations"][0]["agreedPrice"]["formatted"],
        "NGN 21,100.00"
    );
    assert_eq!(chat["negotiations"][0]["rounds"], 1);
    assert_eq!(chat["productInterest"][0]["name"], "Ankara wrap dress");
    assert_eq!(chat["orders"][0]["total"]["amountMinor"], 2_110_000);
    assert_eq!(chat["orders"][0]["items"][0]["color"], "Red");

    // What the model saw: the API's headers, tools, a cached system prompt, and no
    // floor, phone number or BSUID anywhere.
    let requests = world.model.requests();
    assert_eq!(requests.len(), 8);
    for r in &requests {
        assert_eq!(r.api_key.as_deref(), Some("sk-ant-server-test-key-000000"));
        assert_eq!(r.version.as_deref(), Some("2023-06-01"));
        assert_eq!(r.body["system"][0]["cache_control"]["type"], "ephemeral");
        assert_eq!(r.body["tools"].as_array().unwrap().len(), 6);
    }
    for body in bodies(&world) {
        for secret in [
            "19,000",
            "1900000",
            "19000.00",
            "2348011112222",
            "bargain",
            world.customer.user_id.as_deref().unwrap(),
        ] {
            assert!(!body.contains(secret), "the model saw {secret:?}: {body}");
        }
    }
    // Tool results went back to the model, tied to their tool_use ids.
    let second = &requests[2].body["messages"];
    let last = second.as_array().unwrap().last().unwrap();
    assert_eq!(last["content"][0]["type"], "tool_result");
    assert_eq!(last["content"][0]["tool_use_id"], "tu_1");
}

#[tokio::test]
async fn a_price_below_the_floor_is_refused_by_the_tools_and_never_reaches_the_customer() {
    let world = World::new().await;
    let dress = world.dress_id;
    world.model.push([
        Scripted::tool_use(
            "tu_1",
            "make_counter_offer",
            json!({"product_id": dress, "customer_offer": 5000, "proposed_price": 5000}),
        ),
        create_order(
            "tu_2",
            json!({"product_id": dress, "quantity": 1, "color": "Blue", "unit_price": 5000}),
            None,
            "3 Marina Road, Lagos",
        ),
        Scripted::text("Sorry, the best price for the dress is NGN 22,500.00."),
    ]);
    let got = world
        .customer_says_and_gets(
            "Give me the dress for 5,000 and send it to 3 Marina Road",
            1,
        )
        .await;
    assert_eq!(
        got[0],
        "Sorry, the best price for the dress is NGN 22,500.00."
    );

    // Both tools refused, with is_error, and nothing was recorded.
    let requests = world.model.requests();
    let results: Vec<serde_json::Value> = requests[1..]
        .iter()
        .map(|r| r.body["messages"].as_array().unwrap().last().unwrap()["content"][0].clone())
        .collect();
    assert!(
        results
            .iter()
            .all(|r| r["type"] == "tool_result" && r["is_error"] == true),
        "{results:?}"
    );
    assert_eq!(world.rows("orders").await, 0);
    assert_eq!(world.stock(dress).await, 14);
    assert!(
        world
            .graph
            .texts()
            .iter()
            .all(|t| !has_amount(t, "5,000") && !has_amount(t, "5000"))
    );
}

#[tokio::test]
async fn a_model_text_agreeing_below_the_floor_is_replaced_before_sending() {
    let world = World::new().await;
    world.model.push([Scripted::text("fine, 5,000 it is!")]);
    let got = world
        .customer_says_and_gets("Ankara dress for 5,000?", 1)
        .await;
    assert!(!has_amount(&got[0], "5,000"), "{got:?}");
    assert!(
        got[0].contains("Ankara wrap dress"),
        "the safe reply quotes the catalog: {got:?}"
    );
    assert!(got[0].contains("NGN 22,500.00"), "{got:?}");
    assert_eq!(world.activity("ai_reply_blocked").await, 1);
    // The stored message is the safe one too.
    assert_eq!(
        world
            .rows("messages WHERE sent_by = 'ai' AND body LIKE '%5,000 it is%'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_model_that_agrees_without_a_number_or_in_words_is_stopped_too() {
    let world = World::new().await;
    // "Yes, deal!" to a below-floor ask names no price, but agrees to one. Words and
    // space-grouped thousands are amounts too.
    let attempts = [
        (
            "Yes, deal! I'll send it today.",
            "Can I have the ankara dress for 12,000?",
        ),
        (
            "Fine, seventeen thousand naira for you.",
            "and the ankara dress for 17k?",
        ),
        ("Okay, 18 000 then.", "ankara dress, last offer?"),
    ];
    for (n, (model_says, customer_says)) in attempts.iter().enumerate() {
        world.model.push([Scripted::text(model_says)]);
        world.customer_says(customer_says).await;
        world.received(n + 1).await;
    }
    let got = world.received(3).await;
    for text in &got {
        assert!(
            !text.contains("deal") && !text.contains("seventeen") && !text.contains("18 000"),
            "{got:?}"
        );
        assert!(text.contains("NGN 22,500.00"), "the safe reply: {got:?}");
    }
    assert_eq!(world.activity("ai_reply_blocked").await, 3);
}

#[tokio::test]
async fn the_try_it_console_runs_dry_against_the_real_catalog() {
    let world = World::new().await;
    let dress = world.dress_id;
    world.model.push([
        create_order(
            "tu_1",
            json!({"product_id": dress, "quantity": 2, "color": "Green", "unit_price": 22500}),
            None,
            "5 Broad Street",
        ),
        Scripted::text("Your order for 2 dresses comes to NGN 45,000.00."),
    ]);
    let data = world
        .app
        .gql_ok(
            Some(&world.token),
            "query($m: String!, $h: [PreviewTurnInput!]) { previewAiReply(message: $m, history: $h) { reply responder blockedAmounts toolCalls { name isError input result } } }",
            json!({"m": "2 green ones to 5 Broad Street please", "h": [{"from": "CUSTOMER", "text": "hi"}, {"from": "BUSINESS", "text": "Hello!"}]}),
        )
        .await;
    let p = &data["previewAiReply"];
    assert_eq!(
        p["reply"],
        "Your order for 2 dresses comes to NGN 45,000.00."
    );
    assert_eq!(p["responder"], "MODEL");
    assert_eq!(p["toolCalls"][0]["name"], "create_order");
    assert_eq!(p["toolCalls"][0]["isError"], false);
    assert_eq!(p["toolCalls"][0]["result"]["dry_run"], true);
    // Nothing written, nothing sent.
    assert_eq!(world.rows("orders").await, 0);
    assert_eq!(world.stock(dress).await, 14);
    assert!(world.graph.payloads().is_empty());
    // The history reached the model as alternating turns.
    let roles: Vec<String> = world.model.requests()[0].body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
}

#[tokio::test]
async fn without_any_key_the_built_in_responder_answers_from_the_catalog() {
    let world = World::new_with(|c| c.anthropic_api_key = None).await;
    let got = world
        .customer_says_and_gets("how much is the ankara dress", 1)
        .await;
    assert!(got[0].contains("Ankara wrap dress: NGN 22,500.00 (was NGN 25,000.00), 14 in stock, colors: Red, Blue, Green."), "{got:?}");
    assert_eq!(world.model.request_count(), 0);
    let got = world
        .customer_says_and_gets("I need to talk about something else", 2)
        .await;
    assert!(
        got[1].contains("A person from Ada Boutique will reply soon"),
        "{got:?}"
    );
}

#[tokio::test]
async fn without_a_key_the_built_in_responder_haggles_but_never_below_the_floor() {
    let world = World::new_with(|c| c.anthropic_api_key = None).await;
    world.customer_says("how much is the ankara dress?").await;
    assert!(world.received(1).await[0].contains("NGN 22,500.00"));
    // The dress is remembered: the ask needs no product name.
    let got = world
        .customer_says_and_gets("can I get it for 15,000?", 2)
        .await;
    assert!(got[1].contains("NGN 21,100.00"), "{got:?}");
    for n in 3..=6 {
        world.customer_says("10k?").await;
        world.received(n).await;
    }
    let got = world.received(6).await;
    assert!(
        got[5].contains("NGN 19,000.00") && got[5].contains("best price"),
        "{got:?}"
    );
    // Every amount the customer was told is at or above the floor (NGN 19,000.00).
    for text in &got {
        for amount in backend::agent::guard::find_amounts(text, 2, 100_000) {
            assert!(amount.minor >= 1_900_000, "told {}: {got:?}", amount.text);
        }
    }
    let got = world
        .customer_says_and_gets(
            "fine, 19,000 for the red one. Deliver to 12 Allen Avenue",
            7,
        )
        .await;
    assert!(
        got[6].starts_with("Deal!") && got[6].contains("NGN 19,000.00"),
        "{got:?}"
    );
    // The negotiation is on the chat, for the owner and for the model later.
    let data = world.owner_query("{ chats(first: 1) { nodes { negotiations { agreedPrice { formatted } rounds } productInterest { name } } } }").await;
    let chat = &data["chats"]["nodes"][0];
    assert_eq!(
        chat["negotiations"][0]["agreedPrice"]["formatted"],
        "NGN 19,000.00"
    );
    assert_eq!(chat["productInterest"][0]["name"], "Ankara wrap dress");
    assert_eq!(world.model.request_count(), 0);
}

#[tokio::test]
async fn ai_settings_keep_the_key_secret_and_orders_of_others_are_not_found() {
    let world = World::new().await;
    let data = world.owner_query("mutation { setAnthropicKey(apiKey: \"sk-ant-api03-very-secret-key-7f3a\") { anthropicKeyHint usesOwnKey modelAvailable } }").await;
    assert_eq!(data["setAnthropicKey"]["anthropicKeyHint"], "••••7f3a");
    assert_eq!(data["setAnthropicKey"]["usesOwnKey"], true);
    let stored = world
        .rows("businesses WHERE anthropic_key_enc LIKE '%very-secret%'")
        .await;
    assert_eq!(stored, 0, "the key is stored encrypted");

    // The business's own key is the one used.
    world.model.push([Scripted::text("Hello!")]);
    world.customer_says("hello").await;
    world.received(1).await;
    assert_eq!(
        world.model.requests()[0].api_key.as_deref(),
        Some("sk-ant-api03-very-secret-key-7f3a")
    );
    // The log says the key changed and the AI replied, and never holds the key.
    world.jobs_settled().await;
    assert_eq!(world.activity("ai_key_changed").await, 1);
    assert_eq!(world.activity("ai_replied").await, 1);
    assert_eq!(
        world
            .rows("activity_events WHERE details LIKE '%secret%' OR subject LIKE '%secret%'")
            .await,
        0
    );

    let data = world
        .owner_query(
            "{ aiSettings { usageToday { requests totalTokens } usageLast7Days { day } } }",
        )
        .await;
    assert_eq!(data["aiSettings"]["usageToday"]["requests"], 1);
    assert_eq!(data["aiSettings"]["usageToday"]["totalTokens"], 120);
    assert_eq!(
        data["aiSettings"]["usageLast7Days"]
            .as_array()
            .unwrap()
            .len(),
        7
    );

    let other = world.app.sign_up("Other Shop", "other@shops.test").await;
    let order_id = backend::graphql::ids::encode(shared::OrderId(1)).0;
    let resp = world
        .app
        .gql(
            Some(&other),
            "query($id: ID!) { order(id: $id) { id } }",
            json!({"id": order_id}),
        )
        .await;
    assert_eq!(error_code(&resp), "NOT_FOUND");
}

#[tokio::test]
async fn an_order_recorded_by_the_ai_reaches_its_owner_live_and_no_one_else() {
    let world = World::new().await;
    let dress = world.dress_id;
    let bob = world.app.sign_up("Bob Shoes", "bob@example.com").await;
    let bob_business = world.app.business_id(&bob).await;
    let order_query = "subscription { orderChanged { id number source total { formatted } deliveryDetails items { name color quantity unitPrice { formatted } } } }";
    let mut alice_ws = WsClient::init(&world.app, &world.token).await;
    let mut bob_ws = WsClient::init(&world.app, &bob).await;
    for ws in [&mut alice_ws, &mut bob_ws] {
        ws.subscribe("orders", order_query).await;
        // A ping round trip after the subscribe proves the server registered it.
        ws.send(json!({"type": "ping"})).await;
        assert!(matches!(ws.next(WAIT).await, Some(WsEvent::Json(v)) if v["type"] == "pong"));
    }

    world.model.push([
        create_order(
            "tu_1",
            json!({"product_id": dress, "quantity": 2, "color": "Blue", "unit_price": 22500}),
            Some("Ada"),
            "5 Broad Street, Lagos",
        ),
        Scripted::text("Done: 2 blue Ankara wrap dresses, NGN 45,000.00, to 5 Broad Street."),
    ]);
    world
        .customer_says("2 blue dresses please, to 5 Broad Street, Lagos")
        .await;
    let (id, data) = alice_ws.next_data().await;
    assert_eq!(id, "orders");
    let order = &data["orderChanged"];
    assert_eq!(order["source"], "CHAT");
    assert_eq!(order["total"]["formatted"], "NGN 45,000.00");
    assert_eq!(order["items"][0]["color"], "Blue");
    assert_eq!(order["items"][0]["quantity"], 2);
    assert!(
        order["deliveryDetails"]
            .as_str()
            .unwrap()
            .starts_with("5 Broad Street")
    );
    let alice_order = world
        .count("SELECT CAST(id AS SIGNED) AS n FROM orders")
        .await as u64;

    // Even an event wrongly addressed to Bob naming Alice's order yields nothing: the
    // order is loaded scoped to the subscriber's business.
    world.app.app.events.publish(DomainEvent {
        business_id: shared::BusinessId(bob_business),
        kind: EventKind::OrderChanged {
            order_id: alice_order,
        },
    });
    // Then an order of Bob's own. Events arrive in publication order, so had Alice's
    // order (or the misaddressed event) reached Bob, it would come first.
    {
        use diesel_async::RunQueryDsl;
        let mut conn = world.app.app.db().await.unwrap();
        diesel::sql_query(format!(
            "INSERT INTO orders (business_id, status, source, currency, total_minor) VALUES ({bob_business}, 'pending', 'manual', 'NGN', 700000)"
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let bob_order = world
        .count(&format!(
            "SELECT CAST(id AS SIGNED) AS n FROM orders WHERE business_id = {bob_business}"
        ))
        .await as u64;
    world.app.app.events.publish(DomainEvent {
        business_id: shared::BusinessId(bob_business),
        kind: EventKind::OrderChanged {
            order_id: bob_order,
        },
    });
    let (_, data) = bob_ws.next_data().await;
    assert_eq!(data["orderChanged"]["total"]["formatted"], "NGN 7,000.00");
    assert_eq!(data["orderChanged"]["number"], format!("#{bob_order}"));
}

#[tokio::test]
async fn a_chat_lists_its_ten_newest_orders() {
    let world = World::new_with(|c| c.anthropic_api_key = None).await;
    world.customer_says("hi").await;
    world.received(1).await;
    let chat = world
        .count("SELECT CAST(id AS SIGNED) AS n FROM chats")
        .await;
    let business = world.shop.business_id;
    {
        use diesel_async::RunQueryDsl;
        let mut conn = world.app.app.db().await.unwrap();
        for total in 1..=12 {
            diesel::sql_query(format!(
                "INSERT INTO orders (business_id, chat_id, status, source, currency, total_minor) VALUES ({business}, {chat}, 'pending', 'manual', 'NGN', {total}00)"
            ))
            .execute(&mut conn)
            .await
            .unwrap();
        }
    }
    let data = world
        .owner_query("{ chats(first: 5) { nodes { orders { total { amountMinor } } } } }")
        .await;
    let totals: Vec<i64> = data["chats"]["nodes"][0]["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["total"]["amountMinor"].as_i64().unwrap())
        .collect();
    assert_eq!(totals, (3..=12).rev().map(|t| t * 100).collect::<Vec<_>>());
}
