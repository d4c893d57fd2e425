//! `/accept-invite#<secret>`: the page an owner's invitation link opens. The invited
//! person gives their name and a password and is signed in as staff. The secret stays
//! in the URL's fragment, which the browser never sends to a server.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use shared::FieldErrors;
use shared::validation::{check_length, check_password};

use crate::components::feedback::Banner;
use crate::components::forms::{FormErrors, SubmitButton, TextField};
use crate::components::layout::AuthCard;
use crate::contexts::session::use_session;
use crate::routes::AppRoute;

/// The invitation's secret from the address bar's fragment (`#...`), if any.
fn secret_from_location() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').trim().to_string())
        .unwrap_or_default()
}

/// Name and password; on success the new staff member lands on the home page.
#[component]
pub fn AcceptInvitePage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let secret = StoredValue::new(secret_from_location());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new(&["name", "password"], move || {
        let mut errors = FieldErrors::default();
        check_length(&mut errors, "name", &name.read(), 1, 120);
        check_password(&mut errors, "password", &password.read());
        errors
    });
    let accept = errors.mutation(
        |client, (token, name, password): (String, String, String)| async move {
            client.accept_invite(&token, &name, &password).await
        },
        move |auth| {
            session.sign_in(auth);
            navigate(&AppRoute::Home.path(), Default::default());
        },
    );
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        errors.submit(accept, || {
            (
                secret.get_value(),
                name.get_untracked(),
                password.get_untracked(),
            )
        });
    };
    let missing = secret.with_value(String::is_empty);
    view! {
        <AuthCard title="Join your team" subtitle="You were invited to help run a business on WhatsApp AI Sales.">
            <Show
                when=move || !missing
                fallback=|| view! {
                    <p class="banner banner-error" data-testid="accept-invite-missing">
                        "This link is incomplete. Open the whole invitation link you were sent, or ask for a new one."
                    </p>
                }
            >
                <form class="form" on:submit=submit novalidate=true data-testid="accept-invite-form">
                    <TextField
                        label="Your name"
                        id="accept-invite-name"
                        field="name"
                        value=name
                        errors=errors
                        autocomplete="name"
                    />
                    <TextField
                        label="Choose a password"
                        id="accept-invite-password"
                        field="password"
                        value=password
                        errors=errors
                        input_type="password"
                        autocomplete="new-password"
                    />
                    <Banner message=errors.banner testid="accept-invite-error" />
                    <SubmitButton save=accept errors=errors testid="accept-invite-submit" label="Join" busy_label="Joining…" class="btn btn-primary btn-block" />
                </form>
            </Show>
        </AuthCard>
    }
}
