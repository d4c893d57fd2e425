//! The business profile and AI settings.

use shared::ReplyTone;

use super::models::wire_enum;
use super::operations::{CurrentBusiness, UpdateBusiness, current_business, update_business};
use super::transport::send;
use super::{Business, Client, ClientError};

/// Everything the settings page edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessSettings {
    /// The business's name.
    pub name: String,
    /// Free text such as "Fashion".
    pub business_type: String,
    /// Two-letter country code.
    pub country: String,
    /// Currency new products start in.
    pub default_currency: String,
    /// Whether the AI salesperson answers customers.
    pub ai_enabled: bool,
    /// The owner's instructions to the AI.
    pub ai_instructions: String,
    /// The voice the AI answers in.
    pub reply_tone: ReplyTone,
}

impl Client {
    /// The signed-in user's business.
    pub async fn business(&self) -> Result<Business, ClientError> {
        let data = self.watch(
            send::<CurrentBusiness>(self.token.as_deref(), current_business::Variables).await,
        )?;
        Business::try_from(data.business)
    }

    /// Saves the business profile and AI settings.
    pub async fn update_business(
        &self,
        settings: BusinessSettings,
    ) -> Result<Business, ClientError> {
        let variables = update_business::Variables {
            input: update_business::UpdateBusinessInput {
                name: Some(settings.name.trim().to_string()),
                business_type: Some(settings.business_type.trim().to_string()),
                country: Some(settings.country),
                default_currency: Some(settings.default_currency.trim().to_ascii_uppercase()),
                ai_enabled: Some(settings.ai_enabled),
                ai_instructions: Some(settings.ai_instructions),
                reply_tone: Some(wire_enum(settings.reply_tone.as_str())?),
            },
        };
        let data = self.watch(send::<UpdateBusiness>(self.token.as_deref(), variables).await)?;
        Business::try_from(data.update_business)
    }
}
