//! The WhatsApp number connection and the webhook details for Meta's console.

use super::meta_sdk::SignupResult;
use super::operations::{
    self, ConnectWhatsApp, ConnectWhatsAppWithMeta, DisconnectWhatsApp, MessageTemplates,
    WhatsAppSettings as WhatsAppSettingsOp,
};
use super::transport::send;
use super::{Client, ClientError, SignupSetup, WebhookSetup, WhatsAppConnection};

/// What the settings page shows about WhatsApp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatsAppSettings {
    /// The connection; `None` when no number was ever connected.
    pub connection: Option<WhatsAppConnection>,
    /// Callback URL and verify token for Meta's app dashboard.
    pub webhook: WebhookSetup,
    /// How to open Meta's Embedded Signup; `None` when the server has not set it up.
    pub signup: Option<SignupSetup>,
}

/// An approved message template of the business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovedTemplate {
    /// Its name.
    pub name: String,
    /// Its language code.
    pub language: String,
    /// The body with `{{n}}` placeholders.
    pub body: String,
    /// How many parameters it takes.
    pub parameter_count: usize,
}

impl ApprovedTemplate {
    /// The body with `parameters` in place of `{{1}}`, `{{2}}`... (blank ones kept).
    pub fn preview(&self, parameters: &[String]) -> String {
        let mut text = self.body.clone();
        for (i, value) in parameters.iter().enumerate() {
            if !value.trim().is_empty() {
                text = text.replace(&format!("{{{{{}}}}}", i + 1), value.trim());
            }
        }
        text
    }
}

/// What the connect form sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConnection {
    /// Meta's phone number id.
    pub phone_number_id: String,
    /// WhatsApp Business Account id.
    pub waba_id: String,
    /// The number customers see.
    pub display_phone_number: String,
    /// A Meta access token with `whatsapp_business_messaging`.
    pub access_token: String,
}

impl Client {
    /// The connection and the webhook details.
    pub async fn whatsapp_settings(&self) -> Result<WhatsAppSettings, ClientError> {
        let variables = operations::whats_app_settings::Variables;
        let data =
            self.watch(send::<WhatsAppSettingsOp>(self.token.as_deref(), variables).await)?;
        Ok(WhatsAppSettings {
            connection: data
                .whatsapp_connection
                .map(WhatsAppConnection::try_from)
                .transpose()?,
            webhook: WebhookSetup {
                callback_url: data.webhook_setup.callback_url,
                verify_token: data.webhook_setup.verify_token,
            },
            signup: data.whatsapp_signup.map(|s| SignupSetup {
                app_id: s.app_id,
                config_id: s.config_id,
                sdk_url: s.sdk_url,
            }),
        })
    }

    /// The approved templates (cached by the server; `refresh` asks Meta again).
    pub async fn message_templates(
        &self,
        refresh: bool,
    ) -> Result<Vec<ApprovedTemplate>, ClientError> {
        let variables = operations::message_templates::Variables {
            refresh: Some(refresh),
        };
        let data = self.watch(send::<MessageTemplates>(self.token.as_deref(), variables).await)?;
        Ok(data
            .message_templates
            .into_iter()
            .map(|t| ApprovedTemplate {
                name: t.name,
                language: t.language,
                body: t.body,
                parameter_count: usize::try_from(t.parameter_count).unwrap_or(0),
            })
            .collect())
    }

    /// Connects the number chosen in Meta's Embedded Signup (the server does the rest).
    pub async fn connect_whatsapp_with_meta(
        &self,
        signup: SignupResult,
        coexistence: bool,
    ) -> Result<WhatsAppConnection, ClientError> {
        let variables = operations::connect_whats_app_with_meta::Variables {
            input: operations::connect_whats_app_with_meta::ConnectWhatsAppWithMetaInput {
                code: signup.code,
                waba_id: signup.waba_id,
                phone_number_id: signup.phone_number_id,
                coexistence,
            },
        };
        let data =
            self.watch(send::<ConnectWhatsAppWithMeta>(self.token.as_deref(), variables).await)?;
        WhatsAppConnection::try_from(data.connect_whats_app_with_meta)
    }

    /// Connects (or reconnects) the business's WhatsApp number.
    pub async fn connect_whatsapp(
        &self,
        connection: NewConnection,
    ) -> Result<WhatsAppConnection, ClientError> {
        let variables = operations::connect_whats_app::Variables {
            input: operations::connect_whats_app::ConnectWhatsAppInput {
                phone_number_id: connection.phone_number_id.trim().to_string(),
                waba_id: connection.waba_id.trim().to_string(),
                display_phone_number: connection.display_phone_number.trim().to_string(),
                access_token: connection.access_token.trim().to_string(),
            },
        };
        let data = self.watch(send::<ConnectWhatsApp>(self.token.as_deref(), variables).await)?;
        WhatsAppConnection::try_from(data.connect_whats_app)
    }

    /// Stops sending and receiving on the number; records are kept.
    pub async fn disconnect_whatsapp(&self) -> Result<WhatsAppConnection, ClientError> {
        let variables = operations::disconnect_whats_app::Variables;
        let data =
            self.watch(send::<DisconnectWhatsApp>(self.token.as_deref(), variables).await)?;
        WhatsAppConnection::try_from(data.disconnect_whats_app)
    }
}
