//! The caller's own dashboard sessions and password: `sessions`, `revokeSession`,
//! `logOutEverywhere`, `changePassword`. Every role may manage their own sessions
//! (a user sees only theirs); API tokens have none and are refused.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{Authenticated, ContextExt, ids};
use crate::accounts;
use crate::db::sessions;

/// A dashboard session of the signed-in user.
#[derive(SimpleObject)]
pub struct Session {
    /// Opaque id (for `revokeSession`).
    pub id: ID,
    /// When it was opened (log-in or sign-up).
    pub created_at: DateTime<Utc>,
    /// When it was last used, to the minute.
    pub last_seen_at: Option<DateTime<Utc>>,
    /// When it ends by itself.
    pub expires_at: DateTime<Utc>,
    /// The browser it was opened from (its `User-Agent`).
    pub user_agent: Option<String>,
    /// The IP address it was opened from.
    pub ip: Option<String>,
    /// Whether this is the session making the request.
    pub current: bool,
}

impl Session {
    fn new(s: sessions::Session, current: Option<&str>) -> Session {
        Session {
            id: ids::encode_session(&s.id),
            current: current == Some(s.id.as_str()),
            created_at: s.created_at.and_utc(),
            last_seen_at: s.last_seen_at.map(|t| t.and_utc()),
            expires_at: s.expires_at.and_utc(),
            user_agent: s.user_agent,
            ip: s.ip,
        }
    }
}

/// A password change.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// The password now.
    pub current_password: String,
    /// The new password (at least 8 characters).
    pub new_password: String,
}

/// Session queries.
#[derive(Default)]
pub struct SessionQuery;

#[Object]
impl SessionQuery {
    /// The signed-in user's open sessions, newest first (owner and staff: their own;
    /// API tokens: FORBIDDEN).
    #[graphql(guard = "Authenticated")]
    async fn sessions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Session>> {
        let caller = ctx.caller()?;
        let list = accounts::list_sessions(ctx.app(), caller).await?;
        let current = caller.session_id.as_deref();
        Ok(list.into_iter().map(|s| Session::new(s, current)).collect())
    }
}

/// Session and password mutations.
#[derive(Default)]
pub struct SessionMutation;

#[Object]
impl SessionMutation {
    /// Ends one of the signed-in user's sessions (owner and staff: their own; another
    /// user's is NOT_FOUND). Its token stops working and its WebSockets close at once.
    #[graphql(guard = "Authenticated")]
    async fn revoke_session(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<bool> {
        let session_id = ids::decode_session(&id)?;
        accounts::revoke_session(ctx.app(), ctx.caller()?, &session_id).await?;
        Ok(true)
    }

    /// Ends every session of the signed-in user, this one included; returns how many
    /// (owner and staff).
    #[graphql(guard = "Authenticated")]
    async fn log_out_everywhere(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        let count = accounts::log_out_everywhere(ctx.app(), ctx.caller()?).await?;
        Ok(i32::try_from(count).unwrap_or(i32::MAX))
    }

    /// Changes the signed-in user's password after checking the current one, and ends
    /// their other sessions (owner and staff). A wrong current password counts as a
    /// wrong guess against the account's limit.
    #[graphql(guard = "Authenticated")]
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> async_graphql::Result<bool> {
        accounts::change_password(
            ctx.app(),
            ctx.caller()?,
            &input.current_password,
            &input.new_password,
            &ctx.client(),
        )
        .await?;
        Ok(true)
    }
}
