//! Deal approvals' SQL: ask, list (newest first, keyset by id), load, and the
//! conditional moves the approval flow relies on (a decision happens only while the
//! request is pending; the customer is answered once, by whoever claims the answer).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use shared::{
    BusinessId, ChatId, DealApprovalId, DealApprovalReason, DealApprovalStatus, ProductId,
};

use super::schema::{businesses, deal_approvals};

/// One request for the owner's approval, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = deal_approvals, check_for_backend(diesel::mysql::Mysql))]
pub struct DealApproval {
    /// Id.
    pub id: DealApprovalId,
    /// Tenant.
    pub business_id: BusinessId,
    /// The chat the customer asked in.
    pub chat_id: ChatId,
    /// The product asked about.
    pub product_id: ProductId,
    /// Its name when asked.
    pub product_name: String,
    /// Units asked for.
    pub quantity: i32,
    /// Why the owner is asked.
    pub reason: DealApprovalReason,
    /// Currency of the amounts.
    pub currency: String,
    /// The customer's ask per unit (minor units).
    pub customer_ask_minor: i64,
    /// The bargaining floor when asked.
    pub floor_minor: i64,
    /// Our standing offer when asked.
    pub offered_minor: i64,
    /// Where it stands.
    pub status: DealApprovalStatus,
    /// The price the owner approved.
    pub approved_minor: Option<i64>,
    /// The person or token that decided.
    pub decided_by: Option<String>,
    /// The owner's note with the decision.
    pub decision_note: Option<String>,
    /// When it was decided (or expired).
    pub decided_at: Option<NaiveDateTime>,
    /// When it falls back to the floor if nobody decides.
    pub expires_at: NaiveDateTime,
    /// When the customer was answered (or the answer was given up).
    pub answered_at: Option<NaiveDateTime>,
    /// The message that answered the customer.
    pub answer_message_id: Option<u64>,
    /// Why the customer could not be answered.
    pub answer_error: Option<String>,
    /// Asked at.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// A request to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = deal_approvals)]
pub struct NewDealApproval {
    /// Tenant.
    pub business_id: BusinessId,
    /// The chat.
    pub chat_id: ChatId,
    /// The product.
    pub product_id: ProductId,
    /// Its name.
    pub product_name: String,
    /// Units asked for.
    pub quantity: i32,
    /// Why.
    pub reason: DealApprovalReason,
    /// Currency.
    pub currency: String,
    /// The customer's ask per unit.
    pub customer_ask_minor: i64,
    /// The floor.
    pub floor_minor: i64,
    /// Our standing offer.
    pub offered_minor: i64,
    /// When it falls back to the floor.
    pub expires_at: NaiveDateTime,
}

/// The business's approval rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct Settings {
    /// Whether out-of-policy asks go to the owner (otherwise the floor is final).
    pub enabled: bool,
    /// Asks for at least this many units go to the owner too.
    pub bulk_quantity: Option<i32>,
    /// Minutes before an undecided request falls back to the floor.
    pub expiry_minutes: i32,
}

/// Stores a request; returns its id.
pub async fn insert(
    conn: &mut AsyncMysqlConnection,
    new: &NewDealApproval,
) -> QueryResult<DealApprovalId> {
    diesel::insert_into(deal_approvals::table)
        .values(new)
        .execute(conn)
        .await?;
    diesel::select(super::tenants::last_insert_id())
        .get_result::<u64>(conn)
        .await
        .map(DealApprovalId)
}

/// One request of the business (`None` for another tenant's id).
pub async fn find(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    id: DealApprovalId,
) -> QueryResult<Option<DealApproval>> {
    deal_approvals::table
        .filter(deal_approvals::business_id.eq(business_id))
        .filter(deal_approvals::id.eq(id))
        .select(DealApproval::as_select())
        .first(conn)
        .await
        .optional()
}

/// One request by id alone (the worker, whose job names it).
pub async fn find_any(
    conn: &mut AsyncMysqlConnection,
    id: DealApprovalId,
) -> QueryResult<Option<DealApproval>> {
    deal_approvals::table
        .filter(deal_approvals::id.eq(id))
        .select(DealApproval::as_select())
        .first(conn)
        .await
        .optional()
}

/// The latest request in a chat about a product.
pub async fn latest_for(
    conn: &mut AsyncMysqlConnection,
    chat_id: ChatId,
    product_id: ProductId,
) -> QueryResult<Option<DealApproval>> {
    deal_approvals::table
        .filter(deal_approvals::chat_id.eq(chat_id))
        .filter(deal_approvals::product_id.eq(product_id))
        .order(deal_approvals::id.desc())
        .select(DealApproval::as_select())
        .first(conn)
        .await
        .optional()
}

/// A page of the business's requests, newest first; only these statuses and one chat
/// when given.
pub async fn list(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    statuses: &[DealApprovalStatus],
    chat_id: Option<ChatId>,
    before: Option<DealApprovalId>,
    limit: i64,
) -> QueryResult<Vec<DealApproval>> {
    let mut query = deal_approvals::table
        .filter(deal_approvals::business_id.eq(business_id))
        .into_boxed();
    if !statuses.is_empty() {
        query = query.filter(deal_approvals::status.eq_any(statuses.to_vec()));
    }
    if let Some(chat) = chat_id {
        query = query.filter(deal_approvals::chat_id.eq(chat));
    }
    if let Some(before) = before {
        query = query.filter(deal_approvals::id.lt(before));
    }
    query
        .order(deal_approvals::id.desc())
        .limit(limit)
        .select(DealApproval::as_select())
        .load(conn)
        .await
}

/// Requests still waiting for the owner.
pub async fn pending_count(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
) -> QueryResult<i64> {
    deal_approvals::table
        .filter(deal_approvals::business_id.eq(business_id))
        .filter(deal_approvals::status.eq(DealApprovalStatus::Pending))
        .count()
        .get_result(conn)
        .await
}

/// Decides a pending request; `false` when it was no longer pending (decided by
/// someone else, or expired).
pub async fn decide(
    conn: &mut AsyncMysqlConnection,
    id: DealApprovalId,
    status: DealApprovalStatus,
    approved_minor: Option<i64>,
    decided_by: Option<&str>,
    note: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let moved = diesel::update(
        deal_approvals::table
            .filter(deal_approvals::id.eq(id))
            .filter(deal_approvals::status.eq(DealApprovalStatus::Pending)),
    )
    .set((
        deal_approvals::status.eq(status),
        deal_approvals::approved_minor.eq(approved_minor),
        deal_approvals::decided_by.eq(decided_by),
        deal_approvals::decision_note.eq(note),
        deal_approvals::decided_at.eq(now),
        deal_approvals::updated_at.eq(now),
    ))
    .execute(conn)
    .await?;
    Ok(moved == 1)
}

/// Claims the answer to the customer of a decided request; `false` when someone else
/// already answered (or is answering).
pub async fn claim_answer(
    conn: &mut AsyncMysqlConnection,
    id: DealApprovalId,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let claimed = diesel::update(
        deal_approvals::table
            .filter(deal_approvals::id.eq(id))
            .filter(deal_approvals::status.ne(DealApprovalStatus::Pending))
            .filter(deal_approvals::answered_at.is_null()),
    )
    .set((
        deal_approvals::answered_at.eq(now),
        deal_approvals::updated_at.eq(now),
    ))
    .execute(conn)
    .await?;
    Ok(claimed == 1)
}

/// Gives a claimed answer back (the send failed and will be retried).
pub async fn release_answer(
    conn: &mut AsyncMysqlConnection,
    id: DealApprovalId,
) -> QueryResult<()> {
    diesel::update(deal_approvals::table.filter(deal_approvals::id.eq(id)))
        .set(deal_approvals::answered_at.eq(None::<NaiveDateTime>))
        .execute(conn)
        .await
        .map(drop)
}

/// Records how the customer was answered: the message, or why not.
pub async fn record_answer(
    conn: &mut AsyncMysqlConnection,
    id: DealApprovalId,
    message_id: Option<u64>,
    error: Option<&str>,
) -> QueryResult<()> {
    diesel::update(deal_approvals::table.filter(deal_approvals::id.eq(id)))
        .set((
            deal_approvals::answer_message_id.eq(message_id),
            deal_approvals::answer_error.eq(error),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The business's approval rule.
pub async fn settings(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
) -> QueryResult<Settings> {
    businesses::table
        .filter(businesses::id.eq(business_id.0))
        .select((
            businesses::deal_approvals_enabled,
            businesses::deal_approval_bulk_quantity,
            businesses::deal_approval_expiry_minutes,
        ))
        .first(conn)
        .await
}

/// Saves the business's approval rule.
pub async fn save_settings(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    settings: Settings,
) -> QueryResult<()> {
    diesel::update(businesses::table.filter(businesses::id.eq(business_id.0)))
        .set((
            businesses::deal_approvals_enabled.eq(settings.enabled),
            businesses::deal_approval_bulk_quantity.eq(settings.bulk_quantity),
            businesses::deal_approval_expiry_minutes.eq(settings.expiry_minutes),
        ))
        .execute(conn)
        .await
        .map(drop)
}
