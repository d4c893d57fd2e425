//! Who is calling: dashboard session JWTs and integrator API tokens.
//!
//! A JWT (HS256 pinned, `exp` required) carries a session id; the session row must
//! exist, be unexpired and unrevoked, so logging out or disconnecting ends it at once.

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use shared::{ActorKind, ApiTokenScope, BusinessId, UserId};

use crate::activity::{self, Actor, Entry, Subject};
use crate::app::App;
use crate::db::sessions;
use crate::error::{AppError, AppResult};

const ISSUER: &str = "wasales";

/// The authenticated caller, put in every request's data.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The tenant every query is scoped to.
    pub business_id: BusinessId,
    /// The dashboard user, when called with a session.
    pub user_id: Option<UserId>,
    /// The session, when called with a dashboard JWT.
    pub session_id: Option<String>,
    /// Who this is in the activity log: the user (owner or staff, by email) or the
    /// API token (by name).
    pub actor: Actor,
    /// The API token, when called with one.
    pub api_token_id: Option<u64>,
    /// What the caller may do: a READ API token only reads; sessions read and write.
    pub scope: ApiTokenScope,
}

/// Where a request comes from: put in every HTTP request's data (and a WebSocket's).
#[derive(Debug, Clone)]
pub struct ClientInfo {
    /// The client's IP address (behind a trusted proxy, the one it reported).
    pub ip: std::net::IpAddr,
    /// The `User-Agent` header, if any.
    pub user_agent: Option<String>,
}

impl ClientInfo {
    /// A client known only by address (tests, tools).
    pub fn from_ip(ip: std::net::IpAddr) -> ClientInfo {
        ClientInfo {
            ip,
            user_agent: None,
        }
    }
}

impl Caller {
    /// The caller as a dashboard user (owner or staff) acting for themselves, e.g. to
    /// see their sessions or change their password; API tokens are refused.
    pub fn user(&self) -> AppResult<UserId> {
        self.user_id.ok_or_else(|| {
            AppError::Forbidden(
                "only a signed-in dashboard user can do this, not an API token".into(),
            )
        })
    }

    /// The caller, if it is the business's owner signed in to the dashboard; staff and
    /// API tokens are refused.
    pub fn owner(&self) -> AppResult<UserId> {
        match (self.user_id, self.actor.kind) {
            (Some(user), ActorKind::Owner) => Ok(user),
            _ => Err(AppError::Forbidden(
                "only the business owner, signed in to the dashboard, can do this".into(),
            )),
        }
    }

    /// The owner's authority over the business's settings: the owner signed in to the
    /// dashboard, or an API token (only the owner creates them); staff are refused.
    pub fn owner_authority(&self) -> AppResult<()> {
        match (self.user_id, self.actor.kind) {
            (Some(_), ActorKind::Owner) | (None, ActorKind::ApiToken) => Ok(()),
            _ => Err(AppError::Forbidden(
                "only the business owner can change this; staff cannot".into(),
            )),
        }
    }

    /// Logs `entry` in the activity log as done by this caller. A failed write is
    /// logged and never fails the action it describes.
    pub async fn record(
        &self,
        conn: &mut diesel_async::AsyncMysqlConnection,
        events: &crate::events::EventBus,
        entry: Entry,
    ) {
        activity::record_quietly(conn, events, self.business_id, &self.actor, entry).await;
    }

    /// Logs a change to the business itself (its settings, keys, rules) by this caller.
    pub async fn record_business_change(
        &self,
        conn: &mut diesel_async::AsyncMysqlConnection,
        events: &crate::events::EventBus,
        kind: shared::ActivityKind,
        summary: impl Into<String>,
        details: serde_json::Value,
    ) {
        let about = Some(Subject::business(self.business_id));
        let entry = Entry::new(kind, about, summary).details(details);
        self.record(conn, events, entry).await;
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    bid: u64,
    sid: String,
    iss: String,
    iat: i64,
    exp: i64,
}

/// Issues a signed token for a session.
pub fn issue_token(
    app: &App,
    user_id: UserId,
    business_id: BusinessId,
    session_id: &str,
    expires_at: chrono::DateTime<Utc>,
) -> AppResult<String> {
    let claims = Claims {
        sub: user_id.0.to_string(),
        bid: business_id.0,
        sid: session_id.to_string(),
        iss: ISSUER.into(),
        iat: Utc::now().timestamp(),
        exp: expires_at.timestamp(),
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(app.config.jwt_secret.expose_secret().as_bytes()),
    )
    .map_err(|e| AppError::Internal(e.into()))
}

/// When a dashboard session token stops being valid (its `exp`), for a token this
/// server signed; `None` for API tokens (they do not expire) and anything else.
pub fn token_expiry(app: &App, token: &str) -> Option<chrono::DateTime<Utc>> {
    decode(app, token.trim()).and_then(|claims| chrono::DateTime::from_timestamp(claims.exp, 0))
}

/// Session lifetime from configuration.
pub fn session_expiry(app: &App) -> chrono::DateTime<Utc> {
    Utc::now() + Duration::hours(app.config.session_ttl_hours)
}

fn decode(app: &App, token: &str) -> Option<Claims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "iss", "sub"]);
    validation.set_issuer(&[ISSUER]);
    validation.leeway = 5;
    jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(app.config.jwt_secret.expose_secret().as_bytes()),
        &validation,
    )
    .ok()
    .map(|d| d.claims)
}

/// Resolves a bearer token (dashboard JWT or API token) to a caller.
pub async fn resolve_bearer(app: &App, token: &str) -> AppResult<Caller> {
    let token = token.trim();
    if let Some(claims) = decode(app, token) {
        let mut conn = app.db().await?;
        let session = sessions::find_active(&mut conn, &claims.sid).await?;
        return match session {
            Some((s, role, email))
                if s.business_id.0 == claims.bid && claims.sub == s.user_id.to_string() =>
            {
                Ok(Caller {
                    business_id: s.business_id,
                    user_id: Some(s.user_id),
                    session_id: Some(s.id),
                    actor: Actor::named(role.into(), email),
                    api_token_id: None,
                    scope: ApiTokenScope::Write,
                })
            }
            _ => Err(AppError::Unauthenticated),
        };
    }
    if token.starts_with(API_TOKEN_PREFIX) {
        let mut conn = app.db().await?;
        if let Some(t) = sessions::find_api_token(&mut conn, token).await? {
            return Ok(Caller {
                business_id: t.business_id,
                user_id: None,
                session_id: None,
                actor: Actor::named(ActorKind::ApiToken, t.name),
                api_token_id: Some(t.id),
                scope: t.scope,
            });
        }
    }
    Err(AppError::Unauthenticated)
}

/// Integrator API tokens start with this prefix.
pub const API_TOKEN_PREFIX: &str = "wsk_";

/// A new integrator API token secret: the prefix and 32 random bytes in hex.
pub fn new_api_token_secret() -> String {
    format!("{API_TOKEN_PREFIX}{}", crate::crypto::random_hex(32))
}

/// Extracts the token from an `Authorization: Bearer ...` header value.
pub fn bearer_from_header(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}
