//! `wasales-dev bench-export`: how long the export of a big business takes and how
//! much memory it needs.
//!
//! On its own fresh database (created, then dropped), it signs up one business, seeds
//! `--messages` messages over `--chats` chats (multi-row inserts of `--batch` rows, so
//! seeding is fast), starts the server IN-PROCESS on a loopback port and downloads
//! `GET /api/export` with a READ API token, reading the body as it arrives (the
//! archive is counted, never kept in memory; `--out` saves it to a file). It prints the seeding time, the export's time to
//! first byte and total time, the archive's size, and the process's peak resident
//! memory (`VmHWM`) before and after the export: the export streams, so the peak does
//! not grow with the number of messages.
//!
//! It measures and prints; it asserts nothing about time. Build with `--release`.

use std::time::{Duration, Instant};

use backend::config::Config;
use diesel_async::RunQueryDsl;

use crate::bench::InProcess;

/// Benchmark settings.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchExportArgs {
    /// Messages to seed.
    #[arg(long, default_value_t = 1_000_000)]
    pub messages: usize,
    /// Chats (customers) the messages are spread over.
    #[arg(long, default_value_t = 2_000)]
    pub chats: usize,
    /// Rows per seeding INSERT.
    #[arg(long, default_value_t = 5_000)]
    pub batch: usize,
    /// Also save the archive to this file (to inspect it, e.g. with `unzip -l`).
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
}

/// The process's peak resident set size in KiB (`VmHWM` of `/proc/self/status`).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn mib(kib: Option<u64>) -> String {
    kib.map(|k| format!("{:.1} MiB", k as f64 / 1024.0))
        .unwrap_or_else(|| "unknown".into())
}

/// Runs the benchmark on `config`'s (fresh) database and prints its figures.
pub async fn run(mut config: Config, args: BenchExportArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.messages > 0 && args.chats > 0 && args.batch > 0,
        "messages, chats and batch must be positive"
    );
    config.agent.workers = 0;
    let app = backend::init(config).await?;
    let (business, token) = crate::bench::business_with_read_token(&app, "bench-export").await?;
    let mut conn = app.db().await?;

    let seeding = Instant::now();
    let chats = args.chats.min(args.messages);
    crate::bench::seed_customers(&mut conn, business, chats, args.batch, |i| {
        (format!("1555{i:07}"), format!("Customer {i}"))
    })
    .await?;
    #[derive(diesel::QueryableByName)]
    struct Range {
        #[diesel(sql_type = diesel::sql_types::Unsigned<diesel::sql_types::BigInt>)]
        first: u64,
    }
    let first_chat: Range = diesel::sql_query(format!(
        "SELECT MIN(id) AS first FROM chats WHERE business_id = {business}"
    ))
    .get_result(&mut conn)
    .await?;
    for start in (0..args.messages).step_by(args.batch) {
        let end = (start + args.batch).min(args.messages);
        let values: Vec<String> = (start..end)
            .map(|i| {
                let chat = first_chat.first + (i % chats) as u64;
                let (direction, sent_by) = if i % 2 == 0 {
                    ("inbound", "customer")
                } else {
                    ("outbound", "ai")
                };
                format!(
                    "({business}, {chat}, 'wamid.bench.{i}', '{direction}', 'text', \
                     'Message {i}: is the ankara dress still available in size {}?', \
                     '{sent_by}', 'delivered')",
                    i % 20
                )
            })
            .collect();
        diesel::sql_query(format!(
            "INSERT INTO messages (business_id, chat_id, wamid, direction, kind, body, sent_by, status) VALUES {}",
            values.join(",")
        ))
        .execute(&mut conn)
        .await?;
    }
    drop(conn);
    let seeded = seeding.elapsed();
    println!(
        "bench-export: seeded {} messages over {chats} chats in {:.1} s (multi-row inserts of {})",
        args.messages,
        seeded.as_secs_f64(),
        args.batch
    );

    let server = InProcess::start(&app).await?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(3_600))
        .build()?;
    let before = peak_rss_kib();
    let started = Instant::now();
    let mut response = client
        .get(format!("{}/api/export", server.base))
        .bearer_auth(&token)
        .send()
        .await?
        .error_for_status()?;
    let mut file = match &args.out {
        Some(path) => Some(tokio::fs::File::create(path).await?),
        None => None,
    };
    let mut first_byte = None;
    let mut bytes = 0u64;
    while let Some(chunk) = response.chunk().await? {
        first_byte.get_or_insert_with(|| started.elapsed());
        bytes += chunk.len() as u64;
        if let Some(file) = &mut file {
            tokio::io::AsyncWriteExt::write_all(file, &chunk).await?;
        }
    }
    if let Some(file) = &mut file {
        tokio::io::AsyncWriteExt::flush(file).await?;
    }
    let elapsed = started.elapsed();
    let after = peak_rss_kib();
    server.stop().await?;
    println!(
        "export: {:.1} MiB archive in {:.1} s ({:.0} messages/s), first byte after {} ms",
        bytes as f64 / 1_048_576.0,
        elapsed.as_secs_f64(),
        args.messages as f64 / elapsed.as_secs_f64(),
        first_byte.map(|d| d.as_millis()).unwrap_or_default()
    );
    println!(
        "peak RSS (VmHWM) of this process (server and client): {} before the export, {} after",
        mib(before),
        mib(after)
    );
    Ok(())
}
