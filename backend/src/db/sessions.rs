//! Dashboard sessions and integrator API tokens.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use shared::ApiTokenScope;

use super::schema::{api_tokens, sessions, users};
use crate::crypto::sha256_hex;

/// How stale `last_seen_at` may get before a request writes it again (one write per
/// session per minute at most, not one per request).
const LAST_SEEN_GRANULARITY_SECONDS: i64 = 60;

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
    /// When it was opened.
    pub created_at: NaiveDateTime,
    /// Expiry.
    pub expires_at: NaiveDateTime,
    /// When it was last used (to the minute), if ever after log-in.
    pub last_seen_at: Option<NaiveDateTime>,
    /// The browser's `User-Agent` at log-in (cut to 255 characters).
    pub user_agent: Option<String>,
    /// The client's IP address at log-in.
    pub ip: Option<String>,
}

/// Where a session was opened from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin<'a> {
    /// Client IP address.
    pub ip: Option<&'a str>,
    /// `User-Agent` header.
    pub user_agent: Option<&'a str>,
}

/// Opens a session.
pub async fn create(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    user_id: u64,
    expires_at: NaiveDateTime,
    origin: Origin<'_>,
) -> QueryResult<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let user_agent = origin
        .user_agent
        .map(|ua| ua.chars().take(255).collect::<String>());
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(&id),
            sessions::business_id.eq(business_id),
            sessions::user_id.eq(user_id),
            sessions::expires_at.eq(expires_at),
            sessions::ip.eq(origin.ip),
            sessions::user_agent.eq(user_agent),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}

/// The session if it exists, is unexpired and unrevoked, with its user's role and
/// email (who the activity log says did what). Notes the use in `last_seen_at` when
/// the last note is over a minute old.
pub async fn find_active(
    conn: &mut AsyncMysqlConnection,
    id: &str,
) -> QueryResult<Option<(Session, shared::Role, String)>> {
    let now = Utc::now().naive_utc();
    let found: Option<(Session, shared::Role, String)> = sessions::table
        .inner_join(users::table.on(users::id.eq(sessions::user_id)))
        .filter(sessions::id.eq(id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .select((Session::as_select(), users::role, users::email))
        .first(conn)
        .await
        .optional()?;
    if let Some((session, _, _)) = &found {
        let stale = now - Duration::seconds(LAST_SEEN_GRANULARITY_SECONDS);
        if session.last_seen_at.is_none_or(|seen| seen < stale) {
            diesel::update(sessions::table.find(&session.id))
                .set(sessions::last_seen_at.eq(now))
                .execute(conn)
                .await?;
        }
    }
    Ok(found)
}

/// The user's open (unrevoked, unexpired) sessions, newest first.
pub async fn list_open(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    user_id: u64,
) -> QueryResult<Vec<Session>> {
    sessions::table
        .filter(sessions::business_id.eq(business_id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(Utc::now().naive_utc()))
        .order((sessions::created_at.desc(), sessions::id.desc()))
        .select(Session::as_select())
        .load(conn)
        .await
}

/// Ends one session.
pub async fn revoke(conn: &mut AsyncMysqlConnection, id: &str) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(Utc::now().naive_utc()))
    .execute(conn)
    .await
}

/// Ends one open session of a user; 0 when it is not theirs or already ended.
pub async fn revoke_for_user(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    user_id: u64,
    id: &str,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::business_id.eq(business_id))
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(Utc::now().naive_utc())),
    )
    .set(sessions::revoked_at.eq(Utc::now().naive_utc()))
    .execute(conn)
    .await
}

/// Ends every open session of a user except `keep`; returns the ids it ended.
pub async fn revoke_all_for_user(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    user_id: u64,
    keep: Option<&str>,
) -> QueryResult<Vec<String>> {
    let open: Vec<String> = sessions::table
        .filter(sessions::business_id.eq(business_id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .select(sessions::id)
        .load(conn)
        .await?;
    let ended: Vec<String> = open
        .into_iter()
        .filter(|id| Some(id.as_str()) != keep)
        .collect();
    if !ended.is_empty() {
        diesel::update(
            sessions::table
                .filter(sessions::id.eq_any(&ended))
                .filter(sessions::revoked_at.is_null()),
        )
        .set(sessions::revoked_at.eq(Utc::now().naive_utc()))
        .execute(conn)
        .await?;
    }
    Ok(ended)
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

/// An integrator API token (its secret is never stored, only its SHA-256).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens, check_for_backend(diesel::mysql::Mysql))]
pub struct ApiToken {
    /// Id.
    pub id: u64,
    /// Tenant.
    pub business_id: shared::BusinessId,
    /// The name its owner gave it.
    pub name: String,
    /// Read only, or read and write.
    pub scope: ApiTokenScope,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last used, if ever.
    pub last_used_at: Option<NaiveDateTime>,
}

/// Stores a new token by its digest; returns the row.
pub async fn create_api_token(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    name: &str,
    token: &str,
    scope: ApiTokenScope,
) -> QueryResult<ApiToken> {
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::business_id.eq(business_id),
            api_tokens::name.eq(name),
            api_tokens::token_sha256.eq(sha256_hex(token.as_bytes())),
            api_tokens::scope.eq(scope),
        ))
        .execute(conn)
        .await?;
    let id: u64 = diesel::select(super::tenants::last_insert_id())
        .get_result(conn)
        .await?;
    api_tokens::table
        .find(id)
        .select(ApiToken::as_select())
        .first(conn)
        .await
}

/// The business's unrevoked tokens, newest first.
pub async fn list_api_tokens(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
) -> QueryResult<Vec<ApiToken>> {
    api_tokens::table
        .filter(api_tokens::business_id.eq(business_id))
        .filter(api_tokens::revoked_at.is_null())
        .order(api_tokens::id.desc())
        .select(ApiToken::as_select())
        .load(conn)
        .await
}

/// Revokes one of the business's tokens; `None` when it has no such unrevoked token.
pub async fn revoke_api_token(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    id: u64,
) -> QueryResult<Option<ApiToken>> {
    let found: Option<ApiToken> = api_tokens::table
        .filter(api_tokens::id.eq(id))
        .filter(api_tokens::business_id.eq(business_id))
        .filter(api_tokens::revoked_at.is_null())
        .select(ApiToken::as_select())
        .first(conn)
        .await
        .optional()?;
    if found.is_some() {
        diesel::update(api_tokens::table.find(id))
            .set(api_tokens::revoked_at.eq(Utc::now().naive_utc()))
            .execute(conn)
            .await?;
    }
    Ok(found)
}

/// The unrevoked API token with this secret, recording its use.
pub async fn find_api_token(
    conn: &mut AsyncMysqlConnection,
    token: &str,
) -> QueryResult<Option<ApiToken>> {
    let digest = sha256_hex(token.as_bytes());
    let found: Option<ApiToken> = api_tokens::table
        .filter(api_tokens::token_sha256.eq(&digest))
        .filter(api_tokens::revoked_at.is_null())
        .select(ApiToken::as_select())
        .first(conn)
        .await
        .optional()?;
    if let Some(t) = &found {
        diesel::update(api_tokens::table.find(t.id))
            .set(api_tokens::last_used_at.eq(Utc::now().naive_utc()))
            .execute(conn)
            .await?;
    }
    Ok(found)
}
