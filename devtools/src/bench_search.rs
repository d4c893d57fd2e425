//! `wasales-dev bench-search`: the inbox's chat search with many customers.
//!
//! On its own fresh database (created, then dropped), it signs up one business, seeds
//! `--contacts` customers (names from common Nigerian first and last names, numbers
//! `23480...`) each with a chat, starts the server IN-PROCESS and times
//! `chats(first: 20, search: ...)` over HTTP with a READ API token, 40 a second (under
//! the API's per-business rate limit), `--queries` times
//! per kind of search: a last name, a rare last name (one customer in a thousand has
//! a surname of their own), a word's start, an international number's start,
//! a local number's end. For reference it also times the substring scan the search
//! used before its indexes (`LIKE '%...%'` on the business's contacts). It prints
//! p50 and p99 per kind; it asserts nothing about time. Build with `--release`.

use std::time::{Duration, Instant};

use backend::config::Config;
use diesel_async::RunQueryDsl;
use serde_json::json;

use crate::bench::{InProcess, percentile_ms};

/// Benchmark settings.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchSearchArgs {
    /// Customers (contacts with a chat) to seed.
    #[arg(long, default_value_t = 100_000)]
    pub contacts: usize,
    /// Searches timed per kind.
    #[arg(long, default_value_t = 200)]
    pub queries: usize,
    /// Rows per seeding INSERT.
    #[arg(long, default_value_t = 5_000)]
    pub batch: usize,
}

const FIRST: &[&str] = &[
    "Chioma", "Tunde", "Ngozi", "Emeka", "Aisha", "Bola", "Ifeoma", "Segun", "Amaka", "Yusuf",
    "Funke", "Kelechi", "Zainab", "Chidi", "Folake", "Ibrahim", "Nneka", "Dayo", "Halima",
    "Obinna",
];
const LAST: &[&str] = &[
    "Okafor", "Adeyemi", "Bello", "Eze", "Ogunleye", "Abubakar", "Nwosu", "Balogun", "Okeke",
    "Lawal", "Olawale", "Uche", "Danjuma", "Ibekwe", "Afolabi", "Musa", "Onyeka", "Adebayo",
    "Garba", "Chukwu", "Ajayi", "Obi", "Salami", "Okon", "Etim",
];

/// Time between two searches' starts (40 a second).
const QUERY_GAP: Duration = Duration::from_millis(25);

/// Every this many customers one has a surname no one else has.
const RARE_EVERY: usize = 1_000;

/// The `k`-th rare surname: `Zu`, three syllables picked by `k`'s digits, `wa`.
fn rare_surname(k: usize) -> String {
    const SYLLABLES: [&str; 10] = ["ba", "ko", "ri", "tu", "ne", "mo", "la", "si", "de", "fu"];
    format!(
        "Zu{}{}{}wa",
        SYLLABLES[k % 10],
        SYLLABLES[(k / 10) % 10],
        SYLLABLES[(k / 100) % 10]
    )
}

/// The search text of a kind of search for its `i`-th query.
type SearchText = Box<dyn Fn(usize) -> String>;

/// p50 and p99 of `samples`, in milliseconds.
fn percentiles(samples: &[Duration]) -> (f64, f64) {
    let mut micros: Vec<u64> = samples.iter().map(|d| d.as_micros() as u64).collect();
    micros.sort_unstable();
    (
        percentile_ms(&micros, 50.0, 0.0),
        percentile_ms(&micros, 99.0, 0.0),
    )
}

/// Runs the benchmark on `config`'s (fresh) database and prints its figures.
pub async fn run(mut config: Config, args: BenchSearchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.contacts > 0 && args.queries > 0 && args.batch > 0,
        "contacts, queries and batch must be positive"
    );
    config.agent.workers = 0;
    let app = backend::init(config).await?;
    let (business, token) = crate::bench::business_with_read_token(&app, "bench-search").await?;
    let mut conn = app.db().await?;

    let seeding = Instant::now();
    crate::bench::seed_customers(&mut conn, business, args.contacts, args.batch, |i| {
        let first = FIRST[i % FIRST.len()];
        let last = if i % RARE_EVERY == 7 {
            rare_surname(i / RARE_EVERY)
        } else {
            LAST[(i / FIRST.len()) % LAST.len()].to_string()
        };
        (format!("23480{i:08}"), format!("{first} {last}"))
    })
    .await?;
    diesel::sql_query("ANALYZE TABLE contacts, chats")
        .execute(&mut conn)
        .await?;
    println!(
        "bench-search: seeded {} customers with a chat in {:.1} s",
        args.contacts,
        seeding.elapsed().as_secs_f64()
    );

    let server = InProcess::start(&app).await?;
    let client = reqwest::Client::new();
    let query =
        "query($s: String) { chats(first: 20, search: $s) { nodes { id contact { name } } } }";
    let rare = args.contacts.div_ceil(RARE_EVERY).max(1);
    let kinds: [(&str, SearchText); 5] = [
        (
            "a last name",
            Box::new(|i| LAST[i % LAST.len()].to_lowercase()),
        ),
        (
            "a rare last name (one customer)",
            Box::new(move |i| rare_surname((i * 37) % rare).to_lowercase()),
        ),
        (
            "first and last name starts",
            Box::new(|i| {
                format!(
                    "{} {}",
                    &FIRST[i % FIRST.len()][..3],
                    &LAST[(i / 3) % LAST.len()][..3]
                )
            }),
        ),
        (
            "a number's start (+234 80...)",
            Box::new(move |i| format!("+234 80{:05}", (i * 7919) % 100_000)),
        ),
        (
            "a local number's end (080...)",
            Box::new(move |i| format!("080{:08}", (i * 7919) % args.contacts)),
        ),
    ];
    println!(
        "{:<34} {:>9} {:>9} {:>8}",
        "chat search by", "p50 ms", "p99 ms", "found"
    );
    // Paced below the API's per-business limit (50 requests/s after a burst of 200), so
    // every query is answered instead of refused as RATE_LIMITED.
    let mut pace = tokio::time::interval(QUERY_GAP);
    for (kind, text) in &kinds {
        let mut samples = Vec::with_capacity(args.queries);
        let mut found = 0usize;
        for i in 0..args.queries {
            pace.tick().await;
            let started = Instant::now();
            let answer: serde_json::Value = client
                .post(format!("{}/graphql", server.base))
                .bearer_auth(&token)
                .json(&json!({"query": query, "variables": {"s": text(i)}}))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            samples.push(started.elapsed());
            anyhow::ensure!(answer["errors"].is_null(), "search failed: {answer}");
            found += answer["data"]["chats"]["nodes"]
                .as_array()
                .map_or(0, Vec::len);
        }
        let (p50, p99) = percentiles(&samples);
        println!(
            "{kind:<34} {p50:>9.2} {p99:>9.2} {:>8.1}",
            found as f64 / args.queries as f64
        );
    }
    // The substring scan the search did before (for comparison, in SQL alone): fast
    // when the name is common (the first 21 matches come early in recency order), a
    // read of every contact when it is rare.
    let scans: [(&str, SearchText); 2] = [
        (
            "(before: LIKE scan, a last name)",
            Box::new(|i| LAST[i % LAST.len()].to_lowercase()),
        ),
        (
            "(before: LIKE scan, a rare one)",
            Box::new(move |i| rare_surname((i * 37) % rare).to_lowercase()),
        ),
    ];
    for (kind, text) in &scans {
        let mut samples = Vec::with_capacity(args.queries);
        for i in 0..args.queries {
            let name = text(i);
            let started = Instant::now();
            diesel::sql_query(format!(
                "SELECT c.id FROM chats c WHERE c.business_id = {business} AND c.contact_id IN \
                 (SELECT id FROM contacts WHERE business_id = {business} AND (profile_name LIKE '%{name}%' \
                 OR username LIKE '%{name}%' OR user_id LIKE '%{name}%' OR wa_id LIKE '%{name}%')) \
                 ORDER BY c.last_message_at DESC, c.id DESC LIMIT 21"
            ))
            .execute(&mut conn)
            .await?;
            samples.push(started.elapsed());
        }
        let (p50, p99) = percentiles(&samples);
        println!("{kind:<34} {p50:>9.2} {p99:>9.2}");
    }
    drop(conn);
    server.stop().await?;
    Ok(())
}
