//! Connecting a business's WhatsApp number (Meta Cloud API) and disconnecting it.
//!
//! Two ways in. **Embedded Signup** ([`connect_with_meta`]), what owners use: the
//! dashboard runs Meta's login on the operator's one app and hands over only the
//! authorisation code and the ids Meta reported; the server exchanges the code for the
//! business token (app id + secret), checks the number with it, subscribes the
//! operator's app to the WABA's webhooks, registers the number for Cloud API (a random
//! six-digit pin, sealed; not for coexistence numbers, which stay on the WhatsApp
//! Business app) or, for coexistence, asks the app to sync contacts and history, and
//! only then stores the connection. A failed step names itself in the error and undoes
//! the subscription, so nothing half-connected stays. **A pasted token** ([`connect`])
//! stays for integrators with a system-user token of their own.
//!
//! Meta's `account_update` webhook ([`account_updates`]) disconnects the numbers of a
//! WABA that removed the operator's app, was deleted or offboarded, with the reason
//! shown to the owner.
//!
//! Connecting checks the phone number id and access token against the Graph API before
//! anything is saved; the token is stored encrypted (AES-256-GCM) and only a masked hint
//! is ever shown. A number already linked to another business is refused without saying
//! which. A number stays linked to its business until that business deletes its
//! account (disconnecting keeps the records, as the privacy policy promises).
//!
//! Disconnecting stops sending (the sender needs a `connected` row) and receiving (the
//! webhook ingest routes only to `connected` numbers), takes the operator's app off the
//! WABA when it joined through Embedded Signup, and ends every dashboard session
//! of the business, the caller's included: the privacy policy says disconnecting ends
//! the browser session. Integrator API tokens are not sessions and keep working (they
//! can read the records, and cannot send until a number is connected again).

use secrecy::{ExposeSecret, SecretString};
use shared::{ActivityKind, BusinessId};

use crate::activity::{self, Actor, Entry, Subject};
use crate::app::App;
use crate::crypto;
use crate::db::whatsapp::{self as model, ConnectOutcome, NewConnection, WhatsAppConnection};
use crate::error::{AppError, AppResult};
use crate::meta::{GraphClient, GraphError};

mod embedded_signup;

pub use embedded_signup::{EmbeddedSignup, SignupSetup, connect_with_meta, signup_setup};

/// What the owner pastes from Meta's console.
#[derive(Debug, Clone)]
pub struct ConnectRequest {
    /// Phone number ID (digits).
    pub phone_number_id: String,
    /// WhatsApp Business Account ID (digits).
    pub waba_id: String,
    /// The number as the owner knows it.
    pub display_phone_number: String,
    /// A Meta access token that can use the number.
    pub access_token: SecretString,
}

/// What to paste into Meta's webhook settings.
#[derive(Debug, Clone)]
pub struct WebhookSetup {
    /// Our callback URL.
    pub callback_url: String,
    /// The verify token Meta echoes during verification.
    pub verify_token: String,
}

fn validate(req: &ConnectRequest) -> AppResult<()> {
    let mut errors = shared::FieldErrors::default();
    let is_id = |s: &str| !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_digit());
    if !is_id(req.phone_number_id.trim()) {
        errors.add(
            "phoneNumberId",
            "the phone number ID is the number Meta shows under API Setup (digits only)",
        );
    }
    if !is_id(req.waba_id.trim()) {
        errors.add(
            "wabaId",
            "the WhatsApp Business Account ID is a number (digits only)",
        );
    }
    let display = req.display_phone_number.trim();
    if display.is_empty() || display.chars().count() > 32 {
        errors.add(
            "displayPhoneNumber",
            "enter the phone number (at most 32 characters)",
        );
    }
    let token = req.access_token.expose_secret().trim();
    if token.is_empty() || token.len() > 1800 || token.chars().any(char::is_whitespace) {
        errors.add("accessToken", "paste the whole access token from Meta");
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Turns Meta's answer to the check into an error the owner can act on.
fn check_error(e: GraphError) -> AppError {
    match &e {
        GraphError::Api { error, .. } if error.code == 190 => AppError::invalid(
            "accessToken",
            "Meta rejected this access token: it is invalid or has expired",
        ),
        GraphError::Api { error, .. } if matches!(error.code, 10 | 200 | 294) => AppError::invalid(
            "accessToken",
            "this access token lacks the whatsapp_business_messaging and whatsapp_business_management permissions",
        ),
        GraphError::Api { error, .. } if error.code == 100 || error.code == 803 => {
            AppError::invalid(
                "phoneNumberId",
                "Meta has no phone number with this ID that the access token can use",
            )
        }
        GraphError::Api { error, .. } if !e.is_retryable() => {
            tracing::warn!(code = error.code, "Meta refused the connection check");
            AppError::invalid(
                "accessToken",
                format!(
                    "Meta refused the check (error {}): check the phone number ID and token",
                    error.code
                ),
            )
        }
        _ => {
            tracing::warn!(error = ?e, "could not reach Meta to check a connection");
            AppError::BadRequest("could not reach Meta to check the number; try again".into())
        }
    }
}

/// The number's display form as Meta gives it (else `fallback`) and its verified
/// name, both cut to their columns.
fn number_names(
    info: crate::meta::types::PhoneNumberInfo,
    fallback: &str,
) -> (String, Option<String>) {
    let display = info
        .display_phone_number
        .filter(|d| !d.trim().is_empty() && d.chars().count() <= 32)
        .unwrap_or_else(|| fallback.to_string());
    let verified_name = info
        .verified_name
        .map(|n| n.chars().take(255).collect::<String>())
        .filter(|n| !n.is_empty());
    (display, verified_name)
}

/// Checks the number and token with Meta, then stores the connection.
pub async fn connect(
    app: &App,
    business_id: BusinessId,
    actor: &Actor,
    req: ConnectRequest,
) -> AppResult<WhatsAppConnection> {
    validate(&req)?;
    let phone_number_id = req.phone_number_id.trim();
    let token = SecretString::from(req.access_token.expose_secret().trim().to_string());
    let info = GraphClient::new(&app.http, &app.config.meta_graph_url)
        .phone_number(phone_number_id, &token)
        .await
        .map_err(check_error)?;
    let (display, verified_name) = number_names(info, req.display_phone_number.trim());
    let sealed = crypto::encrypt(
        &app.config.data_key,
        token.expose_secret(),
        &crypto::SealedFor::access_token(phone_number_id),
    );
    let hint = crypto::mask_secret(token.expose_secret());
    let mut conn = app.db().await?;
    let outcome = model::connect(
        &mut conn,
        business_id.0,
        &NewConnection {
            phone_number_id,
            waba_id: req.waba_id.trim(),
            display_phone_number: &display,
            verified_name: verified_name.as_deref(),
            access_token_enc: &sealed,
            access_token_hint: &hint,
            onboarding: model::ONBOARDING_TOKEN,
            coexistence: false,
            registration_pin_enc: None,
        },
    )
    .await?;
    connected(app, &mut conn, business_id, actor, outcome).await
}

/// The outcome of storing a connection, logged, as the API answers it.
async fn connected(
    app: &App,
    conn: &mut diesel_async::AsyncMysqlConnection,
    business_id: BusinessId,
    actor: &Actor,
    outcome: ConnectOutcome,
) -> AppResult<WhatsAppConnection> {
    match outcome {
        ConnectOutcome::Connected(c) => {
            tracing::info!(
                business_id = business_id.0,
                connection_id = c.id.0,
                "WhatsApp number connected"
            );
            let summary = format!("WhatsApp number {} connected", c.display_phone_number);
            log_change(
                conn,
                app,
                business_id,
                actor,
                ActivityKind::WhatsAppConnected,
                summary,
            )
            .await;
            Ok(c)
        }
        ConnectOutcome::NumberTaken => Err(AppError::invalid(
            "phoneNumberId",
            "this number is already connected to another account",
        )),
    }
}

/// Applies the `account_update` changes of a stored delivery: the numbers of a WABA
/// that removed the operator's app, was deleted or was offboarded are disconnected,
/// with the reason recorded for the owner and their sessions ended. Other events are
/// kept with the raw delivery only. Never fails the delivery (the raw body is stored).
pub async fn account_updates(app: &App, updates: Vec<crate::meta::webhook::AccountUpdate>) {
    for crate::meta::webhook::AccountUpdate { waba_id, event } in updates {
        let reason = match event.as_str() {
            "PARTNER_REMOVED" => "the WhatsApp account removed this app in Meta's settings",
            "PARTNER_APP_UNINSTALLED" => {
                "the permissions for this app were revoked in Meta's settings"
            }
            "ACCOUNT_DELETED" => "the WhatsApp Business account was deleted",
            "ACCOUNT_OFFBOARDED" => {
                "the number moved to another phone or was registered again: connect it again"
            }
            _ => continue,
        };
        let gone = match app.db().await {
            Ok(mut conn) => model::disconnect_waba(&mut conn, &waba_id, reason)
                .await
                .map_err(AppError::from),
            Err(e) => Err(e),
        };
        match gone {
            Ok(gone) => {
                for c in gone {
                    tracing::info!(business_id = c.business_id.0, connection_id = c.id.0, %event, "Meta disconnected a WhatsApp number");
                    crate::accounts::announce_revoked(
                        app,
                        c.business_id,
                        crate::events::Revoked::AllSessions,
                    );
                    if let Ok(mut conn) = app.db().await {
                        log_change(
                            &mut conn,
                            app,
                            c.business_id,
                            &Actor::system(),
                            ActivityKind::WhatsAppDisconnected,
                            format!(
                                "WhatsApp number {} disconnected by Meta: {reason}",
                                c.display_phone_number
                            ),
                        )
                        .await;
                    }
                }
            }
            Err(e) => {
                tracing::error!(%event, error = %e.message(), "could not apply Meta's account_update")
            }
        }
    }
}

/// Disconnects the business's number and ends its dashboard sessions (module docs).
pub async fn disconnect(
    app: &App,
    business_id: BusinessId,
    actor: &Actor,
) -> AppResult<WhatsAppConnection> {
    let identity = sending_identity(app, business_id).await.ok();
    let mut conn = app.db().await?;
    let c = model::disconnect(&mut conn, business_id.0)
        .await?
        .ok_or(AppError::NotFound("WhatsApp connection"))?;
    if let Some(identity) = &identity {
        release_number(app, identity).await;
    }
    tracing::info!(
        business_id = business_id.0,
        connection_id = c.id.0,
        "WhatsApp number disconnected"
    );
    crate::accounts::announce_revoked(app, business_id, crate::events::Revoked::AllSessions);
    let summary = format!("WhatsApp number {} disconnected", c.display_phone_number);
    log_change(
        &mut conn,
        app,
        business_id,
        actor,
        ActivityKind::WhatsAppDisconnected,
        summary,
    )
    .await;
    Ok(c)
}

/// Tells Meta to stop delivering the number's webhooks to the operator's app
/// (unsubscribes the app from the number's WhatsApp Business Account), on disconnect
/// and on account deletion. A failure is logged, never fatal: the number is already
/// disconnected on our side, and its deliveries are recorded as unroutable.
pub async fn release_number(app: &App, identity: &SendingIdentity) {
    // Another business of ours on the same WhatsApp Business Account still needs it.
    let shared = match app.db().await {
        Ok(mut conn) => model::waba_used_by_other(
            &mut conn,
            &identity.connection.waba_id,
            identity.connection.business_id.0,
        )
        .await
        .unwrap_or(true),
        Err(_) => true,
    };
    if shared {
        return;
    }
    let graph = GraphClient::new(&app.http, &app.config.meta_graph_url);
    if let Err(e) = graph
        .unsubscribe_app(&identity.connection.waba_id, &identity.token)
        .await
    {
        tracing::warn!(
            connection_id = identity.connection.id.0,
            error = ?e,
            "could not unsubscribe the app from the number's WhatsApp Business Account"
        );
    }
}

/// Logs a change of the connection in the activity log.
async fn log_change(
    conn: &mut diesel_async::AsyncMysqlConnection,
    app: &App,
    business_id: BusinessId,
    actor: &Actor,
    kind: ActivityKind,
    summary: String,
) {
    let entry = Entry::new(kind, Some(Subject::business(business_id)), summary);
    activity::record_quietly(conn, &app.events, business_id, actor, entry).await;
}

/// The business's connection (connected, else the latest), `None` if never connected.
pub async fn current(app: &App, business_id: BusinessId) -> AppResult<Option<WhatsAppConnection>> {
    let mut conn = app.db().await?;
    Ok(model::current(&mut conn, business_id.0).await?)
}

/// The callback URL and verify token for Meta's webhook settings.
pub fn webhook_setup(app: &App) -> WebhookSetup {
    WebhookSetup {
        callback_url: app.config.webhook_url(),
        verify_token: app.config.meta_verify_token.expose_secret().to_string(),
    }
}

/// A connected number and the token to call Meta with: the server's system token when
/// `META_SYSTEM_TOKEN` is set, else the business's own.
pub struct SendingIdentity {
    /// The connection.
    pub connection: WhatsAppConnection,
    /// The bearer token.
    pub token: SecretString,
}

impl std::fmt::Debug for SendingIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendingIdentity")
            .field("connection", &self.connection.id)
            .field("token", &"[REDACTED]")
            .finish()
    }
}

/// Why there is no identity to send with.
#[derive(Debug)]
pub enum IdentityError {
    /// The business has no connected number (never connected, or disconnected).
    NotConnected,
    /// Anything else (database, a token that cannot be decrypted).
    Failed(AppError),
}

impl From<AppError> for IdentityError {
    fn from(e: AppError) -> Self {
        IdentityError::Failed(e)
    }
}

impl From<IdentityError> for AppError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::NotConnected => AppError::BadRequest(
                "WhatsApp is not connected: connect a number in Settings before sending".into(),
            ),
            IdentityError::Failed(e) => e,
        }
    }
}

/// The identity outbound calls use, or [`IdentityError::NotConnected`] when no number
/// is connected.
pub async fn sending_identity(
    app: &App,
    business_id: BusinessId,
) -> Result<SendingIdentity, IdentityError> {
    let mut conn = app.db().await?;
    let (connection, sealed) = model::connected(&mut conn, business_id.0)
        .await
        .map_err(AppError::from)?
        .ok_or(IdentityError::NotConnected)?;
    let token = match &app.config.meta_system_token {
        Some(system) => system.clone(),
        None => {
            let owner = crypto::SealedFor::access_token(&connection.phone_number_id);
            let opened = crypto::decrypt(&app.config.data_keys(), &sealed, &owner)
                .ok_or_else(|| {
                    AppError::Internal(anyhow::anyhow!(
                        "the access token of connection {} cannot be decrypted with DATA_KEY or DATA_KEY_PREVIOUS (or was copied from another row)",
                        connection.id
                    ))
                })?;
            SecretString::from(opened.plaintext)
        }
    };
    Ok(SendingIdentity { connection, token })
}
