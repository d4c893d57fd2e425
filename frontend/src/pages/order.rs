//! `/orders/:id`: one order: its lines, customer, delivery, a link to the chat it came
//! from, its timeline (the activity log about it), and the moves staff make next.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::OrderStatus;

use crate::client::live::LiveEvent;
use crate::client::{ClientError, Order, TimelineEntry};
use crate::components::feedback::{Banner, LoadError, Spinner};
use crate::components::layout::SubPageHeader;
use crate::contexts::live::use_live;
use crate::contexts::session::use_session;
use crate::pages::orders::{source_label, status_label};
use crate::routes::AppRoute;

/// A move staff can make on an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    Confirm,
    Complete,
    Cancel,
}

/// The order page; reloads when the order changes live.
#[component]
pub fn OrderPage() -> impl IntoView {
    let session = use_session();
    let live = use_live();
    let params = use_params_map();
    let id = move || params.read().get(AppRoute::ID).unwrap_or_default();
    let order = session.resource(move |client| {
        let id = id();
        async move { client.order(&id).await }
    });
    live.on_event(move |event| {
        if let LiveEvent::OrderChanged(changed) = event
            && changed.id == id()
        {
            order.refetch();
        }
    });

    view! {
        <div class="page page-narrow">
            <SubPageHeader back=AppRoute::Orders back_label="Orders" title="Order" />
            <Suspense fallback=|| view! { <Spinner label="Loading order" /> }>
                {move || {
                    order
                        .get()
                        .map(|result| match result {
                            Ok((loaded, timeline)) => {
                                view! {
                                    <OrderDetails
                                        order=loaded
                                        timeline=timeline
                                        on_changed=Callback::new(move |()| order.refetch())
                                    />
                                }
                                    .into_any()
                            }
                            Err(ClientError::NotFound(_)) => {
                                view! {
                                    <div class="empty-state" data-testid="order-not-found">
                                        <p class="empty-title">"This order does not exist"</p>
                                        <A href=AppRoute::Orders.path() attr:class="btn btn-secondary">
                                            "Back to orders"
                                        </A>
                                    </div>
                                }
                                    .into_any()
                            }
                            Err(error) => {
                                view! {
                                    <LoadError
                                        error=error
                                        on_retry=Callback::new(move |()| order.refetch())
                                    />
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </div>
    }
}

/// The loaded order with its actions.
#[component]
fn OrderDetails(
    order: Order,
    timeline: Vec<TimelineEntry>,
    on_changed: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let order_id = order.id.clone();
    let run = move |action: Move| {
        let client = session.client();
        let id = order_id.clone();
        let why = reason.get_untracked();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match action {
                Move::Confirm => client.confirm_order(&id).await,
                Move::Complete => client.complete_order(&id).await,
                Move::Cancel => client.cancel_order(&id, &why).await,
            };
            busy.set(false);
            match result {
                Ok(_) => on_changed.run(()),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let status = order.status;
    let can = move |to: OrderStatus| status.can_move_to(to);
    let run_confirm = run.clone();
    let run_complete = run.clone();
    let lines = order
        .items
        .iter()
        .map(|i| {
            let color = i
                .color
                .clone()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            view! {
                <li data-testid="order-line">
                    {format!("{} × {}{color} at {}", i.quantity, i.name, i.unit_price)}
                </li>
            }
        })
        .collect_view();
    let steps = timeline
        .into_iter()
        .map(|e| {
            view! {
                <li data-testid="order-step">
                    <span>{e.summary}</span>
                    <span class="muted">{format!(" · {} · {}", e.actor, e.created_at)}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2 class="card-title">
                <span data-testid="order-number">{order.number.clone()}</span>
                " "
                <span class="badge" data-testid="order-status">{status_label(status)}</span>
            </h2>
            <p class="muted">{source_label(order.source)}</p>
            <ul class="details">{lines}</ul>
            <p>
                <strong>"Total: "</strong>
                <span data-testid="order-total">{order.total.clone()}</span>
            </p>
            <p>
                <strong>"Customer: "</strong>
                {order.customer_name.clone().unwrap_or_else(|| "Customer".into())}
                {order
                    .chat_id
                    .clone()
                    .map(|chat| {
                        view! {
                            " · "
                            <A href=AppRoute::Chat(chat).path() attr:data-testid="order-chat-link">
                                "Open the chat"
                            </A>
                        }
                    })}
            </p>
            <p>
                <strong>"Delivery: "</strong>
                {order.delivery_details.clone().unwrap_or_default()}
            </p>
            {order.notes.clone().map(|n| view! { <p class="muted">{n}</p> })}
            <Banner message=Signal::derive(move || error.get()) testid="order-error" />
            <div class="form-actions">
                <Show when=move || can(OrderStatus::Confirmed)>
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-testid="order-confirm"
                        prop:disabled=move || busy.get()
                        on:click={
                            let run = run_confirm.clone();
                            move |_| run(Move::Confirm)
                        }
                    >
                        "Confirm"
                    </button>
                </Show>
                <Show when=move || can(OrderStatus::Completed)>
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-testid="order-complete"
                        prop:disabled=move || busy.get()
                        on:click={
                            let run = run_complete.clone();
                            move |_| run(Move::Complete)
                        }
                    >
                        "Mark completed"
                    </button>
                </Show>
                <Show when=move || can(OrderStatus::Cancelled)>
                    <input
                        class="input"
                        placeholder="Reason (optional)"
                        data-testid="order-cancel-reason"
                        prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))
                    />
                    <button
                        type="button"
                        class="btn btn-danger-outline"
                        data-testid="order-cancel"
                        prop:disabled=move || busy.get()
                        on:click={
                            let run = run.clone();
                            move |_| run(Move::Cancel)
                        }
                    >
                        "Cancel order"
                    </button>
                </Show>
            </div>
        </section>
        <section class="card">
            <h2 class="card-title">"Timeline"</h2>
            <ol class="steps" data-testid="order-timeline">{steps}</ol>
        </section>
    }
}
