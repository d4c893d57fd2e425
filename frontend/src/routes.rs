//! The dashboard's routes, defined once.
//!
//! [`AppRoute`] names every page. Its path segments are the router's (`app.rs` builds its
//! `<Route>`s from [`AppRoute::LOG_IN`], [`AppRoute::INBOX`], ...), every link and
//! navigation is built by [`AppRoute::path`], and [`AppRoute::parse`] reads the page back
//! from a URL. To add a page: a variant here with its segment, a `<Route>` in `app.rs`,
//! and (for the main navigation) an entry in `components/layout.rs`.

/// Every page of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppRoute {
    /// `/login`
    LogIn,
    /// `/signup`
    SignUp,
    /// `/accept-invite#<secret>`: joining a business as staff from the owner's link
    /// (open whether signed in or not).
    AcceptInvite,
    /// `/privacy`: the privacy policy (public).
    Privacy,
    /// `/terms`: the terms of service (public).
    Terms,
    /// `/contact`: the contact form (public).
    Contact,
    /// `/`: the home page (the owner's day at a glance); the landing page after log-in.
    Home,
    /// `/inbox`: the chat list.
    Inbox,
    /// `/inbox/:id`: one conversation.
    Chat(String),
    /// `/orders`: the orders to fulfil.
    Orders,
    /// `/orders/new`: an order entered by hand.
    NewOrder,
    /// `/orders/:id`: one order.
    Order(String),
    /// `/products`: the catalog.
    Products,
    /// `/products/new`
    NewProduct,
    /// `/products/:id`
    EditProduct(String),
    /// `/settings`: business profile and AI settings.
    Settings,
    /// `/blacklist`: customers automation never messages.
    Blacklist,
    /// `/activity`: the activity log.
    Activity,
    /// `/follow-ups`: scheduled, sent and skipped follow-ups, and the rule.
    FollowUps,
    /// `/welcome`: sign-up's last step, connecting the WhatsApp number.
    Welcome,
}

impl AppRoute {
    /// Segment of [`AppRoute::LogIn`].
    pub const LOG_IN: &'static str = "login";
    /// Segment of [`AppRoute::SignUp`].
    pub const SIGN_UP: &'static str = "signup";
    /// Segment of [`AppRoute::AcceptInvite`] (the server's invitation links use it too).
    pub const ACCEPT_INVITE: &'static str = "accept-invite";
    /// Segment of [`AppRoute::Privacy`].
    pub const PRIVACY: &'static str = "privacy";
    /// Segment of [`AppRoute::Terms`].
    pub const TERMS: &'static str = "terms";
    /// Segment of [`AppRoute::Contact`].
    pub const CONTACT: &'static str = "contact";
    /// First segment of [`AppRoute::Inbox`] and [`AppRoute::Chat`].
    pub const INBOX: &'static str = "inbox";
    /// First segment of the order pages.
    pub const ORDERS: &'static str = "orders";
    /// First segment of the product pages.
    pub const PRODUCTS: &'static str = "products";
    /// Second segment of [`AppRoute::NewProduct`] and [`AppRoute::NewOrder`].
    pub const NEW_PRODUCT: &'static str = "new";
    /// Segment of [`AppRoute::Settings`].
    pub const SETTINGS: &'static str = "settings";
    /// Segment of [`AppRoute::Blacklist`].
    pub const BLACKLIST: &'static str = "blacklist";
    /// Segment of [`AppRoute::Activity`].
    pub const ACTIVITY: &'static str = "activity";
    /// Segment of [`AppRoute::FollowUps`].
    pub const FOLLOW_UPS: &'static str = "follow-ups";
    /// Segment of [`AppRoute::Welcome`].
    pub const WELCOME: &'static str = "welcome";
    /// The route parameter holding a chat's, order's or product's id.
    pub const ID: &'static str = "id";

    /// The URL path of the page.
    pub fn path(&self) -> String {
        match self {
            AppRoute::LogIn => format!("/{}", Self::LOG_IN),
            AppRoute::SignUp => format!("/{}", Self::SIGN_UP),
            AppRoute::AcceptInvite => format!("/{}", Self::ACCEPT_INVITE),
            AppRoute::Privacy => format!("/{}", Self::PRIVACY),
            AppRoute::Terms => format!("/{}", Self::TERMS),
            AppRoute::Contact => format!("/{}", Self::CONTACT),
            AppRoute::Home => "/".to_string(),
            AppRoute::Inbox => format!("/{}", Self::INBOX),
            AppRoute::Chat(id) => format!("/{}/{id}", Self::INBOX),
            AppRoute::Orders => format!("/{}", Self::ORDERS),
            AppRoute::NewOrder => format!("/{}/{}", Self::ORDERS, Self::NEW_PRODUCT),
            AppRoute::Order(id) => format!("/{}/{id}", Self::ORDERS),
            AppRoute::Products => format!("/{}", Self::PRODUCTS),
            AppRoute::NewProduct => format!("/{}/{}", Self::PRODUCTS, Self::NEW_PRODUCT),
            AppRoute::EditProduct(id) => format!("/{}/{id}", Self::PRODUCTS),
            AppRoute::Settings => format!("/{}", Self::SETTINGS),
            AppRoute::Blacklist => format!("/{}", Self::BLACKLIST),
            AppRoute::Activity => format!("/{}", Self::ACTIVITY),
            AppRoute::FollowUps => format!("/{}", Self::FOLLOW_UPS),
            AppRoute::Welcome => format!("/{}", Self::WELCOME),
        }
    }

    /// The page a URL path shows, if it is one of ours (the inverse of [`AppRoute::path`]).
    pub fn parse(path: &str) -> Option<AppRoute> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        Some(match segments.as_slice() {
            [Self::LOG_IN] => AppRoute::LogIn,
            [Self::SIGN_UP] => AppRoute::SignUp,
            [Self::ACCEPT_INVITE] => AppRoute::AcceptInvite,
            [Self::PRIVACY] => AppRoute::Privacy,
            [Self::TERMS] => AppRoute::Terms,
            [Self::CONTACT] => AppRoute::Contact,
            [""] => AppRoute::Home,
            [Self::INBOX] => AppRoute::Inbox,
            [Self::INBOX, id] if !id.is_empty() => AppRoute::Chat((*id).to_string()),
            [Self::ORDERS] => AppRoute::Orders,
            [Self::ORDERS, Self::NEW_PRODUCT] => AppRoute::NewOrder,
            [Self::ORDERS, id] if !id.is_empty() => AppRoute::Order((*id).to_string()),
            [Self::PRODUCTS] => AppRoute::Products,
            [Self::PRODUCTS, Self::NEW_PRODUCT] => AppRoute::NewProduct,
            [Self::PRODUCTS, id] if !id.is_empty() => AppRoute::EditProduct((*id).to_string()),
            [Self::SETTINGS] => AppRoute::Settings,
            [Self::BLACKLIST] => AppRoute::Blacklist,
            [Self::ACTIVITY] => AppRoute::Activity,
            [Self::FOLLOW_UPS] => AppRoute::FollowUps,
            [Self::WELCOME] => AppRoute::Welcome,
            _ => return None,
        })
    }
}

/// The query parameter naming the one customer whose orders are listed.
pub const CUSTOMER_PARAM: &str = "customer";

/// The orders page narrowed to one customer's orders.
pub fn customer_orders_path(contact_id: &str) -> String {
    let id = String::from(js_sys::encode_uri_component(contact_id));
    format!("{}?{CUSTOMER_PARAM}={id}", AppRoute::Orders.path())
}

#[cfg(test)]
mod tests {
    use super::AppRoute;

    #[test]
    fn every_path_parses_back_to_its_route() {
        let routes = [
            AppRoute::LogIn,
            AppRoute::SignUp,
            AppRoute::AcceptInvite,
            AppRoute::Privacy,
            AppRoute::Terms,
            AppRoute::Contact,
            AppRoute::Home,
            AppRoute::Inbox,
            AppRoute::Chat("Q2hhdDox".into()),
            AppRoute::Orders,
            AppRoute::NewOrder,
            AppRoute::Order("T3JkZXI6MQ".into()),
            AppRoute::Products,
            AppRoute::NewProduct,
            AppRoute::EditProduct("UHJvZHVjdDo3".into()),
            AppRoute::Settings,
            AppRoute::Blacklist,
            AppRoute::Activity,
            AppRoute::FollowUps,
            AppRoute::Welcome,
        ];
        for route in routes {
            assert_eq!(AppRoute::parse(&route.path()), Some(route));
        }
        assert_eq!(AppRoute::Chat("c1".into()).path(), "/inbox/c1");
        assert_eq!(
            AppRoute::parse("/inbox/c1/"),
            Some(AppRoute::Chat("c1".into()))
        );
        assert_eq!(AppRoute::parse("/inbox/"), Some(AppRoute::Inbox));
        assert_eq!(AppRoute::parse("/nowhere"), None);
    }
}
