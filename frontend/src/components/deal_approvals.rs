//! Deal approvals: the deals the AI could not agree to on its own (a customer asking
//! below the floor, or a discount on a bulk quantity), each with Approve (at a price
//! the owner may change) and Decline; and the settings card for the rule.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::money::{minor_to_input, parse_major};
use shared::{DealApprovalReason, DealApprovalStatus};

use crate::client::live::LiveEvent;
use crate::client::{ApprovalRule, DealApproval};
use crate::components::feedback::Banner;
use crate::components::inbox::format::date_time;
use crate::components::mutation::Mutation;
use crate::contexts::live::use_live;
use crate::contexts::session::use_session;
use crate::routes::AppRoute;

/// The deals waiting for the owner, live; of one chat when `chat_id` is given. Shows
/// nothing while none is waiting.
#[component]
pub fn PendingDeals(#[prop(optional)] chat_id: Option<String>) -> impl IntoView {
    let session = use_session();
    let live = use_live();
    let deals = RwSignal::new(Vec::<DealApproval>::new());
    let error = RwSignal::new(None::<String>);
    let latest = StoredValue::new(0_u64);
    let chat = StoredValue::new(chat_id);
    let load = move || {
        let client = session.client();
        let request = latest.get_value() + 1;
        latest.set_value(request);
        let chat = chat.get_value();
        spawn_local(async move {
            let result = client
                .deal_approvals(&[DealApprovalStatus::Pending], chat.as_deref())
                .await;
            if latest.try_get_value() != Some(request) {
                return;
            }
            match result {
                Ok(list) => {
                    deals.try_set(list);
                }
                Err(e) => {
                    error.try_set(Some(e.to_string()));
                }
            }
        });
    };
    load();
    live.on_event(move |event| {
        if matches!(event, LiveEvent::DealApprovalChanged(_)) {
            load();
        }
    });
    Effect::new(move |previous: Option<u32>| {
        let resyncs = live.resyncs();
        if previous.is_some_and(|p| p != resyncs) {
            load();
        }
        resyncs
    });
    let in_chat = chat.with_value(Option::is_some);
    view! {
        <Banner message=Signal::derive(move || error.get()) testid="deals-error" />
        <Show when=move || !deals.with(Vec::is_empty)>
            <section class="card deals" data-testid="pending-deals">
                <h2 class="card-title">"Deals waiting for you"</h2>
                <p class="muted">
                    "The AI told these customers it would check with you. Approve a price (never below the product's hard minimum) or decline: the customer gets your answer at once; undecided deals fall back to the floor when they expire."
                </p>
                <ul class="deal-list">
                    <For each=move || deals.get() key=|d| d.id.clone() let:deal>
                        <DealRow deal=deal in_chat=in_chat on_done=Callback::new(move |()| load()) />
                    </For>
                </ul>
            </section>
        </Show>
    }
}

/// One pending deal with its decision.
#[component]
fn DealRow(deal: DealApproval, in_chat: bool, on_done: Callback<()>) -> impl IntoView {
    let currency = deal.ask.currency.clone();
    let price = RwSignal::new(minor_to_input(deal.ask.amount_minor, &currency));
    let error = RwSignal::new(None::<String>);
    let approve = Mutation::reporting(
        error,
        |client, (id, minor): (String, i64)| async move { client.approve_deal(&id, minor).await },
        move |_| on_done.run(()),
    );
    let decline = Mutation::reporting(
        error,
        |client, id: String| async move { client.decline_deal(&id).await },
        move |_| on_done.run(()),
    );
    let id = StoredValue::new(deal.id.clone());
    let on_approve = move |_| {
        error.set(None);
        match parse_major(&price.get_untracked(), &currency) {
            Some(minor) if minor > 0 => approve.dispatch((id.get_value(), minor)),
            _ => error.set(Some("Enter the price you approve, e.g. 17,000".into())),
        }
    };
    let reason = match deal.reason {
        DealApprovalReason::BelowFloor => "below your floor",
        DealApprovalReason::Bulk => "a bulk discount",
    };
    let busy = move || approve.pending() || decline.pending();
    let chat_link = (!in_chat).then(|| {
        view! {
            <A href=AppRoute::Chat(deal.chat_id.clone()).path() attr:class="link-button">"Open chat"</A>
        }
    });
    view! {
        <li class="deal" data-testid="pending-deal">
            <div class="deal-summary">
                <strong>{deal.customer.clone()}</strong>
                " asks "
                <strong data-testid="deal-ask">{deal.ask.to_string()}</strong>
                {format!(" each for {} × {} ({reason}).", deal.quantity, deal.product)}
                <span class="muted">
                    {format!(
                        " Floor {}, our offer {}. Falls back to the floor at {}.",
                        deal.floor,
                        deal.offered,
                        date_time(&deal.expires_at)
                    )}
                </span>
            </div>
            <div class="deal-actions">
                <label class="field field-inline">
                    <span class="field-label">"Price"</span>
                    <input
                        class="input input-small"
                        inputmode="decimal"
                        data-testid="deal-price"
                        prop:value=move || price.get()
                        on:input=move |ev| price.set(event_target_value(&ev))
                    />
                </label>
                <button class="btn btn-primary btn-small" data-testid="deal-approve" prop:disabled=busy on:click=on_approve>
                    "Approve"
                </button>
                <button
                    class="btn btn-secondary btn-small"
                    data-testid="deal-decline"
                    prop:disabled=busy
                    on:click=move |_| {
                        error.set(None);
                        decline.dispatch(id.get_value());
                    }
                >
                    "Decline"
                </button>
                {chat_link}
            </div>
            <Banner message=Signal::derive(move || error.get()) testid="deal-error" />
        </li>
    }
}

/// The settings card for the rule: on or off, the bulk threshold, the expiry.
#[component]
pub fn ApprovalRuleSection() -> impl IntoView {
    let session = use_session();
    let enabled = RwSignal::new(false);
    let bulk = RwSignal::new(String::new());
    let expiry = RwSignal::new(String::from("120"));
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    // Set by the owner's first change: the stored rule, if it arrives after it, must
    // not overwrite what was typed.
    let touched = RwSignal::new(false);
    let show = move |r: ApprovalRule| {
        enabled.set(r.enabled);
        bulk.set(r.bulk_quantity.map(|q| q.to_string()).unwrap_or_default());
        expiry.set(r.expiry_minutes.to_string());
    };
    let client = session.client();
    spawn_local(async move {
        match client.approval_rule().await {
            Ok(r) if !touched.get_untracked() => show(r),
            Ok(_) => {}
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    let save = Mutation::reporting(
        error,
        |client, rule: ApprovalRule| async move { client.save_approval_rule(rule).await },
        move |saved| {
            show(saved);
            notice.set(Some("Deal approvals saved".into()));
        },
    );
    let on_save = move |_| {
        notice.set(None);
        error.set(None);
        let bulk_quantity = match bulk.get_untracked().trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(q) => Some(q),
                Err(_) => {
                    error.set(Some("Bulk quantity: enter a whole number, e.g. 10".into()));
                    return;
                }
            },
        };
        let Ok(expiry_minutes) = expiry.get_untracked().trim().parse::<i64>() else {
            error.set(Some("Answer within: enter minutes, e.g. 120".into()));
            return;
        };
        save.dispatch(ApprovalRule {
            enabled: enabled.get_untracked(),
            bulk_quantity,
            expiry_minutes,
        });
    };
    view! {
        <section class="card" data-testid="approval-rule">
            <h2 class="card-title">"Deal approvals"</h2>
            <p class="muted">
                "When on, a customer asking below a product's floor (or for a discount on a bulk order) is told the AI will check with you, and the deal waits for you on Home and in the chat. When off, the floor is the AI's final word."
            </p>
            <label class="switch">
                <input
                    type="checkbox"
                    data-testid="approval-enabled"
                    prop:checked=move || enabled.get()
                    on:change=move |ev| {
                        touched.set(true);
                        enabled.set(event_target_checked(&ev));
                    }
                />
                <span class="switch-track" aria-hidden="true"></span>
                <span>"Ask me before going below the floor"</span>
            </label>
            <label class="field">
                <span class="field-label">"Bulk orders from (units, optional)"</span>
                <input
                    class="input"
                    inputmode="numeric"
                    placeholder="10"
                    data-testid="approval-bulk"
                    prop:value=move || bulk.get()
                    on:input=move |ev| {
                        touched.set(true);
                        bulk.set(event_target_value(&ev));
                    }
                />
            </label>
            <label class="field">
                <span class="field-label">"Answer within (minutes; then the floor is offered)"</span>
                <input
                    class="input"
                    inputmode="numeric"
                    data-testid="approval-expiry"
                    prop:value=move || expiry.get()
                    on:input=move |ev| {
                        touched.set(true);
                        expiry.set(event_target_value(&ev));
                    }
                />
            </label>
            <Banner message=Signal::derive(move || error.get()) testid="approval-error" />
            <Banner message=Signal::derive(move || notice.get()) success=true testid="approval-notice" />
            <div class="form-actions">
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="approval-save"
                    prop:disabled=move || save.pending()
                    on:click=on_save
                >
                    "Save"
                </button>
            </div>
        </section>
    }
}
