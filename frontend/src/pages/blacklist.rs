//! `/blacklist`: customers automation never messages (AI replies, follow-ups, order
//! notifications). Add by phone number, username or user id with a reason, search, remove; a
//! customer's STOP shows here too, so the owner can undo it. Live: any change reloads
//! the list.

use leptos::prelude::*;
use shared::blacklist::{BlockKey, check_reason};

use crate::client::live::LiveEvent;
use crate::client::{BlacklistEntry, BlockTarget};
use crate::components::feedback::Spinner;
use crate::components::inbox::format::date_time;
use crate::components::mutation::Mutation;
use crate::components::paged::{Paged, PagedFooter, SearchBox};
use crate::contexts::live::use_live;
use crate::contexts::session::use_session;

/// Entries fetched per page.
const PAGE_SIZE: i64 = 50;

/// Which identifier the owner types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Typed {
    Phone,
    Username,
    UserId,
}

/// The blacklist page.
#[component]
pub fn BlacklistPage() -> impl IntoView {
    let session = use_session();
    let live = use_live();
    let search = RwSignal::new(String::new());
    let paged = Paged::<BlacklistEntry>::start();
    let load = move |more: bool| {
        let client = session.client();
        paged.load(more, move |after| {
            let search = search.get_untracked();
            async move { client.blacklist(PAGE_SIZE, after, &search).await }
        });
    };
    Effect::new(move |_| {
        search.track();
        live.resyncs();
        load(false);
    });
    live.on_event(move |event| {
        if matches!(event, LiveEvent::BlacklistChanged(_)) {
            load(false);
        }
    });

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1 class="page-title">"Blacklist"</h1>
                    <p class="muted">
                        "The AI, follow-ups and order notifications never message these customers. What they write still reaches your inbox."
                    </p>
                </div>
            </header>
            <AddForm on_added=Callback::new(move |()| load(false)) />
            <div class="toolbar">
                <SearchBox search=search label="Search the blacklist" placeholder="Search number, username or reason" testid="blacklist-search" />
            </div>
            <EntryList paged=paged search=search on_removed=Callback::new(move |()| load(false)) />
            <PagedFooter
                paged=paged
                error_class="banner banner-error"
                error_testid="blacklist-error"
                more_class="btn btn-secondary"
                more_testid="blacklist-load-more"
                on_load_more=Callback::new(move |()| load(true))
                on_retry=Callback::new(move |()| load(false))
            />
        </div>
    }
}

/// Block a number or username, with a reason. The identifier is checked by the rule the
/// server applies ([`BlockKey`]) before it is sent.
#[component]
fn AddForm(on_added: Callback<()>) -> impl IntoView {
    let typed = RwSignal::new(Typed::Phone);
    let value = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let add = Mutation::reporting(
        error,
        |client, (target, reason): (BlockTarget, String)| async move {
            client.add_to_blacklist(&target, &reason).await
        },
        move |_| {
            value.set(String::new());
            reason.set(String::new());
            on_added.run(());
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let text = value.get_untracked();
        let (checked, target) = match typed.get_untracked() {
            Typed::Phone => (BlockKey::phone(&text), BlockTarget::Phone(text.clone())),
            Typed::Username => (
                BlockKey::username(&text),
                BlockTarget::Username(text.clone()),
            ),
            Typed::UserId => (BlockKey::user_id(&text), BlockTarget::UserId(text.clone())),
        };
        if let Err(problem) = checked {
            let what = match typed.get_untracked() {
                Typed::Phone => "The number",
                Typed::Username => "The username",
                Typed::UserId => "The user id",
            };
            error.set(Some(format!("{what} {problem}.")));
            return;
        }
        let why = reason.get_untracked();
        if let Err(problem) = check_reason(&why) {
            error.set(Some(format!("The reason {problem}.")));
            return;
        }
        add.dispatch((target, why));
    };
    view! {
        <section class="card">
            <h2 class="card-title">"Block a customer"</h2>
            <form class="blacklist-form" on:submit=submit data-testid="blacklist-add-form">
                <select
                    class="input"
                    aria-label="Block by"
                    data-testid="blacklist-kind"
                    on:change=move |ev| {
                        typed.set(match event_target_value(&ev).as_str() {
                            "username" => Typed::Username,
                            "user_id" => Typed::UserId,
                            _ => Typed::Phone,
                        });
                    }
                >
                    <option value="phone" selected=true>"Phone number"</option>
                    <option value="username">"Username"</option>
                    <option value="user_id">"User id (BSUID)"</option>
                </select>
                <input
                    class="input"
                    data-testid="blacklist-value"
                    aria-label="Phone number or username"
                    placeholder=move || match typed.get() {
                        Typed::Phone => "+234 803 123 4567",
                        Typed::Username => "@username",
                        Typed::UserId => "NG.1502576394655843",
                    }
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                <input
                    class="input"
                    data-testid="blacklist-reason"
                    aria-label="Reason"
                    placeholder="Reason (optional)"
                    maxlength="500"
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))
                />
                <button class="btn btn-primary" type="submit" data-testid="blacklist-add" disabled=move || add.pending()>
                    {move || if add.pending() { "Blocking…" } else { "Block" }}
                </button>
            </form>
            {move || error.get().map(|message| view! {
                <div class="banner banner-error" role="alert" data-testid="blacklist-add-error">{message}</div>
            })}
        </section>
    }
}

/// The entries, newest first, each with a Remove button.
#[component]
fn EntryList(
    paged: Paged<BlacklistEntry>,
    search: RwSignal<String>,
    on_removed: Callback<()>,
) -> impl IntoView {
    let list = paged.list;
    let error = RwSignal::new(None::<String>);
    let remove = Mutation::reporting(
        error,
        |client, id: String| async move { client.remove_from_blacklist(&id).await },
        move |()| on_removed.run(()),
    );
    view! {
        {move || error.get().map(|message| view! {
            <div class="banner banner-error" role="alert" data-testid="blacklist-remove-error">{message}</div>
        })}
        <Show when=move || list.with(|l| !l.items.is_empty())>
            <table class="table blacklist-table" data-testid="blacklist-list">
                <thead>
                    <tr>
                        <th>"Customer"</th>
                        <th>"Reason"</th>
                        <th>"Added by"</th>
                        <th>"Added"</th>
                        <th><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || list.with(|l| l.items.clone()) key=|e| format!("{}:{}", e.id, e.reason) let:entry>
                        <EntryRow entry=entry on_remove=Callback::new(move |id| remove.dispatch(id)) />
                    </For>
                </tbody>
            </table>
        </Show>
        <Show when=move || paged.first_loading()>
            <Spinner label="Loading the blacklist" />
        </Show>
        <Show when=move || paged.is_empty()>
            <div class="empty-state" data-testid="blacklist-empty">
                {move || if search.get().is_empty() {
                    view! {
                        <p class="empty-title">"Nobody is blocked"</p>
                        <p class="muted">"Block a number or username above, or from a chat."</p>
                    }.into_any()
                } else {
                    view! { <p class="empty-title">{format!("Nothing matches “{}”", search.get())}</p> }.into_any()
                }}
            </div>
        </Show>
    }
}

/// One entry.
#[component]
fn EntryRow(entry: BlacklistEntry, on_remove: Callback<String>) -> impl IntoView {
    let id = entry.id.clone();
    let who = match &entry.contact_name {
        Some(name) => format!("{name} · {}", entry.value),
        None => entry.value.clone(),
    };
    view! {
        <tr data-testid="blacklist-entry" data-value=entry.value.clone()>
            <td>
                <span data-testid="blacklist-entry-customer">{who}</span>
                " "
                <span class="badge">{entry.kind_label}</span>
            </td>
            <td data-testid="blacklist-entry-reason">{entry.reason.clone()}</td>
            <td data-testid="blacklist-entry-added-by">{entry.added_by.clone()}</td>
            <td>{date_time(&entry.created_at)}</td>
            <td>
                <button
                    class="btn btn-secondary btn-small"
                    data-testid="blacklist-remove"
                    on:click=move |_| on_remove.run(id.clone())
                >
                    "Remove"
                </button>
            </td>
        </tr>
    }
}
