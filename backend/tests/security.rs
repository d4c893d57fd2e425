//! The attacker's findings of issue 12, each a test first: password guessing (aliases,
//! batches, any mix of requests, per address, forged `X-Forwarded-For`), operations
//! over the WebSocket, sockets outliving their session, and the security headers; then
//! sessions, password change and API tokens, with their roles and tenancy cases.

use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{TestApp, error_code};
use crate::inbox_support::{
    NewChat, WAIT, WsClient, WsEvent, alice_chatting_with, chat_gid, spawn,
};

const LOG_IN: &str =
    "mutation($e: String!, $p: String!) { logIn(input: {email: $e, password: $p}) { token } }";
const PASSWORD: &str = "correct-horse-1";

/// A log-in attempt from `forwarded_for` (as an `X-Forwarded-For` header) when given.
async fn log_in_from(
    t: &TestApp,
    email: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> Value {
    let mut req = t
        .http
        .post(format!("{}/graphql", t.url))
        .json(&json!({ "query": LOG_IN, "variables": {"e": email, "p": password} }));
    if let Some(ip) = forwarded_for {
        req = req.header("X-Forwarded-For", ip);
    }
    req.send().await.unwrap().json().await.unwrap()
}

async fn log_in_as(t: &TestApp, email: &str, password: &str) -> Value {
    log_in_from(t, email, password, None).await
}

/// Posts a raw JSON body (a batch is an array) to `/graphql`.
async fn post_raw(t: &TestApp, token: Option<&str>, body: Value) -> Value {
    let mut req = t.http.post(format!("{}/graphql", t.url)).json(&body);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn sixty_aliased_log_ins_in_one_request_are_refused_before_any_runs() {
    let t = TestApp::spawn().await;
    t.sign_up("Shop", "a@example.com").await;
    let fields: String = (0..60)
        .map(|i| format!("g{i}: logIn(input: {{email: \"a@example.com\", password: \"guess-{i}\"}}) {{ token }} "))
        .collect();
    let resp = t
        .gql(None, &format!("mutation {{ {fields} }}"), json!({}))
        .await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{resp}");
    assert!(
        resp["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("one authentication operation"),
        "{resp}"
    );
    assert!(
        resp["data"].is_null() || resp.get("data").is_none(),
        "{resp}"
    );
    // Fragments do not hide them either.
    let resp = t
        .gql(
            None,
            "mutation { ...a ...b } fragment a on MutationRoot { x: logIn(input: {email: \"a@example.com\", password: \"p1\"}) { token } } fragment b on MutationRoot { y: logIn(input: {email: \"a@example.com\", password: \"p2\"}) { token } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{resp}");
    // Nor does a batch of ten.
    let batch: Vec<Value> = (0..10)
        .map(|i| json!({"query": LOG_IN, "variables": {"e": "a@example.com", "p": format!("batch-{i}")}}))
        .collect();
    let resp = post_raw(&t, None, Value::Array(batch)).await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{resp}");
    // No password was checked at all.
    assert_eq!(t.rows("auth_attempts WHERE kind = 'log_in'").await, 0);
    // One log-in per request still works.
    assert!(log_in_as(&t, "a@example.com", PASSWORD).await["data"]["logIn"]["token"].is_string());
}

#[tokio::test]
async fn at_most_ten_wrong_passwords_per_account_in_fifteen_minutes_from_any_mix_of_requests() {
    let t = TestApp::spawn().await;
    t.sign_up("Shop", "a@example.com").await;
    // A burst of 25 concurrent guesses: at most ten get their password checked.
    let burst = futures::future::join_all((0..25).map(|i| {
        log_in_as(
            &t,
            "a@example.com",
            if i == 0 { "wrong-a" } else { "wrong-b" },
        )
    }))
    .await;
    let checked = burst
        .iter()
        .filter(|r| error_code(r) == "BAD_USER_INPUT")
        .count();
    let limited = burst
        .iter()
        .filter(|r| error_code(r) == "RATE_LIMITED")
        .count();
    assert!(checked <= 10, "{checked} guesses were checked");
    assert_eq!(checked + limited, 25);
    // Then one at a time, until refused: ten wrong passwords in all, never more.
    let mut total = checked;
    loop {
        let resp = log_in_as(&t, "A@Example.com", "still-wrong").await;
        match error_code(&resp) {
            "BAD_USER_INPUT" => total += 1,
            "RATE_LIMITED" => break,
            other => panic!("unexpected {other}: {resp}"),
        }
        assert!(total <= 10, "more than ten wrong passwords were checked");
    }
    assert_eq!(total, 10);
    // Locked: even the right password is refused now, and says why.
    let resp = log_in_as(&t, "a@example.com", PASSWORD).await;
    assert_eq!(error_code(&resp), "RATE_LIMITED", "{resp}");
    assert!(
        resp["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("this account")
    );
    // The table holds no e-mail address.
    assert_eq!(t.rows("auth_attempts WHERE account LIKE '%@%'").await, 0);
    // Another account is not affected by this one's lock.
    t.sign_up("Other", "b@example.com").await;
    assert!(log_in_as(&t, "b@example.com", PASSWORD).await["data"]["logIn"]["token"].is_string());
}

#[tokio::test]
async fn wrong_passwords_are_limited_per_address_across_accounts() {
    let t = TestApp::spawn_with(|c| c.auth_limits.failures_per_ip = 5).await;
    for i in 0..5 {
        let resp = log_in_as(&t, &format!("user{i}@example.com"), "wrong-password").await;
        assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{resp}");
    }
    let resp = log_in_as(&t, "user9@example.com", "wrong-password").await;
    assert_eq!(error_code(&resp), "RATE_LIMITED", "{resp}");
    assert!(
        resp["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("network")
    );
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
    // Not behind a trusted proxy: a forged X-Forwarded-For does not buy new guesses.
    let t = TestApp::spawn_with(|c| c.auth_limits.failures_per_ip = 3).await;
    for i in 0..3 {
        let forged = format!("198.51.100.{i}");
        let resp = log_in_from(&t, "x@example.com", "wrong-password", Some(&forged)).await;
        assert_eq!(error_code(&resp), "BAD_USER_INPUT");
    }
    let resp = log_in_from(&t, "y@example.com", "wrong-password", Some("203.0.113.77")).await;
    assert_eq!(error_code(&resp), "RATE_LIMITED", "{resp}");

    // Behind a trusted proxy (the test client's loopback address): each client is its own.
    let t = TestApp::spawn_with(|c| {
        c.auth_limits.failures_per_ip = 3;
        c.trusted_proxies = backend::config::TrustedProxies::parse("127.0.0.1").unwrap();
    })
    .await;
    for _ in 0..3 {
        let resp = log_in_from(&t, "x@example.com", "wrong-password", Some("198.51.100.1")).await;
        assert_eq!(error_code(&resp), "BAD_USER_INPUT");
    }
    let resp = log_in_from(&t, "y@example.com", "wrong-password", Some("198.51.100.1")).await;
    assert_eq!(error_code(&resp), "RATE_LIMITED");
    let resp = log_in_from(&t, "y@example.com", "wrong-password", Some("198.51.100.2")).await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT");
    // The session records the client's address, not the proxy's.
    t.sign_up("Shop", "s@example.com").await;
    let resp = log_in_from(&t, "s@example.com", PASSWORD, Some("1.1.1.1, 203.0.113.5")).await;
    let token = resp["data"]["logIn"]["token"].as_str().unwrap().to_string();
    let data = t.query_ok(&token, "{ sessions { ip current } }").await;
    let current = data["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap();
    assert_eq!(current["ip"], "203.0.113.5");
}

#[tokio::test]
async fn sign_ups_are_limited_per_address() {
    let t = TestApp::spawn_with(|c| c.auth_limits.sign_ups_per_ip = 2).await;
    t.sign_up("One", "one@example.com").await;
    t.sign_up("Two", "two@example.com").await;
    let resp = t
        .gql(
            None,
            "mutation($i: SignUpInput!) { signUp(input: $i) { token } }",
            json!({ "i": {
                "businessName": "Three", "businessType": "Shop", "country": "NG",
                "email": "three@example.com", "password": PASSWORD,
                "acceptedPolicyVersion": shared::legal::POLICY_VERSION,
                "confirmedAuthorisedAndOver16": true
            }}),
        )
        .await;
    assert_eq!(error_code(&resp), "RATE_LIMITED", "{resp}");
    assert_eq!(t.rows("businesses").await, 2);
}

/// The first protocol message answering subscription `id` (skipping none).
async fn answer(ws: &mut WsClient) -> Value {
    match ws.next(WAIT).await {
        Some(WsEvent::Json(v)) => v,
        other => panic!("expected an answer, got {other:?}"),
    }
}

#[tokio::test]
async fn the_websocket_runs_subscriptions_only() {
    let (t, _standin) = spawn().await;
    let (alice, _) = t.sign_up_alice().await;
    let mut ws = WsClient::init(&t, &alice).await;
    ws.subscribe(
        "m",
        "mutation { updateBusiness(input: {name: \"Hijacked\"}) { name } }",
    )
    .await;
    let reply = answer(&mut ws).await;
    assert_eq!(reply["id"], "m", "{reply}");
    let text = reply.to_string();
    assert!(
        text.contains("only subscriptions run over the WebSocket"),
        "{reply}"
    );
    assert!(text.contains("BAD_USER_INPUT"), "{reply}");
    assert_eq!(
        answer(&mut ws).await,
        json!({"id": "m", "type": "complete"})
    );
    ws.subscribe("q", "{ business { name } }").await;
    let reply = answer(&mut ws).await;
    assert!(reply.to_string().contains("only subscriptions"), "{reply}");
    // Nothing ran.
    let data = t.query_ok(&alice, "{ business { name } }").await;
    assert_eq!(data["business"]["name"], "Alice Fashion");
}

/// Expects the socket to close with 4401 within a second, and then to say nothing.
async fn expect_closed_4401(ws: &mut WsClient) {
    let mut events = Vec::new();
    let closed = loop {
        match ws.next(Duration::from_secs(1)).await {
            Some(WsEvent::Closed(code)) => break code,
            Some(WsEvent::Json(v)) => events.push(v),
            None => panic!("still open a second after the revocation; got {events:?}"),
        }
    };
    assert_eq!(closed, Some(4401), "events before close: {events:?}");
    assert!(events.is_empty(), "events after the revocation: {events:?}");
    assert!(matches!(
        ws.next(Duration::from_millis(300)).await,
        Some(WsEvent::Closed(_)) | None
    ));
}

/// A subscriber on `ws` to Alice's new messages, registered (ping round trip).
async fn subscribe_messages(ws: &mut WsClient) {
    ws.subscribe("added", "subscription { messageAdded { body } }")
        .await;
    ws.send(json!({"type": "ping"})).await;
    assert!(matches!(ws.next(WAIT).await, Some(WsEvent::Json(v)) if v["type"] == "pong"));
}

#[tokio::test]
async fn log_out_closes_the_sessions_websocket_and_no_further_event_is_delivered() {
    let (t, _standin) = spawn().await;
    let (alice, _, chat) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(1)).await;
    let mut ws = WsClient::init(&t, &alice).await;
    subscribe_messages(&mut ws).await;
    t.query_ok(&alice, "mutation { logOut }").await;
    expect_closed_4401(&mut ws).await;
    // New messages of the business are not delivered to the closed socket.
    let other = t.log_in("alice@example.com").await;
    t.gql_ok(
        Some(&other),
        "mutation($c: ID!, $t: String!) { sendMessage(chatId: $c, text: $t) { id } }",
        json!({"c": chat_gid(chat), "t": "after log-out"}),
    )
    .await;
    assert!(!matches!(
        ws.next(Duration::from_millis(500)).await,
        Some(WsEvent::Json(_))
    ));
}

#[tokio::test]
async fn revoking_a_session_closes_only_its_websockets_and_its_token() {
    let (t, _standin) = spawn().await;
    let (first, _) = t.sign_up_alice().await;
    let second = t.log_in("alice@example.com").await;
    let mut first_ws = WsClient::init(&t, &first).await;
    let mut second_ws = WsClient::init(&t, &second).await;
    subscribe_messages(&mut first_ws).await;
    subscribe_messages(&mut second_ws).await;

    let data = t
        .query_ok(
            &first,
            "{ sessions { id current userAgent createdAt lastSeenAt } }",
        )
        .await;
    let sessions = data["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2, "{data}");
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    let other = sessions.iter().find(|s| s["current"] == false).unwrap();
    let other_id = other["id"].as_str().unwrap();

    let resp = t
        .gql_ok(
            Some(&first),
            "mutation($id: ID!) { revokeSession(id: $id) }",
            json!({"id": other_id}),
        )
        .await;
    assert_eq!(resp["revokeSession"], true);
    expect_closed_4401(&mut second_ws).await;
    assert_eq!(
        error_code(&t.gql(Some(&second), "{ business { id } }", json!({})).await),
        "UNAUTHENTICATED"
    );
    // The first session and its socket live on.
    first_ws.send(json!({"type": "ping"})).await;
    assert!(matches!(first_ws.next(WAIT).await, Some(WsEvent::Json(v)) if v["type"] == "pong"));
    t.query_ok(&first, "{ business { id } }").await;
    // Revoking it again, or a made-up id, is NOT_FOUND.
    let again = t
        .gql(
            Some(&first),
            "mutation($id: ID!) { revokeSession(id: $id) }",
            json!({"id": other_id}),
        )
        .await;
    assert_eq!(error_code(&again), "NOT_FOUND");
}

#[tokio::test]
async fn a_business_cannot_list_or_revoke_another_business_sessions() {
    let t = TestApp::spawn().await;
    let (alice, _) = t.sign_up_alice().await;
    let (bob, _) = t.sign_up_business("Bob Shoes", "bob@example.com").await;
    let data = t.query_ok(&alice, "{ sessions { id } }").await;
    let alices = data["sessions"][0]["id"].as_str().unwrap().to_string();
    let bobs = t.query_ok(&bob, "{ sessions { id } }").await;
    assert_eq!(bobs["sessions"].as_array().unwrap().len(), 1);
    assert_ne!(bobs["sessions"][0]["id"], alices);
    let resp = t
        .gql(
            Some(&bob),
            "mutation($id: ID!) { revokeSession(id: $id) }",
            json!({"id": alices}),
        )
        .await;
    assert_eq!(error_code(&resp), "NOT_FOUND");
    t.query_ok(&alice, "{ business { id } }").await;
    // Nor another user of the same business: sessions are their own user's (staff
    // users come with invitations; a second user is inserted here).
    let (business_id, other_user) = {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        let mut conn = t.app.db().await.unwrap();
        let id = t.business_id(&alice).await;
        diesel::sql_query(format!(
            "INSERT INTO users (business_id, email, password_hash, role) VALUES ({id}, 'staff@example.com', 'x', 'staff')"
        ))
        .execute(&mut conn)
        .await
        .unwrap();
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Unsigned<diesel::sql_types::BigInt>)]
            id: u64,
        }
        let row: Row = diesel::sql_query("SELECT id FROM users WHERE email = 'staff@example.com'")
            .get_result(&mut conn)
            .await
            .unwrap();
        (id, row.id)
    };
    let staff_session = {
        let mut conn = t.app.db().await.unwrap();
        backend::db::sessions::create(
            &mut conn,
            business_id,
            other_user,
            (chrono::Utc::now() + chrono::Duration::hours(1)).naive_utc(),
            Default::default(),
        )
        .await
        .unwrap()
    };
    let listed = t.query_ok(&alice, "{ sessions { id } }").await.to_string();
    let staff_gid = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("Session:{staff_session}"))
    };
    assert!(!listed.contains(&staff_gid), "{listed}");
    let resp = t
        .gql(
            Some(&alice),
            "mutation($id: ID!) { revokeSession(id: $id) }",
            json!({"id": staff_gid}),
        )
        .await;
    assert_eq!(error_code(&resp), "NOT_FOUND");
}

#[tokio::test]
async fn log_out_everywhere_ends_every_session_of_the_user() {
    let (t, _standin) = spawn().await;
    let (first, _) = t.sign_up_alice().await;
    let second = t.log_in("alice@example.com").await;
    let (bob, _) = t.sign_up_business("Bob Shoes", "bob@example.com").await;
    let mut ws = WsClient::init(&t, &second).await;
    subscribe_messages(&mut ws).await;
    let data = t.query_ok(&first, "mutation { logOutEverywhere }").await;
    assert_eq!(data["logOutEverywhere"], 2);
    expect_closed_4401(&mut ws).await;
    for token in [&first, &second] {
        assert_eq!(
            error_code(&t.gql(Some(token), "{ business { id } }", json!({})).await),
            "UNAUTHENTICATED"
        );
    }
    // Another business's session is untouched.
    t.query_ok(&bob, "{ business { id } }").await;
}

const CHANGE_PASSWORD: &str = "mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c, newPassword: $n}) }";

#[tokio::test]
async fn change_password_checks_the_current_one_and_ends_the_other_sessions() {
    let (t, _standin) = spawn().await;
    let (current, _) = t.sign_up_alice().await;
    let other = t.log_in("alice@example.com").await;
    let mut other_ws = WsClient::init(&t, &other).await;
    subscribe_messages(&mut other_ws).await;

    let wrong = t
        .gql(
            Some(&current),
            CHANGE_PASSWORD,
            json!({"c": "not-it-at-all", "n": "a-new-password-1"}),
        )
        .await;
    assert_eq!(error_code(&wrong), "BAD_USER_INPUT");
    assert_eq!(wrong["errors"][0]["extensions"]["field"], "currentPassword");
    let short = t
        .gql(
            Some(&current),
            CHANGE_PASSWORD,
            json!({"c": PASSWORD, "n": "short"}),
        )
        .await;
    assert_eq!(short["errors"][0]["extensions"]["field"], "newPassword");
    // Still the old password.
    t.query_ok(&other, "{ business { id } }").await;

    let ok = t
        .gql_ok(
            Some(&current),
            CHANGE_PASSWORD,
            json!({"c": PASSWORD, "n": "a-new-password-1"}),
        )
        .await;
    assert_eq!(ok["changePassword"], true);
    expect_closed_4401(&mut other_ws).await;
    assert_eq!(
        error_code(&t.gql(Some(&other), "{ business { id } }", json!({})).await),
        "UNAUTHENTICATED"
    );
    t.query_ok(&current, "{ business { id } }").await;
    assert_eq!(
        error_code(&log_in_as(&t, "alice@example.com", PASSWORD).await),
        "BAD_USER_INPUT"
    );
    assert!(
        log_in_as(&t, "alice@example.com", "a-new-password-1").await["data"]["logIn"]["token"]
            .is_string()
    );
    let kinds = t
        .rows("activity_events WHERE kind = 'password_changed'")
        .await;
    assert_eq!(kinds, 1);
}

#[tokio::test]
async fn wrong_current_passwords_count_against_the_account_limit() {
    let t = TestApp::spawn_with(|c| c.auth_limits.failures_per_account = 3).await;
    let (alice, _) = t.sign_up_alice().await;
    for _ in 0..3 {
        let resp = t
            .gql(
                Some(&alice),
                CHANGE_PASSWORD,
                json!({"c": "guess-guess", "n": "a-new-password-1"}),
            )
            .await;
        assert_eq!(error_code(&resp), "BAD_USER_INPUT");
    }
    let resp = t
        .gql(
            Some(&alice),
            CHANGE_PASSWORD,
            json!({"c": PASSWORD, "n": "a-new-password-1"}),
        )
        .await;
    assert_eq!(error_code(&resp), "RATE_LIMITED");
    assert_eq!(
        error_code(&log_in_as(&t, "alice@example.com", PASSWORD).await),
        "RATE_LIMITED"
    );
}

const CREATE_TOKEN: &str = "mutation($n: String!, $s: ApiTokenScope!) { createApiToken(input: {name: $n, scope: $s}) { secret apiToken { id name scope createdAt lastUsedAt } } }";

/// Creates a token as `owner`; returns (secret, id).
async fn create_token(t: &TestApp, owner: &str, name: &str, scope: &str) -> (String, String) {
    let data = t
        .gql_ok(Some(owner), CREATE_TOKEN, json!({"n": name, "s": scope}))
        .await;
    let created = &data["createApiToken"];
    (
        created["secret"].as_str().unwrap().to_string(),
        created["apiToken"]["id"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn api_tokens_are_shown_once_stored_as_hashes_and_listed_without_secrets() {
    let t = TestApp::spawn().await;
    let (alice, _) = t.sign_up_alice().await;
    let data = t
        .gql_ok(
            Some(&alice),
            CREATE_TOKEN,
            json!({"n": "Shopify sync", "s": "WRITE"}),
        )
        .await;
    let created = &data["createApiToken"];
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("wsk_") && secret.len() > 40, "{secret}");
    assert_eq!(created["apiToken"]["name"], "Shopify sync");
    assert_eq!(created["apiToken"]["scope"], "WRITE");
    assert!(created["apiToken"]["lastUsedAt"].is_null());
    // Only the digest is stored.
    assert_eq!(
        t.rows(&format!("api_tokens WHERE token_sha256 = '{secret}'"))
            .await,
        0
    );
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(secret.as_bytes()))
    };
    assert_eq!(
        t.rows(&format!("api_tokens WHERE token_sha256 = '{digest}'"))
            .await,
        1
    );
    // It works, and its use is noted.
    t.query_ok(secret, "{ business { name } }").await;
    let list = t
        .query_ok(&alice, "{ apiTokens { name scope createdAt lastUsedAt } }")
        .await;
    assert_eq!(list["apiTokens"].as_array().unwrap().len(), 1);
    assert!(list["apiTokens"][0]["lastUsedAt"].is_string(), "{list}");
    assert!(!list.to_string().contains(secret));
    // Invalid names are refused by field.
    let resp = t
        .gql(Some(&alice), CREATE_TOKEN, json!({"n": "  ", "s": "READ"}))
        .await;
    assert_eq!(resp["errors"][0]["extensions"]["field"], "name");
    assert_eq!(
        t.rows("activity_events WHERE kind = 'api_token_created'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_read_token_reads_but_every_mutation_is_refused() {
    let t = TestApp::spawn().await;
    let (alice, _) = t.sign_up_alice().await;
    let (read, _) = create_token(&t, &alice, "Reporting", "READ").await;
    let (write, _) = create_token(&t, &alice, "Sync", "WRITE").await;
    assert_eq!(
        t.query_ok(&read, "{ business { name } }").await["business"]["name"],
        "Alice Fashion"
    );
    let rename = "mutation { updateBusiness(input: {name: \"Renamed\"}) { name } }";
    let resp = t.gql(Some(&read), rename, json!({})).await;
    assert_eq!(error_code(&resp), "FORBIDDEN", "{resp}");
    assert!(
        resp["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("read-only")
    );
    // Not through a batch or a named operation either.
    let resp = post_raw(
        &t,
        Some(&read),
        json!([{"query": "{ business { name } }"}, {"query": "query A { business { id } } mutation B { updateBusiness(input: {name: \"X\"}) { name } }", "operationName": "B"}]),
    )
    .await;
    assert_eq!(error_code(&resp), "FORBIDDEN", "{resp}");
    assert_eq!(
        t.query_ok(&alice, "{ business { name } }").await["business"]["name"],
        "Alice Fashion"
    );
    // A write token may.
    assert_eq!(
        t.query_ok(&write, rename).await["updateBusiness"]["name"],
        "Renamed"
    );
}

#[tokio::test]
async fn only_the_owner_manages_tokens_and_another_business_cannot_see_or_revoke_them() {
    let (t, _standin) = spawn().await;
    let (alice, _) = t.sign_up_alice().await;
    let (bob, _) = t.sign_up_business("Bob Shoes", "bob@example.com").await;
    let (secret, id) = create_token(&t, &alice, "Sync", "WRITE").await;
    // Bob sees none of Alice's tokens and cannot revoke them.
    let bobs = t.query_ok(&bob, "{ apiTokens { id } }").await;
    assert_eq!(bobs["apiTokens"], json!([]));
    let revoke = "mutation($id: ID!) { revokeApiToken(id: $id) { name } }";
    let resp = t.gql(Some(&bob), revoke, json!({"id": id})).await;
    assert_eq!(error_code(&resp), "NOT_FOUND");
    t.query_ok(&secret, "{ business { id } }").await;
    // A token cannot manage tokens (not even a WRITE one).
    for query in [
        "{ apiTokens { id } }",
        "mutation { createApiToken(input: {name: \"x\", scope: WRITE}) { secret } }",
    ] {
        let resp = t.gql(Some(&secret), query, json!({})).await;
        assert_eq!(error_code(&resp), "FORBIDDEN", "{query}: {resp}");
    }
    let resp = t.gql(Some(&secret), revoke, json!({"id": id})).await;
    assert_eq!(error_code(&resp), "FORBIDDEN");
    // Nor list sessions or change a password.
    let resp = t.gql(Some(&secret), "{ sessions { id } }", json!({})).await;
    assert_eq!(error_code(&resp), "FORBIDDEN");

    // Revoking closes the token's socket and the token stops working at once.
    let mut ws = WsClient::init(&t, &secret).await;
    subscribe_messages(&mut ws).await;
    let data = t.gql_ok(Some(&alice), revoke, json!({"id": id})).await;
    assert_eq!(data["revokeApiToken"]["name"], "Sync");
    expect_closed_4401(&mut ws).await;
    assert_eq!(
        error_code(&t.gql(Some(&secret), "{ business { id } }", json!({})).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        t.query_ok(&alice, "{ apiTokens { id } }").await["apiTokens"],
        json!([])
    );
    assert_eq!(
        error_code(&t.gql(Some(&alice), revoke, json!({"id": id})).await),
        "NOT_FOUND"
    );
}

fn header<'a>(resp: &'a reqwest::Response, name: &str) -> &'a str {
    resp.headers()
        .get(name)
        .unwrap_or_else(|| panic!("{} has no {name}", resp.url()))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let t = TestApp::spawn().await;
    let graphql = t
        .http
        .post(format!("{}/graphql", t.url))
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .unwrap();
    for resp in [
        t.get("/").await,
        t.get("/healthz").await,
        t.get("/no/such/page").await,
        graphql,
    ] {
        let csp = header(&resp, "content-security-policy");
        for part in [
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(part), "{}: {csp} lacks {part}", resp.url());
        }
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert_eq!(header(&resp, "x-content-type-options"), "nosniff");
        assert_eq!(header(&resp, "referrer-policy"), "no-referrer");
        assert_eq!(header(&resp, "x-frame-options"), "DENY");
        assert!(resp.headers().get("strict-transport-security").is_none());
    }
    // GraphiQL has its own policy (its scripts come from unpkg.com), still unframeable.
    let graphiql = t.get("/graphql").await;
    let csp = header(&graphiql, "content-security-policy");
    assert!(
        csp.contains("https://unpkg.com") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );

    let https = TestApp::spawn_with(|c| c.public_url = "https://shop.example.com".into()).await;
    let resp = https.get("/healthz").await;
    assert!(header(&resp, "strict-transport-security").starts_with("max-age="));
    assert!(header(&resp, "content-security-policy").contains("wss://shop.example.com"));
}

#[tokio::test]
async fn a_sessions_websocket_closes_the_moment_its_token_expires() {
    let (t, _standin) = spawn().await;
    let (alice, business, _) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(1)).await;
    // A token of Alice's session that expires in about three seconds (whole seconds,
    // as JWTs count; the server's own signing).
    let session: String = {
        use diesel_async::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            id: String,
            #[diesel(sql_type = diesel::sql_types::Unsigned<diesel::sql_types::BigInt>)]
            user_id: u64,
        }
        let mut conn = t.app.db().await.unwrap();
        let rows: Vec<Row> =
            diesel::sql_query("SELECT id, user_id FROM sessions ORDER BY created_at DESC LIMIT 1")
                .load(&mut conn)
                .await
                .unwrap();
        let row = &rows[0];
        backend::auth::issue_token(
            &t.app,
            shared::UserId(row.user_id),
            shared::BusinessId(business),
            &row.id,
            chrono::Utc::now() + chrono::Duration::seconds(3),
        )
        .unwrap()
    };
    let started = std::time::Instant::now();
    let mut ws = WsClient::init(&t, &session).await;
    subscribe_messages(&mut ws).await;
    // Open until the token expires, then closed with 4401 at once (not at the next
    // minute's re-check).
    let closed = loop {
        match ws.next(Duration::from_secs(5)).await {
            Some(WsEvent::Closed(code)) => break code,
            Some(WsEvent::Json(_)) => continue,
            None => panic!("still open after the token expired"),
        }
    };
    assert_eq!(closed, Some(4401));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1000),
        "closed before expiry: {took:?}"
    );
    assert!(took < Duration::from_secs(4), "closed late: {took:?}");
    // The long-lived token of the same session still works.
    t.query_ok(&alice, "{ business { name } }").await;
}
