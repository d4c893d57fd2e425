//! `/follow-ups`: every follow-up by status (scheduled, sent, skipped with the reason,
//! failed, cancelled), live, with cancel; and the business's rule ("N hours after a
//! quote with no order, follow up once").

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::FollowUpStatus;

use crate::client::live::LiveEvent;
use crate::client::{FollowUp, FollowUpQuery, FollowUpRule};
use crate::components::feedback::{Banner, Spinner};
use crate::components::follow_ups::{FollowUpRow, status_label};
use crate::components::mutation::Mutation;
use crate::components::paged::{Paged, PagedFooter};
use crate::contexts::live::use_live;
use crate::contexts::session::use_session;

/// Follow-ups fetched per page.
const PAGE_SIZE: i64 = 30;

/// The tabs, in order (`None`: all).
const TABS: &[Option<FollowUpStatus>] = &[
    Some(FollowUpStatus::Scheduled),
    Some(FollowUpStatus::Sent),
    Some(FollowUpStatus::Skipped),
    Some(FollowUpStatus::Failed),
    Some(FollowUpStatus::Cancelled),
    None,
];

/// The follow-ups page.
#[component]
pub fn FollowUpsPage() -> impl IntoView {
    let session = use_session();
    let live = use_live();
    let tab = RwSignal::new(Some(FollowUpStatus::Scheduled));
    let paged = Paged::<FollowUp>::start();
    let error = RwSignal::new(None::<String>);

    let load = move |more: bool| {
        let client = session.client();
        let statuses: Vec<FollowUpStatus> = tab.get_untracked().into_iter().collect();
        paged.load(more, move |after| {
            let query = FollowUpQuery {
                first: PAGE_SIZE,
                after,
                statuses,
                chat_id: None,
            };
            async move { client.follow_ups(&query).await }
        });
    };
    Effect::new(move |_| {
        tab.track();
        load(false);
    });
    // Live: a changed follow-up is updated in place, or leaves / joins the tab.
    live.on_event(move |event| {
        let LiveEvent::FollowUpChanged(f) = event else {
            return;
        };
        let belongs = tab.get_untracked().is_none_or(|s| s == f.status);
        paged.list.update(|l| {
            let at = l.items.iter().position(|item| item.id == f.id);
            match (at, belongs) {
                (Some(i), true) => l.items[i] = f.clone(),
                (Some(i), false) => {
                    l.items.remove(i);
                }
                (None, true) => l.items.insert(0, f.clone()),
                (None, false) => {}
            }
        });
    });
    Effect::new(move |previous: Option<u32>| {
        let resyncs = live.resyncs();
        if previous.is_some_and(|p| p != resyncs) {
            load(false);
        }
        resyncs
    });
    let cancel = Mutation::reporting(
        error,
        |client, id: String| async move { client.cancel_follow_up(&id).await },
        move |f: FollowUp| {
            let belongs = tab.get_untracked().is_none_or(|s| s == f.status);
            paged.list.update(|l| {
                if let Some(i) = l.items.iter().position(|item| item.id == f.id) {
                    if belongs {
                        l.items[i] = f;
                    } else {
                        l.items.remove(i);
                    }
                }
            });
        },
    );

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1 class="page-title">"Follow-ups"</h1>
                    <p class="muted">
                        "Messages scheduled for later. They are skipped, with the reason, when the customer is blocked, wrote or ordered since, a person took the chat over, or the 24-hour window closed."
                    </p>
                </div>
            </header>
            <RuleCard />
            <div class="tabs" role="group" aria-label="Show" data-testid="follow-up-tabs">
                {TABS
                    .iter()
                    .copied()
                    .map(|t| {
                        let label = t.map_or("All", status_label);
                        let testid = format!(
                            "follow-up-tab-{}",
                            t.map_or("all", |s| s.as_str()),
                        );
                        view! {
                            <button
                                class="tab"
                                data-testid=testid
                                aria-pressed=move || (tab.get() == t).to_string()
                                on:click=move |_| tab.set(t)
                            >
                                {label}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <Banner message=error testid="follow-up-list-error" />
            <Show when=move || paged.list.with(|l| !l.items.is_empty())>
                <ul class="follow-up-list" data-testid="follow-up-list">
                    <For
                        each=move || paged.list.with(|l| l.items.clone())
                        key=|f| (f.id.clone(), f.status)
                        let:f
                    >
                        <FollowUpRow
                            follow_up=f
                            on_cancel=Callback::new(move |id: String| {
                                error.set(None);
                                cancel.dispatch(id);
                            })
                        />
                    </For>
                </ul>
            </Show>
            <Show when=move || paged.first_loading()>
                <Spinner label="Loading follow-ups" />
            </Show>
            <Show when=move || paged.is_empty()>
                <div class="empty-state" data-testid="follow-up-empty">
                    <p class="empty-title">"Nothing here"</p>
                    <p class="muted">
                        "Schedule one from a chat (“Follow up later”), or turn the rule on above."
                    </p>
                </div>
            </Show>
            <PagedFooter
                paged=paged
                error_class="banner banner-error"
                error_testid="follow-up-load-error"
                more_class="btn btn-secondary"
                more_testid="follow-up-load-more"
                on_load_more=Callback::new(move |()| load(true))
                on_retry=Callback::new(move |()| load(false))
            />
        </div>
    }
}

/// The rule: on/off, after how many hours, and the owner's text.
#[component]
fn RuleCard() -> impl IntoView {
    let session = use_session();
    let enabled = RwSignal::new(false);
    let hours = RwSignal::new(String::from("20"));
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let fill = move |rule: FollowUpRule| {
        enabled.set(rule.enabled);
        hours.set(rule.after_hours.to_string());
        text.set(rule.text.unwrap_or_default());
    };
    {
        let client = session.client();
        spawn_local(async move {
            match client.follow_up_rule().await {
                Ok(rule) => fill(rule),
                Err(e) => {
                    error.try_set(Some(e.to_string()));
                }
            }
        });
    }
    let save = Mutation::reporting(
        error,
        |client, rule: FollowUpRule| async move { client.update_follow_up_rule(&rule).await },
        move |rule| {
            fill(rule);
            saved.set(Some("Rule saved".into()));
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        saved.set(None);
        let Ok(after_hours) = hours.get_untracked().trim().parse::<i64>() else {
            error.set(Some("Hours must be a whole number from 1 to 23".into()));
            return;
        };
        let own = text.get_untracked().trim().to_string();
        save.dispatch(FollowUpRule {
            enabled: enabled.get_untracked(),
            after_hours,
            text: (!own.is_empty()).then_some(own),
        });
    };
    view! {
        <section class="card" data-testid="follow-up-rule">
            <h2 class="card-title">"Automatic follow-up"</h2>
            <form class="field" on:submit=submit>
                <label class="switch">
                    <input
                        type="checkbox"
                        data-testid="follow-up-rule-enabled"
                        prop:checked=move || enabled.get()
                        on:change=move |ev| enabled.set(event_target_checked(&ev))
                    />
                    <span class="switch-track" aria-hidden="true"></span>
                    <span>"Follow up once when a customer got a price and did not order"</span>
                </label>
                <label class="field-inline">
                    <span>"After"</span>
                    <input
                        class="input"
                        type="number"
                        min="1"
                        max="23"
                        data-testid="follow-up-rule-hours"
                        prop:value=move || hours.get()
                        on:input=move |ev| hours.set(event_target_value(&ev))
                    />
                    <span>"hours"</span>
                </label>
                <textarea
                    class="input"
                    rows="2"
                    data-testid="follow-up-rule-text"
                    placeholder="Hi {name}! Just checking in about the {product}: it is still available at {price}. Shall I put one aside for you?"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
                <p class="field-hint">
                    "Leave empty and the AI writes each follow-up from the chat (when the AI is on; otherwise the message shown goes). In your own text, {name}, {product} and {price} are filled in."
                </p>
                <div>
                    <button class="btn btn-primary" type="submit" data-testid="follow-up-rule-save" disabled=move || save.pending()>
                        {move || if save.pending() { "Saving…" } else { "Save rule" }}
                    </button>
                </div>
                <Banner message=error testid="follow-up-rule-error" />
                <Banner message=saved success=true testid="follow-up-rule-saved" />
            </form>
        </section>
    }
}
