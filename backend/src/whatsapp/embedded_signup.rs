//! Connecting through Meta's Embedded Signup: what the dashboard needs to start Meta's
//! login, and the steps after it (exchange the code, check the number, subscribe the
//! operator's app, register the number or ask for a coexistence sync, store the
//! connection), each failure named by its step and the subscription undone.

use secrecy::{ExposeSecret, SecretString};
use shared::BusinessId;

use super::{connected, number_names};
use crate::activity::Actor;
use crate::app::App;
use crate::crypto;
use crate::db::whatsapp::{self as model, NewConnection, WhatsAppConnection};
use crate::error::{AppError, AppResult};
use crate::meta::{GraphClient, GraphError};

/// What the dashboard hands over after Meta's Embedded Signup: the authorisation code
/// and the ids from the `WA_EMBEDDED_SIGNUP` message.
#[derive(Clone)]
pub struct EmbeddedSignup {
    /// The one-time authorisation code of `FB.login`.
    pub code: SecretString,
    /// The WhatsApp Business Account the owner chose or created.
    pub waba_id: String,
    /// The number the owner chose.
    pub phone_number_id: String,
    /// The owner keeps using the number in the WhatsApp Business app (coexistence).
    pub coexistence: bool,
}

impl std::fmt::Debug for EmbeddedSignup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedSignup")
            .field("waba_id", &self.waba_id)
            .field("phone_number_id", &self.phone_number_id)
            .field("coexistence", &self.coexistence)
            .finish_non_exhaustive()
    }
}

/// The operator's app for Embedded Signup, when configured (`META_APP_ID` and
/// `META_ES_CONFIG_ID`): what the dashboard needs to start Meta's login.
#[derive(Debug, Clone)]
pub struct SignupSetup {
    /// The operator's Meta app id.
    pub app_id: String,
    /// The Facebook Login for Business configuration id.
    pub config_id: String,
    /// Where the browser loads Meta's JavaScript SDK from.
    pub sdk_url: String,
}

/// The Embedded Signup setup, `None` when the operator has not configured it.
pub fn signup_setup(app: &App) -> Option<SignupSetup> {
    Some(SignupSetup {
        app_id: app.config.meta_app_id.clone()?,
        config_id: app.config.meta_es_config_id.clone()?,
        sdk_url: app.config.meta_sdk_url.clone(),
    })
}

/// A failed Embedded Signup step as the owner reads it (the field is `step`).
fn step_error(step: &str, e: &GraphError) -> AppError {
    let detail = match e {
        GraphError::Api { error, .. } => match (step, error.code, error.error_subcode) {
            ("code", 100, Some(36009)) => {
                "Meta says this sign-in was already used: connect again".to_string()
            }
            ("code", 100, _) => "Meta's sign-in expired or is not valid: connect again".to_string(),
            ("code", 1, _) => {
                tracing::error!("Meta refused the operator's app id or secret (META_APP_ID / META_APP_SECRET)");
                "the server's Meta app is misconfigured: tell the operator".to_string()
            }
            (_, 190, _) => "Meta did not accept the business token it issued: connect again".to_string(),
            (_, 10 | 200 | 294, _) => {
                "the permissions were not granted in Meta's window: connect again and allow WhatsApp access".to_string()
            }
            ("register", 133005 | 133006, _) => {
                "this number is protected by a two-step verification PIN set elsewhere: remove it in WhatsApp Manager, or connect it as a WhatsApp Business app number".to_string()
            }
            ("register", 133015 | 133016, _) => {
                "this number was registered too many times recently: try again later".to_string()
            }
            (_, 100 | 803, _) => {
                "Meta has no such number or account for this sign-in: connect again".to_string()
            }
            (_, code, _) => format!("Meta refused it (error {code})"),
        },
        GraphError::Status(status) => format!("Meta answered HTTP {status}: try again"),
        GraphError::Transport(_) => "Meta could not be reached: try again".to_string(),
    };
    let what = match step {
        "code" => "signing in with Meta",
        "number" => "reading the number",
        "subscribe" => "subscribing to the number's messages",
        "register" => "registering the number for the API",
        _ => "connecting",
    };
    tracing::warn!(step, error = ?e, "Embedded Signup step failed");
    AppError::invalid("step", format!("{what} failed: {detail}"))
}

/// A random six-digit two-step verification pin.
fn new_pin() -> SecretString {
    use rand::Rng;
    SecretString::from(format!(
        "{:06}",
        rand::thread_rng().gen_range(0..1_000_000u32)
    ))
}

/// Connects the number an owner chose in Meta's Embedded Signup (module docs).
pub async fn connect_with_meta(
    app: &App,
    business_id: BusinessId,
    actor: &Actor,
    signup: EmbeddedSignup,
) -> AppResult<WhatsAppConnection> {
    let Some(setup) = signup_setup(app) else {
        return Err(AppError::BadRequest(
            "connecting with Meta is not set up on this server (META_APP_ID, META_ES_CONFIG_ID)"
                .into(),
        ));
    };
    let is_id = |s: &str| !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_digit());
    let waba_id = signup.waba_id.trim();
    let phone_number_id = signup.phone_number_id.trim();
    let code = signup.code.expose_secret().trim();
    if !is_id(waba_id) || !is_id(phone_number_id) {
        return Err(AppError::invalid(
            "step",
            "Meta's window did not report a WhatsApp account and number: connect again and finish every step",
        ));
    }
    if code.is_empty() || code.len() > 2048 {
        return Err(AppError::invalid(
            "step",
            "Meta's window gave no sign-in code: connect again",
        ));
    }
    {
        let mut conn = app.db().await?;
        if model::number_owned_by_other(&mut conn, phone_number_id, business_id.0).await? {
            return Err(AppError::invalid(
                "step",
                "this number is already connected to another account",
            ));
        }
    }
    let graph = GraphClient::new(&app.http, &app.config.meta_graph_url);
    let token = graph
        .exchange_code(&setup.app_id, &app.config.meta_app_secret, code)
        .await
        .map_err(|e| step_error("code", &e))?;
    let info = graph
        .phone_number(phone_number_id, &token)
        .await
        .map_err(|e| step_error("number", &e))?;
    graph
        .subscribe_app(waba_id, &token)
        .await
        .map_err(|e| step_error("subscribe", &e))?;
    // From here on a failure undoes the subscription, unless another business of ours
    // receives this WABA's messages through it.
    let undo = async |error: AppError| {
        let shared = match app.db().await {
            Ok(mut conn) => model::waba_used_by_other(&mut conn, waba_id, business_id.0)
                .await
                .unwrap_or(true),
            Err(_) => true,
        };
        if !shared && let Err(e) = graph.unsubscribe_app(waba_id, &token).await {
            tracing::warn!(error = ?e, "could not undo the webhook subscription of a failed connection");
        }
        Err(error)
    };
    let pin = (!signup.coexistence).then(new_pin);
    if let Some(pin) = &pin
        && let Err(e) = graph.register(phone_number_id, &token, pin).await
    {
        return undo(step_error("register", &e)).await;
    }
    let (display, verified_name) = number_names(info, phone_number_id);
    let sealed = crypto::encrypt(
        &app.config.data_key,
        token.expose_secret(),
        &crypto::SealedFor::access_token(phone_number_id),
    );
    let sealed_pin = pin.as_ref().map(|p| {
        crypto::encrypt(
            &app.config.data_key,
            p.expose_secret(),
            &crypto::SealedFor::registration_pin(phone_number_id),
        )
    });
    let hint = crypto::mask_secret(token.expose_secret());
    let stored = async {
        let mut conn = app.db().await?;
        let outcome = model::connect(
            &mut conn,
            business_id.0,
            &NewConnection {
                phone_number_id,
                waba_id,
                display_phone_number: &display,
                verified_name: verified_name.as_deref(),
                access_token_enc: &sealed,
                access_token_hint: &hint,
                onboarding: model::ONBOARDING_EMBEDDED_SIGNUP,
                coexistence: signup.coexistence,
                registration_pin_enc: sealed_pin.as_deref(),
            },
        )
        .await?;
        connected(app, &mut conn, business_id, actor, outcome).await
    }
    .await;
    let connection = match stored {
        Ok(c) => c,
        Err(e) => return undo(e).await,
    };
    if signup.coexistence {
        // The phone's contacts first, then its past chats; both arrive as webhooks.
        for sync_type in ["smb_app_state_sync", "history"] {
            if let Err(e) = graph.request_sync(phone_number_id, &token, sync_type).await {
                tracing::warn!(sync_type, error = ?e, "coexistence sync request failed; the owner can connect again to retry");
            }
        }
    }
    Ok(connection)
}
