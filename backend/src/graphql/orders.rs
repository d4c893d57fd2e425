//! Orders: the order list (filters, totals), one order, a chat's recent orders
//! (`Chat.orders`), live order changes, and the back office's mutations (create by
//! hand, edit while pending, confirm, complete, cancel). Orders are recorded by the AI
//! salesperson from chats, or by hand. Resolvers parse and call [`crate::orders`].

use async_graphql::connection::Connection;
use async_graphql::dataloader::DataLoader;
use async_graphql::futures_util::Stream;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use shared::{BusinessId, ChatId, ContactId, OrderId, ProductId};

mod filter;
mod inputs;

use super::common::{Money, business_records, money};
use super::loaders::ChatOrdersLoader;
use super::paging::{Direction, Page, id_cursor};
use super::{Authenticated, ContextExt, OwnerAuthority, ids};
use crate::app::AppState;
use crate::db::orders as model;
use crate::error::AppError;
use crate::events::EventKind;
use crate::orders::{self as domain, CustomerChoice, ManualOrder, OrderChanges};
pub use filter::{MAX_SEARCH_CHARS, OrderFilterInput};
use inputs::item_requests;
pub use inputs::{
    CreateOrderInput, NewCustomerInput, OrderCustomerInput, OrderItemInput, UpdateOrderInput,
};

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
    /// The customer (a contact).
    pub contact_id: Option<ID>,
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
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Completed.
    pub completed_at: Option<DateTime<Utc>>,
}

/// A stored value this build does not know: a load error, never a guessed value.
fn stored(column: &str, value: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!(
        "unknown order {column} {value:?} in stored data"
    ))
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
        contact_id: o.contact_id.map(|c| ids::encode(ContactId(c))),
        status: shared::OrderStatus::parse(&o.status)
            .ok_or_else(|| stored("status", &o.status))?
            .into(),
        source: shared::OrderSource::parse(&o.source)
            .ok_or_else(|| stored("source", &o.source))?
            .into(),
        total: money(o.total_minor, &o.currency)?,
        customer_name: o.customer_name,
        delivery_details: o.delivery_details,
        notes: o.notes,
        items,
        created_at: o.created_at.and_utc(),
        updated_at: o.updated_at.and_utc(),
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

/// The totals of a filtered order list in one currency.
#[derive(SimpleObject)]
pub struct CurrencyTotal {
    /// Orders in this currency.
    pub count: i64,
    /// Their total.
    pub total: Money,
}

/// Totals of a filtered order list.
#[derive(SimpleObject)]
pub struct OrderTotals {
    /// Orders matching the filter.
    pub count: i64,
    /// Sum per currency, largest first.
    pub by_currency: Vec<CurrencyTotal>,
}

/// Order queries.
#[derive(Default)]
pub struct OrderQuery;

#[Object]
impl OrderQuery {
    /// Orders, newest first (recorded from chats by the AI, or by hand). `status` is
    /// kept for older clients; `filter.statuses` names several.
    #[graphql(guard = "Authenticated")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<OrderStatus>,
        filter: Option<OrderFilterInput>,
    ) -> async_graphql::Result<Connection<String, Order, OrderConnectionFields>> {
        let caller = ctx.caller()?;
        let page = Page::new(
            Direction::Forward,
            first,
            after.as_deref(),
            id_cursor::<OrderId>,
        )?;
        let mut filter = filter.unwrap_or_default().into_model()?;
        filter
            .statuses
            .extend(status.map(shared::OrderStatus::from));
        let mut conn = ctx.app().db().await?;
        let business = caller.business_id.0;
        let total = model::count(&mut conn, business, &filter)
            .await
            .map_err(AppError::from)?;
        let rows = model::list_page(
            &mut conn,
            business,
            &filter,
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

    /// Count and money of the orders a filter selects (the same filter as `orders`).
    #[graphql(guard = "Authenticated")]
    async fn order_totals(
        &self,
        ctx: &Context<'_>,
        filter: Option<OrderFilterInput>,
    ) -> async_graphql::Result<OrderTotals> {
        let caller = ctx.caller()?;
        let filter = filter.unwrap_or_default().into_model()?;
        let mut conn = ctx.app().db().await?;
        let rows = model::totals(&mut conn, caller.business_id.0, &filter)
            .await
            .map_err(AppError::from)?;
        let by_currency = rows
            .into_iter()
            .map(|(currency, count, sum)| {
                Ok(CurrencyTotal {
                    count,
                    total: money(sum, &currency)?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(OrderTotals {
            count: by_currency.iter().map(|c| c.count).sum(),
            by_currency,
        })
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

/// Whether and how customers are told on WhatsApp that their order moved.
#[derive(SimpleObject)]
pub struct OrderNotificationSettings {
    /// Customers get a WhatsApp message when their order is confirmed or completed.
    pub enabled: bool,
    /// The approved template sent outside the 24-hour window (body `{{1}}` the order
    /// number, `{{2}}` the new status); without one, nothing is sent then and the
    /// reason is shown in the order's timeline.
    pub template: Option<String>,
    /// The template's language code.
    pub template_language: Option<String>,
}

impl From<model::NotificationSettings> for OrderNotificationSettings {
    fn from(s: model::NotificationSettings) -> Self {
        OrderNotificationSettings {
            enabled: s.enabled,
            template: s.template,
            template_language: s.template_language,
        }
    }
}

/// New order-notification settings.
#[derive(InputObject)]
pub struct OrderNotificationSettingsInput {
    /// On or off.
    pub enabled: bool,
    /// Template name as approved in WhatsApp Manager (empty or omitted: none).
    pub template: Option<String>,
    /// Its language code, e.g. `en_US` (default `en_US`).
    pub template_language: Option<String>,
}

/// Order notification settings (part of the business's settings).
#[derive(Default)]
pub struct OrderSettingsQuery;

#[Object]
impl OrderSettingsQuery {
    /// Whether customers are told on WhatsApp when their order moves.
    #[graphql(guard = "Authenticated")]
    async fn order_notification_settings(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<OrderNotificationSettings> {
        Ok(domain::notification_settings(ctx.app(), ctx.caller()?)
            .await?
            .into())
    }
}

/// Order mutations: the back office's part of an order's life.
#[derive(Default)]
pub struct OrderMutation;

#[Object]
impl OrderMutation {
    /// Records an order by hand (source `MANUAL`): stock is taken at once; unit prices
    /// default to the discounted price and are never below the floor.
    #[graphql(guard = "Authenticated")]
    async fn create_order(
        &self,
        ctx: &Context<'_>,
        input: CreateOrderInput,
    ) -> async_graphql::Result<Order> {
        let caller = ctx.caller()?;
        let customer = match input.customer {
            OrderCustomerInput::ContactId(id) => {
                CustomerChoice::Contact(ids::decode::<ContactId>(&id)?)
            }
            OrderCustomerInput::New(c) => CustomerChoice::New {
                name: c.name,
                phone: c.phone,
            },
        };
        let manual = ManualOrder {
            customer,
            items: item_requests(input.items)?,
            delivery_details: input.delivery_details,
            notes: input.notes,
        };
        let created = domain::create_manual(ctx.app(), caller, manual).await?;
        loaded(ctx, caller.business_id, created.id).await
    }

    /// Changes a pending order's lines, delivery details or notes.
    #[graphql(guard = "Authenticated")]
    async fn update_order(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateOrderInput,
    ) -> async_graphql::Result<Order> {
        let caller = ctx.caller()?;
        let id = ids::decode::<OrderId>(&id)?;
        let changes = OrderChanges {
            items: input.items.map(item_requests).transpose()?,
            delivery_details: input.delivery_details,
            notes: input.notes,
        };
        let changed = domain::update(ctx.app(), caller, id, changes).await?;
        loaded(ctx, caller.business_id, changed.id).await
    }

    /// Turns order notifications on or off and sets the template for outside the
    /// 24-hour window.
    /// Owner only, in the dashboard or with an API token (staff: FORBIDDEN).
    #[graphql(guard = "OwnerAuthority")]
    async fn update_order_notification_settings(
        &self,
        ctx: &Context<'_>,
        input: OrderNotificationSettingsInput,
    ) -> async_graphql::Result<OrderNotificationSettings> {
        let settings = model::NotificationSettings {
            enabled: input.enabled,
            template: input.template,
            template_language: input.template_language,
        };
        Ok(
            domain::set_notification_settings(ctx.app(), ctx.caller()?, settings)
                .await?
                .into(),
        )
    }

    /// Confirms a pending order (the customer is told when notifications are on).
    #[graphql(guard = "Authenticated")]
    async fn confirm_order(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Order> {
        let caller = ctx.caller()?;
        let id = ids::decode::<OrderId>(&id)?;
        let o = domain::confirm(ctx.app(), caller, id).await?;
        loaded(ctx, caller.business_id, o.id).await
    }

    /// Completes a confirmed order, delivered and paid (the customer is told when
    /// notifications are on).
    #[graphql(guard = "Authenticated")]
    async fn complete_order(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Order> {
        let caller = ctx.caller()?;
        let id = ids::decode::<OrderId>(&id)?;
        let o = domain::complete(ctx.app(), caller, id).await?;
        loaded(ctx, caller.business_id, o.id).await
    }

    /// Cancels a pending or confirmed order; its stock goes back to the catalog. The
    /// reason shows in the order's timeline.
    #[graphql(guard = "Authenticated")]
    async fn cancel_order(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> async_graphql::Result<Order> {
        let caller = ctx.caller()?;
        let id = ids::decode::<OrderId>(&id)?;
        let o = domain::cancel(ctx.app(), caller, id, reason.as_deref().unwrap_or("")).await?;
        loaded(ctx, caller.business_id, o.id).await
    }
}

/// The order just written, with its lines, as the API shows it.
async fn loaded(
    ctx: &Context<'_>,
    business_id: BusinessId,
    id: u64,
) -> async_graphql::Result<Order> {
    Ok(load_order(ctx.app(), business_id, OrderId(id))
        .await?
        .ok_or(AppError::NotFound("order"))?)
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
