//! Listing and summing orders: the filtered order list (status, source, dates,
//! customer, search words), its count and totals per currency, and what each customer
//! spent.

use chrono::NaiveDateTime;
use diesel::mysql::Mysql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use shared::{ContactId, OrderSource, OrderStatus};

use super::Order;
use crate::db::schema::{contacts, order_items, orders};

/// Which orders to list (all given conditions hold).
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// Only these statuses (all when empty).
    pub statuses: Vec<OrderStatus>,
    /// Only from this source.
    pub source: Option<OrderSource>,
    /// Created at or after.
    pub since: Option<NaiveDateTime>,
    /// Created before.
    pub until: Option<NaiveDateTime>,
    /// Only this customer's.
    pub contact_id: Option<ContactId>,
    /// Words in the customer's name, phone or username, or in a product name.
    pub search: Option<String>,
}

/// A `LIKE` pattern matching `text` anywhere, its wildcards escaped.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The orders of `business_id` that `filter` selects.
fn filtered<'a>(business_id: u64, filter: &OrderFilter) -> orders::BoxedQuery<'a, Mysql> {
    let mut q = orders::table
        .filter(orders::business_id.eq(business_id))
        .into_boxed();
    if !filter.statuses.is_empty() {
        q = q.filter(orders::status.eq_any(filter.statuses.clone()));
    }
    if let Some(source) = filter.source {
        q = q.filter(orders::source.eq(source));
    }
    if let Some(since) = filter.since {
        q = q.filter(orders::created_at.ge(since));
    }
    if let Some(until) = filter.until {
        q = q.filter(orders::created_at.lt(until));
    }
    if let Some(contact) = filter.contact_id {
        q = q.filter(orders::contact_id.eq(contact));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let pattern = contains_pattern(search);
        let customers = contacts::table
            .filter(contacts::business_id.eq(business_id))
            .filter(
                contacts::profile_name
                    .like(pattern.clone())
                    .or(contacts::wa_id.like(pattern.clone()))
                    .or(contacts::username.like(pattern.clone())),
            )
            .select(contacts::id.nullable());
        let with_product = order_items::table
            .filter(order_items::name.like(pattern.clone()))
            .select(order_items::order_id);
        q = q.filter(
            orders::customer_name
                .like(pattern)
                .or(orders::contact_id.eq_any(customers))
                .or(orders::id.eq_any(with_product)),
        );
    }
    q
}

/// A page of the filtered orders, newest first: up to `limit` with ids below
/// `before_id`.
pub async fn list_page(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    filter: &OrderFilter,
    before_id: Option<u64>,
    limit: i64,
) -> QueryResult<Vec<Order>> {
    let mut q = filtered(business_id, filter);
    if let Some(b) = before_id {
        q = q.filter(orders::id.lt(b));
    }
    q.order(orders::id.desc())
        .limit(limit)
        .select(Order::as_select())
        .load(conn)
        .await
}

/// Counts the filtered orders.
pub async fn count(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    filter: &OrderFilter,
) -> QueryResult<i64> {
    filtered(business_id, filter).count().get_result(conn).await
}

/// The filtered orders' count and total per currency, largest total first (a
/// business usually sells in one currency: one query for the currencies, one each).
pub async fn totals(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    filter: &OrderFilter,
) -> QueryResult<Vec<(String, i64, i64)>> {
    let currencies: Vec<String> = filtered(business_id, filter)
        .select(orders::currency)
        .distinct()
        .load(conn)
        .await?;
    let mut rows = Vec::with_capacity(currencies.len());
    for currency in currencies {
        let (count, sum): (i64, i64) = filtered(business_id, filter)
            .filter(orders::currency.eq(&currency))
            .select((
                diesel::dsl::count_star(),
                diesel::dsl::sql::<BigInt>("CAST(COALESCE(SUM(total_minor), 0) AS SIGNED)"),
            ))
            .first(conn)
            .await?;
        rows.push((currency, count, sum));
    }
    rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    Ok(rows)
}

/// Per customer and currency: how many orders they placed and what they spent
/// (cancelled orders aside), for these contacts (callers pass contacts already scoped
/// to one business).
pub async fn spent_by_contacts(
    conn: &mut AsyncMysqlConnection,
    contact_ids: &[u64],
) -> QueryResult<Vec<(u64, String, i64, i64)>> {
    if contact_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Option<u64>, String, i64, i64)> = orders::table
        .filter(orders::contact_id.eq_any(contact_ids))
        .filter(orders::status.ne(OrderStatus::Cancelled))
        .group_by((orders::contact_id, orders::currency))
        .select((
            orders::contact_id,
            orders::currency,
            diesel::dsl::sql::<BigInt>("COUNT(*)"),
            diesel::dsl::sql::<BigInt>("CAST(COALESCE(SUM(total_minor), 0) AS SIGNED)"),
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(c, currency, n, sum)| c.map(|c| (c, currency, n, sum)))
        .collect())
}
