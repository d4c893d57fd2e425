//! Staff attach a photo or document in the composer: the file is checked by its content,
//! uploaded to Meta's media endpoint (`POST /{phone_number_id}/media`), sent by the id
//! Meta answers, and kept as the message's file for the inbox. A file WhatsApp would
//! refuse, a closed window, another business's chat or a failed upload sends nothing
//! and stores nothing.

use serde_json::{Value, json};
use sha2::Digest;
use standins::graph::{Failure, GraphStandin};

use crate::common::{TestApp, decode_id, error_code, png_bytes};
use crate::inbox_support::{
    NewChat, PHONE_NUMBER_ID, alice_chatting_with, chat_gid, chat_messages, spawn,
};

const SEND_FILE: &str = "mutation($c: ID!, $f: Upload!, $caption: String) {
    sendAttachment(chatId: $c, file: $f, caption: $caption) {
      id direction kind body sentBy status mediaId media { status mimeType byteSize url } } }";

/// A one-page PDF, as small as a PDF gets.
fn pdf_bytes() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

async fn send_file(
    t: &TestApp,
    token: &str,
    chat: u64,
    file: Vec<u8>,
    name: &str,
    caption: Option<&str>,
) -> Value {
    t.gql_upload(
        token,
        SEND_FILE,
        json!({"c": chat_gid(chat), "caption": caption}),
        file,
        name,
    )
    .await
}

/// The uploads the stand-in received.
fn uploads(standin: &GraphStandin) -> Vec<Value> {
    standin
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/media") && r.method == "POST")
        .map(|r| r.body.unwrap_or_default())
        .collect()
}

/// The message sends the stand-in received.
fn sends(standin: &GraphStandin) -> Vec<Value> {
    standin
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/messages"))
        .map(|r| r.body.unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn a_photo_is_uploaded_to_meta_sent_by_its_id_and_kept_for_the_inbox() {
    let (t, standin) = spawn().await;
    let (alice, business, chat) =
        alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(30)).await;
    let photo = png_bytes();

    let resp = send_file(
        &t,
        &alice,
        chat,
        photo.clone(),
        "red dress.png",
        Some("The red one"),
    )
    .await;
    let m = &resp["data"]["sendAttachment"];
    assert_eq!(m["status"], "SENT", "{resp}");
    assert_eq!(m["kind"], "IMAGE");
    assert_eq!(m["sentBy"], "STAFF");
    assert_eq!(m["body"], "📷 Photo: The red one");
    assert_eq!(m["media"]["status"], "STORED");
    assert_eq!(m["media"]["mimeType"], "image/png");
    assert_eq!(m["media"]["byteSize"], photo.len());

    // Meta got the file itself, as a multipart upload for the number...
    let uploaded = uploads(&standin);
    assert_eq!(uploaded.len(), 1);
    assert_eq!(uploaded[0]["messaging_product"], "whatsapp");
    assert_eq!(uploaded[0]["type"], "image/png");
    assert_eq!(
        uploaded[0]["file"]["sha256"],
        hex::encode(sha2::Sha256::digest(&photo))
    );
    let upload = standin
        .requests()
        .into_iter()
        .find(|r| r.path == format!("/{PHONE_NUMBER_ID}/media"))
        .unwrap();
    assert_eq!(upload.bearer_hint.as_deref(), Some("••••abcd"));
    // ...then the message, naming the upload by Meta's id.
    let sent = sends(&standin);
    let media_id = sent[0]["image"]["id"].as_str().unwrap().to_string();
    assert_eq!(m["mediaId"], media_id.as_str());
    assert_eq!(
        sent[0],
        json!({
            "messaging_product": "whatsapp", "recipient_type": "individual",
            "to": "2348012345678", "type": "image",
            "image": {"id": media_id, "caption": "The red one"},
            "biz_opaque_callback_data": format!("wasales:m:{}", decode_id(m["id"].as_str().unwrap()))
        })
    );
    assert_eq!(
        standin.media(&media_id),
        Some(("image/png".to_string(), photo.clone()))
    );

    // The inbox serves the kept file to the business.
    let messages = chat_messages(&t, &alice, &chat_gid(chat)).await;
    let url = messages.last().unwrap()["media"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let path = &url[url.find("/api/media/").unwrap()..];
    let served = t.http.get(format!("{}{path}", t.url)).send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.bytes().await.unwrap().as_ref(), photo.as_slice());
    assert_eq!(
        t.rows(&format!(
            "message_media WHERE business_id = {business} AND status = 'stored'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn a_document_keeps_its_name_and_the_type_comes_from_the_content() {
    let (t, standin) = spawn().await;
    let (alice, _, chat) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(30)).await;

    // Named like a photo, it is a PDF: it goes as a document under a clean name.
    let resp = send_file(
        &t,
        &alice,
        chat,
        pdf_bytes(),
        "C:\\prices\\price list.pdf",
        None,
    )
    .await;
    let m = &resp["data"]["sendAttachment"];
    assert_eq!(m["status"], "SENT", "{resp}");
    assert_eq!(m["kind"], "DOCUMENT");
    assert_eq!(m["body"], "📄 Document: price list.pdf");
    assert_eq!(uploads(&standin)[0]["type"], "application/pdf");
    let sent = sends(&standin);
    assert_eq!(sent[0]["type"], "document");
    assert_eq!(sent[0]["document"]["filename"], "price list.pdf");
    assert!(sent[0]["document"]["id"].is_string());

    // Plain text is a document too.
    let resp = send_file(
        &t,
        &alice,
        chat,
        b"Sizes: 8 to 16\n".to_vec(),
        "sizes.txt",
        Some("sizes"),
    )
    .await;
    assert_eq!(resp["data"]["sendAttachment"]["kind"], "DOCUMENT", "{resp}");
    assert_eq!(uploads(&standin)[1]["type"], "text/plain");
}

#[tokio::test]
async fn files_whatsapp_refuses_are_refused_before_anything_is_uploaded_or_stored() {
    let (t, standin) = spawn().await;
    let (alice, _, chat) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(30)).await;
    let before = t.rows("messages").await;

    // A GIF (WhatsApp sends photos as JPEG or PNG), a program, an empty file, a photo
    // over 5 MB, and a caption over 1,024 characters.
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec();
    let program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    let mut big_photo = png_bytes();
    big_photo.resize(shared::attachment::MAX_PHOTO_BYTES + 1, 0);
    let long_caption = "x".repeat(1025);
    for (file, name, caption) in [
        (gif, "cat.gif", None),
        (program, "invoice.pdf", None),
        (Vec::new(), "empty.pdf", None),
        (big_photo, "big.png", None),
        (png_bytes(), "ok.png", Some(long_caption.as_str())),
    ] {
        let resp = send_file(&t, &alice, chat, file, name, caption).await;
        assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{name}: {resp}");
        let field = resp["errors"][0]["extensions"]["field"].clone();
        assert!(field == "file" || field == "caption", "{name}: {resp}");
    }
    assert!(uploads(&standin).is_empty());
    assert!(sends(&standin).is_empty());
    assert_eq!(t.rows("messages").await, before);
    assert_eq!(t.rows("message_media").await, 0);
}

#[tokio::test]
async fn a_closed_window_or_a_refused_upload_sends_nothing_and_says_why() {
    let (t, standin) = spawn().await;
    let (alice, _, chat) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(25 * 60)).await;
    let before = t.rows("messages").await;

    let resp = send_file(&t, &alice, chat, png_bytes(), "dress.png", None).await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{resp}");
    assert!(
        resp["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("24-hour"),
        "{resp}"
    );
    assert!(uploads(&standin).is_empty());

    let (t2, standin2) = spawn().await;
    let (alice2, _, chat2) = alice_chatting_with(&t2, NewChat::ada().wrote_minutes_ago(30)).await;
    // Meta refuses the upload: the owner reads why; nothing is stored or sent.
    standin2.fail_path("/media", Failure::InvalidParameter);
    let resp = send_file(&t2, &alice2, chat2, png_bytes(), "dress.png", None).await;
    assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{resp}");
    assert!(
        resp["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("WhatsApp refused the file"),
        "{resp}"
    );
    // Meta is down: try again later, nothing stored.
    standin2.fail_path("/media", Failure::ServerError);
    let resp = send_file(&t2, &alice2, chat2, png_bytes(), "dress.png", None).await;
    assert!(
        resp["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("try again"),
        "{resp}"
    );
    assert!(sends(&standin2).is_empty());
    assert_eq!(t.rows("messages").await, before);
    assert_eq!(t2.rows("messages WHERE direction = 'outbound'").await, 0);
    // Once Meta takes it, it goes.
    let resp = send_file(&t2, &alice2, chat2, png_bytes(), "dress.png", None).await;
    assert_eq!(resp["data"]["sendAttachment"]["status"], "SENT", "{resp}");
}

#[tokio::test]
async fn a_send_naming_an_unknown_media_id_is_refused_by_the_stand_in_as_by_meta() {
    // The stand-in holds the sender to the protocol: an id must name an upload.
    let standin = GraphStandin::start(0, false).await.unwrap();
    standin.add_number("106540352242922", "EAAG-token-abcd", "15550001111", "Ada");
    let resp = reqwest::Client::new()
        .post(format!("{}/106540352242922/messages", standin.url))
        .bearer_auth("EAAG-token-abcd")
        .json(&json!({
            "messaging_product": "whatsapp", "recipient_type": "individual",
            "to": "2348012345678", "type": "image", "image": {"id": "1234"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}
