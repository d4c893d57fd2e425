//! "Why this reply": one stored explanation per AI reply, keyed by its message.

use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use shared::BusinessId;

use super::schema::ai_reply_traces;

/// Stores the explanation of the AI reply `message_id` (JSON).
pub async fn insert(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    message_id: u64,
    details: &str,
) -> QueryResult<()> {
    diesel::replace_into(ai_reply_traces::table)
        .values((
            ai_reply_traces::message_id.eq(message_id),
            ai_reply_traces::business_id.eq(business_id.0),
            ai_reply_traces::details.eq(details),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The explanation of a reply of this business (`None` for another tenant's message or
/// a message the AI did not write).
pub async fn find(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    message_id: u64,
) -> QueryResult<Option<String>> {
    ai_reply_traces::table
        .filter(ai_reply_traces::business_id.eq(business_id.0))
        .filter(ai_reply_traces::message_id.eq(message_id))
        .select(ai_reply_traces::details)
        .first(conn)
        .await
        .optional()
}
