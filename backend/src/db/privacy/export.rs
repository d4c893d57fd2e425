//! The export's pages: the business-wide entities as JSON built by the database (an
//! explicit column list each: secrets are never selected), one chat's messages, and
//! product images and kept media files one at a time.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Blob, Text, Unsigned, Varchar};
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};

use super::IdRow;

/// JSON for a boolean column that MySQL and MariaDB both render as `true`/`false`.
macro_rules! json_bool {
    ($col:literal) => {
        concat!("JSON_EXTRACT(IF(", $col, ", 'true', 'false'), '$')")
    };
}

/// One entity of the export: a file of the archive and the query of its pages.
#[derive(Debug, Clone, Copy)]
pub struct ExportEntity {
    /// The file in the archive (`.jsonl`: one JSON object a line).
    pub file: &'static str,
    /// `SELECT id, JSON_OBJECT(...) AS doc ... WHERE <business> = ? AND id > ? ORDER BY
    /// id LIMIT ?`.
    sql: &'static str,
}

/// The business-wide entities, in archive order. Messages are exported per chat
/// (see [`message_page`]) and product images as files of their own ([`image_page`]).
pub const EXPORT_ENTITIES: &[ExportEntity] = &[
    ExportEntity {
        file: "profile.jsonl",
        sql: "SELECT id, JSON_OBJECT('id', id, 'name', name, 'business_type', business_type, \
              'country', country, 'default_currency', default_currency, 'time_zone', time_zone, \
              'created_at', created_at, \
              'updated_at', updated_at) AS doc FROM businesses WHERE id = ? AND id > ? ORDER BY id LIMIT ?",
    },
    ExportEntity {
        file: "settings.jsonl",
        sql: concat!(
            "SELECT id, JSON_OBJECT('ai_enabled', ",
            json_bool!("ai_enabled"),
            ", 'ai_instructions', ai_instructions, 'reply_tone', reply_tone, \
             'own_anthropic_key_set', ",
            json_bool!("anthropic_key_enc IS NOT NULL"),
            ", 'ai_daily_token_budget', ai_daily_token_budget, 'follow_ups_enabled', ",
            json_bool!("follow_ups_enabled"),
            ", 'follow_up_after_hours', follow_up_after_hours, 'follow_up_text', follow_up_text, \
             'message_retention_days', retention_days, 'notify_order_updates', ",
            json_bool!("notify_order_updates"),
            ", 'order_update_template', order_update_template, \
             'order_update_template_language', order_update_template_language, \
             'deal_approvals_enabled', ",
            json_bool!("deal_approvals_enabled"),
            ", 'deal_approval_bulk_quantity', deal_approval_bulk_quantity, \
             'deal_approval_expiry_minutes', deal_approval_expiry_minutes, \
             'phone_reply_pause_minutes', phone_reply_pause_minutes) AS doc \
             FROM businesses WHERE id = ? AND id > ? ORDER BY id LIMIT ?"
        ),
    },
    ExportEntity {
        file: "users.jsonl",
        sql: "SELECT id, JSON_OBJECT('id', id, 'email', email, 'role', role, 'created_at', created_at) \
              AS doc FROM users WHERE business_id = ? AND id > ? ORDER BY id LIMIT ?",
    },
    ExportEntity {
        file: "whatsapp_connections.jsonl",
        sql: "SELECT id, JSON_OBJECT('id', id, 'phone_number_id', phone_number_id, 'waba_id', waba_id, \
              'display_phone_number', display_phone_number, 'verified_name', verified_name, \
              'status', status, 'connected_at', connected_at, 'disconnected_at', disconnected_at, \
              'last_webhook_at', last_webhook_at) AS doc \
              FROM whatsapp_connections WHERE business_id = ? AND id > ? ORDER BY id LIMIT ?",
    },
    ExportEntity {
        file: "products.jsonl",
        sql: concat!(
            "SELECT id, JSON_OBJECT('id', id, 'name', name, 'description', description, \
             'price_minor', price_minor, 'currency', currency, 'discount_kind', discount_kind, \
             'discount_value', discount_value, 'bargain_floor_minor', bargain_floor_minor, \
             'hard_minimum_minor', hard_minimum_minor, 'quantity', quantity, 'colors', colors, \
             'archived', ",
            json_bool!("archived"),
            ", 'created_at', created_at, 'updated_at', updated_at) AS doc \
             FROM products WHERE business_id = ? AND id > ? ORDER BY id LIMIT ?"
        ),
    },
    ExportEntity {
        file: "product_images.jsonl",
        sql: "SELECT id, JSON_OBJECT('id', id, 'product_id', product_id, 'mime_type', mime_type, \
              'byte_size', byte_size, 'position', position, 'created_at', created_at, \
              'file', CONCAT('images/', product_id, '-', id, '.', SUBSTRING_INDEX(mime_type, '/', -1))) AS doc \
              FROM product_images WHERE business_id = ? AND id > ? ORDER BY id LIMIT ?",
    },
    ExportEntity {
        file: "contacts.jsonl",
        sql: "SELECT id, JSON_OBJECT('id', id, 'user_id', user_id, 'parent_user_id', parent_user_id, \
              'wa_id', wa_id, 'username', username, 'profile_name', profile_name, \
              'country_code', country_code, 'custom_name', custom_name, 'notes', notes, \
              'created_at', created_at, 'updated_at', updated_at) AS doc \
              FROM contacts WHERE business_id = ? AND id > ? ORDER BY id LIMIT ?",
    },
    ExportEntity {
        file: "chats.jsonl",
        sql: concat!(
            "SELECT id, JSON_OBJECT('id', id, 'contact_id', contact_id, 'connection_id', connection_id, \
             'last_message_at', last_message_at, 'last_message_preview', last_message_preview, \
             'last_inbound_at', last_inbound_at, 'unread_count', unread_count, 'ai_paused', ",
            json_bool!("ai_paused"),
            ", 'handoff_reason', handoff_reason, 'product_interest', product_interest, \
             'negotiation', negotiation, 'created_at', created_at) AS doc \
             FROM chats WHERE business_id = ? AND id > ? ORDER BY id LIMIT ?"
        ),
    },
    ExportEntity {
        file: "orders.jsonl",
        sql: "SELECT id, JSON_OBJECT('id', id, 'chat_id', chat_id, 'contact_id', contact_id, \
              'status', status, 'source', source, 'currency', currency, 'total_minor', total_minor, \
              'customer_name', customer_name, 'delivery_details', delivery_details, 'notes', notes, \
              'created_at', created_at, 'updated_at', updated_at, 'completed_at', completed_at) AS doc \
              FROM orders WHERE business_id = ? AND id > ? ORDER BY id LIMIT ?",
    },
    ExportEntity {
        file: "order_items.jsonl",
        sql: "SELECT i.id AS id, JSON_OBJECT('id', i.id, 'order_id', i.order_id, 'product_id', i.product_id, \
              'name', i.name, 'color', i.color, 'unit_price_minor', i.unit_price_minor, \
              'quantity', i.quantity) AS doc \
              FROM order_items i JOIN orders o ON o.id = i.order_id \
              WHERE o.business_id = ? AND i.id > ? ORDER BY i.id LIMIT ?",
    },
    ExportEntity {
        file: "blacklist.jsonl",
        sql: "SELECT id, JSON_OBJECT('id', id, 'kind', kind, 'value', value, 'reason', reason, \
              'created_by_kind', created_by_kind, 'created_by', created_by, 'created_at', created_at, \
              'updated_at', updated_at) AS doc \
              FROM blacklist WHERE business_id = ? AND id > ? ORDER BY id LIMIT ?",
    },
    ExportEntity {
        file: "activity.jsonl",
        sql: "SELECT id, JSON_OBJECT('id', id, 'kind', kind, 'summary', subject, \
              'subject_kind', subject_kind, 'subject_id', subject_id, 'details', details, \
              'actor', actor, 'actor_name', actor_name, 'created_at', created_at) AS doc \
              FROM activity_events WHERE business_id = ? AND id > ? ORDER BY id LIMIT ?",
    },
    ExportEntity {
        file: "follow_ups.jsonl",
        sql: "SELECT id, JSON_OBJECT('id', id, 'chat_id', chat_id, 'due_at', due_at, 'body', body, \
              'template_name', template_name, 'template_language', template_language, \
              'template_params', template_params, 'status', status, 'source', source, \
              'attempts', attempts, 'last_error', last_error, 'skip_reason', skip_reason, \
              'message_id', message_id, 'created_by', created_by, 'created_at', created_at, \
              'updated_at', updated_at) AS doc \
              FROM follow_ups WHERE business_id = ? AND id > ? ORDER BY id LIMIT ?",
    },
    ExportEntity {
        file: "deal_approvals.jsonl",
        sql: "SELECT id, JSON_OBJECT('id', id, 'chat_id', chat_id, 'product_id', product_id, \
              'product_name', product_name, 'quantity', quantity, 'reason', reason, \
              'currency', currency, 'customer_ask_minor', customer_ask_minor, \
              'floor_minor', floor_minor, 'offered_minor', offered_minor, 'status', status, \
              'approved_minor', approved_minor, 'decided_by', decided_by, \
              'decision_note', decision_note, 'decided_at', decided_at, 'expires_at', expires_at, \
              'answered_at', answered_at, 'answer_message_id', answer_message_id, \
              'created_at', created_at, 'updated_at', updated_at) AS doc \
              FROM deal_approvals WHERE business_id = ? AND id > ? ORDER BY id LIMIT ?",
    },
];

/// One exported row: its id (the page's cursor) and its JSON.
#[derive(Debug, QueryableByName)]
pub struct ExportRow {
    /// The row's id.
    #[diesel(sql_type = Unsigned<BigInt>)]
    pub id: u64,
    /// The row as one JSON object.
    #[diesel(sql_type = Text)]
    pub doc: String,
}

/// The page of `entity` after `after` (exclusive), at most `limit` rows.
pub async fn export_page(
    conn: &mut AsyncMysqlConnection,
    entity: &ExportEntity,
    business_id: u64,
    after: u64,
    limit: i64,
) -> QueryResult<Vec<ExportRow>> {
    diesel::sql_query(entity.sql)
        .bind::<Unsigned<BigInt>, _>(business_id)
        .bind::<Unsigned<BigInt>, _>(after)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await
}

/// The business's chat ids after `after`, at most `limit` (the outer loop of the
/// messages export).
pub async fn chat_ids_page(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    after: u64,
    limit: i64,
) -> QueryResult<Vec<u64>> {
    let rows: Vec<IdRow> = diesel::sql_query(
        "SELECT id FROM chats WHERE business_id = ? AND id > ? ORDER BY id LIMIT ?",
    )
    .bind::<Unsigned<BigInt>, _>(business_id)
    .bind::<Unsigned<BigInt>, _>(after)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// The page of one chat's messages after `after` (the chat-history index serves it).
pub async fn message_page(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    chat_id: u64,
    after: u64,
    limit: i64,
) -> QueryResult<Vec<ExportRow>> {
    diesel::sql_query(
        "SELECT id, JSON_OBJECT('id', id, 'chat_id', chat_id, 'wamid', wamid, \
         'direction', direction, 'kind', kind, 'body', body, 'media_id', media_id, \
         'media_mime', media_mime, 'payload', payload, 'context_wamid', context_wamid, \
         'sent_by', sent_by, 'status', status, 'error_code', error_code, \
         'error_title', error_title, 'wa_timestamp', wa_timestamp, 'created_at', created_at, \
         'updated_at', updated_at) AS doc \
         FROM messages WHERE chat_id = ? AND business_id = ? AND id > ? ORDER BY id LIMIT ?",
    )
    .bind::<Unsigned<BigInt>, _>(chat_id)
    .bind::<Unsigned<BigInt>, _>(business_id)
    .bind::<Unsigned<BigInt>, _>(after)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// A product image's bytes for the archive.
#[derive(Debug, QueryableByName)]
pub struct ImageRow {
    /// Image id.
    #[diesel(sql_type = Unsigned<BigInt>)]
    pub id: u64,
    /// Its product.
    #[diesel(sql_type = Unsigned<BigInt>)]
    pub product_id: u64,
    /// Its MIME type.
    #[diesel(sql_type = Varchar)]
    pub mime_type: String,
    /// The bytes.
    #[diesel(sql_type = Blob)]
    pub data: Vec<u8>,
}

/// The business's next product image after `after` (one at a time: up to 2 MB each).
pub async fn image_after(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    after: u64,
) -> QueryResult<Option<ImageRow>> {
    diesel::sql_query(
        "SELECT id, product_id, mime_type, data FROM product_images \
         WHERE business_id = ? AND id > ? ORDER BY id LIMIT 1",
    )
    .bind::<Unsigned<BigInt>, _>(business_id)
    .bind::<Unsigned<BigInt>, _>(after)
    .get_result(conn)
    .await
    .optional()
}

/// A kept file of a media message.
#[derive(Debug, QueryableByName)]
pub struct MediaRow {
    /// The message.
    #[diesel(sql_type = Unsigned<BigInt>)]
    pub message_id: u64,
    /// Its MIME type.
    #[diesel(sql_type = diesel::sql_types::Nullable<Varchar>)]
    pub mime_type: Option<String>,
    /// The bytes.
    #[diesel(sql_type = Blob)]
    pub data: Vec<u8>,
}

/// The business's next kept media file after message `after` (one at a time: up to
/// 16 MB each).
pub async fn media_after(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    after: u64,
) -> QueryResult<Option<MediaRow>> {
    diesel::sql_query(
        "SELECT message_id, mime_type, data FROM message_media \
         WHERE business_id = ? AND message_id > ? AND status = 'stored' \
         ORDER BY message_id LIMIT 1",
    )
    .bind::<Unsigned<BigInt>, _>(business_id)
    .bind::<Unsigned<BigInt>, _>(after)
    .get_result(conn)
    .await
    .optional()
}
