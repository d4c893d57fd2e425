//! DataLoaders for every relation a list resolves, registered in `build_schema`.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use shared::{BlacklistEntryId, BusinessId, ContactId, ProductId};

use crate::app::AppState;
use crate::db::blacklist::{self, BlacklistEntry};
use crate::db::chats;
use crate::db::inbox::Contact;
use crate::db::orders::{self, Order, OrderItem};
use crate::db::products::{self, ProductImage};
use crate::error::AppError;

/// Loads the images of many products in one query.
pub struct ProductImagesLoader(pub AppState);

impl Loader<ProductId> for ProductImagesLoader {
    type Value = Vec<ProductImage>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ProductId],
    ) -> Result<HashMap<ProductId, Self::Value>, Self::Error> {
        let mut conn = self.0.db().await?;
        let rows = products::images_for(&mut conn, keys)
            .await
            .map_err(AppError::from)?;
        let mut out: HashMap<ProductId, Vec<ProductImage>> = HashMap::new();
        for row in rows {
            out.entry(row.product_id).or_default().push(row);
        }
        Ok(out)
    }
}

/// Loads many chats' contacts in one query (`Chat.contact`). Keys come from chats
/// already scoped to the caller's business.
pub struct ContactLoader(pub AppState);

impl Loader<u64> for ContactLoader {
    type Value = Contact;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[u64]) -> Result<HashMap<u64, Self::Value>, Self::Error> {
        let mut conn = self.0.db().await?;
        let rows = chats::contacts_by_ids(&mut conn, keys)
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(|c| (c.id, c)).collect())
    }
}

/// Most orders listed on one chat.
pub const ORDERS_PER_CHAT: usize = 10;

/// Loads many chats' orders with their lines in two queries (`Chat.orders`). Keys come
/// from chats already scoped to the caller's business.
pub struct ChatOrdersLoader(pub AppState);

impl Loader<u64> for ChatOrdersLoader {
    type Value = Vec<(Order, Vec<OrderItem>)>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[u64]) -> Result<HashMap<u64, Self::Value>, Self::Error> {
        let mut conn = self.0.db().await?;
        let found = orders::for_chats(&mut conn, keys, ORDERS_PER_CHAT)
            .await
            .map_err(AppError::from)?;
        let mut by_chat: HashMap<u64, Vec<Order>> = HashMap::new();
        for o in found {
            if let Some(chat) = o.chat_id {
                by_chat.entry(chat).or_default().push(o);
            }
        }
        let ids: Vec<u64> = by_chat.values().flatten().map(|o| o.id).collect();
        let mut items: HashMap<u64, Vec<OrderItem>> = HashMap::new();
        for item in orders::items_for(&mut conn, &ids)
            .await
            .map_err(AppError::from)?
        {
            items.entry(item.order_id).or_default().push(item);
        }
        Ok(by_chat
            .into_iter()
            .map(|(chat, list)| {
                let with_items = list
                    .into_iter()
                    .map(|o| {
                        let lines = items.remove(&o.id).unwrap_or_default();
                        (o, lines)
                    })
                    .collect();
                (chat, with_items)
            })
            .collect())
    }
}

/// Keys of several businesses, grouped: each business's rows are read with its own
/// scope.
fn by_business(keys: &[(BusinessId, u64)]) -> HashMap<BusinessId, Vec<u64>> {
    let mut grouped: HashMap<BusinessId, Vec<u64>> = HashMap::new();
    for (business, id) in keys {
        grouped.entry(*business).or_default().push(*id);
    }
    grouped
}

/// Loads many chats in one query (`FollowUp.chat`), only of one business.
pub struct ChatLoader(pub AppState);

impl Loader<(BusinessId, u64)> for ChatLoader {
    type Value = crate::db::inbox::Chat;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(BusinessId, u64)],
    ) -> Result<HashMap<(BusinessId, u64), Self::Value>, Self::Error> {
        let mut conn = self.0.db().await?;
        let mut found = HashMap::new();
        for (business, chats) in by_business(keys) {
            let rows = crate::db::inbox::chats_by_ids(&mut conn, business.0, &chats)
                .await
                .map_err(AppError::from)?;
            found.extend(rows.into_iter().map(|c| ((business, c.id), c)));
        }
        Ok(found)
    }
}

/// Loads the blacklist entries naming many contacts in one query (`Contact.blacklisted`,
/// `Contact.blacklistReason`). Keys come from contacts already scoped to the caller's
/// business.
pub struct ContactBlacklistLoader(pub AppState);

impl Loader<ContactId> for ContactBlacklistLoader {
    type Value = Vec<BlacklistEntry>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ContactId],
    ) -> Result<HashMap<ContactId, Self::Value>, Self::Error> {
        let mut conn = self.0.db().await?;
        let rows = blacklist::entries_for_contacts(&mut conn, keys)
            .await
            .map_err(AppError::from)?;
        let mut out: HashMap<ContactId, Vec<BlacklistEntry>> = HashMap::new();
        for (contact, entry) in rows {
            out.entry(contact).or_default().push(entry);
        }
        Ok(out)
    }
}

/// Loads the contacts many blacklist entries name in one query
/// (`BlacklistEntry.contact`; the first contact when several match). Keys come from
/// entries already scoped to the caller's business.
pub struct EntryContactLoader(pub AppState);

impl Loader<BlacklistEntryId> for EntryContactLoader {
    type Value = Contact;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[BlacklistEntryId],
    ) -> Result<HashMap<BlacklistEntryId, Self::Value>, Self::Error> {
        let mut conn = self.0.db().await?;
        let rows = blacklist::contacts_for_entries(&mut conn, keys)
            .await
            .map_err(AppError::from)?;
        let mut out = HashMap::new();
        for (entry, contact) in rows {
            out.entry(entry).or_insert(contact);
        }
        Ok(out)
    }
}

/// What a customer spent, per currency: `(currency, orders, total minor)`.
pub type Spent = Vec<(String, i64, i64)>;

/// Loads many customers' order counts and totals in one query (`Contact.orderCount`,
/// `Contact.totalSpent`). Keys come from contacts already scoped to the caller's
/// business.
pub struct ContactSpentLoader(pub AppState);

impl Loader<ContactId> for ContactSpentLoader {
    type Value = Spent;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ContactId]) -> Result<HashMap<ContactId, Spent>, Self::Error> {
        let mut conn = self.0.db().await?;
        let raw: Vec<u64> = keys.iter().map(|k| k.0).collect();
        let rows = orders::spent_by_contacts(&mut conn, &raw)
            .await
            .map_err(AppError::from)?;
        let mut out: HashMap<ContactId, Spent> = HashMap::new();
        for (contact, currency, count, sum) in rows {
            out.entry(ContactId(contact))
                .or_default()
                .push((currency, count, sum));
        }
        Ok(out)
    }
}

/// Loads the file states of many messages in one query per business (`Message.media`).
pub struct MediaLoader(pub AppState);

impl Loader<(BusinessId, u64)> for MediaLoader {
    type Value = crate::db::media::MediaState;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(BusinessId, u64)],
    ) -> Result<HashMap<(BusinessId, u64), Self::Value>, Self::Error> {
        let mut conn = self.0.db().await?;
        let mut found = HashMap::new();
        for (business, messages) in by_business(keys) {
            let rows = crate::db::media::states(&mut conn, business, &messages)
                .await
                .map_err(AppError::from)?;
            found.extend(rows.into_iter().map(|m| ((business, m.message_id), m)));
        }
        Ok(found)
    }
}
