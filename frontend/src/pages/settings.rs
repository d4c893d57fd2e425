//! `/settings`: the business profile, the AI salesperson's settings, order
//! notifications, the WhatsApp connection, the team, security (sessions, password,
//! API tokens) and the data rights (export, message retention, deleting the account).
//! Staff see only their own sessions and password.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::validation::{check_length, is_country_code};
use shared::{Currency, FieldErrors, ReplyTone, Role};

use crate::client::Business;
use crate::components::ai::AiSection;
use crate::components::deal_approvals::ApprovalRuleSection;
use crate::components::feedback::{Banner, LoadError, Spinner};
use crate::components::forms::{Field, FormErrors, SubmitButton, TextField};
use crate::components::locale::{COUNTRIES, browser_time_zone, currency_codes, time_zones};
use crate::components::order_notifications::OrderNotificationsSection;
use crate::components::privacy::PrivacySection;
use crate::components::security::SecuritySection;
use crate::components::team::TeamSection;
use crate::components::whatsapp::WhatsAppSection;
use crate::contexts::session::use_session;

/// How each reply tone is described to the owner.
fn tone_label(tone: ReplyTone) -> &'static str {
    match tone {
        ReplyTone::Friendly => "Friendly: warm and casual",
        ReplyTone::Professional => "Professional: polite and businesslike",
        ReplyTone::Concise => "Concise: short and to the point",
        ReplyTone::Enthusiastic => "Enthusiastic: upbeat and sales-forward",
    }
}

/// Loads the business, then shows the settings form.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let session = use_session();
    let business = session.resource(|client| async move { client.business().await });
    // Staff see their own sessions and password only: the rest is the owner's.
    let is_owner = move || session.user().is_some_and(|u| u.role == Role::Owner);
    view! {
        <div class="page page-narrow">
            <header class="page-header">
                <div>
                    <h1 class="page-title">"Settings"</h1>
                    <p class="muted">"Your business profile, how the AI salesperson behaves, and your WhatsApp number."</p>
                </div>
            </header>
            <Show
                when=is_owner
                fallback=|| view! {
                    <p class="muted" data-testid="settings-owner-only">
                        "The business's settings, its WhatsApp number, the AI key and the team are managed by the owner."
                    </p>
                }
            >
                <Suspense fallback=|| view! { <Spinner label="Loading settings" /> }>
                    {move || {
                        business
                            .get()
                            .map(|result| match result {
                                Ok(loaded) => view! { <SettingsForm business=loaded /> }.into_any(),
                                Err(error) => {
                                    view! {
                                        <LoadError
                                            error=error
                                            on_retry=Callback::new(move |()| business.refetch())
                                        />
                                    }
                                        .into_any()
                                }
                            })
                    }}
                </Suspense>
                <AiSection />
                <OrderNotificationsSection />
                <ApprovalRuleSection />
                <WhatsAppSection />
                <TeamSection />
            </Show>
            <SecuritySection />
            <PrivacySection />
        </div>
    }
}

/// How long the AI stands back after the owner replied from the phone, as offered.
const PHONE_PAUSES: &[(Option<i64>, &str)] = &[
    (
        None,
        "The AI stays off in that chat until you turn it back on",
    ),
    (Some(30), "The AI comes back after 30 minutes"),
    (Some(60), "The AI comes back after 1 hour"),
    (Some(240), "The AI comes back after 4 hours"),
    (Some(720), "The AI comes back after 12 hours"),
    (Some(1440), "The AI comes back after 24 hours"),
];

/// The settings form, filled with `business`.
#[component]
fn SettingsForm(business: Business) -> impl IntoView {
    let session = use_session();
    let id = StoredValue::new(business.id);
    let name = RwSignal::new(business.name);
    let business_type = RwSignal::new(business.business_type);
    let country = RwSignal::new(business.country);
    let currency = RwSignal::new(business.default_currency);
    let ai_enabled = RwSignal::new(business.ai_enabled);
    let ai_instructions = RwSignal::new(business.ai_instructions);
    let reply_tone = RwSignal::new(business.reply_tone);
    let time_zone = RwSignal::new(business.time_zone);
    let phone_pause = RwSignal::new(business.phone_reply_pause_minutes);
    let errors = FormErrors::new(
        &[
            "name",
            "businessType",
            "country",
            "defaultCurrency",
            "aiEnabled",
            "aiInstructions",
            "replyTone",
            "timeZone",
            "phoneReplyPauseMinutes",
        ],
        move || {
            let mut errors = FieldErrors::default();
            check_length(&mut errors, "name", &name.read(), 1, 120);
            check_length(&mut errors, "businessType", &business_type.read(), 1, 80);
            if !is_country_code(&country.read()) {
                errors.add(
                    "country",
                    "must be a two-letter country code, e.g. NG or US",
                );
            }
            if Currency::parse(&currency.read()).is_none() {
                errors.add(
                    "defaultCurrency",
                    "must be a three-letter currency code, e.g. NGN",
                );
            }
            if time_zone.read().trim().is_empty() {
                errors.add("timeZone", "choose a time zone, e.g. Africa/Lagos");
            }
            errors
        },
    );
    errors.show_all();
    let notice = RwSignal::new(None::<String>);
    let save = errors.mutation(
        |client, settings: Business| async move { client.update_business(settings).await },
        move |updated| {
            session.set_business(updated);
            notice.set(Some("Settings saved.".into()));
        },
    );

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let settings = move || Business {
            id: id.get_value(),
            name: name.get_untracked(),
            business_type: business_type.get_untracked(),
            country: country.get_untracked(),
            default_currency: currency.get_untracked(),
            ai_enabled: ai_enabled.get_untracked(),
            ai_instructions: ai_instructions.get_untracked(),
            reply_tone: reply_tone.get_untracked(),
            time_zone: time_zone.get_untracked(),
            phone_reply_pause_minutes: phone_pause.get_untracked(),
        };
        if errors.submit(save, settings) {
            notice.set(None);
        }
    };

    let country_error = errors.message("country");
    let instructions_error = errors.message("aiInstructions");
    let tone_error = errors.message("replyTone");
    // Keep a pause the list does not name selectable.
    let unlisted_pause = phone_pause
        .get_untracked()
        .filter(|m| !PHONE_PAUSES.iter().any(|(p, _)| *p == Some(*m)));
    // Keep a country the list does not name selectable.
    let unlisted_country = {
        let code = country.get_untracked();
        (!COUNTRIES.iter().any(|c| c.code == code) && !code.is_empty()).then_some(code)
    };

    view! {
        <form class="form" on:submit=submit novalidate=true data-testid="settings-form">
            <section class="card">
                <h2 class="card-title">"Business profile"</h2>
                <TextField
                    label="Business name"
                    id="settings-name"
                    field="name"
                    value=name
                    errors=errors
                    autocomplete="organization"
                />
                <TextField
                    label="Business type"
                    id="settings-business-type"
                    field="businessType"
                    value=business_type
                    errors=errors
                />
                <div class="field-row">
                    <Field label="Country" input_id="settings-country" error=country_error>
                        <select
                            class="input"
                            id="settings-country"
                            data-testid="settings-country"
                            prop:value=move || country.get()
                            on:change=move |ev| {
                                country.set(event_target_value(&ev));
                                errors.touch("country");
                            }
                        >
                            {unlisted_country
                                .map(|code| view! { <option value=code.clone()>{code.clone()}</option> })}
                            {COUNTRIES
                                .iter()
                                .map(|c| view! { <option value=c.code>{c.name}</option> })
                                .collect_view()}
                        </select>
                    </Field>
                    <TextField
                        label="Default currency"
                        id="settings-currency"
                        field="defaultCurrency"
                        value=currency
                        errors=errors
                        list="settings-currency-codes"
                        hint="New products start in this currency."
                    />
                </div>
                <datalist id="settings-currency-codes">
                    {currency_codes()
                        .into_iter()
                        .map(|code| view! { <option value=code></option> })
                        .collect_view()}
                </datalist>
                <TextField
                    label="Time zone"
                    id="settings-time-zone"
                    field="timeZone"
                    value=time_zone
                    errors=errors
                    list="settings-time-zones"
                    hint="The home page counts today, 7 and 30 days in this zone."
                />
                {browser_time_zone()
                    .map(|zone| {
                        let label = format!("Use this device's time zone ({zone})");
                        view! {
                            <button
                                type="button"
                                class="btn btn-secondary btn-small"
                                data-testid="settings-time-zone-browser"
                                on:click=move |_| {
                                    time_zone.set(zone.clone());
                                    errors.touch("timeZone");
                                }
                            >
                                {label}
                            </button>
                        }
                    })}
                <datalist id="settings-time-zones">
                    {time_zones()
                        .into_iter()
                        .map(|zone| view! { <option value=zone></option> })
                        .collect_view()}
                </datalist>
            </section>

            <section class="card">
                <h2 class="card-title">"AI salesperson"</h2>
                <label class="switch switch-row">
                    <input
                        type="checkbox"
                        id="settings-ai-enabled"
                        data-testid="settings-ai-enabled"
                        prop:checked=move || ai_enabled.get()
                        on:change=move |ev| ai_enabled.set(event_target_checked(&ev))
                    />
                    <span class="switch-track" aria-hidden="true"></span>
                    <span>
                        <span class="action-title">"Answer customers automatically"</span>
                        <span class="muted block">
                            "When off, nothing is sent automatically: you reply from the inbox."
                        </span>
                    </span>
                </label>
                <Field label="Reply tone" input_id="settings-reply-tone" error=tone_error>
                    <select
                        class="input"
                        id="settings-reply-tone"
                        data-testid="settings-reply-tone"
                        prop:value=move || reply_tone.get().as_str()
                        on:change=move |ev| {
                            if let Some(tone) = ReplyTone::parse(&event_target_value(&ev)) {
                                reply_tone.set(tone);
                            }
                            errors.touch("replyTone");
                        }
                    >
                        {ReplyTone::ALL
                            .iter()
                            .map(|tone| view! { <option value=tone.as_str()>{tone_label(*tone)}</option> })
                            .collect_view()}
                    </select>
                </Field>
                <Field
                    label="When you reply from your phone"
                    input_id="settings-phone-pause"
                    error=errors.message("phoneReplyPauseMinutes")
                    hint="With the WhatsApp Business app kept on the number, a reply you type on the phone makes the AI stand back in that chat."
                >
                    <select
                        class="input"
                        id="settings-phone-pause"
                        data-testid="settings-phone-pause"
                        prop:value=move || phone_pause.get().map(|m| m.to_string()).unwrap_or_default()
                        on:change=move |ev| phone_pause.set(event_target_value(&ev).parse().ok())
                    >
                        {unlisted_pause
                            .map(|m| view! { <option value=m.to_string()>{format!("AI back after {m} minutes")}</option> })}
                        {PHONE_PAUSES
                            .iter()
                            .map(|(minutes, label)| {
                                let value = minutes.map(|m| m.to_string()).unwrap_or_default();
                                view! { <option value=value>{*label}</option> }
                            })
                            .collect_view()}
                    </select>
                </Field>
                <Field
                    label="Instructions for the AI"
                    input_id="settings-ai-instructions"
                    error=instructions_error
                    hint="Delivery areas and fees, payment methods, return policy, opening hours: anything a good salesperson should know."
                >
                    <textarea
                        class="input"
                        id="settings-ai-instructions"
                        data-testid="settings-ai-instructions"
                        rows="6"
                        placeholder="We deliver in Lagos within 2 days (₦2,000). Payment by transfer before delivery."
                        prop:value=move || ai_instructions.get()
                        on:input=move |ev| {
                            ai_instructions.set(event_target_value(&ev));
                            errors.touch("aiInstructions");
                        }
                        on:change=move |ev| {
                            ai_instructions.set(event_target_value(&ev));
                            errors.touch("aiInstructions");
                        }
                    ></textarea>
                </Field>
            </section>

            <div class="form-footer">
                <Banner message=errors.banner testid="settings-error" />
                <Banner message=notice success=true testid="settings-notice" />
                <SubmitButton save=save errors=errors testid="settings-submit" label="Save settings" busy_label="Saving…" />
            </div>
        </form>
    }
}
