//! Connecting through Meta's Embedded Signup on the operator's one app: the server's
//! calls to the Graph API in order (code exchange with the app secret, subscription,
//! registration), coexistence (no registration, the sync requested), each failing step
//! named and nothing left half-connected, two businesses on the one app each receiving
//! their own messages, owners only, and Meta's `account_update` disconnecting a number.

use secrecy::ExposeSecret;
use serde_json::{Value, json};
use standins::graph::{Failure, GraphStandin};
use standins::webhook::{self as fixtures, Customer};

use crate::common::{TestApp, error_code};
use crate::inbox_support::posts;
use crate::webhook_support::{self, post};

const APP_ID: &str = "424242424242";

const CONNECT: &str = "mutation($i: ConnectWhatsAppWithMetaInput!) {
  connectWhatsAppWithMeta(input: $i) {
    phoneNumberId wabaId displayPhoneNumber verifiedName status onboarding coexistence accessTokenHint
  }
}";

const CONNECTION: &str =
    "{ whatsappConnection { status disconnectReason phoneNumberId onboarding } }";

/// A server set up for Embedded Signup on a Graph stand-in that knows its app.
async fn spawn() -> (TestApp, GraphStandin) {
    let standin = GraphStandin::start(0, false).await.unwrap();
    let url = standin.url.clone();
    let t = TestApp::spawn_with(move |c| {
        c.meta_graph_url = url;
        c.meta_app_id = Some(APP_ID.into());
        c.meta_es_config_id = Some("777000111".into());
    })
    .await;
    standin.set_app(APP_ID, t.app.config.meta_app_secret.expose_secret());
    (t, standin)
}

/// What Embedded Signup leaves for a business: `n` picks distinct ids.
fn signup(standin: &GraphStandin, n: u32) -> (String, String, String, String) {
    let code = format!("AQB-code-{n}");
    let waba = format!("10229012934{n:04}");
    let number = format!("10654035224{n:04}");
    let token = format!("EAAG-business-token-{n}-abcdefgh");
    standin.add_signup(
        &code,
        &waba,
        &number,
        &token,
        &format!("+234 801 000 {n:04}"),
        &format!("Shop {n}"),
    );
    (code, waba, number, token)
}

fn input(code: &str, waba: &str, number: &str, coexistence: bool) -> Value {
    json!({"i": {"code": code, "wabaId": waba, "phoneNumberId": number, "coexistence": coexistence}})
}

/// The stand-in's requests as `METHOD /path`, oldest first.
fn calls(standin: &GraphStandin) -> Vec<String> {
    standin
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test]
async fn an_owner_connects_through_meta_and_the_server_does_every_step() {
    let (t, standin) = spawn().await;
    let owner = t.sign_up("Ada's Boutique", "ada@example.com").await;
    let setup = t
        .gql_ok(
            Some(&owner),
            "{ whatsappSignup { appId configId sdkUrl } }",
            json!({}),
        )
        .await;
    assert_eq!(setup["whatsappSignup"]["appId"], APP_ID);
    assert_eq!(setup["whatsappSignup"]["configId"], "777000111");

    let (code, waba, number, token) = signup(&standin, 1);
    let done = t
        .gql_ok(Some(&owner), CONNECT, input(&code, &waba, &number, false))
        .await;
    let c = &done["connectWhatsAppWithMeta"];
    assert_eq!(c["status"], "CONNECTED", "{done}");
    assert_eq!(c["onboarding"], "EMBEDDED_SIGNUP");
    assert_eq!(c["coexistence"], false);
    assert_eq!(c["displayPhoneNumber"], "+234 801 000 0001");
    assert_eq!(c["verifiedName"], "Shop 1");
    assert!(
        !done.to_string().contains(&token),
        "the token is never returned"
    );
    assert_eq!(
        calls(&standin),
        [
            "GET /oauth/access_token".to_string(),
            format!("GET /{number}"),
            format!("POST /{waba}/subscribed_apps"),
            format!("POST /{number}/register"),
        ]
    );
    let requests = standin.requests();
    // The code was exchanged with the operator's app id and secret, server to server.
    let exchange = requests[0].query.clone().unwrap();
    assert!(
        exchange.contains(&format!("client_id={APP_ID}")),
        "{exchange}"
    );
    assert!(
        exchange.contains("client_secret=%5BREDACTED%5D")
            || exchange.contains("client_secret=[REDACTED]"),
        "{exchange}"
    );
    assert!(exchange.contains(&format!("code={code}")), "{exchange}");
    // Every later call used the business token the code gave.
    assert!(
        requests[1..]
            .iter()
            .all(|r| r.bearer_hint.as_deref() == Some("••••efgh"))
    );
    assert!(standin.is_subscribed(&waba));
    // The token and the registration pin are stored sealed, never in clear.
    assert_eq!(
        t.rows(&format!("whatsapp_connections WHERE phone_number_id = '{number}' AND onboarding = 'embedded_signup' AND registration_pin_enc IS NOT NULL AND access_token_enc NOT LIKE '%{token}%'")).await,
        1
    );

    // The code is single-use: replaying it fails at the first step, naming it.
    let again = t
        .gql(Some(&owner), CONNECT, input(&code, &waba, &number, false))
        .await;
    assert_eq!(error_code(&again), "BAD_USER_INPUT", "{again}");
    assert!(
        again.to_string().contains("signing in with Meta failed"),
        "{again}"
    );
}

#[tokio::test]
async fn a_coexistence_number_is_not_registered_and_its_phone_is_asked_to_sync() {
    let (t, standin) = spawn().await;
    let owner = t.sign_up("Ada's Boutique", "ada@example.com").await;
    let (code, waba, number, _) = signup(&standin, 2);
    let done = t
        .gql_ok(Some(&owner), CONNECT, input(&code, &waba, &number, true))
        .await;
    assert_eq!(done["connectWhatsAppWithMeta"]["coexistence"], true);
    let calls = calls(&standin);
    assert!(!calls.iter().any(|c| c.ends_with("/register")), "{calls:?}");
    let syncs: Vec<String> = posts(&standin)
        .into_iter()
        .filter(|r| r.path.ends_with("/smb_app_data"))
        .map(|r| r.body.unwrap()["sync_type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(syncs, ["smb_app_state_sync", "history"]);
    assert_eq!(
        t.rows("whatsapp_connections WHERE coexistence AND registration_pin_enc IS NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn each_failing_step_is_named_and_nothing_stays_connected() {
    let (t, standin) = spawn().await;
    let owner = t.sign_up("Ada's Boutique", "ada@example.com").await;
    for (n, suffix, failure, says) in [
        (
            3,
            "/oauth/access_token",
            Failure::InvalidParameter,
            "signing in with Meta failed",
        ),
        (
            4,
            "/subscribed_apps",
            Failure::TokenExpired,
            "subscribing to the number's messages failed",
        ),
        (
            5,
            "/register",
            Failure::ServerError,
            "registering the number for the API failed",
        ),
    ] {
        let (code, waba, number, _) = signup(&standin, n);
        standin.fail_path(suffix, failure);
        let answer = t
            .gql(Some(&owner), CONNECT, input(&code, &waba, &number, false))
            .await;
        assert_eq!(error_code(&answer), "BAD_USER_INPUT", "{answer}");
        assert!(answer.to_string().contains(says), "{says}: {answer}");
        assert!(
            !standin.is_subscribed(&waba),
            "{says}: the subscription was undone"
        );
        assert_eq!(t.rows("whatsapp_connections").await, 0, "{says}");
    }
    // The registration failure undid the subscription with a DELETE.
    assert!(
        calls(&standin)
            .iter()
            .any(|c| c.starts_with("DELETE /") && c.ends_with("/subscribed_apps"))
    );
}

#[tokio::test]
async fn a_taken_number_is_refused_before_any_call_and_an_unset_server_says_so() {
    let (t, standin) = spawn().await;
    let owner = t.sign_up("Ada's Boutique", "ada@example.com").await;
    let (code, waba, number, _) = signup(&standin, 6);
    t.gql_ok(Some(&owner), CONNECT, input(&code, &waba, &number, false))
        .await;
    let before = standin.requests().len();
    // Another business cannot take the number, and Meta is not even asked.
    let other = t.sign_up("Bob's Shoes", "bob@example.com").await;
    let answer = t
        .gql(
            Some(&other),
            CONNECT,
            input("AQB-other", &waba, &number, false),
        )
        .await;
    assert_eq!(error_code(&answer), "BAD_USER_INPUT", "{answer}");
    assert!(
        answer
            .to_string()
            .contains("already connected to another account"),
        "{answer}"
    );
    assert_eq!(standin.requests().len(), before);
    assert!(standin.is_subscribed(&waba));
    // Without the operator's setup the mutation says so.
    let (plain, _) = crate::inbox_support::spawn().await;
    let owner = plain.sign_up("Carla", "carla@example.com").await;
    let answer = plain
        .gql(Some(&owner), CONNECT, input("x", "1", "2", false))
        .await;
    assert_eq!(error_code(&answer), "BAD_USER_INPUT", "{answer}");
    let setup = plain
        .gql_ok(Some(&owner), "{ whatsappSignup { appId } }", json!({}))
        .await;
    assert!(setup["whatsappSignup"].is_null());
}

#[tokio::test]
async fn two_businesses_on_the_one_app_each_receive_their_own_messages() {
    let (t, standin) = spawn().await;
    let ada = t.sign_up("Ada's Boutique", "ada@example.com").await;
    let bob = t.sign_up("Bob's Shoes", "bob@example.com").await;
    let (code_a, waba_a, number_a, _) = signup(&standin, 7);
    let (code_b, waba_b, number_b, _) = signup(&standin, 8);
    t.gql_ok(
        Some(&ada),
        CONNECT,
        input(&code_a, &waba_a, &number_a, false),
    )
    .await;
    t.gql_ok(
        Some(&bob),
        CONNECT,
        input(&code_b, &waba_b, &number_b, false),
    )
    .await;
    // Meta signs both businesses' deliveries with the operator's one app secret.
    let chidi = Customer::with_phone("2348031112222", "Chidi");
    let dayo = Customer::with_phone("2348033334444", "Dayo");
    webhook_support::text_to(&t, &number_a, &chidi, "for Ada").await;
    webhook_support::text_to(&t, &number_b, &dayo, "for Bob").await;
    let chats = "{ chats(first: 10) { nodes { lastMessagePreview } } }";
    let a = t.gql_ok(Some(&ada), chats, json!({})).await.to_string();
    let b = t.gql_ok(Some(&bob), chats, json!({})).await.to_string();
    assert!(a.contains("for Ada") && !a.contains("for Bob"), "{a}");
    assert!(b.contains("for Bob") && !b.contains("for Ada"), "{b}");
}

#[tokio::test]
async fn meta_removing_the_app_disconnects_the_number_with_the_reason() {
    let (t, standin) = spawn().await;
    let owner = t.sign_up("Ada's Boutique", "ada@example.com").await;
    let (code, waba, number, _) = signup(&standin, 9);
    t.gql_ok(Some(&owner), CONNECT, input(&code, &waba, &number, false))
        .await;
    // An unrelated event changes nothing.
    let event = |name: &str| {
        fixtures::notification(vec![json!({
            "id": waba,
            "time": 1_765_000_000,
            "changes": [{"field": "account_update", "value": {
                "event": name,
                "waba_info": {"waba_id": waba, "owner_business_id": "5550001", "partner_app_id": APP_ID}
            }}]
        })])
    };
    assert_eq!(post(&t, &event("ACCOUNT_VIOLATION")).await, 200);
    assert_eq!(
        t.rows("whatsapp_connections WHERE status = 'connected'")
            .await,
        1
    );
    let viewer = t.sign_up("Viewer", "viewer@example.com").await;
    assert_eq!(post(&t, &event("PARTNER_REMOVED")).await, 200);
    assert_eq!(
        t.rows("whatsapp_connections WHERE status = 'connected'")
            .await,
        0
    );
    // The owner's sessions ended with the disconnect; after logging in again they see why.
    let answer = t.gql(Some(&owner), CONNECTION, json!({})).await;
    assert_eq!(error_code(&answer), "UNAUTHENTICATED", "{answer}");
    let owner = t.log_in("ada@example.com").await;
    let c = t.gql_ok(Some(&owner), CONNECTION, json!({})).await;
    assert_eq!(c["whatsappConnection"]["status"], "DISCONNECTED");
    assert!(
        c["whatsappConnection"]["disconnectReason"]
            .as_str()
            .unwrap()
            .contains("removed this app"),
        "{c}"
    );
    assert_eq!(
        t.rows("activity_events WHERE kind = 'whatsapp_disconnected' AND actor = 'system'")
            .await,
        1
    );
    // Another business was untouched.
    let v = t.gql_ok(Some(&viewer), CONNECTION, json!({})).await;
    assert!(v["whatsappConnection"].is_null());
}
