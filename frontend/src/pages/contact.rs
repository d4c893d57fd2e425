//! `/contact`: the contact form, open to everyone.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::FieldErrors;
use shared::legal::CONTACT_MESSAGE_MAX_CHARS;
use shared::validation::{check_length, is_plausible_email};

use crate::components::feedback::Banner;
use crate::components::forms::{FormErrors, SubmitButton, TextField};
use crate::components::layout::AuthCard;
use crate::pages::legal::LegalLinks;

/// Name, e-mail and message; a confirmation once stored.
#[component]
pub fn ContactPage() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let sent = RwSignal::new(false);
    let errors = FormErrors::new(&["name", "email", "message"], move || {
        let mut errors = FieldErrors::default();
        check_length(&mut errors, "name", &name.read(), 1, 120);
        if !email.with(|e| is_plausible_email(e)) {
            errors.add("email", "must be a valid email address");
        }
        check_length(
            &mut errors,
            "message",
            &message.read(),
            1,
            CONTACT_MESSAGE_MAX_CHARS,
        );
        errors
    });
    let send = errors.mutation(
        |client, (name, email, message): (String, String, String)| async move {
            client.submit_contact_form(name, email, message).await
        },
        move |()| {
            message.set(String::new());
            sent.set(true);
        },
    );
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        sent.set(false);
        errors.submit(send, || {
            (
                name.get_untracked(),
                email.get_untracked(),
                message.get_untracked(),
            )
        });
    };
    let message_error = errors.message("message");
    view! {
        <AuthCard title="Contact us" subtitle="Questions, support, or a request about your data: we answer by e-mail.">
            <form class="form" on:submit=submit novalidate=true data-testid="contact-form">
                <TextField label="Your name" id="contact-name" field="name" value=name errors=errors autocomplete="name" />
                <TextField label="Email" id="contact-email" field="email" value=email errors=errors input_type="email" autocomplete="email" />
                <div class="field">
                    <label class="field-label" for="contact-message">"Message"</label>
                    <textarea
                        id="contact-message"
                        class="input"
                        rows="6"
                        maxlength=CONTACT_MESSAGE_MAX_CHARS.to_string()
                        data-testid="contact-message"
                        prop:value=move || message.get()
                        on:input=move |ev| message.set(event_target_value(&ev))
                        on:blur=move |_| errors.touch("message")
                    ></textarea>
                    {move || message_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
                </div>
                <Banner message=errors.banner testid="contact-error" />
                <SubmitButton save=send errors=errors testid="contact-submit" label="Send" busy_label="Sending…" class="btn btn-primary btn-block" />
            </form>
            <Show when=move || sent.get()>
                <p class="banner banner-success" role="status" data-testid="contact-sent">
                    "Thank you: your message was received."
                </p>
            </Show>
            <LegalLinks />
        </AuthCard>
    }
}
