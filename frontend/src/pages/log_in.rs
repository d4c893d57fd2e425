//! `/login`

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::FieldErrors;
use shared::validation::is_plausible_email;

use crate::components::feedback::Banner;
use crate::components::forms::{FormErrors, TextField};
use crate::components::layout::AuthCard;
use crate::contexts::session::use_session;
use crate::pages::AppRoute;

/// Email and password; on success the guard moves on to the products page.
#[component]
pub fn LogInPage() -> impl IntoView {
    let session = use_session();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new(&["email", "password"], move || {
        let mut errors = FieldErrors::default();
        if !email.with(|email| is_plausible_email(email)) {
            errors.add("email", "must be a valid email address");
        }
        if password.with(String::is_empty) {
            errors.add("password", "is required");
        }
        errors
    });
    let submitting = RwSignal::new(false);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if submitting.get_untracked() || !untrack(|| errors.is_valid()) {
            return;
        }
        submitting.set(true);
        errors.clear_failure();
        let client = session.client();
        spawn_local(async move {
            let result = client
                .log_in(&email.get_untracked(), &password.get_untracked())
                .await;
            submitting.set(false);
            match result {
                Ok(auth) => session.sign_in(auth),
                Err(error) => errors.show_failure(&error),
            }
        });
    };

    view! {
        <AuthCard title="Log in" subtitle="Welcome back. Your AI salesperson kept working.">
            <form class="form" on:submit=submit novalidate=true data-testid="login-form">
                <TextField
                    label="Email"
                    id="login-email"
                    field="email"
                    value=email
                    errors=errors
                    input_type="email"
                    autocomplete="email"
                    placeholder="you@business.com"
                />
                <TextField
                    label="Password"
                    id="login-password"
                    field="password"
                    value=password
                    errors=errors
                    input_type="password"
                    autocomplete="current-password"
                />
                <Banner message=errors.banner testid="login-error" />
                <button
                    class="btn btn-primary btn-block"
                    type="submit"
                    data-testid="login-submit"
                    disabled=move || submitting.get() || !errors.is_valid()
                >
                    {move || if submitting.get() { "Logging in…" } else { "Log in" }}
                </button>
            </form>
            <p class="auth-switch">
                "New here? " <A href=AppRoute::SignUp.path() attr:data-testid="signup-link">
                    "Create an account"
                </A>
            </p>
        </AuthCard>
    }
}
