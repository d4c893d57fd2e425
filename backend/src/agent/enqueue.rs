//! Scheduling replies, inside the ingest transaction: a message is never stored
//! without its reply job (or its reason for having none).
//!
//! One job per chat (dedupe key `ai_reply:{chat}`); each new customer message pushes
//! its `run_at` to now + debounce, so several quick messages get one answer. No job
//! for a blacklisted contact, a paused chat or a business with AI off (the worker
//! checks again when the job runs). A contact is blacklisted when any of its
//! identifiers (phone, BSUID, username) is listed: one query for the whole batch. A
//! "STOP"-style message blacklists the contact ([`crate::blacklist::opt_out`]: the same
//! list the owner manages) and schedules one opt-out notice instead.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::QueryResult;
use diesel_async::AsyncMysqlConnection;
use serde_json::json;
use shared::blacklist::BlockKey;
use shared::{ActivityKind, BusinessId, ChatId, MessageKind};

use super::optout;
use crate::activity::{self, Actor, Entry, Subject};
use crate::blacklist;
use crate::config::agent::AgentConfig;
use crate::db::agent as agent_db;
use crate::db::blacklist as blacklist_db;
use crate::db::jobs::{self, JobKind, NewJob};
use crate::events::{DomainEvent, EventKind};
use crate::ingest::ReplyHook;

/// A stored inbound message, as the scheduler needs it.
#[derive(Debug, Clone, Copy)]
pub struct InboundNote<'a> {
    /// Chat.
    pub chat_id: u64,
    /// Kind.
    pub kind: MessageKind,
    /// Readable body.
    pub body: &'a str,
}

/// The scheduling policy (from [`AgentConfig`]).
#[derive(Debug, Clone, Copy)]
pub struct ReplyScheduler {
    /// Debounce before the reply runs.
    pub debounce: Duration,
    /// Attempts at the model per reply.
    pub max_attempts: i32,
}

impl ReplyScheduler {
    /// From the configuration.
    pub fn new(config: &AgentConfig) -> ReplyScheduler {
        ReplyScheduler {
            debounce: config.reply_debounce,
            max_attempts: config.max_attempts,
        }
    }

    /// Schedules what the new inbound messages call for. Runs inside the caller's
    /// transaction; returns the events to publish after its commit (opt-outs: the
    /// blacklist entry and the activity entry).
    pub async fn schedule(
        &self,
        conn: &mut AsyncMysqlConnection,
        notes: &[InboundNote<'_>],
        now: NaiveDateTime,
    ) -> QueryResult<Vec<DomainEvent>> {
        let mut by_chat: BTreeMap<u64, Vec<&InboundNote<'_>>> = BTreeMap::new();
        for n in notes {
            if matches!(n.kind, MessageKind::Reaction | MessageKind::System) {
                continue;
            }
            by_chat.entry(n.chat_id).or_default().push(n);
        }
        if by_chat.is_empty() {
            return Ok(Vec::new());
        }
        let chat_ids: Vec<ChatId> = by_chat.keys().copied().map(ChatId).collect();
        let targets = agent_db::reply_targets(conn, &chat_ids).await?;
        let keys_of: Vec<Vec<BlockKey>> = targets
            .iter()
            .map(|t| blacklist_db::identity_keys(&t.identity()))
            .collect();
        let all_keys: Vec<BlockKey> = keys_of.iter().flatten().cloned().collect();
        let listed: HashSet<(BusinessId, BlockKey)> = blacklist_db::listed_keys(conn, &all_keys)
            .await?
            .into_iter()
            .collect();
        let run_at =
            now + chrono::Duration::from_std(self.debounce).unwrap_or(chrono::Duration::seconds(2));
        let mut new_jobs = Vec::new();
        let mut events = Vec::new();
        for (t, keys) in targets.iter().zip(&keys_of) {
            let blacklisted = keys
                .iter()
                .any(|k| listed.contains(&(t.business_id, k.clone())));
            let opted_out = by_chat[&t.chat_id.0]
                .iter()
                .any(|n| n.kind == MessageKind::Text && optout::is_opt_out(n.body));
            if opted_out {
                let added = blacklist::opt_out(conn, t.business_id, &t.identity()).await?;
                if let Some(entry_id) = added {
                    events.push(DomainEvent {
                        business_id: t.business_id,
                        kind: EventKind::BlacklistChanged {
                            entry_id: entry_id.0,
                            removed: false,
                        },
                    });
                }
                if added.is_some() && !blacklisted {
                    let activity_id = activity::append(
                        conn,
                        t.business_id,
                        &Actor::customer(),
                        Entry::new(
                            ActivityKind::ContactOptedOut,
                            Some(Subject::contact(t.contact_id)),
                            "A customer opted out of automated messages",
                        )
                        .details(json!({"chat_id": t.chat_id, "contact_id": t.contact_id})),
                    )
                    .await?;
                    events.push(DomainEvent {
                        business_id: t.business_id,
                        kind: EventKind::ActivityAdded {
                            activity_id: activity_id.0,
                        },
                    });
                    new_jobs.push(NewJob {
                        business_id: Some(t.business_id),
                        kind: JobKind::OptOutNotice,
                        dedupe_key: Some(jobs::opt_out_key(t.chat_id.0)),
                        payload: json!({"chat_id": t.chat_id}).to_string(),
                        run_at: now,
                        max_attempts: 3,
                    });
                }
                continue;
            }
            if blacklisted || t.ai_stands_back(now) || !t.ai_enabled {
                continue;
            }
            new_jobs.push(NewJob {
                business_id: Some(t.business_id),
                kind: JobKind::AiReply,
                dedupe_key: Some(jobs::reply_key(t.chat_id.0)),
                payload: json!({"chat_id": t.chat_id}).to_string(),
                run_at,
                max_attempts: self.max_attempts,
            });
        }
        jobs::enqueue(conn, &new_jobs).await?;
        Ok(events)
    }
}

/// Ingest's batches schedule the agent's replies in their own transaction; the two
/// meet here (the agent imports ingest, never the reverse).
impl ReplyHook for ReplyScheduler {
    async fn on_stored(
        &self,
        conn: &mut diesel_async::AsyncMysqlConnection,
        stored: &[(shared::ChatId, &crate::db::messages::InboundMessage)],
        now: chrono::NaiveDateTime,
    ) -> diesel::QueryResult<Vec<DomainEvent>> {
        let notes: Vec<InboundNote> = stored
            .iter()
            .map(|(chat_id, m)| InboundNote {
                chat_id: chat_id.0,
                kind: m.kind,
                body: &m.body,
            })
            .collect();
        self.schedule(conn, &notes, now).await
    }
}
