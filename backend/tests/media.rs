//! Customers' photos, voice notes and documents: fetched from Meta once (its links
//! expire), checked against Meta's checksum, kept, and served only through signed,
//! expiring links the API gives the business's own users. A file that could run script
//! on the dashboard's origin is only ever downloaded.

use serde_json::{Value, json};
use standins::anthropic::Scripted;
use standins::webhook as fixtures;

use crate::agent_support::World;
use crate::common::png_bytes;
use crate::inbox_support::chat_messages;
use crate::webhook_support::post;

fn media_message(world: &World, wamid: &str, kind: &str, content: Value) -> Value {
    fixtures::single(fixtures::messages_value(
        &world.shop.phone_number_id,
        &[&world.customer],
        vec![fixtures::message(&world.customer, wamid, kind, content)],
    ))
}

/// The media of the chat's inbound messages, oldest first.
async fn media_of_chat(world: &World) -> Vec<Value> {
    let chats = world
        .owner_query("{ chats(first: 1) { nodes { id } } }")
        .await;
    let chat = chats["chats"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    chat_messages(&world.app, &world.token, &chat)
        .await
        .into_iter()
        .filter(|m| m["direction"] == "INBOUND")
        .map(|m| m["media"].clone())
        .collect()
}

/// The link's path on the test server (the API answers absolute URLs on `PUBLIC_URL`).
fn on_server(world: &World, url: &str) -> String {
    let at = url.find("/api/media/").expect("a media link");
    format!("{}{}", world.app.url, &url[at..])
}

#[tokio::test]
async fn a_customer_s_photo_is_kept_and_served_only_through_a_signed_link() {
    let world = World::new().await;
    let photo = png_bytes();
    world
        .graph
        .standin
        .add_media("MEDIA-PHOTO-1", "image/png", &photo);
    world
        .model
        .push([Scripted::text("Lovely! That one comes in blue too.")]);
    let delivery = media_message(
        &world,
        "wamid.PHOTO-1",
        "image",
        json!({"id": "MEDIA-PHOTO-1", "mime_type": "image/png", "sha256": "from-the-webhook", "caption": "this one in blue?"}),
    );
    assert_eq!(post(&world.app, &delivery).await, 200);
    world.jobs_settled().await;
    assert_eq!(
        world
            .rows(&format!(
                "message_media WHERE status = 'stored' AND byte_size = {} AND business_id = {}",
                photo.len(),
                world.shop.business_id
            ))
            .await,
        1
    );
    // The download used the number's token, on the URL Meta gave.
    let fetched: Vec<String> = world
        .graph
        .standin
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("MEDIA-PHOTO-1"))
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(fetched, ["/MEDIA-PHOTO-1", "/media-files/MEDIA-PHOTO-1"]);
    // The model read a short description: the kind and the caption.
    let asked = world.model.requests()[0].body.to_string();
    assert!(asked.contains("Photo: this one in blue?"), "{asked}");
    // Meta delivering the same message again downloads nothing more.
    assert_eq!(post(&world.app, &delivery).await, 200);
    world.jobs_settled().await;
    let downloads = world
        .graph
        .standin
        .requests()
        .iter()
        .filter(|r| r.path.contains("MEDIA-PHOTO-1"))
        .count();
    assert_eq!(downloads, 2);

    let media = media_of_chat(&world).await;
    assert_eq!(media[0]["status"], "STORED", "{media:?}");
    assert_eq!(media[0]["mimeType"], "image/png");
    assert_eq!(media[0]["byteSize"], photo.len());
    let url = on_server(&world, media[0]["url"].as_str().unwrap());
    let served = world.app.http.get(&url).send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.headers()["x-content-type-options"], "nosniff");
    assert_eq!(served.bytes().await.unwrap().as_ref(), photo.as_slice());

    // A link with its signature changed, or moved to another message, opens nothing.
    let flipped = format!(
        "{}{}",
        &url[..url.len() - 1],
        if url.ends_with('0') { '1' } else { '0' }
    );
    assert_eq!(
        world.app.http.get(&flipped).send().await.unwrap().status(),
        404
    );
    let parts: Vec<&str> = url.rsplit('/').next().unwrap().split('.').collect();
    let moved = format!(
        "{}/api/media/{}.{}.{}.{}",
        world.app.url,
        parts[0],
        parts[1].parse::<u64>().unwrap() + 1,
        parts[2],
        parts[3]
    );
    assert_eq!(
        world.app.http.get(&moved).send().await.unwrap().status(),
        404
    );
    let expired = format!(
        "{}/api/media/{}.{}.{}.{}",
        world.app.url,
        parts[0],
        parts[1],
        parts[2].parse::<i64>().unwrap() - 7_200,
        parts[3]
    );
    assert_eq!(
        world.app.http.get(&expired).send().await.unwrap().status(),
        404
    );

    // The owner's export carries the file.
    let archive = crate::privacy::export(&world.app, Some(&world.token))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let files = crate::privacy::unzip(archive).await;
    let kept: Vec<&Vec<u8>> = files
        .iter()
        .filter(|(name, _)| name.starts_with("media/") && name.ends_with(".png"))
        .map(|(_, data)| data)
        .collect();
    assert_eq!(kept, [&photo]);
}

#[tokio::test]
async fn damaged_and_refused_files_say_so_and_an_html_document_is_only_downloaded() {
    let world = World::new().await;
    world
        .graph
        .standin
        .add_corrupted_media("MEDIA-BAD", "image/jpeg", b"not the customer's photo");
    world.graph.standin.add_media(
        "MEDIA-HTML",
        "text/html",
        b"<script>fetch('/graphql')</script>",
    );
    world.model.push([
        Scripted::text("Got it."),
        Scripted::text("Thanks."),
        Scripted::text("Noted."),
    ]);
    for (wamid, kind, content) in [
        (
            "wamid.BAD",
            "image",
            json!({"id": "MEDIA-BAD", "mime_type": "image/jpeg"}),
        ),
        (
            "wamid.GONE",
            "audio",
            json!({"id": "MEDIA-NOWHERE", "mime_type": "audio/ogg; codecs=opus", "voice": true}),
        ),
        (
            "wamid.HTML",
            "document",
            json!({"id": "MEDIA-HTML", "mime_type": "text/html", "filename": "invoice.html"}),
        ),
    ] {
        assert_eq!(
            post(&world.app, &media_message(&world, wamid, kind, content)).await,
            200
        );
    }
    world.jobs_settled().await;

    let media = media_of_chat(&world).await;
    let statuses: Vec<&Value> = media.iter().map(|m| &m["status"]).collect();
    assert_eq!(
        statuses,
        [&json!("FAILED"), &json!("FAILED"), &json!("STORED")],
        "{media:?}"
    );
    assert!(media[0]["url"].is_null() && media[1]["url"].is_null());
    assert_eq!(
        world
            .rows(
                "message_media WHERE status = 'failed' AND error LIKE '%checksum%' AND data IS NULL"
            )
            .await,
        1
    );

    let served = world
        .app
        .http
        .get(on_server(&world, media[2]["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "application/octet-stream");
    assert_eq!(served.headers()["content-disposition"], "attachment");
    assert!(
        served.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox"),
        "{:?}",
        served.headers()
    );
}

#[tokio::test]
async fn the_ai_shows_a_product_s_photo_after_its_reply_and_only_a_real_one() {
    let world = World::new().await;
    let dress = world.dress_id;
    let earrings = world
        .app
        .gql_ok(
            Some(&world.token),
            "{ products(first: 10) { nodes { id name } } }",
            json!({}),
        )
        .await["products"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] != "Ankara wrap dress")
        .map(|p| crate::common::decode_id(p["id"].as_str().unwrap()))
        .unwrap();
    let uploaded = world
        .app
        .gql_upload(
            &world.token,
            "mutation($id: ID!, $f: [Upload!]!) { addProductImages(id: $id, images: $f) { images { url } } }",
            json!({"id": crate::common::encode_id("Product", dress)}),
            png_bytes(),
            "dress.png",
        )
        .await;
    let image_url = uploaded["data"]["addProductImages"]["images"][0]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("{uploaded}"))
        .to_string();

    // The earrings have no photo: the model is told so; the dress's goes out.
    world.model.push([
        Scripted::tool_uses(&[
            (
                "tu_1",
                "send_product_photo",
                json!({"product_id": earrings}),
            ),
            ("tu_2", "send_product_photo", json!({"product_id": dress})),
        ]),
        Scripted::text("Here is the Ankara wrap dress!"),
    ]);
    world
        .customer_says("Can I see the dress and the earrings?")
        .await;
    world.received(1).await;
    world.jobs_settled().await;

    let sent = world.graph.payloads();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0]["text"]["body"], "Here is the Ankara wrap dress!");
    assert_eq!(sent[1]["type"], "image", "{sent:?}");
    assert_eq!(sent[1]["image"]["caption"], "Ankara wrap dress");
    let link = sent[1]["image"]["link"].as_str().unwrap();
    assert!(
        link.ends_with(image_url.rsplit('/').next().unwrap()),
        "{link} vs {image_url}"
    );
    // The refusal reached the model as a tool error.
    let second = world.model.requests()[1].body.to_string();
    assert!(second.contains("has no photo"), "{second}");
    // The photo is in the chat, as the AI's.
    assert_eq!(
        world
            .rows("messages WHERE direction = 'outbound' AND kind = 'image' AND sent_by = 'ai' AND body = 'Ankara wrap dress'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_simulator_s_photos_are_served_by_the_graph_stand_in_without_setup() {
    // `wasales-dev simulate --image` names a `sim-media-` id the demo's stand-in (in
    // another process) was never told about.
    let world = World::new().await;
    world.model.push([Scripted::text("Nice!")]);
    let delivery = media_message(
        &world,
        "wamid.SIM-1",
        "image",
        json!({"id": format!("{}42", standins::graph::SIMULATED_MEDIA_PREFIX), "mime_type": "image/png"}),
    );
    assert_eq!(post(&world.app, &delivery).await, 200);
    world.jobs_settled().await;
    assert_eq!(
        world
            .rows(&format!(
                "message_media WHERE status = 'stored' AND byte_size = {}",
                standins::graph::SAMPLE_PHOTO.len()
            ))
            .await,
        1
    );
}
