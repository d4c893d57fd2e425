//! Orders: the list with status and search filters and its totals, one order with its
//! timeline, and the moves staff make (confirm, complete, cancel).

use shared::{OrderSource, OrderStatus};

use super::models::{shared_enum, wire_enum, wire_text};
use super::operations::{
    self, CancelOrder, CompleteOrder, ConfirmOrder, CreateOrder, Order as OrderOp,
    OrderNotificationSettings, Orders, UpdateOrderNotificationSettings,
};
use super::transport::send;
use super::{Client, ClientError, Page};

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    /// Product name when ordered.
    pub name: String,
    /// Chosen color.
    pub color: Option<String>,
    /// Units.
    pub quantity: i64,
    /// Unit price, formatted.
    pub unit_price: String,
}

/// An order as the dashboard shows it (amounts already formatted by the API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Opaque API id.
    pub id: String,
    /// Number shown to customers (`#12`).
    pub number: String,
    /// The chat it came from.
    pub chat_id: Option<String>,
    /// Where it is.
    pub status: OrderStatus,
    /// From a chat or entered by hand.
    pub source: OrderSource,
    /// Name for the delivery.
    pub customer_name: Option<String>,
    /// Address and delivery instructions.
    pub delivery_details: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// Total, formatted.
    pub total: String,
    /// Lines.
    pub items: Vec<OrderLine>,
    /// When it was recorded (RFC 3339).
    pub created_at: String,
}

/// One step of an order's timeline (its activity-log entries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// What happened, in one line.
    pub summary: String,
    /// Who did it (a name, else the kind of actor).
    pub actor: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// Which orders to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderQuery {
    /// Page size.
    pub first: i64,
    /// Cursor of the last order already shown.
    pub after: Option<String>,
    /// Only this status (all when `None`).
    pub status: Option<OrderStatus>,
    /// Only from this source (all when `None`).
    pub source: Option<OrderSource>,
    /// Customer name, phone or product; empty lists everything.
    pub search: String,
    /// Created at or after (RFC 3339).
    pub since: Option<String>,
    /// Created before (RFC 3339).
    pub until: Option<String>,
    /// Only this customer's (a contact's API id).
    pub contact_id: Option<String>,
}

/// Whether and how customers are told on WhatsApp that their order moved.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderNotifications {
    /// On or off.
    pub enabled: bool,
    /// The approved template used outside the 24-hour window (empty: none).
    pub template: String,
    /// Its language code (empty: `en_US`).
    pub template_language: String,
}

/// One line of an order entered by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrderLine {
    /// The product's API id.
    pub product_id: String,
    /// Chosen color, when the product has several.
    pub color: Option<String>,
    /// Units.
    pub quantity: i64,
    /// Unit price in minor units (`None`: the discounted price).
    pub unit_price_minor: Option<i64>,
}

/// An order entered by hand: a new customer and its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// Customer's name.
    pub customer_name: String,
    /// Customer's phone number, as typed.
    pub phone: String,
    /// The lines (the API takes 1 to 20).
    pub lines: Vec<NewOrderLine>,
    /// Address and delivery instructions.
    pub delivery_details: String,
    /// Free notes.
    pub notes: String,
}

/// `TryFrom<module::OrderFields>` for [`Order`], for each listed operation module.
macro_rules! order_from {
    ($($module:ident),+ $(,)?) => {$(
        impl TryFrom<operations::$module::OrderFields> for Order {
            type Error = ClientError;

            fn try_from(o: operations::$module::OrderFields) -> Result<Order, ClientError> {
                Ok(Order {
                    id: o.id,
                    number: o.number,
                    chat_id: o.chat_id,
                    status: shared_enum(&o.status, OrderStatus::parse, "order status")?,
                    source: shared_enum(&o.source, OrderSource::parse, "order source")?,
                    customer_name: o.customer_name,
                    delivery_details: o.delivery_details,
                    notes: o.notes,
                    total: o.total.formatted,
                    items: o
                        .items
                        .into_iter()
                        .map(|i| OrderLine {
                            name: i.name,
                            color: i.color,
                            quantity: i.quantity,
                            unit_price: i.unit_price.formatted,
                        })
                        .collect(),
                    created_at: o.created_at,
                })
            }
        }
    )+};
}

order_from!(
    orders,
    order,
    confirm_order,
    complete_order,
    cancel_order,
    order_changed,
    create_order
);

impl Client {
    /// One page of orders, newest first, and the totals of the whole filtered list
    /// (one formatted amount per currency).
    pub async fn orders(
        &self,
        query: &OrderQuery,
    ) -> Result<(Page<Order>, Vec<String>), ClientError> {
        let search = query.search.trim();
        let filter = operations::orders::OrderFilterInput {
            statuses: query
                .status
                .map(|s| wire_enum(s.as_str()).map(|s| vec![s]))
                .transpose()?,
            source: query.source.map(|s| wire_enum(s.as_str())).transpose()?,
            since: query.since.clone(),
            until: query.until.clone(),
            contact_id: query.contact_id.clone(),
            search: (!search.is_empty()).then(|| search.to_string()),
        };
        let variables = operations::orders::Variables {
            first: query.first,
            after: query.after.clone(),
            filter: Some(filter),
        };
        let data = self.watch(send::<Orders>(self.token.as_deref(), variables).await)?;
        let page = Page {
            items: data
                .orders
                .nodes
                .into_iter()
                .map(Order::try_from)
                .collect::<Result<_, _>>()?,
            has_next_page: data.orders.page_info.has_next_page,
            end_cursor: data.orders.page_info.end_cursor,
            total_count: Some(data.orders.total_count),
        };
        let totals = data
            .order_totals
            .by_currency
            .into_iter()
            .map(|c| c.total.formatted)
            .collect();
        Ok((page, totals))
    }

    /// One order and its timeline, oldest step first.
    pub async fn order(&self, id: &str) -> Result<(Order, Vec<TimelineEntry>), ClientError> {
        let variables = operations::order::Variables { id: id.to_string() };
        let data = self.watch(send::<OrderOp>(self.token.as_deref(), variables).await)?;
        let mut timeline: Vec<TimelineEntry> = data
            .activity
            .nodes
            .into_iter()
            .map(|e| TimelineEntry {
                summary: e.summary,
                actor: e
                    .actor
                    .name
                    .unwrap_or_else(|| wire_text(&e.actor.kind).to_ascii_lowercase()),
                created_at: e.created_at,
            })
            .collect();
        timeline.reverse();
        Ok((Order::try_from(data.order)?, timeline))
    }

    /// Records an order by hand (stock is taken at once).
    pub async fn create_order(&self, new: &NewOrder) -> Result<Order, ClientError> {
        use operations::create_order as op;
        let notes = new.notes.trim();
        let variables = op::Variables {
            input: op::CreateOrderInput {
                customer: op::OrderCustomerInput::New(op::NewCustomerInput {
                    name: new.customer_name.trim().to_string(),
                    phone: new.phone.trim().to_string(),
                }),
                items: new
                    .lines
                    .iter()
                    .map(|line| op::OrderItemInput {
                        product_id: line.product_id.clone(),
                        color: line.color.clone(),
                        quantity: line.quantity,
                        unit_price: line.unit_price_minor,
                    })
                    .collect(),
                delivery_details: new.delivery_details.trim().to_string(),
                notes: (!notes.is_empty()).then(|| notes.to_string()),
            },
        };
        let data = self.watch(send::<CreateOrder>(self.token.as_deref(), variables).await)?;
        Order::try_from(data.create_order)
    }

    /// The order-notification settings.
    pub async fn order_notifications(&self) -> Result<OrderNotifications, ClientError> {
        let variables = operations::order_notification_settings::Variables;
        let data =
            self.watch(send::<OrderNotificationSettings>(self.token.as_deref(), variables).await)?;
        let s = data.order_notification_settings;
        Ok(OrderNotifications {
            enabled: s.enabled,
            template: s.template.unwrap_or_default(),
            template_language: s.template_language.unwrap_or_default(),
        })
    }

    /// Saves the order-notification settings.
    pub async fn save_order_notifications(
        &self,
        settings: &OrderNotifications,
    ) -> Result<OrderNotifications, ClientError> {
        use operations::update_order_notification_settings as op;
        let text = |t: &str| Some(t.trim().to_string()).filter(|t| !t.is_empty());
        let variables = op::Variables {
            input: op::OrderNotificationSettingsInput {
                enabled: settings.enabled,
                template: text(&settings.template),
                template_language: text(&settings.template_language),
            },
        };
        let data = self.watch(
            send::<UpdateOrderNotificationSettings>(self.token.as_deref(), variables).await,
        )?;
        let s = data.update_order_notification_settings;
        Ok(OrderNotifications {
            enabled: s.enabled,
            template: s.template.unwrap_or_default(),
            template_language: s.template_language.unwrap_or_default(),
        })
    }

    /// Confirms a pending order.
    pub async fn confirm_order(&self, id: &str) -> Result<Order, ClientError> {
        let variables = operations::confirm_order::Variables { id: id.to_string() };
        let data = self.watch(send::<ConfirmOrder>(self.token.as_deref(), variables).await)?;
        Order::try_from(data.confirm_order)
    }

    /// Completes a confirmed order.
    pub async fn complete_order(&self, id: &str) -> Result<Order, ClientError> {
        let variables = operations::complete_order::Variables { id: id.to_string() };
        let data = self.watch(send::<CompleteOrder>(self.token.as_deref(), variables).await)?;
        Order::try_from(data.complete_order)
    }

    /// Cancels an order (its stock goes back); `reason` shows in its timeline.
    pub async fn cancel_order(&self, id: &str, reason: &str) -> Result<Order, ClientError> {
        let reason = reason.trim();
        let variables = operations::cancel_order::Variables {
            id: id.to_string(),
            reason: (!reason.is_empty()).then(|| reason.to_string()),
        };
        let data = self.watch(send::<CancelOrder>(self.token.as_deref(), variables).await)?;
        Order::try_from(data.cancel_order)
    }
}
