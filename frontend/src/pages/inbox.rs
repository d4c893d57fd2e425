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
use crate::components::inbox::chat_row::ChatRow;
use crate::components::inbox::conversation::Conversation;
use crate::components::inbox::format::now_ms;
use crate::components::inbox::state::Inbox;
use crate::components::paged::{Paged, PagedFooter, SearchBox};
use crate::contexts::live::use_live;
use crate::contexts::session::use_session;
use crate::routes::AppRoute;

/// Chats fetched per page.
const PAGE_SIZE: i64 = 25;
/// How often relative times ("5m") are redrawn.
const CLOCK_TICK: Duration = Duration::from_secs(30);

/// The inbox: list on the left, the conversation (child route) on the right.
#[component]
pub fn InboxPage() -> impl IntoView {
    let session = use_session();
    let live = use_live();
    let location = use_location();
    let selected = Memo::new(move |_| {
        location.pathname.with(|path| match AppRoute::parse(path) {
            Some(AppRoute::Chat(id)) => Some(id),
            _ => None,
        })
    });
    let inbox = Inbox {
        chats: Paged::start(),
        search: RwSignal::new(String::new()),
        unread_only: RwSignal::new(false),
        selected,
        now: RwSignal::new(now_ms()),
    };
    provide_context(inbox);

    if let Ok(handle) = set_interval_with_handle(
        move || {
            inbox.now.try_set(now_ms());
        },
        CLOCK_TICK,
    ) {
        on_cleanup(move || handle.clear());
    }

    let load = move |more: bool| {
        let client = session.client();
        inbox.chats.load(more, move |after| {
            let query = ChatQuery {
                first: PAGE_SIZE,
                after,
                search: inbox.search.get_untracked(),
                unread_only: inbox.unread_only.get_untracked(),
            };
            async move { client.chats(&query).await }
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
        // The chats a blacklist change touches arrive as `ChatUpdated`.
        LiveEvent::MessageStatusChanged(_)
        | LiveEvent::ActivityAdded(_)
        | LiveEvent::BlacklistChanged(_)
        | LiveEvent::FollowUpChanged(_)
        | LiveEvent::DealApprovalChanged(_) => {}
        // The chat's row lists its orders: refetch it when one of them changed.
        LiveEvent::OrderChanged(order) => {
            if let Some(id) = order.chat_id.clone() {
                let client = session.client();
                spawn_local(async move {
                    if let Ok(chat) = client.chat(&id).await {
                        inbox.upsert_chat(chat);
                    }
                });
            }
        }
    });

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
                    <SearchBox search=inbox.search label="Search chats by name or number" placeholder="Search name or number" testid="chat-search" />
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
    let paged = inbox.chats;
    view! {
        <div class="chat-list" data-testid="chat-list">
            <For
                each=move || paged.list.with(|l| l.items.iter().map(|c| c.id.clone()).collect::<Vec<_>>())
                key=|id| id.clone()
                let:id
            >
                <ChatRow id=id />
            </For>
            <Show when=move || paged.first_loading()>
                <Spinner label="Loading chats" />
            </Show>
            <Show when=move || paged.is_empty()>
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
            <PagedFooter
                paged=paged
                error_class="banner banner-error chat-list-error"
                error_testid="chat-list-error"
                more_class="btn btn-secondary btn-small"
                more_testid="chat-load-more"
                on_load_more=on_load_more
                on_retry=on_retry
            />
        </div>
    }
}

/// `/inbox/:id`: the conversation, rebuilt when another chat is opened.
#[component]
pub fn ChatPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get(AppRoute::ID)));
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
