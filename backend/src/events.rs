//! The live event bus: every stored message, status change and chat update is
//! published here, and subscriptions filter by business.
//!
//! Each replica keeps its own broadcast channel: publishing delivers to this replica's
//! subscribers at once. When the fleet has a broker (`NATS_URL`, else `REDIS_URL`),
//! each event is also handed to [`relay`], which publishes it with this replica's
//! origin id and re-broadcasts here the events of the *other* replicas, so every
//! subscriber of the fleet sees each event exactly once. The broker being down only
//! narrows delivery to this replica; publishing never waits for it.

mod relay;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use shared::BusinessId;
use tokio::sync::{broadcast, mpsc, watch};

use crate::config::FleetConfig;

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// A product was created, changed, archived or deleted.
    ProductChanged(u64),
    /// A message was stored (inbound or outbound).
    MessageAdded {
        /// Its chat.
        chat_id: u64,
        /// The message.
        message_id: u64,
    },
    /// A message's delivery status changed.
    MessageStatusChanged {
        /// Its chat.
        chat_id: u64,
        /// The message.
        message_id: u64,
    },
    /// A chat's summary changed (last message, unread count, takeover).
    ChatUpdated {
        /// The chat.
        chat_id: u64,
    },
    /// An order was recorded or changed.
    OrderChanged {
        /// The order.
        order_id: u64,
    },
    /// A follow-up was scheduled or changed status.
    FollowUpChanged {
        /// The follow-up.
        follow_up_id: u64,
    },
    /// A blacklist entry was added, changed (its reason) or removed.
    BlacklistChanged {
        /// The entry.
        entry_id: u64,
        /// Whether it was removed (it can no longer be loaded).
        removed: bool,
    },
    /// A deal approval was requested, decided, expired or answered.
    DealApprovalChanged {
        /// The request.
        deal_approval_id: u64,
    },
    /// An entry was appended to the activity log.
    ActivityAdded {
        /// The entry.
        activity_id: u64,
    },
    /// Credentials stopped working (log-out, a revoked session or token, a password
    /// change, a disconnected number): WebSockets opened with them close.
    CredentialsRevoked(Revoked),
}

/// Which credentials were revoked (crosses replicas with the other events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Revoked {
    /// These dashboard sessions (by session id).
    Sessions(Vec<String>),
    /// Every dashboard session of the business.
    AllSessions,
    /// One API token (by id).
    ApiToken(u64),
    /// Every session and every API token of the business (the account was deleted).
    Everything,
}

impl Revoked {
    /// Whether a caller holding `session_id` or `api_token_id` lost its credentials.
    pub fn covers(&self, session_id: Option<&str>, api_token_id: Option<u64>) -> bool {
        match self {
            Revoked::Sessions(ids) => session_id.is_some_and(|s| ids.iter().any(|id| id == s)),
            Revoked::AllSessions => session_id.is_some(),
            Revoked::Everything => true,
            Revoked::ApiToken(id) => api_token_id == Some(*id),
        }
    }
}

/// One event, always tagged with its business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainEvent {
    /// The tenant the event belongs to; subscribers see only their own.
    pub business_id: BusinessId,
    /// What happened.
    pub kind: EventKind,
}

/// The live event bus of this replica, relayed to the fleet when there is a broker.
#[derive(Debug, Clone)]
pub struct EventBus {
    sender: broadcast::Sender<DomainEvent>,
    /// Events on their way to the broker; `None` when this replica works alone.
    relay: Option<mpsc::Sender<DomainEvent>>,
    /// Events the relay could not take (its queue was full), for throttled warnings.
    dropped: Arc<AtomicU64>,
    /// Whether the relay is connected to the broker now.
    relayed: watch::Receiver<bool>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus::new()
    }
}

/// Events the local broadcast keeps for slow subscribers.
const LOCAL_CAPACITY: usize = 4096;

impl EventBus {
    /// An in-process bus, for one replica alone.
    pub fn new() -> EventBus {
        let (sender, _) = broadcast::channel(LOCAL_CAPACITY);
        EventBus {
            sender,
            relay: None,
            dropped: Arc::default(),
            relayed: watch::channel(false).1,
        }
    }

    /// A bus relayed through the fleet's broker: NATS when `fleet.nats_url` is set,
    /// else Redis pub/sub when `fleet.redis_url` is, else in-process only. Starts the
    /// relay task, so it must be called inside a Tokio runtime.
    pub fn for_fleet(fleet: &FleetConfig) -> EventBus {
        let mut bus = EventBus::new();
        if let Some((relay, relayed)) = relay::start(fleet, bus.sender.clone()) {
            bus.relay = Some(relay);
            bus.relayed = relayed;
        }
        bus
    }

    /// Publishes to this replica's subscribers at once and hands the event to the
    /// relay without waiting (from any thread, with or without a runtime); an event
    /// with no subscriber is simply dropped.
    pub fn publish(&self, event: DomainEvent) {
        let Some(relay) = &self.relay else {
            let _ = self.sender.send(event);
            return;
        };
        let _ = self.sender.send(event.clone());
        if let Err(mpsc::error::TrySendError::Full(_)) = relay.try_send(event) {
            let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if dropped.is_power_of_two() {
                tracing::warn!(
                    dropped,
                    "the event relay is behind; events reach this replica's subscribers only"
                );
            }
        }
    }

    /// Subscribes to every event of the fleet (filter by business before delivering).
    pub fn subscribe(&self) -> broadcast::Receiver<DomainEvent> {
        self.sender.subscribe()
    }

    /// Whether events are relayed to other replicas: a broker is configured and the
    /// relay is connected to it.
    pub fn is_relayed(&self) -> bool {
        *self.relayed.borrow()
    }

    /// How events reach subscribers, for health reports: `local` (no broker
    /// configured), `relayed` (through the broker) or `broker unreachable` (local only
    /// until the relay reconnects).
    pub fn delivery(&self) -> &'static str {
        match (self.relay.is_some(), self.is_relayed()) {
            (false, _) => "local",
            (true, true) => "relayed",
            (true, false) => "broker unreachable",
        }
    }

    /// Waits up to `timeout` for the relay to be connected to the broker; false when
    /// it is not by then (or there is no broker).
    pub async fn wait_relayed(&self, timeout: std::time::Duration) -> bool {
        let mut relayed = self.relayed.clone();
        matches!(
            tokio::time::timeout(timeout, relayed.wait_for(|up| *up)).await,
            Ok(Ok(_))
        )
    }
}
