//! The public contact form: anyone may write (no account needed), a few times an hour
//! per address and within a size limit; the operator reads the messages with
//! `wasales contact-messages`.

use chrono::{Duration, Utc};
use shared::FieldErrors;
use shared::legal::CONTACT_MESSAGE_MAX_CHARS;

use crate::app::App;
use crate::auth::ClientInfo;
use crate::db::contact_messages::{self as model, ContactMessage};
use crate::error::{AppError, AppResult};

/// Messages one address may send per [`WINDOW_MINUTES`].
pub const MESSAGES_PER_IP: i64 = 5;
/// The window [`MESSAGES_PER_IP`] is counted in.
pub const WINDOW_MINUTES: i64 = 60;

/// What the form sends.
#[derive(Debug, Clone)]
pub struct ContactForm {
    /// Who writes.
    pub name: String,
    /// Where to answer.
    pub email: String,
    /// What they write.
    pub message: String,
}

/// Validates and stores a message from `client`: RATE_LIMITED beyond
/// [`MESSAGES_PER_IP`] an hour from one address, BAD_USER_INPUT naming each field
/// that is empty, too long or (the e-mail) not an address.
pub async fn submit(app: &App, form: ContactForm, client: &ClientInfo) -> AppResult<()> {
    let name = form.name.trim();
    let email = form.email.trim();
    let message = form.message.trim();
    let mut errors = FieldErrors::default();
    shared::validation::check_length(&mut errors, "name", name, 1, 120);
    if !shared::validation::is_plausible_email(email) {
        errors.add("email", "must be a valid email address");
    }
    shared::validation::check_length(
        &mut errors,
        "message",
        message,
        1,
        CONTACT_MESSAGE_MAX_CHARS,
    );
    errors.into_result().map_err(AppError::Invalid)?;
    let ip = client.ip.to_string();
    let mut conn = app.db().await?;
    if model::recent_from_ip(&mut conn, &ip, WINDOW_MINUTES).await? >= MESSAGES_PER_IP {
        return Err(AppError::RateLimited(
            "too many messages from your network; try again in an hour".into(),
        ));
    }
    model::insert(&mut conn, name, email, message, &ip).await?;
    tracing::info!("contact form message stored");
    Ok(())
}

/// The messages of the last `days` days, newest first (at most 1,000).
pub async fn recent(app: &App, days: i64) -> AppResult<Vec<ContactMessage>> {
    let mut conn = app.db().await?;
    let since = Utc::now().naive_utc() - Duration::days(days.max(1));
    Ok(model::since(&mut conn, since, 1_000).await?)
}
