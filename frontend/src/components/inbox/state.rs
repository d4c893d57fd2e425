//! The inbox page's shared state: the chat list (filled a page at a time and kept current by
//! live events) and which chat is open. The conversation view updates the list through it.

use leptos::prelude::*;

use super::format::epoch_ms;
use crate::client::{Chat, Message};
use crate::components::paged::Paged;

/// The inbox context, provided by the inbox page.
#[derive(Debug, Clone, Copy)]
pub struct Inbox {
    /// The chat list, newest activity first.
    pub chats: Paged<Chat>,
    /// The text search the list was loaded with.
    pub search: RwSignal<String>,
    /// Whether the list shows unread chats only.
    pub unread_only: RwSignal<bool>,
    /// Id of the open chat, from the URL.
    pub selected: Memo<Option<String>>,
    /// The clock relative times are shown against; ticks every 30 s.
    pub now: RwSignal<f64>,
}

/// The inbox context of the inbox page.
pub fn use_inbox() -> Inbox {
    expect_context::<Inbox>()
}

/// Sort key: last activity, newest first; chats without messages last.
fn activity(chat: &Chat) -> f64 {
    chat.last_message_at
        .as_deref()
        .and_then(epoch_ms)
        .unwrap_or(f64::MIN)
}

fn sort(chats: &mut [Chat]) {
    chats.sort_by(|a, b| activity(b).total_cmp(&activity(a)));
}

impl Inbox {
    /// Whether `chat` belongs in the list under the current filters.
    fn matches(self, chat: &Chat) -> bool {
        let selected = self.selected.get_untracked().as_deref() == Some(chat.id.as_str());
        if self.unread_only.get_untracked() && chat.unread_count == 0 && !selected {
            return false;
        }
        let search = self.search.get_untracked().to_lowercase();
        if search.is_empty() {
            return true;
        }
        let contact = &chat.contact;
        [
            Some(&contact.name),
            contact.wa_id.as_ref(),
            contact.username.as_ref(),
        ]
        .into_iter()
        .flatten()
        .any(|text| text.to_lowercase().contains(search.trim_start_matches('+')))
    }

    /// Puts the server's latest view of a chat in the list (in activity order), or takes it
    /// out when it no longer matches the filters.
    pub fn upsert_chat(self, chat: Chat) {
        let keep = self.matches(&chat);
        self.chats.list.update(|list| {
            let position = list.items.iter().position(|c| c.id == chat.id);
            match (position, keep) {
                (Some(index), true) => list.items[index] = chat,
                (Some(index), false) => {
                    list.items.remove(index);
                }
                (None, true) => list.items.push(chat),
                (None, false) => return,
            }
            sort(&mut list.items);
        });
    }

    /// Shows a new message in its chat's row at once (preview, time, unread), before the
    /// server's view of the chat arrives. `false` when the chat is not in the list.
    pub fn note_message(self, message: &Message, counts_as_unread: bool) -> bool {
        let mut found = false;
        self.chats.list.update(|list| {
            if let Some(chat) = list.items.iter_mut().find(|c| c.id == message.chat_id) {
                found = true;
                chat.last_message_preview = Some(message.body.clone());
                chat.last_message_at = Some(message.timestamp.clone());
                if counts_as_unread {
                    chat.unread_count += 1;
                }
                sort(&mut list.items);
            }
        });
        found
    }

    /// The listed chat with `id`, if loaded (tracked).
    pub fn chat(self, id: &str) -> Option<Chat> {
        self.chats
            .list
            .with(|list| list.items.iter().find(|c| c.id == id).cloned())
    }
}
