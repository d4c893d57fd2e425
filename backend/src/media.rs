//! Customers' photos, voice notes, videos, stickers and documents. Meta's webhook
//! carries only a media id; a `media_download` job (enqueued with the message, in the
//! ingest transaction) asks Meta for the file's short-lived URL, downloads it with the
//! number's token, checks Meta's SHA-256 and keeps it ([`crate::db::media`]), so the
//! inbox can show it after Meta's link has expired. Files are served only through
//! signed links that the API hands to the business's own users
//! ([`signed_path`], checked by [`verify`]).

use std::time::Duration;

use base64::Engine;
use chrono::{NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use shared::{BusinessId, MessageId};

use crate::app::AppState;
use crate::db::jobs::{Job, JobKind, NewJob, Outcome};
use crate::db::media::{self as model, status};
use crate::events::{DomainEvent, EventKind};
use crate::meta::client::{GraphClient, GraphError};
use crate::whatsapp;

/// The largest file kept (what one `MEDIUMBLOB` holds; Meta's own limits are 5 MB for
/// images and 16 MB for audio and video).
pub const MAX_MEDIA_BYTES: usize = 16 * 1024 * 1024 - 1;

/// How long a signed link to a file works.
pub const LINK_TTL: Duration = Duration::from_secs(3600);

/// Where files are served (`/api/media/<token>`).
pub const MEDIA_PATH: &str = "/api/media";

/// Download attempts before a file is given up.
const MAX_ATTEMPTS: i32 = 6;

#[derive(Deserialize)]
struct Payload {
    message_id: u64,
}

/// The job that fetches the file of a new media message.
pub fn download_job(business_id: BusinessId, message_id: MessageId, now: NaiveDateTime) -> NewJob {
    NewJob {
        business_id: Some(business_id),
        kind: JobKind::MediaDownload,
        dedupe_key: Some(format!("media:{}", message_id.0)),
        payload: serde_json::json!({ "message_id": message_id.0 }).to_string(),
        run_at: now,
        max_attempts: MAX_ATTEMPTS,
    }
}

/// Runs a claimed `media_download` job.
pub async fn run_job(app: &AppState, job: &Job) -> Outcome {
    match fetch(app, job).await {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Retry(format!("{e:#}")),
    }
}

async fn fetch(app: &AppState, job: &Job) -> anyhow::Result<Outcome> {
    let done = |why: &str| Ok(Outcome::Done(Some(why.to_string())));
    let Ok(Payload { message_id }) = serde_json::from_str(&job.spec.payload) else {
        return done("unreadable payload");
    };
    let message_id = MessageId(message_id);
    let mut conn = app.db().await?;
    let Some(message) = model::to_fetch(&mut conn, message_id).await? else {
        return done("the message no longer exists");
    };
    let Some(media_id) = message.media_id.clone() else {
        return done("the message has no media");
    };
    drop(conn);
    let Ok(identity) = whatsapp::sending_identity(app, message.business_id).await else {
        return done("the WhatsApp number is disconnected");
    };
    let graph = GraphClient::new(&app.http, &app.config.meta_graph_url);
    let info = match graph.media_info(&media_id, &identity.token).await {
        Ok(info) => info,
        Err(e) => return settle_error(app, &message, message_id, e).await,
    };
    let bytes = match graph
        .download_media(&info.url, &identity.token, MAX_MEDIA_BYTES)
        .await
    {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            let note = format!(
                "larger than the {} MB the inbox keeps",
                MAX_MEDIA_BYTES / (1024 * 1024) + 1
            );
            save(
                app,
                &message,
                message_id,
                status::TOO_LARGE,
                None,
                None,
                Some(&note),
            )
            .await?;
            return done(&note);
        }
        Err(e) => return settle_error(app, &message, message_id, e).await,
    };
    // (A cut transfer fails in the download itself and is retried; a complete file
    // that does not hash to Meta's sum is not the customer's.)
    if let Some(expected) = info.sha256.as_deref()
        && !matches_sha256(&bytes, expected)
    {
        let note = "the file did not match WhatsApp's checksum";
        save(
            app,
            &message,
            message_id,
            status::FAILED,
            None,
            None,
            Some(note),
        )
        .await?;
        return done(note);
    }
    let mime = info
        .mime_type
        .or(message.media_mime.clone())
        .map(|m| m.chars().take(128).collect::<String>());
    save(
        app,
        &message,
        message_id,
        status::STORED,
        mime.as_deref(),
        Some(&bytes),
        None,
    )
    .await?;
    Ok(Outcome::Done(None))
}

/// A Graph API failure: again later when Meta says so, otherwise recorded on the file.
async fn settle_error(
    app: &AppState,
    message: &model::MediaToFetch,
    message_id: MessageId,
    error: GraphError,
) -> anyhow::Result<Outcome> {
    if error.is_retryable() {
        return Ok(Outcome::Retry(error.title()));
    }
    let title = error.title();
    save(
        app,
        message,
        message_id,
        status::FAILED,
        None,
        None,
        Some(&title),
    )
    .await?;
    Ok(Outcome::Done(Some(title)))
}

/// Records the file's outcome and tells the open inboxes (the message changed).
async fn save(
    app: &AppState,
    message: &model::MediaToFetch,
    message_id: MessageId,
    outcome: &str,
    mime: Option<&str>,
    data: Option<&[u8]>,
    error: Option<&str>,
) -> anyhow::Result<()> {
    let mut conn = app.db().await?;
    model::record(
        &mut conn,
        message_id,
        message.business_id,
        outcome,
        mime,
        data,
        error,
    )
    .await?;
    app.events.publish(DomainEvent {
        business_id: message.business_id,
        kind: EventKind::MessageStatusChanged {
            chat_id: message.chat_id,
            message_id: message_id.0,
        },
    });
    Ok(())
}

/// Whether `bytes` hash to `expected`, which Meta gives in hex or in base64.
pub fn matches_sha256(bytes: &[u8], expected: &str) -> bool {
    let expected = expected.trim();
    crate::crypto::sha256_hex(bytes).eq_ignore_ascii_case(expected)
        || base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes)) == expected
}

fn link_mac(
    app: &AppState,
    business_id: BusinessId,
    message_id: MessageId,
    expires: i64,
) -> Hmac<Sha256> {
    // A key of its own, derived from the server's secret: a link is no session token.
    let mut derive =
        Hmac::<Sha256>::new_from_slice(app.config.jwt_secret.expose_secret().as_bytes())
            .expect("HMAC takes any key length");
    derive.update(b"wasales media link v1");
    let key = derive.finalize().into_bytes();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(format!("{}.{}.{expires}", business_id.0, message_id.0).as_bytes());
    mac
}

/// The path of a signed link to a message's file, valid for [`LINK_TTL`].
pub fn signed_path(app: &AppState, business_id: BusinessId, message_id: MessageId) -> String {
    let expires = Utc::now().timestamp() + LINK_TTL.as_secs() as i64;
    let tag = link_mac(app, business_id, message_id, expires)
        .finalize()
        .into_bytes();
    format!(
        "{MEDIA_PATH}/{}.{}.{expires}.{}",
        business_id.0,
        message_id.0,
        hex::encode(tag)
    )
}

/// The business and message a link token names, when its signature holds and it has
/// not expired.
pub fn verify(app: &AppState, token: &str) -> Option<(BusinessId, MessageId)> {
    let mut parts = token.split('.');
    let business_id = BusinessId(parts.next()?.parse().ok()?);
    let message_id = MessageId(parts.next()?.parse().ok()?);
    let expires: i64 = parts.next()?.parse().ok()?;
    let tag = hex::decode(parts.next()?).ok()?;
    if parts.next().is_some() || expires < Utc::now().timestamp() {
        return None;
    }
    link_mac(app, business_id, message_id, expires)
        .verify_slice(&tag)
        .ok()?;
    Some((business_id, message_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_s_checksum_is_accepted_in_hex_or_base64_and_nothing_else() {
        let bytes = b"a photo";
        let digest = Sha256::digest(bytes);
        assert!(matches_sha256(bytes, &hex::encode(digest)));
        assert!(matches_sha256(bytes, &hex::encode(digest).to_uppercase()));
        assert!(matches_sha256(
            bytes,
            &base64::engine::general_purpose::STANDARD.encode(digest)
        ));
        assert!(!matches_sha256(b"another photo", &hex::encode(digest)));
        assert!(!matches_sha256(bytes, ""));
    }
}
