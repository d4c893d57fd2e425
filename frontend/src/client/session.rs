//! Sign-up, log-in, log-out and session restore.

use super::operations::{
    AcceptInvite, LogIn, LogOut, Me, SignUp, accept_invite, log_in, log_out, me, sign_up,
};
use super::transport::send;
use super::{AuthSession, Business, Client, ClientError, User};

/// What the sign-up form sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// The business's name.
    pub business_name: String,
    /// Free text such as "Fashion".
    pub business_type: String,
    /// Two-letter country code.
    pub country: String,
    /// Default currency code; the server picks one from the country when `None`.
    pub currency: Option<String>,
    /// The business's time zone (the browser's), if known.
    pub time_zone: Option<String>,
    /// Log-in email.
    pub email: String,
    /// Log-in password.
    pub password: String,
    /// The privacy policy and terms version accepted.
    pub accepted_policy_version: String,
    /// Authorised to act for the business and over 16.
    pub confirmed_authorised_and_over_16: bool,
}

impl Client {
    /// Creates a business and its owner; the answer signs the owner in.
    pub async fn sign_up(&self, account: NewAccount) -> Result<AuthSession, ClientError> {
        let variables = sign_up::Variables {
            input: sign_up::SignUpInput {
                business_name: account.business_name.trim().to_string(),
                business_type: account.business_type.trim().to_string(),
                country: account.country,
                currency: account.currency,
                time_zone: account.time_zone,
                email: account.email.trim().to_string(),
                password: account.password,
                accepted_policy_version: account.accepted_policy_version,
                confirmed_authorised_and_over16: account.confirmed_authorised_and_over_16,
            },
        };
        let data = self.watch(send::<SignUp>(None, variables).await)?;
        Ok(AuthSession {
            token: data.sign_up.token,
            user: User::try_from(data.sign_up.user)?,
            business: Business::try_from(data.sign_up.business)?,
        })
    }

    /// Signs in with email and password.
    pub async fn log_in(&self, email: &str, password: &str) -> Result<AuthSession, ClientError> {
        let variables = log_in::Variables {
            input: log_in::LogInInput {
                email: email.trim().to_string(),
                password: password.to_string(),
            },
        };
        let data = self.watch(send::<LogIn>(None, variables).await)?;
        Ok(AuthSession {
            token: data.log_in.token,
            user: User::try_from(data.log_in.user)?,
            business: Business::try_from(data.log_in.business)?,
        })
    }

    /// Accepts a staff invitation (the secret from its link) with the new member's name
    /// and password; the answer signs them in.
    pub async fn accept_invite(
        &self,
        token: &str,
        name: &str,
        password: &str,
    ) -> Result<AuthSession, ClientError> {
        let variables = accept_invite::Variables {
            input: accept_invite::AcceptInviteInput {
                token: token.trim().to_string(),
                name: name.trim().to_string(),
                password: password.to_string(),
            },
        };
        let data = self.watch(send::<AcceptInvite>(None, variables).await)?;
        Ok(AuthSession {
            token: data.accept_invite.token,
            user: User::try_from(data.accept_invite.user)?,
            business: Business::try_from(data.accept_invite.business)?,
        })
    }

    /// Ends this client's session on the server.
    pub async fn log_out(&self) -> Result<(), ClientError> {
        send::<LogOut>(self.token.as_deref(), log_out::Variables).await?;
        Ok(())
    }

    /// The signed-in user and their business.
    pub async fn me(&self) -> Result<(User, Business), ClientError> {
        let data = self.watch(send::<Me>(self.token.as_deref(), me::Variables).await)?;
        Ok((User::try_from(data.me)?, Business::try_from(data.business)?))
    }
}
