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
