//! The stored files of media messages (`message_media`): one row per message, with the
//! bytes once downloaded, or why they could not be kept.

use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use shared::{BusinessId, MessageId};

use super::schema::{message_media, messages};

/// What became of a media message's file.
pub mod status {
    /// Downloaded and kept.
    pub const STORED: &str = "stored";
    /// Larger than the server keeps.
    pub const TOO_LARGE: &str = "too_large";
    /// Meta refused it, or the download did not match its checksum.
    pub const FAILED: &str = "failed";
}

/// A media message still to fetch: its business and Meta's media id.
#[derive(Debug, Clone, Queryable)]
pub struct MediaToFetch {
    /// Tenant.
    pub business_id: BusinessId,
    /// Its chat.
    pub chat_id: u64,
    /// Meta's media id.
    pub media_id: Option<String>,
    /// The type Meta's webhook stated.
    pub media_mime: Option<String>,
}

/// The message's media id, when it has one.
pub async fn to_fetch(
    conn: &mut AsyncMysqlConnection,
    message_id: MessageId,
) -> QueryResult<Option<MediaToFetch>> {
    messages::table
        .find(message_id.0)
        .select((
            messages::business_id,
            messages::chat_id,
            messages::media_id,
            messages::media_mime,
        ))
        .first(conn)
        .await
        .optional()
}

/// Records the outcome for a message's file (`data` with [`status::STORED`]); a second
/// outcome replaces the first.
pub async fn record(
    conn: &mut AsyncMysqlConnection,
    message_id: MessageId,
    business_id: BusinessId,
    outcome: &str,
    mime_type: Option<&str>,
    data: Option<&[u8]>,
    error: Option<&str>,
) -> QueryResult<()> {
    let size = data.map(|d| i32::try_from(d.len()).unwrap_or(i32::MAX));
    let values = (
        message_media::message_id.eq(message_id.0),
        message_media::business_id.eq(business_id.0),
        message_media::status.eq(outcome),
        message_media::mime_type.eq(mime_type),
        message_media::byte_size.eq(size),
        message_media::data.eq(data),
        message_media::error.eq(error),
    );
    diesel::replace_into(message_media::table)
        .values(values)
        .execute(conn)
        .await
        .map(|_| ())
}

/// A message's file as the inbox shows it (no bytes).
#[derive(Debug, Clone, Queryable)]
pub struct MediaState {
    /// The message.
    pub message_id: u64,
    /// [`status`].
    pub status: String,
    /// Content type.
    pub mime_type: Option<String>,
    /// Size in bytes.
    pub byte_size: Option<i32>,
}

/// The file states of many messages of one business.
pub async fn states(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    message_ids: &[u64],
) -> QueryResult<Vec<MediaState>> {
    message_media::table
        .filter(message_media::business_id.eq(business_id.0))
        .filter(message_media::message_id.eq_any(message_ids))
        .select((
            message_media::message_id,
            message_media::status,
            message_media::mime_type,
            message_media::byte_size,
        ))
        .load(conn)
        .await
}

/// A stored file of one business: its type and bytes.
pub async fn file(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    message_id: MessageId,
) -> QueryResult<Option<(Option<String>, Vec<u8>)>> {
    message_media::table
        .filter(message_media::message_id.eq(message_id.0))
        .filter(message_media::business_id.eq(business_id.0))
        .filter(message_media::status.eq(status::STORED))
        .select((
            message_media::mime_type,
            message_media::data.assume_not_null(),
        ))
        .first(conn)
        .await
        .optional()
}
