//! One row of the chat list.

use leptos::prelude::*;
use leptos_router::components::A;

use super::format::{avatar_hue, epoch_ms, initials, relative_time};
use super::state::use_inbox;
use crate::client::Chat;
use crate::routes::AppRoute;

/// A round avatar with the contact's initials.
#[component]
pub fn Avatar(
    /// Contact name.
    #[prop(into)]
    name: String,
    /// Contact id (picks the color).
    #[prop(into)]
    id: String,
) -> impl IntoView {
    let style = format!("--avatar-hue: {}", avatar_hue(&id));
    view! {
        <span class="avatar" style=style aria-hidden="true">
            {initials(&name)}
        </span>
    }
}

/// A chat in the list: avatar, name, last message, time, unread badge, "AI paused",
/// "Blocked" (the customer is blacklisted: their messages arrive, nothing automated is
/// sent).
#[component]
pub fn ChatRow(
    /// The chat's id; its data comes from the inbox list, so live updates show.
    id: String,
) -> impl IntoView {
    let inbox = use_inbox();
    let chat = {
        let id = id.clone();
        Memo::new(move |_| inbox.chat(&id))
    };
    let href = AppRoute::Chat(id.clone()).path();
    move || {
        chat.get().map(|chat: Chat| {
            let when = chat.last_message_at.as_deref().and_then(epoch_ms);
            let time = move || when.map(|ms| relative_time(ms, inbox.now.get())).unwrap_or_default();
            let unread = chat.unread_count;
            let preview = chat
                .last_message_preview
                .clone()
                .unwrap_or_else(|| "No messages yet".into());
            let chat_id = chat.id.clone();
            let name = chat.contact.name.clone();
            let name_attr = name.clone();
            let contact_id = chat.contact.id.clone();
            let ai_paused = chat.ai_paused;
            let blocked = chat.contact.blacklisted;
            let row_class = if unread > 0 { "chat-row unread" } else { "chat-row" };
            let title = chat.last_message_at.clone().map(|t| super::format::date_time(&t));
            view! {
                <A
                    href=href.clone()
                    // The router marks the open chat's row `aria-current="page"`.
                    attr:class=row_class
                    attr:data-testid="chat-row"
                    attr:data-chat-id=chat_id
                    attr:data-chat-name=name_attr
                >
                    <Avatar name=name.clone() id=contact_id.clone() />
                    <span class="chat-row-body">
                        <span class="chat-row-top">
                            <span class="chat-row-name">{name.clone()}</span>
                            <time class="chat-row-time" title=title>{time}</time>
                        </span>
                        <span class="chat-row-bottom">
                            <span class="chat-row-preview">{preview}</span>
                            {ai_paused.then(|| view! {
                                <span class="badge badge-warning" data-testid="chat-ai-paused" title="AI paused: a person is answering">
                                    "AI paused"
                                </span>
                            })}
                            {blocked.then(|| view! {
                                <span class="badge badge-danger" data-testid="chat-blocked" title="Blacklisted: nothing automated is sent">
                                    "Blocked"
                                </span>
                            })}
                            {(unread > 0).then(|| view! {
                                <span class="unread-badge" data-testid="chat-unread" aria-label=format!("{unread} unread")>
                                    {unread}
                                </span>
                            })}
                        </span>
                    </span>
                </A>
            }
        })
    }
}
