//! Every inbound message type is stored with its kind, a readable body, its media id
//! and its own JSON.

use backend::db::inbox::Message;
use serde_json::{Value, json};
use standins::webhook::{self as fixtures, Customer};

use crate::common::TestApp;
use crate::webhook_support::*;

/// Sends one message of Meta type `kind` with `content`; returns what was stored.
async fn ingest_one(app: &TestApp, kind: &str, content: Value) -> Message {
    ingest_message(app, |c, w| fixtures::message(c, w, kind, content)).await
}

/// Sends the message `build` makes from Ada to the shop "Ada Styles" (number `111`,
/// signed up on the first call); returns what was stored.
async fn ingest_message(app: &TestApp, build: impl FnOnce(&Customer, &str) -> Value) -> Message {
    if app.rows("whatsapp_connections").await == 0 {
        shop(app, "Ada Styles", "111").await;
    }
    let ada = Customer::with_phone("15551234567", "Ada");
    let wamid = fixtures::new_wamid();
    assert_eq!(send_to(app, "111", &ada, build(&ada, &wamid)).await, 200);
    message(app, &wamid).await
}

#[tokio::test]
async fn media_messages_keep_media_id_mime_type_and_caption() {
    let app = spawn_ingest().await;
    let image = ingest_one(
        &app,
        "image",
        json!({"id": "MEDIA-IMG-1", "mime_type": "image/jpeg", "sha256": "abc", "caption": "this one in blue?"}),
    )
    .await;
    assert_eq!(image.kind.as_str(), "image");
    assert_eq!(image.body, "📷 Photo: this one in blue?");
    assert_eq!(image.media_id.as_deref(), Some("MEDIA-IMG-1"));
    assert_eq!(image.media_mime.as_deref(), Some("image/jpeg"));
    assert_eq!(payload(&image)["image"]["sha256"], "abc");
    assert_eq!(
        chat_of(&app, &image).await.last_message_preview.as_deref(),
        Some("📷 Photo: this one in blue?")
    );

    let voice = ingest_one(
        &app,
        "audio",
        json!({"id": "MEDIA-AUD-1", "mime_type": "audio/ogg; codecs=opus", "voice": true}),
    )
    .await;
    assert_eq!(
        (voice.kind.as_str(), voice.body.as_str()),
        ("audio", "🎤 Voice message")
    );
    assert_eq!(voice.media_mime.as_deref(), Some("audio/ogg; codecs=opus"));

    let video = ingest_one(
        &app,
        "video",
        json!({"id": "MEDIA-VID-1", "mime_type": "video/mp4"}),
    )
    .await;
    assert_eq!(
        (video.kind.as_str(), video.body.as_str()),
        ("video", "🎥 Video")
    );
    assert_eq!(video.media_id.as_deref(), Some("MEDIA-VID-1"));

    let doc = ingest_one(
        &app,
        "document",
        json!({"id": "MEDIA-DOC-1", "mime_type": "application/pdf", "filename": "invoice.pdf", "caption": "paid"}),
    )
    .await;
    assert_eq!(doc.kind.as_str(), "document");
    assert_eq!(doc.body, "📄 Document: invoice.pdf — paid");
    assert_eq!(payload(&doc)["document"]["filename"], "invoice.pdf");

    let sticker = ingest_one(
        &app,
        "sticker",
        json!({"id": "MEDIA-STK-1", "mime_type": "image/webp", "animated": false}),
    )
    .await;
    assert_eq!(
        (sticker.kind.as_str(), sticker.body.as_str()),
        ("sticker", "💟 Sticker")
    );
    assert_eq!(sticker.media_id.as_deref(), Some("MEDIA-STK-1"));
}

#[tokio::test]
async fn locations_and_shared_contacts_are_readable() {
    let app = spawn_ingest().await;
    let loc = ingest_one(
        &app,
        "location",
        json!({"latitude": 6.4541, "longitude": 3.3947, "name": "Balogun Market", "address": "Lagos Island"}),
    )
    .await;
    assert_eq!(loc.kind.as_str(), "location");
    assert_eq!(
        loc.body,
        "📍 Location: Balogun Market, Lagos Island (6.4541, 3.3947)"
    );
    assert_eq!(payload(&loc)["location"]["latitude"], 6.4541);

    let cards = ingest_one(
        &app,
        "contacts",
        json!([{
            "name": {"formatted_name": "Tunde Bello", "first_name": "Tunde"},
            "phones": [{"phone": "+234 803 555 0101", "wa_id": "2348035550101", "type": "CELL"}]
        }, {
            "name": {"formatted_name": "Ngozi"}, "phones": []
        }]),
    )
    .await;
    assert_eq!(cards.kind.as_str(), "contacts");
    assert_eq!(
        cards.body,
        "👤 Shared contact: Tunde Bello (+234 803 555 0101); Ngozi"
    );
    assert_eq!(
        payload(&cards)["contacts"][0]["phones"][0]["wa_id"],
        "2348035550101"
    );
}

#[tokio::test]
async fn interactive_replies_and_template_buttons_keep_id_and_title() {
    let app = spawn_ingest().await;
    let button = ingest_one(
        &app,
        "interactive",
        json!({"type": "button_reply", "button_reply": {"id": "buy-red-dress", "title": "Buy now"}}),
    )
    .await;
    assert_eq!(
        (button.kind.as_str(), button.body.as_str()),
        ("interactive", "Buy now")
    );
    assert_eq!(
        payload(&button)["interactive"]["button_reply"]["id"],
        "buy-red-dress"
    );

    let list = ingest_one(
        &app,
        "interactive",
        json!({"type": "list_reply", "list_reply": {"id": "size-12", "title": "Size 12", "description": "UK sizing"}}),
    )
    .await;
    assert_eq!(list.body, "Size 12 — UK sizing");
    assert_eq!(payload(&list)["interactive"]["list_reply"]["id"], "size-12");

    let quick = ingest_one(
        &app,
        "button",
        json!({"payload": "STOP_PROMOS", "text": "Stop promotions"}),
    )
    .await;
    assert_eq!(
        (quick.kind.as_str(), quick.body.as_str()),
        ("button", "Stop promotions")
    );
    assert_eq!(payload(&quick)["button"]["payload"], "STOP_PROMOS");
}

#[tokio::test]
async fn a_catalog_order_is_summarised_with_items_and_total() {
    let app = spawn_ingest().await;
    let order = ingest_one(
        &app,
        "order",
        json!({
            "catalog_id": "CATALOG-1",
            "text": "deliver to Yaba please",
            "product_items": [
                {"product_retailer_id": "ANKARA-RED", "quantity": 2, "item_price": 25000, "currency": "NGN"},
                {"product_retailer_id": "SCARF-01", "quantity": "1", "item_price": 4999.5, "currency": "NGN"}
            ]
        }),
    )
    .await;
    assert_eq!(order.kind.as_str(), "order");
    assert_eq!(
        order.body,
        "🛒 Order: 2 × ANKARA-RED (NGN 25,000.00 each), 1 × SCARF-01 (NGN 4,999.50 each) — total NGN 54,999.50 — “deliver to Yaba please”"
    );
    let p = payload(&order);
    assert_eq!(p["order"]["catalog_id"], "CATALOG-1");
    assert_eq!(
        p["order"]["product_items"][0]["product_retailer_id"],
        "ANKARA-RED"
    );
    assert_eq!(chat_of(&app, &order).await.unread_count, 1);
}

#[tokio::test]
async fn reactions_point_at_their_message_and_do_not_count_as_unread() {
    let app = spawn_ingest().await;
    let hi = ingest_message(&app, |c, w| fixtures::text_message(c, w, "is it in stock?")).await;
    let target = hi.wamid.clone().unwrap();
    let like = ingest_one(
        &app,
        "reaction",
        json!({"message_id": target, "emoji": "👍"}),
    )
    .await;
    assert_eq!(
        (like.kind.as_str(), like.body.as_str()),
        ("reaction", "Reacted 👍")
    );
    assert_eq!(like.context_wamid, hi.wamid);
    let removed = ingest_one(&app, "reaction", json!({"message_id": target, "emoji": ""})).await;
    assert_eq!(removed.body, "Removed a reaction");
    let chat = chat_of(&app, &like).await;
    assert_eq!(chat.unread_count, 1);
    assert_eq!(
        chat.last_message_preview.as_deref(),
        Some("is it in stock?")
    );
}

#[tokio::test]
async fn replies_and_forwards_keep_their_context() {
    let app = spawn_ingest().await;
    let reply = ingest_message(&app, |c, w| {
        let mut m = fixtures::text_message(c, w, "yes that one");
        m["context"] = json!({"from": "15550000001", "id": "wamid.ORIGINAL"});
        m
    })
    .await;
    assert_eq!(reply.context_wamid.as_deref(), Some("wamid.ORIGINAL"));
    assert_eq!(payload(&reply)["context"]["id"], "wamid.ORIGINAL");

    let forwarded = ingest_message(&app, |c, w| {
        let mut m = fixtures::text_message(c, w, "look at this");
        m["context"] = json!({"forwarded": true});
        m
    })
    .await;
    assert_eq!(forwarded.context_wamid, None);
    assert_eq!(payload(&forwarded)["context"]["forwarded"], true);
}

#[tokio::test]
async fn unsupported_system_and_welcome_messages_are_stored_readably() {
    let app = spawn_ingest().await;
    let unsupported = ingest_message(&app, |c, w| {
        let mut m = fixtures::message(c, w, "unsupported", Value::Null);
        m["errors"] = json!([{"code": 131051, "title": "Message type unknown", "message": "Message type unknown"}]);
        m
    })
    .await;
    assert_eq!(unsupported.kind.as_str(), "unsupported");
    assert_eq!(
        unsupported.body,
        "⚠️ Unsupported message (131051: Message type unknown)"
    );
    assert_eq!(payload(&unsupported)["errors"][0]["code"], 131051);

    let unknown = ingest_one(&app, "hologram", json!({"x": 1})).await;
    assert_eq!(unknown.kind.as_str(), "unsupported");
    assert_eq!(payload(&unknown)["hologram"]["x"], 1);

    let welcome = ingest_one(&app, "request_welcome", Value::Null).await;
    assert_eq!(welcome.kind.as_str(), "system");
    assert_eq!(welcome.body, "👋 Customer opened the chat");

    let system = ingest_one(
        &app,
        "system",
        json!({"body": "Security code changed", "type": "customer_identity_changed"}),
    )
    .await;
    assert_eq!(
        (system.kind.as_str(), system.body.as_str()),
        ("system", "Security code changed")
    );
    assert_eq!(
        chat_of(&app, &system).await.unread_count,
        2,
        "only the two unsupported messages are unread"
    );
}

#[tokio::test]
async fn a_long_text_previews_on_a_character_boundary() {
    let app = spawn_ingest().await;
    let long = "ñ".repeat(500);
    let m = ingest_message(&app, |c, w| fixtures::text_message(c, w, &long)).await;
    assert_eq!(m.body, long);
    let preview = chat_of(&app, &m).await.last_message_preview.unwrap();
    assert_eq!(preview.chars().count(), 120);
    assert!(preview.ends_with('…'));
}
