//! Orders staff enter by hand in the back office ([`create_manual`]) and edits to a
//! pending order ([`update`]): the inputs, their text bounds, and the check of staff's
//! lines against the catalog (the same rules as every order, a price typed by staff
//! anywhere at or above the floor).

use diesel_async::AsyncMysqlConnection;
use serde_json::json;
use shared::pricing::respects_floor;
use shared::{ActivityKind, BusinessId, ContactId, Currency, OrderId, OrderSource, ProductId};

use super::{
    ColorProblem, MAX_ITEMS, MAX_TEXT, QuantityProblem, check_quantity, choose_color,
    publish_changes, record, refused,
};
use crate::activity::{self, Entry, Subject};
use crate::app::App;
use crate::auth::Caller;
use crate::db::orders::{
    self as model, NewItem, NewOrder, Order, OrderEdit, OrderItem, OrderRefusal,
};
use crate::db::products as products_db;
use crate::db::{contacts as contacts_db, inbox as inbox_db};
use crate::error::{AppError, AppResult};

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
