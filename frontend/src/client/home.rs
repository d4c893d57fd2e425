//! The home page's numbers, in one query.

use super::operations::{self, Dashboard as DashboardOp};
use super::transport::send;
use super::{Client, ClientError};

/// Amounts, one per currency, formatted ("NGN 38,000.00").
pub type Amounts = Vec<String>;

/// Orders and revenue over a period.
#[derive(Debug, Clone, PartialEq)]
pub struct SalesPeriod {
    /// 1, 7 or 30.
    pub days: i64,
    /// Orders not cancelled.
    pub orders: i64,
    /// By the AI from chats.
    pub ai_orders: i64,
    /// By staff.
    pub staff_orders: i64,
    /// Revenue.
    pub revenue: Amounts,
    /// The AI's revenue.
    pub ai_revenue: Amounts,
    /// Staff's revenue.
    pub staff_revenue: Amounts,
    /// Chats whose customer wrote.
    pub conversations: i64,
    /// Chats that ordered.
    pub converted: i64,
    /// Their ratio.
    pub conversion_rate: Option<f64>,
}

/// One day of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct SalesDay {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Orders.
    pub orders: i64,
    /// Revenue.
    pub revenue: Amounts,
}

/// A best seller.
#[derive(Debug, Clone, PartialEq)]
pub struct TopProduct {
    /// The product's id, if it still exists.
    pub product_id: Option<String>,
    /// Name.
    pub name: String,
    /// Units sold in 30 days.
    pub units: i64,
    /// Revenue.
    pub revenue: String,
}

/// The home page.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// Chats whose customer wrote in 24 hours.
    pub open_chats: i64,
    /// Of those, waiting for an answer.
    pub unanswered_chats: i64,
    /// Today, 7 and 30 days.
    pub periods: Vec<SalesPeriod>,
    /// 30 days, oldest first.
    pub chart: Vec<SalesDay>,
    /// Best sellers.
    pub top_products: Vec<TopProduct>,
    /// AI replies (7 days).
    pub ai_replies: i64,
    /// AI hand-offs (7 days).
    pub ai_handoffs: i64,
    /// AI replies held back by the price check (7 days).
    pub ai_blocked: i64,
    /// Lines sold below list price (30 days).
    pub discounted_lines: i64,
    /// Average discount granted, percent.
    pub average_discount_percent: Option<f64>,
    /// Average room the floor allowed, percent.
    pub average_room_percent: Option<f64>,
    /// Negotiations lost at the floor.
    pub lost_at_floor: i64,
    /// Revenue the floor kept.
    pub floor_protected: Amounts,
    /// The business's time zone, in which the days are counted.
    pub time_zone: String,
}

fn formatted<T>(amounts: Vec<T>, text: impl Fn(T) -> String) -> Amounts {
    amounts.into_iter().map(text).collect()
}

impl Client {
    /// The home page's numbers.
    pub async fn dashboard(&self) -> Result<Dashboard, ClientError> {
        let data = self.watch(
            send::<DashboardOp>(self.token.as_deref(), operations::dashboard::Variables).await,
        )?;
        let d = data.dashboard;
        Ok(Dashboard {
            open_chats: d.open_chats,
            unanswered_chats: d.unanswered_chats,
            periods: d
                .periods
                .into_iter()
                .map(|p| SalesPeriod {
                    days: p.days,
                    orders: p.orders,
                    ai_orders: p.ai_orders,
                    staff_orders: p.staff_orders,
                    revenue: formatted(p.revenue, |m| m.formatted),
                    ai_revenue: formatted(p.ai_revenue, |m| m.formatted),
                    staff_revenue: formatted(p.staff_revenue, |m| m.formatted),
                    conversations: p.conversations,
                    converted: p.converted_chats,
                    conversion_rate: p.conversion_rate,
                })
                .collect(),
            chart: d
                .chart
                .into_iter()
                .map(|c| SalesDay {
                    day: c.day,
                    orders: c.orders,
                    revenue: formatted(c.revenue, |m| m.formatted),
                })
                .collect(),
            top_products: d
                .top_products
                .into_iter()
                .map(|p| TopProduct {
                    product_id: p.product_id,
                    name: p.name,
                    units: p.units,
                    revenue: p.revenue.formatted,
                })
                .collect(),
            ai_replies: d.ai_replies,
            ai_handoffs: d.ai_handoffs,
            ai_blocked: d.ai_blocked_replies,
            discounted_lines: d.negotiation.discounted_lines,
            average_discount_percent: d.negotiation.average_discount_percent,
            average_room_percent: d.negotiation.average_room_percent,
            lost_at_floor: d.negotiation.lost_at_floor,
            floor_protected: formatted(d.negotiation.floor_protected, |m| m.formatted),
            time_zone: d.time_zone,
        })
    }
}
