//! The home page in one query: `dashboard` (owner and staff; the caller's business
//! only). The numbers are computed by [`crate::home`].

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::NaiveDate;

use super::common::{Money, money};
use super::{Authenticated, ContextExt, ids};
use crate::error::AppError;
use crate::home::{self, Amounts};

fn amounts(a: &Amounts) -> Result<Vec<Money>, AppError> {
    a.iter()
        .map(|(currency, minor)| money(*minor, currency))
        .collect()
}

/// Orders and revenue over a period, split by who made them.
#[derive(SimpleObject)]
pub struct SalesPeriod {
    /// Days covered: 1 (today so far), 7 or 30 (the business's days, today included).
    pub days: i64,
    /// Orders not cancelled.
    pub orders: i64,
    /// Recorded by the AI salesperson from chats.
    pub ai_orders: i64,
    /// Entered by staff.
    pub staff_orders: i64,
    /// Revenue, per currency.
    pub revenue: Vec<Money>,
    /// Revenue of the AI's orders.
    pub ai_revenue: Vec<Money>,
    /// Revenue of staff's orders.
    pub staff_revenue: Vec<Money>,
    /// Chats whose customer wrote in the period.
    pub conversations: i64,
    /// Chats that ordered in the period.
    pub converted_chats: i64,
    /// `convertedChats / conversations`, when there were conversations.
    pub conversion_rate: Option<f64>,
}

/// One day of the chart.
#[derive(SimpleObject)]
pub struct SalesDay {
    /// The day, in the business's time zone.
    pub day: NaiveDate,
    /// Orders.
    pub orders: i64,
    /// Revenue, per currency.
    pub revenue: Vec<Money>,
}

/// A best seller of the last 30 days.
#[derive(SimpleObject)]
pub struct TopProduct {
    /// The product, when it still exists.
    pub product_id: Option<ID>,
    /// Its name.
    pub name: String,
    /// Units sold.
    pub units: i64,
    /// Revenue.
    pub revenue: Money,
}

/// What haggling earned and protected over 30 days (orders from chats).
#[derive(SimpleObject)]
pub struct NegotiationStats {
    /// Order lines sold below the list price.
    pub discounted_lines: i64,
    /// Average discount granted on them, in percent of the list price.
    pub average_discount_percent: Option<f64>,
    /// Average room the floor allowed on them, in percent of the list price.
    pub average_room_percent: Option<f64>,
    /// Negotiations that ended at the floor without a deal.
    pub lost_at_floor: i64,
    /// What customers asked below the agreed prices, times units: revenue the floor kept.
    pub floor_protected: Vec<Money>,
}

/// The owner's day at a glance.
#[derive(SimpleObject)]
pub struct Dashboard {
    /// Chats whose customer wrote in the last 24 hours.
    pub open_chats: i64,
    /// Of those, the ones whose last message is the customer's.
    pub unanswered_chats: i64,
    /// Today, the last 7 and the last 30 days.
    pub periods: Vec<SalesPeriod>,
    /// Orders and revenue per day over the last 30 days, oldest first.
    pub chart: Vec<SalesDay>,
    /// Best sellers over 30 days.
    pub top_products: Vec<TopProduct>,
    /// AI replies over 7 days.
    pub ai_replies: i64,
    /// Chats the AI handed to a person over 7 days.
    pub ai_handoffs: i64,
    /// AI replies held back by the price check over 7 days.
    pub ai_blocked_replies: i64,
    /// Negotiation analytics over 30 days.
    pub negotiation: NegotiationStats,
    /// The time zone the days are counted in (the business's, an IANA name).
    pub time_zone: String,
}

impl TryFrom<home::Dashboard> for Dashboard {
    type Error = AppError;

    fn try_from(d: home::Dashboard) -> Result<Dashboard, AppError> {
        let periods = d
            .periods
            .iter()
            .map(|p| {
                Ok(SalesPeriod {
                    days: p.days,
                    orders: p.orders,
                    ai_orders: p.ai_orders,
                    staff_orders: p.staff_orders,
                    revenue: amounts(&p.revenue)?,
                    ai_revenue: amounts(&p.ai_revenue)?,
                    staff_revenue: amounts(&p.staff_revenue)?,
                    conversations: p.conversations,
                    converted_chats: p.converted,
                    conversion_rate: (p.conversations > 0)
                        .then(|| p.converted as f64 / p.conversations as f64),
                })
            })
            .collect::<Result<_, AppError>>()?;
        let chart = d
            .chart
            .iter()
            .map(|c| {
                Ok(SalesDay {
                    day: c.day,
                    orders: c.orders,
                    revenue: amounts(&c.revenue)?,
                })
            })
            .collect::<Result<_, AppError>>()?;
        let top_products = d
            .top_products
            .into_iter()
            .map(|p| {
                Ok(TopProduct {
                    product_id: p.product_id.map(|id| ids::encode(shared::ProductId(id))),
                    revenue: money(p.revenue_minor, &p.currency)?,
                    name: p.name,
                    units: p.units,
                })
            })
            .collect::<Result<_, AppError>>()?;
        Ok(Dashboard {
            open_chats: d.open_chats,
            unanswered_chats: d.unanswered_chats,
            periods,
            chart,
            top_products,
            ai_replies: d.ai_replies,
            ai_handoffs: d.ai_handoffs,
            ai_blocked_replies: d.ai_blocked,
            negotiation: NegotiationStats {
                discounted_lines: d.negotiation.discounted_lines,
                average_discount_percent: d.negotiation.average_discount_percent,
                average_room_percent: d.negotiation.average_room_percent,
                lost_at_floor: d.negotiation.lost_at_floor,
                floor_protected: amounts(&d.negotiation.protected)?,
            },
            time_zone: d.time_zone.to_string(),
        })
    }
}

/// The home page query.
#[derive(Default)]
pub struct HomeQuery;

#[Object]
impl HomeQuery {
    /// The owner's day at a glance: chats, sales, conversion, best sellers, the AI's
    /// work and the negotiation analytics.
    #[graphql(guard = "Authenticated")]
    async fn dashboard(&self, ctx: &Context<'_>) -> async_graphql::Result<Dashboard> {
        let caller = ctx.caller()?;
        Ok(home::dashboard(ctx.app(), caller.business_id)
            .await?
            .try_into()?)
    }
}
