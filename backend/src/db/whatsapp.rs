//! WhatsApp number connections (`whatsapp_connections`). A business has at most one
//! `connected` number; older rows stay as `disconnected` records.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};
use shared::{BusinessId, ConnectionId, ConnectionStatus};

use super::schema::whatsapp_connections as wc;
use super::sessions;

/// A connection row, without the encrypted token (read only where a call needs it).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = wc, check_for_backend(diesel::mysql::Mysql))]
pub struct WhatsAppConnection {
    /// Id.
    pub id: ConnectionId,
    /// Tenant.
    pub business_id: BusinessId,
    /// Meta's phone number id (routes webhooks and sends).
    pub phone_number_id: String,
    /// WhatsApp Business Account id.
    pub waba_id: String,
    /// The number as shown to people.
    pub display_phone_number: String,
    /// The name Meta verified, when known.
    pub verified_name: Option<String>,
    /// Masked token, safe to show (`••••abcd`).
    pub access_token_hint: String,
    /// Connected or disconnected.
    pub status: ConnectionStatus,
    /// When it was (last) connected.
    pub connected_at: chrono::NaiveDateTime,
    /// When it was disconnected, if it is.
    pub disconnected_at: Option<chrono::NaiveDateTime>,
    /// Last webhook delivery for this number.
    pub last_webhook_at: Option<chrono::NaiveDateTime>,
    /// Last webhook processing error.
    pub last_webhook_error: Option<String>,
    /// How it was connected: `embedded_signup` (Meta login) or `token` (pasted).
    pub onboarding: String,
    /// The seller keeps the WhatsApp Business app on the number (coexistence).
    pub coexistence: bool,
    /// Why Meta disconnected it, when Meta did (`account_update`).
    pub disconnect_reason: Option<String>,
    /// How far the import of the WhatsApp Business app's past chats is (0 to 100).
    pub history_progress: Option<u8>,
}

/// [`WhatsAppConnection::onboarding`] of a number connected through Meta login.
pub const ONBOARDING_EMBEDDED_SIGNUP: &str = "embedded_signup";
/// [`WhatsAppConnection::onboarding`] of a number connected with a pasted token.
pub const ONBOARDING_TOKEN: &str = "token";

/// What connecting stores.
#[derive(Debug, Clone)]
pub struct NewConnection<'a> {
    /// Meta's phone number id.
    pub phone_number_id: &'a str,
    /// WABA id.
    pub waba_id: &'a str,
    /// Display number.
    pub display_phone_number: &'a str,
    /// Verified name from Meta.
    pub verified_name: Option<&'a str>,
    /// `nonce || ciphertext` of the access token (`crate::crypto::encrypt`).
    pub access_token_enc: &'a [u8],
    /// Masked token.
    pub access_token_hint: &'a str,
    /// [`ONBOARDING_EMBEDDED_SIGNUP`] or [`ONBOARDING_TOKEN`].
    pub onboarding: &'a str,
    /// Coexistence with the WhatsApp Business app.
    pub coexistence: bool,
    /// The sealed two-step verification pin we registered the number with, if we did.
    pub registration_pin_enc: Option<&'a [u8]>,
}

/// Outcome of [`connect`].
#[derive(Debug)]
pub enum ConnectOutcome {
    /// Stored and connected.
    Connected(WhatsAppConnection),
    /// The number belongs to another business (who is never revealed).
    NumberTaken,
}

/// The business's connected number, else its most recent one; `None` if never connected.
pub async fn current(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
) -> QueryResult<Option<WhatsAppConnection>> {
    if let Some(c) = connected(conn, business_id).await? {
        return Ok(Some(c.0));
    }
    wc::table
        .filter(wc::business_id.eq(business_id))
        .order(wc::id.desc())
        .select(WhatsAppConnection::as_select())
        .first(conn)
        .await
        .optional()
}

/// The business's connected number with its encrypted token.
pub async fn connected(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
) -> QueryResult<Option<(WhatsAppConnection, Vec<u8>)>> {
    wc::table
        .filter(wc::business_id.eq(business_id))
        .filter(wc::status.eq(ConnectionStatus::Connected))
        .order(wc::id.desc())
        .select((WhatsAppConnection::as_select(), wc::access_token_enc))
        .first(conn)
        .await
        .optional()
}

/// Connects a number to a business: reconnecting the same number updates its row;
/// connecting a new one disconnects the business's previous number. A number that
/// belongs to another business is refused.
pub async fn connect(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    new: &NewConnection<'_>,
) -> QueryResult<ConnectOutcome> {
    let now = Utc::now().naive_utc();
    let outcome = conn
        .transaction(async |conn| {
            let existing: Option<(u64, u64)> = wc::table
                .filter(wc::phone_number_id.eq(new.phone_number_id))
                .select((wc::id, wc::business_id))
                .for_update()
                .first(conn)
                .await
                .optional()?;
            if existing.is_some_and(|(_, owner)| owner != business_id) {
                return Ok(None);
            }
            diesel::update(
                wc::table
                    .filter(wc::business_id.eq(business_id))
                    .filter(wc::status.eq(ConnectionStatus::Connected))
                    .filter(wc::phone_number_id.ne(new.phone_number_id)),
            )
            .set((
                wc::status.eq(ConnectionStatus::Disconnected),
                wc::disconnected_at.eq(now),
            ))
            .execute(conn)
            .await?;
            let id = match existing {
                Some((id, _)) => {
                    diesel::update(wc::table.find(id))
                        .set((
                            wc::waba_id.eq(new.waba_id),
                            wc::display_phone_number.eq(new.display_phone_number),
                            wc::verified_name.eq(new.verified_name),
                            wc::access_token_enc.eq(new.access_token_enc),
                            wc::access_token_hint.eq(new.access_token_hint),
                            wc::onboarding.eq(new.onboarding),
                            wc::coexistence.eq(new.coexistence),
                            wc::registration_pin_enc.eq(new.registration_pin_enc),
                            wc::status.eq(ConnectionStatus::Connected),
                            wc::connected_at.eq(now),
                            wc::disconnected_at.eq(None::<chrono::NaiveDateTime>),
                            wc::disconnect_reason.eq(None::<String>),
                        ))
                        .execute(conn)
                        .await?;
                    id
                }
                None => {
                    diesel::insert_into(wc::table)
                        .values((
                            wc::business_id.eq(business_id),
                            wc::phone_number_id.eq(new.phone_number_id),
                            wc::waba_id.eq(new.waba_id),
                            wc::display_phone_number.eq(new.display_phone_number),
                            wc::verified_name.eq(new.verified_name),
                            wc::access_token_enc.eq(new.access_token_enc),
                            wc::access_token_hint.eq(new.access_token_hint),
                            wc::onboarding.eq(new.onboarding),
                            wc::coexistence.eq(new.coexistence),
                            wc::registration_pin_enc.eq(new.registration_pin_enc),
                            wc::status.eq(ConnectionStatus::Connected),
                            wc::connected_at.eq(now),
                        ))
                        .execute(conn)
                        .await?;
                    diesel::select(super::tenants::last_insert_id())
                        .get_result(conn)
                        .await?
                }
            };
            wc::table
                .find(id)
                .select(WhatsAppConnection::as_select())
                .first(conn)
                .await
                .map(Some)
        })
        .await;
    match outcome {
        Ok(Some(c)) => Ok(ConnectOutcome::Connected(c)),
        Ok(None) => Ok(ConnectOutcome::NumberTaken),
        // Two businesses racing for the same new number: the loser sees it taken.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(ConnectOutcome::NumberTaken),
        Err(e) => Err(e),
    }
}

/// Disconnects the business's number and ends every dashboard session of the business,
/// in one transaction. Records (the row, chats, messages) are kept. `None` when the
/// business has no connected number.
pub async fn disconnect(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
) -> QueryResult<Option<WhatsAppConnection>> {
    let now = Utc::now().naive_utc();
    conn.transaction(async |conn| {
        let Some((current, _)) = connected(conn, business_id).await? else {
            return Ok(None);
        };
        diesel::update(wc::table.find(current.id))
            .set((
                wc::status.eq(ConnectionStatus::Disconnected),
                wc::disconnected_at.eq(now),
            ))
            .execute(conn)
            .await?;
        sessions::revoke_all_for_business(conn, business_id).await?;
        wc::table
            .find(current.id)
            .select(WhatsAppConnection::as_select())
            .first(conn)
            .await
            .map(Some)
    })
    .await
}

/// Disconnects every connected number of WABA `waba_id` because Meta said so
/// (`account_update`), recording `reason`, and ends the dashboard sessions of their
/// businesses, in one transaction. Returns the numbers it disconnected.
pub async fn disconnect_waba(
    conn: &mut AsyncMysqlConnection,
    waba_id: &str,
    reason: &str,
) -> QueryResult<Vec<WhatsAppConnection>> {
    let now = Utc::now().naive_utc();
    conn.transaction(async |conn| {
        let ids: Vec<ConnectionId> = wc::table
            .filter(wc::waba_id.eq(waba_id))
            .filter(wc::status.eq(ConnectionStatus::Connected))
            .select(wc::id)
            .for_update()
            .load(conn)
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(wc::table.filter(wc::id.eq_any(&ids)))
            .set((
                wc::status.eq(ConnectionStatus::Disconnected),
                wc::disconnected_at.eq(now),
                wc::disconnect_reason.eq(reason),
            ))
            .execute(conn)
            .await?;
        let gone: Vec<WhatsAppConnection> = wc::table
            .filter(wc::id.eq_any(&ids))
            .select(WhatsAppConnection::as_select())
            .load(conn)
            .await?;
        for c in &gone {
            sessions::revoke_all_for_business(conn, c.business_id.0).await?;
        }
        Ok(gone)
    })
    .await
}

/// Whether number `phone_number_id` belongs to a business other than `business_id`.
pub async fn number_owned_by_other(
    conn: &mut AsyncMysqlConnection,
    phone_number_id: &str,
    business_id: u64,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        wc::table
            .filter(wc::phone_number_id.eq(phone_number_id))
            .filter(wc::business_id.ne(business_id)),
    ))
    .get_result(conn)
    .await
}

/// Whether a business other than `business_id` has a connected number in WABA
/// `waba_id` (then the operator's subscription to it must stay).
pub async fn waba_used_by_other(
    conn: &mut AsyncMysqlConnection,
    waba_id: &str,
    business_id: u64,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        wc::table
            .filter(wc::waba_id.eq(waba_id))
            .filter(wc::business_id.ne(business_id))
            .filter(wc::status.eq(ConnectionStatus::Connected)),
    ))
    .get_result(conn)
    .await
}
