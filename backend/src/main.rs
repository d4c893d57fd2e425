//! `wasales`: the server and its companion commands.

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use backend::config::Config;

#[derive(Parser)]
#[command(name = "wasales", about = "WhatsApp AI Sales server and tools")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve {
        /// Seed a demo business with a catalog first (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Seed the demo business (idempotent) and print its login.
    Seed,
    /// Print the GraphQL schema (SDL); with --check, fail if schema.graphql differs.
    ExportSchema {
        /// Compare with this file instead of printing.
        #[arg(long)]
        check: Option<String>,
    },
    /// Play a WhatsApp customer: post a signed, real-shaped Meta delivery to a server.
    Simulate(backend::tools::simulate::SimulateArgs),
    /// Benchmark webhook ingest on a fresh database (build with --release).
    BenchIngest(backend::tools::bench_ingest::BenchArgs),
    /// Benchmark the AI reply pipeline's own overhead with a zero-latency model
    /// stand-in, on a fresh database (build with --release).
    BenchAgent(backend::tools::bench_agent::BenchAgentArgs),
    /// Run a local stand-in for the Anthropic Messages API (answers every request with
    /// a short text at once); point the server at it with
    /// ANTHROPIC_BASE_URL=http://127.0.0.1:<port> and any ANTHROPIC_API_KEY.
    AnthropicStandin {
        /// Port to listen on (127.0.0.1).
        #[arg(long, default_value_t = 8082)]
        port: u16,
    },
    /// Run a local stand-in for Meta's Graph API (prints every request it receives);
    /// point the server at it with META_GRAPH_URL=http://127.0.0.1:<port>.
    GraphStandin {
        /// Port to listen on (127.0.0.1).
        #[arg(long, default_value_t = 8081)]
        port: u16,
        /// Phone number ID the stand-in knows.
        #[arg(long, default_value = "100000000000001")]
        phone_number_id: String,
        /// Access token it accepts for that number.
        #[arg(long, default_value = "demo-access-token")]
        token: String,
        /// The number's display form.
        #[arg(long, default_value = "+1 555-0100")]
        display_phone_number: String,
        /// The number's verified business name.
        #[arg(long, default_value = "Demo Shop")]
        verified_name: String,
    },
}

fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::ExportSchema { check } => {
            let sdl = backend::graphql::sdl();
            match check {
                None => print!("{sdl}"),
                Some(path) => {
                    let committed = std::fs::read_to_string(&path)?;
                    anyhow::ensure!(
                        committed == sdl,
                        "{path} is out of date: run `cargo run -p backend -- export-schema > schema.graphql`"
                    );
                }
            }
            Ok(())
        }
        Command::Simulate(args) => backend::tools::simulate::run(&Config::from_env()?, args).await,
        Command::BenchIngest(args) => {
            let filter =
                EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
            tracing_subscriber::fmt().with_env_filter(filter).init();
            backend::tools::bench_ingest::run(Config::from_env()?, args).await
        }
        Command::BenchAgent(args) => {
            let filter =
                EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
            tracing_subscriber::fmt().with_env_filter(filter).init();
            backend::tools::bench_agent::run(Config::from_env()?, args).await
        }
        Command::AnthropicStandin { port } => {
            let standin = backend::standin::anthropic::StandInAnthropic::start_on(&format!(
                "127.0.0.1:{port}"
            ))
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
            let standin = backend::standin::graph::GraphStandin::start(port, true).await?;
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
        Command::Seed => {
            init_tracing();
            let app = backend::init(Config::from_env()?).await?;
            let login = backend::seed::seed_demo(&app, false).await?;
            println!("{login}");
            Ok(())
        }
        Command::Serve { demo } => {
            init_tracing();
            let mut config = Config::from_env()?;
            // The demo talks to a local Graph API stand-in unless a real one is configured,
            // so a new user sees the whole loop without a Meta account.
            let standin = if demo && std::env::var("META_GRAPH_URL").is_err() {
                let standin = backend::seed::start_demo_graph().await?;
                config.meta_graph_url = standin.url.clone();
                Some(standin)
            } else {
                None
            };
            let addr = config.bind_addr;
            let app = backend::init(config).await?;
            if demo {
                let login = backend::seed::seed_demo(&app, standin.is_some()).await?;
                println!("{login}");
            }
            let listener = tokio::net::TcpListener::bind(addr).await?;
            tracing::info!(%addr, "listening; open http://{addr}");
            backend::serve(app, listener, backend::http::shutdown_signal()).await
        }
    }
}
