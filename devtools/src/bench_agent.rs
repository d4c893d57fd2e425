//! `wasales-dev bench-agent`: our own overhead from a customer's webhook POST to the AI
//! reply arriving at the Graph API, with a zero-latency model.
//!
//! On its own fresh database (created, then dropped) it starts the server IN-PROCESS
//! with the Anthropic stand-in (answers at once) and the Graph stand-in, one business
//! with a connected number and a small catalog, then:
//!
//! 1. paced: `--conversations` customers each write once, `--rate` per second; for each,
//!    the time from the webhook POST to the reply's arrival at the Graph stand-in,
//!    minus the debounce, is our overhead (ingest commit, job claim, prompt, model
//!    round trip on loopback, guard, sender);
//! 2. burst: `--burst` customers write at once; replies per second until all answered.
//!
//! It measures and prints; it asserts nothing about time. Build with `--release`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use backend::config::Config;
use secrecy::{ExposeSecret, SecretString};
use shared::{Discount, ProductDraft};
use standins::anthropic::StandInAnthropic;
use standins::graph::GraphStandin;
use standins::webhook::{self, Customer};

use crate::bench::{self, InProcess, percentile_ms, signed_post};

/// Benchmark settings.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchAgentArgs {
    /// Customers in the paced phase (one message each).
    #[arg(long, default_value_t = 400)]
    pub conversations: usize,
    /// Messages per second in the paced phase.
    #[arg(long, default_value_t = 40)]
    pub rate: u32,
    /// Customers writing at once in the burst phase.
    #[arg(long, default_value_t = 500)]
    pub burst: usize,
    /// Reply debounce, milliseconds (subtracted from the latencies).
    #[arg(long, default_value_t = 200)]
    pub debounce_ms: u64,
    /// Reply workers.
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// Messages per second the business number may send (Meta: 80 by default, up to
    /// 1,000 for upgraded numbers); the burst drains at this rate at most.
    #[arg(long, default_value_t = 80)]
    pub number_mps: u32,
}

/// Runs the benchmark on `config`'s (fresh) database and prints its figures.
pub async fn run(mut config: Config, args: BenchAgentArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.conversations > 0 && args.rate > 0,
        "conversations and rate must be positive"
    );
    let args = &args;
    let model = StandInAnthropic::start().await?;
    let graph = GraphStandin::start(0, false).await?;
    config.anthropic_base_url = model.url.clone();
    config.anthropic_api_key = Some(SecretString::from("sk-ant-bench-standin-key".to_string()));
    config.meta_graph_url = graph.url.clone();
    config.meta_system_token = None;
    config.agent.reply_debounce = Duration::from_millis(args.debounce_ms);
    config.agent.workers = args.workers;
    config.meta_number_mps = args.number_mps;
    config.agent.replies_per_window = i64::MAX;
    let secret = config.meta_app_secret.expose_secret().as_bytes().to_vec();
    let app = backend::init(config).await?;
    let owner = bench::business(
        &app,
        &graph,
        "Bench Boutique",
        "NG",
        "NGN",
        "bench-agent@wasales.test",
    )
    .await?;
    let draft = ProductDraft {
        name: "Ankara wrap dress".into(),
        description: "Hand-sewn cotton wrap dress".into(),
        price_minor: 2_500_000,
        currency: "NGN".into(),
        discount: Discount::Percent(10),
        bargain_floor_minor: 1_900_000,
        hard_minimum_minor: None,
        quantity: 1_000_000,
        colors: vec!["Red".into(), "Blue".into()],
    };
    backend::catalog::create_product(&app, &owner, &draft, Vec::new()).await?;
    let server = InProcess::start(&app).await?;
    let addr = server.base.trim_start_matches("http://");
    let hook = server.webhook_url();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .timeout(Duration::from_secs(30))
        .build()?;
    println!(
        "bench-agent: server IN-PROCESS on {addr} with the Anthropic stand-in (zero latency) and the Graph stand-in, \
         fresh database; debounce {} ms, {} workers, number paced at {} messages/s",
        args.debounce_ms, args.workers, args.number_mps
    );

    // Every customer message, signed before the clock starts.
    let total = args.conversations + args.burst;
    let customers: Vec<Customer> = (0..total)
        .map(|i| Customer::with_phone(&format!("2348{:09}", i), &format!("Customer {i}")))
        .collect();
    let bodies: Vec<(Vec<u8>, String)> = customers
        .iter()
        .map(|c| {
            let msg =
                webhook::text_message(c, &webhook::new_wamid(), "How much is the ankara dress?");
            let value = webhook::messages_value(webhook::DEMO_PHONE_NUMBER_ID, &[c], vec![msg]);
            webhook::signed(&secret, &webhook::single(value))
        })
        .collect();
    let bodies = Arc::new(bodies);
    let post = |i: usize| {
        let client = client.clone();
        let hook = hook.clone();
        let bodies = bodies.clone();
        async move {
            signed_post(&client, &hook, &bodies[i])
                .send()
                .await
                .map(|r| r.status().is_success())
                .unwrap_or(false)
        }
    };

    // 1. Paced.
    let mut sent_at: HashMap<String, Instant> = HashMap::new();
    let interval = Duration::from_secs_f64(1.0 / f64::from(args.rate));
    let started = Instant::now();
    let mut posts = Vec::new();
    for (i, c) in customers.iter().take(args.conversations).enumerate() {
        let due = started + interval * u32::try_from(i).unwrap_or(u32::MAX);
        tokio::time::sleep_until(due.into()).await;
        sent_at.insert(c.wa_id.clone().unwrap_or_default(), Instant::now());
        posts.push(tokio::spawn(post(i)));
    }
    let mut failed_posts = 0;
    for p in posts {
        if !p.await.unwrap_or(false) {
            failed_posts += 1;
        }
    }
    let arrived = wait_replies(&graph, &sent_at, Duration::from_secs(60)).await;
    let debounce = Duration::from_millis(args.debounce_ms);
    let mut overhead_us: Vec<u64> = arrived
        .iter()
        .filter_map(|(to, at)| sent_at.get(to).map(|s| at.saturating_duration_since(*s)))
        .map(|d| d.saturating_sub(debounce).as_micros() as u64)
        .collect();
    overhead_us.sort_unstable();
    let pct = |v: &[u64], p: f64| percentile_ms(v, p, f64::NAN);
    println!();
    println!(
        "paced   {} customers at {}/s: {} replies, {} webhook errors, {} model requests",
        args.conversations,
        args.rate,
        overhead_us.len(),
        failed_posts,
        model.request_count()
    );
    println!(
        "overhead beyond the debounce (webhook POST -> reply at the Graph API): p50 {:.1} ms   p90 {:.1} ms   p99 {:.1} ms   max {:.1} ms",
        pct(&overhead_us, 50.0),
        pct(&overhead_us, 90.0),
        pct(&overhead_us, 99.0),
        pct(&overhead_us, 100.0)
    );

    // 2. Burst.
    if args.burst > 0 {
        let mut burst_sent: HashMap<String, Instant> = HashMap::new();
        let start = Instant::now();
        let mut posts = Vec::new();
        for (i, c) in customers.iter().enumerate().skip(args.conversations) {
            burst_sent.insert(c.wa_id.clone().unwrap_or_default(), Instant::now());
            posts.push(tokio::spawn(post(i)));
        }
        for p in posts {
            let _ = p.await;
        }
        let arrived = wait_replies(&graph, &burst_sent, Duration::from_secs(120)).await;
        let last = arrived.values().max().copied().unwrap_or(start);
        let secs = last.saturating_duration_since(start).as_secs_f64();
        let work = (secs - debounce.as_secs_f64()).max(1e-3);
        println!(
            "burst   {} customers at once: {} replies in {:.2} s = {:.0} replies/s ({:.0} replies/s excluding the debounce)",
            args.burst,
            arrived.len(),
            secs,
            arrived.len() as f64 / secs.max(1e-3),
            arrived.len() as f64 / work
        );
    }

    server.stop().await
}

/// Watches the Graph stand-in until every recipient in `expected` got a message (or
/// `timeout`); returns when each first ARRIVED at the stand-in (its own timestamp, so
/// how often this polls does not change the figures).
async fn wait_replies(
    graph: &GraphStandin,
    expected: &HashMap<String, Instant>,
    timeout: Duration,
) -> HashMap<String, Instant> {
    let deadline = Instant::now() + timeout;
    let mut seen: HashMap<String, Instant> = HashMap::new();
    let mut checked = 0usize;
    while seen.len() < expected.len() && Instant::now() < deadline {
        let requests = graph.requests();
        for r in requests.iter().skip(checked) {
            if let Some(to) = r.body.as_ref().and_then(|b| b["to"].as_str())
                && expected.contains_key(to)
            {
                seen.entry(to.to_string()).or_insert(r.received_at);
            }
        }
        checked = requests.len();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    seen
}
