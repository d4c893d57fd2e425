//! The inputs of the back office's order mutations: who a manual order is for, its
//! lines, and the changes to a pending order.

use async_graphql::{ID, InputObject, OneofObject};
use shared::ProductId;

use crate::error::AppError;
use crate::graphql::ids;
use crate::orders::{self as domain, ItemRequest};

/// A new customer for a manual order.
#[derive(InputObject)]
pub struct NewCustomerInput {
    /// Name for the delivery.
    pub name: String,
    /// Phone number in any common shape (`+234 803-123 4567`); stored as digits.
    pub phone: String,
}

/// Who a manual order is for: one of a contact or a new customer.
#[derive(OneofObject)]
pub enum OrderCustomerInput {
    /// A customer from the contacts (contact id).
    ContactId(ID),
    /// Someone new.
    New(NewCustomerInput),
}

/// One line of a manual order.
#[derive(InputObject)]
pub struct OrderItemInput {
    /// A product of the catalog.
    pub product_id: ID,
    /// Its color (required when it comes in several).
    pub color: Option<String>,
    /// Units (at least one, at most the stock).
    pub quantity: i64,
    /// Unit price in minor units; the discounted price when omitted; never below the
    /// product's bargaining floor.
    pub unit_price: Option<i64>,
}

impl OrderItemInput {
    fn into_request(self) -> Result<ItemRequest, AppError> {
        Ok(ItemRequest {
            product_id: ids::decode::<ProductId>(&self.product_id)?,
            color: self.color,
            quantity: self.quantity,
            unit_price_minor: self.unit_price,
        })
    }
}

pub(super) fn item_requests(items: Vec<OrderItemInput>) -> Result<Vec<ItemRequest>, AppError> {
    if items.len() > domain::MAX_ITEMS {
        return Err(AppError::invalid(
            "items",
            format!("at most {} items per order", domain::MAX_ITEMS),
        ));
    }
    items
        .into_iter()
        .map(OrderItemInput::into_request)
        .collect()
}

/// An order entered by hand.
#[derive(InputObject)]
pub struct CreateOrderInput {
    /// The customer.
    pub customer: OrderCustomerInput,
    /// The lines (1 to 20).
    pub items: Vec<OrderItemInput>,
    /// Delivery address and instructions.
    pub delivery_details: String,
    /// Free notes.
    pub notes: Option<String>,
}

/// Changes to a pending order (omitted fields stay as they are).
#[derive(InputObject, Default)]
pub struct UpdateOrderInput {
    /// New lines, replacing the old ones (stock adjusted).
    pub items: Option<Vec<OrderItemInput>>,
    /// New delivery details.
    pub delivery_details: Option<String>,
    /// New notes (empty clears them).
    pub notes: Option<String>,
}
