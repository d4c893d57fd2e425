//! Less personal data to the model: a conversation with typed phone numbers, an e-mail
//! address and a shared contact card reaches Anthropic with all of them masked, while
//! the inbox keeps what the customer wrote.

use serde_json::json;
use standins::anthropic::Scripted;
use standins::webhook as fixtures;

use crate::agent_support::World;
use crate::webhook_support;

#[tokio::test]
async fn no_phone_number_or_email_reaches_the_model() {
    let world = World::new().await;
    world.model.push([
        Scripted::text("Thank you, noted."),
        Scripted::text("Thanks for the contact."),
        Scripted::text("Yes, the Ankara wrap dress is available."),
    ]);

    world
        .customer_says_and_gets(
            "Call me on +234 803 123 4567 or 0803-123-4567, or mail ada.obi@example.com",
            1,
        )
        .await;
    let card = fixtures::message(
        &world.customer,
        &fixtures::new_wamid(),
        "contacts",
        json!([{
            "name": {"formatted_name": "Mama Ada", "first_name": "Mama"},
            "phones": [
                {"phone": "+234 803 555 0199", "wa_id": "2348035550199", "type": "CELL"},
                {"phone": "+1 (650) 555-1234", "type": "WORK"}
            ],
            "emails": [{"email": "mama.ada@example.org", "type": "HOME"}]
        }]),
    );
    assert_eq!(
        webhook_support::send(&world.app, &world.shop, &world.customer, card).await,
        200
    );
    world.received(2).await;
    world
        .customer_says_and_gets(
            "My own number is 2348011112222. Is the ankara wrap dress available?",
            3,
        )
        .await;

    let requests = world.model.requests();
    assert_eq!(requests.len(), 3, "one model call per customer message");
    let personal = [
        "803 123 4567",
        "803-123-4567",
        "8031234567",
        "ada.obi",
        "example.com",
        "803 555 0199",
        "2348035550199",
        "(650)",
        "650) 555",
        "555-1234",
        "mama.ada",
        "example.org",
        world.customer.wa_id.as_deref().unwrap(),
    ];
    for (n, request) in requests.iter().enumerate() {
        let body = request.body.to_string();
        for needle in personal {
            assert!(
                !body.contains(needle),
                "request {n} to the model contains {needle:?}: {body}"
            );
        }
    }
    // The messages did reach the model, masked.
    let last = requests.last().unwrap().body.to_string();
    assert!(
        last.contains("Call me on [phone] or [phone], or mail [email]"),
        "{last}"
    );
    assert!(last.contains("Mama Ada ([phone], [phone])"), "{last}");
    assert!(last.contains("My own number is [phone]."), "{last}");
    // The inbox keeps what the customer wrote.
    assert_eq!(
        world
            .rows("messages WHERE body LIKE '%ada.obi@example.com%' AND body LIKE '%+234 803 123 4567%'")
            .await,
        1
    );
}
