//! The public side: the contact form (no account, limited per address and in size,
//! listed for the operator by `wasales contact-messages`) and what sign-up records:
//! the accepted policy version and the owner's confirmation.

use std::process::Command;

use secrecy::ExposeSecret;
use serde_json::{Value, json};
use shared::legal::POLICY_VERSION;

use crate::common::{TestApp, error_code};

const SUBMIT: &str = "mutation($i: ContactFormInput!) { submitContactForm(input: $i) }";

async fn submit(t: &TestApp, name: &str, email: &str, message: &str) -> Value {
    t.gql(
        None,
        SUBMIT,
        json!({"i": {"name": name, "email": email, "message": message}}),
    )
    .await
}

fn fields(resp: &Value) -> Vec<String> {
    resp["errors"][0]["extensions"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_contact_form_is_stored_without_an_account_within_limits_and_listed_for_the_operator() {
    let t = TestApp::spawn().await;
    let ok = submit(&t, "Ada Obi", "ada@example.com", "How do I export my data?").await;
    assert_eq!(ok["data"]["submitContactForm"], true, "{ok}");
    assert_eq!(
        t.rows("contact_messages WHERE name = 'Ada Obi' AND email = 'ada@example.com' AND message = 'How do I export my data?' AND ip = '127.0.0.1'")
            .await,
        1
    );

    // Size and shape limits, each naming its field; nothing stored.
    let long = submit(&t, "Ada", "ada@example.com", &"x".repeat(5_001)).await;
    assert_eq!(error_code(&long), "BAD_USER_INPUT", "{long}");
    assert_eq!(fields(&long), ["message"]);
    let bad = submit(&t, " ", "not-an-email", " ").await;
    assert_eq!(fields(&bad), ["name", "email", "message"]);
    assert_eq!(t.rows("contact_messages").await, 1);

    // Five an hour from one address, then RATE_LIMITED.
    for n in 2..=5 {
        let resp = submit(&t, "Ada", "ada@example.com", &format!("message {n}")).await;
        assert_eq!(resp["data"]["submitContactForm"], true, "{resp}");
    }
    let sixth = submit(&t, "Ada", "ada@example.com", "message 6").await;
    assert_eq!(error_code(&sixth), "RATE_LIMITED", "{sixth}");
    assert_eq!(t.rows("contact_messages").await, 5);

    // The operator lists them with the server command.
    let dir =
        std::env::temp_dir().join(format!("wasales-contact-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_wasales"))
        .arg("contact-messages")
        .current_dir(&dir)
        .env_clear()
        .env("DATABASE_URL", t.app.config.database_url.expose_secret())
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Ada Obi <ada@example.com>"), "{stdout}");
    assert!(stdout.contains("How do I export my data?"), "{stdout}");
    let newest = stdout.find("message 5").unwrap();
    let oldest = stdout.find("How do I export").unwrap();
    assert!(newest < oldest, "newest first: {stdout}");
}

fn sign_up_input(version: &str, confirmed: bool) -> Value {
    json!({ "i": {
        "businessName": "Ada's Boutique", "businessType": "Fashion", "country": "NG",
        "email": "ada@example.com", "password": "correct-horse-1",
        "acceptedPolicyVersion": version, "confirmedAuthorisedAndOver16": confirmed
    }})
}

const SIGN_UP: &str = "mutation($i: SignUpInput!) { signUp(input: $i) { token } }";

#[tokio::test]
async fn sign_up_requires_the_current_policy_and_the_owner_s_confirmation_and_records_both() {
    let t = TestApp::spawn().await;
    let old = t
        .gql(None, SIGN_UP, sign_up_input("2020-01-01", true))
        .await;
    assert_eq!(fields(&old), ["acceptedPolicyVersion"], "{old}");
    let unconfirmed = t
        .gql(None, SIGN_UP, sign_up_input(POLICY_VERSION, false))
        .await;
    assert_eq!(
        fields(&unconfirmed),
        ["confirmedAuthorisedAndOver16"],
        "{unconfirmed}"
    );
    // Leaving the fields out is refused by the schema itself.
    let missing = t
        .gql(
            None,
            SIGN_UP,
            json!({ "i": {
                "businessName": "Ada's Boutique", "businessType": "Fashion", "country": "NG",
                "email": "ada@example.com", "password": "correct-horse-1"
            }}),
        )
        .await;
    assert!(missing.get("errors").is_some(), "{missing}");
    assert_eq!(t.rows("businesses").await, 0);

    let ok = t
        .gql(None, SIGN_UP, sign_up_input(POLICY_VERSION, true))
        .await;
    assert!(ok.get("errors").is_none(), "{ok}");
    assert_eq!(
        t.rows(&format!(
            "users WHERE email = 'ada@example.com' AND accepted_policy_version = '{POLICY_VERSION}' AND accepted_policy_at IS NOT NULL AND confirmed_authorised_over_16_at IS NOT NULL"
        ))
        .await,
        1
    );
}
