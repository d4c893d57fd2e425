//! One message in the conversation.

use leptos::prelude::*;
use shared::{MessageDirection, MessageKind, MessageStatus, SentBy};

use super::format::{
    body_without_emoji, clock_time, date_time, epoch_ms, kind_label, sender_label, status_ticks,
};
use super::why::WhyThisReply;
use crate::client::{MediaFile, Message};

/// The file of a media message: the picture, a player for sound and video, a download
/// link for documents, or why it is not there.
fn media_view(kind: MessageKind, file: MediaFile) -> AnyView {
    match file {
        MediaFile::Stored(url) => match kind {
            MessageKind::Image | MessageKind::Sticker => {
                let href = url.clone();
                view! {
                <a href=href target="_blank" rel="noopener">
                    <img class="bubble-image" src=url alt="Photo from the chat" loading="lazy" data-testid="message-image" />
                </a>
                }
                .into_any()
            }
            MessageKind::Audio => {
                view! { <audio class="bubble-audio" controls=true preload="none" src=url data-testid="message-audio"></audio> }
                    .into_any()
            }
            MessageKind::Video => {
                view! { <video class="bubble-video" controls=true preload="metadata" src=url data-testid="message-video"></video> }
                    .into_any()
            }
            _ => view! {
                <a class="bubble-download" href=url download="" data-testid="message-download">"Download"</a>
            }
            .into_any(),
        },
        MediaFile::Downloading => {
            view! { <span class="muted" data-testid="message-media-pending">"Fetching the file…"</span> }.into_any()
        }
        MediaFile::TooLarge => {
            view! { <span class="muted" data-testid="message-media-missing">"Too large to keep (over 16 MB)"</span> }
                .into_any()
        }
        MediaFile::Failed => {
            view! { <span class="muted" data-testid="message-media-missing">"The file could not be fetched from WhatsApp"</span> }
                .into_any()
        }
    }
}

/// A message bubble: who sent it (outbound), media (the picture, a player or a download), the reply hint, the
/// text, the time and the delivery ticks; a failed message shows Meta's error.
#[component]
pub fn MessageBubble(
    /// The message (a signal: its status changes live).
    #[prop(into)]
    message: Signal<Message>,
) -> impl IntoView {
    let outbound = message.with_untracked(|m| m.direction == MessageDirection::Outbound);
    let direction = if outbound { "outbound" } else { "inbound" };
    let status = move || message.with(|m| m.status);
    view! {
        <div
            class="bubble-row"
            class:outbound=outbound
            class:inbound=!outbound
        >
            <div
                class="bubble"
                class:failed=move || status() == MessageStatus::Failed
                data-testid="message-bubble"
                data-message-id=move || message.with(|m| m.id.clone())
                data-direction=direction
                data-status=move || status().as_str()
                data-sent-by=move || message.with(|m| m.sent_by.as_str())
            >
                {move || message.with(|m| {
                    let sender = outbound.then(|| {
                        let class = format!("bubble-sender sender-{}", m.sent_by.as_str());
                        view! { <span class=class data-testid="message-sender">{sender_label(m.sent_by)}</span> }
                    });
                    let reply = m.reply_to_wamid.is_some().then(|| view! {
                        <span class="bubble-reply" data-testid="message-reply-hint">"↩ Reply to an earlier message"</span>
                    });
                    let label = kind_label(m.kind, m.media_mime_type.as_deref());
                    let file = m.media.clone().map(|file| media_view(m.kind, file));
                    let media = label.map(|(emoji, name)| view! {
                        <span class="bubble-media" data-testid="message-media" data-kind=m.kind.as_str()>
                            <span class="bubble-media-icon" aria-hidden="true">{emoji}</span>
                            <span>{name}</span>
                        </span>
                        {file}
                    });
                    let body = match label {
                        Some((emoji, _)) => body_without_emoji(&m.body, emoji).to_string(),
                        None => m.body.clone(),
                    };
                    let body = (!body.trim().is_empty()).then(|| view! {
                        <span class="bubble-text" data-testid="message-body">{body}</span>
                    });
                    let error = (m.status == MessageStatus::Failed).then(|| {
                        let code = m.error_code.map(|c| format!("Error {c}")).unwrap_or_else(|| "Error".into());
                        let title = m.error_title.clone().unwrap_or_else(|| "WhatsApp did not deliver this message".into());
                        view! {
                            <span class="bubble-error" role="note" data-testid="message-error">
                                {format!("⚠ Not delivered. {code}: {title}")}
                            </span>
                        }
                    });
                    let ms = epoch_ms(&m.timestamp);
                    let time = ms.map(clock_time).unwrap_or_default();
                    let ticks = outbound.then(|| {
                        let (marks, meaning) = status_ticks(m.status);
                        let class = format!("ticks ticks-{}", m.status.as_str());
                        view! {
                            <span class=class title=meaning aria-label=meaning data-testid="message-ticks">
                                {marks}
                            </span>
                        }
                    });
                    view! {
                        {sender}
                        {reply}
                        {media}
                        {body}
                        {error}
                        <span class="bubble-meta">
                            <time title=date_time(&m.timestamp)>{time}</time>
                            {ticks}
                        </span>
                        {(m.sent_by == SentBy::Ai).then(|| view! { <WhyThisReply message_id=m.id.clone() /> })}
                    }
                })}
            </div>
        </div>
    }
}
