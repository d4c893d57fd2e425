//! The SQL of the data rights (`crate::privacy`): the export's pages, erasing one
//! customer, deleting a whole business, and the retention purge.
//!
//! Export pages are keyset-paginated on the primary key (each page resumes after the
//! last id, so a whole export reads each table once) and built as JSON by the database
//! (`JSON_OBJECT` with an explicit column list per entity: secrets are never selected).
//! Big deletes run in batches of [`DELETE_BATCH`] rows, each its own statement, so no
//! purge holds a long transaction or a large undo log.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Blob, Datetime, Nullable, Text, Unsigned, Varchar};
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};

mod export;

pub use export::{
    EXPORT_ENTITIES, ExportEntity, ExportRow, ImageRow, MediaRow, chat_ids_page, export_page,
    image_after, media_after, message_page,
};

/// Rows deleted per statement by the batched deletes.
pub const DELETE_BATCH: i64 = 5_000;

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Unsigned<BigInt>)]
    id: u64,
}

/// What identifies a customer, to find them in raw text (webhook bodies, job
/// payloads, log lines).
#[derive(Debug, Clone)]
pub struct Identifiers {
    /// Their strings: phone number, BSUID, parent BSUID, username, names.
    pub strings: Vec<String>,
}

/// A contact as erasure needs it.
#[derive(Debug, QueryableByName)]
pub struct ContactToErase {
    /// Contact id.
    #[diesel(sql_type = Unsigned<BigInt>)]
    pub id: u64,
    /// Phone number.
    #[diesel(sql_type = Nullable<Varchar>)]
    pub wa_id: Option<String>,
    /// BSUID.
    #[diesel(sql_type = Nullable<Varchar>)]
    pub user_id: Option<String>,
    /// Parent BSUID.
    #[diesel(sql_type = Nullable<Varchar>)]
    pub parent_user_id: Option<String>,
    /// WhatsApp username.
    #[diesel(sql_type = Nullable<Varchar>)]
    pub username: Option<String>,
    /// WhatsApp profile name.
    #[diesel(sql_type = Nullable<Varchar>)]
    pub profile_name: Option<String>,
    /// The owner's name for them.
    #[diesel(sql_type = Nullable<Varchar>)]
    pub custom_name: Option<String>,
}

impl ContactToErase {
    /// Their identifying strings (names of fewer than 3 characters are left out: they
    /// would match unrelated text).
    pub fn identifiers(&self) -> Identifiers {
        let mut strings: Vec<String> = [
            &self.wa_id,
            &self.user_id,
            &self.parent_user_id,
            &self.username,
            &self.profile_name,
            &self.custom_name,
        ]
        .into_iter()
        .flatten()
        .map(|s| s.trim().to_string())
        .filter(|s| s.chars().count() >= 3)
        .collect();
        strings.sort();
        strings.dedup();
        Identifiers { strings }
    }
}

/// The business's contact `contact_id`, `None` when it is not theirs.
pub async fn contact_to_erase(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    contact_id: u64,
) -> QueryResult<Option<ContactToErase>> {
    diesel::sql_query(
        "SELECT id, wa_id, user_id, parent_user_id, username, profile_name, custom_name \
         FROM contacts WHERE id = ? AND business_id = ?",
    )
    .bind::<Unsigned<BigInt>, _>(contact_id)
    .bind::<Unsigned<BigInt>, _>(business_id)
    .get_result(conn)
    .await
    .optional()
}

/// What erasing a customer removed (counts only: the activity log keeps these).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Erased {
    /// Messages deleted.
    pub messages: usize,
    /// Follow-ups deleted.
    pub follow_ups: usize,
    /// Deal approvals deleted.
    pub deal_approvals: usize,
    /// Orders kept, with the customer's details removed.
    pub orders_anonymised: usize,
    /// Raw webhook bodies deleted.
    pub webhook_events: usize,
    /// Queued jobs deleted.
    pub jobs: usize,
    /// Blacklist entries deleted.
    pub blacklist_entries: usize,
}

/// Binds `ids` into `IN (...)` text (ids are integers: no injection possible).
fn id_list(ids: &[u64]) -> String {
    if ids.is_empty() {
        return "NULL".into();
    }
    ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
}

/// Erases customer `contact` of `business_id` in one transaction (module docs of
/// `crate::privacy::erase` list what goes and what stays).
pub async fn erase_contact(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    contact: &ContactToErase,
    anonymous_name: &str,
) -> QueryResult<Erased> {
    let ids = contact.identifiers();
    let contact_id = contact.id;
    conn.transaction(async |conn| {
        let mut erased = Erased::default();
        let chats: Vec<IdRow> =
            diesel::sql_query("SELECT id FROM chats WHERE business_id = ? AND contact_id = ?")
                .bind::<Unsigned<BigInt>, _>(business_id)
                .bind::<Unsigned<BigInt>, _>(contact_id)
                .load(conn)
                .await?;
        let chat_ids: Vec<u64> = chats.iter().map(|c| c.id).collect();
        let chat_list = id_list(&chat_ids);
        let messages: Vec<IdRow> = diesel::sql_query(format!(
            "SELECT id FROM messages WHERE business_id = ? AND chat_id IN ({chat_list})"
        ))
        .bind::<Unsigned<BigInt>, _>(business_id)
        .load(conn)
        .await?;
        let message_ids: Vec<u64> = messages.iter().map(|m| m.id).collect();
        let follow_ups: Vec<IdRow> = diesel::sql_query(format!(
            "SELECT id FROM follow_ups WHERE business_id = ? AND chat_id IN ({chat_list})"
        ))
        .bind::<Unsigned<BigInt>, _>(business_id)
        .load(conn)
        .await?;
        let follow_up_ids: Vec<u64> = follow_ups.iter().map(|f| f.id).collect();
        let deals: Vec<IdRow> = diesel::sql_query(format!(
            "SELECT id FROM deal_approvals WHERE business_id = ? AND chat_id IN ({chat_list})"
        ))
        .bind::<Unsigned<BigInt>, _>(business_id)
        .load(conn)
        .await?;
        let deal_ids: Vec<u64> = deals.iter().map(|d| d.id).collect();
        let orders: Vec<IdRow> = diesel::sql_query(format!(
            "SELECT id FROM orders WHERE business_id = ? \
             AND (contact_id = ? OR chat_id IN ({chat_list}))"
        ))
        .bind::<Unsigned<BigInt>, _>(business_id)
        .bind::<Unsigned<BigInt>, _>(contact_id)
        .load(conn)
        .await?;
        let order_ids: Vec<u64> = orders.iter().map(|o| o.id).collect();

        // Statuses that arrived before their message, for this customer's messages.
        diesel::sql_query(format!(
            "DELETE p FROM pending_statuses p JOIN messages m ON m.wamid = p.wamid \
             WHERE m.id IN ({})",
            id_list(&message_ids)
        ))
        .execute(conn)
        .await?;
        // Jobs about the chat, its messages, follow-ups or deals, or naming them.
        let by_id = diesel::sql_query(format!(
            "DELETE FROM jobs WHERE business_id = ? AND (\
             JSON_VALUE(payload, '$.chat_id') IN ({chat_list}) \
             OR JSON_VALUE(payload, '$.message_id') IN ({}) \
             OR JSON_VALUE(payload, '$.follow_up_id') IN ({}) \
             OR JSON_VALUE(payload, '$.deal_approval_id') IN ({}))",
            id_list(&message_ids),
            id_list(&follow_up_ids),
            id_list(&deal_ids)
        ))
        .bind::<Unsigned<BigInt>, _>(business_id)
        .execute(conn)
        .await?;
        erased.jobs = by_id + delete_mentioning(conn, "jobs", "payload", business_id, &ids).await?;
        erased.webhook_events =
            delete_mentioning(conn, "webhook_events", "raw_body", business_id, &ids).await?
                + delete_unroutable_mentioning(conn, business_id, &ids).await?;
        // The activity log: entries about the chat, the customer or their blacklist
        // entries go; entries about their (kept) orders lose the customer's name.
        diesel::sql_query(format!(
            "DELETE FROM activity_events WHERE business_id = ? AND \
             ((subject_kind = 'chat' AND subject_id IN ({chat_list})) \
              OR (subject_kind = 'contact' AND subject_id = ?) \
              OR (subject_kind = 'follow_up' AND subject_id IN ({})))",
            id_list(&follow_up_ids)
        ))
        .bind::<Unsigned<BigInt>, _>(business_id)
        .bind::<Unsigned<BigInt>, _>(contact_id)
        .execute(conn)
        .await?;
        for text in &ids.strings {
            diesel::sql_query(format!(
                "UPDATE activity_events SET subject = REPLACE(subject, ?, ?), \
                 details = REPLACE(details, ?, ?) WHERE business_id = ? \
                 AND subject_kind = 'order' AND subject_id IN ({})",
                id_list(&order_ids)
            ))
            .bind::<Text, _>(text)
            .bind::<Text, _>(anonymous_name)
            .bind::<Text, _>(text)
            .bind::<Text, _>(anonymous_name)
            .bind::<Unsigned<BigInt>, _>(business_id)
            .execute(conn)
            .await?;
        }
        // Blacklist entries for any of their identifiers (and their log entries).
        let mut blocked_ids: Vec<u64> = Vec::new();
        for text in &ids.strings {
            let rows: Vec<IdRow> =
                diesel::sql_query("SELECT id FROM blacklist WHERE business_id = ? AND value = ?")
                    .bind::<Unsigned<BigInt>, _>(business_id)
                    .bind::<Text, _>(text)
                    .load(conn)
                    .await?;
            blocked_ids.extend(rows.into_iter().map(|r| r.id));
        }
        diesel::sql_query(format!(
            "DELETE FROM activity_events WHERE business_id = ? \
             AND subject_kind = 'blacklist_entry' AND subject_id IN ({})",
            id_list(&blocked_ids)
        ))
        .bind::<Unsigned<BigInt>, _>(business_id)
        .execute(conn)
        .await?;
        erased.blacklist_entries = diesel::sql_query(format!(
            "DELETE FROM blacklist WHERE business_id = ? AND id IN ({})",
            id_list(&blocked_ids)
        ))
        .bind::<Unsigned<BigInt>, _>(business_id)
        .execute(conn)
        .await?;
        // Orders stay for the books, without who ordered or where it went.
        erased.orders_anonymised = diesel::sql_query(format!(
            "UPDATE orders SET customer_name = ?, delivery_details = NULL, notes = NULL, \
             contact_id = NULL, chat_id = NULL WHERE business_id = ? AND id IN ({})",
            id_list(&order_ids)
        ))
        .bind::<Text, _>(anonymous_name)
        .bind::<Unsigned<BigInt>, _>(business_id)
        .execute(conn)
        .await?;
        erased.deal_approvals = diesel::sql_query(format!(
            "DELETE FROM deal_approvals WHERE business_id = ? AND id IN ({})",
            id_list(&deal_ids)
        ))
        .bind::<Unsigned<BigInt>, _>(business_id)
        .execute(conn)
        .await?;
        erased.follow_ups = diesel::sql_query(format!(
            "DELETE FROM follow_ups WHERE business_id = ? AND id IN ({})",
            id_list(&follow_up_ids)
        ))
        .bind::<Unsigned<BigInt>, _>(business_id)
        .execute(conn)
        .await?;
        // AI traces go with their messages (foreign key), messages with the chat.
        erased.messages = diesel::sql_query(format!(
            "DELETE FROM messages WHERE business_id = ? AND chat_id IN ({chat_list})"
        ))
        .bind::<Unsigned<BigInt>, _>(business_id)
        .execute(conn)
        .await?;
        diesel::sql_query(format!(
            "DELETE FROM chats WHERE business_id = ? AND id IN ({chat_list})"
        ))
        .bind::<Unsigned<BigInt>, _>(business_id)
        .execute(conn)
        .await?;
        diesel::sql_query("DELETE FROM contacts WHERE business_id = ? AND id = ?")
            .bind::<Unsigned<BigInt>, _>(business_id)
            .bind::<Unsigned<BigInt>, _>(contact_id)
            .execute(conn)
            .await?;
        Ok(erased)
    })
    .await
}

/// Deletes the business's rows of `table` whose `column` contains any of `ids`.
async fn delete_mentioning(
    conn: &mut AsyncMysqlConnection,
    table: &str,
    column: &str,
    business_id: u64,
    ids: &Identifiers,
) -> QueryResult<usize> {
    let mut deleted = 0;
    for text in &ids.strings {
        deleted += diesel::sql_query(format!(
            "DELETE FROM {table} WHERE business_id = ? AND INSTR({column}, ?) > 0"
        ))
        .bind::<Unsigned<BigInt>, _>(business_id)
        .bind::<Blob, _>(text.as_bytes())
        .execute(conn)
        .await?;
    }
    Ok(deleted)
}

/// Deletes unroutable raw bodies (no business) addressed to one of the business's
/// numbers that mention any of `ids`.
async fn delete_unroutable_mentioning(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    ids: &Identifiers,
) -> QueryResult<usize> {
    let mut deleted = 0;
    for text in &ids.strings {
        deleted += diesel::sql_query(
            "DELETE FROM webhook_events WHERE business_id IS NULL AND phone_number_id IN \
             (SELECT phone_number_id FROM whatsapp_connections WHERE business_id = ?) \
             AND INSTR(raw_body, ?) > 0",
        )
        .bind::<Unsigned<BigInt>, _>(business_id)
        .bind::<Blob, _>(text.as_bytes())
        .execute(conn)
        .await?;
    }
    Ok(deleted)
}

/// Ends every session and API token of the business at once (before its data goes).
pub async fn close_access(conn: &mut AsyncMysqlConnection, business_id: u64) -> QueryResult<()> {
    conn.transaction(async |conn| {
        diesel::sql_query("DELETE FROM sessions WHERE business_id = ?")
            .bind::<Unsigned<BigInt>, _>(business_id)
            .execute(conn)
            .await?;
        diesel::sql_query("DELETE FROM api_tokens WHERE business_id = ?")
            .bind::<Unsigned<BigInt>, _>(business_id)
            .execute(conn)
            .await?;
        Ok(())
    })
    .await
}

/// Every table that holds a business's rows by `business_id`, children before
/// parents; the business row goes last. Order items go with their orders (foreign key
/// cascade), statuses waiting for a message with the messages' batches.
pub const BUSINESS_TABLES: &[&str] = &[
    "ai_reply_traces",
    "message_media",
    "messages",
    "follow_ups",
    "deal_approvals",
    "jobs",
    "webhook_events",
    "activity_events",
    "orders",
    "chats",
    "contacts",
    "blacklist",
    "product_images",
    "products",
    "ai_usage",
    "api_tokens",
    "sessions",
    "users",
    "whatsapp_connections",
];

/// Deletes everything of the business, in batches, the business row last. Safe to run
/// again after a failure (it deletes what is left).
pub async fn delete_business(conn: &mut AsyncMysqlConnection, business_id: u64) -> QueryResult<()> {
    for table in BUSINESS_TABLES {
        loop {
            if *table == "messages" {
                diesel::sql_query(
                    "DELETE p FROM pending_statuses p JOIN \
                     (SELECT wamid FROM messages WHERE business_id = ? AND wamid IS NOT NULL \
                      ORDER BY id LIMIT ?) m ON m.wamid = p.wamid",
                )
                .bind::<Unsigned<BigInt>, _>(business_id)
                .bind::<BigInt, _>(DELETE_BATCH)
                .execute(conn)
                .await?;
            }
            let n = diesel::sql_query(format!("DELETE FROM {table} WHERE business_id = ? LIMIT ?"))
                .bind::<Unsigned<BigInt>, _>(business_id)
                .bind::<BigInt, _>(DELETE_BATCH)
                .execute(conn)
                .await?;
            if (n as i64) < DELETE_BATCH {
                break;
            }
        }
    }
    diesel::sql_query("DELETE FROM businesses WHERE id = ?")
        .bind::<Unsigned<BigInt>, _>(business_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The businesses that keep messages for a limited time: `(id, days)`.
pub async fn businesses_with_retention(
    conn: &mut AsyncMysqlConnection,
) -> QueryResult<Vec<(u64, i32)>> {
    use super::schema::businesses;
    businesses::table
        .filter(businesses::retention_days.is_not_null())
        .select((businesses::id, businesses::retention_days.assume_not_null()))
        .load(conn)
        .await
}

/// Sets the business's message retention (`None`: keep messages).
pub async fn set_retention_days(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    days: Option<i32>,
) -> QueryResult<usize> {
    use super::schema::businesses;
    diesel::update(businesses::table.find(business_id))
        .set(businesses::retention_days.eq(days))
        .execute(conn)
        .await
}

/// The business's message retention in days (`None`: kept).
pub async fn retention_days(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
) -> QueryResult<Option<i32>> {
    use super::schema::businesses;
    businesses::table
        .find(business_id)
        .select(businesses::retention_days)
        .first(conn)
        .await
}

/// Deletes one batch of the business's messages stored before `cutoff`; returns how
/// many went (fewer than [`DELETE_BATCH`]: the last batch).
pub async fn purge_messages_batch(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    cutoff: NaiveDateTime,
) -> QueryResult<usize> {
    let n = diesel::sql_query(
        "DELETE FROM messages WHERE business_id = ? AND created_at < ? ORDER BY created_at LIMIT ?",
    )
    .bind::<Unsigned<BigInt>, _>(business_id)
    .bind::<Datetime, _>(cutoff)
    .bind::<BigInt, _>(DELETE_BATCH)
    .execute(conn)
    .await?;
    if n > 0 {
        // A chat whose last message went no longer shows it as a preview.
        diesel::sql_query(
            "UPDATE chats SET last_message_preview = NULL WHERE business_id = ? \
             AND last_message_at < ? AND last_message_preview IS NOT NULL",
        )
        .bind::<Unsigned<BigInt>, _>(business_id)
        .bind::<Datetime, _>(cutoff)
        .execute(conn)
        .await?;
    }
    Ok(n)
}

/// Deletes one batch of raw webhook bodies received before `cutoff` (only those no
/// business could be found for, with `unroutable_only`).
pub async fn purge_webhook_events_batch(
    conn: &mut AsyncMysqlConnection,
    cutoff: NaiveDateTime,
    unroutable_only: bool,
) -> QueryResult<usize> {
    let sql = if unroutable_only {
        "DELETE FROM webhook_events WHERE business_id IS NULL AND received_at < ? \
         ORDER BY received_at LIMIT ?"
    } else {
        "DELETE FROM webhook_events WHERE received_at < ? ORDER BY received_at LIMIT ?"
    };
    diesel::sql_query(sql)
        .bind::<Datetime, _>(cutoff)
        .bind::<BigInt, _>(DELETE_BATCH)
        .execute(conn)
        .await
}

/// Deletes one batch of statuses received before `cutoff` that never found their
/// message.
pub async fn purge_pending_statuses_batch(
    conn: &mut AsyncMysqlConnection,
    cutoff: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM pending_statuses WHERE received_at < ? LIMIT ?")
        .bind::<Datetime, _>(cutoff)
        .bind::<BigInt, _>(DELETE_BATCH)
        .execute(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_not_identifiers_and_duplicates_go() {
        let c = ContactToErase {
            id: 1,
            wa_id: Some("2348031234567".into()),
            user_id: Some("NG.1502576394655843".into()),
            parent_user_id: None,
            username: Some("ada.shops".into()),
            profile_name: Some("Al".into()),
            custom_name: Some("2348031234567".into()),
        };
        assert_eq!(
            c.identifiers().strings,
            vec!["2348031234567", "NG.1502576394655843", "ada.shops"]
        );
    }
}
