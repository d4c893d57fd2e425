//! The open chat's messages: one list that the conversation's pages, the live events and
//! the composer's sends all merge into, each message once, its status only moving forward.

use leptos::prelude::*;

use super::format::epoch_ms;
use crate::client::Message;

/// The messages of the open chat, oldest first, each id once.
#[derive(Debug, Clone, Copy)]
pub struct Thread {
    /// The messages, oldest first (read by the conversation's message list).
    pub messages: RwSignal<Vec<Message>>,
}

impl Thread {
    /// An empty thread.
    pub fn new() -> Thread {
        Thread {
            messages: RwSignal::new(Vec::new()),
        }
    }

    /// Adds a message, or merges a newer view of one already shown: its status only moves
    /// forward (a late "delivered" never undoes "read"), so the send mutation's answer and
    /// the live event may arrive in either order without a duplicate or a regression.
    pub fn upsert(self, message: Message) {
        self.messages.update(|messages| merge(messages, message));
    }

    /// Takes a message out (a local placeholder once the stored one is known).
    pub fn remove(self, id: &str) {
        self.messages
            .update(|messages| messages.retain(|m| m.id != id));
    }
}

fn merge(messages: &mut Vec<Message>, message: Message) {
    if let Some(existing) = messages.iter_mut().find(|m| m.id == message.id) {
        let status_moves =
            existing.status == message.status || existing.status.can_advance_to(message.status);
        let (status, error_code, error_title) = if status_moves {
            (
                message.status,
                message.error_code,
                message.error_title.clone(),
            )
        } else {
            (
                existing.status,
                existing.error_code,
                existing.error_title.clone(),
            )
        };
        *existing = Message {
            status,
            error_code,
            error_title,
            ..message
        };
        return;
    }
    let at = epoch_ms(&message.timestamp).unwrap_or(f64::MAX);
    let position = messages
        .iter()
        .rposition(|m| epoch_ms(&m.timestamp).unwrap_or(f64::MIN) <= at)
        .map_or(0, |i| i + 1);
    messages.insert(position, message);
}
