//! A chat and its customer as the inbox shows them: the 24-hour window, the AI's pause
//! and hand-off, the negotiation and interest the AI remembers, the chat's orders, and
//! the customer's blacklisting and spending.

use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, ID, SimpleObject};
use chrono::{DateTime, Utc};
use shared::{ChatId, ContactId};

use crate::db::inbox as model;
use crate::error::AppError;
use crate::graphql::ai::{self, Negotiation, ProductInterest};
use crate::graphql::common::{Money, money};
use crate::graphql::ids;
use crate::graphql::loaders::{ContactBlacklistLoader, ContactLoader};
use crate::graphql::orders::{self, Order};

/// A customer on WhatsApp. `waId` (phone) may be missing for customers with a username.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Contact {
    /// Opaque id.
    pub id: ID,
    /// A name to show: profile name, username, phone number or BSUID.
    pub name: String,
    /// Phone number (digits), when known.
    pub wa_id: Option<String>,
    /// Meta's business-scoped user id (BSUID), when known.
    pub user_id: Option<String>,
    /// WhatsApp username, when set.
    pub username: Option<String>,
    /// Profile name from WhatsApp.
    pub profile_name: Option<String>,
    /// The name the owner gave the customer (shown as `name` when set).
    pub custom_name: Option<String>,
    /// The owner's notes about the customer.
    pub notes: Option<String>,
    #[graphql(skip)]
    pub contact_id: ContactId,
}

#[ComplexObject]
impl Contact {
    /// Whether the customer is blacklisted (by phone, user id or username): automation
    /// never messages them; what they write is still stored.
    async fn blacklisted(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(!self.blacklist_entries(ctx).await?.is_empty())
    }

    /// Orders the customer placed (cancelled ones aside).
    async fn order_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.spent(ctx).await?.iter().map(|(_, n, _)| n).sum())
    }

    /// What the customer spent, per currency, largest first (cancelled orders aside).
    async fn total_spent(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Money>> {
        let mut spent = self.spent(ctx).await?;
        spent.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        Ok(spent
            .into_iter()
            .map(|(currency, _, sum)| money(sum, &currency))
            .collect::<Result<_, _>>()?)
    }

    /// Why, when blacklisted (the oldest entry's reason).
    async fn blacklist_reason(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(self
            .blacklist_entries(ctx)
            .await?
            .into_iter()
            .next()
            .map(|e| e.reason))
    }
}

impl Contact {
    async fn spent(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<crate::graphql::loaders::Spent> {
        let loader =
            ctx.data_unchecked::<DataLoader<crate::graphql::loaders::ContactSpentLoader>>();
        Ok(loader.load_one(self.contact_id).await?.unwrap_or_default())
    }

    async fn blacklist_entries(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::db::blacklist::BlacklistEntry>> {
        let loader = ctx.data_unchecked::<DataLoader<ContactBlacklistLoader>>();
        Ok(loader.load_one(self.contact_id).await?.unwrap_or_default())
    }
}

impl From<model::Contact> for Contact {
    fn from(c: model::Contact) -> Self {
        Contact {
            id: ids::encode(ContactId(c.id)),
            name: c.display_name(),
            wa_id: c.identity.wa_id,
            user_id: c.identity.user_id,
            username: c.identity.username,
            profile_name: c.identity.profile_name,
            custom_name: c.custom_name,
            notes: c.notes,
            contact_id: ContactId(c.id),
        }
    }
}

/// A conversation with one customer.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Chat {
    /// Opaque id.
    pub id: ID,
    /// Last message either way.
    pub last_message_at: Option<DateTime<Utc>>,
    /// Short text of the last message.
    pub last_message_preview: Option<String>,
    /// Inbound messages not yet read in the dashboard.
    pub unread_count: i32,
    /// Human takeover: the AI stays silent in this chat.
    pub ai_paused: bool,
    /// When the takeover ends by itself: the owner replied from the phone and the
    /// business lets the AI back after a while (`null`: until someone resumes it).
    pub ai_paused_until: Option<DateTime<Utc>>,
    /// Why the AI handed the chat to a person, if it did.
    pub handoff_reason: Option<String>,
    /// Whether free-form replies are allowed now (24-hour customer service window).
    pub window_open: bool,
    /// When the window closes (or closed); `null` if the customer never wrote.
    pub window_closes_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub contact_id: u64,
    #[graphql(skip)]
    pub chat_id: u64,
    /// Stored negotiation state (JSON), resolved by `negotiations`.
    #[graphql(skip)]
    pub negotiation: Option<String>,
    /// Stored product interest (JSON), resolved by `productInterest`.
    #[graphql(skip)]
    pub product_interest: Option<String>,
}

impl From<model::Chat> for Chat {
    fn from(c: model::Chat) -> Self {
        let last_inbound = c.last_inbound_at.map(|t| t.and_utc().timestamp());
        // A timed pause that ran out reads as resumed (the next reply job clears it).
        let stands_back = c.ai_stands_back(Utc::now().naive_utc());
        let lapsed = c.ai_paused && !stands_back;
        Chat {
            id: ids::encode(ChatId(c.id)),
            last_message_at: c.last_message_at.map(|t| t.and_utc()),
            last_message_preview: c.last_message_preview,
            unread_count: c.unread_count,
            ai_paused: stands_back,
            ai_paused_until: c
                .ai_paused_until
                .filter(|_| stands_back)
                .map(|t| t.and_utc()),
            handoff_reason: c.handoff_reason.filter(|_| !lapsed),
            window_open: shared::window::window_open(last_inbound, Utc::now().timestamp()),
            window_closes_at: shared::window::window_closes_at(last_inbound)
                .and_then(|t| DateTime::from_timestamp(t, 0)),
            contact_id: c.contact_id,
            chat_id: c.id,
            negotiation: c.negotiation,
            product_interest: c.product_interest,
        }
    }
}

#[ComplexObject]
impl Chat {
    /// The customer.
    async fn contact(&self, ctx: &Context<'_>) -> async_graphql::Result<Contact> {
        let loader = ctx.data_unchecked::<DataLoader<ContactLoader>>();
        let contact = loader.load_one(self.contact_id).await?.ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("chat without contact {}", self.contact_id))
        })?;
        Ok(contact.into())
    }

    /// Where haggling stands in this chat, per product (the AI salesperson's state).
    async fn negotiations(&self) -> async_graphql::Result<Vec<Negotiation>> {
        Ok(ai::negotiations(self.negotiation.as_deref())?)
    }

    /// Products the customer showed interest in, most recent first.
    async fn product_interest(&self) -> Vec<ProductInterest> {
        ai::product_interest(self.product_interest.as_deref())
    }

    /// Orders recorded from this chat, newest first (at most 10).
    async fn orders(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Order>> {
        orders::chat_orders(ctx, ChatId(self.chat_id)).await
    }
}
