//! Writing to the customer: free text inside the 24-hour window, an approved template
//! outside it. Free text typed after the window closed never looks sent: the composer is
//! replaced by a notice and the template form.

use std::future::Future;

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use shared::{MessageDirection, MessageKind, MessageStatus, SentBy};

use super::format::{epoch_ms, time_left};
use super::state::use_inbox;
use super::thread::Thread;
use crate::client::{ApprovedTemplate, Chat, Client, ClientError, Message, TemplateMessage};
use crate::components::mutation::Mutation;
use crate::contexts::session::use_session;
use leptos::task::spawn_local;
use web_sys::{File, HtmlInputElement};

/// A file size as the owner reads it: `820 kB`, `2.4 MB`.
fn format_size(bytes: f64) -> String {
    if bytes < 1024.0 * 1024.0 {
        format!("{:.0} kB", (bytes / 1024.0).ceil())
    } else {
        format!("{:.1} MB", bytes / (1024.0 * 1024.0))
    }
}

/// Whether free text may be sent to `chat` at `now`: the server's answer, and the closing
/// time passed since it was loaded.
pub fn window_open(chat: &Chat, now: f64) -> bool {
    chat.window_open
        && chat
            .window_closes_at
            .as_deref()
            .and_then(epoch_ms)
            .is_none_or(|closes| closes > now)
}

/// The composer, or the closed-window notice with the template form.
#[component]
pub fn Composer(
    /// The open chat.
    chat: Signal<Option<Chat>>,
    /// The conversation's messages.
    thread: Thread,
    /// Asks the conversation to reload the chat (after the API refused a send).
    on_refresh: Callback<()>,
) -> impl IntoView {
    let inbox = use_inbox();
    let open = Memo::new(move |_| {
        chat.with(|chat| chat.as_ref().map(|c| window_open(c, inbox.now.get())))
    });
    move || match open.get() {
        None => ().into_any(),
        Some(true) => {
            view! { <TextComposer chat=chat thread=thread on_refresh=on_refresh /> }.into_any()
        }
        Some(false) => view! { <TemplateComposer chat=chat thread=thread /> }.into_any(),
    }
}

/// A message shown at once while the API sends it; replaced by the stored one.
fn local_message(chat_id: &str, local_id: String, kind: MessageKind, body: String) -> Message {
    Message {
        id: local_id,
        chat_id: chat_id.to_string(),
        direction: MessageDirection::Outbound,
        kind,
        body,
        media_id: None,
        media_mime_type: None,
        media: None,
        reply_to_wamid: None,
        sent_by: SentBy::Staff,
        status: MessageStatus::Pending,
        error_code: None,
        error_title: None,
        timestamp: String::from(js_sys::Date::new_0().to_iso_string()),
    }
}

/// A send from the composer, dispatched with its input and the id of the placeholder bubble
/// shown meanwhile: the placeholder gives way to the stored message (then `on_sent` runs),
/// or to nothing when the API refused (then `on_failed` gets the input back).
fn send_with_placeholder<I, F, Fu>(
    thread: Thread,
    run: F,
    on_sent: impl Fn() + 'static,
    on_failed: impl Fn(I, ClientError) + 'static,
) -> Mutation<(I, String), Message>
where
    I: Clone + 'static,
    F: Fn(Client, I) -> Fu + 'static,
    Fu: Future<Output = Result<Message, ClientError>> + 'static,
{
    let inbox = use_inbox();
    Mutation::new(
        move |client, (input, _): (I, String)| run(client, input),
        move |(input, local_id): (I, String), result| {
            thread.remove(&local_id);
            match result {
                Ok(message) => {
                    inbox.note_message(&message, false);
                    thread.upsert(message);
                    on_sent();
                }
                Err(failure) => on_failed(input, failure),
            }
        },
    )
}

/// A fresh id for a message not stored yet.
fn next_local_id() -> String {
    format!("local:{}", js_sys::Math::random().to_bits())
}

/// Text box and send button.
#[component]
fn TextComposer(
    chat: Signal<Option<Chat>>,
    thread: Thread,
    on_refresh: Callback<()>,
) -> impl IntoView {
    let inbox = use_inbox();
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let send_text = send_with_placeholder(
        thread,
        |client, (chat_id, text): (String, String)| async move {
            client.send_message(&chat_id, &text).await
        },
        || {},
        move |(_, text), failure| {
            // Nothing was sent: give the text back rather than show a bubble.
            if draft.get_untracked().is_empty() {
                draft.set(text);
            }
            error.set(Some(failure.to_string()));
            if matches!(failure, ClientError::BadUserInput { .. }) {
                on_refresh.run(());
            }
        },
    );
    let closes_in = move || {
        chat.with(|chat| {
            chat.as_ref()
                .and_then(|c| c.window_closes_at.as_deref())
                .and_then(epoch_ms)
                .map(|closes| time_left(closes, inbox.now.get()))
        })
    };

    // A photo or document to send, with the typed text as its caption.
    let attached = RwSignal::new_local(None::<File>);
    let send_file = send_with_placeholder(
        thread,
        |client, (chat_id, file, caption): (String, File, Option<String>)| async move {
            client.send_attachment(&chat_id, &file, caption).await
        },
        || {},
        move |(_, file, caption), failure| {
            // Nothing was sent: give the file and caption back.
            if attached.with_untracked(Option::is_none) {
                attached.set(Some(file));
            }
            if draft.get_untracked().is_empty() {
                draft.set(caption.unwrap_or_default());
            }
            error.set(Some(failure.to_string()));
            if matches!(failure, ClientError::BadUserInput { .. }) {
                on_refresh.run(());
            }
        },
    );
    let on_pick = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let file = input.files().and_then(|files| files.get(0));
        // The same file can be picked again after it was removed.
        input.set_value("");
        let Some(file) = file else { return };
        match shared::attachment::problem(&file.type_(), file.size() as u64) {
            Some(problem) => error.set(Some(format!("{}: {problem}", file.name()))),
            None => {
                error.set(None);
                attached.set(Some(file));
            }
        }
    };
    let busy = move || send_text.pending() || send_file.pending();

    let send = move || {
        let text = draft.get_untracked().trim().to_string();
        let Some(chat_id) = chat.with_untracked(|c| c.as_ref().map(|c| c.id.clone())) else {
            return;
        };
        if send_text.pending_untracked() || send_file.pending_untracked() {
            return;
        }
        if let Some(file) = attached.get_untracked() {
            error.set(None);
            let kind = shared::attachment::kind_of(&file.type_()).unwrap_or(MessageKind::Document);
            let caption = (!text.is_empty()).then_some(text);
            let local_id = next_local_id();
            thread.upsert(local_message(
                &chat_id,
                local_id.clone(),
                kind,
                shared::attachment::body(
                    shared::attachment::label(kind),
                    Some(&file.name()),
                    caption.as_deref(),
                ),
            ));
            attached.set(None);
            draft.set(String::new());
            send_file.dispatch(((chat_id, file, caption), local_id));
            return;
        }
        if text.is_empty() {
            return;
        }
        error.set(None);
        let local_id = next_local_id();
        thread.upsert(local_message(
            &chat_id,
            local_id.clone(),
            MessageKind::Text,
            text.clone(),
        ));
        draft.set(String::new());
        send_text.dispatch(((chat_id, text), local_id));
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        send();
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };

    view! {
        <form class="composer" on:submit=on_submit data-testid="composer">
            <Show when=move || error.with(Option::is_some)>
                <div class="composer-error" role="alert" data-testid="composer-error">
                    {move || error.get()}
                </div>
            </Show>
            {move || attached.get().map(|file| view! {
                <div class="composer-attachment" data-testid="composer-attachment">
                    <span class="composer-attachment-name">{file.name()}</span>
                    <span class="composer-attachment-size">{format_size(file.size())}</span>
                    <button
                        class="btn btn-secondary btn-small"
                        type="button"
                        data-testid="composer-attachment-remove"
                        aria-label="Remove the attachment"
                        on:click=move |_| attached.set(None)
                    >"×"</button>
                </div>
            })}
            <div class="composer-row">
                <label class="composer-attach" title="Attach a photo or document" data-testid="composer-attach">
                    <span class="visually-hidden">"Attach a photo or document"</span>
                    <input
                        class="visually-hidden"
                        type="file"
                        accept=shared::attachment::ACCEPT
                        data-testid="composer-attach-input"
                        on:change=on_pick
                    />
                    <svg viewBox="0 0 24 24" class="icon" aria-hidden="true">
                        <path d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z" fill="currentColor"></path>
                    </svg>
                </label>
                <label class="visually-hidden" for="composer-input">"Message"</label>
                <textarea
                    class="composer-input"
                    id="composer-input"
                    data-testid="composer-input"
                    rows="1"
                    placeholder=move || if attached.with(Option::is_some) { "Add a caption (optional)" } else { "Type a message" }
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                    on:change=move |ev| draft.set(event_target_value(&ev))
                    on:keydown=on_keydown
                ></textarea>
                <button
                    class="composer-send"
                    type="submit"
                    data-testid="composer-send"
                    aria-label="Send"
                    disabled=move || busy() || (attached.with(Option::is_none) && draft.with(|d| d.trim().is_empty()))
                >
                    <svg viewBox="0 0 24 24" class="icon" aria-hidden="true">
                        <path d="M3.4 20.4 21 12 3.4 3.6 3.4 10.1 15 12 3.4 13.9Z" fill="currentColor"></path>
                    </svg>
                </button>
            </div>
            {move || closes_in().map(|left| view! {
                <p class="composer-hint" data-testid="window-hint">
                    {format!("Free replies allowed for {left} more (24-hour window). Enter sends, Shift+Enter adds a line.")}
                </p>
            })}
        </form>
    }
}

/// The closed-window notice and the template form: the business's approved templates
/// to pick from (with a field per parameter and a preview), or, when none can be
/// listed, a template typed by name.
#[component]
fn TemplateComposer(chat: Signal<Option<Chat>>, thread: Thread) -> impl IntoView {
    let session = use_session();
    let name = RwSignal::new(String::new());
    let language = RwSignal::new("en_US".to_string());
    let parameters = RwSignal::new(String::new());
    let fields = RwSignal::new(Vec::<String>::new());
    let error = RwSignal::new(None::<String>);
    let approved = RwSignal::new(Vec::<ApprovedTemplate>::new());
    let picked = RwSignal::new(None::<usize>);
    let load_templates = move |refresh: bool| {
        let client = session.client();
        spawn_local(async move {
            match client.message_templates(refresh).await {
                Ok(list) => {
                    approved.try_set(list);
                }
                Err(e) if refresh => {
                    error.try_set(Some(e.to_string()));
                }
                // Without a list the form asks for a name: nothing to report.
                Err(_) => {}
            }
        });
    };
    load_templates(false);
    let chosen = move || {
        picked
            .get()
            .and_then(|i| approved.with(|l| l.get(i).cloned()))
    };
    let send_template = send_with_placeholder(
        thread,
        |client, (chat_id, template): (String, TemplateMessage)| async move {
            client.send_template(&chat_id, template).await
        },
        move || {
            name.set(String::new());
            parameters.set(String::new());
            fields.update(|f| f.iter_mut().for_each(String::clear));
        },
        move |_, failure| error.set(Some(failure.to_string())),
    );
    let contact = move || {
        chat.with(|c| {
            c.as_ref()
                .map(|c| c.contact.name.clone())
                .unwrap_or_default()
        })
    };
    let pick = move |index: Option<usize>| {
        picked.set(index);
        let template = index.and_then(|i| approved.with_untracked(|l| l.get(i).cloned()));
        match template {
            Some(t) => {
                name.set(t.name.clone());
                language.set(t.language.clone());
                fields.set(vec![String::new(); t.parameter_count]);
            }
            None => {
                name.set(String::new());
                fields.set(Vec::new());
            }
        }
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(chat_id) = chat.with_untracked(|c| c.as_ref().map(|c| c.id.clone())) else {
            return;
        };
        let from_list = picked.get_untracked().is_some();
        let template = TemplateMessage {
            name: name.get_untracked().trim().to_string(),
            language: language.get_untracked().trim().to_string(),
            parameters: if from_list {
                fields
                    .get_untracked()
                    .iter()
                    .map(|f| f.trim().to_string())
                    .collect()
            } else {
                parameters
                    .get_untracked()
                    .lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .map(str::to_string)
                    .collect()
            },
        };
        if from_list && template.parameters.iter().any(String::is_empty) {
            error.set(Some("Fill in every parameter of the template".into()));
            return;
        }
        if template.name.is_empty()
            || template.language.is_empty()
            || send_template.pending_untracked()
        {
            return;
        }
        error.set(None);
        let local_id = next_local_id();
        thread.upsert(local_message(
            &chat_id,
            local_id.clone(),
            MessageKind::Template,
            format!("Template “{}”", template.name),
        ));
        send_template.dispatch(((chat_id, template), local_id));
    };

    view! {
        <form class="composer composer-template" on:submit=on_submit>
            <div class="window-notice" role="status" data-testid="window-closed-notice">
                <strong>"The 24-hour reply window is closed."</strong>
                " "
                {move || format!(
                    "WhatsApp does not deliver free text to {} until they write again. You can send an approved template instead.",
                    contact(),
                )}
            </div>
            <Show when=move || error.with(Option::is_some)>
                <div class="composer-error" role="alert" data-testid="template-error">
                    {move || error.get()}
                </div>
            </Show>
            <Show
                when=move || approved.with(|l| !l.is_empty())
                fallback=move || view! {
                    <div class="template-fields">
                        <TemplateInput label="Template name" class="field" testid="template-name" placeholder="order_update" value=name />
                        <TemplateInput label="Language" class="field template-language" testid="template-language" placeholder="en_US" value=language />
                    </div>
                    <label class="field">
                        <span class="field-label">"Parameters"</span>
                        <textarea
                            class="input template-params"
                            data-testid="template-params"
                            rows="2"
                            placeholder="One per line: the text for {{1}}, then {{2}}, …"
                            prop:value=move || parameters.get()
                            on:input=move |ev| parameters.set(event_target_value(&ev))
                            on:change=move |ev| parameters.set(event_target_value(&ev))
                        ></textarea>
                    </label>
                }
            >
                <div class="template-fields">
                    <label class="field">
                        <span class="field-label">"Approved template"</span>
                        <select
                            class="input"
                            data-testid="template-pick"
                            on:change=move |ev| pick(event_target_value(&ev).parse::<usize>().ok())
                        >
                            <option value="" selected=move || picked.get().is_none()>"Choose a template"</option>
                            {move || approved.get().into_iter().enumerate().map(|(i, t)| {
                                let label = format!("{} ({})", t.name, t.language);
                                view! { <option value=i.to_string() selected=move || picked.get() == Some(i)>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <button class="btn btn-secondary btn-small" type="button" data-testid="template-refresh" on:click=move |_| load_templates(true)>
                        "Refresh list"
                    </button>
                </div>
                {move || (0..fields.with(Vec::len)).map(|i| view! {
                    <label class="field">
                        <span class="field-label">{format!("Parameter {{{{{}}}}}", i + 1)}</span>
                        <input
                            class="input"
                            data-testid=format!("template-param-{}", i + 1)
                            autocomplete="off"
                            prop:value=move || fields.with(|f| f.get(i).cloned().unwrap_or_default())
                            on:input=move |ev| {
                                let value = event_target_value(&ev);
                                fields.update(|f| if let Some(slot) = f.get_mut(i) { *slot = value; });
                            }
                        />
                    </label>
                }).collect_view()}
                {move || chosen().map(|t| view! {
                    <p class="template-preview" data-testid="template-preview">{t.preview(&fields.get())}</p>
                })}
            </Show>
            <div class="template-actions">
                <p class="field-hint">"Only templates approved in Meta's WhatsApp Manager are delivered."</p>
                <button
                    class="btn btn-primary"
                    type="submit"
                    data-testid="template-send"
                    disabled=move || send_template.pending() || name.with(|n| n.trim().is_empty()) || language.with(|l| l.trim().is_empty())
                >
                    {move || if send_template.pending() { "Sending…" } else { "Send template" }}
                </button>
            </div>
        </form>
    }
}

/// One labelled one-line input of the template form.
#[component]
fn TemplateInput(
    label: &'static str,
    class: &'static str,
    testid: &'static str,
    placeholder: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label class=class>
            <span class="field-label">{label}</span>
            <input
                class="input"
                data-testid=testid
                placeholder=placeholder
                autocomplete="off"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:change=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}
