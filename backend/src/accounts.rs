//! Sign-up, log-in, log-out, sessions, passwords and business settings: the domain
//! behind the `business` and `sessions` parts of the API.

pub mod attempts;

use serde_json::json;
use shared::validation::validate_sign_up;
use shared::{ActivityKind, Currency, FieldErrors};

use self::attempts::AttemptKind;
use crate::activity::{self, Actor, Entry};
use crate::app::App;
use crate::auth::{Caller, ClientInfo, issue_token, session_expiry};
use crate::crypto::{hash_password, verify_password};
use crate::db::sessions;
use crate::db::tenants::{self, Business, BusinessChanges, NewBusiness, SignUpOutcome, User};
use crate::error::{AppError, AppResult};
use crate::events::{DomainEvent, EventKind, Revoked};

/// A signed-in session.
#[derive(Debug)]
pub struct Session {
    /// The bearer token for the dashboard.
    pub token: String,
    /// Who signed in.
    pub user: User,
    /// Their business.
    pub business: Business,
}

/// What sign-up asks for.
#[derive(Debug, Clone)]
pub struct SignUp {
    /// Business name.
    pub business_name: String,
    /// Business type.
    pub business_type: String,
    /// ISO country code.
    pub country: String,
    /// Default currency (optional; USD when absent).
    pub currency: Option<String>,
    /// IANA time zone (optional; UTC when absent). The dashboard sends the browser's.
    pub time_zone: Option<String>,
    /// Owner email.
    pub email: String,
    /// Owner password.
    pub password: String,
    /// The privacy policy and terms version they accepted ([`shared::legal::POLICY_VERSION`]).
    pub accepted_policy_version: String,
    /// Their confirmation that they may act for the business and are over 16.
    pub confirmed_authorised_and_over_16: bool,
}

/// How long the AI may stand back after the owner replied from the phone, in minutes
/// (a minute to a week).
pub const PHONE_REPLY_PAUSE_MINUTES: std::ops::RangeInclusive<i32> = 1..=10_080;

/// The canonical name of an IANA time zone, or an error on `timeZone` (and `UTC`, not
/// stored, as the value).
fn time_zone(errors: &mut FieldErrors, name: &str) -> &'static str {
    match crate::calendar::BusinessZone::parse(name) {
        Some(zone) => zone.name(),
        None => {
            errors.add(
                "timeZone",
                "must be a time zone of the tz database, e.g. Africa/Lagos or America/New_York",
            );
            crate::calendar::DEFAULT_TIME_ZONE
        }
    }
}

/// Creates a business and its owner, and opens a session. The owner must accept the
/// current privacy policy and terms and confirm they are authorised and over 16 (both
/// recorded on their user). At most `SIGN_UPS_PER_IP` sign-ups an hour come from one
/// address.
pub async fn sign_up(app: &App, input: SignUp, client: &ClientInfo) -> AppResult<Session> {
    let mut conn = app.db().await?;
    let attempt = attempts::begin_sign_up(app, &mut conn, client).await?;
    let result = create_owner(app, &mut conn, input, client).await;
    attempts::finish(&mut conn, attempt, result.is_ok()).await?;
    result
}

async fn create_owner(
    app: &App,
    conn: &mut diesel_async::AsyncMysqlConnection,
    input: SignUp,
    client: &ClientInfo,
) -> AppResult<Session> {
    let country = input.country.trim().to_ascii_uppercase();
    let email = input.email.trim().to_lowercase();
    let mut errors = validate_sign_up(
        &input.business_name,
        &input.business_type,
        &country,
        &email,
        &input.password,
    )
    .err()
    .unwrap_or_default();
    if input.accepted_policy_version.trim() != shared::legal::POLICY_VERSION {
        errors.add(
            "acceptedPolicyVersion",
            format!(
                "accept the current privacy policy and terms (version {})",
                shared::legal::POLICY_VERSION
            ),
        );
    }
    if !input.confirmed_authorised_and_over_16 {
        errors.add(
            "confirmedAuthorisedAndOver16",
            "confirm that you are authorised to act for the business and over 16",
        );
    }
    let currency = match input
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => "USD".to_string(),
        Some(c) => match Currency::parse(c) {
            Some(c) => c.code().to_string(),
            None => {
                errors.add("currency", "must be a three-letter currency code, e.g. NGN");
                String::new()
            }
        },
    };
    let time_zone = match input.time_zone.as_deref().filter(|z| !z.trim().is_empty()) {
        None => crate::calendar::DEFAULT_TIME_ZONE,
        Some(z) => time_zone(&mut errors, z),
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let password = input.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let outcome = tenants::create_business_with_owner(
        conn,
        NewBusiness {
            name: input.business_name.trim(),
            business_type: input.business_type.trim(),
            country: &country,
            currency: &currency,
            time_zone,
            email: &email,
            password_hash: &hash,
            accepted_policy_version: shared::legal::POLICY_VERSION,
        },
    )
    .await?;
    let (business_id, user_id) = match outcome {
        SignUpOutcome::Created(b, u) => (b, u),
        SignUpOutcome::EmailTaken => {
            return Err(AppError::invalid(
                "email",
                "an account with this email already exists; log in instead",
            ));
        }
    };
    tracing::info!(business_id, "business signed up");
    open_session(app, conn, business_id, user_id, client).await
}

/// Opens a session for a user who just proved who they are (sign-up, log-in, an
/// accepted staff invitation).
pub(crate) async fn open_session(
    app: &App,
    conn: &mut diesel_async::AsyncMysqlConnection,
    business_id: u64,
    user_id: u64,
    client: &ClientInfo,
) -> AppResult<Session> {
    let expires = session_expiry(app);
    let ip = client.ip.to_string();
    let origin = sessions::Origin {
        ip: Some(&ip),
        user_agent: client.user_agent.as_deref(),
    };
    let sid = sessions::create(conn, business_id, user_id, expires.naive_utc(), origin).await?;
    let token = issue_token(
        app,
        shared::UserId(user_id),
        shared::BusinessId(business_id),
        &sid,
        expires,
    )?;
    let user = tenants::find_user(conn, business_id, user_id).await?;
    let business = tenants::find_business(conn, business_id).await?;
    Ok(Session {
        token,
        user,
        business,
    })
}

/// Checks `password` against `hash` off the async threads; an unknown user (`None`)
/// is checked against a dummy hash, so timing does not reveal which emails exist.
async fn password_matches(password: &str, hash: Option<String>) -> AppResult<bool> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let hash = hash.unwrap_or_else(|| {
            DUMMY_HASH
                .get_or_init(|| hash_password("not-a-real-password").unwrap_or_default())
                .clone()
        });
        verify_password(&password, &hash)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

/// Checks email and password and opens a session. A wrong email and a wrong password
/// get the same answer. Wrong passwords are limited per account and per address
/// (see [`attempts`]): beyond the limit the answer is RATE_LIMITED and the password is
/// not even checked.
pub async fn log_in(
    app: &App,
    email: &str,
    password: &str,
    client: &ClientInfo,
) -> AppResult<Session> {
    let email = email.trim().to_lowercase();
    let mut conn = app.db().await?;
    let attempt =
        attempts::begin_password(app, &mut conn, AttemptKind::LogIn, &email, client).await?;
    let user = tenants::find_user_by_email(&mut conn, &email).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let ok = password_matches(password, hash).await? && user.is_some();
    attempts::finish(&mut conn, attempt, ok).await?;
    match user {
        Some(u) if ok => {
            let session = open_session(app, &mut conn, u.business_id.0, u.id.0, client).await?;
            activity::record_quietly(
                &mut conn,
                &app.events,
                u.business_id,
                &Actor::named(u.role.into(), &u.email),
                Entry::new(
                    ActivityKind::LoggedIn,
                    None,
                    format!("{} logged in", u.email),
                ),
            )
            .await;
            Ok(session)
        }
        _ => Err(AppError::invalid("password", "wrong email or password")),
    }
}

/// Tells every replica's open WebSockets that credentials of `business_id` ended.
pub fn announce_revoked(app: &App, business_id: shared::BusinessId, revoked: Revoked) {
    app.events.publish(DomainEvent {
        business_id,
        kind: EventKind::CredentialsRevoked(revoked),
    });
}

/// Ends the caller's session (its open WebSockets close too).
pub async fn log_out(app: &App, caller: &Caller) -> AppResult<bool> {
    let Some(sid) = caller.session_id.as_deref() else {
        return Ok(false);
    };
    let mut conn = app.db().await?;
    let ended = sessions::revoke(&mut conn, sid).await? > 0;
    announce_revoked(
        app,
        caller.business_id,
        Revoked::Sessions(vec![sid.to_string()]),
    );
    if ended {
        let who = caller.actor.name.as_deref().unwrap_or("someone");
        let entry = Entry::new(ActivityKind::LoggedOut, None, format!("{who} logged out"));
        caller.record(&mut conn, &app.events, entry).await;
    }
    Ok(ended)
}

/// The caller's open sessions, newest first.
pub async fn list_sessions(app: &App, caller: &Caller) -> AppResult<Vec<sessions::Session>> {
    let user = caller.user()?;
    let mut conn = app.db().await?;
    Ok(sessions::list_open(&mut conn, caller.business_id.0, user.0).await?)
}

/// Ends one of the caller's own sessions (the current one included); another user's or
/// another business's session is NOT_FOUND.
pub async fn revoke_session(app: &App, caller: &Caller, session_id: &str) -> AppResult<()> {
    let user = caller.user()?;
    let mut conn = app.db().await?;
    let ended =
        sessions::revoke_for_user(&mut conn, caller.business_id.0, user.0, session_id).await?;
    if ended == 0 {
        return Err(AppError::NotFound("session"));
    }
    announce_revoked(
        app,
        caller.business_id,
        Revoked::Sessions(vec![session_id.to_string()]),
    );
    let who = caller.actor.name.as_deref().unwrap_or("someone");
    let entry = Entry::new(
        ActivityKind::SessionsRevoked,
        None,
        format!("{who} ended a session"),
    );
    caller.record(&mut conn, &app.events, entry).await;
    Ok(())
}

/// Ends every session of the caller, the current one included; returns how many.
pub async fn log_out_everywhere(app: &App, caller: &Caller) -> AppResult<usize> {
    let user = caller.user()?;
    let mut conn = app.db().await?;
    let ended =
        sessions::revoke_all_for_user(&mut conn, caller.business_id.0, user.0, None).await?;
    let count = ended.len();
    announce_revoked(app, caller.business_id, Revoked::Sessions(ended));
    let who = caller.actor.name.as_deref().unwrap_or("someone");
    let entry = Entry::new(
        ActivityKind::SessionsRevoked,
        None,
        format!("{who} logged out everywhere ({count} sessions)"),
    )
    .details(json!({ "sessions": count }));
    caller.record(&mut conn, &app.events, entry).await;
    Ok(count)
}

/// Changes the caller's password after checking the current one (a wrong one counts
/// against the account's password-guessing limit), and ends their other sessions.
pub async fn change_password(
    app: &App,
    caller: &Caller,
    current: &str,
    new: &str,
    client: &ClientInfo,
) -> AppResult<()> {
    let user_id = caller.user()?;
    let mut errors = FieldErrors::default();
    shared::validation::check_password(&mut errors, "newPassword", new);
    if current == new {
        errors.add("newPassword", "must differ from the current password");
    }
    errors.into_result().map_err(AppError::Invalid)?;
    let mut conn = app.db().await?;
    let user = tenants::find_user(&mut conn, caller.business_id.0, user_id.0).await?;
    let attempt = attempts::begin_password(
        app,
        &mut conn,
        AttemptKind::PasswordCheck,
        &user.email,
        client,
    )
    .await?;
    let ok = password_matches(current, Some(user.password_hash.clone())).await?;
    attempts::finish(&mut conn, attempt, ok).await?;
    if !ok {
        return Err(AppError::invalid(
            "currentPassword",
            "the current password is wrong",
        ));
    }
    let new = new.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    tenants::set_password_hash(&mut conn, caller.business_id.0, user_id.0, &hash).await?;
    let ended = sessions::revoke_all_for_user(
        &mut conn,
        caller.business_id.0,
        user_id.0,
        caller.session_id.as_deref(),
    )
    .await?;
    let count = ended.len();
    announce_revoked(app, caller.business_id, Revoked::Sessions(ended));
    let entry = Entry::new(
        ActivityKind::PasswordChanged,
        None,
        format!(
            "{} changed their password; {count} other sessions ended",
            user.email
        ),
    )
    .details(json!({ "other_sessions_ended": count }));
    caller.record(&mut conn, &app.events, entry).await;
    Ok(())
}

/// Validates and applies profile changes as the caller wrote them (each `None` leaves
/// a setting as it is): text is trimmed, the country and currency upper-cased.
pub async fn update_business(
    app: &App,
    caller: &Caller,
    update: BusinessChanges,
) -> AppResult<Business> {
    let mut errors = FieldErrors::default();
    if let Some(name) = &update.name {
        shared::validation::check_length(&mut errors, "name", name, 1, 120);
    }
    if let Some(t) = &update.business_type {
        shared::validation::check_length(&mut errors, "businessType", t, 1, 80);
    }
    let country = update
        .country
        .as_deref()
        .map(|c| c.trim().to_ascii_uppercase());
    if let Some(c) = &country
        && !shared::validation::is_country_code(c)
    {
        errors.add(
            "country",
            "must be a two-letter country code, e.g. NG or US",
        );
    }
    let currency = match update.default_currency.as_deref() {
        None => None,
        Some(c) => match Currency::parse(c) {
            Some(c) => Some(c.code().to_string()),
            None => {
                errors.add("defaultCurrency", "must be a three-letter currency code");
                None
            }
        },
    };
    if let Some(i) = &update.ai_instructions
        && i.chars().count() > 4_000
    {
        errors.add("aiInstructions", "must be at most 4000 characters");
    }
    let zone = update
        .time_zone
        .as_deref()
        .map(|z| time_zone(&mut errors, z).to_string());
    if let Some(Some(minutes)) = update.phone_reply_pause_minutes
        && !PHONE_REPLY_PAUSE_MINUTES.contains(&minutes)
    {
        errors.add(
            "phoneReplyPauseMinutes",
            format!(
                "must be between {} and {} minutes, or empty to keep the AI off until you turn it back on",
                PHONE_REPLY_PAUSE_MINUTES.start(),
                PHONE_REPLY_PAUSE_MINUTES.end()
            ),
        );
    }
    errors.into_result().map_err(AppError::Invalid)?;
    // Which settings the caller touched (names only: values may be long or private).
    let touched: Vec<&str> = [
        ("name", update.name.is_some()),
        ("businessType", update.business_type.is_some()),
        ("country", country.is_some()),
        ("defaultCurrency", currency.is_some()),
        ("aiEnabled", update.ai_enabled.is_some()),
        ("aiInstructions", update.ai_instructions.is_some()),
        ("replyTone", update.reply_tone.is_some()),
        ("timeZone", zone.is_some()),
        (
            "phoneReplyPauseMinutes",
            update.phone_reply_pause_minutes.is_some(),
        ),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect();
    let ai_enabled = update.ai_enabled;
    let mut conn = app.db().await?;
    let business = tenants::update_business(
        &mut conn,
        caller.business_id.0,
        BusinessChanges {
            name: update.name.map(|s| s.trim().to_string()),
            business_type: update.business_type.map(|s| s.trim().to_string()),
            country,
            default_currency: currency,
            ai_enabled: update.ai_enabled,
            ai_instructions: update.ai_instructions.map(|s| s.trim().to_string()),
            reply_tone: update.reply_tone,
            time_zone: zone,
            phone_reply_pause_minutes: update.phone_reply_pause_minutes,
            updated_at: None,
        },
    )
    .await?;
    if !touched.is_empty() {
        let summary = match ai_enabled {
            Some(true) => "Settings changed: AI replies turned on".to_string(),
            Some(false) => "Settings changed: AI replies turned off".to_string(),
            None => format!("Settings changed: {}", touched.join(", ")),
        };
        let details = json!({ "fields": touched, "ai_enabled": ai_enabled });
        caller
            .record_business_change(
                &mut conn,
                &app.events,
                ActivityKind::SettingsChanged,
                summary,
                details,
            )
            .await;
    }
    Ok(business)
}

/// Checks the password of user `user_id` before a destructive action (deleting the
/// account): a wrong one counts against the account's password-guessing limit, like a
/// log-in, and is answered on `field`.
pub async fn check_password(
    app: &App,
    business_id: shared::BusinessId,
    user_id: shared::UserId,
    password: &str,
    field: &'static str,
    client: &ClientInfo,
) -> AppResult<()> {
    let mut conn = app.db().await?;
    let user = tenants::find_user(&mut conn, business_id.0, user_id.0).await?;
    let attempt = attempts::begin_password(
        app,
        &mut conn,
        AttemptKind::PasswordCheck,
        &user.email,
        client,
    )
    .await?;
    let ok = password_matches(password, Some(user.password_hash.clone())).await?;
    attempts::finish(&mut conn, attempt, ok).await?;
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(field, "the password is wrong"))
    }
}
