//! The agent's jobs, run by the job runner ([`crate::jobs`]): AI replies and opt-out
//! notices.
//!
//! A reply runs once per claim: the checks are made again (AI off, number
//! disconnected, paused, blacklisted, rate limit), a chat already answered is not answered again (a worker
//! that died after sending leaves nothing to redo), a provider failure retries with
//! backoff and after the last attempt the built-in responder answers. Replies leave
//! through the one sender ([`crate::sender`]). A model slower than the job's lease
//! does not answer twice: the claim is checked and extended ([`Lease::hold`]) before
//! an order is recorded and before the reply is sent, and a worker whose job was
//! claimed again meanwhile stops ([`Outcome::Abandoned`]).

use std::sync::Arc;

use chrono::Utc;
use serde::Deserialize;
use shared::{ActivityKind, BusinessId, ChatId, ContactId, MessageDirection, SentBy};

use super::prompt::{self, Turn};
use super::tools::ChatScope;
use super::{ComposeError, Conversation, Mode, compose, optout};
use crate::activity::{self, Actor, Entry, Subject};
use crate::app::AppState;
use crate::db::agent::{self as agent_db, AiProfile};
use crate::db::inbox::{Chat, Contact};
use crate::db::jobs::{Job, Lease, Outcome};
use crate::error::AppError;
use crate::events::EventKind;

#[derive(Deserialize)]
struct ChatPayload {
    chat_id: ChatId,
}

/// The chat a job is about, its customer and its business's AI profile; or the
/// outcome when any of them is gone (nothing to do).
async fn job_chat(
    app: &AppState,
    job: &Job,
) -> anyhow::Result<Result<(Chat, Contact, AiProfile), Outcome>> {
    let gone = |why: &str| Ok(Err(Outcome::Done(Some(why.into()))));
    let Ok(ChatPayload { chat_id }) = serde_json::from_str(&job.spec.payload) else {
        return gone("unreadable payload");
    };
    let mut conn = app.db().await?;
    let Some((chat, contact)) = agent_db::chat_with_contact(&mut conn, chat_id).await? else {
        return gone("chat no longer exists");
    };
    let Some(profile) = agent_db::profile(&mut conn, BusinessId(chat.business_id)).await? else {
        return gone("business no longer exists");
    };
    Ok(Ok((chat, contact, profile)))
}

/// Runs a claimed `ai_reply` job: answers the chat, unless the checks say not to.
pub async fn reply(app: &AppState, job: &Job) -> Outcome {
    match try_reply(app, job).await {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Retry(format!("{e:#}")),
    }
}

async fn try_reply(app: &AppState, job: &Job) -> anyhow::Result<Outcome> {
    let (chat, contact, profile) = match job_chat(app, job).await? {
        Ok(found) => found,
        Err(outcome) => return Ok(outcome),
    };
    let chat_id = ChatId(chat.id);
    let business_id = BusinessId(chat.business_id);
    let mut conn = app.db().await?;
    if !profile.ai_enabled {
        return Ok(Outcome::Done(Some("AI is off for the business".into())));
    }
    // A disconnected number neither receives nor sends: what was queued before the
    // owner disconnected is dropped without a model call.
    if crate::db::whatsapp::connected(&mut conn, business_id.0)
        .await?
        .is_none()
    {
        return Ok(Outcome::Done(Some(
            "the WhatsApp number is disconnected".into(),
        )));
    }
    let now = Utc::now().naive_utc();
    if chat.ai_stands_back(now) {
        return Ok(Outcome::Done(Some(
            "chat is paused (human takeover)".into(),
        )));
    }
    // The owner's timed pause (a reply from the phone) has run out: the AI is back.
    if chat.ai_paused && crate::db::chats::end_lapsed_pause(&mut conn, chat_id, now).await? {
        app.events.publish(crate::events::DomainEvent {
            business_id,
            kind: EventKind::ChatUpdated { chat_id: chat_id.0 },
        });
    }
    if crate::blacklist::is_blocked(&mut conn, business_id, &contact).await? {
        return Ok(Outcome::Done(Some("contact is blacklisted".into())));
    }
    let history = agent_db::recent_messages(&mut conn, chat_id, prompt::HISTORY_LIMIT).await?;
    let answered = history
        .last()
        .is_none_or(|m| m.direction == MessageDirection::Outbound);
    if answered {
        return Ok(Outcome::Done(Some("nothing to answer".into())));
    }
    let window = chrono::Duration::from_std(app.config.agent.rate_window)?;
    let recent =
        agent_db::ai_replies_since(&mut conn, chat_id, Utc::now().naive_utc() - window).await?;
    if recent >= app.config.agent.replies_per_window {
        tracing::warn!(
            chat_id = chat_id.0,
            recent,
            "AI reply rate limit reached for a contact; no model call, handed to a person"
        );
        // Not a silent drop: a person sees the chat handed over, with the reason.
        let reason = format!(
            "The customer wrote faster than the AI answers ({} replies in {} minutes): the AI is paused here until you turn it back on",
            app.config.agent.replies_per_window,
            app.config.agent.rate_window.as_secs().div_ceil(60)
        );
        if agent_db::hand_off(&mut conn, business_id, chat_id, &reason).await? {
            activity::record(
                &mut conn,
                &app.events,
                business_id,
                &Actor::ai(),
                Entry::new(
                    ActivityKind::AiRateLimited,
                    Some(Subject::chat(chat_id)),
                    "The AI stopped answering a customer who wrote too fast",
                )
                .details(serde_json::json!({"chat_id": chat_id, "replies": recent})),
            )
            .await?;
            app.events.publish(crate::events::DomainEvent {
                business_id,
                kind: EventKind::ChatUpdated { chat_id: chat_id.0 },
            });
        }
        return Ok(Outcome::Done(Some("rate limited".into())));
    }
    let open = chat.last_inbound_at.is_some_and(|t| {
        shared::window::window_open(Some(t.and_utc().timestamp()), Utc::now().timestamp())
    });
    if !open {
        return Ok(Outcome::Done(Some("the 24-hour window is closed".into())));
    }
    let answers = crate::deal_approvals::answers_in_chat(&mut conn, business_id, chat_id)
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    drop(conn);
    let lease = Arc::new(Lease::of(
        job,
        chrono::Duration::from_std(app.config.agent.job_lease)?,
    ));
    let conversation = Conversation {
        answers,
        chat: Some(ChatScope {
            chat_id,
            contact_id: ContactId(contact.id),
        }),
        first_name: prompt::first_name(contact.identity.profile_name.as_deref()),
        history: history.iter().map(Turn::of).collect(),
        negotiation: chat.negotiation.clone(),
        interest: chat.product_interest.clone(),
        lease: Some(lease.clone()),
    };
    let composed = compose(app, &profile, &conversation, false, Mode::Auto).await;
    // The model may have outlived the job's lease: then another worker claimed the
    // job and answers; sending here too would answer twice, and recording a retry or
    // an outcome would overwrite that worker's claim.
    let mut conn = app.db().await?;
    if !lease.hold(&mut conn).await? {
        tracing::warn!(
            chat_id = chat_id.0,
            "an AI reply outlived its job's lease; the worker that holds the job answers"
        );
        return Ok(Outcome::Abandoned);
    }
    drop(conn);
    let composed = match composed {
        Ok(r) => r,
        Err(ComposeError::Unavailable(e)) if job.attempts < job.spec.max_attempts => {
            return Ok(Outcome::Retry(format!("AI provider unavailable: {e}")));
        }
        Err(ComposeError::Unavailable(_)) => {
            let built_in = compose(app, &profile, &conversation, false, Mode::BuiltInOnly)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            if !lease.hold(&mut *app.db().await?).await? {
                return Ok(Outcome::Abandoned);
            }
            built_in
        }
        Err(ComposeError::Database(e)) => return Ok(Outcome::Retry(e)),
    };
    let mut conn = app.db().await?;
    // The chat may have been taken over while the model was thinking.
    if let Some((latest, _)) = agent_db::chat_with_contact(&mut conn, chat_id).await?
        && latest.ai_stands_back(Utc::now().naive_utc())
        && !composed.handed_off
    {
        return Ok(Outcome::Done(Some(
            "chat was taken over while composing".into(),
        )));
    }
    drop(conn);
    let sent =
        crate::sender::send_text(app, business_id, chat_id.0, &composed.text, SentBy::Ai).await;
    Ok(match sent {
        Ok(message) => {
            // The photos the model chose go right after the text, through the one
            // sender (a refused photo does not undo the reply).
            for photo in &composed.photos {
                if let Err(e) = crate::sender::send_image(
                    app,
                    business_id,
                    chat_id.0,
                    &photo.link,
                    Some(&photo.caption),
                    SentBy::Ai,
                )
                .await
                {
                    tracing::warn!(error = %e.message(), product_id = photo.product_id, "a product photo was not sent");
                }
            }
            let mut conn = app.db().await?;
            let why = explanation(&composed);
            if let Err(e) =
                crate::db::ai_traces::insert(&mut conn, business_id, message.id, &why.to_string())
                    .await
            {
                tracing::warn!(error = %e, "could not store an AI reply's explanation");
            }
            activity::record_quietly(
                &mut conn,
                &app.events,
                business_id,
                &Actor::ai(),
                Entry::new(ActivityKind::AiReplied, Some(Subject::chat(chat_id)), "The AI replied")
                    .details(serde_json::json!({
                        "chat_id": chat_id,
                        "message_id": message.id,
                        "responder": match composed.responder {
                            super::Responder::Model => "model",
                            super::Responder::BuiltIn => "built_in",
                        },
                        "fallback_reason": composed.fallback_reason,
                        "tools": composed.tool_calls.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
                        "orders": composed.orders,
                        "handed_off": composed.handed_off,
                    })),
            )
            .await;
            let quote =
                latest_quote(&mut conn, chat_id, contact.identity.profile_name.as_deref()).await;
            drop(conn);
            crate::follow_ups::after_ai_reply(
                app,
                business_id,
                chat_id,
                quote,
                !composed.orders.is_empty(),
            )
            .await;
            Outcome::Done(composed.fallback_reason)
        }
        Err(e @ (AppError::Internal(_) | AppError::Unavailable)) => Outcome::Retry(e.message()),
        // The sender refused (window closed, number disconnected...): retrying cannot help.
        Err(e) => Outcome::Done(Some(format!("the sender refused: {}", e.message()))),
    })
}

/// "Why this reply": what the reply was written from and how it was checked.
fn explanation(composed: &super::Reply) -> serde_json::Value {
    serde_json::json!({
        "responder": match composed.responder {
            super::Responder::Model => "model",
            super::Responder::BuiltIn => "built_in",
        },
        "model": composed.model,
        "prompt_version": prompt::VERSION,
        "fallback_reason": composed.fallback_reason,
        "guard": if composed.blocked.is_empty() { "passed" } else { "blocked" },
        "blocked_amounts": composed.blocked.iter().map(|a| a.text.clone()).collect::<Vec<_>>(),
        "products": composed.products,
        "tool_calls": composed.tool_calls.iter().map(|c| serde_json::json!({
            "name": c.name, "input": c.input, "result": c.result, "is_error": c.is_error,
        })).collect::<Vec<_>>(),
        "orders": composed.orders,
        "photos": composed.photos.iter().map(|p| p.product_id).collect::<Vec<_>>(),
        "handed_off": composed.handed_off,
    })
}

/// The price the chat was last quoted or agreed, as the follow-up rule names it.
async fn latest_quote(
    conn: &mut diesel_async::AsyncMysqlConnection,
    chat_id: ChatId,
    profile_name: Option<&str>,
) -> Option<crate::follow_ups::Quote> {
    let (chat, _) = agent_db::chat_with_contact(conn, chat_id).await.ok()??;
    let negotiation = super::chat_state::ChatNegotiation::parse(chat.negotiation.as_deref());
    // The product haggled over most; an agreed price over the last offer.
    let quote = negotiation
        .products
        .values()
        .max_by_key(|p| p.state.rounds)?;
    let currency = shared::Currency::parse(&quote.currency)?;
    let price = quote.agreed_minor.unwrap_or(quote.state.last_offer_minor);
    Some(crate::follow_ups::Quote {
        product: quote.product_name.clone(),
        price: shared::Money::new(price, currency).to_string(),
        first_name: prompt::first_name(profile_name),
    })
}

/// Runs a claimed `opt_out_notice` job: confirms a STOP opt-out to the customer.
pub async fn opt_out_notice(app: &AppState, job: &Job) -> Outcome {
    let run = async {
        let (chat, _, profile) = match job_chat(app, job).await? {
            Ok(found) => found,
            Err(outcome) => return Ok(outcome),
        };
        crate::sender::send_text(
            app,
            BusinessId(chat.business_id),
            chat.id,
            &optout::confirmation(&profile.name),
            SentBy::System,
        )
        .await
        .map_err(anyhow::Error::from)?;
        Ok::<_, anyhow::Error>(Outcome::Done(None))
    };
    run.await
        .unwrap_or_else(|e| Outcome::Retry(format!("{e:#}")))
}
