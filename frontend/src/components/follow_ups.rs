//! Follow-up pieces: the "Follow up" form of a chat, the list rows, and the time inputs
//! they share.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::{FollowUpSource, FollowUpStatus};
use wasm_bindgen::JsValue;

use crate::client::FollowUp;
use crate::components::feedback::Banner;
use crate::components::inbox::format::date_time;
use crate::components::mutation::Mutation;
use crate::routes::AppRoute;

/// A `datetime-local` input's value (local time) as RFC 3339; `None` when unreadable.
pub fn local_to_rfc3339(value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    let date = js_sys::Date::new(&JsValue::from_str(value));
    (!date.get_time().is_nan()).then(|| String::from(date.to_iso_string()))
}

/// Tomorrow at 10:00 local time, as a `datetime-local` value.
fn tomorrow_morning() -> String {
    let d = js_sys::Date::new_0();
    d.set_date(d.get_date() + 1);
    format!(
        "{:04}-{:02}-{:02}T10:00",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

/// People's words for a status.
pub fn status_label(status: FollowUpStatus) -> &'static str {
    match status {
        FollowUpStatus::Scheduled => "Scheduled",
        FollowUpStatus::Sending => "Sending",
        FollowUpStatus::Sent => "Sent",
        FollowUpStatus::Skipped => "Skipped",
        FollowUpStatus::Cancelled => "Cancelled",
        FollowUpStatus::Failed => "Failed",
    }
}

/// "Follow up" in a chat: when and what, scheduled in one click.
#[component]
pub fn ScheduleFollowUp(chat_id: String) -> impl IntoView {
    let open = RwSignal::new(false);
    let when = RwSignal::new(tomorrow_morning());
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let schedule = Mutation::reporting(
        error,
        |client, (chat, due, text): (String, String, String)| async move {
            client.schedule_follow_up(&chat, &due, &text).await
        },
        move |f: FollowUp| {
            done.set(Some(format!(
                "Follow-up scheduled for {}",
                date_time(&f.due_at)
            )));
            text.set(String::new());
            open.set(false);
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        done.set(None);
        let Some(due) = local_to_rfc3339(&when.get_untracked()) else {
            error.set(Some("Choose a date and time".into()));
            return;
        };
        schedule.dispatch((chat_id.clone(), due, text.get_untracked()));
    };
    view! {
        <div class="follow-up-box">
            <Show when=move || !open.get()>
                <button
                    class="btn btn-secondary btn-small"
                    data-testid="follow-up-open"
                    on:click=move |_| {
                        done.set(None);
                        open.set(true);
                    }
                >
                    "Follow up later"
                </button>
            </Show>
            <Show when=move || open.get()>
                <form class="follow-up-form" on:submit=submit.clone() data-testid="follow-up-form">
                    <label class="field-inline">
                        <span>"Send at"</span>
                        <input
                            class="input"
                            type="datetime-local"
                            data-testid="follow-up-when"
                            prop:value=move || when.get()
                            on:input=move |ev| when.set(event_target_value(&ev))
                        />
                    </label>
                    <textarea
                        class="input"
                        rows="2"
                        placeholder="Hi! Just checking in: would you like me to reserve it for you?"
                        data-testid="follow-up-text"
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                    ></textarea>
                    <div class="follow-up-actions">
                        <button class="btn btn-primary btn-small" type="submit" data-testid="follow-up-submit" disabled=move || schedule.pending()>
                            {move || if schedule.pending() { "Scheduling…" } else { "Schedule" }}
                        </button>
                        <button class="btn btn-secondary btn-small" type="button" on:click=move |_| open.set(false)>
                            "Cancel"
                        </button>
                    </div>
                </form>
            </Show>
            <Banner message=error testid="follow-up-error" />
            <Banner message=done success=true testid="follow-up-done" />
        </div>
    }
}

/// One follow-up in a list, with "Cancel" while it is scheduled.
#[component]
pub fn FollowUpRow(follow_up: FollowUp, on_cancel: Callback<String>) -> impl IntoView {
    let f = follow_up;
    let badge = match f.status {
        FollowUpStatus::Sent => "badge badge-accent",
        FollowUpStatus::Skipped | FollowUpStatus::Failed => "badge badge-warning",
        _ => "badge",
    };
    let what = match (&f.text, &f.template) {
        (Some(text), _) => text.clone(),
        (None, Some(template)) => format!("Template {template}"),
        (None, None) => String::new(),
    };
    let by = match (f.source, &f.created_by) {
        (FollowUpSource::Rule, _) => "By your rule".to_string(),
        (_, Some(name)) => format!("By {name}"),
        (_, None) => String::new(),
    };
    let scheduled = f.status == FollowUpStatus::Scheduled;
    let id = f.id.clone();
    view! {
        <li class="follow-up-row" data-testid="follow-up-row" data-status=f.status.as_str()>
            <div class="follow-up-main">
                <A href=AppRoute::Chat(f.chat_id.clone()).path() attr:class="follow-up-customer">
                    {f.customer.clone()}
                </A>
                <span class="follow-up-text">{what}</span>
                {f.reason.clone().map(|r| view! { <span class="follow-up-reason" data-testid="follow-up-reason">{r}</span> })}
            </div>
            <div class="follow-up-side">
                <span class=badge data-testid="follow-up-status">{status_label(f.status)}</span>
                <time class="muted" datetime=f.due_at.clone()>{date_time(&f.due_at)}</time>
                <span class="muted">{by}</span>
                {scheduled.then(|| view! {
                    <button class="link-button" data-testid="follow-up-cancel" on:click=move |_| on_cancel.run(id.clone())>
                        "Cancel"
                    </button>
                })}
            </div>
        </li>
    }
}
