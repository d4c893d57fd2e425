//! Reusable pieces of the dashboard, grouped by domain.

pub mod ai;
pub mod csv;
pub mod deal_approvals;
pub mod download;
pub mod feedback;
pub mod follow_ups;
pub mod forms;
pub mod icons;
pub mod inbox;
pub mod layout;
pub mod locale;
pub mod mutation;
pub mod order_notifications;
pub mod paged;
pub mod privacy;
pub mod products;
pub mod security;
pub mod team;
pub mod whatsapp;
