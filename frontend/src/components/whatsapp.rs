//! The WhatsApp part of the settings page: connect a number with Meta's login (Embedded
//! Signup, a new number or the WhatsApp Business app's own: coexistence), see its
//! health (last webhook, last error, why Meta disconnected it), disconnect it. Pasting
//! ids and a system-user token stays as the advanced path; the webhook details are
//! shown only on servers without Embedded Signup (there the owner runs the Meta app).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::phone::normalize_phone;
use shared::{ConnectionStatus, FieldErrors};

use crate::client::meta_sdk::embedded_signup;
use crate::client::{
    NewConnection, SignupSetup, WebhookSetup, WhatsAppConnection, WhatsAppSettings,
};
use crate::components::feedback::{Banner, LoadError, Spinner};
use crate::components::forms::{FormErrors, SubmitButton, TextField};
use crate::components::inbox::format::date_time;
use crate::components::mutation::Mutation;
use crate::contexts::session::use_session;

/// Loads the connection and webhook details, then shows both cards.
#[component]
pub fn WhatsAppSection() -> impl IntoView {
    let session = use_session();
    let settings = session.resource(|client| async move { client.whatsapp_settings().await });
    view! {
        <Suspense fallback=|| view! { <Spinner label="Loading WhatsApp settings" /> }>
            {move || settings.get().map(|result| match result {
                Ok(WhatsAppSettings { connection, webhook, signup }) => {
                    let show_webhook = signup.is_none();
                    view! {
                        <ConnectionCard initial=connection signup=signup />
                        {show_webhook.then(|| view! { <WebhookCard webhook=webhook /> })}
                    }.into_any()
                }
                Err(error) => view! {
                    <LoadError error=error on_retry=Callback::new(move |()| settings.refetch()) />
                }.into_any(),
            })}
        </Suspense>
    }
}

/// The connection: its details when connected, the ways to connect otherwise.
#[component]
fn ConnectionCard(
    initial: Option<WhatsAppConnection>,
    signup: Option<SignupSetup>,
) -> impl IntoView {
    let connection = RwSignal::new(initial);
    let connected = move || {
        connection.with(|c| {
            c.as_ref()
                .is_some_and(|c| c.status == ConnectionStatus::Connected)
        })
    };
    view! {
        <section class="card" data-testid="settings-whatsapp">
            <div class="card-heading">
                <h2 class="card-title">"WhatsApp"</h2>
                {move || {
                    let (class, text, status) = if connected() {
                        ("badge badge-accent", "Connected", "connected")
                    } else if connection.with(Option::is_some) {
                        ("badge badge-warning", "Disconnected", "disconnected")
                    } else {
                        ("badge", "Not connected", "none")
                    };
                    view! { <span class=class data-testid="settings-wa-status" data-status=status>{text}</span> }
                }}
            </div>
            {move || if connected() {
                connection.get().map(|c| view! { <ConnectionDetails connection=c on_change=connection /> }.into_any())
            } else {
                let previous = connection.get_untracked();
                let reason = previous.as_ref().and_then(|c| c.disconnect_reason.clone());
                Some(match signup.clone() {
                    Some(setup) => view! {
                        {reason.map(|r| view! { <p class="banner banner-warning" data-testid="settings-wa-disconnect-reason">{format!("Meta disconnected your number: {r}.")}</p> })}
                        <MetaConnect setup=setup on_connected=connection />
                        <details class="advanced" data-testid="settings-wa-advanced">
                            <summary>"Advanced: use an existing system-user token"</summary>
                            <ConnectForm previous=previous on_connected=connection />
                        </details>
                    }.into_any(),
                    None => view! {
                        {reason.map(|r| view! { <p class="banner banner-warning" data-testid="settings-wa-disconnect-reason">{format!("Meta disconnected your number: {r}.")}</p> })}
                        <ConnectForm previous=previous on_connected=connection />
                    }.into_any(),
                })
            }}
        </section>
    }
}

/// One labelled value of the connection.
#[component]
fn Detail(
    #[prop(into)] label: String,
    #[prop(into)] value: String,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    view! {
        <div class="detail">
            <dt>{label}</dt>
            <dd data-testid=(!testid.is_empty()).then_some(testid)>{value}</dd>
        </div>
    }
}

/// What is connected, how healthy it is, and the disconnect button.
#[component]
fn ConnectionDetails(
    connection: WhatsAppConnection,
    on_change: RwSignal<Option<WhatsAppConnection>>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let disconnect_number = Mutation::reporting(
        error,
        |client, ()| async move { client.disconnect_whatsapp().await },
        move |updated| {
            on_change.try_set(Some(updated));
        },
    );
    let working = move || disconnect_number.pending();
    let disconnect = move |_| {
        error.set(None);
        disconnect_number.dispatch(());
    };
    let webhook_health = match (&connection.last_webhook_at, &connection.last_webhook_error) {
        (None, _) if connection.via_meta_login => (
            "health health-waiting",
            "No message received yet: send your number a WhatsApp message to see it arrive.",
        ),
        (None, _) => (
            "health health-waiting",
            "No webhook received yet: finish the webhook setup below, then send your number a message.",
        ),
        (Some(_), Some(_)) => (
            "health health-error",
            "The last webhook had a problem: see the error below.",
        ),
        (Some(_), None) => ("health health-ok", "Meta is delivering messages."),
    };
    view! {
        <p class=webhook_health.0 data-testid="settings-wa-health">{webhook_health.1}</p>
        <dl class="details">
            <Detail label="Display number" value=connection.display_phone_number.clone() testid="settings-wa-display-number" />
            <Detail label="Verified name" value=connection.verified_name.clone().unwrap_or_else(|| "Not verified yet".into()) testid="settings-wa-verified-name" />
            <Detail label="Phone number ID" value=connection.phone_number_id.clone() />
            <Detail label="WhatsApp Business Account ID" value=connection.waba_id.clone() />
            <Detail label="Access token" value=connection.access_token_hint.clone() testid="settings-wa-token-hint" />
            <Detail
                label="Connected"
                value=match (connection.via_meta_login, connection.coexistence) {
                    (true, true) => "With Meta, keeping the WhatsApp Business app",
                    (true, false) => "With Meta, a number for this service",
                    (false, _) => "With a system-user token",
                }
                testid="settings-wa-onboarding"
            />
            {connection.coexistence.then(|| view! {
                <Detail
                    label="Past chats from the app"
                    value=match connection.history_progress {
                        None => "Waiting for your phone to share them".to_string(),
                        Some(100) => "All imported".to_string(),
                        Some(p) => format!("{p} % imported"),
                    }
                    testid="settings-wa-history"
                />
            })}
            <Detail label="Connected since" value=date_time(&connection.connected_at) testid="settings-wa-connected-at" />
            <Detail
                label="Last webhook received"
                value=connection.last_webhook_at.as_deref().map(date_time).unwrap_or_else(|| "Never".into())
                testid="settings-wa-last-webhook"
            />
            <Detail
                label="Last webhook error"
                value=connection.last_webhook_error.clone().unwrap_or_else(|| "None".into())
                testid="settings-wa-last-webhook-error"
            />
        </dl>
        <div class="action-row danger-zone-row">
            <div>
                <p class="action-title">"Disconnect this number"</p>
                <p class="muted">
                    "Stops sending and receiving on this number: the AI, follow-ups and your replies stop, and incoming messages are no longer taken in. Dashboard sessions tied to it are signed out (you may have to log in again). Chats, messages and orders are kept."
                </p>
            </div>
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <button class="btn btn-danger-outline" type="button" data-testid="settings-wa-disconnect" on:click=move |_| confirming.set(true)>
                        "Disconnect"
                    </button>
                }
            >
                <div class="confirm" role="group" aria-label="Confirm disconnect">
                    <span>"Disconnect WhatsApp?"</span>
                    <button class="btn btn-danger" type="button" data-testid="settings-wa-disconnect-confirm" disabled=working on:click=disconnect>
                        {move || if working() { "Disconnecting…" } else { "Yes, disconnect" }}
                    </button>
                    <button class="btn btn-secondary" type="button" data-testid="settings-wa-disconnect-cancel" disabled=working on:click=move |_| confirming.set(false)>
                        "Cancel"
                    </button>
                </div>
            </Show>
        </div>
        <Banner message=error testid="settings-wa-error" />
    }
}

/// Connect with Meta: the owner picks a new number or their WhatsApp Business app's
/// number, Meta's window does the rest, the server finishes server to server.
#[component]
fn MetaConnect(
    setup: SignupSetup,
    on_connected: RwSignal<Option<WhatsAppConnection>>,
) -> impl IntoView {
    let session = use_session();
    let coexistence = RwSignal::new(true);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let setup = StoredValue::new(setup);
    let start = move |_| {
        busy.set(true);
        error.set(None);
        let client = session.client();
        let keep_app = coexistence.get_untracked();
        spawn_local(async move {
            let signed_up = embedded_signup(&setup.get_value(), keep_app).await;
            let outcome = match signed_up {
                Ok(result) => client
                    .connect_whatsapp_with_meta(result, keep_app)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            busy.try_set(false);
            match outcome {
                Ok(connection) => {
                    on_connected.try_set(Some(connection));
                }
                Err(message) => {
                    error.try_set(Some(message));
                }
            }
        });
    };
    view! {
        <div class="form" data-testid="settings-wa-meta">
            <p class="muted">
                "Connect your WhatsApp number by signing in with Facebook: Meta asks which business and number, and we do the rest. No developer account needed."
            </p>
            <fieldset class="choice-group">
                <label class="choice">
                    <input
                        type="radio"
                        name="wa-number-kind"
                        data-testid="settings-wa-coexistence"
                        prop:checked=move || coexistence.get()
                        on:change=move |_| coexistence.set(true)
                    />
                    <span>
                        <strong>"The number of my WhatsApp Business app"</strong>
                        <span class="muted">" Keep answering on your phone; your chats appear here too, and the AI stands back in a chat when you reply from the phone."</span>
                    </span>
                </label>
                <label class="choice">
                    <input
                        type="radio"
                        name="wa-number-kind"
                        data-testid="settings-wa-new-number"
                        prop:checked=move || !coexistence.get()
                        on:change=move |_| coexistence.set(false)
                    />
                    <span>
                        <strong>"A new number, only for this service"</strong>
                        <span class="muted">" A number not used in any WhatsApp app."</span>
                    </span>
                </label>
            </fieldset>
            <Banner message=error testid="settings-wa-meta-error" />
            <div class="form-footer">
                <button class="btn btn-primary" type="button" data-testid="settings-wa-meta-connect" disabled=move || busy.get() on:click=start>
                    {move || if busy.get() { "Connecting…" } else { "Connect with Meta" }}
                </button>
            </div>
        </div>
    }
}

/// Meta's ids are long strings of digits.
fn is_meta_id(text: &str) -> bool {
    let text = text.trim();
    (5..=32).contains(&text.len()) && text.chars().all(|c| c.is_ascii_digit())
}

/// The connect form; after a disconnect it starts from the previous ids.
#[component]
fn ConnectForm(
    previous: Option<WhatsAppConnection>,
    on_connected: RwSignal<Option<WhatsAppConnection>>,
) -> impl IntoView {
    let phone_number_id = RwSignal::new(
        previous
            .as_ref()
            .map(|c| c.phone_number_id.clone())
            .unwrap_or_default(),
    );
    let waba_id = RwSignal::new(
        previous
            .as_ref()
            .map(|c| c.waba_id.clone())
            .unwrap_or_default(),
    );
    let display_phone = RwSignal::new(
        previous
            .as_ref()
            .map(|c| c.display_phone_number.clone())
            .unwrap_or_default(),
    );
    let token = RwSignal::new(String::new());
    let errors = FormErrors::new(
        &[
            "phoneNumberId",
            "wabaId",
            "displayPhoneNumber",
            "accessToken",
        ],
        move || {
            let mut errors = FieldErrors::default();
            if !is_meta_id(&phone_number_id.read()) {
                errors.add(
                    "phoneNumberId",
                    "must be the number's ID from Meta (digits only)",
                );
            }
            if !is_meta_id(&waba_id.read()) {
                errors.add(
                    "wabaId",
                    "must be the WhatsApp Business Account ID (digits only)",
                );
            }
            if normalize_phone(&display_phone.read()).is_none() {
                errors.add(
                    "displayPhoneNumber",
                    "must be a phone number with its country code, e.g. +234 803 123 4567",
                );
            }
            if token.read().trim().len() < 20 {
                errors.add("accessToken", "paste the whole access token from Meta");
            }
            errors
        },
    );
    let connect = errors.mutation(
        |client, input: NewConnection| async move { client.connect_whatsapp(input).await },
        move |connection| {
            // The token is not kept in the page once the server has it.
            token.try_set(String::new());
            on_connected.try_set(Some(connection));
        },
    );
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        errors.submit(connect, || NewConnection {
            phone_number_id: phone_number_id.get_untracked(),
            waba_id: waba_id.get_untracked(),
            display_phone_number: display_phone.get_untracked(),
            access_token: token.get_untracked(),
        });
    };
    let disconnected_note = previous
        .as_ref()
        .and_then(|c| c.disconnected_at.as_deref())
        .map(|at| {
            format!(
                "Disconnected on {}. Connect again to resume sending and receiving.",
                date_time(at)
            )
        });

    view! {
        <form class="form" on:submit=submit novalidate=true data-testid="settings-wa-form">
            {disconnected_note.map(|note| view! { <p class="banner banner-warning">{note}</p> })}
            <p class="muted">
                "From your app in Meta for Developers, WhatsApp › API Setup: the phone number ID, the WhatsApp Business Account ID, and a permanent access token (a system user token with the whatsapp_business_messaging permission)."
            </p>
            <div class="field-row">
                <TextField label="Phone number ID" id="settings-wa-phone-number-id" field="phoneNumberId" value=phone_number_id errors=errors inputmode="numeric" placeholder="106540352242922" />
                <TextField label="WhatsApp Business Account ID" id="settings-wa-waba-id" field="wabaId" value=waba_id errors=errors inputmode="numeric" placeholder="102290129340398" />
            </div>
            <TextField label="Display phone number" id="settings-wa-display-phone" field="displayPhoneNumber" value=display_phone errors=errors input_type="tel" autocomplete="tel" placeholder="+234 803 123 4567" />
            <TextField
                label="Access token"
                id="settings-wa-token"
                field="accessToken"
                value=token
                errors=errors
                input_type="password"
                autocomplete="new-password"
                hint="Stored encrypted; only its last characters are ever shown again."
            />
            <div class="form-footer">
                <Banner message=errors.banner testid="settings-wa-error" />
                <SubmitButton save=connect errors=errors testid="settings-wa-connect" label="Connect WhatsApp" busy_label="Connecting…" />
            </div>
        </form>
    }
}

/// A read-only value with a copy button.
#[component]
fn CopyField(#[prop(into)] label: String, value: String, testid: &'static str) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = {
        let value = value.clone();
        move |_| {
            let Some(window) = web_sys::window() else {
                return;
            };
            let promise = window.navigator().clipboard().write_text(&value);
            spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    copied.try_set(true);
                    set_timeout(
                        move || {
                            copied.try_set(false);
                        },
                        std::time::Duration::from_secs(2),
                    );
                }
            });
        }
    };
    view! {
        <div class="field">
            <span class="field-label">{label}</span>
            <div class="copy-field">
                <input class="input mono" readonly=true data-testid=testid prop:value=value.clone() on:focus=|ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        input.select();
                    }
                } />
                <button class="btn btn-secondary" type="button" data-testid=format!("{testid}-copy") on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
        </div>
    }
}

/// The callback URL and verify token for Meta's console, with the steps.
#[component]
fn WebhookCard(webhook: WebhookSetup) -> impl IntoView {
    view! {
        <section class="card" data-testid="settings-webhook">
            <h2 class="card-title">"Webhook setup"</h2>
            <p class="muted">"Meta delivers your customers' messages to this address. Set it once per app:"</p>
            <ol class="steps">
                <li>"In Meta for Developers, open your app › WhatsApp › Configuration."</li>
                <li>"Under Webhook, choose Edit and paste the callback URL and the verify token below, then Verify and save."</li>
                <li>"Under Webhook fields, subscribe to “messages” (it carries messages and delivery statuses)."</li>
                <li>"Send your number a WhatsApp message: “Last webhook received” above should update."</li>
            </ol>
            <CopyField label="Callback URL" value=webhook.callback_url testid="settings-webhook-url" />
            <CopyField label="Verify token" value=webhook.verify_token testid="settings-verify-token" />
        </section>
    }
}
