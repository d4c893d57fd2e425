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
use shared::{
    ActivityKind, BusinessId, ContactId, Currency, OrderId, OrderSource, OrderStatus, ProductId,
};

pub mod notify;

use crate::activity::{self, Actor, Entry, Subject};
use crate::app::{App, AppState};
use crate::auth::Caller;
use crate::db::orders::{
    self as model, ChangeRefusal, NewItem, NewOrder, NotificationSettings, Order, OrderEdit,
    OrderItem, OrderRefusal,
};
use crate::db::products::{self as products_db, Product};
use crate::db::{contacts as contacts_db, inbox as inbox_db};
use crate::error::{AppError, AppResult};
use crate::events::{DomainEvent, EventBus, EventKind};

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

/// Who a manual order is for.
#[derive(Debug, Clone)]
pub enum CustomerChoice {
    /// A customer already in the contacts.
    Contact(ContactId),
    /// Someone new: a name and a phone number (normalised to digits).
    New {
        /// Name for the delivery.
        name: String,
        /// Phone number as typed.
        phone: String,
    },
}

/// One line of a manual order, as staff typed it.
#[derive(Debug, Clone)]
pub struct ItemRequest {
    /// A product of the catalog.
    pub product_id: ProductId,
    /// Its color (required when it has several).
    pub color: Option<String>,
    /// Units.
    pub quantity: i64,
    /// Unit price in minor units; the discounted price when absent; never below the
    /// floor.
    pub unit_price_minor: Option<i64>,
}

/// An order entered by hand in the back office.
#[derive(Debug, Clone)]
pub struct ManualOrder {
    /// The customer.
    pub customer: CustomerChoice,
    /// The lines.
    pub items: Vec<ItemRequest>,
    /// Delivery address and instructions.
    pub delivery_details: String,
    /// Free notes.
    pub notes: Option<String>,
}

/// Changes to a pending order (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct OrderChanges {
    /// New lines, replacing the old ones.
    pub items: Option<Vec<ItemRequest>>,
    /// New delivery details.
    pub delivery_details: Option<String>,
    /// New notes (empty clears them).
    pub notes: Option<String>,
}

/// Trimmed text, at most [`MAX_TEXT`] characters (else `BAD_USER_INPUT` on `field`).
fn bounded(field: &'static str, text: &str) -> AppResult<String> {
    let text = text.trim();
    if text.chars().count() > MAX_TEXT {
        return Err(AppError::invalid(
            field,
            format!("at most {MAX_TEXT} characters"),
        ));
    }
    Ok(text.to_string())
}

fn delivery(text: &str) -> AppResult<String> {
    let text = bounded("deliveryDetails", text)?;
    if text.is_empty() {
        return Err(AppError::invalid(
            "deliveryDetails",
            "a delivery address (or pickup arrangement) is required",
        ));
    }
    Ok(text)
}

fn notes(text: Option<&str>) -> AppResult<Option<String>> {
    Ok(text
        .map(|n| bounded("notes", n))
        .transpose()?
        .filter(|n| !n.is_empty()))
}

/// Checks staff's lines against the catalog of `business_id`: each product theirs
/// (else `NOT_FOUND`) and active, a color on offer, at least one unit and no more than
/// the stock plus `held` (units this order already holds, when it is being edited), a
/// unit price at or above the floor (the discounted price by default), one currency.
async fn check_items(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    requests: &[ItemRequest],
    held: &[OrderItem],
) -> AppResult<(Currency, Vec<NewItem>)> {
    if requests.is_empty() {
        return Err(AppError::invalid("items", "add at least one item"));
    }
    if requests.len() > MAX_ITEMS {
        return Err(AppError::invalid(
            "items",
            format!("at most {MAX_ITEMS} items per order"),
        ));
    }
    let mut currency: Option<Currency> = None;
    let mut items = Vec::with_capacity(requests.len());
    for request in requests {
        let mut p = products_db::find(conn, business_id.0, request.product_id)
            .await?
            .ok_or(AppError::NotFound("product"))?;
        if p.archived {
            return Err(AppError::invalid(
                "items",
                format!("{} is archived", p.name),
            ));
        }
        p.quantity += held
            .iter()
            .filter(|i| i.product_id == Some(p.id.0))
            .map(|i| i.quantity)
            .sum::<i64>();
        match check_quantity(&p, request.quantity) {
            Ok(()) => {}
            Err(QuantityProblem::BelowOne) => {
                return Err(AppError::invalid(
                    "quantity",
                    format!("order at least one {}", p.name),
                ));
            }
            Err(QuantityProblem::OutOfStock) => {
                return Err(AppError::invalid(
                    "quantity",
                    format!("{} is out of stock", p.name),
                ));
            }
            Err(QuantityProblem::OnlyLeft(n)) => {
                return Err(AppError::invalid(
                    "quantity",
                    format!("only {n} of {} in stock", p.name),
                ));
            }
        }
        let color = choose_color(&p, request.color.as_deref()).map_err(|problem| {
            let message = match problem {
                ColorProblem::Required(colors) => {
                    format!("choose a color for {} ({})", p.name, colors.join(", "))
                }
                ColorProblem::NotOffered(colors) if colors.is_empty() => {
                    format!("{} has no color choice", p.name)
                }
                ColorProblem::NotOffered(colors) => {
                    format!("{} comes in {}", p.name, colors.join(", "))
                }
            };
            AppError::invalid("color", message)
        })?;
        let unit = request
            .unit_price_minor
            .unwrap_or_else(|| p.discounted_price_minor());
        if !respects_floor(unit, p.bargain_floor_minor) {
            return Err(AppError::invalid(
                "unitPrice",
                format!(
                    "{} cannot be sold below its floor of {}",
                    p.name,
                    p.money(p.bargain_floor_minor).display()
                ),
            ));
        }
        if currency.get_or_insert_with(|| p.currency.clone()) != &p.currency {
            return Err(AppError::invalid(
                "items",
                "all items of an order must be in the same currency",
            ));
        }
        items.push(NewItem {
            product_id: p.id,
            name: p.name.clone(),
            color,
            unit_price_minor: unit,
            quantity: request.quantity,
        });
    }
    let currency = currency.ok_or_else(|| AppError::invalid("items", "add at least one item"))?;
    Ok((currency, items))
}

/// Records an order entered by hand (source manual, actor the caller): the customer
/// from the contacts or a new one, the lines checked like every order, stock taken in
/// the same transaction.
pub async fn create_manual(app: &App, caller: &Caller, input: ManualOrder) -> AppResult<Order> {
    let business_id = caller.business_id;
    let delivery_details = delivery(&input.delivery_details)?;
    let notes = notes(input.notes.as_deref())?;
    let mut conn = app.db().await?;
    let (contact_id, customer_name) = match input.customer {
        CustomerChoice::Contact(id) => {
            let contact = inbox_db::find_contact(&mut conn, business_id.0, id.0)
                .await?
                .ok_or(AppError::NotFound("contact"))?;
            (id, contact.display_name())
        }
        CustomerChoice::New { name, phone } => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 255 {
                return Err(AppError::invalid(
                    "customerName",
                    "give the customer's name (at most 255 characters)",
                ));
            }
            let phone = shared::phone::normalize_phone(&phone)
                .ok_or_else(|| AppError::invalid("phone", "a phone number with 7 to 15 digits"))?;
            let id =
                contacts_db::find_or_create_by_phone(&mut conn, business_id, &phone, name).await?;
            (id, name.to_string())
        }
    };
    let (currency, items) = check_items(&mut conn, business_id, &input.items, &[]).await?;
    let order = NewOrder {
        business_id,
        chat_id: None,
        contact_id: Some(contact_id),
        source: OrderSource::Manual,
        currency,
        customer_name: Some(customer_name),
        delivery_details,
        notes,
        items,
    };
    match record(&mut conn, &app.events, &order, &caller.actor).await? {
        Ok(created) => Ok(created),
        Err(OrderRefusal::OutOfStock(name, left)) => Err(AppError::invalid(
            "quantity",
            format!("only {left} of {name} left in stock"),
        )),
    }
}

/// Edits a pending order: new lines (stock adjusted in the same transaction), the
/// delivery details, the notes. Any other status is `BAD_USER_INPUT` naming it.
pub async fn update(
    app: &App,
    caller: &Caller,
    id: OrderId,
    changes: OrderChanges,
) -> AppResult<Order> {
    let business_id = caller.business_id;
    let mut conn = app.db().await?;
    let current = model::find(&mut conn, business_id.0, id.0)
        .await?
        .ok_or(AppError::NotFound("order"))?;
    let items = match &changes.items {
        Some(requests) => {
            let held = model::items_for(&mut conn, &[current.id]).await?;
            let (currency, items) = check_items(&mut conn, business_id, requests, &held).await?;
            if currency.code() != current.currency {
                return Err(AppError::invalid(
                    "items",
                    format!("this order is in {}", current.currency),
                ));
            }
            Some(items)
        }
        None => None,
    };
    let edit = OrderEdit {
        items,
        delivery_details: changes
            .delivery_details
            .as_deref()
            .map(delivery)
            .transpose()?,
        notes: changes
            .notes
            .as_deref()
            .map(|n| notes(Some(n)))
            .transpose()?,
    };
    let (order, old_items) = model::edit(&mut conn, business_id.0, id.0, &edit)
        .await?
        .map_err(|r| refused(r, "changed"))?;
    let mut changed = Vec::new();
    if edit.items.is_some() {
        changed.push("items");
    }
    if edit.delivery_details.is_some() {
        changed.push("delivery_details");
    }
    if edit.notes.is_some() {
        changed.push("notes");
    }
    activity::record_quietly(
        &mut conn,
        &app.events,
        business_id,
        &caller.actor,
        Entry::new(
            ActivityKind::OrderUpdated,
            Some(Subject::order(id)),
            format!("Order #{} updated", order.id),
        )
        .details(
            json!({"order_id": order.id, "changed": changed, "total_minor": order.total_minor}),
        ),
    )
    .await;
    // New lines moved stock: the old lines' products got theirs back, the new ones
    // gave theirs.
    let products: Vec<u64> = match &edit.items {
        Some(new_items) => old_items
            .iter()
            .filter_map(|i| i.product_id)
            .chain(new_items.iter().map(|i| i.product_id.0))
            .collect(),
        None => Vec::new(),
    };
    publish_changes(&app.events, business_id, order.id, products);
    Ok(order)
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
