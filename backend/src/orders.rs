//! Orders: the rules every order follows, whoever records it (the AI's `create_order`
//! tool, [`crate::agent::tools`]; the built-in responder; the back office's manual
//! orders, [`create_manual`]), recording one, and its life after: [`confirm`],
//! [`complete`], [`cancel`] and [`update`] while pending. The SQL is
//! [`crate::db::orders`]; every mutation's resolver calls one of these functions.
//!
//! - Quantity: at least one, at most the stock.
//! - Color: one the product is offered in; required when it has several.
//! - Unit price: the list price, the discounted price, or a price offered or agreed in
//!   the chat's negotiation, and only when the concession policy
//!   ([`shared::negotiation::price_allowed`]) allows it; never below the floor.
//! - Stock is taken in the same transaction as the order is recorded, so two
//!   concurrent orders cannot oversell ([`crate::db::orders::create`]).
//! - Status only moves forward ([`OrderStatus::can_move_to`], written once in
//!   `shared`); a cancel gives the stock back in the same transaction.
//! - A manual order's unit price defaults to the discounted price; a price typed by
//!   staff may be anything at or above the floor.

use diesel::QueryResult;
use diesel_async::AsyncMysqlConnection;
use serde_json::json;
use shared::negotiation::{self, PriceLimits};
use shared::pricing::respects_floor;
use shared::{ActivityKind, BusinessId, OrderId, OrderStatus};

mod manual;
pub mod notify;

use crate::activity::{self, Actor, Entry, Subject};
use crate::app::{App, AppState};
use crate::auth::Caller;
use crate::db::orders::{
    self as model, ChangeRefusal, NewOrder, NotificationSettings, Order, OrderRefusal,
};
use crate::db::products::Product;
use crate::error::{AppError, AppResult};
use crate::events::{DomainEvent, EventBus, EventKind};

pub use manual::{CustomerChoice, ItemRequest, ManualOrder, OrderChanges, create_manual, update};

/// Most items in one order (the rule lives in `shared`).
pub const MAX_ITEMS: usize = shared::pricing::MAX_ORDER_ITEMS;

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

/// Whether a unit price the owner approved for a customer (a deal approval, possibly
/// below the floor) may be used in an order: above zero and not below the product's
/// hard minimum.
pub fn approved_price_allowed(p: &Product, approved_minor: i64) -> bool {
    approved_minor > 0 && p.hard_minimum_minor.is_none_or(|m| approved_minor >= m)
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
    publish_changes(
        events,
        order.business_id,
        created.id,
        order.items.iter().map(|i| i.product_id.0),
    );
    Ok(Ok(created))
}

/// Publishes an order change and the stock changes of its products.
fn publish_changes(
    events: &EventBus,
    business_id: BusinessId,
    order_id: u64,
    products: impl IntoIterator<Item = u64>,
) {
    events.publish(DomainEvent {
        business_id,
        kind: EventKind::OrderChanged { order_id },
    });
    let mut seen = Vec::new();
    for product_id in products {
        if !seen.contains(&product_id) {
            seen.push(product_id);
            events.publish(DomainEvent {
                business_id,
                kind: EventKind::ProductChanged(product_id),
            });
        }
    }
}

/// Confirms a pending order; the customer is told when the business wants that
/// ([`notify`]).
pub async fn confirm(app: &AppState, caller: &Caller, id: OrderId) -> AppResult<Order> {
    move_order(app, caller, id, OrderStatus::Confirmed, None).await
}

/// Completes a confirmed order (delivered and paid); the customer is told when the
/// business wants that ([`notify`]).
pub async fn complete(app: &AppState, caller: &Caller, id: OrderId) -> AppResult<Order> {
    move_order(app, caller, id, OrderStatus::Completed, None).await
}

/// Cancels a pending or confirmed order, giving its stock back in the same
/// transaction; the reason goes to the activity log (the order's timeline).
pub async fn cancel(
    app: &AppState,
    caller: &Caller,
    id: OrderId,
    reason: &str,
) -> AppResult<Order> {
    let reason = reason.trim();
    if reason.chars().count() > MAX_TEXT {
        return Err(AppError::invalid(
            "reason",
            format!("at most {MAX_TEXT} characters"),
        ));
    }
    move_order(app, caller, id, OrderStatus::Cancelled, Some(reason)).await
}

/// Longest address, notes or cancel reason.
pub const MAX_TEXT: usize = 1000;

/// The refusal of a change, as the client sees it.
fn refused(refusal: ChangeRefusal, action: &str) -> AppError {
    match refusal {
        ChangeRefusal::NotFound => AppError::NotFound("order"),
        ChangeRefusal::Status(status) => AppError::invalid(
            "status",
            format!("the order is {status}; it cannot be {action}"),
        ),
        ChangeRefusal::Stock(OrderRefusal::OutOfStock(name, left)) => {
            AppError::invalid("items", format!("only {left} of {name} left in stock"))
        }
    }
}

async fn move_order(
    app: &AppState,
    caller: &Caller,
    id: OrderId,
    to: OrderStatus,
    reason: Option<&str>,
) -> AppResult<Order> {
    let (kind, verb) = match to {
        OrderStatus::Confirmed => (ActivityKind::OrderConfirmed, "confirmed"),
        OrderStatus::Completed => (ActivityKind::OrderCompleted, "completed"),
        OrderStatus::Cancelled => (ActivityKind::OrderCancelled, "cancelled"),
        OrderStatus::Pending => (ActivityKind::OrderUpdated, "pending"),
    };
    let mut conn = app.db().await?;
    let (from, order, items) = model::move_to(&mut conn, caller.business_id.0, id.0, to)
        .await?
        .map_err(|r| refused(r, verb))?;
    let mut details = json!({"order_id": order.id, "from": from, "to": to});
    if let Some(reason) = reason.filter(|r| !r.is_empty()) {
        details["reason"] = json!(reason);
    }
    if to == OrderStatus::Cancelled {
        details["stock_returned"] = json!(
            items
                .iter()
                .filter(|i| i.product_id.is_some())
                .map(|i| json!({"product_id": i.product_id, "quantity": i.quantity}))
                .collect::<Vec<_>>()
        );
    }
    caller
        .record(
            &mut conn,
            &app.events,
            Entry::new(
                kind,
                Some(Subject::order(id)),
                format!("Order #{} {verb}", order.id),
            )
            .details(details),
        )
        .await;
    // A cancel changed the products' stock; the other moves publish them too, so a
    // product view showing its orders stays current.
    publish_changes(
        &app.events,
        caller.business_id,
        order.id,
        items.iter().filter_map(|i| i.product_id),
    );
    drop(conn);
    if matches!(to, OrderStatus::Confirmed | OrderStatus::Completed) {
        notify::order_moved(app, caller.business_id, &order, to).await;
    }
    Ok(order)
}

/// Longest order-update template name WhatsApp accepts.
const MAX_TEMPLATE_NAME: usize = 512;

/// A business's order-notification settings.
pub async fn notification_settings(app: &App, caller: &Caller) -> AppResult<NotificationSettings> {
    let mut conn = app.db().await?;
    model::notification_settings(&mut conn, caller.business_id)
        .await?
        .map(|(_, settings)| settings)
        .ok_or(AppError::NotFound("business"))
}

/// Switches order notifications on or off and sets the template used outside the
/// 24-hour window (a name as approved in WhatsApp Manager: lowercase letters, digits
/// and underscores; empty clears it). Logged as a settings change.
pub async fn set_notification_settings(
    app: &App,
    caller: &Caller,
    settings: NotificationSettings,
) -> AppResult<NotificationSettings> {
    let template = settings
        .template
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    if let Some(t) = &template
        && (t.len() > MAX_TEMPLATE_NAME
            || !t
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
    {
        return Err(AppError::invalid(
            "template",
            "a template name is lowercase letters, digits and underscores",
        ));
    }
    let language = settings
        .template_language
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty());
    if let Some(l) = &language
        && (l.len() > 15
            || !l
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    {
        return Err(AppError::invalid(
            "templateLanguage",
            "a language code such as en_US",
        ));
    }
    let settings = NotificationSettings {
        enabled: settings.enabled,
        template,
        template_language: language,
    };
    let mut conn = app.db().await?;
    model::set_notification_settings(&mut conn, caller.business_id, &settings).await?;
    let summary = format!(
        "Order notifications turned {}",
        if settings.enabled { "on" } else { "off" }
    );
    let details = json!({"notify_order_updates": settings.enabled, "order_update_template": settings.template});
    caller
        .record_business_change(
            &mut conn,
            &app.events,
            ActivityKind::SettingsChanged,
            summary,
            details,
        )
        .await;
    Ok(settings)
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
            hard_minimum_minor: None,
            quantity: 3,
            colors: vec!["Red".into(), "Blue".into()],
            archived: false,
            created_at: chrono::NaiveDateTime::default(),
            updated_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn an_approved_price_may_go_below_the_floor_but_not_below_the_hard_minimum() {
        let open = dress();
        assert!(approved_price_allowed(&open, 1_500_000));
        assert!(!approved_price_allowed(&open, 0));
        let bounded = Product {
            hard_minimum_minor: Some(1_600_000),
            ..dress()
        };
        assert!(approved_price_allowed(&bounded, 1_600_000));
        assert!(!approved_price_allowed(&bounded, 1_599_999));
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
