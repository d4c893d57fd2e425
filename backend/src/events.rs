//! The live event bus: every stored message, status change and chat update is
//! published here, and subscriptions filter by business.

use shared::BusinessId;
use tokio::sync::broadcast;

/// What happened.
#[derive(Debug, Clone)]
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
    /// An entry was appended to the activity log.
    ActivityAdded {
        /// The entry.
        activity_id: u64,
    },
    /// Credentials stopped working (log-out, a revoked session or token, a password
    /// change, a disconnected number): WebSockets opened with them close.
    CredentialsRevoked(Revoked),
}

/// Which credentials were revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revoked {
    /// These dashboard sessions (by session id).
    Sessions(Vec<String>),
    /// Every dashboard session of the business.
    AllSessions,
    /// One API token (by id).
    ApiToken(u64),
}

impl Revoked {
    /// Whether a caller holding `session_id` or `api_token_id` lost its credentials.
    pub fn covers(&self, session_id: Option<&str>, api_token_id: Option<u64>) -> bool {
        match self {
            Revoked::Sessions(ids) => session_id.is_some_and(|s| ids.iter().any(|id| id == s)),
            Revoked::AllSessions => session_id.is_some(),
            Revoked::ApiToken(id) => api_token_id == Some(*id),
        }
    }
}

/// One event, always tagged with its business.
#[derive(Debug, Clone)]
pub struct DomainEvent {
    /// The tenant the event belongs to; subscribers see only their own.
    pub business_id: BusinessId,
    /// What happened.
    pub kind: EventKind,
}

/// In-process broadcast bus.
#[derive(Debug, Clone)]
pub struct EventBus {
    sender: broadcast::Sender<DomainEvent>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus::new()
    }
}

impl EventBus {
    /// A bus with room for bursts.
    pub fn new() -> EventBus {
        let (sender, _) = broadcast::channel(4096);
        EventBus { sender }
    }

    /// Publishes; an event with no subscriber is simply dropped.
    pub fn publish(&self, event: DomainEvent) {
        let _ = self.sender.send(event);
    }

    /// Subscribes to every event (filter by business before delivering).
    pub fn subscribe(&self) -> broadcast::Receiver<DomainEvent> {
        self.sender.subscribe()
    }
}
