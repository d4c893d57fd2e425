//! `wasales`: the server. It serves, migrates its database and prints its GraphQL
//! schema; the development tools (demo, simulator, benchmarks, stand-ins) are the
//! separate `wasales-dev` binary of the `devtools` crate.

use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;
use tracing_subscriber::EnvFilter;

use backend::config::Config;

#[derive(Parser)]
#[command(name = "wasales", about = "WhatsApp AI Sales server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default); the database is created and migrated first.
    Serve,
    /// Create the database if missing and apply pending migrations, then exit.
    Migrate,
    /// Re-encrypt every secret at rest under DATA_KEY (after a rotation: the old key in
    /// DATA_KEY_PREVIOUS), bound to its row; prints what it did.
    Reencrypt,
    /// Print what visitors wrote through the contact form, newest first.
    ContactMessages {
        /// How many days back.
        #[arg(long, default_value_t = 30)]
        days: i64,
    },
    /// Print the GraphQL schema (SDL); with --check, fail if schema.graphql differs.
    ExportSchema {
        /// Compare with this file instead of printing.
        #[arg(long)]
        check: Option<String>,
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

/// Runs the command; a failure (a refused configuration, an unreachable database) is
/// one line on stderr and exit code 1, never a backtrace.
fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("wasales: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(Cli::parse())) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` puts the causes on the same line: "context: cause: cause".
            let line = format!("{e:#}").replace('\n', " ");
            eprintln!("wasales: {line}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
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
        Command::Migrate => {
            init_tracing();
            let config = Config::from_env()?;
            let url = config.database_url.expose_secret();
            backend::db::create_database_if_missing(url).await?;
            backend::db::run_migrations(url).await?;
            tracing::info!("database ready");
            Ok(())
        }
        Command::Reencrypt => {
            init_tracing();
            let config = Config::from_env()?;
            let app = backend::init(config).await?;
            let report = backend::rekey::reencrypt_all(&app).await?;
            println!("{report}");
            anyhow::ensure!(
                report.unreadable.is_empty(),
                "some secrets could not be opened (see above); set DATA_KEY_PREVIOUS to the key that sealed them"
            );
            Ok(())
        }
        Command::ContactMessages { days } => {
            let config = Config::from_env()?;
            let app = backend::init(config).await?;
            let messages = backend::contact::recent(&app, days)
                .await
                .map_err(|e| anyhow::anyhow!(e.message()))?;
            if messages.is_empty() {
                println!("No contact form messages in the last {days} days.");
            }
            for m in messages {
                println!(
                    "#{} {} UTC  {} <{}>  from {}\n{}\n",
                    m.id,
                    m.created_at.format("%Y-%m-%d %H:%M"),
                    m.name,
                    m.email,
                    m.ip,
                    m.message
                );
            }
            Ok(())
        }
        Command::Serve => {
            init_tracing();
            let config = Config::from_env()?;
            let addr = config.bind_addr;
            let app = backend::init(config).await?;
            let listener = tokio::net::TcpListener::bind(addr).await?;
            tracing::info!(%addr, "listening; open http://{addr}");
            backend::serve(app, listener, backend::http::shutdown_signal()).await
        }
    }
}
