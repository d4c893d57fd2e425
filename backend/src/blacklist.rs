//! The blacklist (suppression list): customers the business's automation must never
//! message. An entry names a customer by phone, BSUID or username, normalised by
//! [`shared::blacklist`]; a contact is blocked when ANY of its identifiers is listed.
//!
//! Every automated start asks [`is_blocked`] (AI replies, follow-ups, order
//! notifications); ingest's reply scheduler checks a whole batch in one query
//! ([`crate::agent::enqueue`]). Inbound messages from a blocked customer are stored as
//! usual: the block stops what we send, never what we keep. A customer's "STOP" writes
//! the same list ([`opt_out`]), so the owner sees it (live) and can undo it.
//!
//! Each add and remove is logged (actor: the caller) and published
//! (`BlacklistChanged`, plus `ChatUpdated` for the chats of the customers it names, so
//! the inbox's "blocked" badge follows). The SQL is [`crate::db::blacklist`].

use diesel::QueryResult;
use diesel_async::AsyncMysqlConnection;
use serde_json::json;
use shared::blacklist::{BlockKey, check_reason};
use shared::{ActivityKind, BlacklistEntryId, BusinessId, ContactId};

use crate::activity::{self, Actor, Entry, Subject};
use crate::app::AppState;
use crate::db::blacklist::{self as model, AddedBy, BlacklistEntry};
use crate::db::contacts::Identity;
use crate::db::inbox::{self as inbox_model, Contact};
use crate::error::{AppError, AppResult};
use crate::events::{DomainEvent, EventKind};

/// The reason a STOP opt-out is listed with.
pub const OPT_OUT_REASON: &str = "opted out (STOP)";

/// Who to block.
#[derive(Debug, Clone)]
pub enum Target {
    /// A known customer: listed under [`contact_key`].
    Contact(ContactId),
    /// An identifier typed by the owner (already normalised).
    Key(BlockKey),
}

/// The one identifier a customer is listed under when blocked as a whole: the BSUID
/// first, then the phone, then the username (DESIGN.md: BSUID first, phone second).
/// The other identifiers still match, since a contact is blocked when any does.
pub fn contact_key(identity: &Identity) -> Option<BlockKey> {
    let keys = model::identity_keys(identity);
    let rank = |k: &BlockKey| match k.kind {
        shared::BlockKind::UserId => 0,
        shared::BlockKind::Phone => 1,
        shared::BlockKind::Username => 2,
    };
    keys.into_iter().min_by_key(rank)
}

/// Whether the contact is on its business's blacklist by any of its identifiers. The
/// check every automated message (AI reply, follow-up, order notification) makes.
pub async fn is_blocked(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    contact: &Contact,
) -> QueryResult<bool> {
    model::any_listed(conn, business_id, &model::identity_keys(&contact.identity)).await
}

fn added_by(actor: &Actor) -> AddedBy<'_> {
    AddedBy {
        kind: actor.kind,
        name: actor.name.as_deref(),
    }
}

/// Tells the business's subscribers about the entry and the chats it names.
async fn publish(
    app: &AppState,
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    entry: &BlacklistEntry,
    removed: bool,
) {
    app.events.publish(DomainEvent {
        business_id,
        kind: EventKind::BlacklistChanged {
            entry_id: entry.id.0,
            removed,
        },
    });
    match model::chats_named_by(conn, business_id, &entry.key()).await {
        Ok(chats) => {
            for chat in chats {
                app.events.publish(DomainEvent {
                    business_id,
                    kind: EventKind::ChatUpdated { chat_id: chat.0 },
                });
            }
        }
        Err(e) => {
            tracing::warn!(%business_id, error = %e, "could not list the chats a blacklist change touches")
        }
    }
}

/// Blocks a customer, or updates the reason of an entry already there (not an error).
/// `reason` is at most 500 characters. A contact of another business is `NOT_FOUND`.
pub async fn add(
    app: &AppState,
    business_id: BusinessId,
    actor: &Actor,
    target: Target,
    reason: &str,
) -> AppResult<BlacklistEntry> {
    let reason = check_reason(reason).map_err(|m| AppError::invalid("reason", m))?;
    let mut conn = app.db().await?;
    let (key, contact) = match target {
        Target::Key(key) => (key, None),
        Target::Contact(id) => {
            let contact = inbox_model::find_contact(&mut conn, business_id.0, id.0)
                .await?
                .ok_or(AppError::NotFound("contact"))?;
            let key = contact_key(&contact.identity).ok_or_else(|| {
                AppError::invalid(
                    "contactId",
                    "this customer has no phone number, user id or username to block",
                )
            })?;
            (key, Some(id))
        }
    };
    let (entry, created) =
        model::upsert(&mut conn, business_id, &key, reason, added_by(actor)).await?;
    let summary = if created {
        "Customer added to the blacklist"
    } else {
        "Blacklist entry updated"
    };
    // No number or name in the log (an erasure must leave nothing behind): the entry is
    // linked instead.
    let log = Entry::new(
        ActivityKind::BlacklistAdded,
        Some(Subject::blacklist_entry(entry.id)),
        summary,
    )
    .details(json!({
        "entry_id": entry.id,
        "kind": entry.kind.as_str(),
        "contact_id": contact,
        "updated": !created,
    }));
    activity::record_quietly(&mut conn, &app.events, business_id, actor, log).await;
    publish(app, &mut conn, business_id, &entry, false).await;
    Ok(entry)
}

/// Removes one entry of the business (another business's is `NOT_FOUND`).
pub async fn remove(
    app: &AppState,
    business_id: BusinessId,
    actor: &Actor,
    id: BlacklistEntryId,
) -> AppResult<BlacklistEntry> {
    let mut conn = app.db().await?;
    let entry = model::find(&mut conn, business_id, id)
        .await?
        .ok_or(AppError::NotFound("blacklist entry"))?;
    if !model::delete(&mut conn, business_id, id).await? {
        return Err(AppError::NotFound("blacklist entry"));
    }
    logged_removal(app, &mut conn, business_id, actor, &entry).await;
    Ok(entry)
}

/// Unblocks a customer: removes every entry naming any of the contact's identifiers.
/// Returns the entries removed (none when the contact was not blocked).
pub async fn unblock_contact(
    app: &AppState,
    business_id: BusinessId,
    actor: &Actor,
    contact_id: ContactId,
) -> AppResult<Vec<BlacklistEntry>> {
    let mut conn = app.db().await?;
    inbox_model::find_contact(&mut conn, business_id.0, contact_id.0)
        .await?
        .ok_or(AppError::NotFound("contact"))?;
    let entries = model::entries_for_contact(&mut conn, business_id, contact_id).await?;
    let mut removed = Vec::new();
    for entry in entries {
        if model::delete(&mut conn, business_id, entry.id).await? {
            logged_removal(app, &mut conn, business_id, actor, &entry).await;
            removed.push(entry);
        }
    }
    Ok(removed)
}

async fn logged_removal(
    app: &AppState,
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    actor: &Actor,
    entry: &BlacklistEntry,
) {
    let log = Entry::new(
        ActivityKind::BlacklistRemoved,
        Some(Subject::blacklist_entry(entry.id)),
        "Customer removed from the blacklist",
    )
    .details(json!({"entry_id": entry.id, "kind": entry.kind.as_str()}));
    activity::record_quietly(conn, &app.events, business_id, actor, log).await;
    publish(app, conn, business_id, entry, true).await;
}

/// A customer's STOP: lists them under [`contact_key`] with [`OPT_OUT_REASON`] (actor:
/// the customer) unless already listed there, inside the caller's transaction (ingest's
/// batch). Returns the new entry's id (`None` when already listed); the caller logs
/// `ContactOptedOut` and publishes `BlacklistChanged` after its commit.
pub async fn opt_out(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    identity: &Identity,
) -> QueryResult<Option<BlacklistEntryId>> {
    let Some(key) = contact_key(identity) else {
        return Ok(None);
    };
    let customer = Actor::customer();
    model::insert_if_missing(conn, business_id, &key, OPT_OUT_REASON, added_by(&customer)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(wa: Option<&str>, user: Option<&str>, name: Option<&str>) -> Identity {
        Identity {
            wa_id: wa.map(Into::into),
            user_id: user.map(Into::into),
            username: name.map(Into::into),
            ..Identity::default()
        }
    }

    #[test]
    fn a_contact_is_listed_by_bsuid_then_phone_then_username() {
        let all = identity(Some("15551234567"), Some("US.1"), Some("Ada"));
        assert_eq!(contact_key(&all).unwrap().value, "US.1");
        let phone = identity(Some("15551234567"), None, Some("Ada"));
        assert_eq!(contact_key(&phone).unwrap().value, "15551234567");
        let name = identity(None, None, Some("@Ada"));
        assert_eq!(contact_key(&name).unwrap().value, "ada");
        assert!(contact_key(&identity(None, None, None)).is_none());
    }

    #[test]
    fn every_identifier_of_a_contact_is_a_key() {
        let keys = model::identity_keys(&identity(Some("1555"), Some("US.1"), Some("Ada")));
        let kinds: Vec<_> = keys.iter().map(|k| k.kind).collect();
        assert_eq!(
            kinds,
            [
                shared::BlockKind::Phone,
                shared::BlockKind::UserId,
                shared::BlockKind::Username
            ]
        );
        assert_eq!(keys[2].value, "ada");
    }
}
