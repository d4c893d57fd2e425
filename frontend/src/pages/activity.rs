//! `/activity`: the activity log, newest first: who did what (the owner, staff, the AI,
//! the system, an API token or the customer), filtered by kind, actor and dates, live.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::{ActivityCategory, ActorKind, SubjectKind};

use crate::client::live::LiveEvent;
use crate::client::{ActivityEntry, ActivityQuery};
use crate::components::feedback::Spinner;
use crate::components::forms::DateRange;
use crate::components::inbox::format::{
    date_time, epoch_ms, local_day_start, now_ms, relative_time,
};
use crate::components::paged::{Paged, PagedFooter};
use crate::contexts::live::use_live;
use crate::contexts::session::use_session;
use crate::routes::AppRoute;

/// Entries fetched per page.
const PAGE_SIZE: i64 = 30;

/// Where an entry's subject opens in the dashboard, if it has a page.
fn subject_link(subject: &(SubjectKind, String)) -> Option<(String, &'static str)> {
    let (kind, id) = subject;
    match kind {
        SubjectKind::Chat => Some((AppRoute::Chat(id.clone()).path(), "Open chat")),
        SubjectKind::Product => Some((AppRoute::EditProduct(id.clone()).path(), "Open product")),
        SubjectKind::Order => Some((AppRoute::Order(id.clone()).path(), "Open order")),
        _ => None,
    }
}

/// Who did it, for people: "AI", "Owner · ada@shop.com".
fn actor_label(entry: &ActivityEntry) -> String {
    match &entry.actor_name {
        Some(name) => format!("{} · {name}", entry.actor_kind.label()),
        None => entry.actor_kind.label().to_string(),
    }
}

/// The activity log with its filters.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let session = use_session();
    let live = use_live();
    let category = RwSignal::new(None::<ActivityCategory>);
    let actor = RwSignal::new(None::<ActorKind>);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let paged = Paged::<ActivityEntry>::start();

    let query = move || ActivityQuery {
        first: PAGE_SIZE,
        after: None,
        kinds: category
            .get_untracked()
            .map(|c| c.kinds())
            .unwrap_or_default(),
        actor: actor.get_untracked(),
        since: local_day_start(&from.get_untracked(), 0),
        until: local_day_start(&to.get_untracked(), 1),
        subject_id: None,
    };
    let load = move |more: bool| {
        let client = session.client();
        let mut query = query();
        paged.load(more, move |after| {
            query.after = after;
            async move { client.activity(&query).await }
        });
    };
    Effect::new(move |_| {
        category.track();
        actor.track();
        from.track();
        to.track();
        load(false);
    });
    // Live: a new entry that matches the filters goes on top.
    live.on_event(move |event| {
        if let LiveEvent::ActivityAdded(entry) = event
            && query().admits(entry)
        {
            paged.list.update(|l| {
                if !l.items.iter().any(|e| e.id == entry.id) {
                    l.items.insert(0, entry.clone());
                }
            });
        }
    });
    // Back after a drop: what happened meanwhile is loaded again.
    Effect::new(move |previous: Option<u32>| {
        let resyncs = live.resyncs();
        if previous.is_some_and(|p| p != resyncs) {
            load(false);
        }
        resyncs
    });

    let now = RwSignal::new(now_ms());
    let tick = set_interval_with_handle(
        move || {
            now.try_set(now_ms());
        },
        std::time::Duration::from_secs(30),
    )
    .ok();
    on_cleanup(move || {
        if let Some(handle) = tick {
            handle.clear();
        }
    });

    let filtered = move || {
        category.get().is_some()
            || actor.get().is_some()
            || !from.get().is_empty()
            || !to.get().is_empty()
    };
    let clear = move |_| {
        category.set(None);
        actor.set(None);
        from.set(String::new());
        to.set(String::new());
    };

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1 class="page-title">"Activity"</h1>
                    <p class="muted">
                        "Everything that happened in your shop, newest first: by you, your staff, the AI and your customers."
                    </p>
                </div>
            </header>
            <div class="tabs" role="group" aria-label="Show" data-testid="activity-categories">
                <button
                    class="tab"
                    aria-pressed=move || category.get().is_none().to_string()
                    data-testid="activity-category-all"
                    on:click=move |_| category.set(None)
                >
                    "All"
                </button>
                {ActivityCategory::ALL
                    .iter()
                    .copied()
                    .map(|c| {
                        view! {
                            <button
                                class="tab"
                                aria-pressed=move || (category.get() == Some(c)).to_string()
                                data-testid=format!("activity-category-{}", c.label().to_lowercase())
                                on:click=move |_| category.set(Some(c))
                            >
                                {c.label()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <div class="toolbar activity-filters">
                <label class="field-inline">
                    <span>"By"</span>
                    <select
                        class="input"
                        data-testid="activity-actor"
                        on:change=move |ev| {
                            actor.set(ActorKind::parse(&event_target_value(&ev)));
                        }
                        prop:value=move || actor.get().map(|a| a.as_str()).unwrap_or("")
                    >
                        <option value="">"Anyone"</option>
                        {ActorKind::ALL
                            .iter()
                            .map(|a| view! { <option value=a.as_str()>{a.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <DateRange from=from to=to testid="activity" />
                <Show when=filtered>
                    <button class="btn btn-secondary" data-testid="activity-clear" on:click=clear>
                        "Clear filters"
                    </button>
                </Show>
            </div>
            <Show when=move || paged.list.with(|l| !l.items.is_empty())>
                <ol class="activity-list" data-testid="activity-list">
                    <For
                        each=move || paged.list.with(|l| l.items.clone())
                        key=|entry| entry.id.clone()
                        let:entry
                    >
                        <ActivityRow entry=entry now=now />
                    </For>
                </ol>
            </Show>
            <Show when=move || paged.first_loading()>
                <Spinner label="Loading activity" />
            </Show>
            <Show when=move || paged.is_empty()>
                <div class="empty-state" data-testid="activity-empty">
                    {move || {
                        if filtered() {
                            view! {
                                <p class="empty-title">"Nothing matches these filters"</p>
                                <p class="muted">"Try another kind, person or date."</p>
                            }
                                .into_any()
                        } else {
                            view! {
                                <p class="empty-title">"Nothing has happened yet"</p>
                                <p class="muted">
                                    "Orders, AI replies, blocked customers and changes to your shop appear here as they happen."
                                </p>
                            }
                                .into_any()
                        }
                    }}
                </div>
            </Show>
            <PagedFooter
                paged=paged
                error_class="banner banner-error"
                error_testid="activity-error"
                more_class="btn btn-secondary"
                more_testid="activity-load-more"
                on_load_more=Callback::new(move |()| load(true))
                on_retry=Callback::new(move |()| load(false))
            />
        </div>
    }
}

/// One entry: when, who, what, and a link to what it is about.
#[component]
fn ActivityRow(entry: ActivityEntry, now: RwSignal<f64>) -> impl IntoView {
    let when = epoch_ms(&entry.created_at);
    let time = move || {
        when.map(|ms| relative_time(ms, now.get()))
            .unwrap_or_default()
    };
    let title = date_time(&entry.created_at);
    let actor_class = match entry.actor_kind {
        ActorKind::Ai => "badge badge-accent",
        ActorKind::Customer => "badge badge-warning",
        _ => "badge",
    };
    let link = entry.subject.as_ref().and_then(subject_link);
    view! {
        <li class="activity-row" data-testid="activity-row" data-kind=entry.kind.as_str()>
            <time class="activity-time muted" datetime=entry.created_at.clone() title=title>
                {time}
            </time>
            <span class=actor_class data-testid="activity-actor-badge">
                {actor_label(&entry)}
            </span>
            <span class="activity-summary">{entry.summary.clone()}</span>
            {link
                .map(|(href, label)| {
                    view! {
                        <A href=href attr:class="activity-link">
                            {label}
                        </A>
                    }
                })}
        </li>
    }
}
