//! The data rights: the export archive, message retention, deleting the account.

use gloo_net::http::Request;

use super::operations::{
    self, DeleteAccount, PrivacySettings, UpdatePrivacySettings, delete_account,
    update_privacy_settings,
};
use super::transport::send;
use super::{Client, ClientError};

/// Where the export archive is downloaded from (same origin as the dashboard).
const EXPORT_ENDPOINT: &str = "/api/export";

/// How long the business keeps what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Days messages are kept; `None`: until deleted.
    pub message_days: Option<i32>,
    /// Days raw webhook deliveries are kept (fixed by the server).
    pub webhook_body_days: i32,
    /// Days undeliverable raw webhook deliveries are kept (fixed by the server).
    pub unroutable_webhook_body_days: i32,
}

impl Client {
    /// How long messages and raw deliveries are kept.
    pub async fn retention(&self) -> Result<Retention, ClientError> {
        let data = self.watch(
            send::<PrivacySettings>(
                self.token.as_deref(),
                operations::privacy_settings::Variables,
            )
            .await,
        )?;
        let s = data.privacy_settings;
        Ok(Retention {
            message_days: s.message_retention_days.map(|d| d as i32),
            webhook_body_days: s.webhook_body_days as i32,
            unroutable_webhook_body_days: s.unroutable_webhook_body_days as i32,
        })
    }

    /// Keeps messages `days` days (`None`: until deleted).
    pub async fn set_message_retention(&self, days: Option<i32>) -> Result<Retention, ClientError> {
        let variables = update_privacy_settings::Variables {
            input: update_privacy_settings::PrivacySettingsInput {
                message_retention_days: days.map(i64::from),
            },
        };
        let data =
            self.watch(send::<UpdatePrivacySettings>(self.token.as_deref(), variables).await)?;
        let s = data.update_privacy_settings;
        Ok(Retention {
            message_days: s.message_retention_days.map(|d| d as i32),
            webhook_body_days: s.webhook_body_days as i32,
            unroutable_webhook_body_days: s.unroutable_webhook_body_days as i32,
        })
    }

    /// Deletes the business and everything of it, after the owner's password.
    pub async fn delete_account(&self, password: String) -> Result<(), ClientError> {
        let variables = delete_account::Variables { password };
        self.watch(send::<DeleteAccount>(self.token.as_deref(), variables).await)?;
        Ok(())
    }

    /// Downloads the export archive (a ZIP) into memory for the browser to save.
    pub async fn export_archive(&self) -> Result<Vec<u8>, ClientError> {
        let mut request = Request::get(EXPORT_ENDPOINT);
        if let Some(token) = self.token.as_deref() {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let response = request
            .send()
            .await
            .map_err(|err| ClientError::Network(err.to_string()))?;
        if !response.ok() {
            return self.watch(Err(ClientError::from_status(response.status())));
        }
        response
            .binary()
            .await
            .map_err(|err| ClientError::Network(err.to_string()))
    }
}
