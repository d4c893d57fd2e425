//! Orders (read-only): the order list, one order, a chat's recent orders
//! (`Chat.orders`) and live order changes. Orders are recorded by the AI salesperson
//! from chats, or by hand.

use async_graphql::connection::Connection;
use async_graphql::dataloader::DataLoader;
use async_graphql::futures_util::Stream;
use async_graphql::{Context, Enum, ID, Object, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use shared::{BusinessId, ChatId, OrderId, ProductId};

use super::common::{Money, business_records, money};
use super::loaders::ChatOrdersLoader;
use super::paging::{Direction, Page, id_cursor};
use super::{Authenticated, ContextExt, ids};
use crate::app::AppState;
use crate::db::orders as model;
use crate::error::AppError;
use crate::events::EventKind;

/// Where an order is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::OrderStatus")]
pub enum OrderStatus {
    /// Recorded, not yet confirmed.
    Pending,
    /// Confirmed.
    Confirmed,
    /// Delivered and paid.
    Completed,
    /// Called off.
    Cancelled,
}

/// How an order came to be.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::OrderSource")]
pub enum OrderSource {
    /// From a WhatsApp chat (the AI salesperson).
    Chat,
    /// Entered by hand.
    Manual,
}

/// One line of an order (a snapshot taken when ordered).
#[derive(SimpleObject)]
pub struct OrderItem {
    /// The product, when it still exists.
    pub product_id: Option<ID>,
    /// Product name when ordered.
    pub name: String,
    /// Chosen color.
    pub color: Option<String>,
    /// Agreed unit price.
    pub unit_price: Money,
    /// Units.
    pub quantity: i64,
}

/// An order.
#[derive(SimpleObject)]
pub struct Order {
    /// Opaque id.
    pub id: ID,
    /// Order number shown to customers (`#12`).
    pub number: String,
    /// The chat it came from.
    pub chat_id: Option<ID>,
    /// Status.
    pub status: OrderStatus,
    /// Source.
    pub source: OrderSource,
    /// Total.
    pub total: Money,
    /// Name for the delivery.
    pub customer_name: Option<String>,
    /// Delivery details.
    pub delivery_details: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Lines.
    pub items: Vec<OrderItem>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Completed.
    pub completed_at: Option<DateTime<Utc>>,
}

fn order(o: model::Order, items: Vec<model::OrderItem>) -> Result<Order, AppError> {
    let items = items
        .into_iter()
        .map(|i| {
            Ok(OrderItem {
                product_id: i.product_id.map(|p| ids::encode(ProductId(p))),
                name: i.name,
                color: i.color,
                unit_price: money(i.unit_price_minor, &o.currency)?,
                quantity: i.quantity,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(Order {
        id: ids::encode(OrderId(o.id)),
        number: format!("#{}", o.id),
        chat_id: o.chat_id.map(|c| ids::encode(ChatId(c))),
        status: shared::OrderStatus::parse(&o.status)
            .unwrap_or(shared::OrderStatus::Pending)
            .into(),
        source: shared::OrderSource::parse(&o.source)
            .unwrap_or(shared::OrderSource::Manual)
            .into(),
        total: money(o.total_minor, &o.currency)?,
        customer_name: o.customer_name,
        delivery_details: o.delivery_details,
        notes: o.notes,
        items,
        created_at: o.created_at.and_utc(),
        completed_at: o.completed_at.map(|t| t.and_utc()),
    })
}

/// The recent orders of a chat already scoped to the caller's business, newest first
/// (`Chat.orders`, batched by [`ChatOrdersLoader`]).
pub async fn chat_orders(ctx: &Context<'_>, chat_id: ChatId) -> async_graphql::Result<Vec<Order>> {
    let loader = ctx.data_unchecked::<DataLoader<ChatOrdersLoader>>();
    Ok(loader
        .load_one(chat_id.0)
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(|(o, items)| order(o, items))
        .collect::<Result<_, AppError>>()?)
}

/// Extra fields on the order list.
#[derive(SimpleObject)]
pub struct OrderConnectionFields {
    /// Orders matching the filter (all pages).
    pub total_count: i64,
}

/// Order queries.
#[derive(Default)]
pub struct OrderQuery;

#[Object]
impl OrderQuery {
    /// Orders, newest first (recorded from chats by the AI, or by hand).
    #[graphql(guard = "Authenticated")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<OrderStatus>,
    ) -> async_graphql::Result<Connection<String, Order, OrderConnectionFields>> {
        let caller = ctx.caller()?;
        let page = Page::new(
            Direction::Forward,
            first,
            after.as_deref(),
            id_cursor::<OrderId>,
        )?;
        let status = status.map(|s| shared::OrderStatus::from(s).as_str());
        let mut conn = ctx.app().db().await?;
        let business = caller.business_id.0;
        let total = model::count(&mut conn, business, status)
            .await
            .map_err(AppError::from)?;
        let rows = model::list_page(
            &mut conn,
            business,
            status,
            page.cursor.map(|c| c.0),
            page.fetch_limit(),
        )
        .await
        .map_err(AppError::from)?;
        let order_ids: Vec<u64> = page.shown(&rows).iter().map(|o| o.id).collect();
        let mut items = model::items_for(&mut conn, &order_ids)
            .await
            .map_err(AppError::from)?;
        Ok(
            page.connection(rows, OrderConnectionFields { total_count: total }, |o| {
                let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut items)
                    .into_iter()
                    .partition(|i| i.order_id == o.id);
                items = rest;
                Ok((ids::encode(OrderId(o.id)).0, order(o, mine)?))
            })?,
        )
    }

    /// One order. Another business's order is `NOT_FOUND`.
    #[graphql(guard = "Authenticated")]
    async fn order(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Order> {
        let caller = ctx.caller()?;
        let id = ids::decode::<OrderId>(&id)?;
        Ok(load_order(ctx.app(), caller.business_id, id)
            .await?
            .ok_or(AppError::NotFound("order"))?)
    }
}

/// Live order updates over WebSocket (`/graphql/ws`): each subscriber receives only its
/// own business's orders.
#[derive(Default)]
pub struct OrderSubscription;

#[Subscription]
impl OrderSubscription {
    /// An order was recorded (by the AI from a chat, or by hand) or changed.
    #[graphql(guard = "Authenticated")]
    async fn order_changed(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = Order> + use<>> {
        let business_id = ctx.caller()?.business_id;
        Ok(business_records(
            ctx.app(),
            business_id,
            |kind| match kind {
                EventKind::OrderChanged { order_id } => Some(order_id),
                _ => None,
            },
            |app, business_id, order_id| async move {
                load_order(&app, business_id, OrderId(order_id))
                    .await
                    .ok()
                    .flatten()
            },
        ))
    }
}

/// One order of `business_id` with its lines; `None` when it is not theirs.
async fn load_order(
    app: &AppState,
    business_id: BusinessId,
    id: OrderId,
) -> Result<Option<Order>, AppError> {
    let mut conn = app.db().await?;
    let Some(o) = model::find(&mut conn, business_id.0, id.0).await? else {
        return Ok(None);
    };
    let items = model::items_for(&mut conn, &[o.id]).await?;
    Ok(Some(order(o, items)?))
}
