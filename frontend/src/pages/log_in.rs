//! `/login`

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::FieldErrors;
use shared::validation::is_plausible_email;

use crate::components::feedback::Banner;
use crate::components::forms::{FormErrors, SubmitButton, TextField};
use crate::components::layout::AuthCard;
use crate::contexts::session::use_session;
use crate::pages::legal::LegalLinks;
use crate::routes::AppRoute;

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
    let log_in = errors.mutation(
        |client, (email, password): (String, String)| async move {
            client.log_in(&email, &password).await
        },
        move |auth| session.sign_in(auth),
    );
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        errors.submit(log_in, || (email.get_untracked(), password.get_untracked()));
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
                <SubmitButton save=log_in errors=errors testid="login-submit" label="Log in" busy_label="Logging in…" class="btn btn-primary btn-block" />
            </form>
            <p class="auth-switch">
                "New here? " <A href=AppRoute::SignUp.path() attr:data-testid="signup-link">
                    "Create an account"
                </A>
            </p>
            <LegalLinks />
        </AuthCard>
    }
}
