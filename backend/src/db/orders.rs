//! Orders and their items. An order lowers stock in the same transaction, with a
//! conditional `UPDATE ... WHERE quantity >= n`: two concurrent orders cannot oversell.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Unsigned};
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};
use shared::{BusinessId, ChatId, ContactId, Currency, OrderSource, OrderStatus, ProductId};

use super::schema::{chats, order_items, orders, products};
use super::tenants::last_insert_id;

mod list;
mod notifications;

pub use list::{OrderFilter, count, list_page, spent_by_contacts, totals};
pub use notifications::{NotificationSettings, notification_settings, set_notification_settings};

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
            if let Some(refusal) = take_stock(conn, order.business_id, &order.items).await? {
                // Roll back: stock taken for earlier items is returned.
                refused = Some(refusal);
                return Err(diesel::result::Error::RollbackTransaction);
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
            insert_items(conn, id, &order.items).await?;
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

/// Takes each item's quantity from its product's stock with a conditional
/// `UPDATE ... WHERE quantity >= n` (never below zero, never oversold by a concurrent
/// order). The first item short of stock is the refusal; the caller rolls back.
async fn take_stock(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    items: &[NewItem],
) -> QueryResult<Option<OrderRefusal>> {
    for item in items {
        let n = diesel::update(
            products::table
                .filter(products::id.eq(item.product_id))
                .filter(products::business_id.eq(business_id))
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
                .filter(products::business_id.eq(business_id))
                .select(products::quantity)
                .first(conn)
                .await
                .optional()?;
            return Ok(Some(OrderRefusal::OutOfStock(
                item.name.clone(),
                left.unwrap_or(0),
            )));
        }
    }
    Ok(None)
}

/// Gives the stock of `items` back to their products (those that still exist in this
/// business): an increment in SQL, never a read-modify-write.
async fn return_stock(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    items: &[OrderItem],
) -> QueryResult<()> {
    for item in items {
        let Some(product_id) = item.product_id else {
            continue;
        };
        diesel::update(
            products::table
                .filter(products::id.eq(product_id))
                .filter(products::business_id.eq(business_id)),
        )
        .set((
            products::quantity.eq(products::quantity + item.quantity.max(0)),
            products::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)
        .await?;
    }
    Ok(())
}

async fn insert_items(
    conn: &mut AsyncMysqlConnection,
    order_id: u64,
    items: &[NewItem],
) -> QueryResult<()> {
    for item in items {
        diesel::insert_into(order_items::table)
            .values((
                order_items::order_id.eq(order_id),
                order_items::product_id.eq(Some(item.product_id)),
                order_items::name.eq(&item.name),
                order_items::color.eq(&item.color),
                order_items::unit_price_minor.eq(item.unit_price_minor),
                order_items::quantity.eq(item.quantity),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Locks one order of this business for the rest of the transaction.
async fn lock(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    id: u64,
) -> QueryResult<Option<Order>> {
    orders::table
        .filter(orders::id.eq(id))
        .filter(orders::business_id.eq(business_id))
        .select(Order::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Why an order could not be changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRefusal {
    /// No such order in this business.
    NotFound,
    /// The order's status does not allow the change (its current status).
    Status(OrderStatus),
    /// Not enough stock for the new items.
    Stock(OrderRefusal),
}

/// A stored status this build does not know (the column is written only by this code).
fn stored_status(o: &Order) -> QueryResult<OrderStatus> {
    OrderStatus::parse(&o.status).ok_or_else(|| {
        diesel::result::Error::DeserializationError(
            format!("unknown order status {:?} in the database", o.status).into(),
        )
    })
}

/// The outcome of a change run in a transaction: a refusal rolls it back.
fn settle<T>(
    result: QueryResult<T>,
    refused: Option<ChangeRefusal>,
) -> QueryResult<Result<T, ChangeRefusal>> {
    match (result, refused) {
        (Err(diesel::result::Error::RollbackTransaction), Some(refusal)) => Ok(Err(refusal)),
        (result, _) => result.map(Ok),
    }
}

/// Moves an order of this business to `to` when [`OrderStatus::can_move_to`] allows
/// it; a cancel gives its stock back in the same transaction. Returns the status it
/// left, the changed order and its items.
pub async fn move_to(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    id: u64,
    to: OrderStatus,
) -> QueryResult<Result<(OrderStatus, Order, Vec<OrderItem>), ChangeRefusal>> {
    let mut refused = None;
    let result = conn
        .transaction(async |conn| {
            let Some(current) = lock(conn, business_id, id).await? else {
                refused = Some(ChangeRefusal::NotFound);
                return Err(diesel::result::Error::RollbackTransaction);
            };
            let from = stored_status(&current)?;
            if !from.can_move_to(to) {
                refused = Some(ChangeRefusal::Status(from));
                return Err(diesel::result::Error::RollbackTransaction);
            }
            let now = Utc::now().naive_utc();
            diesel::update(orders::table.find(id))
                .set((
                    orders::status.eq(to),
                    orders::updated_at.eq(now),
                    orders::completed_at.eq((to == OrderStatus::Completed).then_some(now)),
                ))
                .execute(conn)
                .await?;
            let items = items_for(conn, &[id]).await?;
            if to == OrderStatus::Cancelled {
                return_stock(conn, business_id, &items).await?;
            }
            let changed = orders::table
                .find(id)
                .select(Order::as_select())
                .first(conn)
                .await?;
            Ok((from, changed, items))
        })
        .await;
    settle(result, refused)
}

/// What an edit of a pending order changes (`None`: left as it is).
#[derive(Debug, Clone, Default)]
pub struct OrderEdit {
    /// New items (checked by the caller), replacing the old ones.
    pub items: Option<Vec<NewItem>>,
    /// New delivery details.
    pub delivery_details: Option<String>,
    /// New notes (`Some(None)` clears them).
    pub notes: Option<Option<String>>,
}

/// Edits a pending order of this business. New items replace the old ones: the old
/// items' stock is given back and the new items' stock taken, in one transaction.
/// Returns the changed order and the items it had before.
pub async fn edit(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    id: u64,
    edit: &OrderEdit,
) -> QueryResult<Result<(Order, Vec<OrderItem>), ChangeRefusal>> {
    let mut refused = None;
    let result = conn
        .transaction(async |conn| {
            let Some(current) = lock(conn, business_id, id).await? else {
                refused = Some(ChangeRefusal::NotFound);
                return Err(diesel::result::Error::RollbackTransaction);
            };
            let status = stored_status(&current)?;
            if !status.is_editable() {
                refused = Some(ChangeRefusal::Status(status));
                return Err(diesel::result::Error::RollbackTransaction);
            }
            let old_items = items_for(conn, &[id]).await?;
            if let Some(items) = &edit.items {
                return_stock(conn, business_id, &old_items).await?;
                if let Some(refusal) = take_stock(conn, BusinessId(business_id), items).await? {
                    refused = Some(ChangeRefusal::Stock(refusal));
                    return Err(diesel::result::Error::RollbackTransaction);
                }
                diesel::delete(order_items::table.filter(order_items::order_id.eq(id)))
                    .execute(conn)
                    .await?;
                insert_items(conn, id, items).await?;
                let total: i64 = items
                    .iter()
                    .map(|i| i.unit_price_minor.saturating_mul(i.quantity))
                    .sum();
                diesel::update(orders::table.find(id))
                    .set(orders::total_minor.eq(total))
                    .execute(conn)
                    .await?;
            }
            if let Some(details) = &edit.delivery_details {
                diesel::update(orders::table.find(id))
                    .set(orders::delivery_details.eq(Some(details)))
                    .execute(conn)
                    .await?;
            }
            if let Some(notes) = &edit.notes {
                diesel::update(orders::table.find(id))
                    .set(orders::notes.eq(notes))
                    .execute(conn)
                    .await?;
            }
            diesel::update(orders::table.find(id))
                .set(orders::updated_at.eq(Utc::now().naive_utc()))
                .execute(conn)
                .await?;
            let changed = orders::table
                .find(id)
                .select(Order::as_select())
                .first(conn)
                .await?;
            Ok((changed, old_items))
        })
        .await;
    settle(result, refused)
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

/// A pending order of this chat with `product` among its items (the newest).
pub async fn pending_in_chat_with(
    conn: &mut AsyncMysqlConnection,
    chat_id: ChatId,
    product: ProductId,
) -> QueryResult<Option<u64>> {
    orders::table
        .inner_join(order_items::table)
        .filter(orders::chat_id.eq(chat_id))
        .filter(orders::status.eq(OrderStatus::Pending))
        .filter(order_items::product_id.eq(product))
        .order(orders::id.desc())
        .select(orders::id)
        .first(conn)
        .await
        .optional()
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

/// The chat of this business with a customer (one per contact), if they ever wrote.
pub async fn chat_of_contact(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    contact_id: u64,
) -> QueryResult<Option<u64>> {
    chats::table
        .filter(chats::business_id.eq(business_id))
        .filter(chats::contact_id.eq(contact_id))
        .order(chats::id)
        .select(chats::id)
        .first(conn)
        .await
        .optional()
}
