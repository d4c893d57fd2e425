//! `wasales-dev fault`: a fault in the middle of a webhook load, and what it cost.
//!
//! On its own fresh database it signs up a business (number connected through a quiet
//! Graph API stand-in), starts the production server (`wasales serve`, the binary
//! beside this one) as a child process, and posts `--deliveries` signed deliveries
//! (one message each, unique wamids) from `--concurrency` senders. Like Meta, a sender
//! re-posts a delivery until it is answered 200 (every 50 ms, for up to two minutes).
//! When a third of them are acknowledged it injects the fault:
//!
//! - `--kill-server`: SIGKILL the server and start it again on the same port;
//! - `--run "<shell command>"`: run the command (`scripts/faults.sh` passes one that
//!   stops MariaDB, waits, and starts it again).
//!
//! Afterwards it reads the database directly and prints what the senders saw (200s,
//! 503s, refused connections, the outage) against what is stored: every delivery
//! acknowledged before, during and after the fault must be there exactly once. With
//! `--replies` the server also answers (reply workers on, an Anthropic stand-in as the
//! model, jobs leased for 5 s): once its jobs have settled, every chat must have its
//! answer and the Graph stand-in must have received each sent message once (by our
//! message id in `biz_opaque_callback_data`). It exits with an error when anything is
//! missing or doubled. Build with `--release`.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use backend::config::Config;
use diesel_async::{AsyncConnection, AsyncMysqlConnection};
use secrecy::ExposeSecret;
use standins::anthropic::StandInAnthropic;
use standins::graph::GraphStandin;
use standins::webhook::{self, Customer};
use tokio::process::{Child, Command};

use crate::bench::{self, count, signed_post};

/// Fault settings.
#[derive(Debug, Clone, clap::Args)]
pub struct FaultArgs {
    /// SIGKILL the server mid-load and start it again.
    #[arg(long, conflicts_with = "run")]
    pub kill_server: bool,
    /// A shell command run mid-load (e.g. one that restarts MariaDB).
    #[arg(long)]
    pub run: Option<String>,
    /// Deliveries to post (one message each).
    #[arg(long, default_value_t = 20_000)]
    pub deliveries: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Let the server answer (reply workers on, an Anthropic stand-in as the model):
    /// afterwards every chat must have its answer, each sent to WhatsApp once.
    #[arg(long)]
    pub replies: bool,
}

/// How long claimed jobs stay locked in the server under test: a job the SIGKILL
/// interrupted is taken up again after this.
const JOB_LEASE_SECS: &str = "5";
/// Longest wait for the reply and send jobs to finish after the load.
const JOBS_SETTLE_WITHIN: Duration = Duration::from_secs(120);

/// How long a sender keeps re-posting one delivery (Meta retries for longer, with
/// growing gaps).
const GIVE_UP_AFTER: Duration = Duration::from_secs(120);
/// Gap between two posts of a refused delivery.
const RETRY_GAP: Duration = Duration::from_millis(50);

/// What the senders saw.
#[derive(Default)]
struct Seen {
    acked: AtomicUsize,
    unavailable: AtomicUsize,
    other_status: AtomicUsize,
    refused: AtomicUsize,
    /// First and last moment a post failed (any way).
    failing: Mutex<Option<(Instant, Instant)>>,
    /// Deliveries never acknowledged.
    abandoned: Mutex<Vec<usize>>,
}

impl Seen {
    fn failed(&self) {
        let now = Instant::now();
        let mut failing = self.failing.lock().expect("not poisoned");
        *failing = Some(failing.map_or((now, now), |(first, _)| (first, now)));
    }
}

/// Runs the fault on `config`'s (fresh) database and prints its figures.
pub async fn run(mut config: Config, args: FaultArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.kill_server || args.run.is_some(),
        "say which fault: --kill-server or --run \"<command>\""
    );
    anyhow::ensure!(
        args.deliveries >= 3 && args.concurrency > 0,
        "at least 3 deliveries and 1 sender"
    );
    let graph = GraphStandin::start(0, false).await?;
    let model = if args.replies {
        Some(StandInAnthropic::start().await?)
    } else {
        None
    };
    config.meta_graph_url = graph.url.clone();
    config.agent.workers = 0;
    let secret = config.meta_app_secret.expose_secret().as_bytes().to_vec();
    let database_url = config.database_url.expose_secret().to_string();
    {
        // The schema and the business, by this process; the server is the child.
        let setup = backend::init(config.clone()).await?;
        bench::business(
            &setup,
            &graph,
            "Fault Boutique",
            "US",
            "USD",
            "fault@wasales.test",
        )
        .await?;
    }

    let port = free_port().await?;
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Server {
        binary: server_binary()?,
        port,
        database_url: database_url.clone(),
        graph_url: graph.url.clone(),
        app_secret: config.meta_app_secret.expose_secret().to_string(),
        model_url: model.as_ref().map(|m| m.url.clone()),
        child: None,
    };
    server.start().await?;
    wait_healthy(&base, Duration::from_secs(60)).await?;
    println!(
        "fault: `wasales serve` on {base} (child process), fresh database, {} deliveries from {} senders; the fault comes at a third",
        args.deliveries, args.concurrency
    );

    let customers: Vec<Customer> = (0..500)
        .map(|i| Customer::with_phone(&format!("1666{i:07}"), &format!("Customer {i}")))
        .collect();
    let bodies: Arc<Vec<(Vec<u8>, String)>> = Arc::new(
        (0..args.deliveries)
            .map(|d| {
                let customer = &customers[d % customers.len()];
                let message = webhook::text_message(
                    customer,
                    &webhook::new_wamid(),
                    &format!("Is item {} still there? ({d})", d % 97),
                );
                let value = webhook::messages_value(
                    webhook::DEMO_PHONE_NUMBER_ID,
                    &[customer],
                    vec![message],
                );
                webhook::signed(&secret, &webhook::single(value))
            })
            .collect(),
    );

    let seen = Arc::new(Seen::default());
    let next = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let url = format!("{base}{}", backend::webhooks::WEBHOOK_PATH);
    let started = Instant::now();
    let senders: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let (seen, next, client, url, bodies) = (
                seen.clone(),
                next.clone(),
                client.clone(),
                url.clone(),
                bodies.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= bodies.len() {
                        break;
                    }
                    post_until_acked(&client, &url, &bodies[i], &seen, i).await;
                }
            })
        })
        .collect();

    // The fault, at a third.
    let third = args.deliveries / 3;
    while seen.acked.load(Ordering::Relaxed) < third {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let acked_before = seen.acked.load(Ordering::Relaxed);
    let fault_at = Instant::now();
    let fault = if args.kill_server {
        server.kill().await?;
        let killed = fault_at.elapsed();
        server.start().await?;
        wait_healthy(&base, Duration::from_secs(60)).await?;
        format!(
            "SIGKILL after {acked_before} acknowledged; killed in {:.0} ms, serving again {:.2} s later",
            killed.as_secs_f64() * 1000.0,
            fault_at.elapsed().as_secs_f64()
        )
    } else {
        let command = args.run.as_deref().unwrap_or_default();
        let status = Command::new("sh")
            .arg("-c")
            .arg(command)
            .status()
            .await
            .context("running the fault command")?;
        anyhow::ensure!(status.success(), "the fault command failed: {status}");
        format!(
            "`{command}` after {acked_before} acknowledged; it took {:.2} s",
            fault_at.elapsed().as_secs_f64()
        )
    };
    for s in senders {
        s.await?;
    }
    let elapsed = started.elapsed();
    let mut conn = connect_when_up(&database_url).await?;
    let replies = if args.replies {
        Some(settle_replies(&mut conn, &graph).await?)
    } else {
        None
    };
    server.kill().await?;

    // What is stored, read directly.
    let stored = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM messages WHERE direction = 'inbound'",
    )
    .await?;
    let distinct = count(
        &mut conn,
        "SELECT COUNT(DISTINCT wamid) AS n FROM messages WHERE direction = 'inbound'",
    )
    .await?;
    let raw = count(&mut conn, "SELECT COUNT(*) AS n FROM webhook_events").await?;
    let reply_jobs = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'ai_reply'",
    )
    .await?;
    let chats = count(&mut conn, "SELECT COUNT(*) AS n FROM chats").await?;
    drop(conn);

    let acked = seen.acked.load(Ordering::Relaxed);
    let abandoned = seen.abandoned.lock().expect("not poisoned").len();
    let outage = seen
        .failing
        .lock()
        .expect("not poisoned")
        .map(|(first, last)| format!("{:.2} s", (last - first).as_secs_f64()))
        .unwrap_or_else(|| "none seen".into());
    let lost = usize::try_from(acked as i64 - distinct).unwrap_or(0);
    println!();
    println!("fault         {fault}");
    println!(
        "senders saw   {acked} acknowledged (200), {} answered 503, {} other statuses, {} refused connections; failures spanned {outage}; {abandoned} given up",
        seen.unavailable.load(Ordering::Relaxed),
        seen.other_status.load(Ordering::Relaxed),
        seen.refused.load(Ordering::Relaxed),
    );
    println!(
        "stored        {stored} messages ({distinct} distinct wamids) of {} sent; {raw} raw events kept (re-posts included); {reply_jobs} AI reply jobs for {chats} chats",
        args.deliveries
    );
    println!(
        "lost          {lost} acknowledged deliveries missing; duplicates {}",
        stored - distinct
    );
    println!("took          {:.2} s in all", elapsed.as_secs_f64());
    if let Some(r) = &replies {
        println!(
            "replies       {} chats of {chats} answered; {} messages sent by the server, {} received at the Graph API ({} of them twice); {} failed; jobs settled {:.2} s after the load",
            r.chats_answered,
            r.sent,
            r.received,
            r.received_twice,
            r.failed,
            r.settled_after.as_secs_f64()
        );
    }
    anyhow::ensure!(lost == 0, "{lost} acknowledged deliveries were lost");
    if let Some(r) = replies {
        anyhow::ensure!(r.chats_answered == chats, "a chat was never answered");
        anyhow::ensure!(r.received_twice == 0, "a message reached WhatsApp twice");
        anyhow::ensure!(
            r.received == r.sent,
            "the server recorded {} sends, the Graph API received {}",
            r.sent,
            r.received
        );
        anyhow::ensure!(r.failed == 0, "{} sends failed", r.failed);
    }
    anyhow::ensure!(stored == distinct, "a message was stored twice");
    anyhow::ensure!(
        abandoned == 0,
        "{abandoned} deliveries were never acknowledged"
    );
    Ok(())
}

/// What became of the replies.
struct Replies {
    chats_answered: i64,
    /// Outbound messages the server recorded as taken by Meta (with a wamid).
    sent: i64,
    /// Messages the Graph stand-in took, by distinct callback data (our message id).
    received: i64,
    /// Callback data the stand-in took more than once.
    received_twice: i64,
    failed: i64,
    settled_after: Duration,
}

/// Waits until no reply or send job is left, then compares the sends.
async fn settle_replies(
    conn: &mut AsyncMysqlConnection,
    graph: &GraphStandin,
) -> anyhow::Result<Replies> {
    let started = Instant::now();
    loop {
        let open = count(
            conn,
            "SELECT COUNT(*) AS n FROM jobs WHERE done_at IS NULL AND kind IN ('ai_reply', 'send_message')",
        )
        .await?;
        if open == 0 {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < JOBS_SETTLE_WITHIN,
            "{open} reply or send jobs still open after {JOBS_SETTLE_WITHIN:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let settled_after = started.elapsed();
    let mut by_callback: std::collections::HashMap<String, usize> = Default::default();
    for m in graph.accepted() {
        if let Some(key) = m.body["biz_opaque_callback_data"].as_str() {
            *by_callback.entry(key.to_string()).or_default() += 1;
        }
    }
    Ok(Replies {
        chats_answered: count(
            conn,
            "SELECT COUNT(DISTINCT chat_id) AS n FROM messages WHERE direction = 'outbound'",
        )
        .await?,
        sent: count(
            conn,
            "SELECT COUNT(*) AS n FROM messages WHERE direction = 'outbound' AND wamid IS NOT NULL",
        )
        .await?,
        received: by_callback.len() as i64,
        received_twice: by_callback.values().filter(|n| **n > 1).count() as i64,
        failed: count(
            conn,
            "SELECT COUNT(*) AS n FROM messages WHERE direction = 'outbound' AND status = 'failed'",
        )
        .await?,
        settled_after,
    })
}

/// Posts one delivery until the server answers 200 (Meta's retries, compressed).
async fn post_until_acked(
    client: &reqwest::Client,
    url: &str,
    body: &(Vec<u8>, String),
    seen: &Seen,
    index: usize,
) {
    let first = Instant::now();
    loop {
        match signed_post(client, url, body).send().await {
            Ok(r) if r.status().is_success() => {
                seen.acked.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Ok(r) if r.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE => {
                seen.unavailable.fetch_add(1, Ordering::Relaxed);
                seen.failed();
            }
            Ok(_) => {
                seen.other_status.fetch_add(1, Ordering::Relaxed);
                seen.failed();
            }
            Err(_) => {
                seen.refused.fetch_add(1, Ordering::Relaxed);
                seen.failed();
            }
        }
        if first.elapsed() > GIVE_UP_AFTER {
            seen.abandoned.lock().expect("not poisoned").push(index);
            return;
        }
        tokio::time::sleep(RETRY_GAP).await;
    }
}

/// The production server as a child process.
struct Server {
    binary: PathBuf,
    port: u16,
    database_url: String,
    graph_url: String,
    app_secret: String,
    /// The Anthropic stand-in, when the server answers (`--replies`).
    model_url: Option<String>,
    child: Option<Child>,
}

impl Server {
    async fn start(&mut self) -> anyhow::Result<()> {
        let mut command = Command::new(&self.binary);
        command
            .arg("serve")
            .env("DATABASE_URL", &self.database_url)
            .env("BIND_ADDR", format!("127.0.0.1:{}", self.port))
            .env("META_GRAPH_URL", &self.graph_url)
            .env("META_APP_SECRET", &self.app_secret)
            .env_remove("META_SYSTEM_TOKEN")
            .env("RUST_LOG", "error");
        match &self.model_url {
            Some(model) => command
                .env("AGENT_WORKERS", "2")
                .env("ANTHROPIC_BASE_URL", model)
                .env("ANTHROPIC_API_KEY", "sk-ant-fault-standin-key")
                .env("AI_REPLY_DEBOUNCE_MS", "100")
                .env("AI_REPLIES_PER_CONTACT", "1000000")
                .env("AI_SERVER_KEY_DAILY_TOKENS", "1000000000")
                .env("JOB_LEASE_SECS", JOB_LEASE_SECS)
                .env("META_NUMBER_MPS", "1000"),
            None => command.env("AGENT_WORKERS", "0"),
        };
        let child = command
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", self.binary.display()))?;
        self.child = Some(child);
        Ok(())
    }

    /// SIGKILL: no graceful shutdown, nothing flushed.
    async fn kill(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill().await?;
        }
        Ok(())
    }
}

/// `wasales`, built beside this binary (`cargo build --release -p backend -p devtools`).
fn server_binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let binary = me.with_file_name("wasales");
    anyhow::ensure!(
        binary.exists(),
        "{} is missing: build it with `cargo build --release -p backend --bins`",
        binary.display()
    );
    Ok(binary)
}

async fn free_port() -> anyhow::Result<u16> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    Ok(listener.local_addr()?.port())
}

/// Waits until `/healthz` answers 200 (database reachable).
async fn wait_healthy(base: &str, within: Duration) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()?;
    let deadline = Instant::now() + within;
    loop {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the server did not become healthy on {base}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A connection of our own, waiting for a database that may still be starting.
async fn connect_when_up(url: &str) -> anyhow::Result<AsyncMysqlConnection> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match AsyncMysqlConnection::establish(url).await {
            Ok(conn) => return Ok(conn),
            Err(e) if Instant::now() > deadline => return Err(e.into()),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}
