//! `/`: the owner's day at a glance: chats waiting, sales today / 7 / 30 days (the AI's
//! and staff's), conversion, a 30-day chart, best sellers, the AI's week, and what
//! haggling earned and protected. Reloaded live (debounced) as things happen.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::client::live::LiveEvent;
use crate::client::{ClientError, Dashboard, SalesPeriod};
use crate::components::deal_approvals::PendingDeals;
use crate::components::feedback::Spinner;
use crate::contexts::live::use_live;
use crate::contexts::session::use_session;
use crate::routes::AppRoute;

/// Wait after a live event before reloading (a burst reloads once).
const RELOAD_DEBOUNCE: Duration = Duration::from_millis(1500);

fn join(amounts: &[String]) -> String {
    if amounts.is_empty() {
        "—".to_string()
    } else {
        amounts.join(" + ")
    }
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_string(), |v| format!("{v:.0}%"))
}

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    let live = use_live();
    let data = RwSignal::new(None::<Result<Dashboard, ClientError>>);
    let days = RwSignal::new(7_i64);
    let latest = StoredValue::new(0_u64);
    let load = move || {
        let client = session.client();
        let request = latest.get_value() + 1;
        latest.set_value(request);
        spawn_local(async move {
            let result = client.dashboard().await;
            if latest.try_get_value() == Some(request) {
                data.try_set(Some(result));
            }
        });
    };
    load();
    let pending = StoredValue::new(None::<TimeoutHandle>);
    on_cleanup(move || {
        if let Some(Some(handle)) = pending.try_get_value() {
            handle.clear();
        }
    });
    live.on_event(move |event| {
        if matches!(
            event,
            LiveEvent::ActivityAdded(_) | LiveEvent::ChatUpdated(_)
        ) {
            if let Some(handle) = pending.get_value() {
                handle.clear();
            }
            pending.set_value(set_timeout_with_handle(load, RELOAD_DEBOUNCE).ok());
        }
    });
    Effect::new(move |previous: Option<u32>| {
        let resyncs = live.resyncs();
        if previous.is_some_and(|p| p != resyncs) {
            load();
        }
        resyncs
    });

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1 class="page-title">"Home"</h1>
                    <p class="muted">"Your shop today: who is waiting, what sold, what the AI did."</p>
                </div>
            </header>
            <PendingDeals />
            {move || match data.get() {
                None => view! { <Spinner label="Loading your day" /> }.into_any(),
                Some(Err(e)) => view! {
                    <div class="banner banner-error" role="alert" data-testid="home-error">{e.to_string()}</div>
                }
                .into_any(),
                Some(Ok(d)) => view! { <DashboardView d=d days=days /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn DashboardView(d: Dashboard, days: RwSignal<i64>) -> impl IntoView {
    let periods = d.periods.clone();
    let selected = move || {
        let wanted = days.get();
        periods.iter().find(|p| p.days == wanted).cloned()
    };
    let max_orders = d.chart.iter().map(|c| c.orders).max().unwrap_or(0).max(1);
    view! {
        <div class="home-grid">
            <A href=AppRoute::Inbox.path() attr:class="card stat" attr:data-testid="home-unanswered">
                <span class="stat-value">{d.unanswered_chats}</span>
                <span class="stat-label">"waiting for an answer"</span>
                <span class="muted">{format!("{} chats open (last 24 h)", d.open_chats)}</span>
            </A>
            <section class="card stat" data-testid="home-ai">
                <span class="stat-value">{d.ai_replies}</span>
                <span class="stat-label">"AI replies this week"</span>
                <span class="muted">
                    {format!("{} handed to you · {} held back by the price check", d.ai_handoffs, d.ai_blocked)}
                </span>
            </section>
        </div>
        <section class="card" data-testid="home-sales">
            <div class="card-heading">
                <h2 class="card-title">"Sales"</h2>
                <div class="tabs" role="group" aria-label="Period">
                    {[(1_i64, "Today"), (7, "7 days"), (30, "30 days")]
                        .into_iter()
                        .map(|(n, label)| view! {
                            <button
                                class="tab"
                                data-testid=format!("home-period-{n}")
                                aria-pressed=move || (days.get() == n).to_string()
                                on:click=move |_| days.set(n)
                            >
                                {label}
                            </button>
                        })
                        .collect_view()}
                </div>
            </div>
            <p class="muted" data-testid="home-time-zone">{format!("Days in {} time", d.time_zone)}</p>
            {move || selected().map(|p: SalesPeriod| view! {
                <div class="home-grid">
                    <div class="stat" data-testid="home-orders">
                        <span class="stat-value">{p.orders}</span>
                        <span class="stat-label">"orders"</span>
                        <span class="muted">{format!("{} by the AI · {} by you and your staff", p.ai_orders, p.staff_orders)}</span>
                    </div>
                    <div class="stat" data-testid="home-revenue">
                        <span class="stat-value">{join(&p.revenue)}</span>
                        <span class="stat-label">"revenue"</span>
                        <span class="muted">{format!("AI {} · staff {}", join(&p.ai_revenue), join(&p.staff_revenue))}</span>
                    </div>
                    <div class="stat" data-testid="home-conversion">
                        <span class="stat-value">{percent(p.conversion_rate.map(|r| r * 100.0))}</span>
                        <span class="stat-label">"of chats ordered"</span>
                        <span class="muted">{format!("{} of {} conversations", p.converted, p.conversations)}</span>
                    </div>
                </div>
            })}
            <div class="chart" role="img" aria-label="Orders per day, last 30 days" data-testid="home-chart">
                {d.chart
                    .iter()
                    .map(|c| {
                        let height = format!("height: {}%", (c.orders * 100 / max_orders).max(2));
                        let title = format!("{}: {} orders, {}", c.day, c.orders, join(&c.revenue));
                        view! { <span class="chart-bar" style=height title=title></span> }
                    })
                    .collect_view()}
            </div>
        </section>
        <div class="home-grid">
            <section class="card" data-testid="home-top-products">
                <h2 class="card-title">"Best sellers (30 days)"</h2>
                {if d.top_products.is_empty() {
                    view! { <p class="muted">"No sales yet."</p> }.into_any()
                } else {
                    view! {
                        <ol class="top-products">
                            {d.top_products
                                .iter()
                                .map(|p| view! {
                                    <li>
                                        <span class="top-product-name">{p.name.clone()}</span>
                                        <span class="muted">{format!("{} sold · {}", p.units, p.revenue)}</span>
                                    </li>
                                })
                                .collect_view()}
                        </ol>
                    }
                    .into_any()
                }}
            </section>
            <section class="card" data-testid="home-negotiation">
                <h2 class="card-title">"Haggling (30 days)"</h2>
                <dl class="facts">
                    <dt>"Average discount given"</dt>
                    <dd data-testid="home-discount">{percent(d.average_discount_percent)}</dd>
                    <dt>"Room your floors allowed"</dt>
                    <dd>{percent(d.average_room_percent)}</dd>
                    <dt>"Kept by your floors"</dt>
                    <dd data-testid="home-protected">{join(&d.floor_protected)}</dd>
                    <dt>"Lost at the floor"</dt>
                    <dd>{d.lost_at_floor}</dd>
                </dl>
                <p class="muted">
                    "What customers asked below the price they finally paid is what your floors kept; a deal lost at the floor is a customer who wanted less than you allow."
                </p>
            </section>
        </div>
    }
}
