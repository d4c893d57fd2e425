//! The root component: the session context and the router, built from the segments
//! `crate::routes::AppRoute` defines, with the guards.

use leptos::prelude::*;
use leptos_router::components::{
    ParentRoute, ProtectedParentRoute, ProtectedRoute, Route, Router, Routes,
};
use leptos_router::{ParamSegment, StaticSegment, path};

use crate::components::layout::{AppShell, SessionPending};
use crate::contexts::session::Session;
use crate::pages::accept_invite::AcceptInvitePage;
use crate::pages::activity::ActivityPage;
use crate::pages::blacklist::BlacklistPage;
use crate::pages::contact::ContactPage;
use crate::pages::edit_product::EditProductPage;
use crate::pages::follow_ups::FollowUpsPage;
use crate::pages::home::HomePage;
use crate::pages::inbox::{ChatPage, InboxPage, NoChatSelected};
use crate::pages::legal::{PrivacyPage, TermsPage};
use crate::pages::log_in::LogInPage;
use crate::pages::new_order::NewOrderPage;
use crate::pages::new_product::NewProductPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::order::OrderPage;
use crate::pages::orders::OrdersPage;
use crate::pages::products::ProductsPage;
use crate::pages::settings::SettingsPage;
use crate::pages::sign_up::SignUpPage;
use crate::pages::welcome::WelcomePage;
use crate::routes::AppRoute;

/// The dashboard.
///
/// Guards: signed-out visitors of any dashboard page go to `/login`; signed-in visitors of
/// `/login` go to `/` (home), of `/signup` on to `/welcome` (connecting WhatsApp, the
/// sign-up's last step). The legal pages, the contact form and the
/// invitation page are open to everyone. While a stored token is being checked, both show
/// [`SessionPending`].
#[component]
pub fn App() -> impl IntoView {
    let session = Session::provide();
    // Memos, so that guards re-render only when signed-in-ness changes, not on every
    // session update (such as a renamed business).
    let signed_in = Memo::new(move |_| session.signed_in());
    let signed_out = Memo::new(move |_| signed_in.get().map(|signed_in| !signed_in));
    let to_home = || AppRoute::Home.path();
    // A new account goes on to its last step, connecting WhatsApp.
    let to_welcome = || AppRoute::Welcome.path();
    let to_log_in = || AppRoute::LogIn.path();

    view! {
        <Router>
            <Routes fallback=NotFoundPage>
                <ProtectedRoute
                    path=StaticSegment(AppRoute::LOG_IN)
                    view=LogInPage
                    condition=move || signed_out.get()
                    redirect_path=to_home
                    fallback=SessionPending
                />
                <ProtectedRoute
                    path=StaticSegment(AppRoute::SIGN_UP)
                    view=SignUpPage
                    condition=move || signed_out.get()
                    redirect_path=to_welcome
                    fallback=SessionPending
                />
                <Route path=StaticSegment(AppRoute::ACCEPT_INVITE) view=AcceptInvitePage />
                <Route path=StaticSegment(AppRoute::PRIVACY) view=PrivacyPage />
                <Route path=StaticSegment(AppRoute::TERMS) view=TermsPage />
                <Route path=StaticSegment(AppRoute::CONTACT) view=ContactPage />
                <ProtectedParentRoute
                    path=path!("")
                    view=AppShell
                    condition=move || signed_in.get()
                    redirect_path=to_log_in
                    fallback=SessionPending
                >
                    <Route path=path!("") view=HomePage />
                    <ParentRoute path=StaticSegment(AppRoute::INBOX) view=InboxPage>
                        <Route path=path!("") view=NoChatSelected />
                        <Route path=ParamSegment(AppRoute::ID) view=ChatPage />
                    </ParentRoute>
                    <Route path=StaticSegment(AppRoute::ORDERS) view=OrdersPage />
                    <Route path=(StaticSegment(AppRoute::ORDERS), StaticSegment(AppRoute::NEW_PRODUCT)) view=NewOrderPage />
                    <Route path=(StaticSegment(AppRoute::ORDERS), ParamSegment(AppRoute::ID)) view=OrderPage />
                    <Route path=StaticSegment(AppRoute::PRODUCTS) view=ProductsPage />
                    <Route path=(StaticSegment(AppRoute::PRODUCTS), StaticSegment(AppRoute::NEW_PRODUCT)) view=NewProductPage />
                    <Route path=(StaticSegment(AppRoute::PRODUCTS), ParamSegment(AppRoute::ID)) view=EditProductPage />
                    <Route path=StaticSegment(AppRoute::SETTINGS) view=SettingsPage />
                    <Route path=StaticSegment(AppRoute::BLACKLIST) view=BlacklistPage />
                    <Route path=StaticSegment(AppRoute::ACTIVITY) view=ActivityPage />
                    <Route path=StaticSegment(AppRoute::FOLLOW_UPS) view=FollowUpsPage />
                    <Route path=StaticSegment(AppRoute::WELCOME) view=WelcomePage />
                </ProtectedParentRoute>
            </Routes>
        </Router>
    }
}
