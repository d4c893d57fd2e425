//! The activity log: an append-only record of every action that matters, who did it
//! (owner, staff, AI, system, API token, customer) and what it is about (a link to the
//! chat, order, product...). Message content never enters it: messages are counted.
//!
//! Everything that acts calls [`record`]; the log is read through GraphQL (`activity`,
//! `activityAdded`) and an order's timeline is its activity. The SQL is
//! [`crate::db::activity`]. Messages in and out are counted once an hour by
//! [`message_counts`].

pub mod message_counts;

use diesel::QueryResult;
use diesel_async::AsyncMysqlConnection;
use shared::{ActivityId, ActivityKind, ActorKind, BusinessId, SubjectKind};

use crate::db::activity::{self as model, NewActivity};
use crate::events::{DomainEvent, EventBus, EventKind};

/// Who did something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Owner, staff, AI, system, API token or customer.
    pub kind: ActorKind,
    /// The user's email or the API token's name, when there is one.
    pub name: Option<String>,
}

impl Actor {
    /// A named actor (a dashboard user by email, an API token by name).
    pub fn named(kind: ActorKind, name: impl Into<String>) -> Actor {
        Actor {
            kind,
            name: Some(name.into()),
        }
    }

    /// The AI salesperson.
    pub fn ai() -> Actor {
        Actor {
            kind: ActorKind::Ai,
            name: None,
        }
    }

    /// The server on its own (workers, rules).
    pub fn system() -> Actor {
        Actor {
            kind: ActorKind::System,
            name: None,
        }
    }

    /// The customer (e.g. a STOP opt-out).
    pub fn customer() -> Actor {
        Actor {
            kind: ActorKind::Customer,
            name: None,
        }
    }
}

/// What an entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    /// Chat, order, product...
    pub kind: SubjectKind,
    /// Its id.
    pub id: u64,
}

impl Subject {
    /// A chat.
    pub fn chat(id: shared::ChatId) -> Subject {
        Subject {
            kind: SubjectKind::Chat,
            id: id.0,
        }
    }

    /// An order.
    pub fn order(id: shared::OrderId) -> Subject {
        Subject {
            kind: SubjectKind::Order,
            id: id.0,
        }
    }

    /// A product.
    pub fn product(id: shared::ProductId) -> Subject {
        Subject {
            kind: SubjectKind::Product,
            id: id.0,
        }
    }

    /// A customer.
    pub fn contact(id: shared::ContactId) -> Subject {
        Subject {
            kind: SubjectKind::Contact,
            id: id.0,
        }
    }

    /// A blacklist entry.
    pub fn blacklist_entry(id: shared::BlacklistEntryId) -> Subject {
        Subject {
            kind: SubjectKind::BlacklistEntry,
            id: id.0,
        }
    }

    /// A follow-up.
    pub fn follow_up(id: shared::FollowUpId) -> Subject {
        Subject {
            kind: SubjectKind::FollowUp,
            id: id.0,
        }
    }

    /// The business itself.
    pub fn business(id: BusinessId) -> Subject {
        Subject {
            kind: SubjectKind::Business,
            id: id.0,
        }
    }
}

/// One thing that happened.
#[derive(Debug, Clone)]
pub struct Entry {
    /// What happened.
    pub kind: ActivityKind,
    /// What it is about.
    pub subject: Option<Subject>,
    /// One line for people, without message content ("Order #12 confirmed").
    pub summary: String,
    /// Structured details for integrators (ids, counts, amounts, reasons).
    pub details: serde_json::Value,
}

impl Entry {
    /// An entry about `subject` with no details.
    pub fn new(kind: ActivityKind, subject: Option<Subject>, summary: impl Into<String>) -> Entry {
        Entry {
            kind,
            subject,
            summary: summary.into(),
            details: serde_json::Value::Object(Default::default()),
        }
    }

    /// The same entry with these details.
    pub fn details(mut self, details: serde_json::Value) -> Entry {
        self.details = details;
        self
    }
}

fn cut(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

/// Appends an entry without publishing it: for writes inside a transaction whose
/// commit is not ours to wait for (ingest's group commit). Prefer [`record`].
pub async fn append(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    actor: &Actor,
    entry: Entry,
) -> QueryResult<ActivityId> {
    model::insert(
        conn,
        &NewActivity {
            business_id,
            kind: entry.kind,
            subject: cut(&entry.summary, 255),
            subject_kind: entry.subject.map(|s| s.kind),
            subject_id: entry.subject.map(|s| s.id),
            details: entry.details.to_string(),
            actor: actor.kind,
            actor_name: actor.name.as_deref().map(|n| cut(n, 255)),
        },
    )
    .await
}

/// Appends an entry and publishes it (`activityAdded`). Call it after the change it
/// records has committed (or in the same transaction, publishing then waits for
/// nothing: subscribers load the entry by id and skip one they cannot see).
pub async fn record(
    conn: &mut AsyncMysqlConnection,
    events: &EventBus,
    business_id: BusinessId,
    actor: &Actor,
    entry: Entry,
) -> QueryResult<ActivityId> {
    let id = append(conn, business_id, actor, entry).await?;
    events.publish(DomainEvent {
        business_id,
        kind: EventKind::ActivityAdded { activity_id: id.0 },
    });
    Ok(id)
}

/// Like [`record`], for side records that must never fail the action they describe:
/// a failure is logged (without details) and otherwise ignored.
pub async fn record_quietly(
    conn: &mut AsyncMysqlConnection,
    events: &EventBus,
    business_id: BusinessId,
    actor: &Actor,
    entry: Entry,
) {
    let kind = entry.kind;
    if let Err(e) = record(conn, events, business_id, actor, entry).await {
        tracing::warn!(%business_id, kind = kind.as_str(), error = %e, "activity log write failed");
    }
}
