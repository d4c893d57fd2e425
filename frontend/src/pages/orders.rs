//! `/orders`: the orders to fulfil, by status (tabs) and source, searchable, with the
//! filtered list's total, a page at a time, and live: an order recorded or moved
//! anywhere reloads the list; narrowed to days (in the browser's time zone) and to one
//! customer (`/orders?customer=<contact id>`, linked from a chat's customer panel).
//! New orders by hand: [`super::new_order`].

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::{OrderSource, OrderStatus};

use crate::client::live::LiveEvent;
use crate::client::{Order, OrderQuery};
use crate::components::feedback::{Banner, Spinner};
use crate::components::forms::DateRange;
use crate::components::icons::Icon;
use crate::components::inbox::format::local_day_start;
use crate::components::paged::{Paged, PagedFooter, SearchBox};
use crate::contexts::live::use_live;
use crate::contexts::session::use_session;
use crate::routes::{AppRoute, CUSTOMER_PARAM};

/// Orders fetched per page.
const PAGE_SIZE: i64 = 20;

/// The tabs: all orders, then one per status.
const TABS: &[(Option<OrderStatus>, &str)] = &[
    (None, "All"),
    (Some(OrderStatus::Pending), "Pending"),
    (Some(OrderStatus::Confirmed), "Confirmed"),
    (Some(OrderStatus::Completed), "Completed"),
    (Some(OrderStatus::Cancelled), "Cancelled"),
];

/// A status as people read it.
pub fn status_label(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Pending => "Pending",
        OrderStatus::Confirmed => "Confirmed",
        OrderStatus::Completed => "Completed",
        OrderStatus::Cancelled => "Cancelled",
    }
}

/// Orders fetched per request when exporting.
const EXPORT_PAGE: i64 = 100;
/// Most orders in one export.
const EXPORT_MAX: usize = 10_000;

/// The customer filter's chip: their name once an order shows it.
fn customer_label(name: &Option<String>) -> String {
    match name {
        Some(name) => format!("Customer: {name}"),
        None => "One customer".into(),
    }
}

/// Where an order came from, as people read it.
pub fn source_label(source: OrderSource) -> &'static str {
    match source {
        OrderSource::Chat => "From chat",
        OrderSource::Manual => "Entered by hand",
    }
}

/// The order list.
#[component]
pub fn OrdersPage() -> impl IntoView {
    let session = use_session();
    let live = use_live();
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(Some(OrderStatus::Pending));
    let source = RwSignal::new(None::<OrderSource>);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let query_map = use_query_map();
    let customer =
        Memo::new(move |_| query_map.with(|q| q.get(CUSTOMER_PARAM).filter(|id| !id.is_empty())));
    // A customer's orders: all of them, whatever their status.
    Effect::new(move |_| {
        if customer.get().is_some() {
            status.set(None);
        }
    });
    let order_query = move |first: i64, after: Option<String>| OrderQuery {
        first,
        after,
        status: status.get_untracked(),
        source: source.get_untracked(),
        search: search.get_untracked(),
        since: local_day_start(&from.get_untracked(), 0),
        until: local_day_start(&to.get_untracked(), 1),
        contact_id: customer.get_untracked(),
    };
    let totals = RwSignal::new(Vec::<String>::new());
    let paged = Paged::<Order>::start();
    let load = move |more: bool| {
        let client = session.client();
        paged.load(more, move |after| {
            let query = order_query(PAGE_SIZE, after);
            async move {
                let (page, sums) = client.orders(&query).await?;
                if !more {
                    totals.set(sums);
                }
                Ok(page)
            }
        });
    };
    Effect::new(move |_| {
        search.track();
        status.track();
        source.track();
        from.track();
        to.track();
        customer.track();
        live.resyncs();
        load(false);
    });
    // Live: any order recorded or moved changes the tabs' contents and totals.
    live.on_event(move |event| {
        if let LiveEvent::OrderChanged(_) = event {
            load(false);
        }
    });

    // CSV of everything the filters match (not only the loaded pages), up to a cap.
    let exporting = RwSignal::new(false);
    let export_error = RwSignal::new(None::<String>);
    let export = move |_| {
        exporting.set(true);
        export_error.set(None);
        let client = session.client();
        let mut query = order_query(EXPORT_PAGE, None);
        spawn_local(async move {
            let mut all = Vec::new();
            let result = loop {
                match client.orders(&query).await {
                    Ok((page, _)) => {
                        all.extend(page.items);
                        if !page.has_next_page || all.len() >= EXPORT_MAX {
                            break Ok(());
                        }
                        query.after = page.end_cursor;
                    }
                    Err(e) => break Err(e.to_string()),
                }
            };
            let result = result.and_then(|()| {
                crate::components::csv::download(
                    "orders.csv",
                    &crate::components::csv::orders_csv(&all),
                )
            });
            exporting.try_set(false);
            if let Err(e) = result {
                export_error.try_set(Some(format!("Could not export: {e}")));
            }
        });
    };

    let summary = move || {
        let count = paged.list.with(|l| l.total_count.unwrap_or_default());
        let noun = if count == 1 { "order" } else { "orders" };
        let money = totals.with(|t| t.join(" + "));
        if money.is_empty() {
            format!("{count} {noun}")
        } else {
            format!("{count} {noun} · {money}")
        }
    };

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1 class="page-title">"Orders"</h1>
                    <p class="muted" data-testid="order-summary">{summary}</p>
                </div>
                <button
                    class="btn btn-secondary"
                    data-testid="order-export"
                    disabled=move || exporting.get()
                    on:click=export
                >
                    {move || if exporting.get() { "Exporting…" } else { "Export CSV" }}
                </button>
                <A
                    href=AppRoute::NewOrder.path()
                    attr:class="btn btn-primary"
                    attr:data-testid="order-new"
                >
                    {Icon::Plus.view()}
                    <span>"New order"</span>
                </A>
            </header>
            <Banner message=export_error testid="order-export-error" />
            <div class="toolbar">
                <SearchBox search=search label="Search orders by customer or product" placeholder="Customer, phone or product" testid="order-search" />
                <div class="segmented" role="group" aria-label="Status">
                    {TABS
                        .iter()
                        .map(|(tab, label)| {
                            let tab = *tab;
                            let testid = format!(
                                "order-tab-{}",
                                tab.map_or("all", |s| s.as_str()),
                            );
                            view! {
                                <button
                                    type="button"
                                    class="segment"
                                    class:active=move || status.get() == tab
                                    aria-pressed=move || (status.get() == tab).to_string()
                                    data-testid=testid
                                    on:click=move |_| status.set(tab)
                                >
                                    {*label}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
                <select
                    class="input"
                    aria-label="Source"
                    data-testid="order-source"
                    on:change=move |ev| source.set(OrderSource::parse(&event_target_value(&ev)))
                >
                    <option value="" selected=true>"All sources"</option>
                    <option value=OrderSource::Chat.as_str()>{source_label(OrderSource::Chat)}</option>
                    <option value=OrderSource::Manual.as_str()>{source_label(OrderSource::Manual)}</option>
                </select>
                <DateRange from=from to=to testid="order" />
                <Show when=move || customer.with(Option::is_some)>
                    <button
                        type="button"
                        class="btn btn-secondary btn-small"
                        data-testid="order-customer-clear"
                        title="Show every customer's orders"
                        on:click=move |_| use_navigate()(&AppRoute::Orders.path(), Default::default())
                    >
                        {move || customer_label(&paged.list.with(|l| l.items.first().and_then(|o| o.customer_name.clone())))}
                        " ×"
                    </button>
                </Show>
            </div>
            <Show when=move || paged.list.with(|l| !l.items.is_empty())>
                <div class="product-list" data-testid="order-list">
                    <For
                        each=move || paged.list.with(|l| l.items.clone())
                        key=|order| (order.id.clone(), order.status)
                        let:order
                    >
                        <OrderRow order=order />
                    </For>
                </div>
            </Show>
            <Show when=move || paged.first_loading()>
                <Spinner label="Loading orders" />
            </Show>
            <Show when=move || paged.is_empty()>
                <div class="empty-state" data-testid="order-empty">
                    <p class="empty-title">"No orders here"</p>
                    <p class="muted">
                        "Orders the AI records from chats, and orders entered by hand, appear here."
                    </p>
                </div>
            </Show>
            <PagedFooter
                paged=paged
                error_class="banner banner-error"
                error_testid="order-list-error"
                more_class="btn btn-secondary"
                more_testid="order-load-more"
                on_load_more=Callback::new(move |()| load(true))
                on_retry=Callback::new(move |()| load(false))
            />
        </div>
    }
}

/// One order in the list: number, customer, lines, total, status; opens the order.
#[component]
fn OrderRow(order: Order) -> impl IntoView {
    let lines = order
        .items
        .iter()
        .map(|i| match &i.color {
            Some(color) => format!("{} × {} ({color})", i.quantity, i.name),
            None => format!("{} × {}", i.quantity, i.name),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let customer = order
        .customer_name
        .clone()
        .unwrap_or_else(|| "Customer".into());
    view! {
        <A href=AppRoute::Order(order.id.clone()).path() attr:class="product-row" attr:data-testid="order-row">
            <span class="mono">{order.number.clone()}</span>
            <span class="product-main">
                <span class="product-name">{customer}</span>
                <span class="muted">{lines}</span>
            </span>
            <span class="product-price">{order.total.clone()}</span>
            <span class="muted">{source_label(order.source)}</span>
            <span class="badge" data-testid="order-status">{status_label(order.status)}</span>
        </A>
    }
}
