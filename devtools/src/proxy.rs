//! A tiny TCP load balancer for the demo of several replicas behind one port: each
//! accepted connection goes to the next replica in turn (round robin) and bytes are
//! copied both ways, so HTTP, keep-alive and WebSockets (the live inbox) all work. A
//! replica that refuses the connection is skipped for that connection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Args;
use tokio::net::{TcpListener, TcpStream};

/// `wasales-dev proxy`.
#[derive(Args, Debug)]
pub struct ProxyArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// A replica to forward to (give it once per replica).
    #[arg(long = "to", required = true)]
    replicas: Vec<SocketAddr>,
}

/// Forwards connections until the process is stopped.
pub async fn run(args: ProxyArgs) -> anyhow::Result<()> {
    let listener = TcpListener::bind(args.listen).await?;
    tracing::info!(listen = %args.listen, replicas = ?args.replicas, "round-robin proxy listening");
    let replicas: Arc<[SocketAddr]> = args.replicas.into();
    let next = Arc::new(AtomicUsize::new(0));
    loop {
        let (client, peer) = listener.accept().await?;
        let replicas = replicas.clone();
        let first = next.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            if let Err(error) = forward(client, &replicas, first).await {
                tracing::debug!(%peer, %error, "connection ended");
            }
        });
    }
}

/// Connects `client` to the replica at `first` (or the next ones that answer) and
/// copies both ways until either side closes.
async fn forward(
    mut client: TcpStream,
    replicas: &[SocketAddr],
    first: usize,
) -> anyhow::Result<()> {
    client.set_nodelay(true)?;
    for attempt in 0..replicas.len() {
        let replica = replicas[(first + attempt) % replicas.len()];
        match TcpStream::connect(replica).await {
            Ok(mut upstream) => {
                upstream.set_nodelay(true)?;
                tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
                return Ok(());
            }
            Err(error) => tracing::warn!(%replica, %error, "replica unreachable; trying the next"),
        }
    }
    anyhow::bail!("no replica answered")
}
