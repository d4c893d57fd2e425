//! The public contact form.

use super::operations::{self, SubmitContactForm};
use super::transport::send;
use super::{Client, ClientError};

impl Client {
    /// Sends a message to the operator (no account needed).
    pub async fn submit_contact_form(
        &self,
        name: String,
        email: String,
        message: String,
    ) -> Result<(), ClientError> {
        let variables = operations::submit_contact_form::Variables {
            input: operations::submit_contact_form::ContactFormInput {
                name: name.trim().to_string(),
                email: email.trim().to_string(),
                message: message.trim().to_string(),
            },
        };
        self.watch(send::<SubmitContactForm>(None, variables).await)?;
        Ok(())
    }
}
