//! `/signup`

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::Currency;
use shared::legal::POLICY_VERSION;
use shared::validation::validate_sign_up;

use crate::client::NewAccount;
use crate::components::feedback::Banner;
use crate::components::forms::{Field, FormErrors, FormHint, SubmitButton, TextField};
use crate::components::layout::AuthCard;
use crate::components::locale::{COUNTRIES, browser_time_zone, currency_codes, currency_of};
use crate::contexts::session::use_session;
use crate::routes::AppRoute;

/// Business types offered as suggestions; any text is accepted.
const BUSINESS_TYPES: &[&str] = &[
    "Fashion",
    "Beauty",
    "Electronics",
    "Food & drinks",
    "Furniture",
    "Groceries",
    "Health",
    "Home & garden",
    "Jewellery",
    "Phones & accessories",
];

/// The sign-up form, validated as the user types with `shared`'s sign-up rules.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let session = use_session();
    let business_name = RwSignal::new(String::new());
    let business_type = RwSignal::new(String::new());
    let country = RwSignal::new(String::new());
    let currency = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let accepted = RwSignal::new(false);
    let confirmed = RwSignal::new(false);
    let errors = FormErrors::new(
        &[
            "businessName",
            "businessType",
            "country",
            "currency",
            "email",
            "password",
            "acceptedPolicyVersion",
            "confirmedAuthorisedAndOver16",
        ],
        move || {
            let mut errors = validate_sign_up(
                &business_name.read(),
                &business_type.read(),
                &country.read(),
                &email.read(),
                &password.read(),
            )
            .err()
            .unwrap_or_default();
            let currency = currency.read();
            if !currency.trim().is_empty() && Currency::parse(&currency).is_none() {
                errors.add("currency", "must be a three-letter currency code, e.g. NGN");
            }
            if !accepted.get() {
                errors.add(
                    "acceptedPolicyVersion",
                    "please accept the privacy policy and terms",
                );
            }
            if !confirmed.get() {
                errors.add(
                    "confirmedAuthorisedAndOver16",
                    "please confirm you may act for the business and are over 16",
                );
            }
            errors
        },
    );
    let sign_up = errors.mutation(
        |client, account: NewAccount| async move { client.sign_up(account).await },
        move |auth| session.sign_in(auth),
    );

    // Choosing a country suggests its currency until the user types one themselves.
    let on_country = move |ev| {
        let code = event_target_value(&ev);
        if !errors.was_touched("currency")
            && let Some(suggested) = currency_of(&code)
        {
            currency.set(suggested.to_string());
        }
        country.set(code);
        errors.touch("country");
    };

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        errors.submit(sign_up, || {
            let currency = currency.get_untracked();
            NewAccount {
                business_name: business_name.get_untracked(),
                business_type: business_type.get_untracked(),
                country: country.get_untracked(),
                currency: Currency::parse(&currency).map(|c| c.code().to_string()),
                time_zone: browser_time_zone(),
                email: email.get_untracked(),
                password: password.get_untracked(),
                accepted_policy_version: POLICY_VERSION.to_string(),
                confirmed_authorised_and_over_16: confirmed.get_untracked(),
            }
        });
    };

    let country_error = errors.message("country");
    let accepted_error = errors.message("acceptedPolicyVersion");
    let confirmed_error = errors.message("confirmedAuthorisedAndOver16");
    view! {
        <AuthCard
            title="Create your account"
            subtitle="Set up your business and let the AI start selling on WhatsApp."
        >
            <form class="form" on:submit=submit novalidate=true data-testid="signup-form">
                <TextField
                    label="Business name"
                    id="signup-business-name"
                    field="businessName"
                    value=business_name
                    errors=errors
                    autocomplete="organization"
                    placeholder="Ada's Boutique"
                />
                <div class="field-row">
                    <TextField
                        label="Business type"
                        id="signup-business-type"
                        field="businessType"
                        value=business_type
                        errors=errors
                        placeholder="Fashion"
                        list="business-types"
                    />
                    <Field label="Country" input_id="signup-country" error=country_error>
                        <select
                            class="input"
                            id="signup-country"
                            name="signup-country"
                            data-testid="signup-country"
                            aria-invalid=move || country_error.with(Option::is_some).to_string()
                            prop:value=move || country.get()
                            on:change=on_country
                        >
                            <option value="">"Choose a country"</option>
                            {COUNTRIES
                                .iter()
                                .map(|c| view! { <option value=c.code>{c.name}</option> })
                                .collect_view()}
                        </select>
                    </Field>
                </div>
                <TextField
                    label="Currency"
                    id="signup-currency"
                    field="currency"
                    value=currency
                    errors=errors
                    placeholder="NGN"
                    list="currency-codes"
                    hint="Prices of new products start in this currency."
                />
                <TextField
                    label="Email"
                    id="signup-email"
                    field="email"
                    value=email
                    errors=errors
                    input_type="email"
                    autocomplete="email"
                    placeholder="you@business.com"
                />
                <TextField
                    label="Password"
                    id="signup-password"
                    field="password"
                    value=password
                    errors=errors
                    input_type="password"
                    autocomplete="new-password"
                    hint="At least 8 characters."
                />
                <label class="field checkbox-field">
                    <input
                        type="checkbox"
                        data-testid="signup-accept-policies"
                        prop:checked=move || accepted.get()
                        on:change=move |ev| {
                            accepted.set(event_target_checked(&ev));
                            errors.touch("acceptedPolicyVersion");
                        }
                    />
                    " I have read and accept the "
                    <A href=AppRoute::Privacy.path() attr:target="_blank">"privacy policy"</A>
                    " and the "
                    <A href=AppRoute::Terms.path() attr:target="_blank">"terms"</A>
                    "."
                </label>
                {move || accepted_error.get().map(|e| view! { <p class="field-error" data-testid="signup-accept-policies-error">{e}</p> })}
                <label class="field checkbox-field">
                    <input
                        type="checkbox"
                        data-testid="signup-confirm-authorised"
                        prop:checked=move || confirmed.get()
                        on:change=move |ev| {
                            confirmed.set(event_target_checked(&ev));
                            errors.touch("confirmedAuthorisedAndOver16");
                        }
                    />
                    " I am authorised to act for this business and I am over 16."
                </label>
                {move || confirmed_error.get().map(|e| view! { <p class="field-error" data-testid="signup-confirm-authorised-error">{e}</p> })}
                <datalist id="business-types">
                    {BUSINESS_TYPES.iter().map(|t| view! { <option value=*t></option> }).collect_view()}
                </datalist>
                <datalist id="currency-codes">
                    {currency_codes()
                        .into_iter()
                        .map(|code| view! { <option value=code></option> })
                        .collect_view()}
                </datalist>
                <Banner message=errors.banner testid="signup-error" />
                <SubmitButton save=sign_up errors=errors testid="signup-submit" label="Create account" busy_label="Creating your account…" class="btn btn-primary btn-block" />
                <FormHint errors=errors />
            </form>
            <p class="auth-switch">
                "Already have an account? " <A href=AppRoute::LogIn.path() attr:data-testid="login-link">
                    "Log in"
                </A>
            </p>
        </AuthCard>
    }
}
