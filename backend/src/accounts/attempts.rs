//! Password-guessing limits, enforced inside log-in, sign-up and password change
//! themselves and counted in the database (`auth_attempts`), so they hold for any mix
//! of requests, aliases and replicas.
//!
//! An attempt is written as pending before its password is checked and the recent
//! attempts are counted after, itself included: of any number of concurrent guesses
//! at most the limit get their password checked. A refused attempt is deleted again,
//! so hammering a locked account does not keep it locked longer.

use diesel_async::AsyncMysqlConnection;

use crate::app::App;
use crate::auth::ClientInfo;
use crate::config::AuthLimits;
use crate::crypto::sha256_hex;
use crate::db::auth_attempts as model;
use crate::error::{AppError, AppResult};

/// What is being attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptKind {
    /// `logIn`.
    LogIn,
    /// `changePassword` (its current password).
    PasswordCheck,
    /// `signUp`.
    SignUp,
}

impl AttemptKind {
    fn as_str(self) -> &'static str {
        match self {
            AttemptKind::LogIn => "log_in",
            AttemptKind::PasswordCheck => "password_check",
            AttemptKind::SignUp => "sign_up",
        }
    }
}

/// An attempt in progress: finish it with its outcome.
#[derive(Debug)]
#[must_use = "an unfinished attempt counts as a wrong guess"]
pub struct Attempt(u64);

/// How long attempts are kept (longer than any window they are counted in).
const KEEP_MINUTES: i64 = 24 * 60;

/// The account key of an e-mail: its SHA-256, so the table holds no addresses.
fn account_key(email: &str) -> String {
    sha256_hex(email.trim().to_lowercase().as_bytes())
}

/// Starts a password attempt on the account of `email` from `client`; RATE_LIMITED
/// when the account or the address has had too many wrong passwords lately.
pub async fn begin_password(
    app: &App,
    conn: &mut AsyncMysqlConnection,
    kind: AttemptKind,
    email: &str,
    client: &ClientInfo,
) -> AppResult<Attempt> {
    let limits = app.config.auth_limits;
    let window = AuthLimits::FAILURE_WINDOW_MINUTES;
    let account = account_key(email);
    let ip = client.ip.to_string();
    let id = model::begin(conn, kind.as_str(), Some(&account), &ip).await?;
    if id % 256 == 0 {
        model::purge_older_than(conn, KEEP_MINUTES).await?;
    }
    let on_account = model::guesses_for_account(conn, &account, window).await?;
    let from_ip = model::guesses_from_ip(conn, &ip, window).await?;
    if on_account > i64::from(limits.failures_per_account) {
        model::forget(conn, id).await?;
        tracing::warn!("password attempts on one account over the limit; refused");
        return Err(AppError::RateLimited(format!(
            "too many wrong passwords for this account; try again in {window} minutes"
        )));
    }
    if from_ip > i64::from(limits.failures_per_ip) {
        model::forget(conn, id).await?;
        tracing::warn!(%ip, "password attempts from one address over the limit; refused");
        return Err(AppError::RateLimited(format!(
            "too many wrong passwords from your network; try again in {window} minutes"
        )));
    }
    Ok(Attempt(id))
}

/// Starts a sign-up from `client`; RATE_LIMITED when the address signed up too often.
pub async fn begin_sign_up(
    app: &App,
    conn: &mut AsyncMysqlConnection,
    client: &ClientInfo,
) -> AppResult<Attempt> {
    let window = AuthLimits::SIGN_UP_WINDOW_MINUTES;
    let ip = client.ip.to_string();
    let kind = AttemptKind::SignUp.as_str();
    let id = model::begin(conn, kind, None, &ip).await?;
    let recent = model::attempts_from_ip(conn, kind, &ip, window).await?;
    if recent > i64::from(app.config.auth_limits.sign_ups_per_ip) {
        model::forget(conn, id).await?;
        return Err(AppError::RateLimited(
            "too many sign-ups from your network; try again later".into(),
        ));
    }
    Ok(Attempt(id))
}

/// Records how an attempt ended: a right password no longer counts as a guess.
pub async fn finish(
    conn: &mut AsyncMysqlConnection,
    attempt: Attempt,
    succeeded: bool,
) -> AppResult<()> {
    let outcome = if succeeded {
        model::SUCCEEDED
    } else {
        model::FAILED
    };
    model::finish(conn, attempt.0, outcome).await?;
    Ok(())
}
