//! The blacklist: `blacklist` (newest first, searchable), `addToBlacklist`,
//! `removeFromBlacklist` and `blacklistChanged` (live). The rules are in
//! [`crate::blacklist`]; `Contact.blacklisted` is resolved in the inbox part through
//! [`super::loaders::ContactBlacklistLoader`].

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::dataloader::DataLoader;
use async_graphql::futures_util::{Stream, StreamExt};
use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject, Subscription,
};
use chrono::{DateTime, Utc};
use shared::blacklist::{BlockKey, display_value};
use shared::{BlacklistEntryId, BusinessId, ContactId};

use super::activity::ActivityActor;
use super::common::business_events;
use super::inbox::Contact;
use super::loaders::EntryContactLoader;
use super::paging::{Direction, Page, id_cursor};
use super::{Authenticated, ContextExt, ids};
use crate::app::AppState;
use crate::blacklist::{self as domain, Target};
use crate::db::blacklist::{self as model, BlacklistEntry as Row};
use crate::error::AppError;
use crate::events::EventKind;

/// Which identifier an entry names.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::BlockKind")]
pub enum BlockKind {
    /// A phone number.
    Phone,
    /// Meta's business-scoped user id (BSUID).
    UserId,
    /// A WhatsApp username.
    Username,
}

/// A blocked customer: automation (AI replies, follow-ups, order notifications) never
/// messages them; what they write is still stored.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct BlacklistEntry {
    /// Opaque id.
    pub id: ID,
    /// Which identifier it names.
    pub kind: BlockKind,
    /// The identifier as shown: a phone as `+15551234567`, a username as `@name`, a
    /// BSUID as is.
    pub value: String,
    /// Why (may be empty).
    pub reason: String,
    /// Who added it (the customer, for a STOP opt-out).
    pub added_by: ActivityActor,
    /// Added.
    pub created_at: DateTime<Utc>,
    /// Last changed (its reason).
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub entry_id: BlacklistEntryId,
}

impl From<Row> for BlacklistEntry {
    fn from(r: Row) -> BlacklistEntry {
        BlacklistEntry {
            id: ids::encode(r.id),
            kind: r.kind.into(),
            value: display_value(r.kind, &r.value),
            reason: r.reason,
            added_by: ActivityActor {
                kind: r.created_by_kind.into(),
                name: r.created_by,
            },
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
            entry_id: r.id,
        }
    }
}

#[ComplexObject]
impl BlacklistEntry {
    /// The customer it names, when one has written to the business.
    async fn contact(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Contact>> {
        let loader = ctx.data_unchecked::<DataLoader<EntryContactLoader>>();
        Ok(loader.load_one(self.entry_id).await?.map(Into::into))
    }
}

/// Who to block: exactly one of `contactId`, `phone`, `userId` and `username`.
#[derive(InputObject)]
pub struct AddToBlacklistInput {
    /// A customer from the inbox (listed by BSUID, else phone, else username).
    pub contact_id: Option<ID>,
    /// A phone number with its country code, as typed (`+1 555-123-4567`).
    pub phone: Option<String>,
    /// A business-scoped user id (BSUID).
    pub user_id: Option<String>,
    /// A WhatsApp username (with or without `@`; case does not matter).
    pub username: Option<String>,
    /// Why (at most 500 characters).
    pub reason: Option<String>,
}

impl AddToBlacklistInput {
    fn target(&self) -> Result<Target, AppError> {
        let given = [
            self.contact_id.is_some(),
            self.phone.is_some(),
            self.user_id.is_some(),
            self.username.is_some(),
        ]
        .iter()
        .filter(|g| **g)
        .count();
        if given != 1 {
            return Err(AppError::invalid(
                "input",
                "give exactly one of contactId, phone, userId and username",
            ));
        }
        let bad = |field: &'static str| {
            move |e: shared::blacklist::KeyError| AppError::invalid(field, e.to_string())
        };
        if let Some(id) = &self.contact_id {
            return Ok(Target::Contact(ids::decode::<ContactId>(id)?));
        }
        let key = if let Some(p) = &self.phone {
            BlockKey::phone(p).map_err(bad("phone"))?
        } else if let Some(u) = &self.user_id {
            BlockKey::user_id(u).map_err(bad("userId"))?
        } else {
            BlockKey::username(self.username.as_deref().unwrap_or_default())
                .map_err(bad("username"))?
        };
        Ok(Target::Key(key))
    }
}

/// Blacklist queries.
#[derive(Default)]
pub struct BlacklistQuery;

#[Object]
impl BlacklistQuery {
    /// Blocked customers, newest first. `search` matches the identifier (a phone as
    /// typed too) or the reason.
    #[graphql(guard = "Authenticated")]
    async fn blacklist(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
    ) -> async_graphql::Result<Connection<String, BlacklistEntry>> {
        let caller = ctx.caller()?;
        let page = Page::new(
            Direction::Forward,
            first,
            after.as_deref(),
            id_cursor::<BlacklistEntryId>,
        )?;
        let mut conn = ctx.app().db().await?;
        let rows = model::list(
            &mut conn,
            caller.business_id,
            search.as_deref(),
            page.cursor,
            page.fetch_limit(),
        )
        .await
        .map_err(AppError::from)?;
        Ok(page.connection(rows, EmptyFields, |r| Ok((ids::encode(r.id).0, r.into())))?)
    }
}

/// Blacklist changes.
#[derive(Default)]
pub struct BlacklistMutation;

#[Object]
impl BlacklistMutation {
    /// Blocks a customer. Adding one already listed updates the reason (not an error).
    #[graphql(guard = "Authenticated")]
    async fn add_to_blacklist(
        &self,
        ctx: &Context<'_>,
        input: AddToBlacklistInput,
    ) -> async_graphql::Result<BlacklistEntry> {
        let caller = ctx.caller()?;
        let target = input.target()?;
        let entry = domain::add(
            ctx.app(),
            caller.business_id,
            &caller.actor,
            target,
            input.reason.as_deref().unwrap_or_default(),
        )
        .await?;
        Ok(entry.into())
    }

    /// Unblocks: a blacklist entry's id removes that entry; a contact's id removes
    /// every entry naming the customer (the chat's "Unblock"). Returns the id given.
    #[graphql(guard = "Authenticated")]
    async fn remove_from_blacklist(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ID> {
        let caller = ctx.caller()?;
        if let Ok(contact) = ids::decode::<ContactId>(&id) {
            domain::unblock_contact(ctx.app(), caller.business_id, &caller.actor, contact).await?;
        } else {
            let entry = ids::decode::<BlacklistEntryId>(&id)
                .map_err(|_| AppError::NotFound("blacklist entry"))?;
            domain::remove(ctx.app(), caller.business_id, &caller.actor, entry).await?;
        }
        Ok(id)
    }
}

/// One change to the blacklist.
#[derive(SimpleObject)]
pub struct BlacklistChange {
    /// The entry's id.
    pub id: ID,
    /// Whether it was removed.
    pub removed: bool,
    /// The entry as it is now; `null` when removed.
    pub entry: Option<BlacklistEntry>,
}

/// Live blacklist changes: each subscriber receives only its own business's.
#[derive(Default)]
pub struct BlacklistSubscription;

#[Subscription]
impl BlacklistSubscription {
    /// An entry was added, changed or removed.
    #[graphql(guard = "Authenticated")]
    async fn blacklist_changed(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = BlacklistChange> + use<>> {
        let business_id = ctx.caller()?.business_id;
        let app = ctx.app().clone();
        Ok(business_events(&app, business_id).filter_map(move |kind| {
            let app = app.clone();
            async move {
                let EventKind::BlacklistChanged { entry_id, removed } = kind else {
                    return None;
                };
                let id = BlacklistEntryId(entry_id);
                let entry = if removed {
                    None
                } else {
                    Some(load(&app, business_id, id).await?)
                };
                Some(BlacklistChange {
                    id: ids::encode(id),
                    removed,
                    entry,
                })
            }
        }))
    }
}

async fn load(
    app: &AppState,
    business_id: BusinessId,
    id: BlacklistEntryId,
) -> Option<BlacklistEntry> {
    let mut conn = app.db().await.ok()?;
    model::find(&mut conn, business_id, id)
        .await
        .ok()
        .flatten()
        .map(Into::into)
}
