//! The customer panel: the owner names a customer and keeps notes; orders and what the
//! customer spent show on the contact; another business can neither read nor change
//! them; the activity log records which fields changed, never what was written.

use serde_json::{Value, json};

use crate::common::{TestApp, error_code, product_input};
use crate::inbox_support::{self, NewChat, chat_gid};

const CONTACT: &str = "query($id: ID!) { chat(id: $id) { contact { id name customName profileName notes orderCount totalSpent { amountMinor currency } } } }";
const UPDATE: &str =
    "mutation($i: UpdateContactInput!) { updateContact(input: $i) { id name customName notes } }";

async fn contact(t: &TestApp, token: &str, chat: u64) -> Value {
    t.gql_ok(Some(token), CONTACT, json!({"id": chat_gid(chat)}))
        .await["chat"]["contact"]
        .clone()
}

#[tokio::test]
async fn the_owner_names_a_customer_keeps_notes_and_sees_what_they_spent() {
    let (t, _standin) = inbox_support::spawn().await;
    let (alice, business, chat) =
        inbox_support::alice_chatting_with(&t, NewChat::phone("Ada Obi", "2348031234567")).await;
    let before = contact(&t, &alice, chat).await;
    assert_eq!(before["name"], "Ada Obi");
    assert_eq!(before["orderCount"], 0);
    assert_eq!(before["totalSpent"], json!([]));
    let id = before["id"].as_str().unwrap().to_string();

    let secret = "Prefers delivery after 6pm; size 12";
    let updated = t
        .gql_ok(
            Some(&alice),
            UPDATE,
            json!({"i": {"id": id, "name": "Ada (Lekki)", "notes": secret}}),
        )
        .await;
    assert_eq!(updated["updateContact"]["name"], "Ada (Lekki)");
    assert_eq!(updated["updateContact"]["notes"], secret);

    // Two orders, one cancelled: one counts, its total is what she spent.
    let dress = t
        .create_product_from(&alice, product_input("Ankara dress"))
        .await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let order = t
            .gql_ok(
                Some(&alice),
                "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }",
                json!({"i": {
                    "customer": {"contactId": id},
                    "items": [{"productId": dress, "color": "red", "quantity": 1}],
                    "deliveryDetails": "4 Marina Road, Lagos"
                }}),
            )
            .await;
        ids.push(order["createOrder"]["id"].as_str().unwrap().to_string());
    }
    t.gql_ok(
        Some(&alice),
        "mutation($id: ID!) { cancelOrder(id: $id, reason: \"changed her mind\") { id } }",
        json!({"id": ids[1]}),
    )
    .await;
    let after = contact(&t, &alice, chat).await;
    assert_eq!(after["customName"], "Ada (Lekki)");
    assert_eq!(after["profileName"], "Ada Obi", "WhatsApp's name is kept");
    assert_eq!(after["orderCount"], 1);
    assert_eq!(
        after["totalSpent"],
        json!([{"amountMinor": 1_800_000, "currency": "NGN"}])
    );

    // Emptying the name goes back to the profile name; notes stay untouched.
    let cleared = t
        .gql_ok(Some(&alice), UPDATE, json!({"i": {"id": id, "name": ""}}))
        .await;
    assert_eq!(cleared["updateContact"]["name"], "Ada Obi");
    assert_eq!(cleared["updateContact"]["notes"], secret);

    // Logged by field, without the text.
    let logged = t
        .rows(&format!(
            "activity_events WHERE business_id = {business} AND kind = 'contact_updated'"
        ))
        .await;
    assert_eq!(logged, 2);
    assert_eq!(
        t.rows("activity_events WHERE details LIKE '%6pm%' OR subject LIKE '%Lekki%' OR details LIKE '%Lekki%'")
            .await,
        0
    );

    // Too long is refused by field.
    let long = t
        .gql(
            Some(&alice),
            UPDATE,
            json!({"i": {"id": id, "notes": "x".repeat(4001)}}),
        )
        .await;
    assert_eq!(error_code(&long), "BAD_USER_INPUT");
    assert!(long.to_string().contains("notes"), "{long}");
}

#[tokio::test]
async fn another_business_cannot_read_or_change_a_customer() {
    let (t, _standin) = inbox_support::spawn().await;
    let (alice, _, chat) =
        inbox_support::alice_chatting_with(&t, NewChat::phone("Ada Obi", "2348031234567")).await;
    let id = contact(&t, &alice, chat).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (mallory, _) = t
        .sign_up_business("Mallory Shop", "mallory@example.com")
        .await;
    let changed = t
        .gql(
            Some(&mallory),
            UPDATE,
            json!({"i": {"id": id, "name": "pwned", "notes": "pwned"}}),
        )
        .await;
    assert_eq!(error_code(&changed), "NOT_FOUND");
    let read = t
        .gql(Some(&mallory), CONTACT, json!({"id": chat_gid(chat)}))
        .await;
    assert_eq!(error_code(&read), "NOT_FOUND");
    assert_eq!(
        t.rows("contacts WHERE custom_name = 'pwned' OR notes = 'pwned'")
            .await,
        0
    );
    let anonymous = t
        .gql(None, UPDATE, json!({"i": {"id": id, "name": "x"}}))
        .await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
}
