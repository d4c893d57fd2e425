//! Connecting and disconnecting a WhatsApp number: checked with Meta (the stand-in)
//! before saving, the token encrypted and never returned, numbers not shared between
//! businesses, and disconnecting stops sending and ends dashboard sessions.

use serde_json::json;

use crate::common::{TestApp, error_code};
use crate::inbox_support::{
    ACCESS_TOKEN, NewChat, PHONE_NUMBER_ID, alice_chatting_with, chat_gid, connect, spawn,
    spawn_with, try_connect,
};

#[tokio::test]
async fn connecting_checks_the_number_with_meta_and_never_returns_the_token() {
    let (t, standin) = spawn().await;
    let alice = t.sign_up("Alice Fashion", "alice@example.com").await;

    let resp = try_connect(&t, &alice, PHONE_NUMBER_ID, ACCESS_TOKEN).await;
    assert!(resp.get("errors").is_none(), "{resp}");
    let c = &resp["data"]["connectWhatsApp"];
    assert_eq!(c["phoneNumberId"], PHONE_NUMBER_ID);
    assert_eq!(c["status"], "CONNECTED");
    assert_eq!(c["verifiedName"], "Alice Fashion");
    assert_eq!(
        c["displayPhoneNumber"], "+1 555-0100",
        "Meta's display form wins"
    );
    assert_eq!(c["accessTokenHint"], "••••abcd");
    assert!(!resp.to_string().contains(ACCESS_TOKEN));

    // Meta was asked, with the token as a bearer, for the number's details.
    let requests = standin.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, format!("/{PHONE_NUMBER_ID}"));
    assert_eq!(
        requests[0].query.as_deref(),
        Some("fields=display_phone_number%2Cverified_name")
    );
    assert_eq!(requests[0].bearer_hint.as_deref(), Some("••••abcd"));

    // Reading it back never shows the token either; at rest it is encrypted.
    let read = t
        .gql(
            Some(&alice),
            "{ whatsappConnection { phoneNumberId accessTokenHint status } webhookSetup { callbackUrl verifyToken } }",
            json!({}),
        )
        .await;
    assert_eq!(
        read["data"]["whatsappConnection"]["accessTokenHint"],
        "••••abcd"
    );
    assert!(!read.to_string().contains(ACCESS_TOKEN));
    assert_eq!(
        read["data"]["webhookSetup"]["callbackUrl"],
        "http://127.0.0.1/webhooks/whatsapp"
    );
    assert_eq!(
        read["data"]["webhookSetup"]["verifyToken"],
        "wasales-dev-verify-token"
    );
    assert_eq!(
        t.rows(&format!(
            "whatsapp_connections WHERE LOCATE('{ACCESS_TOKEN}', access_token_enc) > 0"
        ))
        .await,
        0
    );
    assert_eq!(t.rows("whatsapp_connections").await, 1);
}

#[tokio::test]
async fn a_token_or_number_meta_rejects_is_a_clear_error_and_nothing_is_stored() {
    let (t, _standin) = spawn().await;
    let alice = t.sign_up("Alice Fashion", "alice@example.com").await;

    let bad_token = try_connect(&t, &alice, PHONE_NUMBER_ID, "EAAGwrong-token-9999").await;
    assert_eq!(error_code(&bad_token), "BAD_USER_INPUT", "{bad_token}");
    assert_eq!(bad_token["errors"][0]["extensions"]["field"], "accessToken");
    assert!(!bad_token.to_string().contains("EAAGwrong-token-9999"));

    let bad_number = try_connect(&t, &alice, "999999999", ACCESS_TOKEN).await;
    assert_eq!(error_code(&bad_number), "BAD_USER_INPUT", "{bad_number}");
    assert_eq!(
        bad_number["errors"][0]["extensions"]["field"],
        "phoneNumberId"
    );

    let not_digits = try_connect(&t, &alice, "12/../34", ACCESS_TOKEN).await;
    assert_eq!(
        not_digits["errors"][0]["extensions"]["field"],
        "phoneNumberId"
    );

    assert_eq!(t.rows("whatsapp_connections").await, 0);
    let none = t.query_ok(&alice, "{ whatsappConnection { id } }").await;
    assert!(none["whatsappConnection"].is_null());
}

#[tokio::test]
async fn a_number_connected_by_another_business_is_refused_without_naming_it() {
    let (t, _standin) = spawn().await;
    let alice = t.sign_up("Alice Fashion", "alice@example.com").await;
    let bob = t.sign_up("Bob Shoes", "bob@example.com").await;
    connect(&t, &alice).await;

    let resp = try_connect(&t, &bob, PHONE_NUMBER_ID, ACCESS_TOKEN).await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{resp}");
    assert_eq!(resp["errors"][0]["extensions"]["field"], "phoneNumberId");
    assert!(!resp.to_string().contains("Alice"), "{resp}");
    let bobs = t.query_ok(&bob, "{ whatsappConnection { id } }").await;
    assert!(bobs["whatsappConnection"].is_null());

    // Alice reconnecting the same number updates her row.
    let again = connect(&t, &alice).await;
    assert_eq!(again["status"], "CONNECTED");
    assert_eq!(t.rows("whatsapp_connections").await, 1);
}

#[tokio::test]
async fn disconnecting_stops_sending_ends_sessions_and_keeps_the_records() {
    let (t, standin) = spawn().await;
    let (alice, _, chat) =
        alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(5).unread(1)).await;

    let resp = t
        .query_ok(
            &alice,
            "mutation { disconnectWhatsApp { status disconnectedAt accessTokenHint } }",
        )
        .await;
    assert_eq!(resp["disconnectWhatsApp"]["status"], "DISCONNECTED");
    assert!(resp["disconnectWhatsApp"]["disconnectedAt"].is_string());

    // The dashboard session ended with it.
    let stale = t
        .gql(Some(&alice), "{ business { name } }", json!({}))
        .await;
    assert_eq!(error_code(&stale), "UNAUTHENTICATED", "{stale}");

    // Signing in again works; the records are still there; sending is refused.
    let again = t.log_in("alice@example.com").await;
    let state = t
        .query_ok(
            &again,
            "{ whatsappConnection { status } chats { nodes { id } } }",
        )
        .await;
    assert_eq!(state["whatsappConnection"]["status"], "DISCONNECTED");
    assert_eq!(state["chats"]["nodes"].as_array().unwrap().len(), 1);
    let before = standin.requests().len();
    let send = t
        .gql(
            Some(&again),
            "mutation($c: ID!) { sendMessage(chatId: $c, text: \"Hello?\") { id } }",
            json!({"c": chat_gid(chat)}),
        )
        .await;
    assert_eq!(error_code(&send), "BAD_USER_INPUT", "{send}");
    assert!(
        send["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not connected")
    );
    assert_eq!(standin.requests().len(), before, "nothing reached Meta");
    assert_eq!(t.rows("messages WHERE direction = 'outbound'").await, 0);

    // Disconnecting twice is NOT_FOUND (nothing connected).
    let twice = t
        .gql(
            Some(&again),
            "mutation { disconnectWhatsApp { status } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&twice), "NOT_FOUND");
}

#[tokio::test]
async fn sends_use_the_system_token_when_the_server_has_one() {
    let (t, standin) = spawn_with(|c| {
        c.meta_system_token = Some("SYSTEMtoken-zzzz".to_string().into());
    })
    .await;
    standin.add_system_token("SYSTEMtoken-zzzz");
    let (alice, _, chat) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(5)).await;
    let sent = t
        .gql_ok(
            Some(&alice),
            "mutation($c: ID!) { sendMessage(chatId: $c, text: \"Hi\") { status } }",
            json!({"c": chat_gid(chat)}),
        )
        .await;
    assert_eq!(sent["sendMessage"]["status"], "SENT");
    let requests = standin.requests();
    let post = requests.last().unwrap();
    assert_eq!(post.method, "POST");
    assert_eq!(post.bearer_hint.as_deref(), Some("••••zzzz"));
}

#[tokio::test]
async fn connection_fields_need_a_caller() {
    let t = TestApp::spawn().await;
    let resp = t
        .gql(None, "{ whatsappConnection { id } }", json!({}))
        .await;
    assert_eq!(error_code(&resp), "UNAUTHENTICATED");
}
