//! `hale`: the Hale health portal in one program.

use clap::{Parser, Subcommand};
use hale_server::config::Config;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "hale",
    version,
    about = "Hale: a self-hostable consumer health portal"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default). Runs pending migrations first.
    Serve,
    /// Run pending database migrations and exit.
    Migrate,
    /// Create the demo accounts and their data (idempotent).
    Demo,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("hale: {err}");
            return ExitCode::from(2);
        }
    };
    hale_server::telemetry::init(&config.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("hale: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => {
                let addr = config.site.addr;
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|source| hale_server::StartError::Listen { addr, source })?;
                hale_server::serve(config, listener).await
            }
            Command::Migrate => {
                let db = hale_app::db::connect(config.database_url.expose()).await?;
                let ran = hale_app::db::migrate(&db).await?;
                println!("{} migration(s) applied", ran.len());
                for name in ran {
                    println!("  {name}");
                }
                Ok(())
            }
            Command::Demo => {
                let state = hale_server::build_state(&config).await?;
                let summary = hale_server::demo::seed(&state).await?;
                println!("{summary}");
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "hale stopped with an error");
            eprintln!("hale: {err}");
            ExitCode::FAILURE
        }
    }
}
