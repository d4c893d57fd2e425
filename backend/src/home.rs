//! The owner's day at a glance (the home page and the `dashboard` query): open and
//! unanswered chats, orders and revenue over 1, 7 and 30 days split by who made them
//! (the AI from chats, staff by hand), conversion, top products, what the AI did, a
//! 30-day chart, and the negotiation analytics no other tool shows.
//!
//! Days are the business's own (its time zone, [`crate::calendar`]); revenue counts
//! every order not cancelled, per currency. The SQL
//! is [`crate::db::dashboard`]; the arithmetic is here, in plain functions.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate, Utc};
use shared::{ActivityKind, BusinessId};

use crate::agent::chat_state::ChatNegotiation;
use crate::app::AppState;
use crate::calendar::BusinessZone;
use crate::db::dashboard::{self as model, NegotiatedLine, OrderDay};
use crate::db::tenants;
use crate::error::AppResult;

/// Amounts per currency code (minor units), sorted by code.
pub type Amounts = BTreeMap<String, i64>;

/// Orders and revenue over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sales {
    /// Days covered (1 = today so far).
    pub days: i64,
    /// Orders (not cancelled).
    pub orders: i64,
    /// Of those, recorded by the AI from chats.
    pub ai_orders: i64,
    /// Of those, entered by staff.
    pub staff_orders: i64,
    /// Revenue.
    pub revenue: Amounts,
    /// Revenue of the AI's orders.
    pub ai_revenue: Amounts,
    /// Revenue of staff's orders.
    pub staff_revenue: Amounts,
    /// Chats whose customer wrote in the period.
    pub conversations: i64,
    /// Chats that ordered in the period.
    pub converted: i64,
}

/// One day of the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayPoint {
    /// The business's local day.
    pub day: NaiveDate,
    /// Orders.
    pub orders: i64,
    /// Revenue.
    pub revenue: Amounts,
}

/// A best seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopProduct {
    /// The product, if it still exists.
    pub product_id: Option<u64>,
    /// Its name.
    pub name: String,
    /// Units sold in 30 days.
    pub units: i64,
    /// Currency.
    pub currency: String,
    /// Revenue, minor units.
    pub revenue_minor: i64,
}

/// What haggling earned and protected over 30 days.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NegotiationStats {
    /// Order lines sold below the list price.
    pub discounted_lines: i64,
    /// Average discount granted on those, in percent of the list price.
    pub average_discount_percent: Option<f64>,
    /// Average room the floor allowed on those, in percent of the list price.
    pub average_room_percent: Option<f64>,
    /// Negotiations that ended at the floor without a deal (the customer wanted less).
    pub lost_at_floor: i64,
    /// What customers asked below the agreed prices, times units: revenue the policy
    /// and the floor kept.
    pub protected: Amounts,
}

/// The whole home page.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// Chats whose customer wrote in the last 24 hours.
    pub open_chats: i64,
    /// Of those, the ones whose last message is the customer's.
    pub unanswered_chats: i64,
    /// Today, 7 and 30 days.
    pub periods: Vec<Sales>,
    /// The last 30 days, oldest first (days without orders included).
    pub chart: Vec<DayPoint>,
    /// Best sellers over 30 days.
    pub top_products: Vec<TopProduct>,
    /// AI replies over 7 days.
    pub ai_replies: i64,
    /// Chats the AI handed to a person over 7 days.
    pub ai_handoffs: i64,
    /// AI replies held back by the price check over 7 days.
    pub ai_blocked: i64,
    /// Negotiation analytics over 30 days.
    pub negotiation: NegotiationStats,
    /// The time zone the days are counted in.
    pub time_zone: &'static str,
}

/// Days of the chart and of the longest period.
const CHART_DAYS: i64 = 30;

/// Builds the dashboard of a business, its days counted in the business's time zone.
pub async fn dashboard(app: &AppState, business_id: BusinessId) -> AppResult<Dashboard> {
    let mut conn = app.db().await?;
    let business = tenants::find_business(&mut conn, business_id.0).await?;
    let zone = BusinessZone::from_stored(&business.time_zone);
    let now = Utc::now().naive_utc();
    let today = zone.date_at(now);
    let first = today - Duration::days(CHART_DAYS - 1);
    let bounds = zone.day_bounds(first, CHART_DAYS as u32);
    // When the period of the last `days` local days (today included) began.
    let start = |days: i64| bounds[(CHART_DAYS - days) as usize];
    let rows = model::order_days(&mut conn, business_id, first, &bounds).await?;
    let mut periods = Vec::new();
    for days in [1, 7, CHART_DAYS] {
        let mut sales = period(&rows, today, days);
        sales.conversations =
            model::chats_active_since(&mut conn, business_id, start(days)).await?;
        sales.converted = model::chats_ordered_since(&mut conn, business_id, start(days)).await?;
        periods.push(sales);
    }
    let (open_chats, unanswered_chats) =
        model::open_and_unanswered(&mut conn, business_id, now - Duration::hours(24)).await?;
    let top_products = model::top_products(&mut conn, business_id, start(CHART_DAYS), 5)
        .await?
        .into_iter()
        .map(|p| TopProduct {
            product_id: p.product_id,
            name: p.name,
            units: p.units,
            currency: p.currency,
            revenue_minor: p.revenue_minor,
        })
        .collect();
    let week = now - Duration::days(7);
    let ai_replies =
        model::activity_count(&mut conn, business_id, ActivityKind::AiReplied, week).await?;
    let ai_handoffs =
        model::activity_count(&mut conn, business_id, ActivityKind::AiHandoff, week).await?;
    let ai_blocked =
        model::activity_count(&mut conn, business_id, ActivityKind::AiReplyBlocked, week).await?;
    let lines = model::negotiated_lines(&mut conn, business_id, start(CHART_DAYS)).await?;
    let open = model::negotiations_without_order(&mut conn, business_id, start(CHART_DAYS)).await?;
    let floors: HashMap<u64, i64> = model::floors(&mut conn, business_id)
        .await?
        .into_iter()
        .map(|f| (f.id, f.floor_minor))
        .collect();
    let mut negotiation = negotiation_stats(&lines);
    negotiation.lost_at_floor = open
        .iter()
        .map(|o| lost_at_floor(&ChatNegotiation::parse(Some(&o.negotiation)), &floors))
        .sum();
    Ok(Dashboard {
        open_chats,
        unanswered_chats,
        periods,
        chart: chart(&rows, today, CHART_DAYS),
        time_zone: zone.name(),
        top_products,
        ai_replies,
        ai_handoffs,
        ai_blocked,
        negotiation,
    })
}

fn add(amounts: &mut Amounts, currency: &str, minor: i64) {
    *amounts.entry(currency.to_string()).or_default() += minor;
}

/// Sums the orders of the last `days` days (today included).
pub fn period(rows: &[OrderDay], today: NaiveDate, days: i64) -> Sales {
    let first = today - Duration::days(days - 1);
    let mut sales = Sales {
        days,
        ..Sales::default()
    };
    for r in rows.iter().filter(|r| r.day >= first && r.day <= today) {
        sales.orders += r.orders;
        add(&mut sales.revenue, &r.currency, r.revenue_minor);
        if r.source == shared::OrderSource::Manual.as_str() {
            sales.staff_orders += r.orders;
            add(&mut sales.staff_revenue, &r.currency, r.revenue_minor);
        } else {
            sales.ai_orders += r.orders;
            add(&mut sales.ai_revenue, &r.currency, r.revenue_minor);
        }
    }
    sales
}

/// One point per day of the last `days` days, oldest first.
pub fn chart(rows: &[OrderDay], today: NaiveDate, days: i64) -> Vec<DayPoint> {
    (0..days)
        .rev()
        .map(|back| {
            let day = today - Duration::days(back);
            let mut point = DayPoint {
                day,
                orders: 0,
                revenue: Amounts::new(),
            };
            for r in rows.iter().filter(|r| r.day == day) {
                point.orders += r.orders;
                add(&mut point.revenue, &r.currency, r.revenue_minor);
            }
            point
        })
        .collect()
}

/// Discount granted vs the room the floor allowed, and what the floor protected, over
/// the lines of chat orders.
pub fn negotiation_stats(lines: &[NegotiatedLine]) -> NegotiationStats {
    let mut stats = NegotiationStats::default();
    let (mut discount_sum, mut room_sum) = (0.0, 0.0);
    for line in lines {
        let (Some(list), Some(floor)) = (line.price_minor, line.floor_minor) else {
            continue;
        };
        if list > 0 && line.unit_price_minor < list {
            stats.discounted_lines += 1;
            discount_sum += (list - line.unit_price_minor) as f64 * 100.0 / list as f64;
            room_sum += (list - floor).max(0) as f64 * 100.0 / list as f64;
        }
        let ask = line
            .product_id
            .and_then(|p| {
                ChatNegotiation::parse(line.negotiation.as_deref())
                    .products
                    .get(&p)
                    .and_then(|n| n.state.customer_ask_minor)
            })
            .filter(|ask| *ask < line.unit_price_minor);
        if let Some(ask) = ask {
            add(
                &mut stats.protected,
                &line.currency,
                (line.unit_price_minor - ask) * line.quantity,
            );
        }
    }
    if stats.discounted_lines > 0 {
        let n = stats.discounted_lines as f64;
        stats.average_discount_percent = Some(discount_sum / n);
        stats.average_room_percent = Some(room_sum / n);
    }
    stats
}

/// Products of a negotiation that ended at the floor with the customer wanting less and
/// no agreement.
pub fn lost_at_floor(negotiation: &ChatNegotiation, floors: &HashMap<u64, i64>) -> i64 {
    let lost = negotiation
        .products
        .iter()
        .filter(|(id, n)| {
            floors.get(id).is_some_and(|floor| {
                n.agreed_minor.is_none()
                    && n.state.last_offer_minor <= *floor
                    && n.state.customer_ask_minor.is_some_and(|ask| ask < *floor)
            })
        })
        .count();
    i64::try_from(lost).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).expect("a date")
    }

    fn row(d: u32, source: &str, orders: i64, revenue: i64) -> OrderDay {
        OrderDay {
            day: day(d),
            source: source.into(),
            currency: "NGN".into(),
            orders,
            revenue_minor: revenue,
        }
    }

    #[test]
    fn periods_split_ai_and_staff_and_the_chart_has_every_day() {
        let rows = [
            row(1, "chat", 2, 100),
            row(2, "manual", 1, 50),
            row(2, "chat", 1, 10),
        ];
        let today = period(&rows, day(2), 1);
        assert_eq!(
            (today.orders, today.ai_orders, today.staff_orders),
            (2, 1, 1)
        );
        assert_eq!(today.revenue["NGN"], 60);
        let week = period(&rows, day(2), 7);
        assert_eq!(
            (
                week.orders,
                week.ai_revenue["NGN"],
                week.staff_revenue["NGN"]
            ),
            (4, 110, 50)
        );
        let points = chart(&rows, day(2), 3);
        assert_eq!(
            points.iter().map(|p| p.orders).collect::<Vec<_>>(),
            [0, 2, 2]
        );
        assert_eq!(
            points[0].day,
            NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date")
        );
    }

    #[test]
    fn negotiation_analytics_compare_discount_with_room_and_count_what_the_floor_kept() {
        let negotiation = r#"{"products":{"7":{"product_name":"Dress","currency":"NGN","last_offer_minor":1900000,"customer_ask_minor":1500000,"rounds":3,"agreed_minor":1900000}}}"#;
        let line = NegotiatedLine {
            chat_id: Some(1),
            product_id: Some(7),
            currency: "NGN".into(),
            unit_price_minor: 1_900_000,
            quantity: 2,
            price_minor: Some(2_500_000),
            floor_minor: Some(1_800_000),
            negotiation: Some(negotiation.into()),
        };
        let stats = negotiation_stats(&[line]);
        assert_eq!(stats.discounted_lines, 1);
        assert!((stats.average_discount_percent.unwrap() - 24.0).abs() < 1e-9);
        assert!((stats.average_room_percent.unwrap() - 28.0).abs() < 1e-9);
        assert_eq!(stats.protected["NGN"], 800_000);

        let lost = ChatNegotiation::parse(Some(
            r#"{"products":{"7":{"product_name":"Dress","last_offer_minor":1800000,"customer_ask_minor":1000000,"rounds":4}}}"#,
        ));
        let floors = HashMap::from([(7, 1_800_000)]);
        assert_eq!(lost_at_floor(&lost, &floors), 1);
        assert_eq!(lost_at_floor(&lost, &HashMap::from([(7, 1_000_000)])), 0);
    }
}
