//! Integrator API tokens: `apiTokens`, `createApiToken`, `revokeApiToken`. Owner only:
//! staff and API tokens themselves are FORBIDDEN; another business's token is
//! NOT_FOUND.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use shared::ApiTokenId;

use super::{ContextExt, OwnerOnly, ids};
use crate::api_tokens;
use crate::db::sessions;

/// What a token may do.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::ApiTokenScope")]
pub enum ApiTokenScope {
    /// Queries and subscriptions; every mutation is FORBIDDEN.
    Read,
    /// Queries, subscriptions and mutations.
    Write,
}

/// An API token (never its secret).
#[derive(SimpleObject)]
pub struct ApiToken {
    /// Opaque id.
    pub id: ID,
    /// The name it was given.
    pub name: String,
    /// What it may do.
    pub scope: ApiTokenScope,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last used, if ever.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<sessions::ApiToken> for ApiToken {
    fn from(t: sessions::ApiToken) -> Self {
        ApiToken {
            id: ids::encode(ApiTokenId(t.id)),
            name: t.name,
            scope: t.scope.into(),
            created_at: t.created_at.and_utc(),
            last_used_at: t.last_used_at.map(|d| d.and_utc()),
        }
    }
}

/// A new token: its secret is in this answer only.
#[derive(SimpleObject)]
pub struct CreatedApiToken {
    /// The bearer secret (`Authorization: Bearer wsk_...`); store it now, it is never
    /// shown again.
    pub secret: String,
    /// The token's record.
    pub api_token: ApiToken,
}

/// A token to create.
#[derive(InputObject)]
pub struct CreateApiTokenInput {
    /// A name to recognise it by (1 to 120 characters), e.g. "Shopify sync".
    pub name: String,
    /// What it may do.
    pub scope: ApiTokenScope,
}

/// API token queries.
#[derive(Default)]
pub struct ApiTokenQuery;

#[Object]
impl ApiTokenQuery {
    /// The business's API tokens, newest first (owner only).
    #[graphql(guard = "OwnerOnly")]
    async fn api_tokens(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApiToken>> {
        let list = api_tokens::list(ctx.app(), ctx.caller()?).await?;
        Ok(list.into_iter().map(Into::into).collect())
    }
}

/// API token mutations.
#[derive(Default)]
pub struct ApiTokenMutation;

#[Object]
impl ApiTokenMutation {
    /// Creates an API token and returns its secret once (owner only).
    #[graphql(guard = "OwnerOnly")]
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        input: CreateApiTokenInput,
    ) -> async_graphql::Result<CreatedApiToken> {
        let created =
            api_tokens::create(ctx.app(), ctx.caller()?, &input.name, input.scope.into()).await?;
        Ok(CreatedApiToken {
            secret: created.secret,
            api_token: created.token.into(),
        })
    }

    /// Revokes an API token at once; its WebSockets close (owner only).
    #[graphql(guard = "OwnerOnly")]
    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ApiToken> {
        let id = ids::decode::<ApiTokenId>(&id)?;
        Ok(api_tokens::revoke(ctx.app(), ctx.caller()?, id.0)
            .await?
            .into())
    }
}
