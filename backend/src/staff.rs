//! Staff: the owner invites people by e-mail (a one-time link whose secret is shown
//! once and stored only as its SHA-256, valid for [`INVITE_DAYS`] days), lists and
//! removes them; an invited person accepts with their name and a password and is
//! signed in as staff of the owner's business. Removing a staff member deletes their
//! account and ends their sessions at once (open WebSockets close).
//!
//! Managing staff is the owner's alone (signed in to the dashboard); accepting is
//! public, with the invitation's secret as the credential, limited per address like
//! sign-up.

use chrono::{Duration, Utc};
use serde_json::json;
use shared::{ActivityKind, ActorKind, FieldErrors};

use crate::accounts::{self, Session, announce_revoked, attempts};
use crate::activity::{self, Actor, Entry};
use crate::app::App;
use crate::auth::{Caller, ClientInfo};
use crate::crypto::{hash_password, random_hex};
use crate::db::staff::{self as model, Accepted, Invite};
use crate::db::tenants::{self, User};
use crate::error::{AppError, AppResult};
use crate::events::Revoked;

/// How long an invitation can be accepted.
pub const INVITE_DAYS: i64 = 7;

/// Most invitations a business may have pending at once.
pub const MAX_PENDING_INVITES: usize = 20;

/// Most users (owner and staff) a business may have.
pub const MAX_USERS: usize = 50;

/// The path of the dashboard page that accepts an invitation; the secret follows in
/// the URL's fragment, which browsers never send to servers or in `Referer`.
pub const ACCEPT_PATH: &str = "/accept-invite";

/// An invitation just created: its secret and link, shown this once, and its record.
#[derive(Debug)]
pub struct CreatedInvite {
    /// The one-time secret.
    pub secret: String,
    /// The link to send to the invited person: `{PUBLIC_URL}/accept-invite#{secret}`.
    pub link: String,
    /// What is stored.
    pub invite: Invite,
}

/// Invites `email` to the caller's business as staff (owner only). Inviting an e-mail
/// again replaces its earlier pending invitation.
pub async fn invite(app: &App, caller: &Caller, email: &str) -> AppResult<CreatedInvite> {
    caller.owner()?;
    let email = email.trim().to_lowercase();
    if !shared::validation::is_plausible_email(&email) {
        return Err(AppError::invalid("email", "must be a valid email address"));
    }
    let mut conn = app.db().await?;
    if tenants::find_user_by_email(&mut conn, &email)
        .await?
        .is_some()
    {
        return Err(AppError::invalid(
            "email",
            "this email already has an account; staff need an email of their own",
        ));
    }
    let pending = model::list_pending(&mut conn, caller.business_id.0).await?;
    if pending.len() >= MAX_PENDING_INVITES && !pending.iter().any(|i| i.email == email) {
        return Err(AppError::invalid(
            "email",
            format!("at most {MAX_PENDING_INVITES} pending invitations; revoke one first"),
        ));
    }
    if model::list_users(&mut conn, caller.business_id.0)
        .await?
        .len()
        >= MAX_USERS
    {
        return Err(AppError::invalid(
            "email",
            format!("a business has at most {MAX_USERS} users"),
        ));
    }
    let secret = random_hex(32);
    let expires = (Utc::now() + Duration::days(INVITE_DAYS)).naive_utc();
    let invite =
        model::create_invite(&mut conn, caller.business_id.0, &email, &secret, expires).await?;
    caller
        .record_business_change(
            &mut conn,
            &app.events,
            ActivityKind::StaffInvited,
            format!("{email} invited as staff"),
            json!({ "invite_id": invite.id.0 }),
        )
        .await;
    let link = format!(
        "{}{ACCEPT_PATH}#{secret}",
        app.config.public_url.trim_end_matches('/')
    );
    Ok(CreatedInvite {
        secret,
        link,
        invite,
    })
}

/// The invitations that can still be accepted, newest first (owner only).
pub async fn pending_invites(app: &App, caller: &Caller) -> AppResult<Vec<Invite>> {
    caller.owner()?;
    let mut conn = app.db().await?;
    Ok(model::list_pending(&mut conn, caller.business_id.0).await?)
}

/// Revokes a pending invitation (owner only); another business's is NOT_FOUND.
pub async fn revoke_invite(app: &App, caller: &Caller, id: u64) -> AppResult<Invite> {
    caller.owner()?;
    let mut conn = app.db().await?;
    model::revoke_invite(&mut conn, caller.business_id.0, id)
        .await?
        .ok_or(AppError::NotFound("invitation"))
}

/// The business's users: the owner first, then staff (owner only).
pub async fn members(app: &App, caller: &Caller) -> AppResult<Vec<User>> {
    caller.owner()?;
    let mut conn = app.db().await?;
    Ok(model::list_users(&mut conn, caller.business_id.0).await?)
}

/// Removes a staff member (owner only): their account goes and their sessions end at
/// once, open WebSockets included. Another business's user, or the owner, is
/// NOT_FOUND.
pub async fn remove(app: &App, caller: &Caller, user_id: u64) -> AppResult<User> {
    caller.owner()?;
    let mut conn = app.db().await?;
    let (user, sessions) = model::remove_staff(&mut conn, caller.business_id.0, user_id)
        .await?
        .ok_or(AppError::NotFound("staff member"))?;
    announce_revoked(app, caller.business_id, Revoked::Sessions(sessions));
    caller
        .record_business_change(
            &mut conn,
            &app.events,
            ActivityKind::StaffRemoved,
            format!("{} removed from staff", user.email),
            json!({ "user_id": user.id.0 }),
        )
        .await;
    Ok(user)
}

/// What accepting an invitation asks for.
#[derive(Debug, Clone)]
pub struct Acceptance {
    /// The secret from the invitation link.
    pub token: String,
    /// The staff member's name (1 to 120 characters).
    pub name: String,
    /// Their password.
    pub password: String,
}

/// Accepts an invitation: creates the staff user with the invited e-mail and signs
/// them in. A wrong, used, revoked or expired secret is BAD_USER_INPUT on `token`; the
/// attempts count against the per-address sign-up limit.
pub async fn accept(app: &App, input: Acceptance, client: &ClientInfo) -> AppResult<Session> {
    let name = input.name.trim().to_string();
    let mut errors = FieldErrors::default();
    shared::validation::check_length(&mut errors, "name", &name, 1, 120);
    shared::validation::check_password(&mut errors, "password", &input.password);
    if input.token.trim().is_empty() {
        errors.add("token", "is required");
    }
    errors.into_result().map_err(AppError::Invalid)?;
    let mut conn = app.db().await?;
    let attempt = attempts::begin_sign_up(app, &mut conn, client).await?;
    let result = join(app, &mut conn, input, &name, client).await;
    attempts::finish(&mut conn, attempt, result.is_ok()).await?;
    result
}

async fn join(
    app: &App,
    conn: &mut diesel_async::AsyncMysqlConnection,
    input: Acceptance,
    name: &str,
    client: &ClientInfo,
) -> AppResult<Session> {
    let password = input.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let (invite, user_id) = match model::accept_invite(conn, input.token.trim(), name, &hash)
        .await?
    {
        Accepted::Joined(invite, user_id) => (invite, user_id),
        Accepted::NoInvite => {
            return Err(AppError::invalid(
                "token",
                "this invitation is not valid: it was used, revoked or has expired; ask for a new one",
            ));
        }
        Accepted::EmailTaken => {
            return Err(AppError::invalid(
                "token",
                "an account with the invited email exists already; log in instead",
            ));
        }
    };
    tracing::info!(
        business_id = invite.business_id.0,
        user_id,
        "staff member joined"
    );
    activity::record_quietly(
        conn,
        &app.events,
        invite.business_id,
        &Actor::named(ActorKind::Staff, &invite.email),
        Entry::new(
            ActivityKind::StaffJoined,
            None,
            format!("{} joined as staff", invite.email),
        )
        .details(json!({ "user_id": user_id })),
    )
    .await;
    accounts::open_session(app, conn, invite.business_id.0, user_id, client).await
}
