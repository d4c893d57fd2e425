//! The data rights: where to download the export (`dataExport`), message retention
//! (`privacySettings`, `updatePrivacySettings`), erasing a customer (`eraseCustomer`)
//! and deleting the account (`deleteAccount`). Roles and scopes are in
//! [`crate::privacy`]'s docs: the export is the owner's or an API token's; everything
//! else that changes data is the owner's, signed in to the dashboard.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use shared::ContactId;

use super::{Authenticated, ContextExt, OwnerOnly, ids};
use crate::privacy;

/// Where and how to download everything of the business.
#[derive(SimpleObject)]
pub struct DataExport {
    /// The download URL: `GET` it with the same `Authorization: Bearer <token>` header
    /// as GraphQL requests; the answer is a ZIP archive, streamed.
    pub url: String,
    /// The HTTP method (`GET`).
    pub method: String,
    /// The archive's content type (`application/zip`).
    pub content_type: String,
    /// What the archive holds, one file per entity.
    pub files: Vec<String>,
}

/// Privacy settings of the business.
#[derive(SimpleObject)]
pub struct PrivacySettings {
    /// Messages are deleted this many days after they were stored; `null` keeps them.
    pub message_retention_days: Option<i32>,
    /// Raw webhook deliveries are kept at most this many days (fixed).
    pub webhook_body_days: i32,
    /// Raw webhook deliveries for no known business are kept at most this many days
    /// (fixed).
    pub unroutable_webhook_body_days: i32,
}

impl PrivacySettings {
    fn new(days: Option<i32>) -> PrivacySettings {
        PrivacySettings {
            message_retention_days: days,
            webhook_body_days: privacy::retention::WEBHOOK_BODY_DAYS as i32,
            unroutable_webhook_body_days: privacy::retention::UNROUTABLE_BODY_DAYS as i32,
        }
    }
}

/// New privacy settings.
#[derive(InputObject)]
pub struct PrivacySettingsInput {
    /// Days to keep messages (1 to 3650); `null` keeps them until deleted.
    pub message_retention_days: Option<i32>,
}

/// What erasing a customer removed (counts only).
#[derive(SimpleObject)]
pub struct ErasedCustomer {
    /// Messages deleted.
    pub messages: i32,
    /// Follow-ups deleted.
    pub follow_ups: i32,
    /// Deal approvals deleted.
    pub deal_approvals: i32,
    /// Orders kept for the books, with the customer's name replaced and their delivery
    /// details and notes removed.
    pub orders_anonymised: i32,
    /// Raw webhook deliveries deleted.
    pub webhook_events: i32,
    /// Queued jobs deleted.
    pub jobs: i32,
    /// Blacklist entries deleted.
    pub blacklist_entries: i32,
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl From<privacy::Erased> for ErasedCustomer {
    fn from(e: privacy::Erased) -> Self {
        ErasedCustomer {
            messages: count(e.messages),
            follow_ups: count(e.follow_ups),
            deal_approvals: count(e.deal_approvals),
            orders_anonymised: count(e.orders_anonymised),
            webhook_events: count(e.webhook_events),
            jobs: count(e.jobs),
            blacklist_entries: count(e.blacklist_entries),
        }
    }
}

/// Privacy queries.
#[derive(Default)]
pub struct PrivacyQuery;

#[Object]
impl PrivacyQuery {
    /// Where to download the export archive (the owner, or an API token of either
    /// scope; staff are refused).
    #[graphql(guard = "Authenticated")]
    async fn data_export(&self, ctx: &Context<'_>) -> async_graphql::Result<DataExport> {
        privacy::check_can_export(ctx.caller()?)?;
        let mut files: Vec<String> = crate::db::privacy::EXPORT_ENTITIES
            .iter()
            .map(|e| e.file.to_string())
            .collect();
        files.push("messages.jsonl".into());
        files.push("images/".into());
        files.push("manifest.json".into());
        Ok(DataExport {
            url: privacy::export_url(ctx.app()),
            method: "GET".into(),
            content_type: "application/zip".into(),
            files,
        })
    }

    /// The business's privacy settings (owner and staff).
    #[graphql(guard = "Authenticated")]
    async fn privacy_settings(&self, ctx: &Context<'_>) -> async_graphql::Result<PrivacySettings> {
        let days = privacy::retention_days(ctx.app(), ctx.caller()?).await?;
        Ok(PrivacySettings::new(days))
    }
}

/// Privacy mutations.
#[derive(Default)]
pub struct PrivacyMutation;

#[Object]
impl PrivacyMutation {
    /// Sets how long messages are kept (owner only).
    #[graphql(guard = "OwnerOnly")]
    async fn update_privacy_settings(
        &self,
        ctx: &Context<'_>,
        input: PrivacySettingsInput,
    ) -> async_graphql::Result<PrivacySettings> {
        let days =
            privacy::set_retention_days(ctx.app(), ctx.caller()?, input.message_retention_days)
                .await?;
        Ok(PrivacySettings::new(days))
    }

    /// Erases a customer's data on their request: messages, chat, follow-ups, deal
    /// approvals, raw deliveries and queued work that mention them; their orders stay,
    /// anonymised (owner only; another business's customer is NOT_FOUND).
    #[graphql(guard = "OwnerOnly")]
    async fn erase_customer(
        &self,
        ctx: &Context<'_>,
        contact_id: ID,
    ) -> async_graphql::Result<ErasedCustomer> {
        let caller = ctx.caller()?;
        // Roles first: staff learn nothing about which ids exist.
        caller.owner()?;
        let id = ids::decode::<ContactId>(&contact_id)?;
        Ok(privacy::erase_customer(ctx.app(), caller, id).await?.into())
    }

    /// Deletes the business and everything of it, after the owner's password (owner
    /// only; a wrong password counts as a password guess, and this is one of the
    /// authentication operations of which a request may hold one). Every session and
    /// API token ends at once, and the WhatsApp number is released.
    #[graphql(guard = "OwnerOnly")]
    async fn delete_account(
        &self,
        ctx: &Context<'_>,
        password: String,
    ) -> async_graphql::Result<bool> {
        privacy::delete_account(ctx.app(), ctx.caller()?, &password, &ctx.client()).await?;
        Ok(true)
    }
}
