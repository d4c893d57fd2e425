//! The export archive: everything of a business as one ZIP, written as it is read.
//!
//! Layout: `manifest.json` (what the archive holds), then one JSON-lines file per
//! entity (`profile.jsonl`, `settings.jsonl`, `users.jsonl`,
//! `whatsapp_connections.jsonl`, `products.jsonl`, `product_images.jsonl`,
//! `contacts.jsonl`, `chats.jsonl`, `messages.jsonl`, `orders.jsonl`,
//! `order_items.jsonl`, `blacklist.jsonl`, `activity.jsonl`, `follow_ups.jsonl`,
//! `deal_approvals.jsonl`), the product images as files (`images/<product>-<image>.<ext>`)
//! and the kept files of media messages (`media/<message>.<ext>`).
//! Secrets never enter it: no access token, no API key, no password hash, no
//! encrypted column is selected (the column lists are in [`crate::db::privacy`]).
//!
//! Memory stays flat whatever the size: rows are read in pages of [`PAGE_ROWS`]
//! (keyset pagination, each table read once; messages chat by chat on the
//! chat-history index), each page is compressed into the ZIP stream (entries of
//! unknown size carry a data descriptor) and written to `out`, which applies
//! backpressure (the HTTP body: a slow client slows the reads down).

use async_zip::base::write::ZipFileWriter;
use async_zip::{Compression, ZipEntryBuilder};
use futures::AsyncWriteExt;
use serde_json::json;
use shared::BusinessId;
use tokio_util::compat::TokioAsyncWriteCompatExt;

use crate::app::App;
use crate::db::DbConn;
use crate::db::privacy::{self as model, EXPORT_ENTITIES, ExportRow};

/// Rows read per query.
pub const PAGE_ROWS: i64 = 1_000;

/// Chats read per query in the messages' outer loop.
const CHAT_PAGE: i64 = 500;

/// What an export wrote.
#[derive(Debug, Clone, Default)]
pub struct ExportSummary {
    /// Rows written per file, in archive order.
    pub files: Vec<(String, u64)>,
    /// Product images written.
    pub images: u64,
    /// Files of media messages written.
    pub media: u64,
}

impl ExportSummary {
    /// Rows written to `file` (0 when absent).
    pub fn rows(&self, file: &str) -> u64 {
        self.files
            .iter()
            .find(|(f, _)| f == file)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    }
}

type Zip<W> = ZipFileWriter<tokio_util::compat::Compat<W>>;

/// Writes the business's archive to `out` (module docs), then closes the ZIP (its
/// central directory is the last thing written). An error leaves `out` with a
/// truncated archive: the caller must make that visible (the HTTP route aborts the
/// response).
pub async fn write_archive<W>(
    app: &App,
    business_id: BusinessId,
    out: W,
) -> anyhow::Result<ExportSummary>
where
    W: tokio::io::AsyncWrite + Unpin,
{
    let mut zip: Zip<W> = ZipFileWriter::new(out.compat_write());
    let mut conn = app.db().await?;
    let mut summary = ExportSummary::default();
    for entity in EXPORT_ENTITIES {
        let rows = write_entity(&mut zip, &mut conn, entity, business_id.0).await?;
        summary.files.push((entity.file.to_string(), rows));
        if entity.file == "chats.jsonl" {
            let rows = write_messages(&mut zip, &mut conn, business_id.0).await?;
            summary.files.push(("messages.jsonl".to_string(), rows));
        }
    }
    summary.images = write_images(&mut zip, &mut conn, business_id.0).await?;
    summary.media = write_media(&mut zip, &mut conn, business_id.0).await?;
    let manifest = json!({
        "format": "wasales-export",
        "version": 1,
        "business_id": business_id.0,
        "created_at": chrono::Utc::now().to_rfc3339(),
        "files": summary.files.iter().map(|(file, rows)| json!({"file": file, "rows": rows})).collect::<Vec<_>>(),
        "images": summary.images,
        "media": summary.media,
        "note": "One JSON object per line. Money is in minor units (cents). \
                 Secrets (access tokens, API keys, passwords) are never exported.",
    });
    let entry = ZipEntryBuilder::new("manifest.json".into(), Compression::Deflate);
    zip.write_entry_whole(entry, manifest.to_string().as_bytes())
        .await?;
    let mut out = zip.close().await?;
    out.close().await?;
    Ok(summary)
}

async fn write_entity<W: tokio::io::AsyncWrite + Unpin>(
    zip: &mut Zip<W>,
    conn: &mut DbConn,
    entity: &model::ExportEntity,
    business_id: u64,
) -> anyhow::Result<u64> {
    let entry = ZipEntryBuilder::new(entity.file.into(), Compression::Deflate);
    let mut writer = zip.write_entry_stream(entry).await?;
    let mut after = 0;
    let mut written = 0;
    loop {
        let page = model::export_page(conn, entity, business_id, after, PAGE_ROWS).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        written += page.len() as u64;
        writer.write_all(&lines(&page)).await?;
        if (page.len() as i64) < PAGE_ROWS {
            break;
        }
    }
    writer.close().await?;
    Ok(written)
}

async fn write_messages<W: tokio::io::AsyncWrite + Unpin>(
    zip: &mut Zip<W>,
    conn: &mut DbConn,
    business_id: u64,
) -> anyhow::Result<u64> {
    let entry = ZipEntryBuilder::new("messages.jsonl".into(), Compression::Deflate);
    let mut writer = zip.write_entry_stream(entry).await?;
    let mut written = 0;
    let mut after_chat = 0;
    loop {
        let chats = model::chat_ids_page(conn, business_id, after_chat, CHAT_PAGE).await?;
        let Some(&last_chat) = chats.last() else {
            break;
        };
        after_chat = last_chat;
        for chat in &chats {
            let mut after = 0;
            loop {
                let page = model::message_page(conn, business_id, *chat, after, PAGE_ROWS).await?;
                let Some(last) = page.last() else { break };
                after = last.id;
                written += page.len() as u64;
                writer.write_all(&lines(&page)).await?;
                if (page.len() as i64) < PAGE_ROWS {
                    break;
                }
            }
        }
        if (chats.len() as i64) < CHAT_PAGE {
            break;
        }
    }
    writer.close().await?;
    Ok(written)
}

async fn write_images<W: tokio::io::AsyncWrite + Unpin>(
    zip: &mut Zip<W>,
    conn: &mut DbConn,
    business_id: u64,
) -> anyhow::Result<u64> {
    let mut after = 0;
    let mut written = 0;
    while let Some(image) = model::image_after(conn, business_id, after).await? {
        after = image.id;
        let name = image_file(image.product_id, image.id, &image.mime_type);
        // Images are compressed already.
        let entry = ZipEntryBuilder::new(name.into(), Compression::Stored);
        zip.write_entry_whole(entry, &image.data).await?;
        written += 1;
    }
    Ok(written)
}

async fn write_media<W: tokio::io::AsyncWrite + Unpin>(
    zip: &mut Zip<W>,
    conn: &mut DbConn,
    business_id: u64,
) -> anyhow::Result<u64> {
    let mut after = 0;
    let mut written = 0;
    while let Some(file) = model::media_after(conn, business_id, after).await? {
        after = file.message_id;
        let name = media_file(file.message_id, file.mime_type.as_deref());
        let entry = ZipEntryBuilder::new(name.into(), Compression::Stored);
        zip.write_entry_whole(entry, &file.data).await?;
        written += 1;
    }
    Ok(written)
}

/// The archive path of a media message's file (`messages.jsonl` has the message id).
pub fn media_file(message_id: u64, mime_type: Option<&str>) -> String {
    let ext = mime_type
        .and_then(|m| m.split(';').next())
        .and_then(|m| m.rsplit('/').next())
        .map(str::trim)
        .filter(|e| {
            !e.is_empty()
                && e.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        })
        .unwrap_or("bin");
    format!("media/{message_id}.{ext}")
}

/// The archive path of a product image (as `product_images.jsonl` names it).
pub fn image_file(product_id: u64, image_id: u64, mime_type: &str) -> String {
    let ext = mime_type.rsplit('/').next().unwrap_or("bin");
    format!("images/{product_id}-{image_id}.{ext}")
}

fn lines(page: &[ExportRow]) -> Vec<u8> {
    let mut out = Vec::with_capacity(page.iter().map(|r| r.doc.len() + 1).sum());
    for row in page {
        out.extend_from_slice(row.doc.as_bytes());
        out.push(b'\n');
    }
    out
}
