//! Any path the dashboard does not know.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::routes::AppRoute;

/// "Page not found", with a way back.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <div class="auth-page">
            <div class="auth-card">
                <h1 class="auth-title">"Page not found"</h1>
                <p class="muted">"There is nothing at this address."</p>
                <A href=AppRoute::Inbox.path() attr:class="btn btn-primary">
                    "Go to the inbox"
                </A>
            </div>
        </div>
    }
}
