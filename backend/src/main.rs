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
        Command::Seed => {
            init_tracing();
            let app = backend::init(Config::from_env()?).await?;
            let login = backend::seed::seed_demo(&app).await?;
            println!("{login}");
            Ok(())
        }
        Command::Serve { demo } => {
            init_tracing();
            let config = Config::from_env()?;
            let addr = config.bind_addr;
            let app = backend::init(config).await?;
            if demo {
                let login = backend::seed::seed_demo(&app).await?;
                println!("{login}");
            }
            let listener = tokio::net::TcpListener::bind(addr).await?;
            tracing::info!(%addr, "listening; open http://{addr}");
            backend::serve(app, listener, backend::http::shutdown_signal()).await
        }
    }
}
