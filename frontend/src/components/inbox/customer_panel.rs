//! The customer panel of a chat: who the customer is (number or username, WhatsApp's
//! name), what they ordered and spent, whether they are blocked, and the owner's own
//! name and notes for them (editable).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::phone::display_phone;

use crate::client::Customer;
use crate::components::feedback::Banner;
use crate::components::mutation::Mutation;
use crate::contexts::session::use_session;
use crate::routes::customer_orders_path;

/// The customer of chat `chat_id`, folded until opened.
#[component]
pub fn CustomerPanel(chat_id: String) -> impl IntoView {
    let session = use_session();
    let customer = RwSignal::new(None::<Customer>);
    let name = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let show = move |c: Customer| {
        name.set(c.custom_name.clone().unwrap_or_default());
        notes.set(c.notes.clone().unwrap_or_default());
        customer.set(Some(c));
    };
    let load = {
        let chat_id = chat_id.clone();
        move || {
            let client = session.client();
            let chat_id = chat_id.clone();
            spawn_local(async move {
                match client.chat_customer(&chat_id).await {
                    Ok(c) => show(c),
                    Err(e) => {
                        error.try_set(Some(e.to_string()));
                    }
                }
            });
        }
    };
    let save = Mutation::reporting(
        error,
        |client, (id, name, notes): (String, String, String)| async move {
            client.update_contact(&id, &name, &notes).await
        },
        move |saved| {
            show(saved);
            notice.set(Some("Customer saved".into()));
        },
    );
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        let Some(id) = customer.with_untracked(|c| c.as_ref().map(|c| c.id.clone())) else {
            return;
        };
        save.dispatch((id, name.get_untracked(), notes.get_untracked()));
    };
    view! {
        <details
            class="customer-panel"
            data-testid="customer-panel"
            on:toggle=move |_| {
                if customer.with_untracked(Option::is_none) {
                    load();
                }
            }
        >
            <summary>"Customer"</summary>
            {move || customer.get().map(|c| {
                let who = [
                    c.wa_id.as_deref().map(display_phone),
                    c.username.as_deref().map(|u| format!("@{u}")),
                    c.profile_name.clone().map(|n| format!("on WhatsApp: {n}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
                let spent = if c.total_spent.is_empty() {
                    "nothing yet".to_string()
                } else {
                    c.total_spent.join(" + ")
                };
                view! {
                    <p class="muted" data-testid="customer-identity">{who}</p>
                    <p data-testid="customer-orders">
                        {format!("{} order{} · spent {spent}", c.order_count, if c.order_count == 1 { "" } else { "s" })}
                        {c.blacklisted.then(|| view! { " · " <span class="badge badge-danger">"Blocked"</span> })}
                    </p>
                    {(c.order_count > 0).then(|| view! {
                        <A href=customer_orders_path(&c.id) attr:class="link" attr:data-testid="customer-orders-link">
                            "See their orders"
                        </A>
                    })}
                }
            })}
            <form class="customer-form" on:submit=on_save>
                <label class="field">
                    <span class="field-label">"Your name for them"</span>
                    <input
                        class="input"
                        maxlength="120"
                        data-testid="customer-name"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </label>
                <label class="field">
                    <span class="field-label">"Notes"</span>
                    <textarea
                        class="input"
                        rows="3"
                        maxlength="4000"
                        data-testid="customer-notes"
                        prop:value=move || notes.get()
                        on:input=move |ev| notes.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <Banner message=Signal::derive(move || error.get()) testid="customer-error" />
                <Banner message=Signal::derive(move || notice.get()) success=true testid="customer-notice" />
                <button
                    type="submit"
                    class="btn btn-secondary btn-small"
                    data-testid="customer-save"
                    prop:disabled=move || save.pending() || customer.with(Option::is_none)
                >
                    "Save"
                </button>
            </form>
        </details>
    }
}
