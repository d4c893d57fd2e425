//! Deal approvals: the requests the AI raised for deals outside the policy
//! (`dealApprovals`, `dealApproval`), the owner's decision (`approveDeal`,
//! `declineDeal`), the business's rule (`dealApprovalSettings`,
//! `updateDealApprovalSettings`) and live changes (`dealApprovalChanged`). Owner and
//! staff alike, except the rule, which only the owner changes; every id is scoped to
//! the caller's business. The domain is
//! [`crate::deal_approvals`].

use async_graphql::connection::Connection;
use async_graphql::dataloader::DataLoader;
use async_graphql::futures_util::Stream;
use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject, Subscription,
};
use chrono::{DateTime, Utc};
use shared::{BusinessId, ChatId, DealApprovalId};

use super::common::{Money, business_records, money};
use super::inbox::Chat;
use super::loaders::ChatLoader;
use super::paging::{Direction, Page, id_cursor};
use super::{Authenticated, ContextExt, OwnerAuthority, ids};
use crate::app::AppState;
use crate::db::deal_approvals::{self as model, DealApproval as Row, Settings};
use crate::deal_approvals::{self, SettingsChange};
use crate::error::AppError;
use crate::events::EventKind;

/// Where a request for the owner's approval stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::DealApprovalStatus")]
pub enum DealApprovalStatus {
    /// Waiting for the owner.
    Pending,
    /// Approved at `approvedPrice`.
    Approved,
    /// Declined: the customer was offered the floor.
    Declined,
    /// Not decided in time: the customer was offered the floor.
    Expired,
}

/// Why the owner is asked.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::DealApprovalReason")]
pub enum DealApprovalReason {
    /// The customer asked below the bargaining floor.
    BelowFloor,
    /// The customer asked a discount on a bulk quantity.
    Bulk,
}

/// A deal the AI could not agree to on its own: the customer's ask, waiting for (or
/// with) the owner's decision.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct DealApproval {
    /// Opaque id.
    pub id: ID,
    /// The chat the customer asked in.
    pub chat_id: ID,
    /// The product's id.
    pub product_id: ID,
    /// The product's name when asked.
    pub product_name: String,
    /// Units asked for.
    pub quantity: i32,
    /// Why the owner is asked.
    pub reason: DealApprovalReason,
    /// The customer's ask per unit.
    pub customer_ask: Money,
    /// The bargaining floor when asked.
    pub floor: Money,
    /// Our standing offer when asked.
    pub offered: Money,
    /// Where it stands.
    pub status: DealApprovalStatus,
    /// The price the owner approved.
    pub approved_price: Option<Money>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// The note given with the decision.
    pub decision_note: Option<String>,
    /// When it was decided (or expired).
    pub decided_at: Option<DateTime<Utc>>,
    /// When it falls back to the floor if nobody decides.
    pub expires_at: DateTime<Utc>,
    /// Whether the customer was sent the answer.
    pub customer_told: bool,
    /// Why the customer was not sent the answer.
    pub answer_error: Option<String>,
    /// Asked at.
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    business_id: BusinessId,
    #[graphql(skip)]
    raw_chat_id: u64,
}

impl TryFrom<Row> for DealApproval {
    type Error = AppError;

    fn try_from(a: Row) -> Result<DealApproval, AppError> {
        Ok(DealApproval {
            id: ids::encode(a.id),
            chat_id: ids::encode(a.chat_id),
            product_id: ids::encode(a.product_id),
            product_name: a.product_name,
            quantity: a.quantity,
            reason: a.reason.into(),
            customer_ask: money(a.customer_ask_minor, &a.currency)?,
            floor: money(a.floor_minor, &a.currency)?,
            offered: money(a.offered_minor, &a.currency)?,
            status: a.status.into(),
            approved_price: a
                .approved_minor
                .map(|p| money(p, &a.currency))
                .transpose()?,
            decided_by: a.decided_by,
            decision_note: a.decision_note,
            decided_at: a.decided_at.map(|t| t.and_utc()),
            expires_at: a.expires_at.and_utc(),
            customer_told: a.answer_message_id.is_some(),
            answer_error: a.answer_error,
            created_at: a.created_at.and_utc(),
            business_id: a.business_id,
            raw_chat_id: a.chat_id.0,
        })
    }
}

#[ComplexObject]
impl DealApproval {
    /// The chat (with its customer).
    async fn chat(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Chat>> {
        let loader = ctx.data_unchecked::<DataLoader<ChatLoader>>();
        Ok(loader
            .load_one((self.business_id, self.raw_chat_id))
            .await?
            .map(Into::into))
    }
}

/// The business's rule for deals outside the policy.
#[derive(SimpleObject)]
pub struct DealApprovalSettings {
    /// Whether asks below the floor (and bulk asks) go to the owner; when off, the
    /// floor is the AI's final word.
    pub enabled: bool,
    /// Asks for at least this many units go to the owner too; `null`: no bulk rule.
    pub bulk_quantity: Option<i32>,
    /// Minutes before an undecided request falls back to the floor.
    pub expiry_minutes: i32,
}

impl From<Settings> for DealApprovalSettings {
    fn from(s: Settings) -> DealApprovalSettings {
        DealApprovalSettings {
            enabled: s.enabled,
            bulk_quantity: s.bulk_quantity,
            expiry_minutes: s.expiry_minutes,
        }
    }
}

/// Changes to the rule; omitted fields stay as they are.
#[derive(InputObject)]
pub struct DealApprovalSettingsInput {
    /// On or off.
    pub enabled: Option<bool>,
    /// Bulk threshold in units (2 or more); 0 removes the bulk rule.
    pub bulk_quantity: Option<i32>,
    /// Minutes before an undecided request falls back to the floor (5 to 10080).
    pub expiry_minutes: Option<i32>,
}

/// The owner's approval.
#[derive(InputObject)]
pub struct ApproveDealInput {
    /// The request.
    pub id: ID,
    /// Unit price in minor units; the customer's ask when omitted. Never below the
    /// product's hard minimum, never above its list price.
    pub price: Option<i64>,
    /// A note for the record (at most 500 characters).
    pub note: Option<String>,
}

/// The owner's refusal.
#[derive(InputObject)]
pub struct DeclineDealInput {
    /// The request.
    pub id: ID,
    /// A note for the record (at most 500 characters).
    pub note: Option<String>,
}

/// Deal approval queries.
#[derive(Default)]
pub struct DealApprovalQuery;

#[Object]
impl DealApprovalQuery {
    /// Requests for the owner's approval, newest first; only these statuses, only one
    /// chat, when given.
    #[graphql(guard = "Authenticated")]
    async fn deal_approvals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(max_items = 4))] status: Option<Vec<DealApprovalStatus>>,
        chat_id: Option<ID>,
    ) -> async_graphql::Result<Connection<String, DealApproval>> {
        let caller = ctx.caller()?;
        let page = Page::new(
            Direction::Forward,
            first,
            after.as_deref(),
            id_cursor::<DealApprovalId>,
        )?;
        let chat = chat_id.as_ref().map(ids::decode::<ChatId>).transpose()?;
        let statuses: Vec<shared::DealApprovalStatus> = status
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let mut conn = ctx.app().db().await?;
        let rows = model::list(
            &mut conn,
            caller.business_id,
            &statuses,
            chat,
            page.cursor,
            page.fetch_limit(),
        )
        .await
        .map_err(AppError::from)?;
        Ok(
            page.connection(rows, async_graphql::connection::EmptyFields, |r| {
                Ok((ids::encode(r.id).0, r.try_into()?))
            })?,
        )
    }

    /// One request.
    #[graphql(guard = "Authenticated")]
    async fn deal_approval(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<DealApproval> {
        let caller = ctx.caller()?;
        let id = ids::decode::<DealApprovalId>(&id)?;
        Ok(deal_approvals::find(ctx.app(), caller, id)
            .await?
            .try_into()?)
    }

    /// The business's rule for deals outside the policy.
    #[graphql(guard = "Authenticated")]
    async fn deal_approval_settings(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<DealApprovalSettings> {
        let caller = ctx.caller()?;
        Ok(deal_approvals::settings(ctx.app(), caller).await?.into())
    }
}

/// Deal approval mutations (owner and staff; the rule: owner only).
#[derive(Default)]
pub struct DealApprovalMutation;

#[Object]
impl DealApprovalMutation {
    /// Approves a pending request; the AI tells the customer at once.
    #[graphql(guard = "Authenticated")]
    async fn approve_deal(
        &self,
        ctx: &Context<'_>,
        input: ApproveDealInput,
    ) -> async_graphql::Result<DealApproval> {
        let caller = ctx.caller()?;
        let id = ids::decode::<DealApprovalId>(&input.id)?;
        Ok(
            deal_approvals::approve(ctx.app(), caller, id, input.price, input.note)
                .await?
                .try_into()?,
        )
    }

    /// Declines a pending request; the AI offers the customer the floor.
    #[graphql(guard = "Authenticated")]
    async fn decline_deal(
        &self,
        ctx: &Context<'_>,
        input: DeclineDealInput,
    ) -> async_graphql::Result<DealApproval> {
        let caller = ctx.caller()?;
        let id = ids::decode::<DealApprovalId>(&input.id)?;
        Ok(deal_approvals::decline(ctx.app(), caller, id, input.note)
            .await?
            .try_into()?)
    }

    /// Changes the business's rule for deals outside the policy.
    /// Owner only, in the dashboard or with an API token (staff: FORBIDDEN).
    #[graphql(guard = "OwnerAuthority")]
    async fn update_deal_approval_settings(
        &self,
        ctx: &Context<'_>,
        input: DealApprovalSettingsInput,
    ) -> async_graphql::Result<DealApprovalSettings> {
        let caller = ctx.caller()?;
        let change = SettingsChange {
            enabled: input.enabled,
            bulk_quantity: input.bulk_quantity.map(|q| (q != 0).then_some(q)),
            expiry_minutes: input.expiry_minutes,
        };
        Ok(deal_approvals::update_settings(ctx.app(), caller, change)
            .await?
            .into())
    }
}

/// Live deal approval changes: each subscriber receives only its own business's.
#[derive(Default)]
pub struct DealApprovalSubscription;

#[Subscription]
impl DealApprovalSubscription {
    /// A request was raised, decided, expired or answered.
    #[graphql(guard = "Authenticated")]
    async fn deal_approval_changed(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = DealApproval> + use<>> {
        let business_id = ctx.caller()?.business_id;
        Ok(business_records(
            ctx.app(),
            business_id,
            |kind| match kind {
                EventKind::DealApprovalChanged { deal_approval_id } => Some(deal_approval_id),
                _ => None,
            },
            |app, business_id, id| async move { load(&app, business_id, DealApprovalId(id)).await },
        ))
    }
}

async fn load(app: &AppState, business_id: BusinessId, id: DealApprovalId) -> Option<DealApproval> {
    let mut conn = app.db().await.ok()?;
    model::find(&mut conn, business_id, id)
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_into().ok())
}
