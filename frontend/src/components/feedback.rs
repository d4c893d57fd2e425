//! Loading, error and success indicators.

use leptos::prelude::*;

use crate::client::ClientError;

/// A centred spinner with a label for screen readers.
#[component]
pub fn Spinner(
    /// What is loading, read out by screen readers.
    #[prop(into, default = "Loading".to_string())]
    label: String,
) -> impl IntoView {
    view! {
        <div class="spinner-wrap" role="status">
            <span class="spinner" aria-hidden="true"></span>
            <span class="visually-hidden">{label}</span>
        </div>
    }
}

/// A banner under a form or page title: an error (`role="alert"`) or a confirmation.
#[component]
pub fn Banner(
    /// The text; nothing is shown while it is `None`.
    #[prop(into)]
    message: Signal<Option<String>>,
    /// `true` for a success message, `false` for an error.
    #[prop(optional)]
    success: bool,
    /// `data-testid` of the banner.
    #[prop(into)]
    testid: String,
) -> impl IntoView {
    let class = if success {
        "banner banner-success"
    } else {
        "banner banner-error"
    };
    let role = if success { "status" } else { "alert" };
    view! {
        <Show when=move || message.with(Option::is_some)>
            <div class=class role=role data-testid=testid.clone()>
                {move || message.get()}
            </div>
        </Show>
    }
}

/// A failed load: the error and a button to try again.
#[component]
pub fn LoadError(
    /// What went wrong.
    error: ClientError,
    /// Runs when the user asks to try again.
    on_retry: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="empty-state" role="alert" data-testid="load-error">
            <p class="empty-title">"Couldn't load this"</p>
            <p class="muted">{error.to_string()}</p>
            <button class="btn btn-secondary" on:click=move |_| on_retry.run(())>
                "Try again"
            </button>
        </div>
    }
}
