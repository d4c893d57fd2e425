//! The data rights in the settings page, for the owner: download everything (the
//! export archive), how long messages are kept, and the danger zone (delete the
//! account, after the password).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::Role;

use crate::client::Retention;
use crate::components::download::download_bytes;
use crate::components::feedback::{Banner, LoadError, Spinner};
use crate::components::mutation::Mutation;
use crate::contexts::session::use_session;

/// Fewest and most days messages can be kept (the server checks the same).
const RETENTION_DAYS: std::ops::RangeInclusive<i32> = 1..=3650;

/// The three cards, for the owner only (staff cannot export or delete).
#[component]
pub fn PrivacySection() -> impl IntoView {
    let session = use_session();
    let is_owner = move || session.user().is_some_and(|u| u.role == Role::Owner);
    view! {
        <Show when=is_owner>
            <ExportCard />
            <RetentionCard />
            <DangerZone />
        </Show>
    }
}

/// "Download all my data": the export archive as one ZIP file.
#[component]
fn ExportCard() -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let export = Mutation::reporting(
        error,
        |client, ()| async move { client.export_archive().await },
        move |bytes: Vec<u8>| {
            let name = format!(
                "wasales-export-{}.zip",
                js_sys::Date::new_0()
                    .to_iso_string()
                    .as_string()
                    .unwrap_or_default()
                    .get(..10)
                    .unwrap_or("data")
            );
            match download_bytes(&name, &bytes, "application/zip") {
                Ok(()) => notice.set(Some(format!(
                    "Downloaded {name} ({:.1} MB).",
                    bytes.len() as f64 / 1_000_000.0
                ))),
                Err(e) => error.set(Some(format!("The download could not be saved: {e}"))),
            }
        },
    );
    view! {
        <section class="card" data-testid="settings-export">
            <h2 class="card-title">"Your data"</h2>
            <p class="muted">
                "Everything of your business in one ZIP file: profile, settings, the WhatsApp connection (never its token), products and their images, customers, chats, messages, orders, blacklist, activity, follow-ups and deal approvals, one JSON file each."
            </p>
            <div class="form-footer">
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="export-download"
                    disabled=move || export.pending()
                    on:click=move |_| {
                        notice.set(None);
                        export.dispatch(());
                    }
                >
                    {move || if export.pending() { "Preparing the archive…" } else { "Download all my data" }}
                </button>
            </div>
            <Banner message=error testid="export-error" />
            <Banner message=notice success=true testid="export-notice" />
        </section>
    }
}

/// How long messages are kept.
#[component]
fn RetentionCard() -> impl IntoView {
    let session = use_session();
    let loaded = session.resource(|client| async move { client.retention().await });
    let refetch = Callback::new(move |()| loaded.refetch());
    view! {
        <section class="card" data-testid="settings-retention">
            <h2 class="card-title">"Message retention"</h2>
            <Suspense fallback=|| view! { <Spinner label="Loading retention" /> }>
                {move || loaded.get().map(|result| match result {
                    Ok(retention) => view! { <RetentionForm retention=retention /> }.into_any(),
                    Err(e) => view! { <LoadError error=e on_retry=refetch /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// The retention form, filled with `retention`.
#[component]
fn RetentionForm(retention: Retention) -> impl IntoView {
    let days = RwSignal::new(
        retention
            .message_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let save = Mutation::reporting(
        error,
        |client, days: Option<i32>| async move { client.set_message_retention(days).await },
        move |saved: Retention| {
            notice.set(Some(match saved.message_days {
                Some(d) => format!("Saved: messages older than {d} days are deleted."),
                None => "Saved: messages are kept until you delete them.".into(),
            }));
        },
    );
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        let text = days.get_untracked();
        let text = text.trim();
        if text.is_empty() {
            error.set(None);
            save.dispatch(None);
            return;
        }
        match text.parse::<i32>() {
            Ok(d) if RETENTION_DAYS.contains(&d) => {
                error.set(None);
                save.dispatch(Some(d));
            }
            _ => error.set(Some(format!(
                "Enter a number of days from {} to {}, or leave it empty to keep messages.",
                RETENTION_DAYS.start(),
                RETENTION_DAYS.end()
            ))),
        }
    };
    view! {
        <p class="muted">
            {format!(
                "Delete messages automatically after a number of days, or leave it empty to keep them. Raw WhatsApp deliveries are always deleted after {} days ({} days when they reached no business).",
                retention.webhook_body_days,
                retention.unroutable_webhook_body_days
            )}
        </p>
        <form on:submit=submit>
            <div class="field">
                <label class="field-label" for="retention-days">"Keep messages for (days)"</label>
                <input
                    id="retention-days"
                    class="input"
                    type="number"
                    min="1"
                    max="3650"
                    placeholder="Keep"
                    data-testid="retention-days"
                    prop:value=move || days.get()
                    on:input=move |ev| days.set(event_target_value(&ev))
                />
            </div>
            <div class="form-footer">
                <button type="submit" class="btn btn-primary" data-testid="retention-save" disabled=move || save.pending()>
                    "Save retention"
                </button>
            </div>
        </form>
        <Banner message=error testid="retention-error" />
        <Banner message=notice success=true testid="retention-notice" />
    }
}

/// Delete the account: everything of the business, after the password.
#[component]
fn DangerZone() -> impl IntoView {
    let session = use_session();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let delete = Mutation::reporting(
        error,
        |client, password: String| async move { client.delete_account(password).await },
        move |()| session.clear(),
    );
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let value = password.get_untracked();
        if value.is_empty() {
            error.set(Some("Enter your password to delete the account.".into()));
            return;
        }
        error.set(None);
        delete.dispatch(value);
    };
    view! {
        <section class="card card-danger" data-testid="settings-danger-zone">
            <h2 class="card-title">"Danger zone"</h2>
            <p class="muted">
                "Deleting the account removes your business and everything in it: products, customers, chats, messages, orders and settings. Every session and API token ends at once and your WhatsApp number is disconnected. This cannot be undone: download your data first."
            </p>
            <form on:submit=submit>
                <div class="field">
                    <label class="field-label" for="delete-password">"Your password"</label>
                    <input
                        id="delete-password"
                        class="input"
                        type="password"
                        autocomplete="current-password"
                        data-testid="delete-password"
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                </div>
                <div class="form-footer">
                    <button type="submit" class="btn btn-danger" data-testid="delete-account" disabled=move || delete.pending()>
                        "Delete my account"
                    </button>
                </div>
            </form>
            <Banner message=error testid="delete-error" />
        </section>
    }
}
