//! `/inbox` and `/inbox/:id`: the chat list beside the open conversation (on phones, one
//! screen at a time), kept current by the live connection.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_params_map};
use shared::MessageDirection;

use crate::client::ChatQuery;
use crate::client::live::{LiveEvent, LiveStatus};
use crate::components::feedback::Spinner;
use crate::components::icons::Icon;
use crate::components::inbox::chat_row::ChatRow;
use crate::components::inbox::conversation::Conversation;
use crate::components::inbox::format::now_ms;
use crate::components::inbox::state::{ChatList, Inbox};
use crate::contexts::live::use_live;
use crate::contexts::session::use_session;

/// Chats fetched per page.
const PAGE_SIZE: i64 = 25;
/// Pause in typing before the search runs.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(300);
/// How often relative times ("5m") are redrawn.
const CLOCK_TICK: Duration = Duration::from_secs(30);

/// The inbox: list on the left, the conversation (child route) on the right.
#[component]
pub fn InboxPage() -> impl IntoView {
    let session = use_session();
    let live = use_live();
    let location = use_location();
    let selected = Memo::new(move |_| {
        location.pathname.with(|path| {
            path.strip_prefix("/inbox/")
                .map(|id| id.trim_end_matches('/').to_string())
                .filter(|id| !id.is_empty())
        })
    });
    let inbox = Inbox {
        list: RwSignal::new(ChatList {
            loading: true,
            ..ChatList::default()
        }),
        search: RwSignal::new(String::new()),
        unread_only: RwSignal::new(false),
        selected,
        now: RwSignal::new(now_ms()),
    };
    provide_context(inbox);
    let list = inbox.list;

    if let Ok(handle) = set_interval_with_handle(
        move || {
            inbox.now.try_set(now_ms());
        },
        CLOCK_TICK,
    ) {
        on_cleanup(move || handle.clear());
    }

    // Pages accumulate ("Load more"); only the newest request may fill the list.
    let latest_request = StoredValue::new(0u64);
    let load = move |more: bool| {
        let request = latest_request.get_value() + 1;
        latest_request.set_value(request);
        let query = ChatQuery {
            first: PAGE_SIZE,
            after: if more {
                list.with_untracked(|l| l.end_cursor.clone())
            } else {
                None
            },
            search: inbox.search.get_untracked(),
            unread_only: inbox.unread_only.get_untracked(),
        };
        list.update(|l| {
            l.loading = true;
            l.error = None;
        });
        let client = session.client();
        spawn_local(async move {
            let result = client.chats(&query).await;
            if latest_request.try_get_value() != Some(request) {
                return;
            }
            list.try_update(|l| {
                l.loading = false;
                match result {
                    Ok(page) => {
                        if more {
                            for chat in page.chats {
                                if !l.chats.iter().any(|c| c.id == chat.id) {
                                    l.chats.push(chat);
                                }
                            }
                        } else {
                            l.chats = page.chats;
                        }
                        l.end_cursor = page.end_cursor;
                        l.has_next_page = page.has_next_page;
                    }
                    Err(error) => l.error = Some(error),
                }
            });
        });
    };
    Effect::new(move |_| {
        inbox.search.track();
        inbox.unread_only.track();
        live.resyncs();
        load(false);
    });

    // Live: the server's view of a chat replaces the row; a new message moves its chat to
    // the top at once, then the chat is fetched for its exact unread count and window.
    live.on_event(move |event| match event {
        LiveEvent::ChatUpdated(chat) => inbox.upsert_chat(chat.clone()),
        LiveEvent::MessageAdded(message) => {
            let open = selected.get_untracked().as_deref() == Some(message.chat_id.as_str());
            let inbound = message.direction == MessageDirection::Inbound;
            let listed = inbox.note_message(message, inbound && !open);
            // The open conversation marks its own messages read (and updates the row).
            if !open && (inbound || !listed) {
                let client = session.client();
                let id = message.chat_id.clone();
                spawn_local(async move {
                    if let Ok(chat) = client.chat(&id).await {
                        inbox.upsert_chat(chat);
                    }
                });
            }
        }
        LiveEvent::MessageStatusChanged(_) => {}
    });

    let search_text = RwSignal::new(String::new());
    let debounce = StoredValue::new(None::<TimeoutHandle>);
    on_cleanup(move || {
        if let Some(Some(handle)) = debounce.try_get_value() {
            handle.clear();
        }
    });
    let on_search = move |ev: leptos::ev::Event| {
        let typed = event_target_value(&ev);
        search_text.set(typed.clone());
        if let Some(handle) = debounce.get_value() {
            handle.clear();
        }
        let run = move || {
            let wanted = typed.trim().to_string();
            if inbox
                .search
                .try_get_untracked()
                .is_some_and(|current| current != wanted)
            {
                inbox.search.set(wanted);
            }
        };
        debounce.set_value(set_timeout_with_handle(run, SEARCH_DEBOUNCE).ok());
    };

    let live_label = move || match live.status() {
        LiveStatus::Live => ("live", "Live"),
        LiveStatus::Connecting => ("connecting", "Connecting…"),
        LiveStatus::Reconnecting => ("reconnecting", "Reconnecting…"),
        LiveStatus::Closed => ("closed", "Offline"),
    };

    view! {
        <div class="inbox" class:has-selection=move || selected.with(Option::is_some)>
            <aside class="inbox-list" aria-label="Chats">
                <header class="inbox-list-header">
                    <div class="inbox-list-title">
                        <h1 class="page-title">"Inbox"</h1>
                        <span
                            class=move || format!("live-status live-{}", live_label().0)
                            data-testid="live-status"
                            data-status=move || live_label().0
                            role="status"
                        >
                            <span class="live-dot" aria-hidden="true"></span>
                            {move || live_label().1}
                        </span>
                    </div>
                    <label class="search">
                        {Icon::Search.view()}
                        <span class="visually-hidden">"Search chats by name or number"</span>
                        <input
                            class="input search-input"
                            type="search"
                            placeholder="Search name or number"
                            data-testid="chat-search"
                            prop:value=move || search_text.get()
                            on:input=on_search
                            on:change=on_search
                        />
                    </label>
                    <div class="segmented" role="group" aria-label="Filter">
                        <button
                            type="button"
                            class="segment"
                            class:active=move || !inbox.unread_only.get()
                            aria-pressed=move || (!inbox.unread_only.get()).to_string()
                            data-testid="chat-filter-all"
                            on:click=move |_| inbox.unread_only.set(false)
                        >
                            "All"
                        </button>
                        <button
                            type="button"
                            class="segment"
                            class:active=move || inbox.unread_only.get()
                            aria-pressed=move || inbox.unread_only.get().to_string()
                            data-testid="chat-filter-unread"
                            on:click=move |_| inbox.unread_only.set(true)
                        >
                            "Unread"
                        </button>
                    </div>
                </header>
                <ChatListView on_load_more=Callback::new(move |()| load(true)) on_retry=Callback::new(move |()| load(false)) />
            </aside>
            <div class="inbox-pane">
                <Outlet />
            </div>
        </div>
    }
}

/// The rows, an empty state, an error, and "Load more".
#[component]
fn ChatListView(on_load_more: Callback<()>, on_retry: Callback<()>) -> impl IntoView {
    let inbox = crate::components::inbox::state::use_inbox();
    let list = inbox.list;
    let empty = move || list.with(|l| !l.loading && l.error.is_none() && l.chats.is_empty());
    view! {
        <div class="chat-list" data-testid="chat-list">
            <For
                each=move || list.with(|l| l.chats.iter().map(|c| c.id.clone()).collect::<Vec<_>>())
                key=|id| id.clone()
                let:id
            >
                <ChatRow id=id />
            </For>
            <Show when=move || list.with(|l| l.loading && l.chats.is_empty())>
                <Spinner label="Loading chats" />
            </Show>
            <Show when=empty>
                <div class="chat-list-empty" data-testid="chat-empty">
                    {move || {
                        if !inbox.search.get().is_empty() {
                            format!("No chats match “{}”.", inbox.search.get())
                        } else if inbox.unread_only.get() {
                            "You're all caught up: no unread chats.".to_string()
                        } else {
                            "No chats yet. When customers message your WhatsApp number, their chats appear here.".to_string()
                        }
                    }}
                </div>
            </Show>
            {move || list.with(|l| l.error.clone()).map(|error| view! {
                <div class="banner banner-error chat-list-error" role="alert" data-testid="chat-list-error">
                    {error.to_string()}
                    " "
                    <button class="link-button" on:click=move |_| on_retry.run(())>"Try again"</button>
                </div>
            })}
            <Show when=move || list.with(|l| l.has_next_page && !l.chats.is_empty())>
                <div class="load-more">
                    <button
                        class="btn btn-secondary btn-small"
                        data-testid="chat-load-more"
                        disabled=move || list.with(|l| l.loading)
                        on:click=move |_| on_load_more.run(())
                    >
                        {move || if list.with(|l| l.loading) { "Loading…" } else { "Load more" }}
                    </button>
                </div>
            </Show>
        </div>
    }
}

/// `/inbox/:id`: the conversation, rebuilt when another chat is opened.
#[component]
pub fn ChatPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")));
    move || {
        id.get()
            .map(|chat_id| view! { <Conversation chat_id=chat_id /> })
    }
}

/// `/inbox` with no chat open (wide screens show it beside the list).
#[component]
pub fn NoChatSelected() -> impl IntoView {
    view! {
        <div class="no-chat">
            <div class="no-chat-mark" aria-hidden="true">"💬"</div>
            <p class="empty-title">"Pick a chat"</p>
            <p class="muted">
                "The AI answers customers on its own. Open a chat to read along, reply yourself, or take over."
            </p>
        </div>
    }
}
