//! The activity log: `activity` (newest first, filtered by kind, actor, subject and
//! date) and `activityAdded` (live). Entries are written by [`crate::activity`].

use async_graphql::connection::Connection;
use async_graphql::futures_util::Stream;
use async_graphql::{Context, Enum, ID, InputObject, Json, Object, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use shared::{ActivityId, BusinessId};

use super::common::business_records;
use super::paging::{Direction, Page, id_cursor};
use super::{Authenticated, ContextExt, ids};
use crate::app::AppState;
use crate::db::activity::{self as model, ActivityFilter, ActivityRow};
use crate::error::AppError;
use crate::events::EventKind;

/// What an entry records.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::ActivityKind")]
pub enum ActivityKind {
    /// Messages received and sent in a period (counts only, never content).
    Messages,
    /// The AI salesperson sent a reply.
    AiReplied,
    /// An AI reply was held back by the output check.
    AiReplyBlocked,
    /// The AI handed the chat to a person.
    AiHandoff,
    /// The AI provider failed.
    AiProviderError,
    /// The AI stopped answering a customer who wrote too fast.
    AiRateLimited,
    /// A person took a chat over from the AI.
    ChatPaused,
    /// The AI was given a chat back.
    ChatResumed,
    /// An order was recorded.
    OrderCreated,
    /// A pending order changed.
    OrderUpdated,
    /// An order was confirmed.
    OrderConfirmed,
    /// An order was completed.
    OrderCompleted,
    /// An order was cancelled.
    OrderCancelled,
    /// The customer was told about their order on WhatsApp.
    OrderNotified,
    /// A customer was blacklisted.
    BlacklistAdded,
    /// A customer was removed from the blacklist.
    BlacklistRemoved,
    /// A customer opted out (STOP).
    ContactOptedOut,
    /// A product was added.
    ProductCreated,
    /// A product was changed.
    ProductUpdated,
    /// A product was archived.
    ProductArchived,
    /// A product was deleted.
    ProductDeleted,
    /// The business's settings changed.
    SettingsChanged,
    /// The Anthropic key was set or removed.
    AiKeyChanged,
    /// The AI's daily budget changed.
    AiBudgetChanged,
    /// Someone logged in.
    LoggedIn,
    /// Someone logged out.
    LoggedOut,
    /// Dashboard sessions were ended from the sessions list.
    SessionsRevoked,
    /// A user changed their password (their other sessions ended).
    PasswordChanged,
    /// An API token was created.
    ApiTokenCreated,
    /// An API token was revoked.
    ApiTokenRevoked,
    /// The owner invited a staff member.
    StaffInvited,
    /// An invited staff member joined.
    StaffJoined,
    /// The owner removed a staff member.
    StaffRemoved,
    /// A WhatsApp number was connected.
    #[graphql(name = "WHATSAPP_CONNECTED")]
    WhatsAppConnected,
    /// A WhatsApp number was disconnected.
    #[graphql(name = "WHATSAPP_DISCONNECTED")]
    WhatsAppDisconnected,
    /// A follow-up was scheduled.
    FollowUpScheduled,
    /// A follow-up was sent.
    FollowUpSent,
    /// A follow-up was skipped (the reason is in the details).
    FollowUpSkipped,
    /// A follow-up was cancelled.
    FollowUpCancelled,
    /// A follow-up could not be sent.
    FollowUpFailed,
    /// A customer asked for a deal outside the policy; the owner is asked.
    DealApprovalRequested,
    /// The owner approved a deal.
    DealApproved,
    /// The owner declined a deal.
    DealDeclined,
    /// A deal approval was not decided in time; the floor was offered.
    DealApprovalExpired,
    /// A customer's name or notes were changed by a person.
    ContactUpdated,
    /// A customer's data was erased on request.
    CustomerErased,
    /// The retention limit deleted old messages.
    MessagesPurged,
    /// The business's data was exported.
    DataExported,
}

/// Who did it.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::ActorKind")]
pub enum ActorKind {
    /// The owner.
    Owner,
    /// A staff member.
    Staff,
    /// The AI salesperson.
    Ai,
    /// The server on its own (workers, rules).
    System,
    /// An integrator's API token.
    ApiToken,
    /// The customer.
    Customer,
}

/// What an entry is about.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::SubjectKind")]
pub enum SubjectKind {
    /// A chat.
    Chat,
    /// An order.
    Order,
    /// A product.
    Product,
    /// A customer.
    Contact,
    /// A blacklist entry.
    BlacklistEntry,
    /// A follow-up.
    FollowUp,
    /// The business.
    Business,
    /// The WhatsApp connection.
    Connection,
}

/// Who did it.
#[derive(SimpleObject)]
pub struct ActivityActor {
    /// Owner, staff, AI, system, API token or customer.
    pub kind: ActorKind,
    /// The user's email or the API token's name.
    pub name: Option<String>,
}

/// What it is about: a link to the record.
#[derive(SimpleObject)]
pub struct ActivitySubject {
    /// Chat, order, product...
    pub kind: SubjectKind,
    /// The record's opaque id (the same id its own query takes).
    pub id: ID,
}

/// One entry of the append-only activity log.
#[derive(SimpleObject)]
pub struct ActivityEvent {
    /// Opaque id.
    pub id: ID,
    /// What happened.
    pub kind: ActivityKind,
    /// One line for people (never message content).
    pub summary: String,
    /// Who did it.
    pub actor: ActivityActor,
    /// What it is about.
    pub subject: Option<ActivitySubject>,
    /// Structured details (ids, counts, amounts, reasons).
    pub details: Json<serde_json::Value>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<ActivityRow> for ActivityEvent {
    fn from(r: ActivityRow) -> ActivityEvent {
        ActivityEvent {
            id: ids::encode(r.id),
            kind: r.kind.into(),
            summary: r.subject,
            actor: ActivityActor {
                kind: r.actor.into(),
                name: r.actor_name,
            },
            subject: r
                .subject_kind
                .zip(r.subject_id)
                .map(|(kind, id)| ActivitySubject {
                    kind: kind.into(),
                    id: ids::encode_subject(kind, id),
                }),
            details: Json(serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null)),
            created_at: r.created_at.and_utc(),
        }
    }
}

/// Which entries to list (all given conditions hold).
#[derive(InputObject, Default)]
pub struct ActivityFilterInput {
    /// Only these kinds.
    pub kinds: Option<Vec<ActivityKind>>,
    /// Only by this kind of actor.
    pub actor: Option<ActorKind>,
    /// Only about this record (a chat, order, product... id).
    pub subject_id: Option<ID>,
    /// At or after.
    pub since: Option<DateTime<Utc>>,
    /// Before.
    pub until: Option<DateTime<Utc>>,
}

/// Most kinds one filter may name.
const MAX_FILTER_KINDS: usize = 40;

impl ActivityFilterInput {
    fn into_model(self) -> Result<ActivityFilter, AppError> {
        let kinds = self.kinds.unwrap_or_default();
        if kinds.len() > MAX_FILTER_KINDS {
            return Err(AppError::invalid(
                "kinds",
                format!("at most {MAX_FILTER_KINDS} kinds in one filter"),
            ));
        }
        if let (Some(since), Some(until)) = (self.since, self.until)
            && since >= until
        {
            return Err(AppError::invalid("until", "must be after `since`"));
        }
        Ok(ActivityFilter {
            kinds: kinds.into_iter().map(Into::into).collect(),
            actor: self.actor.map(Into::into),
            subject: self
                .subject_id
                .as_ref()
                .map(ids::decode_subject)
                .transpose()?,
            since: self.since.map(|t| t.naive_utc()),
            until: self.until.map(|t| t.naive_utc()),
        })
    }
}

/// Activity queries.
#[derive(Default)]
pub struct ActivityQuery;

#[Object]
impl ActivityQuery {
    /// The activity log, newest first.
    #[graphql(guard = "Authenticated")]
    async fn activity(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ActivityFilterInput>,
    ) -> async_graphql::Result<Connection<String, ActivityEvent>> {
        let caller = ctx.caller()?;
        let page = Page::new(
            Direction::Forward,
            first,
            after.as_deref(),
            id_cursor::<ActivityId>,
        )?;
        let filter = filter.unwrap_or_default().into_model()?;
        let mut conn = ctx.app().db().await?;
        let rows = model::list(
            &mut conn,
            caller.business_id,
            &filter,
            page.cursor,
            page.fetch_limit(),
        )
        .await
        .map_err(AppError::from)?;
        Ok(
            page.connection(rows, async_graphql::connection::EmptyFields, |r| {
                Ok((ids::encode(r.id).0, r.into()))
            })?,
        )
    }
}

/// Live activity over WebSocket: each subscriber receives only its own business's.
#[derive(Default)]
pub struct ActivitySubscription;

#[Subscription]
impl ActivitySubscription {
    /// An entry was appended to the activity log.
    #[graphql(guard = "Authenticated")]
    async fn activity_added(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = ActivityEvent> + use<>> {
        let business_id = ctx.caller()?.business_id;
        Ok(business_records(
            ctx.app(),
            business_id,
            |kind| match kind {
                EventKind::ActivityAdded { activity_id } => Some(activity_id),
                _ => None,
            },
            |app, business_id, id| async move { load(&app, business_id, ActivityId(id)).await },
        ))
    }
}

async fn load(app: &AppState, business_id: BusinessId, id: ActivityId) -> Option<ActivityEvent> {
    let mut conn = app.db().await.ok()?;
    model::find(&mut conn, business_id, id)
        .await
        .ok()
        .flatten()
        .map(Into::into)
}
