//! What several schema parts share and no part owns: the `Money` type, dashboard users
//! (`me`, the staff list) and the caller's business's event stream that every
//! subscription filters. Parts import this module, never each other.

use async_graphql::futures_util::{Stream, StreamExt};
use async_graphql::{Enum, ID, SimpleObject};
use chrono::{DateTime, Utc};
use shared::{BusinessId, Currency};
use tokio_stream::wrappers::BroadcastStream;

use super::ids;
use crate::app::AppState;
use crate::db::tenants;
use crate::error::AppError;
use crate::events::EventKind;

/// A dashboard user's role.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::Role")]
pub enum Role {
    /// Created the business.
    Owner,
    /// Helps run it.
    Staff,
}

/// A dashboard user.
#[derive(SimpleObject)]
pub struct User {
    /// Opaque id.
    pub id: ID,
    /// Login email.
    pub email: String,
    /// Display name (staff give it when they join).
    pub name: Option<String>,
    /// Role in the business.
    pub role: Role,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

impl From<tenants::User> for User {
    fn from(u: tenants::User) -> Self {
        User {
            id: ids::encode(u.id),
            email: u.email,
            name: u.name,
            role: u.role.into(),
            created_at: u.created_at.and_utc(),
        }
    }
}

/// An amount of money in a currency's minor unit (cents, kobo): never a float.
#[derive(SimpleObject, Debug, PartialEq, Eq)]
pub struct Money {
    /// Amount in minor units.
    pub amount_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// Human-readable, e.g. `NGN 12,500.00`.
    pub formatted: String,
}

impl From<shared::Money> for Money {
    fn from(m: shared::Money) -> Self {
        Money {
            amount_minor: m.amount_minor,
            currency: m.currency.code().to_string(),
            formatted: m.to_string(),
        }
    }
}

/// An amount in a stored currency code. A code that is not a currency is an error,
/// never a guessed currency.
pub fn money(amount_minor: i64, currency: &str) -> Result<Money, AppError> {
    let currency = Currency::parse(currency).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "unknown currency {currency:?} in stored data"
        ))
    })?;
    Ok(shared::Money::new(amount_minor, currency).into())
}

/// The events of `business_id`, as they happen; a subscriber that falls behind skips
/// what it missed (logged).
pub fn business_events(
    app: &AppState,
    business_id: BusinessId,
) -> impl Stream<Item = EventKind> + use<> {
    BroadcastStream::new(app.events.subscribe()).filter_map(move |event| async move {
        match event {
            Ok(e) if e.business_id == business_id => Some(e.kind),
            Ok(_) => None,
            Err(lagged) => {
                tracing::warn!(error = %lagged, "a subscriber fell behind; events were skipped");
                None
            }
        }
    })
}

/// The records of `business_id` that the events `pick` selects, each loaded by `load`
/// (which scopes by business; `None` skips the event).
pub fn business_records<T, F, L>(
    app: &AppState,
    business_id: BusinessId,
    pick: fn(EventKind) -> Option<u64>,
    load: L,
) -> impl Stream<Item = T> + use<T, F, L>
where
    F: Future<Output = Option<T>> + Send,
    L: Fn(AppState, BusinessId, u64) -> F + Send,
{
    let app = app.clone();
    business_events(&app, business_id).filter_map(move |kind| {
        let load = pick(kind).map(|id| load(app.clone(), business_id, id));
        async move {
            match load {
                Some(load) => load.await,
                None => None,
            }
        }
    })
}

/// An uploaded file's name and bytes, at most `max_bytes + 1` of them (so a caller's
/// size check sees an oversized file as oversized); unreadable is an error on `field`.
pub fn read_upload(
    ctx: &async_graphql::Context<'_>,
    upload: async_graphql::Upload,
    max_bytes: usize,
    field: &'static str,
) -> Result<(String, Vec<u8>), AppError> {
    use std::io::Read;
    let unreadable = || AppError::invalid(field, "the upload could not be read");
    let value = upload.value(ctx).map_err(|_| unreadable())?;
    let filename = value.filename.clone();
    let mut data = Vec::new();
    value
        .into_read()
        .take(max_bytes as u64 + 1)
        .read_to_end(&mut data)
        .map_err(|_| unreadable())?;
    Ok((filename, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_formatted_by_shared_money_only() {
        let naira = Currency::parse("NGN").unwrap();
        let m = money(1_250_000, "ngn").unwrap();
        assert_eq!(m.currency, "NGN");
        assert_eq!(m.amount_minor, 1_250_000);
        assert_eq!(
            m.formatted,
            shared::Money::new(1_250_000, naira).to_string()
        );
        assert_eq!(m.formatted, "NGN 12,500.00");
    }

    #[test]
    fn an_unreadable_stored_currency_is_an_error_not_usd() {
        assert!(money(100, "").is_err());
        assert!(money(100, "dollars").is_err());
    }
}
