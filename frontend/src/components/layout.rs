//! The frames pages sit in: the signed-in shell (navigation, business name, log-out) and
//! the card that holds the log-in and sign-up forms.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::use_location;

use crate::components::feedback::Spinner;
use crate::components::icons::Icon;
use crate::contexts::live::Live;
use crate::contexts::session::{SessionState, use_session};
use crate::routes::AppRoute;

/// One entry of the main navigation.
#[derive(Debug)]
struct NavEntry {
    /// Where it leads.
    route: AppRoute,
    /// Link text.
    label: &'static str,
    /// Icon beside the text.
    icon: Icon,
    /// `data-testid` of the link.
    testid: &'static str,
}

/// The main navigation, in order.
const NAVIGATION: &[NavEntry] = &[
    NavEntry {
        route: AppRoute::Home,
        label: "Home",
        icon: Icon::Home,
        testid: "nav-home",
    },
    NavEntry {
        route: AppRoute::Inbox,
        label: "Inbox",
        icon: Icon::Inbox,
        testid: "nav-inbox",
    },
    NavEntry {
        route: AppRoute::Orders,
        label: "Orders",
        icon: Icon::Orders,
        testid: "nav-orders",
    },
    NavEntry {
        route: AppRoute::Products,
        label: "Products",
        icon: Icon::Products,
        testid: "nav-products",
    },
    NavEntry {
        route: AppRoute::Blacklist,
        label: "Blacklist",
        icon: Icon::Blocked,
        testid: "nav-blacklist",
    },
    NavEntry {
        route: AppRoute::FollowUps,
        label: "Follow-ups",
        icon: Icon::FollowUps,
        testid: "nav-follow-ups",
    },
    NavEntry {
        route: AppRoute::Activity,
        label: "Activity",
        icon: Icon::Activity,
        testid: "nav-activity",
    },
    NavEntry {
        route: AppRoute::Settings,
        label: "Settings",
        icon: Icon::Settings,
        testid: "nav-settings",
    },
];

/// The product's mark and name.
#[component]
fn Brand() -> impl IntoView {
    view! {
        <span class="brand">
            <span class="brand-mark" aria-hidden="true">
                "AI"
            </span>
            <span class="brand-name">"WhatsApp AI Sales"</span>
        </span>
    }
}

/// The signed-in frame: navigation (a sidebar; a collapsible top bar on phones), the
/// business name and the log-out button, and the current page. It also holds the live
/// connection ([`Live`]), so it opens after log-in and closes at log-out.
#[component]
pub fn AppShell() -> impl IntoView {
    let session = use_session();
    // The live connection lives as long as the signed-in shell: it closes on log-out.
    Live::provide(session);
    let menu_open = RwSignal::new(false);
    let location = use_location();
    // Following a link closes the phone menu.
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
    });
    let logging_out = RwSignal::new(false);
    let log_out = move |_| {
        logging_out.set(true);
        spawn_local(session.log_out());
    };
    let business_name = move || session.business().map(|b| b.name).unwrap_or_default();
    let email = move || session.user().map(|u| u.email).unwrap_or_default();

    view! {
        <div class="shell" class:menu-open=move || menu_open.get()>
            <header class="sidebar">
                <div class="sidebar-top">
                    <A href=AppRoute::Home.path() attr:class="brand-link">
                        <Brand />
                    </A>
                    <button
                        class="menu-toggle"
                        type="button"
                        data-testid="menu-toggle"
                        aria-label="Menu"
                        aria-controls="main-nav"
                        aria-expanded=move || menu_open.get().to_string()
                        on:click=move |_| menu_open.update(|open| *open = !*open)
                    >
                        {Icon::Menu.view()}
                    </button>
                </div>
                <div class="sidebar-body" id="main-nav">
                    <nav class="nav" aria-label="Main">
                        {NAVIGATION
                            .iter()
                            .map(|entry| {
                                view! {
                                    <A
                                        href=entry.route.path()
                                        // Home is `/`, a prefix of every path: active only there.
                                        exact=entry.route == AppRoute::Home
                                        attr:class="nav-link"
                                        attr:data-testid=entry.testid
                                    >
                                        {entry.icon.view()}
                                        <span>{entry.label}</span>
                                    </A>
                                }
                            })
                            .collect_view()}
                    </nav>
                    <div class="account">
                        <div class="account-name" data-testid="business-name">
                            {business_name}
                        </div>
                        <div class="account-email">{email}</div>
                        <button
                            class="btn btn-secondary btn-block"
                            type="button"
                            data-testid="logout-button"
                            disabled=move || logging_out.get()
                            on:click=log_out
                        >
                            "Log out"
                        </button>
                    </div>
                </div>
            </header>
            <main class="main">
                <Outlet />
            </main>
        </div>
    }
}

/// The centred card around the log-in and sign-up forms.
#[component]
pub fn AuthCard(
    /// Heading.
    #[prop(into)]
    title: String,
    /// Line under the heading.
    #[prop(into)]
    subtitle: String,
    /// The form.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="auth-page">
            <div class="auth-card">
                <Brand />
                <h1 class="auth-title">{title}</h1>
                <p class="muted">{subtitle}</p>
                {children()}
            </div>
        </div>
    }
}

/// What route guards show while the session is unknown: a spinner while the stored token
/// is checked, or the failure with a retry.
#[component]
pub fn SessionPending() -> impl IntoView {
    let session = use_session();
    move || match session.state() {
        SessionState::RestoreFailed(error) => view! {
            <div class="auth-page">
                <div class="auth-card" role="alert">
                    <Brand />
                    <h1 class="auth-title">"Can't open your dashboard"</h1>
                    <p class="muted">{error.to_string()}</p>
                    <div class="form-actions">
                        <button class="btn btn-primary" on:click=move |_| session.restore()>
                            "Try again"
                        </button>
                        <button class="btn btn-secondary" on:click=move |_| session.clear()>
                            "Log in again"
                        </button>
                    </div>
                </div>
            </div>
        }
        .into_any(),
        _ => view! { <Spinner label="Opening your dashboard" /> }.into_any(),
    }
}

/// The header of a page under another: a link back to it above the title.
#[component]
pub fn SubPageHeader(
    /// The page the back link leads to.
    back: AppRoute,
    /// The back link's text.
    back_label: &'static str,
    /// The page title.
    title: &'static str,
) -> impl IntoView {
    view! {
        <header class="page-header">
            <div>
                <A href=back.path() attr:class="back-link">
                    {Icon::Back.view()}
                    <span>{back_label}</span>
                </A>
                <h1 class="page-title">{title}</h1>
            </div>
        </header>
    }
}
