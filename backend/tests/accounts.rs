//! Sign-up, log-in, log-out and session revocation.

use serde_json::json;
use shared::legal::POLICY_VERSION;

use crate::common::{TestApp, error_code};

const ME: &str = "{ me { email role } business { name country defaultCurrency } }";

/// Tries to sign up with this `SignUpInput`; returns the whole response.
async fn try_sign_up(t: &TestApp, input: serde_json::Value) -> serde_json::Value {
    t.gql(
        None,
        "mutation($i: SignUpInput!) { signUp(input: $i) { token } }",
        json!({ "i": input }),
    )
    .await
}

#[tokio::test]
async fn sign_up_returns_a_working_session() {
    let t = TestApp::spawn().await;
    let token = t.sign_up("Ada's Boutique", "Ada@Example.com").await;
    let data = t.gql_ok(Some(&token), ME, json!({})).await;
    assert_eq!(data["me"]["email"], "ada@example.com");
    assert_eq!(data["me"]["role"], "OWNER");
    assert_eq!(data["business"]["name"], "Ada's Boutique");
    assert_eq!(data["business"]["defaultCurrency"], "NGN");
}

#[tokio::test]
async fn invalid_sign_up_names_fields_and_stores_nothing() {
    let t = TestApp::spawn().await;
    let resp = try_sign_up(
        &t,
        json!({ "businessName": "", "businessType": "Shop", "country": "Nigeria",
                "email": "nope", "password": "short",
                "acceptedPolicyVersion": POLICY_VERSION, "confirmedAuthorisedAndOver16": true }),
    )
    .await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT");
    let fields: Vec<&str> = resp["errors"][0]["extensions"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in ["businessName", "country", "email", "password"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    assert_eq!(t.rows("businesses").await, 0);
}

#[tokio::test]
async fn duplicate_email_is_refused_without_a_second_business() {
    let t = TestApp::spawn().await;
    t.sign_up("One", "owner@example.com").await;
    let resp = try_sign_up(
        &t,
        json!({ "businessName": "Two", "businessType": "Shop", "country": "NG",
                "email": "OWNER@example.com", "password": "another-pass-1",
                "acceptedPolicyVersion": POLICY_VERSION, "confirmedAuthorisedAndOver16": true }),
    )
    .await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT");
    assert_eq!(resp["errors"][0]["extensions"]["field"], "email");
    assert_eq!(t.rows("businesses").await, 1);
}

#[tokio::test]
async fn log_in_checks_the_password() {
    let t = TestApp::spawn().await;
    t.sign_up("Shop", "a@example.com").await;
    let login = "mutation($i: LogInInput!) { logIn(input: $i) { token user { email } } }";
    let bad = t
        .gql(
            None,
            login,
            json!({"i": {"email": "a@example.com", "password": "wrong-password"}}),
        )
        .await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT");
    let unknown = t
        .gql(
            None,
            login,
            json!({"i": {"email": "b@example.com", "password": "wrong-password"}}),
        )
        .await;
    assert_eq!(
        bad["errors"][0]["message"], unknown["errors"][0]["message"],
        "unknown email and wrong password must look the same"
    );
    let ok = t
        .gql_ok(
            None,
            login,
            json!({"i": {"email": "A@example.com", "password": "correct-horse-1"}}),
        )
        .await;
    let token = ok["logIn"]["token"].as_str().unwrap();
    assert_eq!(
        t.gql_ok(Some(token), ME, json!({})).await["me"]["email"],
        "a@example.com"
    );
}

#[tokio::test]
async fn log_out_revokes_the_token_at_once() {
    let t = TestApp::spawn().await;
    let token = t.sign_up("Shop", "a@example.com").await;
    let out = t.query_ok(&token, "mutation { logOut }").await;
    assert_eq!(out["logOut"], true);
    let resp = t.gql(Some(&token), ME, json!({})).await;
    assert_eq!(error_code(&resp), "UNAUTHENTICATED");
}

#[tokio::test]
async fn missing_forged_or_unsigned_tokens_are_unauthenticated() {
    let t = TestApp::spawn().await;
    let token = t.sign_up("Shop", "a@example.com").await;
    assert_eq!(
        error_code(&t.gql(None, ME, json!({})).await),
        "UNAUTHENTICATED"
    );
    // Same claims, signature stripped and algorithm set to "none".
    let mut parts: Vec<&str> = token.split('.').collect();
    let none_header = base64_url(r#"{"alg":"none","typ":"JWT"}"#);
    parts[0] = &none_header;
    let unsigned = format!("{}.{}.", parts[0], parts[1]);
    assert_eq!(
        error_code(&t.gql(Some(&unsigned), ME, json!({})).await),
        "UNAUTHENTICATED"
    );
    // A token signed with another secret.
    let other = TestApp::spawn_with(|c| {
        c.jwt_secret = "another-secret-entirely-0123456789".to_string().into();
    })
    .await;
    let foreign = other.sign_up("Other", "o@example.com").await;
    assert_eq!(
        error_code(&t.gql(Some(&foreign), ME, json!({})).await),
        "UNAUTHENTICATED"
    );
}

fn base64_url(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test]
async fn update_business_validates_and_saves() {
    let t = TestApp::spawn().await;
    let token = t.sign_up("Shop", "a@example.com").await;
    let m = "mutation($i: UpdateBusinessInput!) { updateBusiness(input: $i) { name country replyTone aiInstructions } }";
    let bad = t
        .gql(Some(&token), m, json!({"i": {"country": "nowhere"}}))
        .await;
    assert_eq!(bad["errors"][0]["extensions"]["field"], "country");
    let ok = t
        .gql_ok(
            Some(&token),
            m,
            json!({"i": {"name": "Ada Couture", "country": "gh", "replyTone": "PROFESSIONAL", "aiInstructions": "Free delivery in Accra"}}),
        )
        .await;
    assert_eq!(ok["updateBusiness"]["name"], "Ada Couture");
    assert_eq!(ok["updateBusiness"]["country"], "GH");
    assert_eq!(ok["updateBusiness"]["replyTone"], "PROFESSIONAL");
}

#[tokio::test]
async fn anonymous_floods_are_rate_limited() {
    let t = TestApp::spawn().await;
    let login = "mutation($i: LogInInput!) { logIn(input: $i) { token } }";
    let vars = json!({"i": {"email": "nobody@example.com", "password": "guess-guess"}});
    let attempts =
        (0..backend::limits::ANONYMOUS_BURST * 2).map(|_| t.gql(None, login, vars.clone()));
    let answers = futures::future::join_all(attempts).await;
    let limited = answers
        .iter()
        .filter(|r| error_code(r) == "RATE_LIMITED")
        .count();
    let refused = answers
        .iter()
        .filter(|r| error_code(r) == "BAD_USER_INPUT")
        .count();
    assert!(
        limited > 0,
        "password guessing from one address is slowed down"
    );
    assert_eq!(limited + refused, answers.len());
}
