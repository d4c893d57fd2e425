//! `wasales-dev bench-ingest`: how fast signed webhook deliveries become durable rows.
//!
//! On its own fresh database (created, then dropped), it starts the server IN-PROCESS
//! on a loopback port with one connected business, then:
//!
//! 1. measures the HTTP ceiling: `GET /ping` (no database) at the same concurrency;
//! 2. fires `--messages` messages as signed deliveries (`--batch` messages each) from
//!    `--customers` customers, recording each request's ack latency;
//! 3. counts messages in the database against those sent, re-sends a sample of
//!    deliveries (Meta's duplicates) and counts again: exactly once.
//!
//! It measures and prints; it asserts nothing about time. Build with `--release`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use backend::app::App;
use backend::config::Config;
use secrecy::ExposeSecret;
use standins::graph::GraphStandin;
use standins::webhook::{self, Customer};

use crate::bench::{self, InProcess, percentile_ms, signed_post};

/// Benchmark settings.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Requests in flight at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Messages to send in total.
    #[arg(long, default_value_t = 50_000)]
    pub messages: usize,
    /// Messages per delivery (Meta batches under load).
    #[arg(long, default_value_t = 1)]
    pub batch: usize,
    /// Distinct customers the messages come from.
    #[arg(long, default_value_t = 1_000)]
    pub customers: usize,
    /// Deliveries re-sent afterwards to prove duplicates change nothing.
    #[arg(long, default_value_t = 1_000)]
    pub duplicates: usize,
}

/// Runs the benchmark on `config`'s (fresh) database and prints its figures.
pub async fn run(mut config: Config, args: BenchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.concurrency > 0 && args.batch > 0 && args.messages > 0,
        "concurrency, batch and messages must be positive"
    );
    // The webhook path is measured on its own: every message still schedules its AI
    // reply job inside the ingest transaction, but no worker answers them here
    // (`bench-agent` measures replies).
    config.agent.workers = 0;
    let graph = GraphStandin::start(0, false).await?;
    config.meta_graph_url = graph.url.clone();
    let secret = config.meta_app_secret.expose_secret().as_bytes().to_vec();
    let app = backend::init(config).await?;
    bench::business(
        &app,
        &graph,
        "Bench Boutique",
        "US",
        "USD",
        "bench@wasales.test",
    )
    .await?;
    let server = InProcess::start(&app).await?;
    let args = &args;
    let addr = server.base.trim_start_matches("http://");
    println!(
        "bench-ingest: server IN-PROCESS on {addr} (same 2-core machine as this client), \
         fresh database, durable commits (MariaDB defaults)"
    );
    println!(
        "settings: concurrency {}, messages {}, {} message(s) per delivery, {} customers; AI reply jobs scheduled, reply workers off",
        args.concurrency, args.messages, args.batch, args.customers
    );

    // Signed bodies, prepared before the clock starts.
    let customers: Vec<Customer> = (0..args.customers.max(1))
        .map(|i| Customer::with_phone(&format!("1555{:07}", i), &format!("Customer {i}")))
        .collect();
    let deliveries = args.messages.div_ceil(args.batch);
    let mut bodies = Vec::with_capacity(deliveries);
    let mut sent_messages = 0usize;
    for d in 0..deliveries {
        let n = args.batch.min(args.messages - sent_messages);
        let customer = &customers[d % customers.len()];
        let messages = (0..n)
            .map(|k| {
                webhook::text_message(
                    customer,
                    &webhook::new_wamid(),
                    &format!("Hello, is item {} still available? ({d}/{k})", d % 97),
                )
            })
            .collect();
        sent_messages += n;
        let value = webhook::messages_value(webhook::DEMO_PHONE_NUMBER_ID, &[customer], messages);
        bodies.push(webhook::signed(&secret, &webhook::single(value)));
    }
    let bodies = Arc::new(bodies);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(30))
        .build()?;

    // 1. The HTTP ceiling.
    let ping_requests = deliveries.clamp(20_000, 100_000);
    let get_ping = {
        let url = format!("{}/ping", server.base);
        move |c: &reqwest::Client, _| c.get(&url)
    };
    let _ = fire(&client, args.concurrency, 2_000, get_ping.clone()).await?;
    let ping = fire(&client, args.concurrency, ping_requests, get_ping).await?;
    let ping_rps = ping_requests as f64 / ping.elapsed.as_secs_f64();

    // 2. Ingest.
    let post_delivery = {
        let url = server.webhook_url();
        move |c: &reqwest::Client, i: usize| signed_post(c, &url, &bodies[i])
    };
    let ingest = fire(&client, args.concurrency, deliveries, post_delivery.clone()).await?;
    let secs = ingest.elapsed.as_secs_f64();
    let delivery_rps = deliveries as f64 / secs;
    let message_rps = sent_messages as f64 / secs;

    // 3. Exactly once.
    let stored = count(&app, "SELECT COUNT(*) AS n FROM messages").await?;
    let unread = count(
        &app,
        "SELECT CAST(COALESCE(SUM(unread_count), 0) AS SIGNED) AS n FROM chats",
    )
    .await?;
    let dup_count = args.duplicates.min(deliveries);
    let dups = fire(&client, args.concurrency, dup_count, post_delivery).await?;
    let stored_after = count(&app, "SELECT COUNT(*) AS n FROM messages").await?;
    let unread_after = count(
        &app,
        "SELECT CAST(COALESCE(SUM(unread_count), 0) AS SIGNED) AS n FROM chats",
    )
    .await?;
    let raw_events = count(&app, "SELECT COUNT(*) AS n FROM webhook_events").await?;

    println!();
    println!(
        "HTTP ceiling  GET /ping        {ping_rps:>10.0} req/s   p50 {:.2} ms  p99 {:.2} ms  ({ping_requests} requests, {} errors)",
        ping.percentile(50.0),
        ping.percentile(99.0),
        ping.errors
    );
    println!(
        "ingest        POST webhooks    {delivery_rps:>10.0} deliveries/s = {message_rps:.0} messages/s  ({deliveries} deliveries in {secs:.2} s, {} non-200)",
        ingest.errors
    );
    println!(
        "ack latency   p50 {:.2} ms   p90 {:.2} ms   p99 {:.2} ms   max {:.2} ms",
        ingest.percentile(50.0),
        ingest.percentile(90.0),
        ingest.percentile(99.0),
        ingest.percentile(100.0)
    );
    println!(
        "ingest / ceiling: {:.1} % of /ping's request rate",
        100.0 * delivery_rps / ping_rps
    );
    println!("exactly once: sent {sent_messages} messages, stored {stored}; unread total {unread}");
    println!(
        "duplicates:   re-sent {dup_count} deliveries ({} non-200) -> stored {stored_after} (unchanged: {}), unread {unread_after} (unchanged: {})",
        dups.errors,
        stored_after == stored,
        unread_after == unread
    );
    println!(
        "raw events kept: {raw_events} (= {} deliveries + {dup_count} duplicates)",
        deliveries
    );

    server.stop().await
}

struct Fired {
    elapsed: Duration,
    latencies_us: Vec<u64>,
    errors: usize,
}

impl Fired {
    fn percentile(&self, p: f64) -> f64 {
        percentile_ms(&self.latencies_us, p, 0.0)
    }
}

/// Sends `total` requests from `concurrency` workers; records each latency.
async fn fire<F>(
    client: &reqwest::Client,
    concurrency: usize,
    total: usize,
    build: F,
) -> anyhow::Result<Fired>
where
    F: Fn(&reqwest::Client, usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let build = Arc::new(build);
    let started = Instant::now();
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let next = next.clone();
        let build = build.clone();
        let client = client.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let t = Instant::now();
                let ok = match build(&client, i).send().await {
                    Ok(r) => {
                        let ok = r.status().is_success();
                        let _ = r.bytes().await;
                        ok
                    }
                    Err(_) => false,
                };
                latencies.push(t.elapsed().as_micros() as u64);
                if !ok {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies_us = Vec::with_capacity(total);
    let mut errors = 0;
    for w in workers {
        let (l, e) = w.await?;
        latencies_us.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    latencies_us.sort_unstable();
    Ok(Fired {
        elapsed,
        latencies_us,
        errors,
    })
}

async fn count(app: &App, sql: &str) -> anyhow::Result<i64> {
    let mut conn = app.db().await.map_err(|e| anyhow::anyhow!(e.message()))?;
    bench::count(&mut conn, sql).await
}
