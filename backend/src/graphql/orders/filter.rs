//! Which orders a list shows: the filter the order list and its totals share, checked
//! and turned into the model's filter.

use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};
use shared::ContactId;

use super::{OrderSource, OrderStatus};
use crate::db::orders as model;
use crate::error::AppError;
use crate::graphql::ids;

/// Longest order search text.
pub const MAX_SEARCH_CHARS: usize = 100;
/// Most statuses one filter may name.
const MAX_FILTER_STATUSES: usize = 4;

/// Which orders to list (all given conditions hold).
#[derive(InputObject, Default)]
pub struct OrderFilterInput {
    /// Only these statuses (all when omitted or empty).
    pub statuses: Option<Vec<OrderStatus>>,
    /// Only from this source.
    pub source: Option<OrderSource>,
    /// Created at or after.
    pub since: Option<DateTime<Utc>>,
    /// Created before.
    pub until: Option<DateTime<Utc>>,
    /// Only this customer's (a contact id).
    pub contact_id: Option<ID>,
    /// Words in the customer's name, phone number or username, or a product name (at
    /// most 100 characters).
    pub search: Option<String>,
}

impl OrderFilterInput {
    pub(super) fn into_model(self) -> Result<model::OrderFilter, AppError> {
        let statuses = self.statuses.unwrap_or_default();
        if statuses.len() > MAX_FILTER_STATUSES {
            return Err(AppError::invalid(
                "statuses",
                format!("at most {MAX_FILTER_STATUSES} statuses"),
            ));
        }
        if let (Some(since), Some(until)) = (self.since, self.until)
            && since >= until
        {
            return Err(AppError::invalid("until", "must be after `since`"));
        }
        let search = self
            .search
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        if search
            .as_ref()
            .is_some_and(|s| s.chars().count() > MAX_SEARCH_CHARS)
        {
            return Err(AppError::invalid(
                "search",
                format!("at most {MAX_SEARCH_CHARS} characters"),
            ));
        }
        Ok(model::OrderFilter {
            statuses: statuses.into_iter().map(Into::into).collect(),
            source: self.source.map(Into::into),
            since: self.since.map(|t| t.naive_utc()),
            until: self.until.map(|t| t.naive_utc()),
            contact_id: self
                .contact_id
                .as_ref()
                .map(ids::decode::<ContactId>)
                .transpose()?,
            search,
        })
    }
}
