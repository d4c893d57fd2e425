//! Newtype ids: a `ProductId` can never be passed where a `ChatId` is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident => $kind:literal),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "diesel", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
        #[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Unsigned<diesel::sql_types::BigInt>))]
        #[serde(transparent)]
        pub struct $name(pub u64);

        #[cfg(feature = "diesel")]
        impl diesel::serialize::ToSql<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>, diesel::mysql::Mysql> for $name {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, diesel::mysql::Mysql>) -> diesel::serialize::Result {
                diesel::serialize::ToSql::<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>, diesel::mysql::Mysql>::to_sql(&self.0, out)
            }
        }

        #[cfg(feature = "diesel")]
        impl diesel::deserialize::FromSql<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>, diesel::mysql::Mysql> for $name {
            fn from_sql(value: diesel::mysql::MysqlValue<'_>) -> diesel::deserialize::Result<Self> {
                <u64 as diesel::deserialize::FromSql<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>, diesel::mysql::Mysql>>::from_sql(value).map($name)
            }
        }

        impl $name {
            /// The type name used in opaque API ids (`Product`, `Chat`, ...).
            pub const KIND: &'static str = $kind;
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

id_type! {
    /// A tenant: one business and everything it owns.
    BusinessId => "Business",
    /// A dashboard user (owner or staff) of one business.
    UserId => "User",
    /// A catalog product.
    ProductId => "Product",
    /// One image of a product.
    ProductImageId => "ProductImage",
    /// A WhatsApp customer of one business.
    ContactId => "Contact",
    /// The conversation with one contact.
    ChatId => "Chat",
    /// One inbound or outbound WhatsApp message.
    MessageId => "Message",
    /// An order, recorded from a chat or by hand.
    OrderId => "Order",
    /// A connected WhatsApp business number.
    ConnectionId => "WhatsAppConnection",
    /// A blacklist entry.
    BlacklistEntryId => "BlacklistEntry",
    /// An activity-log entry.
    ActivityId => "Activity",
    /// A scheduled follow-up message.
    FollowUpId => "FollowUp",
    /// A request for the owner's approval of a deal outside the policy.
    DealApprovalId => "DealApproval",
    /// An integrator API token.
    ApiTokenId => "ApiToken",
    /// The owner's invitation of a staff member.
    StaffInviteId => "StaffInvite",
}
