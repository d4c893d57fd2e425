//! The AI salesperson part of the settings page: the own Anthropic key, the daily token
//! budget, usage, the last provider error, and the "try it" console.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::client::{AiPreview, AiSettings};
use crate::components::feedback::{Banner, LoadError, Spinner};
use crate::components::mutation::Mutation;
use crate::contexts::session::use_session;

/// Loads the AI settings, then shows the key/budget/usage card and the "try it" console.
#[component]
pub fn AiSection() -> impl IntoView {
    let session = use_session();
    let settings = session.resource(|client| async move { client.ai_settings().await });
    let refetch = Callback::new(move |()| settings.refetch());
    view! {
        <Suspense fallback=|| view! { <Spinner label="Loading AI settings" /> }>
            {move || settings.get().map(|result| match result {
                Ok(current) => view! { <AiCard current=current on_change=refetch /> }.into_any(),
                Err(error) => view! { <LoadError error=error on_retry=refetch /> }.into_any(),
            })}
        </Suspense>
        <TryIt />
    }
}

/// Key, budget, usage and last error.
#[component]
fn AiCard(current: AiSettings, on_change: Callback<()>) -> impl IntoView {
    let key = RwSignal::new(String::new());
    let budget = RwSignal::new(
        current
            .daily_token_budget
            .map(|b| b.to_string())
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let set_key = Mutation::reporting(
        error,
        |client, value: String| async move { client.set_anthropic_key(value).await },
        move |()| on_change.run(()),
    );
    let clear_key = Mutation::reporting(
        error,
        |client, ()| async move { client.clear_anthropic_key().await },
        move |()| on_change.run(()),
    );
    let set_budget = Mutation::reporting(
        error,
        |client, value: Option<i64>| async move { client.set_daily_token_budget(value).await },
        move |()| {
            notice.try_set(Some("Budget saved.".into()));
        },
    );
    let working = move || set_key.pending() || clear_key.pending() || set_budget.pending();

    let save_key = move |_| {
        let value = key.get_untracked();
        if value.trim().is_empty() {
            error.set(Some("Paste your Anthropic API key first.".into()));
            return;
        }
        error.set(None);
        set_key.dispatch(value);
    };
    let remove_key = move |_| {
        error.set(None);
        clear_key.dispatch(());
    };
    let save_budget = move |event: SubmitEvent| {
        event.prevent_default();
        let text = budget.get_untracked();
        let value = match text.trim() {
            "" => None,
            t => match t.parse::<i64>() {
                Ok(n) if n >= 0 => Some(n),
                _ => {
                    error.set(Some(
                        "The budget is a whole number of tokens (empty = no limit).".into(),
                    ));
                    return;
                }
            },
        };
        error.set(None);
        notice.set(None);
        set_budget.dispatch(value);
    };

    let has_key = current.key_hint.is_some();
    let source = if has_key {
        "Your own Anthropic key"
    } else if current.server_key_configured {
        "The service's key"
    } else {
        "No key: replies come from the built-in responder (catalog facts only)"
    };
    let max = current
        .usage_last_7_days
        .iter()
        .map(|u| u.input_tokens + u.output_tokens)
        .max()
        .unwrap_or(0)
        .max(1);
    let today = current.usage_today.input_tokens + current.usage_today.output_tokens;
    view! {
        <section class="card" data-testid="settings-ai">
            <div class="card-heading">
                <h2 class="card-title">"AI salesperson"</h2>
                <span class=if current.model_available { "badge badge-accent" } else { "badge badge-warning" }>
                    {if current.model_available { "Model available" } else { "Built-in responder" }}
                </span>
            </div>
            <p class="muted">"On/off, tone and instructions are in the business form above."</p>
            <p>{source}</p>
            <div class="field">
                <label for="ai-key">"Anthropic API key"</label>
                {current.key_hint.clone().map(|hint| view! {
                    <p>"Current key: " <code data-testid="ai-key-hint">{hint}</code></p>
                })}
                <input
                    id="ai-key"
                    type="password"
                    autocomplete="off"
                    data-testid="ai-key-input"
                    placeholder="sk-ant-..."
                    prop:value=move || key.get()
                    on:input=move |ev| key.set(event_target_value(&ev))
                />
                <div class="actions">
                    <button type="button" class="button" data-testid="ai-key-save" disabled=working on:click=save_key>
                        {if has_key { "Replace key" } else { "Save key" }}
                    </button>
                    {has_key.then(|| view! {
                        <button type="button" class="button button-secondary" data-testid="ai-key-remove" disabled=working on:click=remove_key>
                            "Remove key"
                        </button>
                    })}
                </div>
            </div>
            <form class="field" on:submit=save_budget>
                <label for="ai-budget">"Daily token budget (empty = no limit)"</label>
                <input
                    id="ai-budget"
                    type="number"
                    min="0"
                    data-testid="ai-budget"
                    prop:value=move || budget.get()
                    on:input=move |ev| budget.set(event_target_value(&ev))
                />
                <div class="actions">
                    <button type="submit" class="button" data-testid="ai-save" disabled=working>"Save budget"</button>
                </div>
            </form>
            <Banner message=error testid="ai-error" />
            <Banner message=notice success=true testid="ai-notice" />
            {current.last_error.clone().map(|message| view! {
                <p class="health health-error" data-testid="ai-last-error">
                    "Last AI error"
                    {current.last_error_at.clone().map(|at| format!(" ({at})"))}
                    ": " {message}
                </p>
            })}
            <h3>"Usage"</h3>
            <p data-testid="ai-usage-today">{format!("Today: {today} tokens")}</p>
            <table class="usage" data-testid="ai-usage">
                <thead><tr><th>"Day"</th><th>"Input"</th><th>"Output"</th><th>"Total"</th></tr></thead>
                <tbody>
                    {current.usage_last_7_days.iter().map(|u| {
                        let total = u.input_tokens + u.output_tokens;
                        let width = format!("width: {}%", total * 100 / max);
                        view! {
                            <tr>
                                <td>{u.day.clone()}</td>
                                <td>{u.input_tokens}</td>
                                <td>{u.output_tokens}</td>
                                <td>
                                    <span class="usage-bar" style=width></span>
                                    {total}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// Type a customer message, see what the AI would answer and which tools it used.
#[component]
fn TryIt() -> impl IntoView {
    let message = RwSignal::new(String::new());
    let result = RwSignal::new(None::<AiPreview>);
    let error = RwSignal::new(None::<String>);
    let preview = Mutation::reporting(
        error,
        |client, text: String| async move { client.preview_ai_reply(text).await },
        move |preview| {
            result.try_set(Some(preview));
        },
    );
    let run = move |event: SubmitEvent| {
        event.prevent_default();
        let text = message.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        error.set(None);
        preview.dispatch(text);
    };
    view! {
        <section class="card" data-testid="try-it">
            <h2 class="card-title">"Try it"</h2>
            <p class="muted">"Preview only: nothing is sent to WhatsApp and nothing is saved (model calls do count toward usage)."</p>
            <form class="field" on:submit=run>
                <label for="try-input">"A customer's message"</label>
                <textarea
                    id="try-input"
                    rows="2"
                    data-testid="try-input"
                    prop:value=move || message.get()
                    on:input=move |ev| message.set(event_target_value(&ev))
                ></textarea>
                <div class="actions">
                    <button type="submit" class="button" data-testid="try-send" disabled=move || preview.pending()>
                        {move || if preview.pending() { "Thinking..." } else { "Preview reply" }}
                    </button>
                </div>
            </form>
            <Banner message=error testid="try-error" />
            {move || result.get().map(|p| view! {
                <div class="try-result">
                    <p class="muted">
                        {if p.by_model { "Written by the model" } else { "Written by the built-in responder" }}
                        {p.fallback_reason.clone().map(|r| format!(" ({r})"))}
                        {p.would_hand_off.then_some(" · would hand off to a person")}
                    </p>
                    <p class="bubble" data-testid="try-reply">{p.reply.clone()}</p>
                    {(!p.blocked_amounts.is_empty()).then(|| view! {
                        <p class="health health-error">"Blocked amounts: " {p.blocked_amounts.join(", ")}</p>
                    })}
                    <ol class="tool-calls">
                        {p.tool_calls.iter().map(|c| view! {
                            <li data-testid="try-tool-call" data-error=c.is_error.to_string()>
                                <strong>{c.name.clone()}</strong>
                                <div><span class="muted">"input "</span><code>{c.input.clone()}</code></div>
                                <div><span class="muted">"result "</span><code>{c.result.clone()}</code></div>
                            </li>
                        }).collect_view()}
                    </ol>
                </div>
            })}
        </section>
    }
}
