//! The public contact form: `submitContactForm` (no account needed).

use async_graphql::{Context, InputObject, Object};

use super::ContextExt;
use crate::contact::{self, ContactForm};

/// A message to the operator of the service.
#[derive(InputObject)]
pub struct ContactFormInput {
    /// Who writes (1 to 120 characters).
    pub name: String,
    /// Where to answer.
    pub email: String,
    /// The message (1 to 5,000 characters).
    pub message: String,
}

/// Contact form mutations.
#[derive(Default)]
pub struct ContactMutation;

#[Object]
impl ContactMutation {
    /// Sends a message to the operator (anyone, signed in or not; at most 5 an hour
    /// per IP address, then RATE_LIMITED). True once it is stored.
    async fn submit_contact_form(
        &self,
        ctx: &Context<'_>,
        input: ContactFormInput,
    ) -> async_graphql::Result<bool> {
        let form = ContactForm {
            name: input.name,
            email: input.email,
            message: input.message,
        };
        contact::submit(ctx.app(), form, &ctx.client()).await?;
        Ok(true)
    }
}
