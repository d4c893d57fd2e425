//! `wasales-dev`: the development tools around the `wasales` server, kept out of the
//! production binary: the demo (server + demo data + Graph API stand-in), the customer
//! simulator, the benchmarks, the stand-in servers and the round-robin proxy that puts
//! several demo replicas behind one port.

mod bench;
mod bench_agent;
mod bench_export;
mod bench_ingest;
mod bench_search;
mod demo;
mod fault;
mod proxy;
mod simulate;
mod subscribe;

use backend::config::Config;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "wasales-dev",
    about = "WhatsApp AI Sales development tools: demo, simulator, benchmarks, stand-ins"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server with a demo business and catalog (seeded idempotently) and, unless
    /// META_GRAPH_URL is set, a local Graph API stand-in its number is connected through.
    Demo,
    /// Seed the demo business (idempotent) and print its login.
    Seed,
    /// Play a WhatsApp customer: post a signed, real-shaped Meta delivery to a server.
    Simulate(simulate::SimulateArgs),
    /// Open a GraphQL subscription over the WebSocket with a token and print each event
    /// (what an integrator's client does).
    Subscribe(subscribe::SubscribeArgs),
    /// Benchmark webhook ingest on a fresh database (build with --release).
    BenchIngest(bench_ingest::BenchArgs),
    /// Benchmark the AI reply pipeline's own overhead with a zero-latency model
    /// stand-in, on a fresh database (build with --release).
    BenchAgent(bench_agent::BenchAgentArgs),
    /// Benchmark the export archive of a big business (time, size, peak memory) on a
    /// fresh database (build with --release).
    BenchExport(bench_export::BenchExportArgs),
    /// Times the inbox's chat search over many customers (indexes versus the old scan).
    BenchSearch(bench_search::BenchSearchArgs),
    /// Inject a fault mid-load (SIGKILL the server, or run a command that restarts
    /// MariaDB) and check that every acknowledged delivery is stored exactly once.
    Fault(fault::FaultArgs),
    /// Run a local stand-in for the Anthropic Messages API (answers every request with
    /// a short text at once); point the server at it with
    /// ANTHROPIC_BASE_URL=http://127.0.0.1:<port> and any ANTHROPIC_API_KEY.
    AnthropicStandin {
        /// Port to listen on (127.0.0.1).
        #[arg(long, default_value_t = 8082)]
        port: u16,
    },
    /// Put several replicas behind one port: forward each TCP connection to the next
    /// replica in turn (HTTP and WebSockets alike).
    Proxy(proxy::ProxyArgs),
    /// Run a local stand-in for Meta's Graph API (prints every request it receives);
    /// point the server at it with META_GRAPH_URL=http://127.0.0.1:<port>.
    GraphStandin {
        /// Port to listen on (127.0.0.1).
        #[arg(long, default_value_t = 8081)]
        port: u16,
        /// Phone number ID the stand-in knows.
        #[arg(long, default_value = standins::webhook::DEMO_PHONE_NUMBER_ID)]
        phone_number_id: String,
        /// Access token it accepts for that number.
        #[arg(long, default_value = demo::DEMO_ACCESS_TOKEN)]
        token: String,
        /// The number's display form.
        #[arg(long, default_value = "+1 555-0100")]
        display_phone_number: String,
        /// The number's verified business name.
        #[arg(long, default_value = "Demo Shop")]
        verified_name: String,
    },
}

/// Logs at `default` unless `RUST_LOG` says otherwise; JSON with `LOG_FORMAT=json`.
fn init_tracing(default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if std::env::var("LOG_FORMAT").is_ok_and(|v| v == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Runs a benchmark or a fault on a database of its own (`wasales_<prefix>_<uuid>`,
/// dropped afterwards), logging warnings only.
async fn on_fresh_database<F, Fut>(prefix: &str, run: F) -> anyhow::Result<()>
where
    F: FnOnce(Config) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    init_tracing("warn");
    bench::on_fresh_database(Config::from_env()?, prefix, run).await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Demo => {
            init_tracing("info");
            let config = Config::from_env()?;
            config.refuse_demo_in_production()?;
            demo::serve(config).await
        }
        Command::Seed => {
            init_tracing("info");
            let config = Config::from_env()?;
            config.refuse_demo_in_production()?;
            let app = backend::init(config).await?;
            println!("{}", demo::seed(&app, false).await?);
            Ok(())
        }
        Command::Simulate(args) => simulate::run(&Config::from_env()?, args).await,
        Command::Subscribe(args) => subscribe::run(args).await,
        Command::BenchIngest(args) => {
            on_fresh_database("bench", |c| bench_ingest::run(c, args)).await
        }
        Command::BenchAgent(args) => {
            on_fresh_database("bench_agent", |c| bench_agent::run(c, args)).await
        }
        Command::BenchExport(args) => {
            on_fresh_database("bench_export", |c| bench_export::run(c, args)).await
        }
        Command::BenchSearch(args) => {
            on_fresh_database("bench_search", |c| bench_search::run(c, args)).await
        }
        Command::Fault(args) => on_fresh_database("fault", |c| fault::run(c, args)).await,
        Command::Proxy(args) => {
            init_tracing("info");
            proxy::run(args).await
        }
        Command::AnthropicStandin { port } => {
            let standin =
                standins::anthropic::StandInAnthropic::start_on(&format!("127.0.0.1:{port}"))
                    .await?;
            println!(
                "Anthropic Messages API stand-in on {}; set ANTHROPIC_BASE_URL={}",
                standin.url, standin.url
            );
            backend::http::shutdown_signal().await;
            Ok(())
        }
        Command::GraphStandin {
            port,
            phone_number_id,
            token,
            display_phone_number,
            verified_name,
        } => {
            let standin = standins::graph::GraphStandin::start(port, true).await?;
            standin.add_number(
                &phone_number_id,
                &token,
                &display_phone_number,
                &verified_name,
            );
            println!(
                "Graph API stand-in on {} (phone number ID {phone_number_id}); set META_GRAPH_URL={}",
                standin.url, standin.url
            );
            backend::http::shutdown_signal().await;
            Ok(())
        }
    }
}
