//! The home page's `dashboard`: chats, sales split by AI and staff, conversion, best
//! sellers, the AI's work and the negotiation analytics, for the caller's business only.

use diesel_async::RunQueryDsl;
use serde_json::json;

use crate::common::{TestApp, error_code};
use crate::inbox_support::{NewChat, alice_chatting_with, spawn};

const DASHBOARD: &str = "{ dashboard {
  openChats unansweredChats
  periods { days orders aiOrders staffOrders revenue { formatted } aiRevenue { amountMinor } staffRevenue { amountMinor } conversations convertedChats conversionRate }
  chart { day orders }
  topProducts { name units revenue { formatted } }
  aiReplies aiHandoffs aiBlockedReplies
  negotiation { discountedLines averageDiscountPercent averageRoomPercent lostAtFloor floorProtected { formatted } }
} }";

async fn sql(t: &TestApp, statement: &str) {
    let mut conn = t.app.db().await.unwrap();
    diesel::sql_query(statement)
        .execute(&mut conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_dashboard_adds_up_sales_chats_and_negotiations_of_one_business() {
    let (t, _standin) = spawn().await;
    let (alice, business, chat) =
        alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(10)).await;
    // A second chat, answered, that did not order; haggled down to the floor and lost.
    let lost = NewChat::phone("Bola", "2348011111111")
        .wrote_minutes_ago(60)
        .insert(&t, business)
        .await;
    let dress = crate::common::decode_id(&t.create_product(&alice, "Ankara dress").await);
    sql(&t, &format!("UPDATE products SET price_minor = 2500000, bargain_floor_minor = 1800000 WHERE id = {dress}")).await;
    sql(&t, &format!(
        "UPDATE chats SET last_message_at = NOW(6) + INTERVAL 1 SECOND, negotiation = '{{\"products\":{{\"{dress}\":{{\"product_name\":\"Ankara dress\",\"currency\":\"NGN\",\"last_offer_minor\":1800000,\"customer_ask_minor\":1000000,\"rounds\":4}}}}}}' WHERE id = {lost}"
    )).await;
    sql(&t, &format!(
        "UPDATE chats SET negotiation = '{{\"products\":{{\"{dress}\":{{\"product_name\":\"Ankara dress\",\"currency\":\"NGN\",\"last_offer_minor\":1900000,\"customer_ask_minor\":1500000,\"rounds\":3,\"agreed_minor\":1900000}}}}}}' WHERE id = {chat}"
    )).await;
    // An AI order from Ada's chat today (2 dresses at 19,000), a staff order 3 days ago,
    // a cancelled one that counts for nothing.
    for (source, chat_id, days_ago, status, total) in [
        ("chat", chat.to_string(), 0, "pending", 3_800_000),
        ("manual", "NULL".to_string(), 3, "completed", 2_500_000),
        ("manual", "NULL".to_string(), 1, "cancelled", 9_900_000),
    ] {
        sql(&t, &format!(
            "INSERT INTO orders (business_id, chat_id, status, source, currency, total_minor, created_at) \
             VALUES ({business}, {chat_id}, '{status}', '{source}', 'NGN', {total}, NOW(6) - INTERVAL {days_ago} DAY)"
        )).await;
        let unit = if source == "chat" { 1_900_000 } else { total };
        let qty = if source == "chat" { 2 } else { 1 };
        sql(
            &t,
            &format!(
                "INSERT INTO order_items (order_id, product_id, name, unit_price_minor, quantity) \
             SELECT MAX(id), {dress}, 'Ankara dress', {unit}, {qty} FROM orders"
            ),
        )
        .await;
    }
    sql(&t, &format!("INSERT INTO activity_events (business_id, kind, subject, details, actor) VALUES ({business}, 'ai_replied', 'The AI replied', '{{}}', 'ai'), ({business}, 'ai_replied', 'The AI replied', '{{}}', 'ai'), ({business}, 'ai_handoff', 'Handed over', '{{}}', 'ai')")).await;

    let d = t.gql_ok(Some(&alice), DASHBOARD, json!({})).await["dashboard"].clone();
    assert_eq!(d["openChats"], 2, "{d}");
    assert_eq!(d["unansweredChats"], 1, "Ada's last message is hers: {d}");
    let today = &d["periods"][0];
    assert_eq!(
        (
            today["days"].as_i64(),
            today["orders"].as_i64(),
            today["aiOrders"].as_i64(),
            today["staffOrders"].as_i64()
        ),
        (Some(1), Some(1), Some(1), Some(0))
    );
    assert_eq!(today["revenue"][0]["formatted"], "NGN 38,000.00");
    let week = &d["periods"][1];
    assert_eq!(week["orders"], 2);
    assert_eq!(week["aiRevenue"][0]["amountMinor"], 3_800_000);
    assert_eq!(week["staffRevenue"][0]["amountMinor"], 2_500_000);
    assert_eq!(week["conversations"], 2);
    assert_eq!(week["convertedChats"], 1);
    assert_eq!(week["conversionRate"], 0.5);
    assert_eq!(d["chart"].as_array().unwrap().len(), 30);
    assert_eq!(d["chart"][29]["orders"], 1);
    assert_eq!(d["chart"][26]["orders"], 1);
    assert_eq!(d["topProducts"][0]["name"], "Ankara dress");
    assert_eq!(d["topProducts"][0]["units"], 3);
    assert_eq!(
        (d["aiReplies"].as_i64(), d["aiHandoffs"].as_i64()),
        (Some(2), Some(1))
    );
    let n = &d["negotiation"];
    assert_eq!(n["discountedLines"], 1);
    assert_eq!(n["averageDiscountPercent"], 24.0);
    assert_eq!(n["averageRoomPercent"], 28.0);
    assert_eq!(n["lostAtFloor"], 1);
    assert_eq!(n["floorProtected"][0]["formatted"], "NGN 8,000.00");

    // Bob's dashboard is empty: nothing of Alice's is counted for him.
    let (bob, _) = t.sign_up_business("Bob Shoes", "bob@example.com").await;
    let b = t.gql_ok(Some(&bob), DASHBOARD, json!({})).await["dashboard"].clone();
    assert_eq!(b["openChats"], 0);
    assert_eq!(b["periods"][2]["orders"], 0);
    assert_eq!(b["topProducts"], json!([]));
    assert_eq!(b["negotiation"]["lostAtFloor"], 0);
    assert_eq!(b["aiReplies"], 0);
    let anonymous = t.gql(None, DASHBOARD, json!({})).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
}
