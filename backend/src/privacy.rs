//! The data rights the privacy policy promises (DESIGN.md section 2, item 13): export
//! everything ([`export`]), erase one customer ([`erase_customer`]), delete the
//! account ([`delete_account`]) and keep messages only for a while ([`retention`]).
//!
//! Who may do what:
//! - **Export**: the owner signed in to the dashboard, or an integrator API token of
//!   either scope (only the owner creates tokens, so a token acts with the owner's
//!   rights; reading is all an export does, so `READ` is enough). Staff are refused.
//! - **Erase a customer**, **delete the account**, **retention**: the owner signed in
//!   to the dashboard only (not staff, not API tokens: these destroy data).
//!
//! Erasing a customer removes, in one transaction: their contact row, chat (negotiation
//! context, product interest, hand-over reason, preview), messages (with their AI
//! traces and media references), follow-ups, deal approvals, statuses waiting for their
//! messages, queued jobs about them, raw webhook bodies that mention their phone number,
//! user id, username or name, blacklist entries for them and the activity entries about
//! their chat, contact and blacklist entries. Their orders stay for the books, with the
//! customer's name replaced, delivery details and notes cleared, and no link back. The
//! erasure itself is logged with counts only.

pub mod export;
pub mod retention;

use serde_json::json;
use shared::{ActivityKind, ContactId};

use crate::accounts;
use crate::activity::Entry;
use crate::app::App;
use crate::auth::{Caller, ClientInfo};
use crate::db::privacy as model;
use crate::error::{AppError, AppResult};
use crate::events::Revoked;

pub use crate::db::privacy::Erased;

/// What an erased customer's kept orders show instead of their name.
pub const ERASED_CUSTOMER: &str = "Erased customer";

/// Fewest and most days messages can be kept for.
pub const RETENTION_DAYS: std::ops::RangeInclusive<i32> = 1..=3650;

/// Whether `caller` may download the business's export (module docs).
pub fn check_can_export(caller: &Caller) -> AppResult<()> {
    if caller.api_token_id.is_some() {
        return Ok(());
    }
    caller.owner().map(|_| ())
}

/// Erases customer `contact_id` of the caller's business (module docs); another
/// business's contact is `NOT_FOUND`.
pub async fn erase_customer(
    app: &App,
    caller: &Caller,
    contact_id: ContactId,
) -> AppResult<Erased> {
    caller.owner()?;
    let mut conn = app.db().await?;
    let contact = model::contact_to_erase(&mut conn, caller.business_id.0, contact_id.0)
        .await?
        .ok_or(AppError::NotFound("record"))?;
    let erased =
        model::erase_contact(&mut conn, caller.business_id.0, &contact, ERASED_CUSTOMER).await?;
    tracing::info!(
        business_id = caller.business_id.0,
        messages = erased.messages,
        "a customer's data was erased"
    );
    let entry = Entry::new(
        ActivityKind::CustomerErased,
        None,
        format!(
            "A customer's data was erased on request ({} messages; {} orders kept without their details)",
            erased.messages, erased.orders_anonymised
        ),
    )
    .details(json!(erased));
    caller.record(&mut conn, &app.events, entry).await;
    Ok(erased)
}

/// Deletes the caller's business and everything of it, after checking the owner's
/// password (a wrong one counts against the account's password-guessing limit):
/// every session and API token ends at once, the WhatsApp number is released from the
/// operator's Meta app (as disconnecting does), then every row goes, and then the
/// business's open WebSockets are closed.
pub async fn delete_account(
    app: &App,
    caller: &Caller,
    password: &str,
    client: &ClientInfo,
) -> AppResult<()> {
    let user_id = caller.owner()?;
    let business_id = caller.business_id;
    accounts::check_password(app, business_id, user_id, password, "password", client).await?;
    let identity = crate::whatsapp::sending_identity(app, business_id)
        .await
        .ok();
    let mut conn = app.db().await?;
    model::close_access(&mut conn, business_id.0).await?;
    if let Some(identity) = identity {
        crate::whatsapp::release_number(app, &identity).await;
    }
    // The open dashboards are told only once the rows are gone, so a page that reacts
    // to its closed live connection never sees the business half deleted. The
    // tokens no longer authenticate anyway (closed above).
    let deleted = model::delete_business(&mut conn, business_id.0).await;
    accounts::announce_revoked(app, business_id, Revoked::Everything);
    deleted?;
    tracing::info!(business_id = business_id.0, "account deleted");
    Ok(())
}

/// The business's message retention in days (`None`: messages are kept).
pub async fn retention_days(app: &App, caller: &Caller) -> AppResult<Option<i32>> {
    let mut conn = app.db().await?;
    Ok(model::retention_days(&mut conn, caller.business_id.0).await?)
}

/// Sets how many days messages are kept (`None`: kept until deleted); owner only.
pub async fn set_retention_days(
    app: &App,
    caller: &Caller,
    days: Option<i32>,
) -> AppResult<Option<i32>> {
    caller.owner()?;
    if let Some(d) = days
        && !RETENTION_DAYS.contains(&d)
    {
        return Err(AppError::invalid(
            "messageRetentionDays",
            format!(
                "must be between {} and {} days, or empty to keep messages",
                RETENTION_DAYS.start(),
                RETENTION_DAYS.end()
            ),
        ));
    }
    let mut conn = app.db().await?;
    model::set_retention_days(&mut conn, caller.business_id.0, days).await?;
    let summary = match days {
        Some(d) => format!("Settings changed: messages are kept {d} days"),
        None => "Settings changed: messages are kept until deleted".to_string(),
    };
    caller
        .record_business_change(
            &mut conn,
            &app.events,
            ActivityKind::SettingsChanged,
            summary,
            json!({ "fields": ["messageRetentionDays"], "message_retention_days": days }),
        )
        .await;
    Ok(days)
}

/// The export's download path, relative to the server's public URL.
pub const EXPORT_PATH: &str = "/api/export";

/// The absolute download URL of the export.
pub fn export_url(app: &App) -> String {
    format!(
        "{}{EXPORT_PATH}",
        app.config.public_url.trim_end_matches('/')
    )
}
