//! The AI provider as one business sees it: which key it answers on (its own, else the
//! server's), the tokens it may spend today, the Messages API client, and recording a
//! provider failure for the owner.

use secrecy::SecretString;
use serde_json::json;
use shared::{ActivityKind, BusinessId};

use crate::activity::{self, Actor, Entry, Subject};
use crate::anthropic::{MessagesClient, RetryPolicy};
use crate::app::App;
use crate::db::agent::{self as agent_db, AiProfile};

/// The business's own key, when it set one (and it decrypts).
fn own_key(app: &App, profile: &AiProfile) -> Option<SecretString> {
    profile
        .anthropic_key_enc
        .as_deref()
        .and_then(|enc| {
            let owner = crate::crypto::SealedFor::anthropic_key(profile.id.0);
            crate::crypto::decrypt(&app.config.data_keys(), enc, &owner)
        })
        .map(|opened| SecretString::from(opened.plaintext))
}

/// The Messages API client with the configured base URL, retries and timeout.
pub(super) fn messages_client(app: &App) -> MessagesClient {
    MessagesClient::new(
        app.http.clone(),
        &app.config.anthropic_base_url,
        RetryPolicy {
            max_retries: app.config.agent.anthropic_max_retries,
            base_delay: app.config.agent.anthropic_retry_base,
            timeout: app.config.agent.anthropic_timeout,
        },
    )
}

/// The key to use: the business's own when set, else the server's.
pub fn api_key(app: &App, profile: &AiProfile) -> Option<SecretString> {
    own_key(app, profile).or_else(|| app.config.anthropic_api_key.clone())
}

/// The tokens the business may spend today: its own budget, and, while it answers on
/// the server's key (no key of its own), never more than `AI_SERVER_KEY_DAILY_TOKENS`
/// (the operator pays for those). `None`: no limit (its own key, no budget set).
pub fn daily_budget(app: &App, profile: &AiProfile) -> Option<i64> {
    let own_budget = profile.ai_daily_token_budget;
    if own_key(app, profile).is_some() {
        return own_budget;
    }
    let server = app.config.agent.server_key_daily_tokens;
    Some(own_budget.map_or(server, |b| b.min(server)))
}

/// Records a provider error for the owner (settings page and activity log), once per
/// distinct error.
pub(super) async fn record_provider_error(
    app: &App,
    business_id: BusinessId,
    error: &str,
    dry_run: bool,
) {
    if dry_run {
        return;
    }
    let Ok(mut conn) = app.db().await else { return };
    if let Ok(true) = agent_db::set_last_error(&mut conn, business_id, Some(error)).await {
        activity::record_quietly(
            &mut conn,
            &app.events,
            business_id,
            &Actor::ai(),
            Entry::new(
                ActivityKind::AiProviderError,
                Some(Subject::business(business_id)),
                "The AI provider failed",
            )
            .details(json!({"error": error})),
        )
        .await;
    }
}
