//! The link between this replica's bus and the fleet's broker: one task that publishes
//! this replica's events and re-broadcasts the other replicas' ones locally.
//!
//! Every message carries the publishing replica's origin id; a replica skips its own
//! (it delivered them locally already), so each subscriber gets each event once. When
//! the broker cannot be reached the task logs a warning, drops what is published
//! meanwhile (local subscribers have it) and reconnects with a growing back-off.

use std::time::Duration;

use anyhow::Context;
use futures::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, watch};

use super::DomainEvent;
use crate::config::FleetConfig;

/// Events waiting for the broker; beyond this, publishing skips the relay.
const RELAY_CAPACITY: usize = 8192;
/// Longest wait for a connection or an answer from the broker.
const BROKER_TIMEOUT: Duration = Duration::from_secs(2);
/// First and longest pause between reconnection attempts.
const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How often the state of a self-reconnecting NATS client is looked at.
const STATE_CHECK: Duration = Duration::from_millis(250);

/// Which broker, where, and under which name.
enum Broker {
    Nats { url: SecretString, subject: String },
    Redis { url: SecretString, channel: String },
}

impl Broker {
    fn name(&self) -> &'static str {
        match self {
            Broker::Nats { .. } => "nats",
            Broker::Redis { .. } => "redis",
        }
    }
}

/// What goes over the wire.
#[derive(Serialize)]
struct Outgoing<'a> {
    origin: &'a str,
    event: &'a DomainEvent,
}

/// What comes back.
#[derive(Deserialize)]
struct Incoming {
    origin: String,
    event: DomainEvent,
}

/// Starts the relay task for the configured broker; returns where to hand it events
/// and whether it is connected now; `None` (no task) without a broker.
pub(super) fn start(
    fleet: &FleetConfig,
    local: broadcast::Sender<DomainEvent>,
) -> Option<(mpsc::Sender<DomainEvent>, watch::Receiver<bool>)> {
    let broker = if let Some(url) = &fleet.nats_url {
        Broker::Nats {
            url: url.clone(),
            subject: format!("{}.events", fleet.prefix),
        }
    } else if let Some(url) = &fleet.redis_url {
        Broker::Redis {
            url: url.clone(),
            channel: format!("{}:events", fleet.prefix),
        }
    } else {
        return None;
    };
    let (sender, outbox) = mpsc::channel(RELAY_CAPACITY);
    let (connected, relayed) = watch::channel(false);
    let relay = Relay {
        origin: uuid::Uuid::new_v4().simple().to_string(),
        outbox,
        local,
        connected,
    };
    tokio::spawn(relay.run(broker));
    Some((sender, relayed))
}

/// The relay task's state.
struct Relay {
    /// This replica's id on the wire.
    origin: String,
    /// Events published here, to send to the broker.
    outbox: mpsc::Receiver<DomainEvent>,
    /// This replica's subscribers.
    local: broadcast::Sender<DomainEvent>,
    /// Whether a broker session is up.
    connected: watch::Sender<bool>,
}

/// Why a session with the broker ended.
enum Ended {
    /// Every bus handle is gone: the replica is shutting down.
    BusClosed,
    /// The broker failed or went away.
    Lost(anyhow::Error),
}

fn lost(error: impl Into<anyhow::Error>) -> Ended {
    Ended::Lost(error.into())
}

impl Relay {
    async fn run(mut self, broker: Broker) {
        let mut backoff = MIN_BACKOFF;
        loop {
            let ended = match &broker {
                Broker::Nats { url, subject } => self.over_nats(url, subject, &mut backoff).await,
                Broker::Redis { url, channel } => self.over_redis(url, channel, &mut backoff).await,
            };
            self.connected.send_replace(false);
            match ended {
                Ended::BusClosed => return,
                Ended::Lost(error) => tracing::warn!(
                    broker = broker.name(),
                    error = format!("{error:#}"),
                    retry_in_ms = backoff.as_millis() as u64,
                    "event broker unavailable: live events reach this replica's subscribers only until it is back"
                ),
            }
            if !self.drain_for(backoff).await {
                return;
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// Drops what is published during `pause` (local subscribers already have it);
    /// false when the bus closed.
    async fn drain_for(&mut self, pause: Duration) -> bool {
        let deadline = tokio::time::sleep(pause);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                () = &mut deadline => return true,
                event = self.outbox.recv() => if event.is_none() { return false },
            }
        }
    }

    fn encode(&self, event: &DomainEvent) -> Vec<u8> {
        serde_json::to_vec(&Outgoing {
            origin: &self.origin,
            event,
        })
        .unwrap_or_default()
    }

    /// Re-broadcasts another replica's event here; skips this replica's own.
    fn deliver(&self, payload: &[u8]) {
        match serde_json::from_slice::<Incoming>(payload) {
            Ok(incoming) if incoming.origin != self.origin => {
                let _ = self.local.send(incoming.event);
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "ignored an undecodable event from the broker"),
        }
    }

    async fn over_nats(
        &mut self,
        url: &SecretString,
        subject: &str,
        backoff: &mut Duration,
    ) -> Ended {
        let client = match async_nats::ConnectOptions::new()
            .connection_timeout(BROKER_TIMEOUT)
            .no_echo()
            .name("wasales")
            .connect(url.expose_secret())
            .await
        {
            Ok(client) => client,
            Err(error) => return lost(error),
        };
        let mut messages = match client.subscribe(subject.to_string()).await {
            Ok(messages) => messages,
            Err(error) => return lost(error),
        };
        if let Err(error) = tokio::time::timeout(BROKER_TIMEOUT, client.flush())
            .await
            .context("flush timed out")
        {
            return lost(error);
        }
        tracing::info!(broker = "nats", "live events relayed across replicas");
        *backoff = MIN_BACKOFF;
        self.connected.send_replace(true);
        // The client reconnects by itself (and re-subscribes); while it is away its
        // buffer fills, then publishing here waits and the bus skips the relay.
        let mut check = tokio::time::interval(STATE_CHECK);
        loop {
            tokio::select! {
                _ = check.tick() => {
                    let up = client.connection_state() == async_nats::connection::State::Connected;
                    self.connected.send_if_modified(|was| std::mem::replace(was, up) != up);
                }
                event = self.outbox.recv() => {
                    let Some(event) = event else { return Ended::BusClosed };
                    let payload = self.encode(&event);
                    let publish = client.publish(subject.to_string(), payload.into());
                    match tokio::time::timeout(BROKER_TIMEOUT, publish).await {
                        Ok(Ok(())) => {}
                        Ok(Err(error)) => return lost(error),
                        // The client's buffer is full while it reconnects: this event
                        // stays local; the relay goes on watching the connection.
                        Err(_) => tracing::debug!("NATS publish timed out; event delivered locally only"),
                    }
                }
                message = messages.next() => match message {
                    Some(message) => self.deliver(&message.payload),
                    None => return lost(anyhow::anyhow!("the subscription ended")),
                },
            }
        }
    }

    async fn over_redis(
        &mut self,
        url: &SecretString,
        channel: &str,
        backoff: &mut Duration,
    ) -> Ended {
        let connected = async {
            let client = redis::Client::open(url.expose_secret())?;
            let publisher =
                tokio::time::timeout(BROKER_TIMEOUT, client.get_multiplexed_async_connection())
                    .await
                    .context("connection timed out")??;
            let mut subscriber = tokio::time::timeout(BROKER_TIMEOUT, client.get_async_pubsub())
                .await
                .context("connection timed out")??;
            subscriber.subscribe(channel).await?;
            anyhow::Ok((publisher, subscriber))
        };
        let (mut publisher, subscriber) = match connected.await {
            Ok(pair) => pair,
            Err(error) => return lost(error),
        };
        let mut messages = subscriber.into_on_message();
        tracing::info!(broker = "redis", "live events relayed across replicas");
        *backoff = MIN_BACKOFF;
        self.connected.send_replace(true);
        loop {
            tokio::select! {
                event = self.outbox.recv() => {
                    let Some(event) = event else { return Ended::BusClosed };
                    let mut command = redis::cmd("PUBLISH");
                    command.arg(channel).arg(self.encode(&event));
                    let publish = command.query_async::<i64>(&mut publisher);
                    match tokio::time::timeout(BROKER_TIMEOUT, publish).await {
                        Ok(Ok(_)) => {}
                        Ok(Err(error)) => return lost(error),
                        Err(_) => return lost(anyhow::anyhow!("PUBLISH timed out")),
                    }
                }
                message = messages.next() => match message {
                    Some(message) => self.deliver(message.get_payload_bytes()),
                    None => return lost(anyhow::anyhow!("the subscription connection closed")),
                },
            }
        }
    }
}
