//! Owner approval for out-of-policy deals.
//!
//! With the business's rule on, a customer who asks below a product's bargaining floor,
//! or for a discount on a bulk quantity (at least the business's threshold), is not
//! refused outright: the AI's `make_counter_offer` tool records a **pending** request
//! ([`request`]) and tells the model to say the shop will check. The owner sees it live
//! (dashboard and `dealApprovalChanged`) and either
//!
//! - **approves** a price ([`approve`]), never below the product's hard minimum (the
//!   customer's ask unless the owner names another), or
//! - **declines** ([`decline`]): the customer is offered the floor.
//!
//! A request nobody decides before its expiry falls back to the floor. Either way the
//! customer is answered once, in the AI's voice, through the one sender, by a job on
//! the job runner ([`run_job`]): the request's own job (due at its expiry) or the one
//! a decision enqueues, whichever claims the answer first (a conditional update).
//! The answer is not sent when the customer is blacklisted, a person took the chat
//! over, or the 24-hour window closed; the reason is stored and shown.
//!
//! What was decided also binds the AI afterwards: [`answers_in_chat`] feeds the
//! approved price (or the floor, final) into the chat's negotiation, so quotes, the
//! output guard and `create_order` all accept the approved price and nothing lower.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel_async::{AsyncConnection, AsyncMysqlConnection};
use serde_json::json;
use shared::{
    ActivityKind, BusinessId, ChatId, DealApprovalId, DealApprovalReason, DealApprovalStatus,
    Money, ProductId,
};

use crate::activity::{self, Actor, Entry, Subject};
use crate::app::{App, AppState};
use crate::auth::Caller;
use crate::db::deal_approvals::{self as model, DealApproval, NewDealApproval, Settings};
use crate::db::jobs::{self, JobKind, NewJob};
use crate::db::products::{self, Product};
use crate::error::{AppError, AppResult};
use crate::events::{DomainEvent, EventKind};

mod answer;

pub use answer::{answer_text, run_job};

/// Shortest time before an undecided request falls back to the floor.
pub const MIN_EXPIRY_MINUTES: i32 = 5;
/// Longest (a week).
pub const MAX_EXPIRY_MINUTES: i32 = 7 * 24 * 60;
/// Longest note with a decision.
pub const MAX_NOTE_CHARS: usize = 500;
/// Runs of an answer job before it gives up.
const MAX_ATTEMPTS: i32 = 5;

/// The business's approval rule.
pub async fn settings(app: &App, caller: &Caller) -> AppResult<Settings> {
    let mut conn = app.db().await?;
    Ok(model::settings(&mut conn, caller.business_id).await?)
}

/// Changes to the rule; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct SettingsChange {
    /// On or off.
    pub enabled: Option<bool>,
    /// The bulk threshold; `Some(None)` removes it.
    pub bulk_quantity: Option<Option<i32>>,
    /// Minutes before an undecided request falls back to the floor.
    pub expiry_minutes: Option<i32>,
}

/// Changes the business's approval rule (owner and staff), logged.
pub async fn update_settings(
    app: &App,
    caller: &Caller,
    change: SettingsChange,
) -> AppResult<Settings> {
    if let Some(Some(q)) = change.bulk_quantity
        && !(2..=1_000_000).contains(&q)
    {
        return Err(AppError::invalid(
            "bulkQuantity",
            "must be between 2 and 1,000,000 units",
        ));
    }
    if let Some(m) = change.expiry_minutes
        && !(MIN_EXPIRY_MINUTES..=MAX_EXPIRY_MINUTES).contains(&m)
    {
        return Err(AppError::invalid(
            "expiryMinutes",
            format!("must be between {MIN_EXPIRY_MINUTES} minutes and 7 days"),
        ));
    }
    let mut conn = app.db().await?;
    let before = model::settings(&mut conn, caller.business_id).await?;
    let after = Settings {
        enabled: change.enabled.unwrap_or(before.enabled),
        bulk_quantity: change.bulk_quantity.unwrap_or(before.bulk_quantity),
        expiry_minutes: change.expiry_minutes.unwrap_or(before.expiry_minutes),
    };
    if after != before {
        model::save_settings(&mut conn, caller.business_id, after).await?;
        caller
            .record_business_change(
                &mut conn,
                &app.events,
                ActivityKind::SettingsChanged,
                "Deal approval rule changed",
                json!({
                    "fields": ["dealApprovals"],
                    "enabled": after.enabled,
                    "bulk_quantity": after.bulk_quantity,
                    "expiry_minutes": after.expiry_minutes,
                }),
            )
            .await;
    }
    Ok(after)
}

/// Where the owner's word on a product stands in a chat, as the AI's tools see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Nobody was asked.
    None,
    /// The owner was asked and has not answered yet.
    Pending,
    /// The owner approved this unit price.
    Approved(i64),
    /// The owner declined, or nobody answered in time: the floor is final.
    FloorIsFinal,
}

impl Standing {
    fn of(approval: Option<&DealApproval>) -> Standing {
        match approval.map(|a| (a.status, a.approved_minor)) {
            None => Standing::None,
            Some((DealApprovalStatus::Pending, _)) => Standing::Pending,
            Some((DealApprovalStatus::Approved, Some(price))) => Standing::Approved(price),
            Some(_) => Standing::FloorIsFinal,
        }
    }
}

/// The owner's word on `product` in `chat` (the latest request about it).
pub async fn standing(
    conn: &mut AsyncMysqlConnection,
    chat_id: ChatId,
    product_id: ProductId,
) -> AppResult<Standing> {
    let latest = model::latest_for(conn, chat_id, product_id).await?;
    Ok(Standing::of(latest.as_ref()))
}

/// A decided request, as the chat's negotiation takes it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// The product.
    pub product_id: ProductId,
    /// The approved unit price, or `None` when the floor is final.
    pub approved_minor: Option<i64>,
    /// The floor when asked.
    pub floor_minor: i64,
}

/// The owner's decisions in a chat, the latest per product.
pub async fn answers_in_chat(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    chat_id: ChatId,
) -> AppResult<Vec<Answer>> {
    let rows = model::list(conn, business_id, &[], Some(chat_id), None, 200).await?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|r| seen.insert(r.product_id))
        .filter(|r| r.status != DealApprovalStatus::Pending)
        .map(|r| Answer {
            product_id: r.product_id,
            approved_minor: (r.status == DealApprovalStatus::Approved)
                .then_some(r.approved_minor)
                .flatten(),
            floor_minor: r.floor_minor,
        })
        .collect())
}

/// Whether an ask needs the owner: below the floor, or a discount on a bulk quantity.
pub fn needs_owner(
    settings: &Settings,
    p: &Product,
    quantity: i64,
    ask_minor: i64,
    accepted: bool,
) -> Option<DealApprovalReason> {
    if !settings.enabled || accepted {
        return None;
    }
    if ask_minor < p.bargain_floor_minor {
        return Some(DealApprovalReason::BelowFloor);
    }
    settings
        .bulk_quantity
        .filter(|threshold| quantity >= i64::from(*threshold))
        .map(|_| DealApprovalReason::Bulk)
}

/// What a request is about (the AI's tool fills it in).
#[derive(Debug, Clone)]
pub struct Ask<'a> {
    /// Tenant.
    pub business_id: BusinessId,
    /// The chat.
    pub chat_id: ChatId,
    /// The product.
    pub product: &'a Product,
    /// Units.
    pub quantity: i64,
    /// The customer's ask per unit.
    pub ask_minor: i64,
    /// Our standing offer.
    pub offered_minor: i64,
    /// Why the owner is asked.
    pub reason: DealApprovalReason,
}

/// Records a pending request, its expiry job and its activity entry in one
/// transaction, and tells subscribers.
pub async fn request(app: &App, ask: Ask<'_>, settings: &Settings) -> AppResult<DealApprovalId> {
    let p = ask.product;
    let expires_at = Utc::now().naive_utc() + Duration::minutes(i64::from(settings.expiry_minutes));
    let new = NewDealApproval {
        business_id: ask.business_id,
        chat_id: ask.chat_id,
        product_id: p.id,
        product_name: p.name.clone(),
        quantity: i32::try_from(ask.quantity).unwrap_or(i32::MAX),
        reason: ask.reason,
        currency: p.currency.code().to_string(),
        customer_ask_minor: ask.ask_minor,
        floor_minor: p.bargain_floor_minor,
        offered_minor: ask.offered_minor,
        expires_at,
    };
    let summary = format!(
        "A customer asks {} for {} x {}: your approval is needed",
        p.money(ask.ask_minor),
        new.quantity,
        p.name
    );
    let mut conn = app.db().await?;
    let (id, entry) = conn
        .transaction(async |conn| {
            let id = model::insert(conn, &new).await?;
            jobs::enqueue(conn, &[answer_job(ask.business_id, id, expires_at)]).await?;
            let entry = activity::append(
                conn,
                ask.business_id,
                &Actor::ai(),
                Entry::new(
                    ActivityKind::DealApprovalRequested,
                    Some(Subject::chat(ask.chat_id)),
                    summary,
                )
                .details(json!({
                    "deal_approval_id": id.0,
                    "chat_id": ask.chat_id.0,
                    "product_id": p.id.0,
                    "quantity": new.quantity,
                    "reason": ask.reason.as_str(),
                    "customer_ask": p.money(ask.ask_minor).to_input(),
                    "floor": p.money(p.bargain_floor_minor).to_input(),
                })),
            )
            .await?;
            Ok::<_, diesel::result::Error>((id, entry))
        })
        .await?;
    announce(app, ask.business_id, id, Some(entry));
    Ok(id)
}

/// The job that answers the customer: due at `run_at` (the expiry, or now after a
/// decision). One per request and moment; the answer itself is claimed once.
fn answer_job(business_id: BusinessId, id: DealApprovalId, run_at: NaiveDateTime) -> NewJob {
    NewJob {
        business_id: Some(business_id),
        kind: JobKind::DealApproval,
        dedupe_key: Some(format!(
            "{}:{}:{}",
            JobKind::DealApproval.as_str(),
            id.0,
            run_at.and_utc().timestamp_millis()
        )),
        payload: json!({ "deal_approval_id": id.0 }).to_string(),
        run_at,
        max_attempts: MAX_ATTEMPTS,
    }
}

fn announce(
    app: &App,
    business_id: BusinessId,
    id: DealApprovalId,
    entry: Option<shared::ActivityId>,
) {
    app.events.publish(DomainEvent {
        business_id,
        kind: EventKind::DealApprovalChanged {
            deal_approval_id: id.0,
        },
    });
    if let Some(entry) = entry {
        app.events.publish(DomainEvent {
            business_id,
            kind: EventKind::ActivityAdded {
                activity_id: entry.0,
            },
        });
    }
}

/// One request of the caller's business.
pub async fn find(app: &App, caller: &Caller, id: DealApprovalId) -> AppResult<DealApproval> {
    let mut conn = app.db().await?;
    model::find(&mut conn, caller.business_id, id)
        .await?
        .ok_or(AppError::NotFound("deal approval"))
}

fn clean_note(note: Option<String>) -> AppResult<Option<String>> {
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        return Err(AppError::invalid(
            "note",
            format!("at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    Ok(note)
}

fn not_pending(status: DealApprovalStatus) -> AppError {
    AppError::invalid(
        "id",
        format!("this request is {status}: only a pending request can be decided"),
    )
}

/// Approves a pending request at `price_minor` (the customer's ask when `None`); never
/// below the product's hard minimum, never above its list price. The customer is
/// answered by the job runner right away.
pub async fn approve(
    app: &AppState,
    caller: &Caller,
    id: DealApprovalId,
    price_minor: Option<i64>,
    note: Option<String>,
) -> AppResult<DealApproval> {
    let note = clean_note(note)?;
    let found = find(app, caller, id).await?;
    if found.status != DealApprovalStatus::Pending {
        return Err(not_pending(found.status));
    }
    let mut conn = app.db().await?;
    let product = products::find(&mut conn, caller.business_id.0, found.product_id)
        .await?
        .ok_or(AppError::NotFound("product"))?;
    let price = price_minor.unwrap_or(found.customer_ask_minor);
    if price <= 0 {
        return Err(AppError::invalid("price", "must be above zero"));
    }
    if let Some(min) = product.hard_minimum_minor
        && price < min
    {
        return Err(AppError::invalid(
            "price",
            format!(
                "{} is below the hard minimum of {} you set for {}",
                product.money(price),
                product.money(min),
                product.name
            ),
        ));
    }
    if price > product.price_minor {
        return Err(AppError::invalid(
            "price",
            format!(
                "must not be above the list price ({})",
                product.money(product.price_minor)
            ),
        ));
    }
    let summary = format!(
        "Deal approved: {} at {} each",
        found.product_name,
        product.money(price)
    );
    let decided = decide(
        app,
        caller,
        &found,
        DealApprovalStatus::Approved,
        Some(price),
        note,
        ActivityKind::DealApproved,
        summary,
    )
    .await?;
    Ok(decided)
}

/// Declines a pending request: the customer is offered the floor.
pub async fn decline(
    app: &AppState,
    caller: &Caller,
    id: DealApprovalId,
    note: Option<String>,
) -> AppResult<DealApproval> {
    let note = clean_note(note)?;
    let found = find(app, caller, id).await?;
    if found.status != DealApprovalStatus::Pending {
        return Err(not_pending(found.status));
    }
    let summary = format!("Deal declined: {}", found.product_name);
    decide(
        app,
        caller,
        &found,
        DealApprovalStatus::Declined,
        None,
        note,
        ActivityKind::DealDeclined,
        summary,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn decide(
    app: &AppState,
    caller: &Caller,
    found: &DealApproval,
    status: DealApprovalStatus,
    price_minor: Option<i64>,
    note: Option<String>,
    kind: ActivityKind,
    summary: String,
) -> AppResult<DealApproval> {
    let now = Utc::now().naive_utc();
    let mut conn = app.db().await?;
    let currency = shared::Currency::parse(&found.currency);
    let price_text = price_minor
        .zip(currency)
        .map(|(p, c)| Money::new(p, c).to_input());
    let decided_by = caller.actor.name.clone();
    let outcome = conn
        .transaction(async |conn| {
            if !model::decide(
                conn,
                found.id,
                status,
                price_minor,
                decided_by.as_deref(),
                note.as_deref(),
                now,
            )
            .await?
            {
                return Ok(None);
            }
            jobs::enqueue(conn, &[answer_job(found.business_id, found.id, now)]).await?;
            let entry = activity::append(
                conn,
                found.business_id,
                &caller.actor,
                Entry::new(kind, Some(Subject::chat(found.chat_id)), summary).details(json!({
                    "deal_approval_id": found.id.0,
                    "chat_id": found.chat_id.0,
                    "product_id": found.product_id.0,
                    "price": price_text,
                    "note": note,
                })),
            )
            .await?;
            Ok::<_, diesel::result::Error>(Some(entry))
        })
        .await?;
    let Some(entry) = outcome else {
        let now = model::find(&mut conn, caller.business_id, found.id)
            .await?
            .map_or(found.status, |a| a.status);
        return Err(not_pending(now));
    };
    announce(app, found.business_id, found.id, Some(entry));
    model::find(&mut conn, caller.business_id, found.id)
        .await?
        .ok_or(AppError::NotFound("deal approval"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::tests::dress;

    const ON: Settings = Settings {
        enabled: true,
        bulk_quantity: Some(5),
        expiry_minutes: 120,
    };

    #[test]
    fn the_owner_is_asked_below_the_floor_and_for_bulk_discounts_only_when_on() {
        let p = dress();
        assert_eq!(
            needs_owner(&ON, &p, 1, 1_500_000, false),
            Some(DealApprovalReason::BelowFloor)
        );
        assert_eq!(needs_owner(&ON, &p, 1, 2_000_000, false), None);
        assert_eq!(
            needs_owner(&ON, &p, 5, 2_000_000, false),
            Some(DealApprovalReason::Bulk)
        );
        assert_eq!(
            needs_owner(&ON, &p, 5, 2_000_000, true),
            None,
            "accepted: no need"
        );
        let off = Settings {
            enabled: false,
            ..ON
        };
        assert_eq!(needs_owner(&off, &p, 5, 1_000_000, false), None);
    }
}
