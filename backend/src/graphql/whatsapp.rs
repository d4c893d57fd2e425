//! Connecting the business's WhatsApp number (Meta's Embedded Signup, or a pasted
//! system-user token for integrators), and the webhook settings for Meta.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use secrecy::SecretString;

use super::{Authenticated, ContextExt, OwnerOnly, ids};
use crate::db::whatsapp as model;
use crate::whatsapp::{self, ConnectRequest, EmbeddedSignup};

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
    /// How it was connected.
    pub onboarding: WhatsAppOnboarding,
    /// The owner keeps using the number in the WhatsApp Business app (coexistence).
    pub coexistence: bool,
    /// Why Meta disconnected it, when Meta did.
    pub disconnect_reason: Option<String>,
    /// Coexistence: how far the import of the WhatsApp Business app's past chats is,
    /// 0 to 100 (`null` before Meta sends any).
    pub history_progress: Option<i32>,
}

/// How a number was connected.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum WhatsAppOnboarding {
    /// Through Meta's login (Embedded Signup) on the operator's app.
    EmbeddedSignup,
    /// With a pasted system-user access token.
    Token,
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
            onboarding: if c.onboarding == model::ONBOARDING_EMBEDDED_SIGNUP {
                WhatsAppOnboarding::EmbeddedSignup
            } else {
                WhatsAppOnboarding::Token
            },
            coexistence: c.coexistence,
            disconnect_reason: c.disconnect_reason,
            history_progress: c.history_progress.map(i32::from),
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

/// What the dashboard needs to open Meta's Embedded Signup.
#[derive(SimpleObject)]
pub struct WhatsAppSignupSetup {
    /// The operator's Meta app id (`FB.init`).
    pub app_id: String,
    /// The Facebook Login for Business configuration id (`FB.login`'s `config_id`).
    pub config_id: String,
    /// Where to load Meta's JavaScript SDK from.
    pub sdk_url: String,
}

/// An approved message template of the business's WhatsApp account.
#[derive(SimpleObject)]
pub struct MessageTemplate {
    /// Its name (what `sendTemplate` takes).
    pub name: String,
    /// Its language code, e.g. `en_US`.
    pub language: String,
    /// Meta's category: `MARKETING`, `UTILITY` or `AUTHENTICATION`.
    pub category: String,
    /// The body, with its `{{1}}`, `{{2}}`... placeholders.
    pub body: String,
    /// How many body parameters it takes (the values for `{{1}}`..`{{n}}`).
    pub parameter_count: i32,
}

/// What Meta's Embedded Signup gave the browser.
#[derive(InputObject)]
pub struct ConnectWhatsAppWithMetaInput {
    /// The authorisation code `FB.login` returned (`response.authResponse.code`).
    #[graphql(secret)]
    pub code: String,
    /// `waba_id` of the `WA_EMBEDDED_SIGNUP` message.
    pub waba_id: String,
    /// `phone_number_id` of the `WA_EMBEDDED_SIGNUP` message.
    pub phone_number_id: String,
    /// The owner chose to keep the number in the WhatsApp Business app (coexistence).
    pub coexistence: bool,
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

    /// How to open Meta's Embedded Signup; `null` when the operator has not set it up
    /// (then numbers are connected with a pasted token).
    #[graphql(guard = "Authenticated")]
    async fn whatsapp_signup(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<WhatsAppSignupSetup>> {
        ctx.caller()?;
        Ok(
            whatsapp::signup_setup(ctx.app()).map(|s| WhatsAppSignupSetup {
                app_id: s.app_id,
                config_id: s.config_id,
                sdk_url: s.sdk_url,
            }),
        )
    }

    /// The business's approved message templates (what may be sent outside the 24-hour
    /// window), from Meta, cached for an hour; `refresh` asks Meta again (at most every
    /// 10 seconds). Owner and staff.
    #[graphql(guard = "Authenticated")]
    async fn message_templates(
        &self,
        ctx: &Context<'_>,
        refresh: Option<bool>,
    ) -> async_graphql::Result<Vec<MessageTemplate>> {
        let caller = ctx.caller()?;
        let refresh = refresh.unwrap_or(false);
        let templates = crate::templates::list(ctx.app(), caller.business_id, refresh).await?;
        Ok(templates
            .into_iter()
            .map(|t| MessageTemplate {
                name: t.name,
                language: t.language,
                category: t.category,
                body: t.body,
                parameter_count: t.parameter_count,
            })
            .collect())
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

    /// Connects the number the owner chose in Meta's Embedded Signup: the server
    /// exchanges the code, subscribes to the number's webhooks, registers it (not for
    /// coexistence) and stores it. Owner only. A failed step is a `BAD_USER_INPUT` on
    /// field `step` naming it; nothing stays half-connected.
    #[graphql(guard = "OwnerOnly", name = "connectWhatsAppWithMeta")]
    async fn connect_whatsapp_with_meta(
        &self,
        ctx: &Context<'_>,
        input: ConnectWhatsAppWithMetaInput,
    ) -> async_graphql::Result<WhatsAppConnection> {
        let caller = ctx.caller()?;
        let connection = whatsapp::connect_with_meta(
            ctx.app(),
            caller.business_id,
            &caller.actor,
            EmbeddedSignup {
                code: SecretString::from(input.code),
                waba_id: input.waba_id,
                phone_number_id: input.phone_number_id,
                coexistence: input.coexistence,
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
