//! Follow-ups: the list (`followUps`), one (`followUp`), scheduling and cancelling them,
//! the business's rule (`followUpRule`, `updateFollowUpRule`) and live changes
//! (`followUpChanged`). Owner and staff alike, except the rule, which only the owner
//! changes; every id is scoped to the caller's business. The domain is [`crate::follow_ups`].

use async_graphql::connection::Connection;
use async_graphql::dataloader::DataLoader;
use async_graphql::futures_util::Stream;
use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject, Subscription,
};
use chrono::{DateTime, Utc};
use shared::{BusinessId, ChatId, FollowUpId};

use super::common::business_records;
use super::inbox::Chat;
use super::loaders::ChatLoader;
use super::paging::{Direction, Page, id_cursor};
use super::{Authenticated, ContextExt, OwnerAuthority, ids};
use crate::app::AppState;
use crate::db::follow_ups::{self as model, FollowUp as Row};
use crate::error::AppError;
use crate::events::EventKind;
use crate::follow_ups::{self, Content};
use crate::sender::Template;

/// Where a follow-up stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::FollowUpStatus")]
pub enum FollowUpStatus {
    /// Waiting for its time.
    Scheduled,
    /// Being sent.
    Sending,
    /// Sent.
    Sent,
    /// Not sent; `skipReason` says why.
    Skipped,
    /// Cancelled by a person.
    Cancelled,
    /// Could not be sent; `error` says why.
    Failed,
}

/// Who scheduled a follow-up.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::FollowUpSource")]
pub enum FollowUpSource {
    /// A person (or an API token).
    Staff,
    /// The business's rule.
    Rule,
}

/// An approved template a follow-up sends outside the 24-hour window.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "FollowUpTemplateInput")]
pub struct FollowUpTemplate {
    /// Name as approved in WhatsApp Manager.
    pub name: String,
    /// Language code, e.g. `en_US`.
    pub language: String,
    /// Body parameters in order.
    #[graphql(default)]
    pub parameters: Vec<String>,
}

/// A message scheduled for a chat.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct FollowUp {
    /// Opaque id.
    pub id: ID,
    /// The chat's id.
    pub chat_id: ID,
    /// When it is (or was) due.
    pub due_at: DateTime<Utc>,
    /// Free text (sent inside the 24-hour window).
    pub text: Option<String>,
    /// Template (sent outside the window).
    pub template: Option<FollowUpTemplate>,
    /// Where it stands.
    pub status: FollowUpStatus,
    /// Who scheduled it.
    pub source: FollowUpSource,
    /// The person or token that scheduled it.
    pub created_by: Option<String>,
    /// Why it was skipped.
    pub skip_reason: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// The message it became (an id of `messages`).
    pub message_id: Option<ID>,
    /// Scheduled at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    business_id: BusinessId,
    #[graphql(skip)]
    raw_chat_id: u64,
}

impl From<Row> for FollowUp {
    fn from(f: Row) -> FollowUp {
        let template = f.template_name.map(|name| FollowUpTemplate {
            name,
            language: f.template_language.unwrap_or_default(),
            parameters: f
                .template_params
                .as_deref()
                .and_then(|p| serde_json::from_str(p).ok())
                .unwrap_or_default(),
        });
        FollowUp {
            id: ids::encode(f.id),
            chat_id: ids::encode(f.chat_id),
            due_at: f.due_at.and_utc(),
            text: f.body,
            template,
            status: f.status.into(),
            source: f.source.into(),
            created_by: f.created_by,
            skip_reason: f.skip_reason,
            error: f.last_error,
            message_id: f.message_id.map(|m| ids::encode(shared::MessageId(m))),
            created_at: f.created_at.and_utc(),
            updated_at: f.updated_at.and_utc(),
            business_id: f.business_id,
            raw_chat_id: f.chat_id.0,
        }
    }
}

#[ComplexObject]
impl FollowUp {
    /// The chat (with its customer).
    async fn chat(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Chat>> {
        let loader = ctx.data_unchecked::<DataLoader<ChatLoader>>();
        Ok(loader
            .load_one((self.business_id, self.raw_chat_id))
            .await?
            .map(Into::into))
    }
}

/// The business's rule: "N hours after a quote or an agreed price with no order,
/// follow up once".
#[derive(SimpleObject)]
pub struct FollowUpRule {
    /// On or off.
    pub enabled: bool,
    /// Hours after the AI's last quote.
    pub after_hours: i32,
    /// The owner's message (`{name}`, `{product}` and `{price}` are filled in); `null`
    /// uses the default message.
    pub text: Option<String>,
}

impl From<follow_ups::Rule> for FollowUpRule {
    fn from(r: follow_ups::Rule) -> FollowUpRule {
        FollowUpRule {
            enabled: r.enabled,
            after_hours: r.after_hours,
            text: r.text,
        }
    }
}

/// Changes to the rule; omitted fields stay as they are.
#[derive(InputObject)]
pub struct FollowUpRuleInput {
    /// On or off.
    pub enabled: Option<bool>,
    /// Hours after the AI's last quote (1 to 23, so it lands inside the 24-hour window).
    pub after_hours: Option<i32>,
    /// The owner's message (at most 1000 characters); empty goes back to the default:
    /// written by the AI for each chat when the AI is on, else a fixed friendly text.
    pub text: Option<String>,
}

/// A follow-up to schedule: text, a template, or both (text inside the 24-hour window,
/// the template outside it).
#[derive(InputObject)]
pub struct ScheduleFollowUpInput {
    /// The chat.
    pub chat_id: ID,
    /// When to send it (at most 90 days ahead).
    pub due_at: DateTime<Utc>,
    /// Free text.
    pub text: Option<String>,
    /// An approved template.
    pub template: Option<FollowUpTemplate>,
}

/// Follow-up queries.
#[derive(Default)]
pub struct FollowUpQuery;

#[Object]
impl FollowUpQuery {
    /// Follow-ups, newest first; only these statuses, only one chat, when given.
    #[graphql(guard = "Authenticated")]
    async fn follow_ups(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(max_items = 6))] status: Option<Vec<FollowUpStatus>>,
        chat_id: Option<ID>,
    ) -> async_graphql::Result<Connection<String, FollowUp>> {
        let caller = ctx.caller()?;
        let page = Page::new(
            Direction::Forward,
            first,
            after.as_deref(),
            id_cursor::<FollowUpId>,
        )?;
        let chat = chat_id.as_ref().map(ids::decode::<ChatId>).transpose()?;
        let statuses: Vec<shared::FollowUpStatus> = status
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
                Ok((ids::encode(r.id).0, r.into()))
            })?,
        )
    }

    /// One follow-up.
    #[graphql(guard = "Authenticated")]
    async fn follow_up(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<FollowUp> {
        let caller = ctx.caller()?;
        let id = ids::decode::<FollowUpId>(&id)?;
        let mut conn = ctx.app().db().await?;
        Ok(model::find(&mut conn, caller.business_id, id)
            .await
            .map_err(AppError::from)?
            .ok_or(AppError::NotFound("follow-up"))?
            .into())
    }

    /// The business's follow-up rule.
    #[graphql(guard = "Authenticated")]
    async fn follow_up_rule(&self, ctx: &Context<'_>) -> async_graphql::Result<FollowUpRule> {
        let caller = ctx.caller()?;
        Ok(follow_ups::rule(ctx.app(), caller.business_id)
            .await?
            .into())
    }
}

/// Follow-up mutations (owner and staff; the rule: owner only).
#[derive(Default)]
pub struct FollowUpMutation;

#[Object]
impl FollowUpMutation {
    /// Schedules a follow-up for a chat.
    #[graphql(guard = "Authenticated")]
    async fn schedule_follow_up(
        &self,
        ctx: &Context<'_>,
        input: ScheduleFollowUpInput,
    ) -> async_graphql::Result<FollowUp> {
        let caller = ctx.caller()?;
        let chat_id = ids::decode::<ChatId>(&input.chat_id)?;
        let content = Content {
            text: input.text,
            template: input.template.map(|t| Template {
                name: t.name,
                language: t.language,
                parameters: t.parameters,
            }),
        };
        Ok(follow_ups::schedule(
            ctx.app(),
            caller,
            chat_id,
            input.due_at.naive_utc(),
            content,
        )
        .await?
        .into())
    }

    /// Cancels a scheduled follow-up.
    #[graphql(guard = "Authenticated")]
    async fn cancel_follow_up(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<FollowUp> {
        let caller = ctx.caller()?;
        let id = ids::decode::<FollowUpId>(&id)?;
        Ok(follow_ups::cancel(ctx.app(), caller, id).await?.into())
    }

    /// Changes the business's follow-up rule.
    /// Owner only, in the dashboard or with an API token (staff: FORBIDDEN).
    #[graphql(guard = "OwnerAuthority")]
    async fn update_follow_up_rule(
        &self,
        ctx: &Context<'_>,
        input: FollowUpRuleInput,
    ) -> async_graphql::Result<FollowUpRule> {
        let caller = ctx.caller()?;
        let rule = follow_ups::update_rule(
            ctx.app(),
            caller,
            input.enabled,
            input.after_hours,
            input.text,
        )
        .await?;
        Ok(rule.into())
    }
}

/// Live follow-up changes: each subscriber receives only its own business's.
#[derive(Default)]
pub struct FollowUpSubscription;

#[Subscription]
impl FollowUpSubscription {
    /// A follow-up was scheduled, sent, skipped, cancelled or failed.
    #[graphql(guard = "Authenticated")]
    async fn follow_up_changed(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = FollowUp> + use<>> {
        let business_id = ctx.caller()?.business_id;
        Ok(business_records(
            ctx.app(),
            business_id,
            |kind| match kind {
                EventKind::FollowUpChanged { follow_up_id } => Some(follow_up_id),
                _ => None,
            },
            |app, business_id, id| async move { load(&app, business_id, FollowUpId(id)).await },
        ))
    }
}

async fn load(app: &AppState, business_id: BusinessId, id: FollowUpId) -> Option<FollowUp> {
    let mut conn = app.db().await.ok()?;
    model::find(&mut conn, business_id, id)
        .await
        .ok()
        .flatten()
        .map(Into::into)
}
