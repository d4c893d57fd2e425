//! Orders in the back office over the API: created by hand (customer from the contacts
//! or new, prices never below the floor), edited while pending, moved only forward,
//! cancelled with the stock given back, listed with filters and totals, the catalog
//! live when an order takes stock, and nothing of it reachable from another business.
//! Orders from chat: the built-in responder records a pending order after a deal.
//! Notifications: the customer is told through the one sender (text in the window, the
//! template outside it, never when blacklisted), each outcome in the order's timeline.

use serde_json::{Value, json};

use crate::agent_support::World;
use crate::common::{TestApp, decode_id, error_code, product_input};
use crate::inbox_support::{self, NewChat, WAIT, WsClient, WsEvent, alice_chatting_with, posts};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use standins::graph::GraphStandin;

const ORDER_FIELDS: &str = "id number status source contactId customerName deliveryDetails notes
    total { amountMinor currency } items { productId name color quantity unitPrice { amountMinor } }
    createdAt completedAt";

fn create_mutation() -> String {
    format!("mutation($i: CreateOrderInput!) {{ createOrder(input: $i) {{ {ORDER_FIELDS} }} }}")
}

/// Alice's business with one product (price NGN 20,000, 10 % off = 18,000, floor
/// 15,000) in `stock` units; returns the server, her token and the product id.
async fn alice_with_dress(stock: i64) -> (TestApp, String, String) {
    let t = TestApp::spawn().await;
    let (alice, _) = t.sign_up_alice().await;
    let mut input = product_input("Ankara dress");
    input["quantity"] = json!(stock);
    let dress = t.create_product_from(&alice, input).await;
    (t, alice, dress)
}

/// A new-customer order input for `quantity` of `product` in red.
fn new_customer_order(product: &str, quantity: i64) -> Value {
    json!({
        "customer": {"new": {"name": "Ada Obi", "phone": "+234 803-123 4567"}},
        "items": [{"productId": product, "color": "red", "quantity": quantity}],
        "deliveryDetails": "4 Marina Road, Lagos",
        "notes": "Call before delivery"
    })
}

async fn create(t: &TestApp, token: &str, input: Value) -> Value {
    t.gql(Some(token), &create_mutation(), json!({"i": input}))
        .await
}

async fn create_ok(t: &TestApp, token: &str, input: Value) -> Value {
    let resp = create(t, token, input).await;
    assert!(resp.get("errors").is_none(), "unexpected errors: {resp}");
    resp["data"]["createOrder"].clone()
}

async fn stock(t: &TestApp, token: &str, product: &str) -> i64 {
    t.gql_ok(
        Some(token),
        "query($id: ID!) { product(id: $id) { quantity } }",
        json!({"id": product}),
    )
    .await["product"]["quantity"]
        .as_i64()
        .unwrap()
}

/// Runs `confirmOrder`, `completeOrder` or `cancelOrder` on `id`.
async fn act(t: &TestApp, token: &str, action: &str, id: &str) -> Value {
    let args = if action == "cancelOrder" {
        "(id: $id, reason: \"customer changed their mind\")"
    } else {
        "(id: $id)"
    };
    t.gql(
        Some(token),
        &format!("mutation($id: ID!) {{ {action}{args} {{ id status completedAt }} }}"),
        json!({"id": id}),
    )
    .await
}

async fn act_ok(t: &TestApp, token: &str, action: &str, id: &str) -> Value {
    let resp = act(t, token, action, id).await;
    assert!(resp.get("errors").is_none(), "{action}: {resp}");
    resp["data"][action].clone()
}

async fn timeline(t: &TestApp, token: &str, order: &str) -> Vec<Value> {
    let data = t
        .gql_ok(
            Some(token),
            "query($s: ID!) { activity(first: 20, filter: {subjectId: $s}) { nodes { kind actor { kind name } details } } }",
            json!({"s": order}),
        )
        .await;
    let mut nodes = data["activity"]["nodes"].as_array().unwrap().clone();
    nodes.reverse();
    nodes
}

fn kinds(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["kind"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_manual_order_moves_pending_confirmed_completed_and_each_step_is_in_its_timeline() {
    let (t, alice, dress) = alice_with_dress(12).await;
    let order = create_ok(&t, &alice, new_customer_order(&dress, 2)).await;
    assert_eq!(order["status"], "PENDING");
    assert_eq!(order["source"], "MANUAL");
    assert_eq!(order["customerName"], "Ada Obi");
    assert_eq!(order["deliveryDetails"], "4 Marina Road, Lagos");
    assert_eq!(order["items"][0]["color"], "Red");
    // No price given: the discounted price.
    assert_eq!(order["items"][0]["unitPrice"]["amountMinor"], 1_800_000);
    assert_eq!(order["total"]["amountMinor"], 3_600_000);
    assert_eq!(stock(&t, &alice, &dress).await, 10);
    // The new customer is a contact, phone stored as digits.
    assert_eq!(
        t.rows("contacts WHERE wa_id = '2348031234567' AND profile_name = 'Ada Obi'")
            .await,
        1
    );
    let id = order["id"].as_str().unwrap();

    let confirmed = act_ok(&t, &alice, "confirmOrder", id).await;
    assert_eq!(confirmed["status"], "CONFIRMED");
    assert!(confirmed["completedAt"].is_null());
    let completed = act_ok(&t, &alice, "completeOrder", id).await;
    assert_eq!(completed["status"], "COMPLETED");
    assert!(completed["completedAt"].is_string());
    // Completing keeps the stock taken.
    assert_eq!(stock(&t, &alice, &dress).await, 10);

    let events = timeline(&t, &alice, id).await;
    assert_eq!(
        kinds(&events),
        ["ORDER_CREATED", "ORDER_CONFIRMED", "ORDER_COMPLETED"]
    );
    for e in &events {
        assert_eq!(e["actor"]["kind"], "OWNER");
        assert_eq!(e["actor"]["name"], "alice@example.com");
    }
    assert_eq!(events[2]["details"]["from"], "confirmed");
    assert_eq!(events[2]["details"]["to"], "completed");
}

#[tokio::test]
async fn a_new_customer_already_in_the_contacts_by_phone_is_the_same_contact() {
    let (t, alice, dress) = alice_with_dress(12).await;
    let first = create_ok(&t, &alice, new_customer_order(&dress, 1)).await;
    let mut again = new_customer_order(&dress, 1);
    again["customer"]["new"]["phone"] = json!("2348031234567");
    let second = create_ok(&t, &alice, again).await;
    assert_eq!(first["contactId"], second["contactId"]);
    // And it can be chosen from the contacts by id.
    let third = create_ok(
        &t,
        &alice,
        json!({
            "customer": {"contactId": first["contactId"]},
            "items": [{"productId": dress, "color": "Blue", "quantity": 1}],
            "deliveryDetails": "Pickup at the shop"
        }),
    )
    .await;
    assert_eq!(third["contactId"], first["contactId"]);
    assert_eq!(t.rows("contacts").await, 1);
}

#[tokio::test]
async fn every_wrong_move_is_refused_naming_the_current_status() {
    let (t, alice, dress) = alice_with_dress(12).await;
    let wrong = async |action: &str, id: &str, status: &str| {
        let resp = act(&t, &alice, action, id).await;
        assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{action}: {resp}");
        let message = resp["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("the order is {status}")),
            "{action}: {message}"
        );
    };
    let pending = create_ok(&t, &alice, new_customer_order(&dress, 1)).await;
    let pending = pending["id"].as_str().unwrap();
    wrong("completeOrder", pending, "pending").await;

    let completed = create_ok(&t, &alice, new_customer_order(&dress, 1)).await;
    let completed = completed["id"].as_str().unwrap();
    act_ok(&t, &alice, "confirmOrder", completed).await;
    wrong("confirmOrder", completed, "confirmed").await;
    act_ok(&t, &alice, "completeOrder", completed).await;
    for action in ["confirmOrder", "completeOrder", "cancelOrder"] {
        wrong(action, completed, "completed").await;
    }

    let cancelled = create_ok(&t, &alice, new_customer_order(&dress, 1)).await;
    let cancelled = cancelled["id"].as_str().unwrap();
    act_ok(&t, &alice, "cancelOrder", cancelled).await;
    for action in ["confirmOrder", "completeOrder", "cancelOrder"] {
        wrong(action, cancelled, "cancelled").await;
    }
    // A second cancel gives nothing back twice: 12 - 3 taken + 1 returned.
    assert_eq!(stock(&t, &alice, &dress).await, 10);

    // Editing is for pending orders only.
    let resp = t
        .gql(
            Some(&alice),
            "mutation($id: ID!) { updateOrder(id: $id, input: {notes: \"x\"}) { id } }",
            json!({"id": completed}),
        )
        .await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT");
    assert!(
        resp["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("completed")
    );
    // The refused moves wrote nothing to the timeline.
    assert_eq!(
        kinds(&timeline(&t, &alice, completed).await),
        ["ORDER_CREATED", "ORDER_CONFIRMED", "ORDER_COMPLETED"]
    );
}

#[tokio::test]
async fn cancelling_gives_the_stock_back_from_pending_and_from_confirmed() {
    let (t, alice, dress) = alice_with_dress(5).await;
    let a = create_ok(&t, &alice, new_customer_order(&dress, 3)).await;
    let b = create_ok(&t, &alice, new_customer_order(&dress, 2)).await;
    assert_eq!(stock(&t, &alice, &dress).await, 0);

    let a_id = a["id"].as_str().unwrap();
    let cancelled = act_ok(&t, &alice, "cancelOrder", a_id).await;
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(stock(&t, &alice, &dress).await, 3);

    let b_id = b["id"].as_str().unwrap();
    act_ok(&t, &alice, "confirmOrder", b_id).await;
    act_ok(&t, &alice, "cancelOrder", b_id).await;
    assert_eq!(stock(&t, &alice, &dress).await, 5);

    let events = timeline(&t, &alice, a_id).await;
    let cancel = events.last().unwrap();
    assert_eq!(cancel["kind"], "ORDER_CANCELLED");
    assert_eq!(cancel["details"]["reason"], "customer changed their mind");
    assert_eq!(cancel["details"]["stock_returned"][0]["quantity"], 3);
}

#[tokio::test]
async fn two_concurrent_orders_for_the_last_item_exactly_one_succeeds() {
    let (t, alice, dress) = alice_with_dress(1).await;
    let (a, b) = tokio::join!(
        create(&t, &alice, new_customer_order(&dress, 1)),
        create(&t, &alice, new_customer_order(&dress, 1)),
    );
    let succeeded = [&a, &b]
        .iter()
        .filter(|r| r.get("errors").is_none())
        .count();
    assert_eq!(succeeded, 1, "one order only: {a} / {b}");
    let refused = if a.get("errors").is_some() { &a } else { &b };
    assert_eq!(error_code(refused), "BAD_USER_INPUT");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Ankara dress")
    );
    assert_eq!(stock(&t, &alice, &dress).await, 0);
    assert_eq!(t.rows("orders").await, 1);
    assert_eq!(t.rows("order_items").await, 1);
}

#[tokio::test]
async fn a_manual_price_below_the_floor_is_refused_naming_the_product_and_the_floor() {
    let (t, alice, dress) = alice_with_dress(12).await;
    let mut input = new_customer_order(&dress, 1);
    input["items"][0]["unitPrice"] = json!(1_499_900);
    let resp = create(&t, &alice, input.clone()).await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{resp}");
    assert_eq!(resp["errors"][0]["extensions"]["field"], "unitPrice");
    let message = resp["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("Ankara dress"), "{message}");
    assert!(message.contains("15,000.00"), "{message}");
    assert_eq!(t.rows("orders").await, 0);
    assert_eq!(stock(&t, &alice, &dress).await, 12);

    // At the floor, staff may sell.
    input["items"][0]["unitPrice"] = json!(1_500_000);
    let order = create_ok(&t, &alice, input).await;
    assert_eq!(order["items"][0]["unitPrice"]["amountMinor"], 1_500_000);
}

#[tokio::test]
async fn manual_orders_follow_the_order_rules() {
    let (t, alice, dress) = alice_with_dress(3).await;
    let refused = async |patch: &dyn Fn(&mut Value), field: &str| {
        let mut input = new_customer_order(&dress, 1);
        patch(&mut input);
        let resp = create(&t, &alice, input).await;
        assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{resp}");
        assert_eq!(resp["errors"][0]["extensions"]["field"], field, "{resp}");
    };
    refused(&|i| i["items"][0]["quantity"] = json!(4), "quantity").await;
    refused(&|i| i["items"][0]["quantity"] = json!(0), "quantity").await;
    refused(&|i| i["items"][0]["color"] = Value::Null, "color").await;
    refused(&|i| i["items"][0]["color"] = json!("green"), "color").await;
    refused(&|i| i["items"] = json!([]), "items").await;
    refused(&|i| i["deliveryDetails"] = json!("  "), "deliveryDetails").await;
    refused(&|i| i["customer"]["new"]["phone"] = json!("12ab"), "phone").await;
    assert_eq!(t.rows("orders").await, 0);
    assert_eq!(stock(&t, &alice, &dress).await, 3);
}

#[tokio::test]
async fn a_pending_order_is_edited_with_its_stock_adjusted() {
    let (t, alice, dress) = alice_with_dress(5).await;
    let earrings = t.create_product(&alice, "Coral earrings").await;
    let order = create_ok(&t, &alice, new_customer_order(&dress, 2)).await;
    let id = order["id"].as_str().unwrap();
    assert_eq!(stock(&t, &alice, &dress).await, 3);

    // All 5 dresses: the 2 it holds plus the 3 left.
    let update = format!(
        "mutation($id: ID!, $i: UpdateOrderInput!) {{ updateOrder(id: $id, input: $i) {{ {ORDER_FIELDS} }} }}"
    );
    let changed = t
        .gql_ok(
            Some(&alice),
            &update,
            json!({"id": id, "i": {
                "items": [
                    {"productId": dress, "color": "Blue", "quantity": 5},
                    {"productId": earrings, "color": "Red", "quantity": 1, "unitPrice": 1_600_000}
                ],
                "deliveryDetails": "12 Allen Avenue, Ikeja",
                "notes": ""
            }}),
        )
        .await["updateOrder"]
        .clone();
    assert_eq!(stock(&t, &alice, &dress).await, 0);
    assert_eq!(stock(&t, &alice, &earrings).await, 11);
    assert_eq!(changed["items"].as_array().unwrap().len(), 2);
    assert_eq!(changed["total"]["amountMinor"], 5 * 1_800_000 + 1_600_000);
    assert_eq!(changed["deliveryDetails"], "12 Allen Avenue, Ikeja");
    assert!(changed["notes"].is_null());

    // Beyond the stock: refused, nothing changed.
    let resp = t
        .gql(
            Some(&alice),
            &update,
            json!({"id": id, "i": {"items": [{"productId": dress, "color": "Red", "quantity": 6}]}}),
        )
        .await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT");
    assert_eq!(stock(&t, &alice, &dress).await, 0);
    assert_eq!(stock(&t, &alice, &earrings).await, 11);

    // Back to one dress: the rest returns to stock.
    t.gql_ok(
        Some(&alice),
        &update,
        json!({"id": id, "i": {"items": [{"productId": dress, "color": "Red", "quantity": 1}]}}),
    )
    .await;
    assert_eq!(stock(&t, &alice, &dress).await, 4);
    assert_eq!(stock(&t, &alice, &earrings).await, 12);
    assert_eq!(
        kinds(&timeline(&t, &alice, id).await),
        ["ORDER_CREATED", "ORDER_UPDATED", "ORDER_UPDATED"]
    );
}

const LIST: &str = "query($first: Int, $after: String, $f: OrderFilterInput) {
  orders(first: $first, after: $after, filter: $f) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id status source customerName }
  }
  orderTotals(filter: $f) { count byCurrency { count total { amountMinor currency } } }
}";

async fn list(t: &TestApp, token: &str, first: i64, after: Option<&str>, filter: Value) -> Value {
    t.gql_ok(
        Some(token),
        LIST,
        json!({"first": first, "after": after, "f": filter}),
    )
    .await
}

fn names(data: &Value) -> Vec<&str> {
    data["orders"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["customerName"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn orders_are_filtered_searched_paged_and_totalled() {
    let (t, alice, dress) = alice_with_dress(20).await;
    let earrings = t.create_product(&alice, "Coral earrings").await;
    let customer = |name: &str, phone: &str, product: &str| {
        json!({
            "customer": {"new": {"name": name, "phone": phone}},
            "items": [{"productId": product, "color": "Red", "quantity": 1}],
            "deliveryDetails": "Lagos"
        })
    };
    let ada = create_ok(&t, &alice, customer("Ada Obi", "2348031111111", &dress)).await;
    let bayo = create_ok(&t, &alice, customer("Bayo Ade", "2348032222222", &earrings)).await;
    let chi = create_ok(&t, &alice, customer("Chi Eze", "2348033333333", &dress)).await;
    act_ok(&t, &alice, "confirmOrder", bayo["id"].as_str().unwrap()).await;
    act_ok(&t, &alice, "cancelOrder", chi["id"].as_str().unwrap()).await;

    let all = list(&t, &alice, 10, None, json!(null)).await;
    assert_eq!(names(&all), ["Chi Eze", "Bayo Ade", "Ada Obi"]);
    assert_eq!(all["orders"]["totalCount"], 3);
    assert_eq!(all["orderTotals"]["count"], 3);
    assert_eq!(
        all["orderTotals"]["byCurrency"][0]["total"],
        json!({"amountMinor": 3 * 1_800_000, "currency": "NGN"})
    );

    let open = list(
        &t,
        &alice,
        10,
        None,
        json!({"statuses": ["PENDING", "CONFIRMED"]}),
    )
    .await;
    assert_eq!(names(&open), ["Bayo Ade", "Ada Obi"]);
    assert_eq!(
        open["orderTotals"]["byCurrency"][0]["total"]["amountMinor"],
        2 * 1_800_000
    );

    // Search: customer name, phone digits, product name.
    let by_name = list(&t, &alice, 10, None, json!({"search": "bayo"})).await;
    assert_eq!(names(&by_name), ["Bayo Ade"]);
    let by_phone = list(&t, &alice, 10, None, json!({"search": "3333333"})).await;
    assert_eq!(names(&by_phone), ["Chi Eze"]);
    let by_product = list(&t, &alice, 10, None, json!({"search": "ankara"})).await;
    assert_eq!(names(&by_product), ["Chi Eze", "Ada Obi"]);
    // Wildcards are text, not patterns.
    let wildcard = list(&t, &alice, 10, None, json!({"search": "%"})).await;
    assert_eq!(wildcard["orders"]["totalCount"], 0);

    let by_customer = list(&t, &alice, 10, None, json!({"contactId": ada["contactId"]})).await;
    assert_eq!(names(&by_customer), ["Ada Obi"]);
    let manual = list(&t, &alice, 10, None, json!({"source": "MANUAL"})).await;
    assert_eq!(manual["orders"]["totalCount"], 3);
    let chat = list(&t, &alice, 10, None, json!({"source": "CHAT"})).await;
    assert_eq!(chat["orders"]["totalCount"], 0);
    assert_eq!(chat["orderTotals"]["count"], 0);

    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let future = list(&t, &alice, 10, None, json!({"since": tomorrow})).await;
    assert_eq!(future["orders"]["totalCount"], 0);
    let window = list(
        &t,
        &alice,
        10,
        None,
        json!({"since": yesterday, "until": tomorrow}),
    )
    .await;
    assert_eq!(window["orders"]["totalCount"], 3);

    // Keyset pages under a filter.
    let page1 = list(
        &t,
        &alice,
        1,
        None,
        json!({"statuses": ["PENDING", "CANCELLED"]}),
    )
    .await;
    assert_eq!(names(&page1), ["Chi Eze"]);
    assert_eq!(page1["orders"]["pageInfo"]["hasNextPage"], true);
    let cursor = page1["orders"]["pageInfo"]["endCursor"].as_str().unwrap();
    let page2 = list(
        &t,
        &alice,
        1,
        Some(cursor),
        json!({"statuses": ["PENDING", "CANCELLED"]}),
    )
    .await;
    assert_eq!(names(&page2), ["Ada Obi"]);
    assert_eq!(page2["orders"]["pageInfo"]["hasNextPage"], false);

    // Bounded search.
    let resp = t
        .gql(
            Some(&alice),
            LIST,
            json!({"first": 1, "f": {"search": "x".repeat(101)}}),
        )
        .await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT");
}

#[tokio::test]
async fn another_business_cannot_see_move_edit_or_order_with_alices_records() {
    let (t, alice, dress) = alice_with_dress(5).await;
    let order = create_ok(&t, &alice, new_customer_order(&dress, 1)).await;
    let id = order["id"].as_str().unwrap();
    let contact = order["contactId"].as_str().unwrap();
    let (bob, _) = t.sign_up_business("Bob Shoes", "bob@example.com").await;
    let bob_shoe = t.create_product(&bob, "Loafers").await;

    let read = t
        .gql(
            Some(&bob),
            "query($id: ID!) { order(id: $id) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(error_code(&read), "NOT_FOUND");
    for action in ["confirmOrder", "completeOrder", "cancelOrder"] {
        assert_eq!(error_code(&act(&t, &bob, action, id).await), "NOT_FOUND");
    }
    let update = t
        .gql(
            Some(&bob),
            "mutation($id: ID!) { updateOrder(id: $id, input: {notes: \"mine\"}) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(error_code(&update), "NOT_FOUND");
    // Alice's product in Bob's order, Alice's customer in Bob's order.
    let with_product = create(&t, &bob, new_customer_order(&dress, 1)).await;
    assert_eq!(error_code(&with_product), "NOT_FOUND");
    let with_contact = create(
        &t,
        &bob,
        json!({
            "customer": {"contactId": contact},
            "items": [{"productId": bob_shoe, "color": "Red", "quantity": 1}],
            "deliveryDetails": "Abuja"
        }),
    )
    .await;
    assert_eq!(error_code(&with_contact), "NOT_FOUND");
    // Bob's lists show nothing of Alice's.
    let bobs = list(&t, &bob, 10, None, json!(null)).await;
    assert_eq!(bobs["orders"]["totalCount"], 0);
    assert_eq!(bobs["orderTotals"]["count"], 0);
    let filtered = list(&t, &bob, 10, None, json!({"contactId": contact})).await;
    assert_eq!(filtered["orders"]["totalCount"], 0);

    // Alice's order and stock are untouched.
    let mine = t
        .gql_ok(
            Some(&alice),
            "query($id: ID!) { order(id: $id) { status notes } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(mine["order"]["status"], "PENDING");
    assert_eq!(mine["order"]["notes"], "Call before delivery");
    assert_eq!(stock(&t, &alice, &dress).await, 4);
    assert_eq!(decode_id(id), decode_id(order["id"].as_str().unwrap()));
}

#[tokio::test]
async fn anonymous_callers_cannot_list_create_or_move_orders() {
    let (t, _alice, dress) = alice_with_dress(5).await;
    let resp = t
        .gql(
            None,
            &create_mutation(),
            json!({"i": new_customer_order(&dress, 1)}),
        )
        .await;
    assert_eq!(error_code(&resp), "UNAUTHENTICATED");
    let resp = t.gql(None, LIST, json!({"first": 1})).await;
    assert_eq!(error_code(&resp), "UNAUTHENTICATED");
    let resp = t
        .gql(
            None,
            "mutation { confirmOrder(id: \"x\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&resp), "UNAUTHENTICATED");
    assert_eq!(t.rows("orders").await, 0);
}

#[tokio::test]
async fn the_catalog_is_live_when_an_order_takes_and_a_cancel_returns_stock() {
    let (t, alice, dress) = alice_with_dress(5).await;
    let (bob, _) = t.sign_up_business("Bob Shoes", "bob@example.com").await;
    let mut alice_ws = WsClient::init(&t, &alice).await;
    let mut bob_ws = WsClient::init(&t, &bob).await;
    for ws in [&mut alice_ws, &mut bob_ws] {
        ws.subscribe("p", "subscription { productChanged { id name quantity } }")
            .await;
        ws.send(json!({"type": "ping"})).await;
        assert!(matches!(ws.next(WAIT).await, Some(WsEvent::Json(v)) if v["type"] == "pong"));
    }

    let order = create_ok(&t, &alice, new_customer_order(&dress, 2)).await;
    let (_, data) = alice_ws.next_data().await;
    assert_eq!(data["productChanged"]["id"], dress.as_str());
    assert_eq!(data["productChanged"]["quantity"], 3);

    act_ok(&t, &alice, "cancelOrder", order["id"].as_str().unwrap()).await;
    let (_, data) = alice_ws.next_data().await;
    assert_eq!(data["productChanged"]["quantity"], 5);

    // Bob's subscriber got nothing of it: his next message is the answer to a ping.
    bob_ws.send(json!({"type": "ping"})).await;
    assert!(matches!(bob_ws.next(WAIT).await, Some(WsEvent::Json(v)) if v["type"] == "pong"));
}

#[tokio::test]
async fn the_built_in_responder_records_a_pending_order_once_the_deal_has_color_quantity_and_address()
 {
    let world = World::new_with(|c| c.anthropic_api_key = None).await;
    world.customer_says("how much is the ankara dress?").await;
    world.received(1).await;
    let got = world
        .customer_says_and_gets("can I get it for 15,000?", 2)
        .await;
    assert!(got[1].contains("NGN 21,100.00"), "{got:?}");
    // Agreed, but no color or address yet: nothing is recorded, the next step is asked.
    let got = world.customer_says_and_gets("ok 21,100", 3).await;
    assert!(got[2].starts_with("Deal!"), "{got:?}");
    assert!(got[2].contains("which color"), "{got:?}");
    assert_eq!(world.rows("orders").await, 0);

    let got = world
        .customer_says_and_gets(
            "2 dresses, the blue one. Deliver to 4 Marina Road, Lagos",
            4,
        )
        .await;
    let data = world
        .owner_query("{ orders(first: 5) { nodes { id number status source chatId deliveryDetails total { amountMinor } items { name color quantity unitPrice { amountMinor } } } } }")
        .await;
    let orders = data["orders"]["nodes"].as_array().unwrap();
    assert_eq!(orders.len(), 1, "{data}");
    let order = &orders[0];
    assert_eq!(order["status"], "PENDING");
    assert_eq!(order["source"], "CHAT");
    assert!(order["chatId"].is_string());
    assert_eq!(order["deliveryDetails"], "4 Marina Road, Lagos");
    assert_eq!(order["items"][0]["color"], "Blue");
    assert_eq!(order["items"][0]["quantity"], 2);
    // The agreed price, not the list or discounted one.
    assert_eq!(order["items"][0]["unitPrice"]["amountMinor"], 2_110_000);
    assert_eq!(order["total"]["amountMinor"], 4_220_000);
    assert!(
        got[3].contains(order["number"].as_str().unwrap()),
        "the customer is told the order number: {got:?}"
    );
    assert_eq!(world.stock(world.dress_id).await, 12);
    assert_eq!(
        world
            .rows("activity_events WHERE kind = 'order_created' AND actor = 'ai'")
            .await,
        1
    );

    // Saying it again records nothing twice.
    let got = world
        .customer_says_and_gets("deliver to 4 Marina Road, Lagos, the blue one", 5)
        .await;
    assert!(got[4].contains("already recorded"), "{got:?}");
    assert_eq!(world.rows("orders").await, 1);
    assert_eq!(world.stock(world.dress_id).await, 12);
    assert_eq!(world.model.request_count(), 0);
}

#[tokio::test]
async fn the_built_in_responder_records_nothing_beyond_the_stock() {
    let world = World::new_with(|c| c.anthropic_api_key = None).await;
    let got = world
        .customer_says_and_gets(
            "I'll take 20 pieces of the ankara dress in red, deliver to 12 Allen Avenue",
            1,
        )
        .await;
    assert!(got[0].contains("couldn't record"), "{got:?}");
    assert!(got[0].contains("only 14"), "{got:?}");
    assert_eq!(world.rows("orders").await, 0);
    assert_eq!(world.stock(world.dress_id).await, 14);
}

/// Alice with her number connected and Ada's chat (Ada last wrote `minutes` ago), an
/// order for Ada of one dress, and order notifications set to `settings`; returns the
/// server, the stand-in, Alice's token, the order id and the chat id.
async fn ada_ordered(
    minutes: i64,
    settings: Value,
) -> (TestApp, GraphStandin, String, String, u64) {
    let (t, standin) = inbox_support::spawn().await;
    let (alice, business, chat) =
        alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(minutes)).await;
    let dress = t.create_product(&alice, "Ankara dress").await;
    let contact = t
        .count(&format!(
            "SELECT CAST(contact_id AS SIGNED) AS n FROM chats WHERE id = {chat} AND business_id = {business}"
        ))
        .await;
    let contact = URL_SAFE_NO_PAD.encode(format!("Contact:{contact}"));
    let order = create_ok(
        &t,
        &alice,
        json!({
            "customer": {"contactId": contact},
            "items": [{"productId": dress, "color": "Red", "quantity": 1}],
            "deliveryDetails": "4 Marina Road"
        }),
    )
    .await;
    t.gql_ok(
        Some(&alice),
        "mutation($i: OrderNotificationSettingsInput!) { updateOrderNotificationSettings(input: $i) { enabled } }",
        json!({"i": settings}),
    )
    .await;
    let id = order["id"].as_str().unwrap().to_string();
    (t, standin, alice, id, chat)
}

/// What the stand-in was asked to send to customers, oldest first.
fn sends(standin: &GraphStandin) -> Vec<Value> {
    posts(standin)
        .into_iter()
        .filter(|r| r.path.ends_with("/messages"))
        .filter_map(|r| r.body)
        .filter(|b| b.get("status").is_none())
        .collect()
}

/// The `OrderNotified` entries of an order's timeline, oldest first (their details).
async fn notified(t: &TestApp, token: &str, order: &str) -> Vec<Value> {
    timeline(t, token, order)
        .await
        .into_iter()
        .filter(|e| e["kind"] == "ORDER_NOTIFIED")
        .map(|e| e["details"].clone())
        .collect()
}

#[tokio::test]
async fn with_notifications_off_the_customer_is_not_messaged() {
    let (t, standin, alice, order, _) = ada_ordered(5, json!({"enabled": false})).await;
    act_ok(&t, &alice, "confirmOrder", &order).await;
    act_ok(&t, &alice, "completeOrder", &order).await;
    assert!(sends(&standin).is_empty());
    assert!(notified(&t, &alice, &order).await.is_empty());
    let settings = t
        .query_ok(&alice, "{ orderNotificationSettings { enabled template } }")
        .await;
    assert_eq!(settings["orderNotificationSettings"]["enabled"], false);
}

#[tokio::test]
async fn inside_the_window_the_customer_is_told_in_free_text_on_confirm_and_complete() {
    let (t, standin, alice, order, chat) = ada_ordered(5, json!({"enabled": true})).await;
    let number = format!("#{}", decode_id(&order));
    act_ok(&t, &alice, "confirmOrder", &order).await;
    act_ok(&t, &alice, "completeOrder", &order).await;
    let sent = sends(&standin);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0]["to"], "2348012345678");
    let first = sent[0]["text"]["body"].as_str().unwrap();
    assert!(
        first.contains(&number) && first.contains("confirmed"),
        "{first}"
    );
    let second = sent[1]["text"]["body"].as_str().unwrap();
    assert!(
        second.contains(&number) && second.contains("completed"),
        "{second}"
    );
    // Stored in the chat as the system's messages, and in the order's timeline.
    assert_eq!(
        t.rows(&format!(
            "messages WHERE chat_id = {chat} AND direction = 'outbound' AND sent_by = 'system'"
        ))
        .await,
        2
    );
    let log = notified(&t, &alice, &order).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["sent"], true);
    assert_eq!(log[0]["via"], "text");
    assert_eq!(log[1]["status"], "completed");
}

#[tokio::test]
async fn outside_the_window_only_the_approved_template_is_sent_else_the_reason_is_logged() {
    let (t, standin, alice, order, _) = ada_ordered(25 * 60, json!({"enabled": true})).await;
    act_ok(&t, &alice, "confirmOrder", &order).await;
    assert!(sends(&standin).is_empty());
    let log = notified(&t, &alice, &order).await;
    assert_eq!(log[0]["sent"], false);
    assert!(
        log[0]["reason"]
            .as_str()
            .unwrap()
            .contains("24-hour window"),
        "{log:?}"
    );

    t.gql_ok(
        Some(&alice),
        "mutation { updateOrderNotificationSettings(input: {enabled: true, template: \"order_update\", templateLanguage: \"en_GB\"}) { template } }",
        json!({}),
    )
    .await;
    act_ok(&t, &alice, "completeOrder", &order).await;
    let sent = sends(&standin);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["type"], "template");
    assert_eq!(sent[0]["template"]["name"], "order_update");
    assert_eq!(sent[0]["template"]["language"]["code"], "en_GB");
    let parameters: Vec<&str> = sent[0]["template"]["components"][0]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        parameters,
        [format!("#{}", decode_id(&order)).as_str(), "completed"]
    );
    let log = notified(&t, &alice, &order).await;
    assert_eq!(log[1]["sent"], true);
    assert_eq!(log[1]["via"], "template");

    // A template name WhatsApp would refuse is refused here first.
    let resp = t
        .gql(
            Some(&alice),
            "mutation { updateOrderNotificationSettings(input: {enabled: true, template: \"Order Update!\"}) { template } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_blacklisted_customer_is_never_told_and_the_reason_is_logged() {
    let (t, standin, alice, order, _) = ada_ordered(5, json!({"enabled": true})).await;
    {
        use diesel_async::RunQueryDsl;
        let mut conn = t.app.db().await.unwrap();
        let business = t.business_id(&alice).await;
        diesel::sql_query(format!(
            "INSERT INTO blacklist (business_id, kind, value, reason) VALUES ({business}, 'phone', '2348012345678', 'asked to stop')"
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    }
    act_ok(&t, &alice, "confirmOrder", &order).await;
    assert!(sends(&standin).is_empty());
    let log = notified(&t, &alice, &order).await;
    assert_eq!(log[0]["sent"], false);
    assert_eq!(log[0]["reason"], "the customer is blacklisted");
}
