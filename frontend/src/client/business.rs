//! The business profile and AI settings.

use super::models::wire_enum;
use super::operations::{CurrentBusiness, UpdateBusiness, current_business, update_business};
use super::transport::send;
use super::{Business, Client, ClientError};

impl Client {
    /// The signed-in user's business.
    pub async fn business(&self) -> Result<Business, ClientError> {
        let data = self.watch(
            send::<CurrentBusiness>(self.token.as_deref(), current_business::Variables).await,
        )?;
        Business::try_from(data.business)
    }

    /// Saves the business profile and AI settings of `settings` (the API changes the
    /// signed-in user's business; `settings.id` is not sent).
    pub async fn update_business(&self, settings: Business) -> Result<Business, ClientError> {
        let variables = update_business::Variables {
            input: update_business::UpdateBusinessInput {
                name: Some(settings.name.trim().to_string()),
                business_type: Some(settings.business_type.trim().to_string()),
                country: Some(settings.country),
                default_currency: Some(settings.default_currency.trim().to_ascii_uppercase()),
                ai_enabled: Some(settings.ai_enabled),
                ai_instructions: Some(settings.ai_instructions),
                reply_tone: Some(wire_enum(settings.reply_tone.as_str())?),
                time_zone: Some(settings.time_zone.trim().to_string()),
                phone_reply_pause_minutes: settings.phone_reply_pause_minutes,
            },
        };
        let data = self.watch(send::<UpdateBusiness>(self.token.as_deref(), variables).await)?;
        Business::try_from(data.update_business)
    }
}
