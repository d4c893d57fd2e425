//! The home page's aggregates: a handful of grouped queries over one business's last
//! 30 days (orders per day, source and currency; chats; top products; AI activity).
//! Instants are UTC; the business's local days arrive as UTC boundaries.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::QueryableByName;
use diesel::mysql::Mysql;
use diesel::sql_types::{BigInt, Datetime, Nullable, Text, Unsigned};
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use shared::BusinessId;

/// Orders of one day, source and currency (cancelled ones left out).
#[derive(Debug, Clone)]
pub struct OrderDay {
    /// The business's local day.
    pub day: chrono::NaiveDate,
    /// `chat` (the AI) or `manual` (staff).
    pub source: String,
    /// Currency code.
    pub currency: String,
    /// Orders.
    pub orders: i64,
    /// Their total, minor units.
    pub revenue_minor: i64,
}

#[derive(QueryableByName)]
struct OrderDayRow {
    #[diesel(sql_type = BigInt)]
    day_index: i64,
    #[diesel(sql_type = Text)]
    source: String,
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = BigInt)]
    orders: i64,
    #[diesel(sql_type = BigInt)]
    revenue_minor: i64,
}

/// Orders per local day, source and currency. `bounds` are the UTC instants at which
/// the days `first`, `first + 1`, ... begin, followed by the end of the last day (see
/// [`crate::calendar::BusinessZone::day_bounds`]); one grouped query whatever the zone.
pub async fn order_days(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    first: NaiveDate,
    bounds: &[NaiveDateTime],
) -> diesel::QueryResult<Vec<OrderDay>> {
    let (Some(start), Some(end)) = (bounds.first(), bounds.last()) else {
        return Ok(Vec::new());
    };
    let inner = &bounds[1..];
    let mut case = String::from("CASE");
    for i in 0..inner.len() {
        case.push_str(&format!(" WHEN created_at < ? THEN {i}"));
    }
    case.push_str(" END");
    let mut query = diesel::sql_query(format!(
        "SELECT CAST(day_index AS SIGNED) AS day_index, source, CAST(currency AS CHAR) AS currency, \
                COUNT(*) AS orders, CAST(COALESCE(SUM(total_minor), 0) AS SIGNED) AS revenue_minor \
         FROM (SELECT {case} AS day_index, source, currency, total_minor FROM orders \
               WHERE business_id = ? AND created_at >= ? AND created_at < ? AND status <> 'cancelled') AS o \
         GROUP BY day_index, source, currency"
    ))
    .into_boxed::<Mysql>();
    for bound in inner {
        query = query.bind::<Datetime, _>(*bound);
    }
    let rows: Vec<OrderDayRow> = query
        .bind::<Unsigned<BigInt>, _>(business_id.0)
        .bind::<Datetime, _>(*start)
        .bind::<Datetime, _>(*end)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| OrderDay {
            day: first + chrono::Duration::days(r.day_index),
            source: r.source,
            currency: r.currency,
            orders: r.orders,
            revenue_minor: r.revenue_minor,
        })
        .collect())
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(
    conn: &mut AsyncMysqlConnection,
    sql: &'static str,
    business_id: BusinessId,
    since: Option<NaiveDateTime>,
) -> diesel::QueryResult<i64> {
    let q = diesel::sql_query(sql).bind::<Unsigned<BigInt>, _>(business_id.0);
    let rows: Vec<Count> = match since {
        Some(since) => q.bind::<Datetime, _>(since).load(conn).await?,
        None => q.load(conn).await?,
    };
    Ok(rows.as_slice().first().map_or(0, |c| c.n))
}

/// Chats whose customer wrote since `since` (conversations in a period).
pub async fn chats_active_since(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    since: NaiveDateTime,
) -> diesel::QueryResult<i64> {
    count(
        conn,
        "SELECT COUNT(*) AS n FROM chats WHERE business_id = ? AND last_inbound_at >= ?",
        business_id,
        Some(since),
    )
    .await
}

/// Chats that placed an order (not cancelled) since `since`.
pub async fn chats_ordered_since(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    since: NaiveDateTime,
) -> diesel::QueryResult<i64> {
    count(
        conn,
        "SELECT COUNT(DISTINCT chat_id) AS n FROM orders \
         WHERE business_id = ? AND created_at >= ? AND chat_id IS NOT NULL AND status <> 'cancelled'",
        business_id,
        Some(since),
    )
    .await
}

/// Chats whose window is open (the customer wrote in the last 24 hours) since `since`,
/// and of those, the ones whose last message is the customer's (unanswered).
pub async fn open_and_unanswered(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    since: NaiveDateTime,
) -> diesel::QueryResult<(i64, i64)> {
    let open = chats_active_since(conn, business_id, since).await?;
    let unanswered = count(
        conn,
        "SELECT COUNT(*) AS n FROM chats WHERE business_id = ? AND last_inbound_at >= ? \
         AND last_inbound_at >= last_message_at",
        business_id,
        Some(since),
    )
    .await?;
    Ok((open, unanswered))
}

/// A product's sales.
#[derive(Debug, Clone, QueryableByName)]
pub struct ProductSales {
    /// The product, when it still exists.
    #[diesel(sql_type = Nullable<Unsigned<BigInt>>)]
    pub product_id: Option<u64>,
    /// Its name when ordered.
    #[diesel(sql_type = Text)]
    pub name: String,
    /// Currency.
    #[diesel(sql_type = Text)]
    pub currency: String,
    /// Units sold.
    #[diesel(sql_type = BigInt)]
    pub units: i64,
    /// Revenue, minor units.
    #[diesel(sql_type = BigInt)]
    pub revenue_minor: i64,
}

/// The best sellers by units since `since` (cancelled orders left out).
pub async fn top_products(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    since: NaiveDateTime,
    limit: i64,
) -> diesel::QueryResult<Vec<ProductSales>> {
    diesel::sql_query(
        "SELECT i.product_id, MAX(i.name) AS name, CAST(o.currency AS CHAR) AS currency, \
                CAST(SUM(i.quantity) AS SIGNED) AS units, \
                CAST(SUM(i.quantity * i.unit_price_minor) AS SIGNED) AS revenue_minor \
         FROM orders o JOIN order_items i ON i.order_id = o.id \
         WHERE o.business_id = ? AND o.created_at >= ? AND o.status <> 'cancelled' \
         GROUP BY i.product_id, o.currency ORDER BY units DESC, revenue_minor DESC LIMIT ?",
    )
    .bind::<Unsigned<BigInt>, _>(business_id.0)
    .bind::<Datetime, _>(since)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// Activity entries of one kind since `since`.
pub async fn activity_count(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    kind: shared::ActivityKind,
    since: NaiveDateTime,
) -> diesel::QueryResult<i64> {
    let rows: Vec<Count> = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM activity_events WHERE business_id = ? AND kind = ? AND created_at >= ?",
    )
    .bind::<Unsigned<BigInt>, _>(business_id.0)
    .bind::<Text, _>(kind.as_str())
    .bind::<Datetime, _>(since)
    .load(conn)
    .await?;
    Ok(rows.as_slice().first().map_or(0, |c| c.n))
}

/// One line of a chat order, with the product's list price and floor today and the
/// chat's negotiation (for the negotiation analytics).
#[derive(Debug, Clone, QueryableByName)]
pub struct NegotiatedLine {
    /// The chat.
    #[diesel(sql_type = Nullable<Unsigned<BigInt>>)]
    pub chat_id: Option<u64>,
    /// The product.
    #[diesel(sql_type = Nullable<Unsigned<BigInt>>)]
    pub product_id: Option<u64>,
    /// Currency.
    #[diesel(sql_type = Text)]
    pub currency: String,
    /// Agreed unit price.
    #[diesel(sql_type = BigInt)]
    pub unit_price_minor: i64,
    /// Units.
    #[diesel(sql_type = BigInt)]
    pub quantity: i64,
    /// The product's list price.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub price_minor: Option<i64>,
    /// The product's floor.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub floor_minor: Option<i64>,
    /// The chat's negotiation state (JSON).
    #[diesel(sql_type = Nullable<Text>)]
    pub negotiation: Option<String>,
}

/// Lines of orders placed from chats since `since`.
pub async fn negotiated_lines(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    since: NaiveDateTime,
) -> diesel::QueryResult<Vec<NegotiatedLine>> {
    diesel::sql_query(
        "SELECT o.chat_id, i.product_id, CAST(o.currency AS CHAR) AS currency, i.unit_price_minor, i.quantity, \
                p.price_minor, p.bargain_floor_minor AS floor_minor, c.negotiation \
         FROM orders o JOIN order_items i ON i.order_id = o.id \
         LEFT JOIN products p ON p.id = i.product_id AND p.business_id = o.business_id \
         LEFT JOIN chats c ON c.id = o.chat_id AND c.business_id = o.business_id \
         WHERE o.business_id = ? AND o.created_at >= ? AND o.status <> 'cancelled' AND o.source = 'chat' \
         LIMIT 5000",
    )
    .bind::<Unsigned<BigInt>, _>(business_id.0)
    .bind::<Datetime, _>(since)
    .load(conn)
    .await
}

/// A chat's negotiation, for chats active since `since` that placed no order then.
#[derive(Debug, Clone, QueryableByName)]
pub struct OpenNegotiation {
    /// The negotiation state (JSON).
    #[diesel(sql_type = Text)]
    pub negotiation: String,
}

/// Negotiations of chats active since `since` without an order since then (at most
/// 5000, newest first).
pub async fn negotiations_without_order(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    since: NaiveDateTime,
) -> diesel::QueryResult<Vec<OpenNegotiation>> {
    diesel::sql_query(
        "SELECT c.negotiation FROM chats c \
         WHERE c.business_id = ? AND c.last_inbound_at >= ? AND c.negotiation IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.chat_id = c.id AND o.status <> 'cancelled' AND o.created_at >= ?) \
         ORDER BY c.last_inbound_at DESC LIMIT 5000",
    )
    .bind::<Unsigned<BigInt>, _>(business_id.0)
    .bind::<Datetime, _>(since)
    .bind::<Datetime, _>(since)
    .load(conn)
    .await
}

/// A product's floor, by id (for the negotiations without order).
#[derive(Debug, Clone, QueryableByName)]
pub struct Floor {
    /// Product id.
    #[diesel(sql_type = Unsigned<BigInt>)]
    pub id: u64,
    /// Its floor.
    #[diesel(sql_type = BigInt)]
    pub floor_minor: i64,
}

/// Every product's floor in the business.
pub async fn floors(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
) -> diesel::QueryResult<Vec<Floor>> {
    diesel::sql_query(
        "SELECT id, bargain_floor_minor AS floor_minor FROM products WHERE business_id = ?",
    )
    .bind::<Unsigned<BigInt>, _>(business_id.0)
    .load(conn)
    .await
}
