//! The typed GraphQL client.
//!
//! Every operation is a `.graphql` document under `frontend/graphql/`, checked against the
//! API schema at compile time by `graphql_client`'s derive ([`operations`]). The functions on
//! [`Client`] send them with gloo-net, turn the generated response types into the dashboard's
//! own models ([`models`]), and report failures as one [`ClientError`].
//!
//! Policy for failures: an `UNAUTHENTICATED` answer from any operation runs the
//! client's `on_unauthenticated` hook (the session context clears the session, which sends the
//! user to the login page) before the error is returned to the caller.

mod activity;
mod ai;
mod blacklist;
mod business;
mod contact;
mod deal_approvals;
mod document;
mod error;
mod follow_ups;
mod home;
mod inbox;
pub mod live;
pub mod meta_sdk;
mod models;
mod operations;
mod orders;
mod privacy;
mod products;
mod security;
mod session;
mod team;
mod transport;
mod whatsapp;
mod why;

use std::rc::Rc;

pub use activity::ActivityQuery;
pub use ai::{AiPreview, AiSettings};
pub use blacklist::BlockTarget;
pub use deal_approvals::{ApprovalRule, Customer, DealApproval};
pub use error::{ClientError, ServerFieldError};
pub use follow_ups::FollowUpQuery;
pub use home::{Dashboard, SalesPeriod};
pub use inbox::{ChatQuery, TemplateMessage};
pub use models::{
    ActivityEntry, AuthSession, BlacklistEntry, Business, Chat, FollowUp, FollowUpRule, MediaFile,
    Message, MessagePage, Page, Product, ProductImage, SignupSetup, User, WebhookSetup,
    WhatsAppConnection,
};
pub use orders::{
    NewOrder, NewOrderLine, Order, OrderLine, OrderNotifications, OrderQuery, TimelineEntry,
};
pub use privacy::Retention;
pub use products::ProductQuery;
pub use security::{ApiTokenInfo, SessionInfo};
pub use session::NewAccount;
pub use team::{PendingInvite, TeamMember};
pub use whatsapp::{ApprovedTemplate, NewConnection, WhatsAppSettings};
pub use why::ReplyExplanation;

/// A handle for calling the API as one signed-in user (or anonymously).
///
/// Cheap to clone; build a fresh one per request from the session context so the current
/// token is used.
#[derive(Clone)]
pub struct Client {
    /// The bearer token sent with every request, if signed in.
    token: Option<String>,
    /// Called when the API says the token is missing, expired or revoked.
    on_unauthenticated: Rc<dyn Fn()>,
}

impl Client {
    /// A client that sends `token` and calls `on_unauthenticated` on an `UNAUTHENTICATED` error.
    pub fn new(token: Option<String>, on_unauthenticated: impl Fn() + 'static) -> Client {
        Client {
            token,
            on_unauthenticated: Rc::new(on_unauthenticated),
        }
    }

    /// Runs the hook for `UNAUTHENTICATED` errors, then hands the result back.
    fn watch<T>(&self, result: Result<T, ClientError>) -> Result<T, ClientError> {
        if let Err(ClientError::Unauthenticated(_)) = &result {
            (self.on_unauthenticated)();
        }
        result
    }
}
