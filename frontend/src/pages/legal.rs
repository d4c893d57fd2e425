//! `/privacy` and `/terms`: the legal pages, open to everyone. The privacy policy is the
//! list of promises the product keeps (each one is tested); its version is the one
//! sign-up asks the owner to accept ([`shared::legal::POLICY_VERSION`]).

use leptos::prelude::*;
use leptos_router::components::A;
use shared::legal::POLICY_VERSION;

use crate::routes::AppRoute;

/// What we keep and why: one line per promise.
const PRIVACY_PROMISES: &[(&str, &str)] = &[
    (
        "Business profile",
        "Your business name, business type and country.",
    ),
    (
        "WhatsApp connection",
        "Your phone number ID, WhatsApp Business Account ID, display phone number and Meta access token. The token is stored encrypted (bound to its record) and used only to route webhooks and call Meta's API; outbound messages may use the operator's system token instead.",
    ),
    (
        "Catalog",
        "Product names, descriptions, prices, discounts, bargaining floors, stock, colors and product images.",
    ),
    (
        "AI configuration",
        "Your instructions and reply tone, and your own Anthropic API key if you set one (stored encrypted, shown only masked); otherwise the operator's key is used.",
    ),
    (
        "Your dashboard",
        "Orders entered by hand or recorded from chats, completed orders, blacklist entries and the activity log.",
    ),
    (
        "Your session",
        "After you log in, the dashboard keeps its session token in your browser's local storage and sends it with every request; logging out or disconnecting WhatsApp ends it.",
    ),
    (
        "Your customers",
        "Their WhatsApp user ID and profile name, message text and type, times, delivery and read status, and what we infer to sell: product interest, order and delivery details, the negotiation, whether they are blacklisted.",
    ),
    (
        "Routing",
        "Messages from Meta reach your business by the phone number ID they are addressed to.",
    ),
    (
        "AI replies and follow-ups",
        "Replies and scheduled follow-ups are written by the AI salesperson and sent on your number.",
    ),
    (
        "Blacklist and limits",
        "A blacklisted customer gets no AI reply and no follow-up; abuse is limited by rate limits.",
    ),
    (
        "What the AI sees",
        "Only what it needs: recent messages, catalog excerpts, your instructions and pricing rules. Phone numbers and e-mail addresses written in messages are masked before anything is sent to the model provider.",
    ),
    (
        "Secrets",
        "Meta tokens and API keys live in the server's configuration or in encrypted columns, never in logs, and the API shows only a masked hint.",
    ),
    (
        "Your rights",
        "You can export your data, correct it, delete a customer's data on request, pause processing (AI off per chat or for the business) and delete your account; a retention setting removes old messages.",
    ),
    (
        "Disconnecting",
        "Disconnecting WhatsApp stops sending and receiving on that number and ends your dashboard sessions; your records stay until you ask for their deletion.",
    ),
    (
        "Contact",
        "The contact form and these pages are part of the app; write to us any time.",
    ),
];

/// The terms, one paragraph per rule.
const TERMS: &[(&str, &str)] = &[
    (
        "Who may sign up",
        "You must be over 16 and authorised to act for the business you register.",
    ),
    (
        "Your WhatsApp number",
        "You connect a number you are allowed to use and follow Meta's WhatsApp Business policies, including its rules on business-specific AI.",
    ),
    (
        "Your customers",
        "You answer for the messages sent to your customers, honour their opt-outs (we blacklist \"STOP\" automatically) and tell them how you handle their data.",
    ),
    (
        "Prices and orders",
        "The AI quotes your catalog and never agrees below the floors you set; you remain responsible for your prices, stock and deliveries.",
    ),
    (
        "Fair use",
        "Rate limits and daily AI budgets apply; do not probe, overload or misuse the service or other businesses' data.",
    ),
    (
        "Ending",
        "You can delete your account at any time; we may suspend accounts that break these terms.",
    ),
];

/// A legal page: a heading, its version and its sections.
#[component]
fn LegalPage(
    title: &'static str,
    intro: &'static str,
    sections: &'static [(&'static str, &'static str)],
    testid: &'static str,
) -> impl IntoView {
    view! {
        <div class="page page-narrow" data-testid=testid>
            <header class="page-header">
                <div>
                    <h1 class="page-title">{title}</h1>
                    <p class="muted">{format!("Version {POLICY_VERSION}. {intro}")}</p>
                </div>
            </header>
            <section class="card">
                {sections
                    .iter()
                    .map(|(heading, text)| view! {
                        <h2 class="card-title">{*heading}</h2>
                        <p>{*text}</p>
                    })
                    .collect_view()}
            </section>
            <LegalLinks />
        </div>
    }
}

/// Links between the public pages.
#[component]
pub fn LegalLinks() -> impl IntoView {
    view! {
        <nav class="legal-links" data-testid="legal-links">
            <A href=AppRoute::Privacy.path()>"Privacy policy"</A>
            " · "
            <A href=AppRoute::Terms.path()>"Terms"</A>
            " · "
            <A href=AppRoute::Contact.path()>"Contact"</A>
            " · "
            <A href=AppRoute::LogIn.path()>"Log in"</A>
        </nav>
    }
}

/// `/privacy`
#[component]
pub fn PrivacyPage() -> impl IntoView {
    view! {
        <LegalPage
            title="Privacy policy"
            intro="What WhatsApp AI Sales keeps about your business and your customers, and what it promises."
            sections=PRIVACY_PROMISES
            testid="privacy-page"
        />
    }
}

/// `/terms`
#[component]
pub fn TermsPage() -> impl IntoView {
    view! {
        <LegalPage
            title="Terms of service"
            intro="The rules of using WhatsApp AI Sales."
            sections=TERMS
            testid="terms-page"
        />
    }
}
