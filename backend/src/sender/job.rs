//! A stored message on its way to Meta: each attempt (paced per number, named by its
//! callback data), how its outcome is recorded, the wait before a retry, and the
//! durable `send_message` job that runs the retries.

use std::time::Duration;

use serde::Deserialize;
use shared::BusinessId;

use super::{MAX_RETRY_DELAY, publish};
use crate::app::AppState;
use crate::db::inbox as inbox_model;
use crate::db::jobs::{Job, Outcome};
use crate::db::outbound;
use crate::error::AppResult;
use crate::events::EventKind;
use crate::meta::GraphClient;
use crate::meta::client::{GraphError, PAIR_RATE_LIMIT};
use crate::meta::types::SendMessageRequest;
use crate::whatsapp::{self, IdentityError, SendingIdentity};

/// One stored message on its way to Meta.
pub(super) struct SendJob {
    app: AppState,
    business_id: BusinessId,
    chat_id: u64,
    message_id: u64,
    identity: SendingIdentity,
    request: SendMessageRequest,
}

impl SendJob {
    /// Every attempt names the stored message in `biz_opaque_callback_data`: when its
    /// answer is lost, the status webhooks that echo it complete the record (see
    /// [`crate::db::messages::apply_statuses`]) instead of a second send.
    pub(super) fn new(
        app: &AppState,
        business_id: BusinessId,
        chat_id: u64,
        message_id: u64,
        identity: SendingIdentity,
        mut request: SendMessageRequest,
    ) -> SendJob {
        request.biz_opaque_callback_data = Some(outbound::callback_data(message_id));
        SendJob {
            app: app.clone(),
            business_id,
            chat_id,
            message_id,
            identity,
            request,
        }
    }

    pub(super) async fn attempt(&self) -> Result<String, GraphError> {
        self.app
            .send_pacer
            .ready(
                &self.identity.connection.phone_number_id,
                self.identity.connection.coexistence,
            )
            .await;
        let answer = GraphClient::new(&self.app.http, &self.app.config.meta_graph_url)
            .send_message(
                &self.identity.connection.phone_number_id,
                &self.identity.token,
                &self.request,
            )
            .await?;
        answer
            .messages
            .into_iter()
            .next()
            .map(|m| m.id)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| GraphError::Transport("Meta accepted the message without an id".into()))
    }

    /// Records the outcome of attempt number `attempt` on the message, and says whether
    /// (and when) the send job should try again: [`Outcome::RetryAt`], else
    /// [`Outcome::Settled`] (sent or failed for good; the job went with that write).
    pub(super) async fn settle(
        &self,
        outcome: Result<String, GraphError>,
        attempt: u32,
    ) -> AppResult<Outcome> {
        let mut conn = self.app.db().await?;
        match outcome {
            Ok(wamid) => {
                outbound::mark_sent(&mut conn, self.message_id, &wamid).await?;
                apply_early_statuses(&mut conn, &wamid).await?;
                tracing::info!(message_id = self.message_id, attempt, "message sent");
            }
            Err(e) if e.is_retryable() && attempt < self.app.config.send_max_attempts => {
                tracing::warn!(
                    message_id = self.message_id,
                    attempt,
                    code = e.code(),
                    title = %e.title(),
                    "send failed, will retry"
                );
                let at = chrono::Utc::now().naive_utc()
                    + chrono::Duration::from_std(retry_delay(
                        self.app.config.send_retry_base,
                        attempt + 1,
                        &e,
                    ))
                    .unwrap_or(chrono::Duration::seconds(60));
                return Ok(Outcome::RetryAt(at, e.title()));
            }
            Err(e) => {
                tracing::warn!(
                    message_id = self.message_id,
                    attempt,
                    code = e.code(),
                    title = %e.title(),
                    "send failed permanently"
                );
                let code = e.code().and_then(|c| i32::try_from(c).ok());
                outbound::mark_failed(&mut conn, self.message_id, code, &e.title()).await?;
            }
        }
        publish(
            &self.app,
            self.business_id,
            EventKind::MessageStatusChanged {
                chat_id: self.chat_id,
                message_id: self.message_id,
            },
        );
        Ok(Outcome::Settled)
    }
}

/// The number was disconnected while the message waited for a retry.
async fn record_disconnected(
    app: &AppState,
    business_id: BusinessId,
    chat_id: u64,
    message_id: u64,
) -> AppResult<()> {
    let mut conn = app.db().await?;
    outbound::mark_failed(
        &mut conn,
        message_id,
        None,
        "WhatsApp number disconnected before the message could be sent",
    )
    .await?;
    publish(
        app,
        business_id,
        EventKind::MessageStatusChanged {
            chat_id,
            message_id,
        },
    );
    Ok(())
}

#[derive(Deserialize)]
struct SendPayload {
    message_id: u64,
    request: SendMessageRequest,
}

/// Runs a claimed `send_message` job: a message still `pending` (a temporary failure,
/// or a server that stopped before settling it) is sent again, on the business's
/// currently connected number; a number disconnected meanwhile fails the message.
pub async fn run_send_job(app: &AppState, job: &Job) -> Outcome {
    let now = chrono::Utc::now().naive_utc();
    let nothing = |why: &str| Outcome::Done(Some(why.into()));
    let Some(business_id) = job.spec.business_id else {
        return nothing("no business");
    };
    let Ok(payload) = serde_json::from_str::<SendPayload>(&job.spec.payload) else {
        tracing::error!(job = job.id, "unreadable send job payload");
        return nothing("unreadable payload");
    };
    let run = async {
        let mut conn = app.db().await?;
        let Some(message) =
            inbox_model::find_message(&mut conn, business_id.0, payload.message_id).await?
        else {
            return Ok(nothing("the message no longer exists"));
        };
        if message.status != shared::MessageStatus::Pending {
            return Ok(nothing("the message is no longer pending"));
        }
        drop(conn);
        let identity = match whatsapp::sending_identity(app, business_id).await {
            Ok(identity) => identity,
            Err(IdentityError::NotConnected) => {
                record_disconnected(app, business_id, message.chat_id, message.id).await?;
                return Ok(Outcome::Settled);
            }
            Err(IdentityError::Failed(e)) => return Err(e),
        };
        let send = SendJob::new(
            app,
            business_id,
            message.chat_id,
            message.id,
            identity,
            payload.request,
        );
        // The sender made attempt 1 inline; each claim of the job is one more.
        let attempt = u32::try_from(job.attempts).unwrap_or(1).saturating_add(1);
        let outcome = send.attempt().await;
        send.settle(outcome, attempt).await
    };
    match run.await {
        Ok(settled) => settled,
        Err(e) => {
            let delay = chrono::Duration::from_std(app.config.send_retry_base)
                .unwrap_or(chrono::Duration::seconds(1));
            Outcome::RetryAt(now + delay, e.message())
        }
    }
}

/// How many first-retry delays a send whose answer was lost waits before it is tried
/// again: long enough for the status webhook that says Meta took it after all (it
/// names the message by its callback data and ends the send; see [`SendJob::new`]).
pub const LOST_ANSWER_WAIT_FACTOR: u32 = 15;

/// The wait before attempt number `attempt` (2 for the first retry).
pub fn retry_delay(base: Duration, attempt: u32, last: &GraphError) -> Duration {
    let doubling = base.saturating_mul(1u32 << attempt.saturating_sub(2).min(16));
    let delay = if last.code() == Some(PAIR_RATE_LIMIT) {
        doubling.max(base.saturating_mul(6))
    } else if last.may_have_been_accepted() {
        doubling.max(base.saturating_mul(LOST_ANSWER_WAIT_FACTOR))
    } else {
        doubling
    };
    delay.min(MAX_RETRY_DELAY)
}

/// Applies webhook statuses that arrived before the wamid was stored (Meta can report
/// `delivered` faster than we save its answer): the ingest parks them in
/// `pending_statuses`. The `MessageStatusChanged` published right after covers the
/// resulting change.
async fn apply_early_statuses(
    conn: &mut diesel_async::AsyncMysqlConnection,
    wamid: &str,
) -> AppResult<()> {
    crate::db::messages::apply_pending_statuses(conn, wamid).await?;
    Ok(())
}
