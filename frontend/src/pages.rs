//! One module per page; the routes that lead to them are `crate::routes::AppRoute`.

pub mod accept_invite;
pub mod activity;
pub mod blacklist;
pub mod contact;
pub mod edit_product;
pub mod follow_ups;
pub mod home;
pub mod inbox;
pub mod legal;
pub mod log_in;
pub mod new_order;
pub mod new_product;
pub mod not_found;
pub mod order;
pub mod orders;
pub mod products;
pub mod settings;
pub mod sign_up;
pub mod welcome;
