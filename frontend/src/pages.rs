//! One module per route, and the typed list of routes.
//!
//! To add a page: a variant of [`AppRoute`] with its path, a `<Route>` in `app.rs`, and
//! (for the main navigation) an entry in [`NAVIGATION`].

pub mod edit_product;
pub mod inbox;
pub mod log_in;
pub mod new_product;
pub mod not_found;
pub mod products;
pub mod settings;
pub mod sign_up;

use crate::components::icons::Icon;

/// Every page of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppRoute {
    /// `/login`
    LogIn,
    /// `/signup`
    SignUp,
    /// `/inbox`: the chat list; the landing page after log-in.
    Inbox,
    /// `/inbox/:id`: one conversation.
    Chat(String),
    /// `/products`: the catalog.
    Products,
    /// `/products/new`
    NewProduct,
    /// `/products/:id`
    EditProduct(String),
    /// `/settings`: business profile and AI settings.
    Settings,
}

impl AppRoute {
    /// The URL path of the page.
    pub fn path(&self) -> String {
        match self {
            AppRoute::LogIn => "/login".into(),
            AppRoute::SignUp => "/signup".into(),
            AppRoute::Inbox => "/inbox".into(),
            AppRoute::Chat(id) => format!("/inbox/{id}"),
            AppRoute::Products => "/products".into(),
            AppRoute::NewProduct => "/products/new".into(),
            AppRoute::EditProduct(id) => format!("/products/{id}"),
            AppRoute::Settings => "/settings".into(),
        }
    }
}

/// One entry of the main navigation.
#[derive(Debug)]
pub struct NavEntry {
    /// Where it leads.
    pub route: AppRoute,
    /// Link text.
    pub label: &'static str,
    /// Icon beside the text.
    pub icon: Icon,
    /// `data-testid` of the link.
    pub testid: &'static str,
}

/// The main navigation, in order. Orders, blacklist and activity join here as their pages
/// are built.
pub const NAVIGATION: &[NavEntry] = &[
    NavEntry {
        route: AppRoute::Inbox,
        label: "Inbox",
        icon: Icon::Inbox,
        testid: "nav-inbox",
    },
    NavEntry {
        route: AppRoute::Products,
        label: "Products",
        icon: Icon::Products,
        testid: "nav-products",
    },
    NavEntry {
        route: AppRoute::Settings,
        label: "Settings",
        icon: Icon::Settings,
        testid: "nav-settings",
    },
];
