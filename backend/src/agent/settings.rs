//! The owner's side of the AI: its own Anthropic key (stored encrypted, shown masked),
//! the daily token budget, usage, the last provider error, and the "try it" console
//! (a dry run against the real catalog: nothing sent, nothing written).

use chrono::{Days, NaiveDate, NaiveDateTime, Utc};
use serde_json::json;
use shared::ActivityKind;

use super::prompt::Turn;
use super::{Conversation, Mode, Reply, compose};
use crate::app::App;
use crate::auth::Caller;
use crate::crypto;
use crate::db::agent::{self as agent_db, UsageDay};
use crate::error::{AppError, AppResult};

/// Longest accepted key.
const MAX_KEY_LEN: usize = 512;
/// Longest "try it" message.
const MAX_PREVIEW_CHARS: usize = 2000;
/// Most history turns in the console.
const MAX_PREVIEW_TURNS: usize = 20;

/// What the settings page shows.
#[derive(Debug, Clone)]
pub struct AiSettingsView {
    /// Masked hint of the business's own key.
    pub key_hint: Option<String>,
    /// Whether the server has a key of its own (used when the business has none).
    pub server_key_configured: bool,
    /// Daily token budget.
    pub daily_token_budget: Option<i64>,
    /// The budget that applies today (see [`super::daily_budget`]).
    pub effective_daily_token_budget: Option<i64>,
    /// Today's usage (zeros when none).
    pub today: UsageDay,
    /// The last 7 days, oldest first, every day present.
    pub last_7_days: Vec<UsageDay>,
    /// Last provider error.
    pub last_error: Option<String>,
    /// When.
    pub last_error_at: Option<NaiveDateTime>,
}

fn empty_day(day: NaiveDate) -> UsageDay {
    UsageDay {
        day,
        input_tokens: 0,
        output_tokens: 0,
        requests: 0,
    }
}

/// The settings of the caller's business.
pub async fn view(app: &App, caller: &Caller) -> AppResult<AiSettingsView> {
    let mut conn = app.db().await?;
    let profile = agent_db::profile(&mut conn, caller.business_id)
        .await?
        .ok_or(AppError::NotFound("business"))?;
    let today = Utc::now().date_naive();
    let since = today.checked_sub_days(Days::new(6)).unwrap_or(today);
    let rows = agent_db::usage_since(&mut conn, profile.id, since).await?;
    let last_7_days: Vec<UsageDay> = since
        .iter_days()
        .take_while(|d| *d <= today)
        .map(|d| {
            rows.iter()
                .find(|r| r.day == d)
                .copied()
                .unwrap_or_else(|| empty_day(d))
        })
        .collect();
    let effective_daily_token_budget = super::daily_budget(app, &profile);
    Ok(AiSettingsView {
        key_hint: profile.anthropic_key_hint,
        server_key_configured: app.config.anthropic_api_key.is_some(),
        daily_token_budget: profile.ai_daily_token_budget,
        effective_daily_token_budget,
        today: last_7_days
            .last()
            .copied()
            .unwrap_or_else(|| empty_day(today)),
        last_7_days,
        last_error: profile.ai_last_error,
        last_error_at: profile.ai_last_error_at,
    })
}

/// Stores the business's own key (encrypted); only a masked hint is ever shown.
pub async fn set_key(app: &App, caller: &Caller, key: &str) -> AppResult<AiSettingsView> {
    let key = key.trim();
    if key.len() < 20 || key.len() > MAX_KEY_LEN || key.chars().any(char::is_whitespace) {
        return Err(AppError::invalid(
            "apiKey",
            "does not look like an Anthropic API key",
        ));
    }
    let sealed = crypto::encrypt(
        &app.config.data_key,
        key,
        &crypto::SealedFor::anthropic_key(caller.business_id.0),
    );
    {
        let mut conn = app.db().await?;
        agent_db::set_anthropic_key(
            &mut conn,
            caller.business_id,
            Some((sealed, crypto::mask_secret(key))),
        )
        .await?;
        let summary = "The business's own Anthropic key was set";
        caller
            .record_business_change(
                &mut conn,
                &app.events,
                ActivityKind::AiKeyChanged,
                summary,
                json!({ "set": true }),
            )
            .await;
    }
    view(app, caller).await
}

/// Forgets the business's own key (the server's key is used again, if any).
pub async fn clear_key(app: &App, caller: &Caller) -> AppResult<AiSettingsView> {
    {
        let mut conn = app.db().await?;
        agent_db::set_anthropic_key(&mut conn, caller.business_id, None).await?;
        let summary = "The business's own Anthropic key was removed";
        caller
            .record_business_change(
                &mut conn,
                &app.events,
                ActivityKind::AiKeyChanged,
                summary,
                json!({ "set": false }),
            )
            .await;
    }
    view(app, caller).await
}

/// Sets (or, with `None`, removes) the daily token budget.
pub async fn set_budget(
    app: &App,
    caller: &Caller,
    budget: Option<i64>,
) -> AppResult<AiSettingsView> {
    if budget.is_some_and(|b| !(0..=1_000_000_000_000).contains(&b)) {
        return Err(AppError::invalid(
            "dailyTokenBudget",
            "must be between 0 and 10^12 tokens",
        ));
    }
    {
        let mut conn = app.db().await?;
        agent_db::set_daily_budget(&mut conn, caller.business_id, budget).await?;
        let summary = match budget {
            Some(b) => format!("AI daily budget set to {b} tokens"),
            None => "AI daily budget removed".to_string(),
        };
        let details = json!({ "daily_token_budget": budget });
        caller
            .record_business_change(
                &mut conn,
                &app.events,
                ActivityKind::AiBudgetChanged,
                summary,
                details,
            )
            .await;
    }
    view(app, caller).await
}

/// One turn of the console's history.
#[derive(Debug, Clone)]
pub struct PreviewTurn {
    /// From the customer (else from the business).
    pub from_customer: bool,
    /// Text.
    pub text: String,
}

/// Runs the agent on a made-up conversation against the real catalog, without
/// sending anything or changing stock, orders or chats (tools run dry). Previews cost
/// model tokens like replies: they count in the day's usage and against the daily
/// budget, and a business may run `AI_PREVIEWS_PER_MINUTE` a minute (RATE_LIMITED
/// beyond).
pub async fn preview(
    app: &App,
    caller: &Caller,
    message: &str,
    history: Vec<PreviewTurn>,
) -> AppResult<Reply> {
    let message = message.trim();
    if message.is_empty() || message.chars().count() > MAX_PREVIEW_CHARS {
        return Err(AppError::invalid(
            "message",
            format!("1 to {MAX_PREVIEW_CHARS} characters"),
        ));
    }
    if history.len() > MAX_PREVIEW_TURNS {
        return Err(AppError::invalid(
            "history",
            format!("at most {MAX_PREVIEW_TURNS} turns"),
        ));
    }
    if !app.rate_limits.check_ai_preview(caller.business_id).await {
        let per_minute = app.rate_limits.previews_per_minute();
        return Err(AppError::RateLimited(format!(
            "at most {per_minute} AI previews a minute; try again in a minute"
        )));
    }
    let profile = {
        let mut conn = app.db().await?;
        agent_db::profile(&mut conn, caller.business_id)
            .await?
            .ok_or(AppError::NotFound("business"))?
    };
    let mut turns: Vec<Turn> = history
        .into_iter()
        .map(|t| Turn {
            from_customer: t.from_customer,
            text: t.text.chars().take(MAX_PREVIEW_CHARS).collect(),
        })
        .collect();
    turns.push(Turn {
        from_customer: true,
        text: message.to_string(),
    });
    let conversation = Conversation {
        history: turns,
        ..Conversation::default()
    };
    match compose(app, &profile, &conversation, true, Mode::Auto).await {
        Ok(r) => Ok(r),
        Err(super::ComposeError::Unavailable(_)) => {
            compose(app, &profile, &conversation, true, Mode::BuiltInOnly)
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("{e:?}")))
        }
        Err(e) => Err(AppError::Internal(anyhow::anyhow!("{e:?}"))),
    }
}
