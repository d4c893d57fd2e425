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

#[tokio::test]
async fn the_home_page_counts_the_business_s_own_days_in_its_time_zone() {
    let t = TestApp::spawn().await;
    // Sign-up takes the browser's zone; a name the tz database lacks is refused by name.
    let signed = t
        .gql(
            None,
            "mutation($i: SignUpInput!) { signUp(input: $i) { token business { timeZone } } }",
            json!({ "i": {
                "businessName": "Kiri Crafts", "businessType": "Crafts", "country": "KI",
                "email": "kiri@example.com", "password": "correct-horse-1",
                "acceptedPolicyVersion": shared::legal::POLICY_VERSION,
                "confirmedAuthorisedAndOver16": true, "timeZone": "Pacific/Kiritimati"
            }}),
        )
        .await;
    assert_eq!(
        signed["data"]["signUp"]["business"]["timeZone"], "Pacific/Kiritimati",
        "{signed}"
    );
    let kiri = signed["data"]["signUp"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let business = t.business_id(&kiri).await;
    let bad = t
        .gql(
            Some(&kiri),
            "mutation { updateBusiness(input: {timeZone: \"Mars/Olympus_Mons\"}) { timeZone } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT");
    assert_eq!(bad["errors"][0]["extensions"]["field"], "timeZone", "{bad}");

    // Kiritimati is UTC+14 all year: its day begins at 10:00 UTC the day before. One
    // order a minute after its midnight, one a minute before: the same UTC day, two
    // local days.
    let now = chrono::Utc::now().naive_utc();
    let local_midnight = (now + chrono::Duration::hours(14))
        .date()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let day_start = local_midnight - chrono::Duration::hours(14);
    for at in [
        day_start + chrono::Duration::minutes(1),
        day_start - chrono::Duration::minutes(1),
    ] {
        sql(&t, &format!(
            "INSERT INTO orders (business_id, status, source, currency, total_minor, created_at) \
             VALUES ({business}, 'pending', 'manual', 'NGN', 100000, '{}')",
            at.format("%Y-%m-%d %H:%M:%S")
        ))
        .await;
    }
    let query = "{ dashboard { timeZone periods { days orders } chart { day orders } } }";
    let d = t.gql_ok(Some(&kiri), query, json!({})).await["dashboard"].clone();
    assert_eq!(d["timeZone"], "Pacific/Kiritimati");
    assert_eq!(d["periods"][0]["orders"], 1, "today in Kiritimati: {d}");
    assert_eq!(d["periods"][1]["orders"], 2, "{d}");
    assert_eq!(
        d["chart"][29]["day"],
        local_midnight.date().to_string(),
        "the chart ends on Kiritimati's today: {d}"
    );
    assert_eq!(
        (
            d["chart"][29]["orders"].as_i64(),
            d["chart"][28]["orders"].as_i64()
        ),
        (Some(1), Some(1)),
        "{d}"
    );

    // Moved to UTC, the same two orders fall on one day.
    let moved = t
        .gql_ok(
            Some(&kiri),
            "mutation { updateBusiness(input: {timeZone: \"UTC\"}) { timeZone } }",
            json!({}),
        )
        .await;
    assert_eq!(moved["updateBusiness"]["timeZone"], "UTC");
    let d = t.gql_ok(Some(&kiri), query, json!({})).await["dashboard"].clone();
    let days_with_orders: Vec<i64> = d["chart"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["orders"].as_i64().filter(|n| *n > 0))
        .collect();
    assert_eq!(days_with_orders, [2], "{d}");
}
