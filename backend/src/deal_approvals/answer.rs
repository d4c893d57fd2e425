//! Answering the customer once a request is settled: the `deal_approval` job that
//! expires an undecided request when it is due, claims the answer, and sends it in the
//! AI salesperson's voice (unless the customer is blacklisted, a person took the chat
//! over or the 24-hour window closed).

use chrono::Utc;
use diesel_async::AsyncConnection;
use serde::Deserialize;
use serde_json::json;
use shared::{ActivityKind, DealApprovalId, DealApprovalStatus, Money, SentBy};

use super::announce;
use crate::activity::{self, Actor, Entry, Subject};
use crate::app::AppState;
use crate::db::agent as agent_db;
use crate::db::deal_approvals::{self as model, DealApproval};
use crate::db::jobs::{Job, Outcome};
use crate::error::{AppError, AppResult};

#[derive(Deserialize)]
struct Payload {
    deal_approval_id: u64,
}

/// Runs a claimed `deal_approval` job: expires the request when it is due and still
/// undecided, then answers the customer once.
pub async fn run_job(app: &AppState, job: &Job) -> Outcome {
    match try_run(app, job).await {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Retry(e.message()),
    }
}

async fn try_run(app: &AppState, job: &Job) -> AppResult<Outcome> {
    let Ok(Payload { deal_approval_id }) = serde_json::from_str(&job.spec.payload) else {
        return Ok(Outcome::Done(Some("unreadable payload".into())));
    };
    let id = DealApprovalId(deal_approval_id);
    let mut conn = app.db().await?;
    let Some(mut approval) = model::find_any(&mut conn, id).await? else {
        return Ok(Outcome::Done(Some("the request no longer exists".into())));
    };
    let now = Utc::now().naive_utc();
    if approval.status == DealApprovalStatus::Pending {
        if now < approval.expires_at {
            return Ok(Outcome::RetryAt(approval.expires_at, "not due yet".into()));
        }
        let expired = conn
            .transaction(async |conn| {
                if !model::decide(conn, id, DealApprovalStatus::Expired, None, None, None, now)
                    .await?
                {
                    return Ok(None);
                }
                let entry = activity::append(
                    conn,
                    approval.business_id,
                    &Actor::system(),
                    Entry::new(
                        ActivityKind::DealApprovalExpired,
                        Some(Subject::chat(approval.chat_id)),
                        format!(
                            "Nobody decided on a deal for {} in time: the floor was offered",
                            approval.product_name
                        ),
                    )
                    .details(json!({
                        "deal_approval_id": id.0,
                        "chat_id": approval.chat_id.0,
                    })),
                )
                .await?;
                Ok::<_, diesel::result::Error>(Some(entry))
            })
            .await?;
        if let Some(entry) = expired {
            announce(app, approval.business_id, id, Some(entry));
        }
        approval = model::find_any(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound("deal approval"))?;
    }
    if !model::claim_answer(&mut conn, id, now).await? {
        return Ok(Outcome::Done(Some("already answered".into())));
    }
    drop(conn);
    match answer(app, &approval).await {
        Ok(Ok(message_id)) => {
            let mut conn = app.db().await?;
            model::record_answer(&mut conn, id, Some(message_id), None).await?;
            announce(app, approval.business_id, id, None);
            Ok(Outcome::Done(None))
        }
        Ok(Err(reason)) => {
            let mut conn = app.db().await?;
            model::record_answer(&mut conn, id, None, Some(&reason)).await?;
            announce(app, approval.business_id, id, None);
            Ok(Outcome::Done(Some(reason)))
        }
        Err(e) => {
            let mut conn = app.db().await?;
            model::release_answer(&mut conn, id).await?;
            Ok(Outcome::Retry(e.message()))
        }
    }
}

/// Sends the decision to the customer: `Ok(Ok(message id))`, `Ok(Err(why not))` when
/// it must not or cannot be sent, `Err` for a failure worth retrying.
async fn answer(app: &AppState, approval: &DealApproval) -> AppResult<Result<u64, String>> {
    let mut conn = app.db().await?;
    let Some((chat, contact)) = agent_db::chat_with_contact(&mut conn, approval.chat_id).await?
    else {
        return Ok(Err("the chat no longer exists".into()));
    };
    let business_id = approval.business_id;
    if crate::blacklist::is_blocked(&mut conn, business_id, &contact).await? {
        return Ok(Err("not sent: the customer is blacklisted".into()));
    }
    if chat.ai_stands_back(chrono::Utc::now().naive_utc()) {
        return Ok(Err(
            "not sent: a person took the chat over (tell the customer yourself)".into(),
        ));
    }
    let open = chat.last_inbound_at.is_some_and(|t| {
        shared::window::window_open(Some(t.and_utc().timestamp()), Utc::now().timestamp())
    });
    if !open {
        return Ok(Err("not sent: the 24-hour window has closed".into()));
    }
    let Some(profile) = agent_db::profile(&mut conn, business_id).await? else {
        return Ok(Err("the business no longer exists".into()));
    };
    drop(conn);
    let text = answer_text(&profile.name, approval);
    match crate::sender::send_text(app, business_id, chat.id, &text, SentBy::Ai).await {
        Ok(message) => Ok(Ok(message.id)),
        Err(e @ (AppError::Internal(_) | AppError::Unavailable)) => Err(e),
        Err(e) => Ok(Err(format!("not sent: {}", e.message()))),
    }
}

/// The customer's answer, in the AI salesperson's voice.
pub fn answer_text(business_name: &str, a: &DealApproval) -> String {
    let money = |minor: i64| {
        shared::Currency::parse(&a.currency)
            .map_or_else(|| minor.to_string(), |c| Money::new(minor, c).to_string())
    };
    let product = &a.product_name;
    match (a.status, a.approved_minor) {
        (DealApprovalStatus::Approved, Some(price)) => {
            let what = if a.quantity > 1 {
                format!(
                    "{} x {product} at {} each ({} in all)",
                    a.quantity,
                    money(price),
                    money(price.saturating_mul(i64::from(a.quantity)))
                )
            } else {
                format!("the {product} for {}", money(price))
            };
            format!(
                "Good news! {business_name} approved your price: {what}. Shall I place the order? Tell me the color and where to deliver it."
            )
        }
        (DealApprovalStatus::Declined, _) => format!(
            "I checked with {business_name}: sorry, we can't go that low on the {product}. Our best price is {}. Shall I reserve it for you?",
            money(a.floor_minor)
        ),
        _ => format!(
            "Sorry for the wait! I couldn't get a lower price on the {product} approved, so our best price is {}. Shall I reserve it for you?",
            money(a.floor_minor)
        ),
    }
}
