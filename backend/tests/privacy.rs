//! The data rights: the export archive (everything of the business, nothing of another,
//! no secret), erasing a customer (nothing of them left in any table), deleting the
//! account (nothing of the business left, access ended, number released) and the
//! retention purge (each limit, and nobody else's rows).

use std::time::Duration;

use backend::db::schema::{messages, webhook_events};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use standins::webhook::{Customer, bsuid_for};

use crate::common::{TestApp, encode_id, error_code, png_bytes};
use crate::inbox_support::{
    self, ACCESS_TOKEN, NewChat, PHONE_NUMBER_ID, WsClient, WsEvent, chat_gid,
};
use crate::webhook_support::text_to;

const ANTHROPIC_KEY: &str = "sk-ant-api03-privacy-test-secret-key-0123456789";

/// A staff member of `business_id` signed in: their bearer token.
async fn staff_token(t: &TestApp, business_id: u64) -> String {
    let mut conn = t.app.db().await.unwrap();
    let email = format!("staff-{business_id}@example.com");
    diesel::sql_query(format!(
        "INSERT INTO users (business_id, email, password_hash, role) VALUES ({business_id}, '{email}', 'x', 'staff')"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    let user_id = t
        .count(&format!(
            "SELECT CAST(id AS SIGNED) AS n FROM users WHERE email = '{email}'"
        ))
        .await as u64;
    let expires = Utc::now() + chrono::Duration::hours(1);
    let sid = backend::db::sessions::create(
        &mut conn,
        business_id,
        user_id,
        expires.naive_utc(),
        Default::default(),
    )
    .await
    .unwrap();
    backend::auth::issue_token(
        &t.app,
        shared::UserId(user_id),
        shared::BusinessId(business_id),
        &sid,
        expires,
    )
    .unwrap()
}

/// An API token of `scope` created by the owner: its secret.
async fn api_token(t: &TestApp, owner: &str, scope: &str) -> String {
    let data = t
        .query_ok(
            owner,
            &format!("mutation {{ createApiToken(input: {{name: \"Books\", scope: {scope}}}) {{ secret }} }}"),
        )
        .await;
    data["createApiToken"]["secret"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `GET /api/export` with `token`.
pub async fn export(t: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut req = t.http.get(format!("{}/api/export", t.url));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap()
}

/// The archive's files and their bytes.
pub async fn unzip(bytes: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    let reader = async_zip::base::read::mem::ZipFileReader::new(bytes)
        .await
        .expect("a valid ZIP archive");
    let mut files = Vec::new();
    for (i, entry) in reader.file().entries().iter().enumerate() {
        let name = entry.filename().as_str().unwrap().to_string();
        let mut data = Vec::new();
        reader
            .reader_with_entry(i)
            .await
            .unwrap()
            .read_to_end_checked(&mut data)
            .await
            .unwrap();
        files.push((name, data));
    }
    files
}

fn file<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a str {
    let (_, data) = files
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} is in the archive"));
    std::str::from_utf8(data).unwrap()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn the_export_holds_every_entity_of_the_business_and_nothing_else() {
    let (t, _standin) = inbox_support::spawn_with(|c| c.agent.workers = 0).await;
    let (alice, business) = inbox_support::alice_connected(&t).await;
    t.query_ok(
        &alice,
        &format!(
            "mutation {{ setAnthropicKey(apiKey: \"{ANTHROPIC_KEY}\") {{ anthropicKeyHint }} }}"
        ),
    )
    .await;
    let product = t.create_product(&alice, "Alice's indigo dress").await;
    let image = t
        .gql_upload(
            &alice,
            "mutation($id: ID!, $f: [Upload!]!) { addProductImages(id: $id, images: $f) { id } }",
            json!({"id": product}),
            png_bytes(),
            "dress.png",
        )
        .await;
    assert!(image.get("errors").is_none(), "{image}");
    let chat = NewChat::phone("Ngozi Eze", "2348030000001")
        .wrote_minutes_ago(5)
        .insert(&t, business)
        .await;
    inbox_support::insert_inbound(
        &t,
        business,
        chat,
        "wamid.alice-1",
        "Is the indigo dress available in size 14?",
        inbox_support::minutes_ago(5),
    )
    .await;
    let contact = t
        .gql_ok(
            Some(&alice),
            "query($id: ID!) { chat(id: $id) { contact { id } } }",
            json!({"id": chat_gid(chat)}),
        )
        .await["chat"]["contact"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    t.gql_ok(
        Some(&alice),
        "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }",
        json!({"i": {
            "customer": {"contactId": contact},
            "items": [{"productId": product, "color": "Red", "quantity": 1}],
            "deliveryDetails": "7 Allen Avenue, Ikeja"
        }}),
    )
    .await;
    t.query_ok(
        &alice,
        "mutation { addToBlacklist(input: {phone: \"+234 803 999 0000\", reason: \"spam\"}) { id } }",
    )
    .await;
    t.gql_ok(
        Some(&alice),
        "mutation($i: ScheduleFollowUpInput!) { scheduleFollowUp(input: $i) { id } }",
        json!({"i": {"chatId": chat_gid(chat), "dueAt": (Utc::now() + chrono::Duration::hours(2)).to_rfc3339(), "text": "Still thinking about the dress?"}}),
    )
    .await;
    // Bob's business, whose data must not leak into Alice's archive.
    let (bob, bob_business) = t.sign_up_business("Bob Shoes", "bob@example.com").await;
    t.create_product(&bob, "Bob's secret sneaker").await;
    let bob_chat = NewChat::phone("Tunde Bakare", "2348030000002")
        .insert(&t, bob_business)
        .await;
    inbox_support::insert_inbound(
        &t,
        bob_business,
        bob_chat,
        "wamid.bob-1",
        "Bob's customer whispers",
        inbox_support::minutes_ago(1),
    )
    .await;

    let where_ = t
        .query_ok(&alice, "{ dataExport { url method contentType files } }")
        .await;
    assert!(
        where_["dataExport"]["url"]
            .as_str()
            .unwrap()
            .ends_with("/api/export")
    );
    assert_eq!(where_["dataExport"]["method"], "GET");

    let resp = export(&t, Some(&alice)).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/zip");
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"wasales-export-")
    );
    let bytes = resp.bytes().await.unwrap().to_vec();
    let files = unzip(bytes.clone()).await;
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "profile.jsonl",
        "settings.jsonl",
        "users.jsonl",
        "whatsapp_connections.jsonl",
        "products.jsonl",
        "product_images.jsonl",
        "contacts.jsonl",
        "chats.jsonl",
        "messages.jsonl",
        "orders.jsonl",
        "order_items.jsonl",
        "blacklist.jsonl",
        "activity.jsonl",
        "follow_ups.jsonl",
        "deal_approvals.jsonl",
        "manifest.json",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    assert!(file(&files, "profile.jsonl").contains("Alice Fashion"));
    let settings: Value = serde_json::from_str(file(&files, "settings.jsonl").trim()).unwrap();
    assert_eq!(settings["own_anthropic_key_set"], true);
    assert!(file(&files, "users.jsonl").contains("alice@example.com"));
    assert!(file(&files, "whatsapp_connections.jsonl").contains(PHONE_NUMBER_ID));
    assert!(file(&files, "products.jsonl").contains("Alice's indigo dress"));
    assert!(file(&files, "contacts.jsonl").contains("Ngozi Eze"));
    assert!(file(&files, "messages.jsonl").contains("available in size 14"));
    assert!(file(&files, "orders.jsonl").contains("7 Allen Avenue"));
    assert!(file(&files, "order_items.jsonl").contains("Alice's indigo dress"));
    assert!(file(&files, "blacklist.jsonl").contains("2348039990000"));
    assert!(file(&files, "follow_ups.jsonl").contains("Still thinking"));
    assert!(file(&files, "activity.jsonl").contains("order_created"));
    // Every JSON-lines file is one object a line.
    for (name, data) in &files {
        if name.ends_with(".jsonl") {
            for line in std::str::from_utf8(data).unwrap().lines() {
                let row: Value = serde_json::from_str(line).unwrap();
                assert!(row.is_object(), "{name}: {line}");
            }
        }
    }
    // The product image, byte for byte.
    let image_entry = files
        .iter()
        .find(|(n, _)| n.starts_with("images/") && n.ends_with(".png"))
        .expect("the product image is in the archive");
    assert_eq!(image_entry.1, png_bytes());
    let manifest: Value = serde_json::from_str(file(&files, "manifest.json")).unwrap();
    assert_eq!(manifest["images"], 1);

    // Nothing of Bob's, and no secret (the archive's files are compressed: scan them
    // decompressed, and the raw bytes too).
    let everything: Vec<u8> = files.iter().flat_map(|(_, d)| d.clone()).collect();
    for needle in [
        "Bob",
        "Tunde",
        "whispers",
        ACCESS_TOKEN,
        ANTHROPIC_KEY,
        t.app.config.meta_app_secret.expose_secret(),
        "$argon2",
    ] {
        assert!(
            !contains(&everything, needle),
            "{needle:?} leaked into the export"
        );
        assert!(
            !contains(&bytes, needle),
            "{needle:?} leaked into the export"
        );
    }

    // Bob's token gets Bob's archive: nothing of Alice's.
    let bobs = unzip(export(&t, Some(&bob)).await.bytes().await.unwrap().to_vec()).await;
    let bob_everything: Vec<u8> = bobs.iter().flat_map(|(_, d)| d.clone()).collect();
    assert!(contains(&bob_everything, "Bob's secret sneaker"));
    for needle in ["Alice", "indigo", "Ngozi", "size 14", "Allen Avenue"] {
        assert!(
            !contains(&bob_everything, needle),
            "{needle:?} leaked into Bob's export"
        );
    }
    // The download is in the activity log.
    assert_eq!(
        t.rows(&format!(
            "activity_events WHERE business_id = {business} AND kind = 'data_exported'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn the_export_is_for_the_owner_and_api_tokens_only() {
    let t = TestApp::spawn_with(|c| c.agent.workers = 0).await;
    let (alice, business) = t.sign_up_alice().await;
    let staff = staff_token(&t, business).await;
    assert_eq!(export(&t, None).await.status(), 401);
    assert_eq!(export(&t, Some("not-a-token")).await.status(), 401);
    let refused = export(&t, Some(&staff)).await;
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "FORBIDDEN");
    let resp = t
        .gql(Some(&staff), "{ dataExport { url } }", json!({}))
        .await;
    assert_eq!(error_code(&resp), "FORBIDDEN");
    // Integrators: a READ token is enough (an export only reads).
    for scope in ["READ", "WRITE"] {
        let token = api_token(&t, &alice, scope).await;
        let resp = export(&t, Some(&token)).await;
        assert_eq!(resp.status(), 200, "{scope}");
        let files = unzip(resp.bytes().await.unwrap().to_vec()).await;
        assert!(file(&files, "profile.jsonl").contains("Alice Fashion"));
        t.query_ok(&token, "{ dataExport { url } }").await;
    }
}

/// Every text or binary column of every table: `(table, column)`.
async fn text_columns(t: &TestApp) -> Vec<(String, String)> {
    #[derive(QueryableByName)]
    struct Column {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        column_name: String,
    }
    let mut conn = t.app.db().await.unwrap();
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT CAST(TABLE_NAME AS CHAR) AS table_name, CAST(COLUMN_NAME AS CHAR) AS column_name \
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND DATA_TYPE IN \
         ('char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'binary', \
          'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'json', 'enum', 'set')",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(columns.len() > 50, "every table's text columns are scanned");
    columns
        .into_iter()
        .map(|c| (c.table_name, c.column_name))
        .collect()
}

/// Where `needle` appears in the database: `table.column` names.
async fn find_everywhere(t: &TestApp, columns: &[(String, String)], needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (table, column) in columns {
        let n = t
            .count(&format!(
                "SELECT COUNT(*) AS n FROM `{table}` WHERE INSTR(CAST(`{column}` AS BINARY), CAST('{}' AS BINARY)) > 0",
                needle.replace('\'', "''")
            ))
            .await;
        if n > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    found
}

#[tokio::test]
async fn erasing_a_customer_leaves_nothing_of_them_in_any_table() {
    let (t, _standin) = inbox_support::spawn_with(|c| c.agent.workers = 0).await;
    let (alice, business) = inbox_support::alice_connected(&t).await;
    let zainab = Customer::with_phone("2348097654321", "Zainab Okonkwo");
    let secret_text = "deliver to 12 Palm Close";
    text_to(
        &t,
        PHONE_NUMBER_ID,
        &zainab,
        &format!("Hi, please {secret_text}"),
    )
    .await;
    let kemi = Customer::with_phone("2348091112223", "Kemi Adeyemi");
    text_to(&t, PHONE_NUMBER_ID, &kemi, "Do you sell scarves?").await;
    let chat: u64 = t
        .count("SELECT CAST(ch.id AS SIGNED) AS n FROM chats ch JOIN contacts c ON c.id = ch.contact_id WHERE c.wa_id = '2348097654321'")
        .await as u64;
    let contact = t
        .gql_ok(
            Some(&alice),
            "query($id: ID!) { chat(id: $id) { contact { id } } }",
            json!({"id": chat_gid(chat)}),
        )
        .await["chat"]["contact"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // What the business did with her: a reply, notes, an order, a follow-up, a block.
    t.gql_ok(
        Some(&alice),
        "mutation($c: ID!, $t: String!) { sendMessage(chatId: $c, text: $t) { id } }",
        json!({"c": chat_gid(chat), "t": "Thank you Zainab Okonkwo, noted: 12 Palm Close"}),
    )
    .await;
    t.gql_ok(
        Some(&alice),
        "mutation($i: UpdateContactInput!) { updateContact(input: $i) { id } }",
        json!({"i": {"id": contact, "notes": "Zainab Okonkwo prefers mornings"}}),
    )
    .await;
    let product = t.create_product(&alice, "Silk scarf").await;
    let order = t
        .gql_ok(
            Some(&alice),
            "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id total { amountMinor } } }",
            json!({"i": {
                "customer": {"contactId": contact},
                "items": [{"productId": product, "color": "Red", "quantity": 2}],
                "deliveryDetails": "12 Palm Close, Lekki",
                "notes": "Zainab Okonkwo pays on delivery"
            }}),
        )
        .await;
    let total = order["createOrder"]["total"]["amountMinor"].clone();
    t.gql_ok(
        Some(&alice),
        "mutation($i: ScheduleFollowUpInput!) { scheduleFollowUp(input: $i) { id } }",
        json!({"i": {"chatId": chat_gid(chat), "dueAt": (Utc::now() + chrono::Duration::hours(3)).to_rfc3339(), "text": "Zainab Okonkwo, your scarf is waiting"}}),
    )
    .await;
    t.gql_ok(
        Some(&alice),
        "mutation($i: AddToBlacklistInput!) { addToBlacklist(input: $i) { id } }",
        json!({"i": {"phone": "+234 809 765 4321", "reason": "asked to be left alone"}}),
    )
    .await;
    let bsuid = bsuid_for("2348097654321");
    let needles = [
        "2348097654321",
        bsuid.as_str(),
        "Zainab Okonkwo",
        secret_text,
    ];
    let columns = text_columns(&t).await;
    // She is there before.
    for needle in needles {
        assert!(
            !find_everywhere(&t, &columns, needle).await.is_empty(),
            "{needle} is stored before the erasure"
        );
    }

    // Neither staff nor another business can erase her.
    let staff = staff_token(&t, business).await;
    let erase = "mutation($id: ID!) { eraseCustomer(contactId: $id) { messages followUps dealApprovals ordersAnonymised webhookEvents jobs blacklistEntries } }";
    let resp = t.gql(Some(&staff), erase, json!({"id": contact})).await;
    assert_eq!(error_code(&resp), "FORBIDDEN");
    let (bob, _) = t.sign_up_business("Bob Shoes", "bob@example.com").await;
    let resp = t.gql(Some(&bob), erase, json!({"id": contact})).await;
    assert_eq!(error_code(&resp), "NOT_FOUND");
    let missing = t
        .gql(
            Some(&bob),
            erase,
            json!({"id": encode_id("Contact", 999_999)}),
        )
        .await;
    assert_eq!(
        resp["errors"][0]["message"],
        missing["errors"][0]["message"]
    );

    let erased = t.gql_ok(Some(&alice), erase, json!({"id": contact})).await;
    let erased = &erased["eraseCustomer"];
    assert_eq!(erased["messages"], 2, "{erased}");
    assert_eq!(erased["followUps"], 1);
    assert_eq!(erased["ordersAnonymised"], 1);
    assert_eq!(erased["blacklistEntries"], 1);
    assert!(erased["webhookEvents"].as_i64().unwrap() >= 1);
    assert!(erased["jobs"].as_i64().unwrap() >= 1, "her AI reply job");

    for needle in needles {
        let found = find_everywhere(&t, &columns, needle).await;
        assert!(found.is_empty(), "{needle} is still in {found:?}");
    }
    // The order is kept for the books, anonymised.
    let kept = t
        .gql_ok(
            Some(&alice),
            "query($id: ID!) { order(id: $id) { total { amountMinor } customerName deliveryDetails } }",
            json!({"id": order["createOrder"]["id"]}),
        )
        .await;
    assert_eq!(kept["order"]["total"]["amountMinor"], total);
    assert_eq!(kept["order"]["customerName"], "Erased customer");
    assert!(kept["order"]["deliveryDetails"].is_null());
    // Kemi is untouched.
    assert!(
        !find_everywhere(&t, &columns, "Do you sell scarves?")
            .await
            .is_empty()
    );
    assert!(
        !find_everywhere(&t, &columns, "Kemi Adeyemi")
            .await
            .is_empty()
    );
    // The erasure is logged, without what was erased.
    let log = t
        .query_ok(
            &alice,
            "{ activity(first: 5, filter: {kinds: [CUSTOMER_ERASED]}) { nodes { summary actor { kind } } } }",
        )
        .await;
    let nodes = log["activity"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0]["actor"]["kind"], "OWNER");
    // Her contact id is gone: erasing again is NOT_FOUND.
    let again = t.gql(Some(&alice), erase, json!({"id": contact})).await;
    assert_eq!(error_code(&again), "NOT_FOUND");
}

/// Tables with a `business_id` column.
async fn business_tables(t: &TestApp) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Table {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table_name: String,
    }
    let mut conn = t.app.db().await.unwrap();
    let tables: Vec<Table> = diesel::sql_query(
        "SELECT CAST(TABLE_NAME AS CHAR) AS table_name FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME = 'business_id'",
    )
    .load(&mut conn)
    .await
    .unwrap();
    tables.into_iter().map(|t| t.table_name).collect()
}

async fn rows_of_business(t: &TestApp, business: u64) -> Vec<(String, i64)> {
    let mut counts = Vec::new();
    for table in business_tables(t).await {
        let n = t
            .rows(&format!("`{table}` WHERE business_id = {business}"))
            .await;
        counts.push((table, n));
    }
    counts.push((
        "businesses".into(),
        t.rows(&format!("businesses WHERE id = {business}")).await,
    ));
    counts.push((
        "order_items".into(),
        t.rows("order_items WHERE order_id NOT IN (SELECT id FROM orders)")
            .await,
    ));
    counts
}

#[tokio::test]
async fn deleting_the_account_needs_the_password_and_leaves_nothing_of_the_business() {
    let (t, standin) = inbox_support::spawn_with(|c| c.agent.workers = 0).await;
    let (alice, business) = inbox_support::alice_connected(&t).await;
    let second_session = t.log_in("alice@example.com").await;
    let token = api_token(&t, &alice, "WRITE").await;
    let product = t.create_product(&alice, "Ankara dress").await;
    t.gql_upload(
        &alice,
        "mutation($id: ID!, $f: [Upload!]!) { addProductImages(id: $id, images: $f) { id } }",
        json!({"id": product}),
        png_bytes(),
        "dress.png",
    )
    .await;
    let ada = Customer::with_phone("2348012345678", "Ada");
    text_to(&t, PHONE_NUMBER_ID, &ada, "How much is the ankara dress?").await;
    let contact_chat: u64 = t.count("SELECT CAST(id AS SIGNED) AS n FROM chats").await as u64;
    let contact = t
        .gql_ok(
            Some(&alice),
            "query($id: ID!) { chat(id: $id) { contact { id } } }",
            json!({"id": chat_gid(contact_chat)}),
        )
        .await["chat"]["contact"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    t.gql_ok(
        Some(&alice),
        "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }",
        json!({"i": {"customer": {"contactId": contact}, "items": [{"productId": product, "color": "Red", "quantity": 1}], "deliveryDetails": "3 Broad Street"}}),
    )
    .await;
    let (bob, bob_business) = t.sign_up_business("Bob Shoes", "bob@example.com").await;
    t.create_product(&bob, "Bob's sneaker").await;
    let before = rows_of_business(&t, business).await;
    assert!(
        before.iter().filter(|(_, n)| *n > 0).count() >= 10,
        "Alice has rows in most tables: {before:?}"
    );

    let delete = "mutation($p: String!) { deleteAccount(password: $p) }";
    // Staff and API tokens are refused; a wrong password is refused and counted.
    let staff = staff_token(&t, business).await;
    let resp = t
        .gql(Some(&staff), delete, json!({"p": "correct-horse-1"}))
        .await;
    assert_eq!(error_code(&resp), "FORBIDDEN");
    let resp = t
        .gql(Some(&token), delete, json!({"p": "correct-horse-1"}))
        .await;
    assert_eq!(error_code(&resp), "FORBIDDEN");
    let failures_before = t.rows("auth_attempts WHERE outcome = 'failed'").await;
    let resp = t
        .gql(Some(&alice), delete, json!({"p": "wrong-password"}))
        .await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT");
    assert_eq!(resp["errors"][0]["extensions"]["field"], "password");
    assert_eq!(
        t.rows("auth_attempts WHERE outcome = 'failed'").await,
        failures_before + 1,
        "a wrong password is a password guess"
    );
    t.query_ok(&alice, "{ business { id } }").await;
    // Two guesses in one request are refused before either runs.
    let resp = t
        .gql(
            Some(&alice),
            "mutation { a: deleteAccount(password: \"x\") b: deleteAccount(password: \"y\") }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT");

    // Open subscriptions, one on a session and one on the API token.
    let mut sockets = Vec::new();
    for credential in [&second_session, &token] {
        let mut ws = WsClient::init(&t, credential).await;
        ws.subscribe("added", "subscription { messageAdded { body } }")
            .await;
        ws.send(json!({"type": "ping"})).await;
        assert!(
            matches!(ws.next(inbox_support::WAIT).await, Some(WsEvent::Json(v)) if v["type"] == "pong")
        );
        sockets.push(ws);
    }
    let done = t
        .gql_ok(Some(&alice), delete, json!({"p": "correct-horse-1"}))
        .await;
    // Their WebSockets are closed at once (4401), the API token's too.
    for ws in &mut sockets {
        let closed = loop {
            match ws.next(Duration::from_secs(2)).await {
                Some(WsEvent::Closed(code)) => break code,
                Some(WsEvent::Json(_)) => {}
                None => panic!("a WebSocket stayed open after the account was deleted"),
            }
        };
        assert_eq!(closed, Some(4401));
    }
    assert_eq!(done["deleteAccount"], true);

    // Every session and token ended at once.
    for old in [&alice, &second_session, &token] {
        let resp = t.gql(Some(old), "{ business { id } }", json!({})).await;
        assert_eq!(error_code(&resp), "UNAUTHENTICATED");
    }
    assert_eq!(export(&t, Some(&token)).await.status(), 401);
    // Nothing of the business is left.
    let after = rows_of_business(&t, business).await;
    assert!(after.iter().all(|(_, n)| *n == 0), "left behind: {after:?}");
    assert_eq!(t.rows("pending_statuses").await, 0);
    assert_eq!(
        t.rows("product_images WHERE product_id NOT IN (SELECT id FROM products)")
            .await,
        0
    );
    // The number was released from the operator's app, as disconnecting does.
    let released = standin
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE" && r.path.ends_with("/subscribed_apps"))
        .count();
    assert_eq!(released, 1);
    // Bob is untouched.
    assert!(
        t.rows(&format!("products WHERE business_id = {bob_business}"))
            .await
            > 0
    );
    t.query_ok(&bob, "{ business { id } }").await;
    // The number is free for another business now.
    let again = inbox_support::connect(&t, &bob).await;
    assert!(again.get("errors").is_none(), "{again}");
}

#[tokio::test]
async fn disconnecting_releases_the_number_from_the_operators_app() {
    let (t, standin) = inbox_support::spawn_with(|c| c.agent.workers = 0).await;
    let (alice, _) = inbox_support::alice_connected(&t).await;
    t.query_ok(&alice, "mutation { disconnectWhatsApp { status } }")
        .await;
    let released: Vec<_> = standin
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .collect();
    assert_eq!(released.len(), 1);
    assert!(released[0].path.ends_with("/subscribed_apps"));
}

const SETTINGS: &str = "mutation($d: Int) { updatePrivacySettings(input: {messageRetentionDays: $d}) { messageRetentionDays webhookBodyDays unroutableWebhookBodyDays } }";

#[tokio::test]
async fn message_retention_is_the_owners_setting_within_limits() {
    let t = TestApp::spawn_with(|c| c.agent.workers = 0).await;
    let (alice, business) = t.sign_up_alice().await;
    let read = t.query_ok(&alice, "{ privacySettings { messageRetentionDays webhookBodyDays unroutableWebhookBodyDays } }").await;
    assert!(read["privacySettings"]["messageRetentionDays"].is_null());
    assert_eq!(read["privacySettings"]["webhookBodyDays"], 30);
    assert_eq!(read["privacySettings"]["unroutableWebhookBodyDays"], 7);
    let set = t.gql_ok(Some(&alice), SETTINGS, json!({"d": 30})).await;
    assert_eq!(set["updatePrivacySettings"]["messageRetentionDays"], 30);
    for bad in [0, -1, 3651] {
        let resp = t.gql(Some(&alice), SETTINGS, json!({"d": bad})).await;
        assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{bad}");
        assert_eq!(
            resp["errors"][0]["extensions"]["field"],
            "messageRetentionDays"
        );
    }
    let staff = staff_token(&t, business).await;
    let resp = t.gql(Some(&staff), SETTINGS, json!({"d": 1})).await;
    assert_eq!(error_code(&resp), "FORBIDDEN");
    let read = t
        .query_ok(&staff, "{ privacySettings { messageRetentionDays } }")
        .await;
    assert_eq!(read["privacySettings"]["messageRetentionDays"], 30);
    let cleared = t.gql_ok(Some(&alice), SETTINGS, json!({"d": null})).await;
    assert!(cleared["updatePrivacySettings"]["messageRetentionDays"].is_null());
}

fn days_ago(days: i64) -> NaiveDateTime {
    (Utc::now() - chrono::Duration::days(days) - chrono::Duration::minutes(1)).naive_utc()
}

async fn insert_message_stored(
    t: &TestApp,
    business: u64,
    chat: u64,
    wamid: &str,
    at: NaiveDateTime,
) {
    let mut conn = t.app.db().await.unwrap();
    diesel::insert_into(messages::table)
        .values((
            messages::business_id.eq(business),
            messages::chat_id.eq(chat),
            messages::wamid.eq(wamid),
            messages::direction.eq("inbound"),
            messages::kind.eq("text"),
            messages::body.eq(wamid),
            messages::sent_by.eq("customer"),
            messages::status.eq("delivered"),
            messages::created_at.eq(at),
        ))
        .execute(&mut conn)
        .await
        .unwrap();
}

async fn insert_webhook_event(t: &TestApp, business: Option<u64>, tag: &str, at: NaiveDateTime) {
    let mut conn = t.app.db().await.unwrap();
    diesel::insert_into(webhook_events::table)
        .values((
            webhook_events::business_id.eq(business),
            webhook_events::raw_body.eq(tag.as_bytes().to_vec()),
            webhook_events::signature_valid.eq(true),
            webhook_events::outcome.eq("processed"),
            webhook_events::received_at.eq(at),
        ))
        .execute(&mut conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_purge_deletes_what_is_older_than_each_limit_and_nothing_else() {
    let t = TestApp::spawn_with(|c| c.agent.workers = 0).await;
    let (alice, alice_business) = t.sign_up_alice().await;
    let (_bob, bob_business) = t.sign_up_business("Bob Shoes", "bob@example.com").await;
    t.gql_ok(Some(&alice), SETTINGS, json!({"d": 10})).await;
    let alice_chat = NewChat::phone("Ada", "2348012345678")
        .insert(&t, alice_business)
        .await;
    let bob_chat = NewChat::phone("Tunde", "2348012345679")
        .insert(&t, bob_business)
        .await;
    insert_message_stored(
        &t,
        alice_business,
        alice_chat,
        "alice-11-days",
        days_ago(11),
    )
    .await;
    insert_message_stored(
        &t,
        alice_business,
        alice_chat,
        "alice-12-days",
        days_ago(12),
    )
    .await;
    insert_message_stored(&t, alice_business, alice_chat, "alice-9-days", days_ago(9)).await;
    // Bob keeps messages (no retention set).
    insert_message_stored(&t, bob_business, bob_chat, "bob-400-days", days_ago(400)).await;
    insert_webhook_event(&t, Some(alice_business), "routed-31-days", days_ago(31)).await;
    insert_webhook_event(&t, Some(bob_business), "routed-29-days", days_ago(29)).await;
    insert_webhook_event(&t, None, "unroutable-8-days", days_ago(8)).await;
    insert_webhook_event(&t, None, "unroutable-6-days", days_ago(6)).await;

    let purged = backend::privacy::retention::purge(&t.app, Utc::now().naive_utc(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        purged.messages,
        vec![(shared::BusinessId(alice_business), 2)]
    );
    assert_eq!(purged.webhook_events, 1);
    assert_eq!(purged.unroutable_webhook_events, 1);
    let left = |table: &str, tag: &str| {
        let column = if table == "messages" {
            "wamid"
        } else {
            "CAST(raw_body AS CHAR)"
        };
        format!("{table} WHERE {column} = '{tag}'")
    };
    assert_eq!(t.rows(&left("messages", "alice-11-days")).await, 0);
    assert_eq!(t.rows(&left("messages", "alice-12-days")).await, 0);
    assert_eq!(t.rows(&left("messages", "alice-9-days")).await, 1);
    assert_eq!(t.rows(&left("messages", "bob-400-days")).await, 1);
    assert_eq!(t.rows(&left("webhook_events", "routed-31-days")).await, 0);
    assert_eq!(t.rows(&left("webhook_events", "routed-29-days")).await, 1);
    assert_eq!(
        t.rows(&left("webhook_events", "unroutable-8-days")).await,
        0
    );
    assert_eq!(
        t.rows(&left("webhook_events", "unroutable-6-days")).await,
        1
    );
    // Alice's log says how many went; Bob's says nothing.
    let log = t
        .query_ok(
            &alice,
            "{ activity(first: 5, filter: {kinds: [MESSAGES_PURGED]}) { nodes { summary details actor { kind } } } }",
        )
        .await;
    let nodes = log["activity"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1, "{log}");
    assert_eq!(nodes[0]["actor"]["kind"], "SYSTEM");
    assert!(nodes[0]["summary"].as_str().unwrap().contains("2 messages"));
    assert_eq!(
        t.rows(&format!(
            "activity_events WHERE business_id = {bob_business} AND kind = 'messages_purged'"
        ))
        .await,
        0
    );
    // A second run finds nothing more.
    let again = backend::privacy::retention::purge(&t.app, Utc::now().naive_utc(), None)
        .await
        .unwrap()
        .unwrap();
    assert!(again.messages.is_empty());
    assert_eq!(again.webhook_events + again.unroutable_webhook_events, 0);
}

#[tokio::test]
async fn two_replicas_keep_one_purge_job_that_runs_and_reschedules_itself() {
    let fleet = TestApp::spawn_fleet(2, |c| c.agent.workers = 2).await;
    let t = &fleet[0];
    let (_alice, business) = t.sign_up_alice().await;
    insert_webhook_event(t, Some(business), "routed-40-days", days_ago(40)).await;
    // The job ran when the servers started (nothing to purge then); an hour passes.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while t
        .rows("jobs WHERE kind = 'retention_purge' AND run_at > UTC_TIMESTAMP()")
        .await
        == 0
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the purge job is scheduled at start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    t.execute("UPDATE jobs SET run_at = UTC_TIMESTAMP(6) WHERE kind = 'retention_purge'")
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let gone = t
            .rows("webhook_events WHERE CAST(raw_body AS CHAR) = 'routed-40-days'")
            .await
            == 0;
        let rescheduled = t
            .rows("jobs WHERE kind = 'retention_purge' AND run_at > UTC_TIMESTAMP() + INTERVAL 50 MINUTE AND done_at IS NULL")
            .await
            == 1;
        if gone && rescheduled {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the purge job ran and scheduled its next run (gone: {gone}, rescheduled: {rescheduled})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(t.rows("jobs WHERE kind = 'retention_purge'").await, 1);
}
