//! Closed sets of states used across the product.

use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "diesel", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
        #[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),* }

        #[cfg(feature = "diesel")]
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::mysql::Mysql> for $name {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, diesel::mysql::Mysql>) -> diesel::serialize::Result {
                diesel::serialize::ToSql::<diesel::sql_types::Text, diesel::mysql::Mysql>::to_sql(self.as_str(), out)
            }
        }

        /// A stored value this build does not know is an error naming it, never a
        /// silent fallback to another variant.
        #[cfg(feature = "diesel")]
        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::mysql::Mysql> for $name {
            fn from_sql(value: diesel::mysql::MysqlValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::mysql::Mysql>>::from_sql(value)?;
                $name::parse(&text).ok_or_else(|| {
                    format!(concat!("unknown ", stringify!($name), " {:?} in the database"), text).into()
                })
            }
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable text stored in the database and sent over the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            /// Parses the stored text; `None` for anything unknown.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// Where an order is in its life.
    OrderStatus {
        /// Recorded, not yet confirmed with the customer.
        Pending => "pending",
        /// Confirmed; being prepared or delivered.
        Confirmed => "confirmed",
        /// Delivered and paid.
        Completed => "completed",
        /// Called off; its stock was returned.
        Cancelled => "cancelled",
    }
}

impl OrderStatus {
    /// Whether an order may move from `self` to `next`: only forward (pending to
    /// confirmed to completed), and cancelled from pending or confirmed. Completed and
    /// cancelled orders are final; staying put is not a move.
    pub fn can_move_to(self, next: OrderStatus) -> bool {
        matches!(
            (self, next),
            (OrderStatus::Pending, OrderStatus::Confirmed)
                | (OrderStatus::Confirmed, OrderStatus::Completed)
                | (
                    OrderStatus::Pending | OrderStatus::Confirmed,
                    OrderStatus::Cancelled
                )
        )
    }

    /// Whether the order's items, address and notes may still be edited.
    pub fn is_editable(self) -> bool {
        self == OrderStatus::Pending
    }
}

string_enum! {
    /// How an order came to be.
    OrderSource {
        /// Recorded from a WhatsApp conversation (by the AI or a catalog order message).
        Chat => "chat",
        /// Entered by hand in the dashboard.
        Manual => "manual",
    }
}

string_enum! {
    /// Which way a message travelled.
    MessageDirection {
        /// From the customer to the business.
        Inbound => "inbound",
        /// From the business to the customer.
        Outbound => "outbound",
    }
}

string_enum! {
    /// Delivery state of a message. Ordered: a status never moves backwards.
    MessageStatus {
        /// Stored, not yet accepted by Meta.
        Pending => "pending",
        /// Accepted by Meta.
        Sent => "sent",
        /// Delivered to the customer's phone.
        Delivered => "delivered",
        /// Read by the customer.
        Read => "read",
        /// Failed permanently; the error is recorded on the message.
        Failed => "failed",
    }
}

impl MessageStatus {
    /// Position in the delivery order. `Failed` ranks above `Sent` and `Delivered`
    /// (Meta reports failures after acceptance) but never overrides `Read`.
    pub fn rank(self) -> u8 {
        match self {
            MessageStatus::Pending => 0,
            MessageStatus::Sent => 1,
            MessageStatus::Delivered => 2,
            MessageStatus::Failed => 3,
            MessageStatus::Read => 4,
        }
    }

    /// Whether moving from `self` to `next` is progress (never backwards).
    pub fn can_advance_to(self, next: MessageStatus) -> bool {
        next.rank() > self.rank()
    }
}

string_enum! {
    /// Who wrote a message.
    SentBy {
        /// The business's customer, on WhatsApp.
        Customer => "customer",
        /// The AI salesperson.
        Ai => "ai",
        /// A person of the business, from the dashboard.
        Staff => "staff",
        /// A scheduled follow-up.
        FollowUp => "follow_up",
        /// The product itself (e.g. an automatic notice).
        System => "system",
        /// The owner, from the WhatsApp Business app on their phone (coexistence).
        Phone => "phone",
    }
}

string_enum! {
    /// The kind of a WhatsApp message, as Meta names it.
    MessageKind {
        /// Plain text.
        Text => "text",
        /// A photo.
        Image => "image",
        /// A voice note or audio file.
        Audio => "audio",
        /// A video.
        Video => "video",
        /// A document (PDF, ...).
        Document => "document",
        /// A sticker.
        Sticker => "sticker",
        /// A shared location.
        Location => "location",
        /// Shared contact cards.
        Contacts => "contacts",
        /// A reply to interactive buttons or lists.
        Interactive => "interactive",
        /// A tap on a template's quick-reply button.
        Button => "button",
        /// A catalog order.
        Order => "order",
        /// An emoji reaction to another message.
        Reaction => "reaction",
        /// A template message (outbound).
        Template => "template",
        /// A system notice (e.g. the customer changed number).
        System => "system",
        /// Anything Meta does not support or we do not know.
        Unsupported => "unsupported",
    }
}

string_enum! {
    /// The voice the AI salesperson answers in.
    ReplyTone {
        /// Warm and casual.
        Friendly => "friendly",
        /// Polite and businesslike.
        Professional => "professional",
        /// Short and to the point.
        Concise => "concise",
        /// Enthusiastic, sales-forward.
        Enthusiastic => "enthusiastic",
    }
}

string_enum! {
    /// A dashboard user's role in a business.
    Role {
        /// Created the business; can do everything.
        Owner => "owner",
        /// Helps run the inbox and catalog.
        Staff => "staff",
    }
}

string_enum! {
    /// State of a WhatsApp number connection.
    ConnectionStatus {
        /// Receiving and sending.
        Connected => "connected",
        /// Stopped by the owner; records are kept.
        Disconnected => "disconnected",
    }
}

string_enum! {
    /// How a product's standing discount is expressed (see `crate::Discount`).
    DiscountKind {
        /// No discount.
        None => "none",
        /// A whole percentage off.
        Percent => "percent",
        /// A fixed amount off, in minor units.
        Fixed => "fixed",
    }
}

string_enum! {
    /// What an activity-log entry records. The log is append-only; messages are
    /// counted, never copied into it.
    ActivityKind {
        /// Messages received and sent in a period (counts only).
        Messages => "messages",
        /// The AI salesperson sent a reply.
        AiReplied => "ai_replied",
        /// An AI reply was held back by the output check (e.g. a price under the floor).
        AiReplyBlocked => "ai_reply_blocked",
        /// The AI handed the chat to a person.
        AiHandoff => "ai_handoff",
        /// The AI provider failed; the built-in responder or a retry took over.
        AiProviderError => "ai_provider_error",
        /// The business's AI budget or rate limit stopped a reply.
        AiRateLimited => "ai_rate_limited",
        /// A person took a chat over from the AI (AI paused on it).
        ChatPaused => "chat_paused",
        /// The AI was given a chat back.
        ChatResumed => "chat_resumed",
        /// An order was recorded.
        OrderCreated => "order_created",
        /// A pending order's items, address or notes changed.
        OrderUpdated => "order_updated",
        /// An order was confirmed.
        OrderConfirmed => "order_confirmed",
        /// An order was completed (delivered and paid).
        OrderCompleted => "order_completed",
        /// An order was cancelled (its stock given back).
        OrderCancelled => "order_cancelled",
        /// The customer was told about their order on WhatsApp.
        OrderNotified => "order_notified",
        /// A customer was added to the blacklist.
        BlacklistAdded => "blacklist_added",
        /// A customer was removed from the blacklist.
        BlacklistRemoved => "blacklist_removed",
        /// A customer opted out ("STOP"); they were blacklisted.
        ContactOptedOut => "contact_opted_out",
        /// A product was added to the catalog.
        ProductCreated => "product_created",
        /// A product was changed.
        ProductUpdated => "product_updated",
        /// A product was archived.
        ProductArchived => "product_archived",
        /// A product was deleted.
        ProductDeleted => "product_deleted",
        /// The business's settings changed.
        SettingsChanged => "settings_changed",
        /// The business's own Anthropic key was set or removed.
        AiKeyChanged => "ai_key_changed",
        /// The AI's daily budget changed.
        AiBudgetChanged => "ai_budget_changed",
        /// Someone logged in.
        LoggedIn => "logged_in",
        /// Someone logged out.
        LoggedOut => "logged_out",
        /// Dashboard sessions were ended from the sessions list (one, or everywhere).
        SessionsRevoked => "sessions_revoked",
        /// A user changed their password (their other sessions ended).
        PasswordChanged => "password_changed",
        /// An integrator API token was created.
        ApiTokenCreated => "api_token_created",
        /// An integrator API token was revoked.
        ApiTokenRevoked => "api_token_revoked",
        /// The owner invited a staff member (by e-mail).
        StaffInvited => "staff_invited",
        /// An invited staff member accepted and joined the business.
        StaffJoined => "staff_joined",
        /// The owner removed a staff member (their sessions ended at once).
        StaffRemoved => "staff_removed",
        /// A WhatsApp number was connected.
        WhatsAppConnected => "whatsapp_connected",
        /// A WhatsApp number was disconnected.
        WhatsAppDisconnected => "whatsapp_disconnected",
        /// A follow-up was scheduled.
        FollowUpScheduled => "follow_up_scheduled",
        /// A follow-up was sent.
        FollowUpSent => "follow_up_sent",
        /// A follow-up was skipped (the reason is in the details).
        FollowUpSkipped => "follow_up_skipped",
        /// A follow-up was cancelled.
        FollowUpCancelled => "follow_up_cancelled",
        /// A follow-up could not be sent.
        FollowUpFailed => "follow_up_failed",
        /// A customer asked for a deal outside the policy; the owner is asked.
        DealApprovalRequested => "deal_approval_requested",
        /// The owner approved a deal (the price is in the details).
        DealApproved => "deal_approved",
        /// The owner declined a deal.
        DealDeclined => "deal_declined",
        /// A deal approval was not decided in time; the floor was offered.
        DealApprovalExpired => "deal_approval_expired",
        /// A customer's name or notes were changed by a person.
        ContactUpdated => "contact_updated",
        /// A customer's data was erased on request (counts only, never the content).
        CustomerErased => "customer_erased",
        /// The retention limit deleted old messages (counts only).
        MessagesPurged => "messages_purged",
        /// The business's data was exported (downloaded as an archive).
        DataExported => "data_exported",
    }
}

string_enum! {
    /// Where a request for the owner's approval of a deal stands. Only `Pending` is open.
    DealApprovalStatus {
        /// Waiting for the owner.
        Pending => "pending",
        /// The owner approved a price.
        Approved => "approved",
        /// The owner declined; the customer was offered the floor.
        Declined => "declined",
        /// Nobody decided in time; the customer was offered the floor.
        Expired => "expired",
    }
}

string_enum! {
    /// Why a deal needs the owner's approval.
    DealApprovalReason {
        /// The customer asked below the bargaining floor.
        BelowFloor => "below_floor",
        /// The customer asked a discount on a quantity at or above the bulk threshold.
        Bulk => "bulk",
    }
}

string_enum! {
    /// Where a follow-up stands. `Scheduled` and `Sending` are open; the rest are final.
    FollowUpStatus {
        /// Waiting for its time.
        Scheduled => "scheduled",
        /// Being sent (a send interrupted here is completed, never repeated).
        Sending => "sending",
        /// Sent (the message it became is in the chat).
        Sent => "sent",
        /// Not sent, for the stored reason (blacklisted, paused, ordered, wrote since,
        /// window closed without a template).
        Skipped => "skipped",
        /// Called off by a person.
        Cancelled => "cancelled",
        /// Could not be sent (the reason is stored).
        Failed => "failed",
    }
}

string_enum! {
    /// Who scheduled a follow-up.
    FollowUpSource {
        /// A person from the dashboard (or an integrator's token).
        Staff => "staff",
        /// The business's rule ("N hours after a quote with no order").
        Rule => "rule",
    }
}

/// The groups the activity log is browsed by (the dashboard's filter tabs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityCategory {
    /// Orders and their notifications.
    Orders,
    /// What the AI salesperson did.
    Ai,
    /// Chats taken over or handed back, and message counts.
    Chats,
    /// Products.
    Catalog,
    /// Blacklist and opt-outs.
    Customers,
    /// Follow-ups.
    FollowUps,
    /// Settings, keys, sign-ins and the WhatsApp connection.
    Account,
}

impl ActivityCategory {
    /// Every category, in the order the dashboard shows them.
    pub const ALL: &'static [ActivityCategory] = &[
        ActivityCategory::Orders,
        ActivityCategory::Ai,
        ActivityCategory::Chats,
        ActivityCategory::Catalog,
        ActivityCategory::Customers,
        ActivityCategory::FollowUps,
        ActivityCategory::Account,
    ];

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            ActivityCategory::Orders => "Orders",
            ActivityCategory::Ai => "AI",
            ActivityCategory::Chats => "Chats",
            ActivityCategory::Catalog => "Catalog",
            ActivityCategory::Customers => "Blacklist",
            ActivityCategory::FollowUps => "Follow-ups",
            ActivityCategory::Account => "Account",
        }
    }

    /// The kinds of entry in this category.
    pub fn kinds(self) -> Vec<ActivityKind> {
        ActivityKind::ALL
            .iter()
            .copied()
            .filter(|k| k.category() == self)
            .collect()
    }
}

impl ActivityKind {
    /// The group this kind of entry is browsed under.
    pub fn category(self) -> ActivityCategory {
        use ActivityKind::*;
        match self {
            OrderCreated
            | OrderUpdated
            | OrderConfirmed
            | OrderCompleted
            | OrderCancelled
            | OrderNotified
            | DealApprovalRequested
            | DealApproved
            | DealDeclined
            | DealApprovalExpired => ActivityCategory::Orders,
            AiReplied | AiReplyBlocked | AiHandoff | AiProviderError | AiRateLimited => {
                ActivityCategory::Ai
            }
            Messages | ChatPaused | ChatResumed | MessagesPurged => ActivityCategory::Chats,
            ProductCreated | ProductUpdated | ProductArchived | ProductDeleted => {
                ActivityCategory::Catalog
            }
            BlacklistAdded | BlacklistRemoved | ContactOptedOut | ContactUpdated
            | CustomerErased => ActivityCategory::Customers,
            FollowUpScheduled | FollowUpSent | FollowUpSkipped | FollowUpCancelled
            | FollowUpFailed => ActivityCategory::FollowUps,
            SettingsChanged | AiKeyChanged | AiBudgetChanged | LoggedIn | LoggedOut
            | SessionsRevoked | PasswordChanged | ApiTokenCreated | ApiTokenRevoked
            | StaffInvited | StaffJoined | StaffRemoved | WhatsAppConnected
            | WhatsAppDisconnected | DataExported => ActivityCategory::Account,
        }
    }
}

impl ActorKind {
    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            ActorKind::Owner => "Owner",
            ActorKind::Staff => "Staff",
            ActorKind::Ai => "AI",
            ActorKind::System => "System",
            ActorKind::ApiToken => "API token",
            ActorKind::Customer => "Customer",
        }
    }
}

string_enum! {
    /// Who did what the activity log records.
    ActorKind {
        /// The business's owner (a dashboard user).
        Owner => "owner",
        /// A staff member (a dashboard user).
        Staff => "staff",
        /// The AI salesperson.
        Ai => "ai",
        /// The server on its own (workers, rules).
        System => "system",
        /// An integrator through an API token.
        ApiToken => "api_token",
        /// The customer (e.g. a STOP opt-out).
        Customer => "customer",
    }
}

string_enum! {
    /// What an integrator API token may do.
    ApiTokenScope {
        /// Queries and subscriptions only; every mutation is refused.
        Read => "read",
        /// Queries, subscriptions and mutations.
        Write => "write",
    }
}

string_enum! {
    /// What an activity-log entry is about (it links there).
    SubjectKind {
        /// A chat.
        Chat => "chat",
        /// An order.
        Order => "order",
        /// A product.
        Product => "product",
        /// A customer.
        Contact => "contact",
        /// A blacklist entry.
        BlacklistEntry => "blacklist_entry",
        /// A follow-up.
        FollowUp => "follow_up",
        /// The business itself (settings, AI, sign-in).
        Business => "business",
        /// The WhatsApp connection.
        Connection => "connection",
    }
}

string_enum! {
    /// Which identifier a blacklist entry names (see [`crate::blacklist`]).
    BlockKind {
        /// A phone number, digits only with the country code (`15551234567`).
        Phone => "phone",
        /// Meta's business-scoped user id (`NG.1502576394655843`), kept as given.
        UserId => "user_id",
        /// A WhatsApp username, lower case without a leading `@`.
        Username => "username",
    }
}

impl From<Role> for ActorKind {
    fn from(role: Role) -> ActorKind {
        match role {
            Role::Owner => ActorKind::Owner,
            Role::Staff => ActorKind::Staff,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_activity_kind_is_in_exactly_one_category() {
        let listed: usize = ActivityCategory::ALL.iter().map(|c| c.kinds().len()).sum();
        assert_eq!(listed, ActivityKind::ALL.len());
        assert!(
            ActivityCategory::Orders
                .kinds()
                .contains(&ActivityKind::OrderCancelled)
        );
        assert!(
            ActivityCategory::Account
                .kinds()
                .contains(&ActivityKind::LoggedIn)
        );
    }

    #[test]
    fn every_enum_round_trips_through_its_stored_text() {
        for s in MessageStatus::ALL {
            assert_eq!(MessageStatus::parse(s.as_str()), Some(*s));
        }
        for k in MessageKind::ALL {
            assert_eq!(MessageKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(OrderStatus::parse("bogus"), None);
    }

    #[test]
    fn orders_only_move_forward_and_cancel_before_completion() {
        use OrderStatus::*;
        let allowed = [
            (Pending, Confirmed),
            (Confirmed, Completed),
            (Pending, Cancelled),
            (Confirmed, Cancelled),
        ];
        for from in OrderStatus::ALL {
            for to in OrderStatus::ALL {
                assert_eq!(
                    from.can_move_to(*to),
                    allowed.contains(&(*from, *to)),
                    "{from} -> {to}"
                );
            }
        }
        assert!(Pending.is_editable());
        assert!(!Confirmed.is_editable());
    }

    #[test]
    fn read_never_goes_back_to_delivered() {
        assert!(MessageStatus::Delivered.can_advance_to(MessageStatus::Read));
        assert!(!MessageStatus::Read.can_advance_to(MessageStatus::Delivered));
        assert!(!MessageStatus::Read.can_advance_to(MessageStatus::Failed));
        assert!(MessageStatus::Sent.can_advance_to(MessageStatus::Failed));
        assert!(!MessageStatus::Sent.can_advance_to(MessageStatus::Sent));
    }
}
