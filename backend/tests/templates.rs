//! The composer's approved templates: read from the business's WhatsApp account through
//! the Graph API, approved ones only, with their parameter count; cached (a second
//! look, even asking to refresh at once, does not ask Meta again); another business
//! never sees them.

use serde_json::json;

use crate::common::error_code;
use crate::inbox_support::{alice_connected, spawn};

const TEMPLATES: &str = "query($r: Boolean) { messageTemplates(refresh: $r) { name language category body parameterCount } }";

#[tokio::test]
async fn approved_templates_are_listed_cached_and_kept_to_their_business() {
    let (t, standin) = spawn().await;
    standin.add_template(
        "order_update",
        "en_US",
        "APPROVED",
        "Hi {{1}}, order {{2}} is on its way.",
    );
    standin.add_template("welcome_back", "fr", "APPROVED", "Bonjour !");
    standin.add_template("promo_draft", "en_US", "PENDING", "50% off {{1}}");
    let (alice, _) = alice_connected(&t).await;
    let asked = || {
        standin
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/message_templates"))
            .count()
    };

    let list = t.gql_ok(Some(&alice), TEMPLATES, json!({})).await;
    let templates = list["messageTemplates"].as_array().unwrap();
    assert_eq!(templates.len(), 2, "{list}");
    assert_eq!(templates[0]["name"], "order_update");
    assert_eq!(templates[0]["parameterCount"], 2);
    assert_eq!(templates[1]["name"], "welcome_back");
    assert_eq!(templates[1]["parameterCount"], 0);
    assert_eq!(asked(), 1);

    // Cached: neither a second look nor an immediate refresh asks Meta again.
    t.gql_ok(Some(&alice), TEMPLATES, json!({})).await;
    t.gql_ok(Some(&alice), TEMPLATES, json!({"r": true})).await;
    assert_eq!(asked(), 1);

    // Another business (no number) gets its own answer, never Alice's list.
    let bob = t.sign_up("Bob's Shoes", "bob@example.com").await;
    let answer = t.gql(Some(&bob), TEMPLATES, json!({})).await;
    assert_eq!(error_code(&answer), "BAD_USER_INPUT", "{answer}");
    assert!(!answer.to_string().contains("order_update"), "{answer}");
    assert_eq!(t.rows("message_templates").await, 2);
}
