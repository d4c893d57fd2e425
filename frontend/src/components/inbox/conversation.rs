//! The open conversation: header with the human-takeover switch, the messages (older pages
//! on demand, new ones live), and the composer.

use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::MessageDirection;
use shared::blacklist::check_reason;
use shared::phone::display_phone;

use super::chat_row::Avatar;
use super::composer::Composer;
use super::customer_panel::CustomerPanel;
use super::format::{date_time, day_key, day_label, epoch_ms};
use super::message_bubble::MessageBubble;
use super::state::use_inbox;
use super::thread::Thread;
use crate::client::live::LiveEvent;
use crate::client::{BlockTarget, Chat, ClientError, Message};
use crate::components::deal_approvals::PendingDeals;
use crate::components::feedback::{LoadError, Spinner};
use crate::components::follow_ups::ScheduleFollowUp;
use crate::components::icons::Icon;
use crate::components::mutation::Mutation;
use crate::contexts::live::use_live;
use crate::contexts::session::use_session;
use crate::routes::AppRoute;

/// Messages fetched per page.
const PAGE_SIZE: i64 = 30;
/// How close to the bottom (px) counts as "reading the newest messages".
const STICKY_BOTTOM_PX: i32 = 80;

/// A line in the message list: a day divider or a message.
#[derive(Debug, Clone, PartialEq)]
enum Line {
    Day(i64, f64),
    Message(Message),
}

impl Line {
    /// Keys change when a message's status does, so its bubble is redrawn.
    fn key(&self) -> String {
        match self {
            Line::Day(day, _) => format!("day:{day}"),
            Line::Message(m) => format!("{}:{}:{:?}", m.id, m.status.as_str(), m.error_code),
        }
    }
}

/// The conversation with chat `chat_id`.
#[component]
pub fn Conversation(
    /// Id of the chat.
    chat_id: String,
) -> impl IntoView {
    let session = use_session();
    let inbox = use_inbox();
    let live = use_live();
    let chat = RwSignal::new(inbox.chat(&chat_id));
    let chat_error = RwSignal::new(None::<ClientError>);
    let thread = Thread::new();
    let start_cursor = RwSignal::new(None::<String>);
    let has_previous = RwSignal::new(false);
    let loading = RwSignal::new(true);
    let loading_older = RwSignal::new(false);
    let messages_error = RwSignal::new(None::<ClientError>);
    let scroller = NodeRef::<Div>::new();
    let at_bottom = StoredValue::new(true);
    // Distance from the bottom to keep while older messages are put above.
    let keep_from_bottom = StoredValue::new(None::<i32>);
    let chat_id = StoredValue::new(chat_id);

    let show_chat = move |updated: Chat| {
        chat.try_set(Some(updated.clone()));
        inbox.upsert_chat(updated);
    };
    let mark_read = move || {
        let client = session.client();
        let id = chat_id.get_value();
        spawn_local(async move {
            if let Ok(updated) = client.mark_chat_read(&id).await {
                show_chat(updated);
            }
        });
    };
    let load_chat = move || {
        let client = session.client();
        let id = chat_id.get_value();
        spawn_local(async move {
            match client.chat(&id).await {
                Ok(loaded) => {
                    chat_error.try_set(None);
                    let unread = loaded.unread_count > 0;
                    show_chat(loaded);
                    if unread {
                        mark_read();
                    }
                }
                Err(error) => {
                    chat_error.try_set(Some(error));
                }
            }
        });
    };
    // The newest page; after a reconnect it is merged into what is shown.
    let load_newest = move || {
        let client = session.client();
        let id = chat_id.get_value();
        spawn_local(async move {
            let result = client.messages(&id, PAGE_SIZE, None).await;
            loading.try_set(false);
            match result {
                Ok(page) => {
                    messages_error.try_set(None);
                    let first_load = thread.messages.with_untracked(Vec::is_empty);
                    if first_load {
                        has_previous.try_set(page.has_previous_page);
                        start_cursor.try_set(page.start_cursor);
                    }
                    for message in page.messages {
                        thread.upsert(message);
                    }
                }
                Err(error) => {
                    messages_error.try_set(Some(error));
                }
            }
        });
    };
    let load_older = move || {
        if loading_older.get_untracked() {
            return;
        }
        loading_older.set(true);
        if let Some(el) = scroller.get_untracked() {
            keep_from_bottom.set_value(Some(el.scroll_height() - el.scroll_top()));
        }
        let client = session.client();
        let id = chat_id.get_value();
        let before = start_cursor.get_untracked();
        spawn_local(async move {
            let result = client.messages(&id, PAGE_SIZE, before).await;
            loading_older.try_set(false);
            match result {
                Ok(page) => {
                    has_previous.try_set(page.has_previous_page);
                    start_cursor.try_set(page.start_cursor);
                    for message in page.messages {
                        thread.upsert(message);
                    }
                }
                Err(error) => {
                    keep_from_bottom.set_value(None);
                    messages_error.try_set(Some(error));
                }
            }
        });
    };

    load_chat();
    load_newest();

    live.on_event(move |event| match event {
        LiveEvent::MessageAdded(message) | LiveEvent::MessageStatusChanged(message)
            if message.chat_id == chat_id.get_value() =>
        {
            let is_new_inbound = matches!(event, LiveEvent::MessageAdded(_))
                && message.direction == MessageDirection::Inbound;
            thread.upsert(message.clone());
            if is_new_inbound {
                // The customer wrote: it is read here, and the reply window reopened.
                mark_read();
            }
        }
        LiveEvent::ChatUpdated(updated) if updated.id == chat_id.get_value() => {
            chat.try_set(Some(updated.clone()));
        }
        _ => {}
    });
    Effect::new(move |previous: Option<u32>| {
        let resyncs = live.resyncs();
        if previous.is_some_and(|p| p != resyncs) {
            load_chat();
            load_newest();
        }
        resyncs
    });

    // Follow the newest message when the reader is at the bottom; keep the reader's place
    // when older messages arrive above.
    let lines = Memo::new(move |_| {
        thread.messages.with(|messages| {
            let mut lines = Vec::with_capacity(messages.len() + 4);
            let mut day = None;
            for message in messages {
                if let Some(ms) = epoch_ms(&message.timestamp) {
                    let key = day_key(ms);
                    if day != Some(key) {
                        day = Some(key);
                        lines.push(Line::Day(key, ms));
                    }
                }
                lines.push(Line::Message(message.clone()));
            }
            lines
        })
    });
    Effect::new(move |_| {
        lines.track();
        request_animation_frame(move || {
            let Some(el) = scroller.get_untracked() else {
                return;
            };
            if let Some(from_bottom) = keep_from_bottom.try_get_value().flatten() {
                keep_from_bottom.set_value(None);
                el.set_scroll_top(el.scroll_height() - from_bottom);
            } else if at_bottom.try_get_value() == Some(true) {
                el.set_scroll_top(el.scroll_height());
            }
        });
    });
    let on_scroll = move |_| {
        if let Some(el) = scroller.get_untracked() {
            at_bottom.set_value(
                el.scroll_height() - el.scroll_top() - el.client_height() < STICKY_BOTTOM_PX,
            );
        }
    };

    let chat_signal = Signal::from(chat);
    view! {
        <section class="conversation" data-testid="conversation" data-chat-id=chat_id.get_value()>
            <ConversationHeader chat=chat_signal on_change=Callback::new(show_chat) />
            {move || chat_error.get().map(|error| view! {
                <LoadError error=error on_retry=Callback::new(move |()| load_chat()) />
            })}
            <div class="thread" node_ref=scroller on:scroll=on_scroll data-testid="thread">
                <Show when=move || has_previous.get()>
                    <div class="thread-older">
                        <button
                            class="btn btn-secondary btn-small"
                            data-testid="load-older"
                            disabled=move || loading_older.get()
                            on:click=move |_| load_older()
                        >
                            {move || if loading_older.get() { "Loading…" } else { "Load older messages" }}
                        </button>
                    </div>
                </Show>
                <Show when=move || loading.get()>
                    <Spinner label="Loading messages" />
                </Show>
                {move || messages_error.get().map(|error| view! {
                    <div class="banner banner-error thread-error" role="alert" data-testid="messages-error">
                        {error.to_string()}
                        " "
                        <button class="link-button" on:click=move |_| load_newest()>"Try again"</button>
                    </div>
                })}
                <Show when=move || !loading.get() && thread.messages.with(Vec::is_empty) && messages_error.with(Option::is_none)>
                    <p class="thread-empty">"No messages in this chat yet."</p>
                </Show>
                <For each=move || lines.get() key=Line::key let:line>
                    {match line {
                        Line::Day(_, ms) => view! {
                            <div class="day-divider"><span>{move || day_label(ms, inbox.now.get())}</span></div>
                        }.into_any(),
                        Line::Message(message) => view! { <MessageBubble message=message /> }.into_any(),
                    }}
                </For>
            </div>
            <Composer chat=chat_signal thread=thread on_refresh=Callback::new(move |()| load_chat()) />
        </section>
    }
}

/// Who the chat is with, and the human-takeover switch.
#[component]
fn ConversationHeader(chat: Signal<Option<Chat>>, on_change: Callback<Chat>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let set_paused = Mutation::reporting(
        error,
        |client, (id, paused): (String, bool)| async move {
            client.set_chat_ai_paused(&id, paused).await
        },
        move |updated| on_change.run(updated),
    );
    let toggle = move |paused: bool| {
        let Some(id) = chat.with_untracked(|c| c.as_ref().map(|c| c.id.clone())) else {
            return;
        };
        error.set(None);
        set_paused.dispatch((id, paused));
    };
    let paused = move || chat.with(|c| c.as_ref().is_some_and(|c| c.ai_paused));
    let chat_key = Memo::new(move |_| chat.with(|c| c.as_ref().map(|c| c.id.clone())));

    view! {
        <header class="conversation-header">
            <A href=AppRoute::Inbox.path() attr:class="conversation-back" attr:aria-label="Back to chats" attr:data-testid="conversation-back">
                {Icon::Back.view()}
            </A>
            {move || chat.get().map(|c| {
                let subtitle = [
                    c.contact.wa_id.as_deref().map(display_phone),
                    c.contact.username.as_deref().map(|u| format!("@{u}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
                let blocked = c.contact.blacklisted.then(|| view! {
                    <span
                        class="badge badge-danger"
                        data-testid="blocked-badge"
                        title=c.contact.blacklist_reason.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| "Blacklisted".into())
                    >
                        "Blocked"
                    </span>
                });
                view! {
                    <Avatar name=c.contact.name.clone() id=c.contact.id.clone() />
                    <div class="conversation-title">
                        <h2 class="conversation-name" data-testid="conversation-name">{c.contact.name.clone()} " " {blocked}</h2>
                        <p class="conversation-subtitle">{subtitle}</p>
                    </div>
                }
            })}
            <BlockButton chat=chat on_change=on_change />
            <label class="switch takeover" title="When on, the AI stays quiet in this chat and you answer.">
                <input
                    type="checkbox"
                    data-testid="ai-paused-toggle"
                    aria-label="Pause the AI in this chat (human takeover)"
                    prop:checked=paused
                    disabled=move || set_paused.pending() || chat.with(Option::is_none)
                    on:change=move |ev| toggle(event_target_checked(&ev))
                />
                <span class="switch-track" aria-hidden="true"></span>
                <span class="takeover-label">
                    {move || if paused() { "AI paused: you're answering" } else { "AI answering" }}
                </span>
            </label>
        </header>
        // Keyed by the chat's id only: live updates of the chat keep a half-written form.
        {move || chat_key.get().map(|id| view! {
            <ScheduleFollowUp chat_id=id.clone() />
            <CustomerPanel chat_id=id.clone() />
            <PendingDeals chat_id=id />
        })}
        {move || chat.with(|c| c.as_ref().map(|c| (c.product_interest.clone(), c.negotiations.clone(), c.orders.clone()))).filter(|(i, n, o)| !i.is_empty() || !n.is_empty() || !o.is_empty()).map(|(interest, negotiations, orders)| view! {
            <p class="muted chat-sales" data-testid="chat-sales">
                {orders.into_iter().map(|line| view! { <span class="chat-order" data-testid="chat-order">{line}</span> }).collect_view()}
                {(!interest.is_empty()).then(|| view! { <span data-testid="chat-product-interest">"Interested in: " {interest.join(", ")}</span> })}
                {negotiations.into_iter().map(|n| view! { <span class="negotiation" data-testid="chat-negotiation" data-agreed=n.agreed_price.is_some().to_string()>{n.summary()}</span> }).collect_view()}
            </p>
        })}
        {move || chat.with(|c| c.as_ref().and_then(|c| c.handoff_reason.clone().map(|r| (r, c.ai_paused_until.clone())))).map(|(reason, until)| view! {
            <div class="handoff" role="note" data-testid="handoff-reason">
                <strong>"Handed over to you: "</strong>
                {reason}
                {until.map(|until| view! {
                    <span class="muted block" data-testid="handoff-until">{format!("The AI answers again from {}.", date_time(&until))}</span>
                })}
            </div>
        })}
        {move || error.get().map(|message| view! {
            <div class="banner banner-error conversation-banner" role="alert" data-testid="ai-paused-error">{message}</div>
        })}
    }
}

/// Block / Unblock the chat's customer. Blocking asks for a reason first; unblocking
/// removes every blacklist entry naming the customer. The chat is reloaded after either.
#[component]
fn BlockButton(chat: Signal<Option<Chat>>, on_change: Callback<Chat>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let asking = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let change = Mutation::reporting(
        error,
        |client, (chat_id, contact_id, block, reason): (String, String, bool, String)| async move {
            if block {
                client
                    .add_to_blacklist(&BlockTarget::Contact(contact_id), &reason)
                    .await?;
            } else {
                client.remove_from_blacklist(&contact_id).await?;
            }
            client.chat(&chat_id).await
        },
        move |updated| {
            asking.set(false);
            reason.set(String::new());
            on_change.run(updated);
        },
    );
    let ids =
        move || chat.with_untracked(|c| c.as_ref().map(|c| (c.id.clone(), c.contact.id.clone())));
    let blocked = move || chat.with(|c| c.as_ref().is_some_and(|c| c.contact.blacklisted));
    let unblock = move |_| {
        if let Some((chat_id, contact_id)) = ids() {
            error.set(None);
            change.dispatch((chat_id, contact_id, false, String::new()));
        }
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let why = reason.get_untracked();
        if let Err(problem) = check_reason(&why) {
            error.set(Some(format!("The reason {problem}.")));
            return;
        }
        if let Some((chat_id, contact_id)) = ids() {
            error.set(None);
            change.dispatch((chat_id, contact_id, true, why));
        }
    };
    view! {
        <Show
            when=blocked
            fallback=move || view! {
                <button
                    class="btn btn-secondary btn-small"
                    data-testid="block-customer"
                    disabled=move || change.pending() || chat.with(Option::is_none)
                    on:click=move |_| asking.update(|a| *a = !*a)
                >
                    "Block"
                </button>
            }
        >
            <button
                class="btn btn-secondary btn-small"
                data-testid="unblock-customer"
                disabled=move || change.pending()
                on:click=unblock
            >
                "Unblock"
            </button>
        </Show>
        <Show when=move || asking.get() && !blocked()>
            <form class="block-form" on:submit=confirm data-testid="block-form">
                <input
                    class="input"
                    data-testid="block-reason"
                    aria-label="Why block this customer?"
                    placeholder="Why? (optional)"
                    maxlength="500"
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))
                />
                <button class="btn btn-danger btn-small" type="submit" data-testid="block-confirm" disabled=move || change.pending()>
                    "Block customer"
                </button>
                <button class="btn btn-secondary btn-small" type="button" on:click=move |_| asking.set(false)>
                    "Cancel"
                </button>
            </form>
        </Show>
        {move || error.get().map(|message| view! {
            <div class="banner banner-error conversation-banner" role="alert" data-testid="block-error">{message}</div>
        })}
    }
}
