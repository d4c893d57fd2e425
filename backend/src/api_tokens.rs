//! Integrator API tokens: created by the owner (the secret is shown once; only its
//! SHA-256 is stored), listed, revoked. A READ token only reads: the HTTP layer refuses
//! its mutations before they run.

use serde_json::json;
use shared::{ActivityKind, ApiTokenScope, FieldErrors};

use crate::accounts::announce_revoked;
use crate::app::App;
use crate::auth::{Caller, new_api_token_secret};
use crate::db::sessions::{self as model, ApiToken};
use crate::error::{AppError, AppResult};
use crate::events::Revoked;

/// Most unrevoked tokens a business may hold.
pub const MAX_TOKENS: usize = 50;

/// A token just created: the secret, which is never shown again, and its record.
#[derive(Debug)]
pub struct CreatedToken {
    /// The bearer secret (`wsk_...`).
    pub secret: String,
    /// What is stored.
    pub token: ApiToken,
}

/// Creates a token named `name` with `scope`; owner only.
pub async fn create(
    app: &App,
    caller: &Caller,
    name: &str,
    scope: ApiTokenScope,
) -> AppResult<CreatedToken> {
    caller.owner()?;
    let name = name.trim();
    let mut errors = FieldErrors::default();
    shared::validation::check_length(&mut errors, "name", name, 1, 120);
    errors.into_result().map_err(AppError::Invalid)?;
    let mut conn = app.db().await?;
    if model::list_api_tokens(&mut conn, caller.business_id.0)
        .await?
        .len()
        >= MAX_TOKENS
    {
        return Err(AppError::invalid(
            "name",
            format!("at most {MAX_TOKENS} tokens; revoke one you no longer use"),
        ));
    }
    let secret = new_api_token_secret();
    let token =
        model::create_api_token(&mut conn, caller.business_id.0, name, &secret, scope).await?;
    caller
        .record_business_change(
            &mut conn,
            &app.events,
            ActivityKind::ApiTokenCreated,
            format!("API token \"{name}\" created ({scope})"),
            json!({ "token_id": token.id, "scope": scope }),
        )
        .await;
    Ok(CreatedToken { secret, token })
}

/// The business's unrevoked tokens, newest first; owner only.
pub async fn list(app: &App, caller: &Caller) -> AppResult<Vec<ApiToken>> {
    caller.owner()?;
    let mut conn = app.db().await?;
    Ok(model::list_api_tokens(&mut conn, caller.business_id.0).await?)
}

/// Revokes a token at once (open WebSockets using it close); owner only. Another
/// business's token is NOT_FOUND.
pub async fn revoke(app: &App, caller: &Caller, id: u64) -> AppResult<ApiToken> {
    caller.owner()?;
    let mut conn = app.db().await?;
    let token = model::revoke_api_token(&mut conn, caller.business_id.0, id)
        .await?
        .ok_or(AppError::NotFound("API token"))?;
    announce_revoked(app, caller.business_id, Revoked::ApiToken(token.id));
    caller
        .record_business_change(
            &mut conn,
            &app.events,
            ActivityKind::ApiTokenRevoked,
            format!("API token \"{}\" revoked", token.name),
            json!({ "token_id": token.id }),
        )
        .await;
    Ok(token)
}
