//! The owner's actions on a chat: reading it (unread count reset, read receipt to
//! WhatsApp), taking over from the AI, and keeping the customer's name and notes.

use diesel_async::AsyncMysqlConnection;
use shared::{ActivityKind, BusinessId, ChatId};

use crate::activity::{Entry, Subject};
use crate::app::AppState;
use crate::auth::Caller;
use crate::db::chats;
use crate::db::inbox::{self as model, Chat};
use crate::error::{AppError, AppResult};
use crate::events::{DomainEvent, EventKind};
use crate::sender;

/// The chat, when it is this business's.
async fn chat_of(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    chat_id: u64,
) -> AppResult<Chat> {
    model::find_chat(conn, business_id.0, chat_id)
        .await?
        .ok_or(AppError::NotFound("chat"))
}

/// Tells the business's subscribers that the chat's summary changed.
fn publish_chat_updated(app: &AppState, business_id: BusinessId, chat_id: u64) {
    app.events.publish(DomainEvent {
        business_id,
        kind: EventKind::ChatUpdated { chat_id },
    });
}

/// Marks a chat read: the unread count goes to zero and, when there was something
/// unread, WhatsApp gets a read receipt for the latest inbound message (sent in the
/// background: the dashboard does not wait for Meta).
pub async fn mark_chat_read(
    app: &AppState,
    business_id: BusinessId,
    chat_id: u64,
) -> AppResult<Chat> {
    let mut conn = app.db().await?;
    chat_of(&mut conn, business_id, chat_id).await?;
    let (previous_unread, latest_inbound) =
        chats::mark_read(&mut conn, business_id.0, chat_id).await?;
    if previous_unread > 0 {
        publish_chat_updated(app, business_id, chat_id);
        if let Some(wamid) = latest_inbound {
            let app = app.clone();
            tokio::spawn(async move { sender::send_read_receipt(&app, business_id, &wamid).await });
        }
    }
    chat_of(&mut conn, business_id, chat_id).await
}

/// Pauses (human takeover) or resumes the AI for one chat.
/// A change of state is logged in the activity log; setting the state it already has
/// changes nothing and logs nothing.
pub async fn set_ai_paused(
    app: &AppState,
    caller: &Caller,
    chat_id: u64,
    paused: bool,
) -> AppResult<Chat> {
    let business_id = caller.business_id;
    let mut conn = app.db().await?;
    let before = chat_of(&mut conn, business_id, chat_id).await?;
    // A timed pause asked to become a lasting one (or lifted early) is a change.
    if before.ai_stands_back(chrono::Utc::now().naive_utc()) == paused
        && before.ai_paused_until.is_none()
    {
        return Ok(before);
    }
    chats::set_ai_paused(&mut conn, business_id.0, chat_id, paused).await?;
    publish_chat_updated(app, business_id, chat_id);
    let chat = chat_of(&mut conn, business_id, chat_id).await?;
    let (kind, verb) = if paused {
        (ActivityKind::ChatPaused, "taken over from the AI")
    } else {
        (ActivityKind::ChatResumed, "handed back to the AI")
    };
    // No customer name in the log: it links to the chat instead (an erasure then
    // leaves nothing personal behind here).
    let entry = Entry::new(
        kind,
        Some(Subject::chat(ChatId(chat_id))),
        format!("Chat {verb}"),
    );
    caller.record(&mut conn, &app.events, entry).await;
    Ok(chat)
}

/// Longest name the owner may give a customer.
pub const MAX_CONTACT_NAME_CHARS: usize = 120;
/// Longest notes about a customer.
pub const MAX_CONTACT_NOTES_CHARS: usize = 4_000;

/// Sets the owner's name and notes for a customer (`None` leaves a field as it is; an
/// empty text clears it). Logged by field name only: what was written stays out of
/// the activity log.
pub async fn update_contact(
    app: &AppState,
    caller: &Caller,
    contact_id: u64,
    name: Option<String>,
    notes: Option<String>,
) -> AppResult<model::Contact> {
    let clean =
        |text: Option<String>| text.map(|t| Some(t.trim().to_string()).filter(|t| !t.is_empty()));
    let (name, notes) = (clean(name), clean(notes));
    if name
        .as_ref()
        .and_then(Option::as_ref)
        .is_some_and(|n| n.chars().count() > MAX_CONTACT_NAME_CHARS)
    {
        return Err(AppError::invalid(
            "name",
            format!("at most {MAX_CONTACT_NAME_CHARS} characters"),
        ));
    }
    if notes
        .as_ref()
        .and_then(Option::as_ref)
        .is_some_and(|n| n.chars().count() > MAX_CONTACT_NOTES_CHARS)
    {
        return Err(AppError::invalid(
            "notes",
            format!("at most {MAX_CONTACT_NOTES_CHARS} characters"),
        ));
    }
    let business_id = caller.business_id;
    let mut conn = app.db().await?;
    let fields: Vec<&str> = [("name", name.is_some()), ("notes", notes.is_some())]
        .into_iter()
        .filter_map(|(f, set)| set.then_some(f))
        .collect();
    if !model::update_contact(&mut conn, business_id.0, contact_id, name, notes).await? {
        return Err(AppError::NotFound("contact"));
    }
    if !fields.is_empty() {
        let entry = Entry::new(
            ActivityKind::ContactUpdated,
            Some(Subject::contact(shared::ContactId(contact_id))),
            "Customer details changed",
        )
        .details(serde_json::json!({ "fields": fields }));
        caller.record(&mut conn, &app.events, entry).await;
        if let Some(chat_id) =
            crate::db::orders::chat_of_contact(&mut conn, business_id.0, contact_id).await?
        {
            publish_chat_updated(app, business_id, chat_id);
        }
    }
    model::find_contact(&mut conn, business_id.0, contact_id)
        .await?
        .ok_or(AppError::NotFound("contact"))
}
