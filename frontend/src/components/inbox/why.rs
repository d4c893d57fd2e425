//! "Why?" on an AI reply: the catalog rows and prices it used, its tool calls, the
//! output check's verdict, the model and the prompt version.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::client::{ClientError, ReplyExplanation};
use crate::components::feedback::Spinner;
use crate::contexts::session::use_session;

/// A "Why?" button that opens the explanation of the AI reply `message_id`.
#[component]
pub fn WhyThisReply(message_id: String) -> impl IntoView {
    let session = use_session();
    let open = RwSignal::new(false);
    let loaded = RwSignal::new(None::<Result<ReplyExplanation, ClientError>>);
    let toggle = move |_| {
        let opening = !open.get_untracked();
        open.set(opening);
        if opening && loaded.get_untracked().is_none() {
            let client = session.client();
            let id = message_id.clone();
            spawn_local(async move {
                let result = client.why_this_reply(&id).await;
                loaded.try_set(Some(result));
            });
        }
    };
    view! {
        <button class="link-button why-button" data-testid="why-button" on:click=toggle>
            {move || if open.get() { "Hide why" } else { "Why?" }}
        </button>
        <Show when=move || open.get()>
            <div class="why-panel" data-testid="why-panel">
                {move || match loaded.get() {
                    None => view! { <Spinner label="Loading the explanation" /> }.into_any(),
                    Some(Err(e)) => view! { <p class="field-error">{e.to_string()}</p> }.into_any(),
                    Some(Ok(w)) => view! { <Explanation w=w /> }.into_any(),
                }}
            </div>
        </Show>
    }
}

#[component]
fn Explanation(w: ReplyExplanation) -> impl IntoView {
    let who = match (&w.model, w.responder.as_str()) {
        (Some(model), "model") => format!("Written by {model} (prompt {})", w.prompt_version),
        _ => format!(
            "Written by the built-in responder: {}",
            w.fallback_reason
                .clone()
                .unwrap_or_else(|| "catalog facts only".into())
        ),
    };
    let verdict = if w.guard_verdict == "blocked" {
        format!(
            "Price check: blocked {} and replaced the text",
            w.blocked_amounts.join(", ")
        )
    } else {
        "Price check: passed (no price below your floors)".to_string()
    };
    view! {
        <p data-testid="why-who">{who}</p>
        <p data-testid="why-verdict">{verdict}</p>
        {w.handed_off.then(|| view! { <p>"It handed the chat to you."</p> })}
        {(!w.products.is_empty()).then(|| view! {
            <table class="why-products" data-testid="why-products">
                <thead>
                    <tr><th>"Product"</th><th>"Price"</th><th>"Offer"</th><th>"Floor"</th><th>"Stock"</th></tr>
                </thead>
                <tbody>
                    {w.products.iter().map(|p| view! {
                        <tr>
                            <td>{p.name.clone()}</td>
                            <td>{p.price.clone()}</td>
                            <td>{p.discounted.clone()}</td>
                            <td>{p.floor.clone()}</td>
                            <td>{p.quantity}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {(!w.tool_calls.is_empty()).then(|| view! {
            <ol class="why-tools" data-testid="why-tools">
                {w.tool_calls.iter().map(|t| view! {
                    <li>
                        <code>{t.name.clone()}</code>
                        {t.is_error.then_some(" (refused)")}
                        <div class="why-json">{format!("asked {} → {}", t.input, t.result)}</div>
                    </li>
                }).collect_view()}
            </ol>
        })}
    }
}
