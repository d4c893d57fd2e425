//! `/welcome`: the last step of sign-up, connecting the WhatsApp number (Meta's login,
//! with the choice to keep the WhatsApp Business app on it), or skipping it for later
//! (Settings has the same card).

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::whatsapp::WhatsAppSection;
use crate::routes::AppRoute;

/// The sign-up's last step.
#[component]
pub fn WelcomePage() -> impl IntoView {
    view! {
        <div class="page page-narrow" data-testid="welcome">
            <header class="page-header">
                <div>
                    <p class="muted">"Last step"</p>
                    <h1 class="page-title">"Connect your WhatsApp number"</h1>
                    <p class="muted">
                        "Connect the number your customers write to, with your Meta login. "
                        "Already answering them in the WhatsApp Business app? Keep it: choose "
                        "that number, and what you type on the phone appears here too."
                    </p>
                </div>
            </header>
            <WhatsAppSection />
            <div class="form-footer">
                <span class="muted">"You can connect or change the number later in Settings."</span>
                <A href=AppRoute::Home.path() attr:class="btn btn-primary" attr:data-testid="welcome-continue">
                    "Continue to your dashboard"
                </A>
            </div>
        </div>
    }
}
