//! Sessions, password change and integrator API tokens.

use super::operations::{
    self, ApiTokens, ChangePassword, CreateApiToken, LogOutEverywhere, RevokeApiToken,
    RevokeSession, Sessions,
};
use super::transport::send;
use super::{Client, ClientError};

/// One of the signed-in user's sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Opaque id.
    pub id: String,
    /// Opened (RFC 3339).
    pub created_at: String,
    /// Last used, to the minute.
    pub last_seen_at: Option<String>,
    /// The browser it was opened from.
    pub user_agent: Option<String>,
    /// The address it was opened from.
    pub ip: Option<String>,
    /// Whether it is this browser's session.
    pub current: bool,
}

/// An API token (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenInfo {
    /// Opaque id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether it may only read.
    pub read_only: bool,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last used, if ever.
    pub last_used_at: Option<String>,
}

/// A token just created: the secret is shown this once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedApiToken {
    /// The bearer secret.
    pub secret: String,
    /// The token.
    pub token: ApiTokenInfo,
}

fn token_info(t: operations::api_tokens::ApiTokenFields) -> ApiTokenInfo {
    ApiTokenInfo {
        id: t.id,
        name: t.name,
        read_only: matches!(t.scope, operations::api_tokens::ApiTokenScope::Read),
        created_at: t.created_at,
        last_used_at: t.last_used_at,
    }
}

impl Client {
    /// The signed-in user's open sessions, newest first.
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>, ClientError> {
        let data = self.watch(
            send::<Sessions>(self.token.as_deref(), operations::sessions::Variables).await,
        )?;
        Ok(data
            .sessions
            .into_iter()
            .map(|s| SessionInfo {
                id: s.id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                user_agent: s.user_agent,
                ip: s.ip,
                current: s.current,
            })
            .collect())
    }

    /// Ends one session.
    pub async fn revoke_session(&self, id: String) -> Result<(), ClientError> {
        let variables = operations::revoke_session::Variables { id };
        self.watch(send::<RevokeSession>(self.token.as_deref(), variables).await)?;
        Ok(())
    }

    /// Ends every session of the signed-in user, this one included.
    pub async fn log_out_everywhere(&self) -> Result<i64, ClientError> {
        let variables = operations::log_out_everywhere::Variables;
        let data = self.watch(send::<LogOutEverywhere>(self.token.as_deref(), variables).await)?;
        Ok(data.log_out_everywhere)
    }

    /// Changes the password; the other sessions end.
    pub async fn change_password(&self, current: String, new: String) -> Result<(), ClientError> {
        let variables = operations::change_password::Variables {
            input: operations::change_password::ChangePasswordInput {
                current_password: current,
                new_password: new,
            },
        };
        self.watch(send::<ChangePassword>(self.token.as_deref(), variables).await)?;
        Ok(())
    }

    /// The business's API tokens, newest first.
    pub async fn api_tokens(&self) -> Result<Vec<ApiTokenInfo>, ClientError> {
        let data = self.watch(
            send::<ApiTokens>(self.token.as_deref(), operations::api_tokens::Variables).await,
        )?;
        Ok(data.api_tokens.into_iter().map(token_info).collect())
    }

    /// Creates a token named `name`, read-only or not.
    pub async fn create_api_token(
        &self,
        name: String,
        read_only: bool,
    ) -> Result<CreatedApiToken, ClientError> {
        use operations::create_api_token::{ApiTokenScope, CreateApiTokenInput, Variables};
        let variables = Variables {
            input: CreateApiTokenInput {
                name: name.trim().to_string(),
                scope: if read_only {
                    ApiTokenScope::Read
                } else {
                    ApiTokenScope::Write
                },
            },
        };
        let data = self.watch(send::<CreateApiToken>(self.token.as_deref(), variables).await)?;
        let created = data.create_api_token;
        let t = created.api_token;
        Ok(CreatedApiToken {
            secret: created.secret,
            token: ApiTokenInfo {
                id: t.id,
                name: t.name,
                read_only: matches!(t.scope, ApiTokenScope::Read),
                created_at: t.created_at,
                last_used_at: t.last_used_at,
            },
        })
    }

    /// Revokes a token.
    pub async fn revoke_api_token(&self, id: String) -> Result<(), ClientError> {
        let variables = operations::revoke_api_token::Variables { id };
        self.watch(send::<RevokeApiToken>(self.token.as_deref(), variables).await)?;
        Ok(())
    }
}
