//! Orders: the rules every order follows, whoever records it (the AI's `create_order`
//! tool, [`crate::agent::tools`]; the back office's manual orders next), and recording
//! one. The SQL is [`crate::db::orders`].
//!
//! - Quantity: at least one, at most the stock.
//! - Color: one the product is offered in; required when it has several.
//! - Unit price: the list price, the discounted price, or a price offered or agreed in
//!   the chat's negotiation, and only when the concession policy
//!   ([`shared::negotiation::price_allowed`]) allows it; never below the floor.
//! - Stock is taken in the same transaction as the order is recorded, so two
//!   concurrent orders cannot oversell ([`crate::db::orders::create`]).

use diesel::QueryResult;
use diesel_async::AsyncMysqlConnection;
use serde_json::json;
use shared::negotiation::{self, PriceLimits};
use shared::pricing::respects_floor;
use shared::{ActivityKind, OrderId};

use crate::activity::{self, Actor, Entry, Subject};
use crate::db::orders::{self as model, NewOrder, Order, OrderRefusal};
use crate::db::products::Product;
use crate::events::{DomainEvent, EventBus, EventKind};

/// Most items in one order.
pub const MAX_ITEMS: usize = 20;

/// The concession policy's limits for a product: from the discounted price down to
/// the floor, in steps of one major unit.
pub fn price_limits(p: &Product) -> PriceLimits {
    PriceLimits {
        start_minor: p.discounted_price_minor(),
        floor_minor: p.bargain_floor_minor,
        rounding_minor: 10i64.pow(p.currency.exponent()),
    }
}

/// Unit prices an order may use for a product: the list and discounted prices plus
/// `negotiated` (prices offered or agreed in the chat), each only when the concession
/// policy allows it and never below the floor.
pub fn allowed_unit_prices(p: &Product, negotiated: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut prices = vec![p.price_minor, p.discounted_price_minor()];
    prices.extend(negotiated);
    let limits = price_limits(p);
    prices.retain(|x| {
        negotiation::price_allowed(limits, *x) && respects_floor(*x, p.bargain_floor_minor)
    });
    prices
}

/// Why a quantity cannot be ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantityProblem {
    /// Less than one.
    BelowOne,
    /// None in stock.
    OutOfStock,
    /// More than the stock (how many there are).
    OnlyLeft(i64),
}

/// Checks a quantity against the product's stock.
pub fn check_quantity(p: &Product, quantity: i64) -> Result<(), QuantityProblem> {
    if quantity < 1 {
        Err(QuantityProblem::BelowOne)
    } else if p.quantity == 0 {
        Err(QuantityProblem::OutOfStock)
    } else if quantity > p.quantity {
        Err(QuantityProblem::OnlyLeft(p.quantity))
    } else {
        Ok(())
    }
}

/// Why a color cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColorProblem {
    /// None named, and the product comes in several (these).
    Required(Vec<String>),
    /// Not one the product is offered in (those it is, maybe none).
    NotOffered(Vec<String>),
}

/// The product's own spelling of the color asked for; with none asked, the product's
/// only color (or none).
pub fn choose_color(p: &Product, color: Option<&str>) -> Result<Option<String>, ColorProblem> {
    let colors = p.colors.clone();
    match color.map(str::trim).filter(|c| !c.is_empty()) {
        None if colors.len() <= 1 => Ok(colors.first().cloned()),
        None => Err(ColorProblem::Required(colors)),
        Some(c) => match colors.iter().find(|pc| pc.eq_ignore_ascii_case(c)) {
            Some(pc) => Ok(Some(pc.clone())),
            None => Err(ColorProblem::NotOffered(colors)),
        },
    }
}

/// Records a checked order (stock taken in the same transaction), logs it in the
/// activity log as done by `actor`, and publishes the order and stock changes.
pub async fn record(
    conn: &mut AsyncMysqlConnection,
    events: &EventBus,
    order: &NewOrder,
    actor: &Actor,
) -> QueryResult<Result<Order, OrderRefusal>> {
    let created = match model::create(conn, order).await? {
        Ok(created) => created,
        Err(refusal) => return Ok(Err(refusal)),
    };
    activity::record_quietly(
        conn,
        events,
        order.business_id,
        actor,
        Entry::new(
            ActivityKind::OrderCreated,
            Some(Subject::order(OrderId(created.id))),
            format!("Order #{} recorded", created.id),
        )
        .details(json!({"order_id": created.id, "total_minor": created.total_minor, "currency": order.currency})),
    )
    .await;
    events.publish(DomainEvent {
        business_id: order.business_id,
        kind: EventKind::OrderChanged {
            order_id: created.id,
        },
    });
    for item in &order.items {
        events.publish(DomainEvent {
            business_id: order.business_id,
            kind: EventKind::ProductChanged(item.product_id.0),
        });
    }
    Ok(Ok(created))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A product with a discount, a floor, two colors and three in stock (unit tests
    /// of the order rules and of the agent).
    pub(crate) fn dress() -> Product {
        Product {
            id: shared::ProductId(7),
            business_id: shared::BusinessId(1),
            name: "Ankara wrap dress".into(),
            description: String::new(),
            price_minor: 2_500_000,
            currency: shared::Currency::parse("NGN").expect("a currency"),
            discount_kind: shared::DiscountKind::Percent,
            discount_value: 10,
            bargain_floor_minor: 1_900_000,
            quantity: 3,
            colors: vec!["Red".into(), "Blue".into()],
            archived: false,
            created_at: chrono::NaiveDateTime::default(),
            updated_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn no_unit_price_below_the_floor_is_ever_allowed() {
        let p = dress();
        // List and discounted prices, plus a negotiated price at the floor.
        assert_eq!(
            allowed_unit_prices(&p, [1_900_000]),
            vec![2_500_000, 2_250_000, 1_900_000]
        );
        // A negotiated price below the floor (a tampered state) is refused.
        assert!(!allowed_unit_prices(&p, [1_899_900, 1_000]).contains(&1_899_900));
        assert!(
            allowed_unit_prices(&p, [1_000])
                .iter()
                .all(|x| *x >= 1_900_000)
        );
        // So is a floor above the discounted price: nothing under the floor passes.
        let mut strict = dress();
        strict.bargain_floor_minor = 2_400_000;
        assert!(
            allowed_unit_prices(&strict, [])
                .iter()
                .all(|x| *x >= 2_400_000)
        );
    }

    #[test]
    fn quantities_and_colors_follow_the_stock_and_the_offer() {
        let p = dress();
        assert_eq!(check_quantity(&p, 0), Err(QuantityProblem::BelowOne));
        assert_eq!(check_quantity(&p, 4), Err(QuantityProblem::OnlyLeft(3)));
        assert_eq!(check_quantity(&p, 3), Ok(()));
        assert_eq!(
            choose_color(&p, None),
            Err(ColorProblem::Required(vec!["Red".into(), "Blue".into()]))
        );
        assert_eq!(choose_color(&p, Some(" blue ")), Ok(Some("Blue".into())));
        assert!(matches!(
            choose_color(&p, Some("green")),
            Err(ColorProblem::NotOffered(_))
        ));
    }
}
