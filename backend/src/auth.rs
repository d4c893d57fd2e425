//! Who is calling: dashboard session JWTs and integrator API tokens.
//!
//! A JWT (HS256 pinned, `exp` required) carries a session id; the session row must
//! exist, be unexpired and unrevoked, so logging out or disconnecting ends it at once.

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use shared::{ActorKind, BusinessId, UserId};

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
}

impl Caller {
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
                })
            }
            _ => Err(AppError::Unauthenticated),
        };
    }
    if token.starts_with(API_TOKEN_PREFIX) {
        let mut conn = app.db().await?;
        if let Some((business_id, name)) = sessions::find_api_token(&mut conn, token).await? {
            return Ok(Caller {
                business_id: BusinessId(business_id),
                user_id: None,
                session_id: None,
                actor: Actor::named(ActorKind::ApiToken, name),
            });
        }
    }
    Err(AppError::Unauthenticated)
}

/// Integrator API tokens start with this prefix.
pub const API_TOKEN_PREFIX: &str = "wsk_";

/// Extracts the token from an `Authorization: Bearer ...` header value.
pub fn bearer_from_header(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}
