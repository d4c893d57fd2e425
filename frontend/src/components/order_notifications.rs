//! The settings card for order notifications: whether customers are told on WhatsApp
//! when their order is confirmed or completed, and the approved template used outside
//! the 24-hour window (without one, nothing is sent then and the order's timeline says
//! why).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::client::OrderNotifications;
use crate::components::feedback::Banner;
use crate::contexts::session::use_session;

/// The order-notification settings card.
#[component]
pub fn OrderNotificationsSection() -> impl IntoView {
    let session = use_session();
    let enabled = RwSignal::new(false);
    let template = RwSignal::new(String::new());
    let language = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Set by the owner's first change: the stored settings, if they arrive after it,
    // must not overwrite what was typed.
    let touched = RwSignal::new(false);
    let show = move |s: OrderNotifications| {
        enabled.set(s.enabled);
        template.set(s.template);
        language.set(s.template_language);
    };
    let client = session.client();
    spawn_local(async move {
        match client.order_notifications().await {
            Ok(s) if !touched.get_untracked() => show(s),
            Ok(_) => {}
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    let save = move |_| {
        let settings = OrderNotifications {
            enabled: enabled.get_untracked(),
            template: template.get_untracked(),
            template_language: language.get_untracked(),
        };
        let client = session.client();
        busy.set(true);
        notice.set(None);
        error.set(None);
        spawn_local(async move {
            match client.save_order_notifications(&settings).await {
                Ok(saved) => {
                    show(saved);
                    notice.set(Some("Order notifications saved".into()));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" data-testid="order-notifications">
            <h2 class="card-title">"Order notifications"</h2>
            <p class="muted">
                "Tell customers on WhatsApp when their order is confirmed or completed. Within 24 hours of their last message they get a short text; after that only an approved template can be sent (its body takes {{1}} the order number and {{2}} the status)."
            </p>
            <label class="switch" data-testid="order-notifications-switch">
                <input
                    type="checkbox"
                    data-testid="order-notifications-enabled"
                    prop:checked=move || enabled.get()
                    on:change=move |ev| {
                        touched.set(true);
                        enabled.set(event_target_checked(&ev));
                    }
                />
                <span class="switch-track" aria-hidden="true"></span>
                <span>"Notify customers"</span>
            </label>
            <label class="field">
                <span class="field-label">"Template name (optional)"</span>
                <input
                    class="input"
                    placeholder="order_update"
                    data-testid="order-notifications-template"
                    prop:value=move || template.get()
                    on:input=move |ev| {
                        touched.set(true);
                        template.set(event_target_value(&ev));
                    }
                />
            </label>
            <label class="field">
                <span class="field-label">"Template language"</span>
                <input
                    class="input"
                    placeholder="en_US"
                    data-testid="order-notifications-language"
                    prop:value=move || language.get()
                    on:input=move |ev| {
                        touched.set(true);
                        language.set(event_target_value(&ev));
                    }
                />
            </label>
            <Banner message=Signal::derive(move || error.get()) testid="order-notifications-error" />
            <Banner message=Signal::derive(move || notice.get()) success=true testid="order-notifications-notice" />
            <div class="form-actions">
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="order-notifications-save"
                    prop:disabled=move || busy.get()
                    on:click=save
                >
                    "Save"
                </button>
            </div>
        </section>
    }
}
