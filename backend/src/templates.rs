//! The business's approved message templates, for the composer's closed-window form:
//! read from its WhatsApp Business Account (`GET /{waba_id}/message_templates`), cached
//! in the database for an hour (every replica sees the same list) and refreshed on
//! demand, at most once per [`MIN_REFRESH`] so a busy dashboard cannot hammer Meta. When
//! Meta cannot be reached, the cached list is served.

use chrono::{Duration, Utc};
use shared::BusinessId;

use crate::app::App;
use crate::db::templates::{self as model, CachedTemplate, NewTemplate};
use crate::error::{AppError, AppResult};
use crate::meta::GraphClient;
use crate::whatsapp::{self, IdentityError};

/// How long the cached list is served without asking Meta.
pub const MAX_AGE: Duration = Duration::hours(1);
/// The shortest time between two asks on demand.
pub const MIN_REFRESH: Duration = Duration::seconds(10);

/// How many distinct `{{n}}` placeholders a body has (its parameters, numbered 1..n).
pub fn parameter_count(body: &str) -> i32 {
    let mut highest = 0;
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        if let Ok(n) = after[..end].trim().parse::<i32>() {
            highest = highest.max(n);
        }
        rest = &after[end + 2..];
    }
    highest
}

/// The business's approved templates; asks Meta when the cache is older than
/// [`MAX_AGE`], empty, or `refresh` is asked (and the last ask is older than
/// [`MIN_REFRESH`]).
pub async fn list(
    app: &App,
    business_id: BusinessId,
    refresh: bool,
) -> AppResult<Vec<CachedTemplate>> {
    let mut conn = app.db().await?;
    let cached = model::list(&mut conn, business_id).await?;
    drop(conn);
    let now = Utc::now().naive_utc();
    let fetched = cached.iter().map(|t| t.fetched_at).min();
    let stale = match fetched {
        None => true,
        Some(at) if refresh => now - at >= MIN_REFRESH,
        Some(at) => now - at >= MAX_AGE,
    };
    if !stale {
        return Ok(cached);
    }
    let identity = match whatsapp::sending_identity(app, business_id).await {
        Ok(identity) => identity,
        Err(IdentityError::NotConnected) if !cached.is_empty() => return Ok(cached),
        Err(e) => return Err(e.into()),
    };
    let fetched = GraphClient::new(&app.http, &app.config.meta_graph_url)
        .approved_templates(&identity.connection.waba_id, &identity.token)
        .await;
    let templates = match fetched {
        Ok(templates) => templates,
        Err(e) if !cached.is_empty() => {
            tracing::warn!(%business_id, error = ?e, "could not refresh message templates; serving the cached list");
            return Ok(cached);
        }
        Err(e) => {
            tracing::warn!(%business_id, error = ?e, "could not read message templates");
            return Err(AppError::BadRequest(format!(
                "could not read your templates from Meta ({}); try again",
                e.title()
            )));
        }
    };
    let rows: Vec<NewTemplate> = templates
        .into_iter()
        .filter(|t| !t.name.is_empty() && t.name.len() <= 255 && t.language.len() <= 16)
        .map(|t| {
            let body = t.body();
            NewTemplate {
                business_id,
                parameter_count: parameter_count(&body),
                name: t.name,
                language: t.language,
                category: t.category.chars().take(32).collect(),
                body,
                fetched_at: now,
            }
        })
        .collect();
    let mut conn = app.db().await?;
    model::replace(&mut conn, business_id, &rows).await?;
    Ok(model::list(&mut conn, business_id).await?)
}

#[cfg(test)]
mod tests {
    use super::parameter_count;

    #[test]
    fn parameters_are_the_highest_placeholder() {
        assert_eq!(parameter_count("Hi {{1}}, order {{2}} ships {{2}}"), 2);
        assert_eq!(parameter_count("No parameters"), 0);
        assert_eq!(parameter_count("{{ 3 }} then {{1}}"), 3);
        assert_eq!(parameter_count("broken {{1"), 0);
    }
}
