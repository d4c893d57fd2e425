//! Follow-ups' SQL: schedule, list (newest first, keyset by id), load, and the
//! conditional status moves the sender of follow-ups relies on (a move happens only
//! from the status the caller saw, so two workers cannot both act on one row).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use shared::{BusinessId, ChatId, FollowUpId, FollowUpSource, FollowUpStatus, OrderStatus, SentBy};

use super::schema::{businesses, follow_ups, messages, orders};

/// One follow-up as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = follow_ups, check_for_backend(diesel::mysql::Mysql))]
pub struct FollowUp {
    /// Id.
    pub id: FollowUpId,
    /// Tenant.
    pub business_id: BusinessId,
    /// The chat it goes to.
    pub chat_id: ChatId,
    /// When it is due.
    pub due_at: NaiveDateTime,
    /// Free text (inside the 24-hour window).
    pub body: Option<String>,
    /// Template name (outside the window).
    pub template_name: Option<String>,
    /// Template language.
    pub template_language: Option<String>,
    /// Template body parameters (JSON array of strings).
    pub template_params: Option<String>,
    /// Where it stands.
    pub status: FollowUpStatus,
    /// Who scheduled it.
    pub source: FollowUpSource,
    /// Runs so far.
    pub attempts: i32,
    /// Why it failed.
    pub last_error: Option<String>,
    /// Why it was skipped.
    pub skip_reason: Option<String>,
    /// The message it became.
    pub message_id: Option<u64>,
    /// The person or token that scheduled it.
    pub created_by: Option<String>,
    /// Scheduled at.
    pub created_at: NaiveDateTime,
    /// Last status change.
    pub updated_at: NaiveDateTime,
}

/// A follow-up to schedule.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = follow_ups)]
pub struct NewFollowUp {
    /// Tenant.
    pub business_id: BusinessId,
    /// The chat it goes to.
    pub chat_id: ChatId,
    /// When it is due.
    pub due_at: NaiveDateTime,
    /// Free text.
    pub body: Option<String>,
    /// Template name.
    pub template_name: Option<String>,
    /// Template language.
    pub template_language: Option<String>,
    /// Template parameters (JSON array).
    pub template_params: Option<String>,
    /// Who scheduled it.
    pub source: FollowUpSource,
    /// The person or token that scheduled it.
    pub created_by: Option<String>,
}

/// Stores a follow-up; returns its id.
pub async fn insert(conn: &mut AsyncMysqlConnection, new: &NewFollowUp) -> QueryResult<FollowUpId> {
    diesel::insert_into(follow_ups::table)
        .values(new)
        .execute(conn)
        .await?;
    diesel::select(super::tenants::last_insert_id())
        .get_result::<u64>(conn)
        .await
        .map(FollowUpId)
}

/// One follow-up of the business (`None` for another tenant's id).
pub async fn find(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    id: FollowUpId,
) -> QueryResult<Option<FollowUp>> {
    follow_ups::table
        .filter(follow_ups::business_id.eq(business_id))
        .filter(follow_ups::id.eq(id))
        .select(FollowUp::as_select())
        .first(conn)
        .await
        .optional()
}

/// One follow-up by id alone (the worker, whose job names it).
pub async fn find_any(
    conn: &mut AsyncMysqlConnection,
    id: FollowUpId,
) -> QueryResult<Option<FollowUp>> {
    follow_ups::table
        .filter(follow_ups::id.eq(id))
        .select(FollowUp::as_select())
        .first(conn)
        .await
        .optional()
}

/// A page of the business's follow-ups, newest first, optionally only these statuses
/// and only for one chat.
pub async fn list(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    statuses: &[FollowUpStatus],
    chat: Option<ChatId>,
    before: Option<FollowUpId>,
    limit: i64,
) -> QueryResult<Vec<FollowUp>> {
    let mut q = follow_ups::table
        .filter(follow_ups::business_id.eq(business_id))
        .select(FollowUp::as_select())
        .order(follow_ups::id.desc())
        .limit(limit)
        .into_boxed();
    if !statuses.is_empty() {
        q = q.filter(follow_ups::status.eq_any(statuses.to_vec()));
    }
    if let Some(chat) = chat {
        q = q.filter(follow_ups::chat_id.eq(chat));
    }
    if let Some(before) = before {
        q = q.filter(follow_ups::id.lt(before));
    }
    q.load(conn).await
}

/// The chat's scheduled follow-up from the business's rule, if any.
pub async fn scheduled_rule_follow_up(
    conn: &mut AsyncMysqlConnection,
    chat: ChatId,
) -> QueryResult<Option<FollowUp>> {
    follow_ups::table
        .filter(follow_ups::chat_id.eq(chat))
        .filter(follow_ups::source.eq(FollowUpSource::Rule))
        .filter(follow_ups::status.eq(FollowUpStatus::Scheduled))
        .select(FollowUp::as_select())
        .first(conn)
        .await
        .optional()
}

/// Moves a follow-up from `from` to `to` (with a reason for skips and failures, and the
/// message it became); `false` when it was not in `from` any more.
pub async fn move_status(
    conn: &mut AsyncMysqlConnection,
    id: FollowUpId,
    from: &[FollowUpStatus],
    to: FollowUpStatus,
    reason: Option<&str>,
    message_id: Option<u64>,
) -> QueryResult<bool> {
    let reason: Option<String> = reason.map(|r| r.chars().take(255).collect());
    let (skip_reason, last_error) = match to {
        FollowUpStatus::Failed => (None, reason),
        _ => (reason, None),
    };
    let n = diesel::update(
        follow_ups::table
            .filter(follow_ups::id.eq(id))
            .filter(follow_ups::status.eq_any(from.to_vec())),
    )
    .set((
        follow_ups::status.eq(to),
        follow_ups::skip_reason.eq(skip_reason),
        follow_ups::last_error.eq(last_error),
        follow_ups::message_id.eq(message_id),
        follow_ups::updated_at.eq(chrono::Utc::now().naive_utc()),
    ))
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// Marks a run started: `sending`, one more attempt, the time of the mark. `false` when
/// the follow-up is no longer open.
pub async fn start_sending(conn: &mut AsyncMysqlConnection, id: FollowUpId) -> QueryResult<bool> {
    let n = diesel::update(
        follow_ups::table
            .filter(follow_ups::id.eq(id))
            .filter(follow_ups::status.eq(FollowUpStatus::Scheduled)),
    )
    .set((
        follow_ups::status.eq(FollowUpStatus::Sending),
        follow_ups::attempts.eq(follow_ups::attempts + 1),
        follow_ups::updated_at.eq(chrono::Utc::now().naive_utc()),
    ))
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// Moves a scheduled follow-up to another time.
pub async fn reschedule(
    conn: &mut AsyncMysqlConnection,
    id: FollowUpId,
    due_at: NaiveDateTime,
    body: &str,
) -> QueryResult<bool> {
    let n = diesel::update(
        follow_ups::table
            .filter(follow_ups::id.eq(id))
            .filter(follow_ups::status.eq(FollowUpStatus::Scheduled)),
    )
    .set((
        follow_ups::due_at.eq(due_at),
        follow_ups::body.eq(body),
        follow_ups::updated_at.eq(chrono::Utc::now().naive_utc()),
    ))
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// Replaces a scheduled follow-up's text (the AI wrote it); false when it is no longer
/// scheduled.
pub async fn rewrite(
    conn: &mut AsyncMysqlConnection,
    id: FollowUpId,
    body: &str,
) -> QueryResult<bool> {
    let n = diesel::update(
        follow_ups::table
            .filter(follow_ups::id.eq(id))
            .filter(follow_ups::status.eq(FollowUpStatus::Scheduled)),
    )
    .set((
        follow_ups::body.eq(body),
        follow_ups::updated_at.eq(chrono::Utc::now().naive_utc()),
    ))
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// The follow-up message stored in the chat at or after `since`, if any: what an
/// interrupted run already handed to the sender.
pub async fn message_sent_since(
    conn: &mut AsyncMysqlConnection,
    chat: ChatId,
    since: NaiveDateTime,
) -> QueryResult<Option<u64>> {
    messages::table
        .filter(messages::chat_id.eq(chat.0))
        .filter(messages::sent_by.eq(SentBy::FollowUp))
        .filter(messages::created_at.ge(since))
        .select(messages::id)
        .order(messages::id.asc())
        .first(conn)
        .await
        .optional()
}

/// Whether the chat has an order placed after `since` (not cancelled).
pub async fn ordered_since(
    conn: &mut AsyncMysqlConnection,
    chat: ChatId,
    since: NaiveDateTime,
) -> QueryResult<bool> {
    let n: i64 = orders::table
        .filter(orders::chat_id.eq(chat.0))
        .filter(orders::created_at.gt(since))
        .filter(orders::status.ne(OrderStatus::Cancelled))
        .count()
        .get_result(conn)
        .await?;
    Ok(n > 0)
}

/// The business's follow-up rule: on, after how many hours, and its own text.
pub async fn rule(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
) -> QueryResult<(bool, i32, Option<String>)> {
    businesses::table
        .filter(businesses::id.eq(business_id.0))
        .select((
            businesses::follow_ups_enabled,
            businesses::follow_up_after_hours,
            businesses::follow_up_text,
        ))
        .first(conn)
        .await
}

/// Changes the business's follow-up rule (each `None` leaves a setting as it is; an
/// empty text goes back to the default message).
pub async fn update_rule(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    enabled: Option<bool>,
    after_hours: Option<i32>,
    text: Option<Option<String>>,
) -> QueryResult<()> {
    if let Some(enabled) = enabled {
        diesel::update(businesses::table.filter(businesses::id.eq(business_id.0)))
            .set(businesses::follow_ups_enabled.eq(enabled))
            .execute(conn)
            .await?;
    }
    if let Some(hours) = after_hours {
        diesel::update(businesses::table.filter(businesses::id.eq(business_id.0)))
            .set(businesses::follow_up_after_hours.eq(hours))
            .execute(conn)
            .await?;
    }
    if let Some(text) = text {
        diesel::update(businesses::table.filter(businesses::id.eq(business_id.0)))
            .set(businesses::follow_up_text.eq(text))
            .execute(conn)
            .await?;
    }
    Ok(())
}
