//! The business's follow-up rule ("N hours after a quote or an agreed price with no
//! order, follow up once"): reading and changing it, applying it after each AI reply,
//! and the message it sends.

use chrono::{Duration, Utc};
use serde_json::json;
use shared::{ActivityKind, BusinessId, ChatId, FollowUpSource, FollowUpStatus};

use super::{announce, publish, store};
use crate::activity::Actor;
use crate::app::AppState;
use crate::auth::Caller;
use crate::db::follow_ups::{self as model, NewFollowUp};
use crate::db::jobs;
use crate::error::{AppError, AppResult};

/// Longest text the owner may give the rule.
pub const MAX_RULE_TEXT: usize = 1000;

/// The business's rule: "N hours after a quote or an agreed price with no order,
/// follow up once".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// On or off.
    pub enabled: bool,
    /// Hours after the quote (1 to 23: a text follow-up lands inside the window).
    pub after_hours: i32,
    /// The owner's text (`None`: the default message).
    pub text: Option<String>,
}

/// The business's rule.
pub async fn rule(app: &AppState, business_id: BusinessId) -> AppResult<Rule> {
    let mut conn = app.db().await?;
    let (enabled, after_hours, text) = model::rule(&mut conn, business_id).await?;
    Ok(Rule {
        enabled,
        after_hours,
        text,
    })
}

/// Changes the rule (each `None` leaves a setting as it is; an empty text goes back to
/// the default message) and logs the change.
pub async fn update_rule(
    app: &AppState,
    caller: &Caller,
    enabled: Option<bool>,
    after_hours: Option<i32>,
    text: Option<String>,
) -> AppResult<Rule> {
    if after_hours.is_some_and(|h| !(1..=23).contains(&h)) {
        return Err(AppError::invalid(
            "afterHours",
            "must be 1 to 23 hours (a follow-up as text must land inside the 24-hour window)",
        ));
    }
    let text = text.map(|t| t.trim().to_string());
    if text
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_RULE_TEXT)
    {
        return Err(AppError::invalid(
            "text",
            format!("at most {MAX_RULE_TEXT} characters"),
        ));
    }
    let mut conn = app.db().await?;
    let text = text.map(|t| (!t.is_empty()).then_some(t));
    model::update_rule(&mut conn, caller.business_id, enabled, after_hours, text).await?;
    let (enabled, after_hours, text) = model::rule(&mut conn, caller.business_id).await?;
    let rule = Rule {
        enabled,
        after_hours,
        text,
    };
    let state = if rule.enabled { "on" } else { "off" };
    let summary = format!(
        "Follow-up rule {state}: {} hours after a quote",
        rule.after_hours
    );
    let details = json!({"fields": ["followUpRule"], "enabled": rule.enabled, "after_hours": rule.after_hours});
    caller
        .record_business_change(
            &mut conn,
            &app.events,
            ActivityKind::SettingsChanged,
            summary,
            details,
        )
        .await;
    Ok(rule)
}

/// The price a chat was last quoted or agreed (what the rule's message names).
#[derive(Debug, Clone)]
pub struct Quote {
    /// The product.
    pub product: String,
    /// The price, formatted ("NGN 19,000.00").
    pub price: String,
    /// The customer's first name, if known.
    pub first_name: Option<String>,
}

/// The business's rule, after the AI answered a chat: when the chat holds a quote or an
/// agreed price (`quote`) and no order was recorded (`ordered`), one follow-up is due N
/// hours later (a later quote moves it); an order cancels it. Never fails the reply it
/// follows.
pub async fn after_ai_reply(
    app: &AppState,
    business_id: BusinessId,
    chat_id: ChatId,
    quote: Option<Quote>,
    ordered: bool,
) {
    if let Err(e) = apply_rule(app, business_id, chat_id, quote, ordered).await {
        tracing::warn!(%business_id, chat_id = chat_id.0, error = %e.message(), "follow-up rule failed");
    }
}

async fn apply_rule(
    app: &AppState,
    business_id: BusinessId,
    chat_id: ChatId,
    quote: Option<Quote>,
    ordered: bool,
) -> AppResult<()> {
    let mut conn = app.db().await?;
    let existing = model::scheduled_rule_follow_up(&mut conn, chat_id).await?;
    if ordered {
        if let Some(f) = existing
            && model::move_status(
                &mut conn,
                f.id,
                &[FollowUpStatus::Scheduled],
                FollowUpStatus::Cancelled,
                Some("the customer ordered"),
                None,
            )
            .await?
        {
            jobs::delete_by_key(&mut conn, &jobs::follow_up_key(f.id.0)).await?;
            publish(app, business_id, f.id);
        }
        return Ok(());
    }
    let Some(quote) = quote else {
        return Ok(());
    };
    let (enabled, hours, own_text) = model::rule(&mut conn, business_id).await?;
    if !enabled {
        return Ok(());
    }
    let text = rule_text(
        own_text.as_deref(),
        quote.first_name.as_deref(),
        &quote.product,
        &quote.price,
    );
    let due_at = Utc::now().naive_utc() + Duration::hours(i64::from(hours.max(1)));
    if let Some(f) = existing {
        if model::reschedule(&mut conn, f.id, due_at, &text).await? {
            jobs::reschedule_by_key(&mut conn, &jobs::follow_up_key(f.id.0), due_at, "").await?;
            publish(app, business_id, f.id);
        }
        return Ok(());
    }
    let new = NewFollowUp {
        business_id,
        chat_id,
        due_at,
        body: Some(text),
        template_name: None,
        template_language: None,
        template_params: None,
        source: FollowUpSource::Rule,
        created_by: None,
    };
    let (id, entry) = store(&mut conn, &new, &Actor::system()).await?;
    announce(app, business_id, id, entry);
    Ok(())
}

/// The rule's message: the owner's text (with `{name}`, `{product}` and `{price}`
/// filled in) or a friendly default.
pub fn rule_text(own: Option<&str>, name: Option<&str>, product: &str, price: &str) -> String {
    let own = own.map(str::trim).filter(|t| !t.is_empty());
    let template = own.unwrap_or(
        "Hi {name}! Just checking in about the {product}: it is still available at {price}. Shall I put one aside for you?",
    );
    let greeting_name = name.unwrap_or("there");
    template
        .replace("{name}", greeting_name)
        .replace("{product}", product)
        .replace("{price}", price)
}
