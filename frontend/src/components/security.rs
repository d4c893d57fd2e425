//! The security part of the settings page: this user's sessions (end one, or all),
//! the password change, and, for the owner, the integrators' API tokens (a new token's
//! secret is shown once).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::Role;
use shared::validation::MIN_PASSWORD_LEN;

use crate::client::{ApiTokenInfo, SessionInfo};
use crate::components::feedback::{Banner, LoadError, Spinner};
use crate::components::inbox::format::date_time;
use crate::components::mutation::Mutation;
use crate::contexts::session::use_session;

/// Sessions and password for everyone; API tokens for the owner.
#[component]
pub fn SecuritySection() -> impl IntoView {
    let session = use_session();
    let is_owner = move || session.user().is_some_and(|u| u.role == Role::Owner);
    view! {
        <SessionsCard />
        <PasswordCard />
        <Show when=is_owner>
            <ApiTokensCard />
        </Show>
    }
}

/// The signed-in user's sessions, with "end" per session and "log out everywhere".
#[component]
fn SessionsCard() -> impl IntoView {
    let session = use_session();
    let sessions = session.resource(|client| async move { client.sessions().await });
    let refetch = Callback::new(move |()| sessions.refetch());
    let error = RwSignal::new(None::<String>);
    let revoke = Mutation::reporting(
        error,
        |client, (id, _current): (String, bool)| async move { client.revoke_session(id).await },
        move |()| sessions.refetch(),
    );
    let everywhere = Mutation::reporting(
        error,
        |client, ()| async move { client.log_out_everywhere().await },
        move |_| session.clear(),
    );
    view! {
        <section class="card" data-testid="settings-sessions">
            <div class="card-heading">
                <h2 class="card-title">"Sessions"</h2>
                <button
                    type="button"
                    class="btn btn-secondary"
                    data-testid="log-out-everywhere"
                    disabled=move || everywhere.pending()
                    on:click=move |_| everywhere.dispatch(())
                >
                    "Log out everywhere"
                </button>
            </div>
            <p class="muted">"Where you are signed in. Ending a session signs that browser out at once."</p>
            <Banner message=error testid="sessions-error" />
            <Suspense fallback=|| view! { <Spinner label="Loading sessions" /> }>
                {move || sessions.get().map(|result| match result {
                    Ok(list) => view! {
                        <div data-testid="sessions">
                            {list.into_iter().map(|s| view! { <SessionRow item=s revoke=revoke /> }).collect_view()}
                        </div>
                    }.into_any(),
                    Err(e) => view! { <LoadError error=e on_retry=refetch /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// One session.
#[component]
fn SessionRow(item: SessionInfo, revoke: Mutation<(String, bool), ()>) -> impl IntoView {
    let session = use_session();
    let id = item.id.clone();
    let current = item.current;
    let end = move |_| {
        revoke.dispatch((id.clone(), current));
        if current {
            session.clear();
        }
    };
    let seen = item
        .last_seen_at
        .as_deref()
        .map(|t| format!("last active {}", date_time(t)))
        .unwrap_or_else(|| "not used since log-in".into());
    let from = [item.user_agent.clone(), item.ip.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <div class="action-row" data-testid="session-row">
            <div>
                <strong>{if current { "This browser" } else { "Another session" }}</strong>
                <p class="muted">{format!("Signed in {}, {seen}", date_time(&item.created_at))}</p>
                <p class="muted">{from}</p>
            </div>
            <button type="button" class="btn btn-secondary" data-testid="session-revoke" on:click=end>
                {if current { "Log out" } else { "End session" }}
            </button>
        </div>
    }
}

/// Change the password: the current one, then the new one twice.
#[component]
fn PasswordCard() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let change = Mutation::reporting(
        error,
        |client, (current, new): (String, String)| async move {
            client.change_password(current, new).await
        },
        move |()| {
            current.set(String::new());
            new.set(String::new());
            confirm.set(String::new());
            notice.set(Some(
                "Password changed. Your other sessions were logged out.".into(),
            ));
        },
    );
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        let (now, next) = (current.get_untracked(), new.get_untracked());
        if next.chars().count() < MIN_PASSWORD_LEN {
            error.set(Some(format!(
                "The new password needs at least {MIN_PASSWORD_LEN} characters."
            )));
        } else if next != confirm.get_untracked() {
            error.set(Some("The two new passwords differ.".into()));
        } else {
            error.set(None);
            change.dispatch((now, next));
        }
    };
    view! {
        <section class="card" data-testid="settings-password">
            <h2 class="card-title">"Password"</h2>
            <form on:submit=submit>
                <PasswordInput id="password-current" label="Current password" value=current autocomplete="current-password" />
                <PasswordInput id="password-new" label="New password" value=new autocomplete="new-password" />
                <PasswordInput id="password-confirm" label="New password again" value=confirm autocomplete="new-password" />
                <div class="form-footer">
                    <button type="submit" class="btn btn-primary" data-testid="password-save" disabled=move || change.pending()>
                        "Change password"
                    </button>
                </div>
            </form>
            <Banner message=error testid="password-error" />
            <Banner message=notice success=true testid="password-notice" />
        </section>
    }
}

/// One password field.
#[component]
fn PasswordInput(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    autocomplete: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label class="field-label" for=id>{label}</label>
            <input
                id=id
                class="input"
                type="password"
                autocomplete=autocomplete
                data-testid=id
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}

/// The integrators' API tokens: create (the secret is shown once), list, revoke.
#[component]
fn ApiTokensCard() -> impl IntoView {
    let session = use_session();
    let tokens = session.resource(|client| async move { client.api_tokens().await });
    let refetch = Callback::new(move |()| tokens.refetch());
    let name = RwSignal::new(String::new());
    let read_only = RwSignal::new(true);
    let secret = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let create = Mutation::reporting(
        error,
        |client, (name, read_only): (String, bool)| async move {
            client.create_api_token(name, read_only).await
        },
        move |created| {
            name.set(String::new());
            secret.set(Some(created.secret));
            tokens.refetch();
        },
    );
    let revoke = Mutation::reporting(
        error,
        |client, id: String| async move { client.revoke_api_token(id).await },
        move |()| tokens.refetch(),
    );
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let value = name.get_untracked();
        if value.trim().is_empty() {
            error.set(Some("Give the token a name, e.g. \"Shopify sync\".".into()));
            return;
        }
        error.set(None);
        secret.set(None);
        create.dispatch((value, read_only.get_untracked()));
    };
    view! {
        <section class="card" data-testid="settings-api-tokens">
            <h2 class="card-title">"API tokens"</h2>
            <p class="muted">
                "For integrators: send " <code>"Authorization: Bearer <token>"</code>
                " to /graphql. A read-only token cannot change anything."
            </p>
            <form on:submit=submit>
                <div class="field">
                    <label class="field-label" for="api-token-name">"Name"</label>
                    <input
                        id="api-token-name"
                        class="input"
                        maxlength="120"
                        data-testid="api-token-name"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </div>
                <label class="field">
                    <input
                        type="checkbox"
                        data-testid="api-token-read-only"
                        prop:checked=move || read_only.get()
                        on:change=move |ev| read_only.set(event_target_checked(&ev))
                    />
                    " Read only"
                </label>
                <div class="form-footer">
                    <button type="submit" class="btn btn-primary" data-testid="api-token-create" disabled=move || create.pending()>
                        "Create token"
                    </button>
                </div>
            </form>
            <Banner message=error testid="api-tokens-error" />
            {move || secret.get().map(|s| view! {
                <div class="banner banner-success" role="status">
                    <p>"Copy this token now: it is not shown again."</p>
                    <code class="token-secret" data-testid="api-token-secret">{s}</code>
                </div>
            })}
            <Suspense fallback=|| view! { <Spinner label="Loading API tokens" /> }>
                {move || tokens.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! { <p class="muted">"No API tokens."</p> }.into_any(),
                    Ok(list) => view! {
                        <div data-testid="api-tokens">
                            {list.into_iter().map(|t| view! { <TokenRow item=t revoke=revoke /> }).collect_view()}
                        </div>
                    }.into_any(),
                    Err(e) => view! { <LoadError error=e on_retry=refetch /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// One API token.
#[component]
fn TokenRow(item: ApiTokenInfo, revoke: Mutation<String, ()>) -> impl IntoView {
    let id = item.id.clone();
    let used = item
        .last_used_at
        .as_deref()
        .map(|t| format!("last used {}", date_time(t)))
        .unwrap_or_else(|| "never used".into());
    view! {
        <div class="action-row" data-testid="api-token-row">
            <div>
                <strong>{item.name.clone()}</strong>
                " "
                <span class="badge">{if item.read_only { "Read only" } else { "Read and write" }}</span>
                <p class="muted">{format!("Created {}, {used}", date_time(&item.created_at))}</p>
            </div>
            <button
                type="button"
                class="btn btn-secondary"
                data-testid="api-token-revoke"
                on:click=move |_| revoke.dispatch(id.clone())
            >
                "Revoke"
            </button>
        </div>
    }
}
