//! Orders and their items. An order lowers stock in the same transaction, with a
//! conditional `UPDATE ... WHERE quantity >= n`: two concurrent orders cannot oversell.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Unsigned};
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};
use shared::{BusinessId, ChatId, ContactId, Currency, OrderSource, OrderStatus, ProductId};

use super::schema::{order_items, orders, products};
use super::tenants::last_insert_id;

/// An order row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = orders, check_for_backend(diesel::mysql::Mysql))]
pub struct Order {
    /// Id.
    pub id: u64,
    /// Tenant.
    pub business_id: u64,
    /// The chat it was recorded from.
    pub chat_id: Option<u64>,
    /// The customer.
    pub contact_id: Option<u64>,
    /// `shared::OrderStatus` text.
    pub status: String,
    /// `shared::OrderSource` text.
    pub source: String,
    /// ISO 4217.
    pub currency: String,
    /// Sum of the items, minor units.
    pub total_minor: i64,
    /// Name given for the delivery.
    pub customer_name: Option<String>,
    /// Address and delivery instructions.
    pub delivery_details: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// When completed.
    pub completed_at: Option<NaiveDateTime>,
}

/// An item row (a snapshot: later catalog changes do not alter it).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_items, check_for_backend(diesel::mysql::Mysql))]
pub struct OrderItem {
    /// Id.
    pub id: u64,
    /// Order.
    pub order_id: u64,
    /// Product, when it still exists.
    pub product_id: Option<u64>,
    /// Product name at order time.
    pub name: String,
    /// Chosen color.
    pub color: Option<String>,
    /// Agreed unit price, minor units.
    pub unit_price_minor: i64,
    /// Units.
    pub quantity: i64,
}

/// An item to record (already checked by the caller against the rules of
/// [`crate::orders`]).
#[derive(Debug, Clone)]
pub struct NewItem {
    /// Product.
    pub product_id: ProductId,
    /// Name snapshot.
    pub name: String,
    /// Color.
    pub color: Option<String>,
    /// Unit price, minor units.
    pub unit_price_minor: i64,
    /// Units.
    pub quantity: i64,
}

/// An order to record.
#[derive(Debug, Clone)]
pub struct NewOrder {
    /// Tenant.
    pub business_id: BusinessId,
    /// Chat.
    pub chat_id: Option<ChatId>,
    /// Customer.
    pub contact_id: Option<ContactId>,
    /// How it came to be.
    pub source: OrderSource,
    /// Currency of every item.
    pub currency: Currency,
    /// Name for the delivery.
    pub customer_name: Option<String>,
    /// Delivery details.
    pub delivery_details: String,
    /// Notes.
    pub notes: Option<String>,
    /// Items.
    pub items: Vec<NewItem>,
}

impl NewOrder {
    /// Sum of the items, minor units.
    pub fn total_minor(&self) -> i64 {
        self.items
            .iter()
            .map(|i| i.unit_price_minor.saturating_mul(i.quantity))
            .sum()
    }
}

/// Why an order was not recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderRefusal {
    /// Not enough stock of this product (name, units left).
    OutOfStock(String, i64),
}

/// Records an order and lowers stock, all or nothing.
pub async fn create(
    conn: &mut AsyncMysqlConnection,
    order: &NewOrder,
) -> QueryResult<Result<Order, OrderRefusal>> {
    let mut refused: Option<OrderRefusal> = None;
    let result = conn
        .transaction(async |conn| {
            for item in &order.items {
                let n = diesel::update(
                    products::table
                        .filter(products::id.eq(item.product_id))
                        .filter(products::business_id.eq(order.business_id))
                        .filter(products::quantity.ge(item.quantity)),
                )
                .set((
                    products::quantity.eq(products::quantity - item.quantity),
                    products::updated_at.eq(Utc::now().naive_utc()),
                ))
                .execute(conn)
                .await?;
                if n == 0 {
                    let left: Option<i64> = products::table
                        .filter(products::id.eq(item.product_id))
                        .select(products::quantity)
                        .first(conn)
                        .await
                        .optional()?;
                    // Roll back: stock taken for earlier items is returned.
                    refused = Some(OrderRefusal::OutOfStock(
                        item.name.clone(),
                        left.unwrap_or(0),
                    ));
                    return Err(diesel::result::Error::RollbackTransaction);
                }
            }
            let total = order.total_minor();
            diesel::insert_into(orders::table)
                .values((
                    orders::business_id.eq(order.business_id),
                    orders::chat_id.eq(order.chat_id),
                    orders::contact_id.eq(order.contact_id),
                    orders::status.eq(OrderStatus::Pending),
                    orders::source.eq(order.source),
                    orders::currency.eq(&order.currency),
                    orders::total_minor.eq(total),
                    orders::customer_name.eq(&order.customer_name),
                    orders::delivery_details.eq(Some(&order.delivery_details)),
                    orders::notes.eq(&order.notes),
                ))
                .execute(conn)
                .await?;
            let id: u64 = diesel::select(last_insert_id()).get_result(conn).await?;
            for item in &order.items {
                diesel::insert_into(order_items::table)
                    .values((
                        order_items::order_id.eq(id),
                        order_items::product_id.eq(Some(item.product_id)),
                        order_items::name.eq(&item.name),
                        order_items::color.eq(&item.color),
                        order_items::unit_price_minor.eq(item.unit_price_minor),
                        order_items::quantity.eq(item.quantity),
                    ))
                    .execute(conn)
                    .await?;
            }
            let created = orders::table
                .find(id)
                .select(Order::as_select())
                .first(conn)
                .await?;
            Ok::<_, diesel::result::Error>(created)
        })
        .await;
    match (result, refused) {
        (Err(diesel::result::Error::RollbackTransaction), Some(refusal)) => Ok(Err(refusal)),
        (result, _) => result.map(Ok),
    }
}

/// One order of this business.
pub async fn find(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    id: u64,
) -> QueryResult<Option<Order>> {
    orders::table
        .filter(orders::id.eq(id))
        .filter(orders::business_id.eq(business_id))
        .select(Order::as_select())
        .first(conn)
        .await
        .optional()
}

/// Newest first, ids below `before_id`.
pub async fn list_page(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    status: Option<&str>,
    before_id: Option<u64>,
    limit: i64,
) -> QueryResult<Vec<Order>> {
    let mut q = orders::table
        .filter(orders::business_id.eq(business_id))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(orders::status.eq(s.to_string()));
    }
    if let Some(b) = before_id {
        q = q.filter(orders::id.lt(b));
    }
    q.order(orders::id.desc())
        .limit(limit)
        .select(Order::as_select())
        .load(conn)
        .await
}

/// Counts this business's orders.
pub async fn count(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    status: Option<&str>,
) -> QueryResult<i64> {
    let mut q = orders::table
        .filter(orders::business_id.eq(business_id))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(orders::status.eq(s.to_string()));
    }
    q.count().get_result(conn).await
}

/// The newest `per_chat` orders recorded from each of these chats, newest first
/// (callers pass chats already scoped to one business). Bounded in SQL, so a list of
/// chats never loads a busy customer's whole order history.
pub async fn for_chats(
    conn: &mut AsyncMysqlConnection,
    chat_ids: &[u64],
    per_chat: usize,
) -> QueryResult<Vec<Order>> {
    #[derive(QueryableByName)]
    struct Recent {
        #[diesel(sql_type = Unsigned<BigInt>)]
        id: u64,
    }
    if chat_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY chat_id ORDER BY id DESC) AS n \
         FROM orders WHERE chat_id IN ({})) recent WHERE n <= ?",
        vec!["?"; chat_ids.len()].join(", ")
    );
    let mut query = diesel::sql_query(sql).into_boxed::<diesel::mysql::Mysql>();
    for id in chat_ids {
        query = query.bind::<Unsigned<BigInt>, _>(*id);
    }
    let recent: Vec<Recent> = query
        .bind::<BigInt, _>(i64::try_from(per_chat).unwrap_or(i64::MAX))
        .load(conn)
        .await?;
    orders::table
        .filter(orders::id.eq_any(recent.iter().map(|r| r.id)))
        .order(orders::id.desc())
        .select(Order::as_select())
        .load(conn)
        .await
}

/// Items of many orders.
pub async fn items_for(
    conn: &mut AsyncMysqlConnection,
    order_ids: &[u64],
) -> QueryResult<Vec<OrderItem>> {
    order_items::table
        .filter(order_items::order_id.eq_any(order_ids))
        .order((order_items::order_id, order_items::id))
        .select(OrderItem::as_select())
        .load(conn)
        .await
}
