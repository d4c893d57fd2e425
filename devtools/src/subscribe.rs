//! `wasales-dev subscribe`: a minimal `graphql-transport-ws` client for integrators
//! trying the API from a terminal. It authenticates with a token (an API token or a
//! dashboard session), starts one subscription and prints each event's data as a line
//! of JSON until the server completes or closes the subscription.

use anyhow::{Context, bail};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// What to subscribe to, where, and as whom.
#[derive(Debug, clap::Args)]
pub struct SubscribeArgs {
    /// The WebSocket endpoint.
    #[arg(long, default_value = "ws://127.0.0.1:8080/graphql/ws")]
    pub url: String,
    /// The bearer token (an API token `wsk_...`, or a session token).
    #[arg(long, env = "WASALES_TOKEN")]
    pub token: String,
    /// The subscription, e.g. `subscription { messageAdded { body } }`.
    pub query: String,
}

/// Runs the subscription until the server ends it.
pub async fn run(args: SubscribeArgs) -> anyhow::Result<()> {
    let mut request = args
        .url
        .as_str()
        .into_client_request()
        .context("--url must be a ws:// or wss:// URL")?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().context("valid header")?,
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .with_context(|| format!("connecting to {}", args.url))?;
    let send = |value: Value| Message::Text(value.to_string().into());
    socket
        .send(send(
            json!({"type": "connection_init", "payload": {"token": args.token}}),
        ))
        .await?;
    let mut subscribed = false;
    while let Some(frame) = socket.next().await {
        let text = match frame? {
            Message::Text(text) => text,
            Message::Close(frame) => {
                let why = frame.map(|f| format!("{} {}", u16::from(f.code), f.reason));
                bail!(
                    "the server closed the connection ({})",
                    why.unwrap_or_default()
                );
            }
            _ => continue,
        };
        let message: Value = serde_json::from_str(&text)?;
        match message["type"].as_str() {
            Some("connection_ack") if !subscribed => {
                subscribed = true;
                socket
                    .send(send(json!({
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": args.query}
                    })))
                    .await?;
                eprintln!("subscribed; waiting for events (Ctrl-C to stop)");
            }
            Some("ping") => socket.send(send(json!({"type": "pong"}))).await?,
            Some("next") => println!("{}", message["payload"]),
            Some("error") => bail!("the subscription was refused: {}", message["payload"]),
            Some("complete") => return Ok(()),
            _ => {}
        }
    }
    Ok(())
}
