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
    /// Invite a clinician, coach or administrator: prints a one-time code and
    /// the address where the invitee sets their name and password.
    InviteStaff {
        /// The invitee's email address.
        #[arg(long)]
        email: String,
        /// clinician, coach or administrator.
        #[arg(long)]
        role: String,
    },
    /// The master key of files.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Write a consistent copy of the SQLite database to a new file, also
    /// while Hale serves and writes (`VACUUM INTO`). The blob folder is
    /// copied with the usual tools; its files are never rewritten in place.
    Backup {
        /// The file to write; it must not exist.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Print a new random master key (base64 of 32 bytes).
    Generate,
    /// Re-wrap every file's data key with the current master key (set the old
    /// one in HALE_MASTER_KEY_PREVIOUS while this runs). Blobs are not rewritten.
    Rotate,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exit 1 naming the first row that does not match.
    Verify,
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
            Command::InviteStaff { email, role } => {
                let state = hale_server::build_state(&config).await?;
                let Some(role) = hale_app::identity::Role::parse(&role) else {
                    eprintln!("hale: --role must be clinician, coach or administrator");
                    return Err(hale_server::StartError::Usage);
                };
                let code = hale_app::accounts::staff::invite(&state.db, None, &email, role)
                    .await
                    .map_err(|err| {
                        eprintln!("hale: {err}");
                        hale_server::StartError::Usage
                    })?;
                println!("Invitation code: {code}");
                println!(
                    "The invitee opens {}/join?code={code} within {} days.",
                    config.site.public_origin(),
                    hale_app::accounts::staff::INVITATION_DAYS
                );
                Ok(())
            }
            Command::Audit {
                command: AuditCommand::Verify,
            } => {
                let db = hale_app::db::connect(config.database_url.expose()).await?;
                let result = hale_app::audit::verify(&db).await?;
                match result.first_broken {
                    None => {
                        println!("audit log intact: {} rows, chain verified", result.rows);
                        Ok(())
                    }
                    Some(id) => {
                        println!(
                            "audit log BROKEN at row {id}: edited, inserted or deleted rows \
                             ({} rows read)",
                            result.rows
                        );
                        Err(hale_server::StartError::AuditBroken)
                    }
                }
            }
            Command::Keys {
                command: KeysCommand::Generate,
            } => {
                println!("{}", hale_app::files::crypt::MasterKeys::generate_text());
                Ok(())
            }
            Command::Keys {
                command: KeysCommand::Rotate,
            } => {
                let state = hale_server::build_state(&config).await?;
                let count = hale_app::files::jobs::rotate(&state)
                    .await
                    .map_err(hale_server::StartError::MasterKey)?;
                println!(
                    "{count} data keys re-wrapped with master key {}",
                    state.files.keys.current_id()
                );
                Ok(())
            }
            Command::Backup { to } => {
                let db = hale_app::db::connect(config.database_url.expose()).await?;
                let bytes = hale_app::db::backup::sqlite_copy(&db, &to).await?;
                println!("database copied to {} ({bytes} bytes)", to.display());
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
