//! Every secret at rest, for `wasales reencrypt`: the businesses' own Anthropic keys,
//! the connections' Meta access tokens and registration pins, read with what binds them to their row,
//! and rewritten only if unchanged since they were read.

use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};

use super::schema::{businesses, whatsapp_connections as wc};

/// A business's sealed Anthropic key: (business id, sealed value).
pub async fn anthropic_keys(conn: &mut AsyncMysqlConnection) -> QueryResult<Vec<(u64, Vec<u8>)>> {
    let rows: Vec<(u64, Option<Vec<u8>>)> = businesses::table
        .filter(businesses::anthropic_key_enc.is_not_null())
        .select((businesses::id, businesses::anthropic_key_enc))
        .order(businesses::id.asc())
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, sealed)| sealed.map(|s| (id, s)))
        .collect())
}

/// Replaces a business's sealed key if it is still `old`; whether it was replaced.
pub async fn replace_anthropic_key(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    old: &[u8],
    new: &[u8],
) -> QueryResult<bool> {
    diesel::update(
        businesses::table
            .filter(businesses::id.eq(business_id))
            .filter(businesses::anthropic_key_enc.eq(old)),
    )
    .set(businesses::anthropic_key_enc.eq(new))
    .execute(conn)
    .await
    .map(|n| n > 0)
}

/// Every connection's sealed token: (connection id, phone number id, sealed value).
pub async fn access_tokens(
    conn: &mut AsyncMysqlConnection,
) -> QueryResult<Vec<(u64, String, Vec<u8>)>> {
    wc::table
        .select((wc::id, wc::phone_number_id, wc::access_token_enc))
        .order(wc::id.asc())
        .load(conn)
        .await
}

/// Replaces a connection's sealed token if it is still `old`; whether it was replaced.
pub async fn replace_access_token(
    conn: &mut AsyncMysqlConnection,
    connection_id: u64,
    old: &[u8],
    new: &[u8],
) -> QueryResult<bool> {
    diesel::update(
        wc::table
            .filter(wc::id.eq(connection_id))
            .filter(wc::access_token_enc.eq(old)),
    )
    .set(wc::access_token_enc.eq(new))
    .execute(conn)
    .await
    .map(|n| n > 0)
}

/// Every connection's sealed registration pin: (connection id, phone number id, sealed).
pub async fn registration_pins(
    conn: &mut AsyncMysqlConnection,
) -> QueryResult<Vec<(u64, String, Vec<u8>)>> {
    let rows: Vec<(u64, String, Option<Vec<u8>>)> = wc::table
        .filter(wc::registration_pin_enc.is_not_null())
        .select((wc::id, wc::phone_number_id, wc::registration_pin_enc))
        .order(wc::id.asc())
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, number, sealed)| sealed.map(|s| (id, number, s)))
        .collect())
}

/// Replaces a connection's sealed pin if it is still `old`; whether it was replaced.
pub async fn replace_registration_pin(
    conn: &mut AsyncMysqlConnection,
    connection_id: u64,
    old: &[u8],
    new: &[u8],
) -> QueryResult<bool> {
    diesel::update(
        wc::table
            .filter(wc::id.eq(connection_id))
            .filter(wc::registration_pin_enc.eq(old)),
    )
    .set(wc::registration_pin_enc.eq(new))
    .execute(conn)
    .await
    .map(|n| n > 0)
}
