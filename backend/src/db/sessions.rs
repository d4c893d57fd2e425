//! Dashboard sessions and integrator API tokens.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};

use super::schema::{api_tokens, sessions, users};
use crate::crypto::sha256_hex;

/// A session row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::mysql::Mysql))]
pub struct Session {
    /// Random UUID, carried in the JWT.
    pub id: String,
    /// Tenant.
    pub business_id: shared::BusinessId,
    /// User who logged in.
    pub user_id: shared::UserId,
    /// Expiry.
    pub expires_at: NaiveDateTime,
}

/// Opens a session.
pub async fn create(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    user_id: u64,
    expires_at: NaiveDateTime,
) -> QueryResult<String> {
    let id = uuid::Uuid::new_v4().to_string();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(&id),
            sessions::business_id.eq(business_id),
            sessions::user_id.eq(user_id),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}

/// The session if it exists, is unexpired and unrevoked, with its user's role and
/// email (who the activity log says did what).
pub async fn find_active(
    conn: &mut AsyncMysqlConnection,
    id: &str,
) -> QueryResult<Option<(Session, shared::Role, String)>> {
    sessions::table
        .inner_join(users::table.on(users::id.eq(sessions::user_id)))
        .filter(sessions::id.eq(id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(Utc::now().naive_utc()))
        .select((Session::as_select(), users::role, users::email))
        .first(conn)
        .await
        .optional()
}

/// Ends one session.
pub async fn revoke(conn: &mut AsyncMysqlConnection, id: &str) -> QueryResult<usize> {
    diesel::update(sessions::table.filter(sessions::id.eq(id)))
        .set(sessions::revoked_at.eq(Utc::now().naive_utc()))
        .execute(conn)
        .await
}

/// Ends every open session of a business (e.g. when its WhatsApp number disconnects).
pub async fn revoke_all_for_business(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::business_id.eq(business_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(Utc::now().naive_utc()))
    .execute(conn)
    .await
}

/// The business owning an unrevoked API token and the token's name, recording its use.
pub async fn find_api_token(
    conn: &mut AsyncMysqlConnection,
    token: &str,
) -> QueryResult<Option<(u64, String)>> {
    let digest = sha256_hex(token.as_bytes());
    let found: Option<(u64, u64, String)> = api_tokens::table
        .filter(api_tokens::token_sha256.eq(&digest))
        .filter(api_tokens::revoked_at.is_null())
        .select((api_tokens::id, api_tokens::business_id, api_tokens::name))
        .first(conn)
        .await
        .optional()?;
    if let Some((id, _, _)) = &found {
        diesel::update(api_tokens::table.find(*id))
            .set(api_tokens::last_used_at.eq(Utc::now().naive_utc()))
            .execute(conn)
            .await?;
    }
    Ok(found.map(|(_, b, name)| (b, name)))
}
