//! The coexistence webhooks of a number the seller keeps in the WhatsApp Business app,
//! read into the same [`MessagesChange`] as customer messages, so they are stored by the
//! same group commit:
//!
//! - `smb_message_echoes`: `message_echoes[]`, messages the owner typed on the phone,
//!   `from` the business number `to` the customer: stored as the business's own
//!   (`sent_by = phone`); the AI stands back in that chat.
//! - `history`: `history[].threads[].messages[]`, up to six months of past chats in
//!   chunks (`metadata.progress`): placed at their own times, never unread, never
//!   opening the 24-hour window, never answered or followed up. `history_context.
//!   from_me` (else a sender other than the thread's customer) marks the owner's own.
//! - `smb_app_state_sync`: `state_sync[]` contacts of the phone: a name for each number.

use serde_json::Value;

use super::{MessagesChange, clip, normalize};
use crate::db::contacts::Identity;
use crate::meta::webhook::{MessageIn, non_empty};

/// `metadata.phone_number_id` of a change's value.
fn number_of(value: &Value) -> String {
    value["metadata"]["phone_number_id"]
        .as_str()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A customer named by phone (`wa_id`) and/or BSUID.
fn customer(wa_id: Option<&str>, user_id: Option<&str>) -> Option<Identity> {
    let digits = |w: &str| w.chars().filter(char::is_ascii_digit).collect::<String>();
    let identity = Identity {
        wa_id: wa_id
            .map(digits)
            .filter(|w| !w.is_empty())
            .map(|w| clip(&w, 32)),
        user_id: user_id
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| clip(u, 128)),
        ..Identity::default()
    };
    identity.is_identified().then_some(identity)
}

/// The typed view of one raw message, if it has a usable wamid.
fn typed(raw: &Value) -> Option<MessageIn> {
    let typed: MessageIn = serde_json::from_value(raw.clone()).unwrap_or_default();
    let wamid = typed.id.trim();
    (!wamid.is_empty() && wamid.chars().count() <= 191).then_some(typed)
}

/// `smb_message_echoes`: what the owner sent from the phone.
pub fn echoes(value: &Value) -> MessagesChange {
    let mut change = MessagesChange {
        phone_number_id: number_of(value),
        ..MessagesChange::default()
    };
    for raw in value["message_echoes"].as_array().into_iter().flatten() {
        let Some(typed) = typed(raw) else { continue };
        let to_user = raw["to_user_id"]
            .as_str()
            .or_else(|| raw["recipient_user_id"].as_str());
        let Some(to) = customer(raw["to"].as_str(), to_user) else {
            continue;
        };
        change.messages.push(normalize::echo(raw, &typed, to));
    }
    change
}

/// `history`: past chats, chunk by chunk.
pub fn history(value: &Value) -> MessagesChange {
    let mut change = MessagesChange {
        phone_number_id: number_of(value),
        ..MessagesChange::default()
    };
    for chunk in value["history"].as_array().into_iter().flatten() {
        if let Some(progress) = chunk["metadata"]["progress"].as_u64() {
            let progress = u8::try_from(progress.min(100)).unwrap_or(100);
            change.history_progress = Some(change.history_progress.unwrap_or(0).max(progress));
        }
        for thread in chunk["threads"].as_array().into_iter().flatten() {
            let thread_wa = thread["id"].as_str();
            let Some(who) = customer(thread_wa, thread["user_id"].as_str()) else {
                continue;
            };
            for raw in thread["messages"].as_array().into_iter().flatten() {
                let Some(typed) = typed(raw) else { continue };
                let from_me = match raw["history_context"]["from_me"].as_bool() {
                    Some(from_me) => from_me,
                    None => {
                        let from = non_empty(&typed.from);
                        let digits =
                            |w: &str| w.chars().filter(char::is_ascii_digit).collect::<String>();
                        from.is_some_and(|f| Some(digits(f)) != who.wa_id)
                    }
                };
                change
                    .messages
                    .push(normalize::history(raw, &typed, who.clone(), from_me));
            }
        }
    }
    change
}

/// `smb_app_state_sync`: the phone's contacts, as names for numbers.
pub fn phone_book(value: &Value) -> MessagesChange {
    let mut change = MessagesChange {
        phone_number_id: number_of(value),
        ..MessagesChange::default()
    };
    for item in value["state_sync"].as_array().into_iter().flatten() {
        if item["type"].as_str() != Some("contact") || item["action"].as_str() == Some("remove") {
            continue;
        }
        let contact = &item["contact"];
        let Some(who) = customer(contact["phone_number"].as_str(), None) else {
            continue;
        };
        let name = contact["full_name"]
            .as_str()
            .or_else(|| contact["first_name"].as_str())
            .map(str::trim)
            .filter(|n| !n.is_empty());
        if let Some(name) = name {
            change.identities.push(who.clone());
            change.phone_book.push((who, clip(name, 120)));
        }
    }
    change
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use shared::{MessageDirection, SentBy};

    use super::*;

    fn meta() -> Value {
        json!({"display_phone_number": "15550001111", "phone_number_id": "106540352242922"})
    }

    #[test]
    fn an_echo_is_the_owners_message_to_the_customer_and_stands_the_ai_back() {
        let value = json!({"messaging_product": "whatsapp", "metadata": meta(), "message_echoes": [{
            "from": "15550001111", "to": "+234 801 111 2222", "id": "wamid.ECHO1", "timestamp": "1765000000",
            "type": "text", "text": {"body": "I'll bring it tomorrow"}
        }]});
        let change = echoes(&value);
        assert_eq!(change.phone_number_id, "106540352242922");
        let m = &change.messages[0];
        assert_eq!(m.sender.wa_id.as_deref(), Some("2348011112222"));
        assert_eq!(m.direction, MessageDirection::Outbound);
        assert_eq!(m.sent_by, SentBy::Phone);
        assert!(m.stands_ai_back && !m.counts_unread && !m.opens_window && m.updates_preview);
        assert_eq!(m.body, "I'll bring it tomorrow");
    }

    #[test]
    fn history_keeps_both_sides_at_their_times_and_reports_progress() {
        let value = json!({"messaging_product": "whatsapp", "metadata": meta(), "history": [{
            "metadata": {"phase": 0, "chunk_order": 1, "progress": 40},
            "threads": [{"id": "2348011112222", "messages": [
                {"from": "2348011112222", "id": "wamid.H1", "timestamp": "1760000000", "type": "text",
                 "text": {"body": "Do you have it in red?"}, "history_context": {"status": "READ"}},
                {"from": "15550001111", "id": "wamid.H2", "timestamp": "1760000060", "type": "text",
                 "text": {"body": "Yes"}, "history_context": {"status": "READ", "from_me": true}}
            ]}]
        }]});
        let change = history(&value);
        assert_eq!(change.history_progress, Some(40));
        let [asked, answered] = change.messages.as_slice() else {
            panic!("two messages")
        };
        assert_eq!(asked.direction, MessageDirection::Inbound);
        assert_eq!(answered.direction, MessageDirection::Outbound);
        assert_eq!(answered.sent_by, SentBy::Phone);
        for m in [asked, answered] {
            assert!(!m.counts_unread && !m.opens_window && !m.stands_ai_back);
            assert!(m.wa_timestamp.is_some());
        }
    }

    #[test]
    fn the_phone_book_names_numbers_and_skips_removals() {
        let value = json!({"messaging_product": "whatsapp", "metadata": meta(), "state_sync": [
            {"type": "contact", "action": "add", "contact": {"full_name": "Mama Ngozi", "first_name": "Ngozi", "phone_number": "+234 803 555 0000"}},
            {"type": "contact", "action": "remove", "contact": {"full_name": "Old", "phone_number": "+1 555 0100"}}
        ]});
        let change = phone_book(&value);
        assert_eq!(change.phone_book.len(), 1);
        assert_eq!(
            change.phone_book[0].0.wa_id.as_deref(),
            Some("2348035550000")
        );
        assert_eq!(change.phone_book[0].1, "Mama Ngozi");
    }
}
