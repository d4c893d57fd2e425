//! Connecting the business's WhatsApp number, and the webhook settings for Meta.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use secrecy::SecretString;

use super::{Authenticated, ContextExt, OwnerOnly, ids};
use crate::db::whatsapp as model;
use crate::whatsapp::{self, ConnectRequest};

/// Whether a number is in use.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::ConnectionStatus")]
pub enum ConnectionStatus {
    /// Receiving and sending.
    Connected,
    /// Stopped by the owner; records are kept.
    Disconnected,
}

/// The business's WhatsApp number. The access token itself is never returned.
#[derive(SimpleObject)]
#[graphql(name = "WhatsAppConnection")]
pub struct WhatsAppConnection {
    /// Opaque id.
    pub id: ID,
    /// Meta's phone number ID.
    pub phone_number_id: String,
    /// WhatsApp Business Account ID.
    pub waba_id: String,
    /// The number as shown to people.
    pub display_phone_number: String,
    /// The business name Meta verified, when known.
    pub verified_name: Option<String>,
    /// The token, masked, e.g. `••••a1b2`.
    pub access_token_hint: String,
    /// Connected or not.
    pub status: ConnectionStatus,
    /// When it was (last) connected.
    pub connected_at: DateTime<Utc>,
    /// When it was disconnected, if it is.
    pub disconnected_at: Option<DateTime<Utc>>,
    /// Last webhook delivery received for this number.
    pub last_webhook_at: Option<DateTime<Utc>>,
    /// Last webhook processing error, if any.
    pub last_webhook_error: Option<String>,
}

impl From<model::WhatsAppConnection> for WhatsAppConnection {
    fn from(c: model::WhatsAppConnection) -> Self {
        WhatsAppConnection {
            id: ids::encode(c.id),
            phone_number_id: c.phone_number_id,
            waba_id: c.waba_id,
            display_phone_number: c.display_phone_number,
            verified_name: c.verified_name,
            access_token_hint: c.access_token_hint,
            status: c.status.into(),
            connected_at: c.connected_at.and_utc(),
            disconnected_at: c.disconnected_at.map(|t| t.and_utc()),
            last_webhook_at: c.last_webhook_at.map(|t| t.and_utc()),
            last_webhook_error: c.last_webhook_error,
        }
    }
}

/// What to paste into Meta's console (WhatsApp > Configuration > Webhook).
#[derive(SimpleObject)]
pub struct WebhookSetup {
    /// Callback URL.
    pub callback_url: String,
    /// Verify token.
    pub verify_token: String,
}

/// The number's details from Meta's console (WhatsApp > API Setup).
#[derive(InputObject)]
#[graphql(name = "ConnectWhatsAppInput")]
pub struct ConnectWhatsAppInput {
    /// Phone number ID.
    pub phone_number_id: String,
    /// WhatsApp Business Account ID.
    pub waba_id: String,
    /// The phone number, e.g. `+234 801 234 5678`.
    pub display_phone_number: String,
    /// A permanent (system user) access token for the number.
    #[graphql(secret)]
    pub access_token: String,
}

/// WhatsApp connection queries.
#[derive(Default)]
pub struct WhatsAppQuery;

#[Object]
impl WhatsAppQuery {
    /// The business's WhatsApp number: the connected one, else the last one; `null`
    /// when never connected.
    #[graphql(guard = "Authenticated", name = "whatsappConnection")]
    async fn whatsapp_connection(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<WhatsAppConnection>> {
        let caller = ctx.caller()?;
        Ok(whatsapp::current(ctx.app(), caller.business_id)
            .await?
            .map(Into::into))
    }

    /// Callback URL and verify token for Meta's webhook settings.
    #[graphql(guard = "Authenticated")]
    async fn webhook_setup(&self, ctx: &Context<'_>) -> async_graphql::Result<WebhookSetup> {
        ctx.caller()?;
        let setup = whatsapp::webhook_setup(ctx.app());
        Ok(WebhookSetup {
            callback_url: setup.callback_url,
            verify_token: setup.verify_token,
        })
    }
}

/// WhatsApp connection mutations.
#[derive(Default)]
pub struct WhatsAppMutation;

#[Object]
impl WhatsAppMutation {
    /// Connects (or reconnects) a number after checking it with Meta. Errors name the
    /// field to fix (`phoneNumberId`, `accessToken`, ...).
    /// Owner only, signed in to the dashboard (staff and API tokens: FORBIDDEN).
    #[graphql(guard = "OwnerOnly", name = "connectWhatsApp")]
    async fn connect_whatsapp(
        &self,
        ctx: &Context<'_>,
        input: ConnectWhatsAppInput,
    ) -> async_graphql::Result<WhatsAppConnection> {
        let caller = ctx.caller()?;
        let connection = whatsapp::connect(
            ctx.app(),
            caller.business_id,
            &caller.actor,
            ConnectRequest {
                phone_number_id: input.phone_number_id,
                waba_id: input.waba_id,
                display_phone_number: input.display_phone_number,
                access_token: SecretString::from(input.access_token),
            },
        )
        .await?;
        Ok(connection.into())
    }

    /// Stops sending and receiving on the number, keeps every record, and ends all
    /// dashboard sessions of the business (this one too: sign in again afterwards).
    /// Owner only, signed in to the dashboard (staff and API tokens: FORBIDDEN).
    #[graphql(guard = "OwnerOnly", name = "disconnectWhatsApp")]
    async fn disconnect_whatsapp(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<WhatsAppConnection> {
        let caller = ctx.caller()?;
        Ok(
            whatsapp::disconnect(ctx.app(), caller.business_id, &caller.actor)
                .await?
                .into(),
        )
    }
}
