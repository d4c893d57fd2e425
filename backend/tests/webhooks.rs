//! Meta's webhook route end to end: real server, real MariaDB, deliveries signed the
//! way Meta signs them.

use backend::events::EventKind;
use backend::webhooks::MAX_BODY_BYTES;
use serde_json::json;
use shared::ConnectionStatus;
use standins::webhook::{self as fixtures, Customer};

use crate::webhook_support::*;

#[tokio::test]
async fn verification_handshake_echoes_the_challenge_only_for_our_token() {
    let app = spawn_ingest().await;
    let url = format!("{}/webhooks/whatsapp", app.url);
    let ok = app
        .http
        .get(&url)
        .query(&[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", "wasales-dev-verify-token"),
            ("hub.challenge", "1158201444"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert!(
        ok.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(ok.text().await.unwrap(), "1158201444");

    let wrong = app
        .http
        .get(&url)
        .query(&[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", "guess"),
            ("hub.challenge", "1158201444"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    assert!(!wrong.text().await.unwrap().contains("1158201444"));
}

#[tokio::test]
async fn missing_or_bad_signatures_are_refused_and_nothing_is_stored() {
    let app = spawn_ingest().await;
    let shop = shop(&app, "Ada Styles", "111").await;
    let ada = Customer::with_phone("15551234567", "Ada");
    let delivery = fixtures::single(fixtures::messages_value(
        &shop.phone_number_id,
        &[&ada],
        vec![fixtures::text_message(&ada, &fixtures::new_wamid(), "hi")],
    ));
    let (body, good) = fixtures::signed(b"dev-only-meta-app-secret", &delivery);
    let (_, other_secret) = fixtures::signed(b"not-the-app-secret", &delivery);
    let mut tampered = body.clone();
    let at = tampered.len() - 5;
    tampered[at] ^= 1;

    assert_eq!(post_raw(&app, body.clone(), None).await.status(), 401);
    assert_eq!(
        post_raw(&app, body.clone(), Some(&other_secret))
            .await
            .status(),
        401
    );
    assert_eq!(
        post_raw(&app, body.clone(), Some("sha256=")).await.status(),
        401
    );
    assert_eq!(post_raw(&app, tampered, Some(&good)).await.status(), 401);
    assert_eq!(ingest_rows(&app).await, [0, 0, 0, 0, 0]);

    // The same bytes with the right signature are accepted.
    assert_eq!(post_raw(&app, body, Some(&good)).await.status(), 200);
    assert_eq!(ingest_rows(&app).await, [1, 1, 1, 1, 0]);
}

#[tokio::test]
async fn an_oversized_delivery_is_refused_with_413() {
    let app = spawn_ingest().await;
    let body = vec![b' '; MAX_BODY_BYTES + 1];
    let signature = fixtures::sign(b"dev-only-meta-app-secret", &body);
    assert_eq!(post_raw(&app, body, Some(&signature)).await.status(), 413);
    assert_eq!(ingest_rows(&app).await, [0, 0, 0, 0, 0]);
}

#[tokio::test]
async fn malformed_json_with_a_valid_signature_is_kept_raw_and_answered_400() {
    let app = spawn_ingest().await;
    let body = br#"{"object":"whatsapp_business_account","entry":[{"changes": oops"#.to_vec();
    let signature = fixtures::sign(b"dev-only-meta-app-secret", &body);
    assert_eq!(post_raw(&app, body, Some(&signature)).await.status(), 400);
    assert_eq!(
        app.rows("webhook_events WHERE outcome = 'malformed' AND raw_body LIKE '%oops%' AND signature_valid")
            .await,
        1
    );
    assert_eq!(app.rows("messages").await, 0);
}

#[tokio::test]
async fn a_text_message_becomes_contact_chat_and_message_and_is_published() {
    let app = spawn_ingest().await;
    let shop = shop(&app, "Ada Styles", "111").await;
    let mut events = app.app.events.subscribe();
    let ada = Customer::with_phone("15551234567", "Ada");
    let wamid = fixtures::new_wamid();
    let mut text = fixtures::text_message(&ada, &wamid, "how much is the red dress?");
    text["timestamp"] = json!("1780000000");
    assert_eq!(send(&app, &shop, &ada, text).await, 200);

    let m = message(&app, &wamid).await;
    assert_eq!((m.kind.as_str(), m.direction.as_str()), ("text", "inbound"));
    assert_eq!(m.body, "how much is the red dress?");
    assert_eq!(
        (m.sent_by.as_str(), m.business_id),
        ("customer", shop.business_id)
    );
    assert_eq!(m.payload, None);
    let at = chrono::DateTime::from_timestamp(1_780_000_000, 0)
        .unwrap()
        .naive_utc();
    assert_eq!(m.wa_timestamp, Some(at));

    let chat = chat_of(&app, &m).await;
    assert_eq!(chat.unread_count, 1);
    assert_eq!(
        chat.last_message_preview.as_deref(),
        Some("how much is the red dress?")
    );
    assert_eq!(
        (chat.last_message_at, chat.last_inbound_at),
        (Some(at), Some(at))
    );
    assert_eq!(chat.connection_id, Some(shop.connection_id));

    let contacts = all_contacts(&app).await;
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].wa_id.as_deref(), Some("15551234567"));
    assert_eq!(contacts[0].user_id, ada.user_id);
    assert_eq!(contacts[0].profile_name.as_deref(), Some("Ada"));
    assert_eq!(contacts[0].country_code.as_deref(), Some("US"));

    assert_eq!(
        app.rows("webhook_events WHERE outcome = 'processed' AND processed_at IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        app.rows("whatsapp_connections WHERE last_webhook_at IS NOT NULL")
            .await,
        1
    );

    // Published after the commit, so already there when the 200 arrived.
    let mut added = None;
    let mut chat_updated = false;
    while let Ok(e) = events.try_recv() {
        assert_eq!(e.business_id.0, shop.business_id);
        match e.kind {
            EventKind::MessageAdded {
                chat_id,
                message_id,
            } => added = Some((chat_id, message_id)),
            EventKind::ChatUpdated { chat_id } => chat_updated |= chat_id == chat.id,
            _ => {}
        }
    }
    assert_eq!(added, Some((chat.id, m.id)));
    assert!(chat_updated);
}

#[tokio::test]
async fn a_duplicate_delivery_stores_the_message_once() {
    let app = spawn_ingest().await;
    let shop = shop(&app, "Ada Styles", "111").await;
    let ada = Customer::with_phone("15551234567", "Ada");
    let text = fixtures::text_message(&ada, &fixtures::new_wamid(), "hello");
    let delivery = fixtures::single(fixtures::messages_value(
        &shop.phone_number_id,
        &[&ada],
        vec![text],
    ));
    assert_eq!(post(&app, &delivery).await, 200);
    assert_eq!(post(&app, &delivery).await, 200);
    // Also twice inside one delivery.
    let doubled = fixtures::notification(vec![
        delivery["entry"][0].clone(),
        delivery["entry"][0].clone(),
    ]);
    assert_eq!(post(&app, &doubled).await, 200);

    assert_eq!(app.rows("messages").await, 1);
    assert_eq!(
        app.count("SELECT CAST(SUM(unread_count) AS SIGNED) AS n FROM chats")
            .await,
        1
    );
    assert_eq!(app.rows("chats").await, 1);
    assert_eq!(app.rows("contacts").await, 1);
    assert_eq!(app.rows("webhook_events").await, 3);
}

#[tokio::test]
async fn a_batched_delivery_with_several_entries_stores_everything() {
    let app = spawn_ingest().await;
    let shop = shop(&app, "Ada Styles", "111").await;
    let ada = Customer::with_phone("15551234567", "Ada");
    let bola = Customer::with_phone("2348031234567", "Bola");
    let chi = Customer::username_only("NG.1502576394655843", "chi.buys", "Chi");
    let w: Vec<String> = (0..5).map(|_| fixtures::new_wamid()).collect();
    let delivery = fixtures::notification(vec![
        fixtures::entry(vec![
            fixtures::messages_value(
                &shop.phone_number_id,
                &[&ada, &bola],
                vec![
                    fixtures::text_message(&ada, &w[0], "one"),
                    fixtures::text_message(&bola, &w[1], "two"),
                    fixtures::text_message(&ada, &w[2], "three"),
                ],
            ),
            json!({"messaging_product": "whatsapp", "metadata": {"phone_number_id": shop.phone_number_id}, "statuses": []}),
        ]),
        fixtures::entry(vec![fixtures::messages_value(
            &shop.phone_number_id,
            &[&chi],
            vec![
                fixtures::text_message(&chi, &w[3], "four"),
                fixtures::text_message(&chi, &w[4], "five"),
            ],
        )]),
    ]);
    assert_eq!(post(&app, &delivery).await, 200);
    for wamid in &w {
        message(&app, wamid).await;
    }
    assert_eq!(app.rows("contacts").await, 3);
    assert_eq!(app.rows("chats").await, 3);
    let ada_chat = chat_of(&app, &message(&app, &w[0]).await).await;
    assert_eq!(ada_chat.unread_count, 2);
    assert_eq!(ada_chat.last_message_preview.as_deref(), Some("three"));
    let chi_chat = chat_of(&app, &message(&app, &w[3]).await).await;
    assert_eq!(chi_chat.unread_count, 2);
}

#[tokio::test]
async fn a_username_customer_without_a_phone_number_is_stored_and_shown() {
    let app = spawn_ingest().await;
    let shop = shop(&app, "Ada Styles", "111").await;
    let chi = Customer::username_only("US.13491208655302741918", "chi.buys", "Chi");
    let wamid = fixtures::new_wamid();
    let text = fixtures::text_message(&chi, &wamid, "do you ship to Lagos?");
    assert!(text.get("from").is_none(), "no phone in the payload");
    assert_eq!(send(&app, &shop, &chi, text).await, 200);

    let m = message(&app, &wamid).await;
    assert_eq!(m.body, "do you ship to Lagos?");
    let contacts = all_contacts(&app).await;
    assert_eq!(contacts.len(), 1);
    let c = &contacts[0];
    assert_eq!(c.wa_id, None);
    assert_eq!(c.user_id.as_deref(), Some("US.13491208655302741918"));
    assert_eq!(c.username.as_deref(), Some("chi.buys"));
    assert_eq!(c.display_name(), "Chi");
    assert_eq!(
        c.recipient(),
        Some(backend::db::inbox::Recipient::UserId(
            "US.13491208655302741918"
        ))
    );
    // An empty `from`, as Meta also sends, is the same customer.
    let mut again = fixtures::text_message(&chi, &fixtures::new_wamid(), "hello?");
    again["from"] = json!("");
    assert_eq!(send(&app, &shop, &chi, again).await, 200);
    assert_eq!(all_contacts(&app).await.len(), 1);
}

#[tokio::test]
async fn a_customer_seen_by_phone_and_later_by_bsuid_is_one_contact() {
    let app = spawn_ingest().await;
    let shop = shop(&app, "Ada Styles", "111").await;
    // Phone first (no BSUID yet) ...
    let by_phone = Customer::phone_only("15551234567", "Ada");
    let m1 = fixtures::text_message(&by_phone, &fixtures::new_wamid(), "hi");
    assert_eq!(send(&app, &shop, &by_phone, m1).await, 200);
    // ... then phone and BSUID together ...
    let full = Customer::with_phone("15551234567", "Ada L.");
    let m2 = fixtures::text_message(&full, &fixtures::new_wamid(), "still there?");
    assert_eq!(send(&app, &shop, &full, m2).await, 200);
    // ... then BSUID only.
    let by_bsuid = Customer {
        wa_id: None,
        ..full.clone()
    };
    let m3 = fixtures::text_message(&by_bsuid, &fixtures::new_wamid(), "hello");
    assert_eq!(send(&app, &shop, &by_bsuid, m3).await, 200);

    let contacts = all_contacts(&app).await;
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    assert_eq!(contacts[0].wa_id.as_deref(), Some("15551234567"));
    assert_eq!(contacts[0].user_id, full.user_id);
    assert_eq!(contacts[0].profile_name.as_deref(), Some("Ada L."));
    assert_eq!(app.rows("chats").await, 1);
    assert_eq!(
        app.count("SELECT CAST(SUM(unread_count) AS SIGNED) AS n FROM chats")
            .await,
        3
    );

    // The reverse: BSUID first, then the phone appears.
    let bola_bsuid = Customer::username_only("NG.1502576394655843", "bola", "Bola");
    let m4 = fixtures::text_message(&bola_bsuid, &fixtures::new_wamid(), "hey");
    assert_eq!(send(&app, &shop, &bola_bsuid, m4).await, 200);
    let bola_full = Customer {
        wa_id: Some("2348031234567".into()),
        ..bola_bsuid.clone()
    };
    let m5 = fixtures::text_message(
        &bola_full,
        &fixtures::new_wamid(),
        "my number is visible now",
    );
    assert_eq!(send(&app, &shop, &bola_full, m5).await, 200);
    let contacts = all_contacts(&app).await;
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[1].wa_id.as_deref(), Some("2348031234567"));
    assert_eq!(contacts[1].user_id.as_deref(), Some("NG.1502576394655843"));
}

#[tokio::test]
async fn user_changed_number_moves_the_contact_to_the_new_number() {
    let app = spawn_ingest().await;
    let shop = shop(&app, "Ada Styles", "111").await;
    let old = Customer::with_phone("15551234567", "Ada");
    let first = fixtures::text_message(&old, &fixtures::new_wamid(), "hi");
    assert_eq!(send(&app, &shop, &old, first).await, 200);

    let wamid = fixtures::new_wamid();
    let notice = fixtures::message(
        &old,
        &wamid,
        "system",
        json!({
            "body": "Ada changed from 15551234567 to 15559876543",
            "wa_id": "15559876543",
            "type": "user_changed_number",
            "customer": "US.99999999999999999999",
        }),
    );
    assert_eq!(send(&app, &shop, &old, notice).await, 200);
    let m = message(&app, &wamid).await;
    assert_eq!(m.kind.as_str(), "system");
    assert_eq!(m.body, "Ada changed from 15551234567 to 15559876543");
    assert_eq!(
        chat_of(&app, &m).await.unread_count,
        1,
        "a notice is not unread"
    );

    let contacts = all_contacts(&app).await;
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].wa_id.as_deref(), Some("15559876543"));
    assert_eq!(
        contacts[0].user_id.as_deref(),
        Some("US.99999999999999999999")
    );

    // The customer writes from the new number: same contact, same chat.
    let new = Customer {
        wa_id: Some("15559876543".into()),
        user_id: Some("US.99999999999999999999".into()),
        ..old.clone()
    };
    let later = fixtures::text_message(&new, &fixtures::new_wamid(), "new phone!");
    assert_eq!(send(&app, &shop, &new, later).await, 200);
    assert_eq!(all_contacts(&app).await.len(), 1);
    assert_eq!(app.rows("chats").await, 1);
}

#[tokio::test]
async fn statuses_advance_and_never_go_backwards() {
    let app = spawn_ingest().await;
    let (shop, ada, chat) = shop_where_ada_wrote(&app).await;
    let out = fixtures::new_wamid();
    insert_outbound(&app, &chat, &out).await;

    let mut events = app.app.events.subscribe();
    for (status, expected) in [
        ("sent", "sent"),
        ("delivered", "delivered"),
        ("read", "read"),
        ("delivered", "read"),
        ("sent", "read"),
    ] {
        let s = fixtures::status(&out, status, &ada);
        assert_eq!(send_statuses(&app, &shop, &ada, vec![s]).await, 200);
        assert_eq!(
            message(&app, &out).await.status.as_str(),
            expected,
            "after {status}"
        );
    }
    let changes = std::iter::from_fn(|| events.try_recv().ok())
        .filter(|e| matches!(e.kind, EventKind::MessageStatusChanged { .. }))
        .count();
    assert_eq!(
        changes, 2,
        "delivered and read; the repeated and late ones change nothing"
    );

    // Several statuses for one message in one delivery apply in order.
    let out2 = fixtures::new_wamid();
    insert_outbound(&app, &chat, &out2).await;
    let batch = vec![
        fixtures::status(&out2, "read", &ada),
        fixtures::status(&out2, "delivered", &ada),
    ];
    assert_eq!(send_statuses(&app, &shop, &ada, batch).await, 200);
    assert_eq!(message(&app, &out2).await.status.as_str(), "read");
}

#[tokio::test]
async fn a_failed_status_keeps_metas_error() {
    let app = spawn_ingest().await;
    let (shop, ada, chat) = shop_where_ada_wrote(&app).await;
    let out = fixtures::new_wamid();
    insert_outbound(&app, &chat, &out).await;
    let failed = fixtures::failed_status(&out, &ada, 131_026, "Message undeliverable");
    assert_eq!(send_statuses(&app, &shop, &ada, vec![failed]).await, 200);
    let m = message(&app, &out).await;
    assert_eq!(m.status.as_str(), "failed");
    assert_eq!(m.error_code, Some(131_026));
    assert_eq!(m.error_title.as_deref(), Some("Message undeliverable"));
}

#[tokio::test]
async fn a_status_before_its_message_is_applied_when_the_message_is_saved() {
    let app = spawn_ingest().await;
    let (shop, ada, chat) = shop_where_ada_wrote(&app).await;

    let out = fixtures::new_wamid();
    let early = vec![
        fixtures::status(&out, "delivered", &ada),
        fixtures::status(&out, "read", &ada),
    ];
    assert_eq!(send_statuses(&app, &shop, &ada, early).await, 200);
    assert_eq!(app.rows("pending_statuses").await, 2);

    // The sender saves the wamid Meta returned, then applies what was waiting.
    let id = insert_outbound(&app, &chat, &out).await;
    let mut conn = app.app.db().await.unwrap();
    let applied = backend::db::messages::apply_pending_statuses(&mut conn, &out)
        .await
        .unwrap();
    assert_eq!(
        applied,
        Some((shared::ChatId(chat.id), shared::MessageId(id)))
    );
    assert_eq!(message(&app, &out).await.status.as_str(), "read");
    assert_eq!(app.rows("pending_statuses").await, 0);
    let again = backend::db::messages::apply_pending_statuses(&mut conn, &out)
        .await
        .unwrap();
    assert_eq!(again, None);
}

#[tokio::test]
async fn unknown_and_disconnected_numbers_are_recorded_and_answered_200() {
    let app = spawn_ingest().await;
    let gone = shop_with_status(&app, "Closed Shop", "222", ConnectionStatus::Disconnected).await;
    let ada = Customer::with_phone("15551234567", "Ada");
    for pnid in ["999", gone.phone_number_id.as_str()] {
        let value = fixtures::messages_value(
            pnid,
            &[&ada],
            vec![fixtures::text_message(
                &ada,
                &fixtures::new_wamid(),
                "hello?",
            )],
        );
        assert_eq!(post(&app, &fixtures::single(value)).await, 200);
    }
    assert_eq!(
        app.rows("webhook_events WHERE outcome = 'unknown_number' AND business_id IS NULL")
            .await,
        2
    );
    assert_eq!(
        app.rows("webhook_events WHERE phone_number_id = '222'")
            .await,
        1
    );
    assert_eq!(app.rows("messages").await, 0);
    assert_eq!(app.rows("contacts").await, 0);
}

#[tokio::test]
async fn other_fields_are_recorded_not_errors() {
    let app = spawn_ingest().await;
    let delivery = json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "200000000000001", "changes": [{
            "field": "account_update",
            "value": {"phone_number": "15550000001", "event": "VERIFIED_ACCOUNT"}
        }]}]
    });
    assert_eq!(post(&app, &delivery).await, 200);
    assert_eq!(
        app.rows("webhook_events WHERE outcome = 'other_field'")
            .await,
        1
    );
}

#[tokio::test]
async fn each_business_gets_only_the_messages_sent_to_its_number() {
    let app = spawn_ingest().await;
    let ada_shop = shop(&app, "Ada Styles", "111").await;
    let bola_shop = shop(&app, "Bola Shoes", "222").await;
    let ada = Customer::with_phone("15551234567", "Ada");
    let to_ada = fixtures::new_wamid();
    let to_bola = fixtures::new_wamid();
    // One delivery, two entries, two numbers; the same customer writes to both.
    let delivery = fixtures::notification(vec![
        fixtures::entry(vec![fixtures::messages_value(
            "111",
            &[&ada],
            vec![fixtures::text_message(&ada, &to_ada, "for Ada Styles")],
        )]),
        fixtures::entry(vec![fixtures::messages_value(
            "222",
            &[&ada],
            vec![fixtures::text_message(&ada, &to_bola, "for Bola Shoes")],
        )]),
    ]);
    assert_eq!(post(&app, &delivery).await, 200);
    let a = message(&app, &to_ada).await;
    let b = message(&app, &to_bola).await;
    assert_eq!(a.business_id, ada_shop.business_id);
    assert_eq!(b.business_id, bola_shop.business_id);
    let (ca, cb) = (chat_of(&app, &a).await, chat_of(&app, &b).await);
    assert_eq!(
        (ca.business_id, cb.business_id),
        (ada_shop.business_id, bola_shop.business_id)
    );
    assert_ne!(ca.contact_id, cb.contact_id, "contacts are per business");
    for shop in [&ada_shop, &bola_shop] {
        assert_eq!(
            app.rows(&format!(
                "messages WHERE business_id = {}",
                shop.business_id
            ))
            .await,
            1
        );
    }
    // A status naming one business's message through the other's number changes nothing.
    let out = fixtures::new_wamid();
    insert_outbound(&app, &ca, &out).await;
    let s = fixtures::status(&out, "read", &ada);
    assert_eq!(send_statuses(&app, &bola_shop, &ada, vec![s]).await, 200);
    assert_eq!(message(&app, &out).await.status.as_str(), "sent");
}

#[tokio::test]
async fn every_message_is_queryable_the_moment_its_200_arrives() {
    let app = std::sync::Arc::new(spawn_ingest().await);
    let shop = shop(&app, "Ada Styles", "111").await;
    let phone_number_id = shop.phone_number_id.clone();
    let mut tasks = Vec::new();
    for i in 0..120 {
        let app = app.clone();
        let pnid = phone_number_id.clone();
        tasks.push(tokio::spawn(async move {
            let customer = Customer::with_phone(&format!("1555000{:04}", i % 30), "Busy");
            let wamid = fixtures::new_wamid();
            let text = fixtures::text_message(&customer, &wamid, &format!("message {i}"));
            let delivery =
                fixtures::single(fixtures::messages_value(&pnid, &[&customer], vec![text]));
            assert_eq!(post(&app, &delivery).await, 200);
            // Read on another connection right away: committed, not merely queued.
            assert!(
                try_message(&app, &wamid).await.is_some(),
                "{wamid} not committed at 200"
            );
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(app.rows("messages").await, 120);
    assert_eq!(app.rows("contacts").await, 30);
    assert_eq!(
        app.count("SELECT CAST(SUM(unread_count) AS SIGNED) AS n FROM chats")
            .await,
        120
    );
}
