//! The team part of the settings page, for the owner: invite staff by email (the
//! one-time link is shown once, to pass on), the members and pending invitations, and
//! removal (the member is signed out at once).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::Role;
use shared::validation::is_plausible_email;

use crate::client::{PendingInvite, TeamMember};
use crate::components::feedback::{Banner, LoadError, Spinner};
use crate::components::inbox::format::date_time;
use crate::components::mutation::Mutation;
use crate::contexts::session::use_session;

/// Invite, list and remove staff.
#[component]
pub fn TeamSection() -> impl IntoView {
    let session = use_session();
    let team = session.resource(|client| async move { client.team().await });
    let refetch = Callback::new(move |()| team.refetch());
    let email = RwSignal::new(String::new());
    let link = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let invite = Mutation::reporting(
        error,
        |client, email: String| async move { client.invite_staff(email).await },
        move |created| {
            email.set(String::new());
            link.set(Some(created));
            team.refetch();
        },
    );
    let revoke = Mutation::reporting(
        error,
        |client, id: String| async move { client.revoke_staff_invite(id).await },
        move |()| team.refetch(),
    );
    let remove = Mutation::reporting(
        error,
        |client, id: String| async move { client.remove_staff(id).await },
        move |()| team.refetch(),
    );
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let value = email.get_untracked();
        if !is_plausible_email(value.trim()) {
            error.set(Some(
                "Enter the email address of the person to invite.".into(),
            ));
            return;
        }
        error.set(None);
        link.set(None);
        invite.dispatch(value);
    };
    view! {
        <section class="card" data-testid="settings-team">
            <h2 class="card-title">"Team"</h2>
            <p class="muted">
                "Staff answer chats and handle products, orders, the blacklist and follow-ups. "
                "They cannot change these settings, the WhatsApp connection, the AI key, API tokens or the team."
            </p>
            <form on:submit=submit>
                <div class="field">
                    <label class="field-label" for="team-invite-email">"Invite by email"</label>
                    <input
                        id="team-invite-email"
                        class="input"
                        type="email"
                        autocomplete="off"
                        placeholder="colleague@business.com"
                        data-testid="team-invite-email"
                        prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))
                    />
                </div>
                <div class="form-footer">
                    <button type="submit" class="btn btn-primary" data-testid="team-invite" disabled=move || invite.pending()>
                        "Create invitation link"
                    </button>
                </div>
            </form>
            <Banner message=error testid="team-error" />
            {move || link.get().map(|l| view! {
                <div class="banner banner-success" role="status">
                    <p>"Send this link to your colleague. It works once, for 7 days, and is not shown again."</p>
                    <code class="token-secret" data-testid="team-invite-link">{l}</code>
                </div>
            })}
            <Suspense fallback=|| view! { <Spinner label="Loading the team" /> }>
                {move || team.get().map(|result| match result {
                    Ok(loaded) => view! {
                        <div data-testid="team-members">
                            {loaded.members.into_iter().map(|m| view! { <MemberRow item=m remove=remove /> }).collect_view()}
                        </div>
                        <div data-testid="team-invites">
                            {loaded.invites.into_iter().map(|i| view! { <InviteRow item=i revoke=revoke /> }).collect_view()}
                        </div>
                    }.into_any(),
                    Err(e) => view! { <LoadError error=e on_retry=refetch /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// One member: the owner, or a staff member with "Remove".
#[component]
fn MemberRow(item: TeamMember, remove: Mutation<String, ()>) -> impl IntoView {
    let id = StoredValue::new(item.id.clone());
    let is_owner = item.role == Role::Owner;
    let title = match &item.name {
        Some(name) => format!("{name} ({})", item.email),
        None => item.email.clone(),
    };
    view! {
        <div class="action-row" data-testid="team-member">
            <div>
                <strong>{title}</strong>
                " "
                <span class="badge">{if is_owner { "Owner" } else { "Staff" }}</span>
                <p class="muted">{format!("Joined {}", date_time(&item.created_at))}</p>
            </div>
            <Show when=move || !is_owner>
                <button
                    type="button"
                    class="btn btn-secondary"
                    data-testid="team-remove"
                    on:click=move |_| remove.dispatch(id.get_value())
                >
                    "Remove"
                </button>
            </Show>
        </div>
    }
}

/// One pending invitation, with "Revoke".
#[component]
fn InviteRow(item: PendingInvite, revoke: Mutation<String, ()>) -> impl IntoView {
    let id = item.id.clone();
    view! {
        <div class="action-row" data-testid="team-invite-row">
            <div>
                <strong>{item.email.clone()}</strong>
                " "
                <span class="badge">"Invited"</span>
                <p class="muted">{format!("Link valid until {}", date_time(&item.expires_at))}</p>
            </div>
            <button
                type="button"
                class="btn btn-secondary"
                data-testid="team-invite-revoke"
                on:click=move |_| revoke.dispatch(id.clone())
            >
                "Revoke"
            </button>
        </div>
    }
}
