//! The activity log's SQL: append, list (newest first, keyset by id) and load by id.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use shared::{ActivityId, ActivityKind, ActorKind, BusinessId, SubjectKind};

use super::schema::activity_events;

/// One entry as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = activity_events, check_for_backend(diesel::mysql::Mysql))]
pub struct ActivityRow {
    /// Id (also the order of the log).
    pub id: ActivityId,
    /// Tenant.
    pub business_id: BusinessId,
    /// What happened.
    pub kind: ActivityKind,
    /// One-line summary, without message content.
    pub subject: String,
    /// What it is about.
    pub subject_kind: Option<SubjectKind>,
    /// Its id.
    pub subject_id: Option<u64>,
    /// Structured details (JSON).
    pub details: String,
    /// Who did it.
    pub actor: ActorKind,
    /// The user's email or the API token's name.
    pub actor_name: Option<String>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// What to append.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = activity_events)]
pub struct NewActivity {
    /// Tenant.
    pub business_id: BusinessId,
    /// What happened.
    pub kind: ActivityKind,
    /// One-line summary (cut to 255 characters).
    pub subject: String,
    /// What it is about.
    pub subject_kind: Option<SubjectKind>,
    /// Its id.
    pub subject_id: Option<u64>,
    /// Structured details (JSON).
    pub details: String,
    /// Who did it.
    pub actor: ActorKind,
    /// The user's email or the API token's name (cut to 255 characters).
    pub actor_name: Option<String>,
}

/// Appends one entry and returns its id.
pub async fn insert(conn: &mut AsyncMysqlConnection, row: &NewActivity) -> QueryResult<ActivityId> {
    diesel::insert_into(activity_events::table)
        .values(row)
        .execute(conn)
        .await?;
    diesel::select(super::tenants::last_insert_id())
        .get_result::<u64>(conn)
        .await
        .map(ActivityId)
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Only these kinds (all when empty).
    pub kinds: Vec<ActivityKind>,
    /// Only by this kind of actor.
    pub actor: Option<ActorKind>,
    /// Only about this subject.
    pub subject: Option<(SubjectKind, u64)>,
    /// At or after.
    pub since: Option<NaiveDateTime>,
    /// Before.
    pub until: Option<NaiveDateTime>,
}

/// A page of the log, newest first: up to `limit` entries older than `before`.
pub async fn list(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    filter: &ActivityFilter,
    before: Option<ActivityId>,
    limit: i64,
) -> QueryResult<Vec<ActivityRow>> {
    let mut q = activity_events::table
        .filter(activity_events::business_id.eq(business_id))
        .select(ActivityRow::as_select())
        .order(activity_events::id.desc())
        .limit(limit)
        .into_boxed();
    if !filter.kinds.is_empty() {
        q = q.filter(activity_events::kind.eq_any(filter.kinds.clone()));
    }
    if let Some(actor) = filter.actor {
        q = q.filter(activity_events::actor.eq(actor));
    }
    if let Some((kind, id)) = filter.subject {
        q = q
            .filter(activity_events::subject_kind.eq(kind))
            .filter(activity_events::subject_id.eq(id));
    }
    if let Some(since) = filter.since {
        q = q.filter(activity_events::created_at.ge(since));
    }
    if let Some(until) = filter.until {
        q = q.filter(activity_events::created_at.lt(until));
    }
    if let Some(before) = before {
        q = q.filter(activity_events::id.lt(before));
    }
    q.load(conn).await
}

/// One entry of the business (`None` for another tenant's id).
pub async fn find(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    id: ActivityId,
) -> QueryResult<Option<ActivityRow>> {
    activity_events::table
        .filter(activity_events::business_id.eq(business_id))
        .filter(activity_events::id.eq(id))
        .select(ActivityRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Messages in and out per business created in `[from, until)`: `(business, inbound,
/// outbound)`, only businesses with any. Uses the `(business_id, created_at)` index
/// once per business.
pub async fn message_counts(
    conn: &mut AsyncMysqlConnection,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<(BusinessId, i64, i64)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Unsigned<diesel::sql_types::BigInt>)]
        business_id: u64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        inbound: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        outbound: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT b.id AS business_id, \
                CAST(COALESCE(SUM(m.direction = 'inbound'), 0) AS SIGNED) AS inbound, \
                CAST(COALESCE(SUM(m.direction = 'outbound'), 0) AS SIGNED) AS outbound \
         FROM businesses b \
         JOIN messages m ON m.business_id = b.id AND m.created_at >= ? AND m.created_at < ? \
         GROUP BY b.id",
    )
    .bind::<diesel::sql_types::Datetime, _>(from)
    .bind::<diesel::sql_types::Datetime, _>(until)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (BusinessId(r.business_id), r.inbound, r.outbound))
        .collect())
}
