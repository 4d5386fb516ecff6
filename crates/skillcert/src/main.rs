//! `skillcert`: train, examine and certify customer-facing service staff.
//!
//! One binary: `serve` (the default) runs the web UI and API; the other subcommands manage
//! the database from the command line.

mod certificate_cmd;
mod csv_header;
mod evaluate;
mod exam_analyze;
mod panel_analyze;
mod verify_cmd;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use skillcert_app::{App, AppConfig, AppError, SystemClock};
use skillcert_store::{Backend, Db, DbOptions};

#[derive(Parser)]
#[command(
    name = "skillcert",
    version,
    about = "Train, examine and certify customer-facing service staff"
)]
struct Cli {
    #[command(flatten)]
    data: DataArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Where the data lives; every command that touches data takes these.
#[derive(Args, Clone)]
struct DataArgs {
    /// Directory for the embedded SQLite database (used when no database URL is given).
    #[arg(
        long,
        env = "SKILLCERT_DATA_DIR",
        default_value = "./skillcert-data",
        global = true
    )]
    data_dir: PathBuf,
    /// `postgres://…` to run on PostgreSQL, or `sqlite://path`; default: SQLite in the data dir.
    #[arg(long, env = "SKILLCERT_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// The address people and verifiers reach this server at; certificates' QR codes and
    /// credentials point to it.
    #[arg(
        long,
        env = "SKILLCERT_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    public_url: String,
    /// The issuer's name on certificates (the company).
    #[arg(
        long,
        env = "SKILLCERT_ISSUER_NAME",
        default_value = "skillcert",
        global = true
    )]
    issuer_name: String,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI and the JSON API (the default).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo organisation into an empty database and print the demo logins.
    Demo,
    /// Copy the SQLite database to FILE while it stays online.
    Backup { file: PathBuf },
    /// Audit log commands.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Administration: the first administrator, password resets.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Apply a certification scheme to a CSV of component inputs (no database needed).
    Evaluate(evaluate::EvaluateArgs),
    /// Theory exams.
    Exam {
        #[command(subcommand)]
        command: ExamCommand,
    },
    /// Practical assessments judged by a panel.
    Panel {
        #[command(subcommand)]
        command: PanelCommand,
    },
    /// The certificate register and signed credentials.
    Certificate {
        #[command(subcommand)]
        command: certificate_cmd::CertificateCommand,
    },
    /// The keys certificates are signed with.
    Issuer {
        #[command(subcommand)]
        command: certificate_cmd::IssuerCommand,
    },
    /// Verify a certificate's credential file: proof, issuer, dates, status (no database needed).
    Verify(verify_cmd::VerifyArgs),
}

#[derive(Subcommand)]
enum ExamCommand {
    /// Item analysis of exam responses from a CSV (no database needed).
    Analyze(exam_analyze::AnalyzeArgs),
}

#[derive(Subcommand)]
enum PanelCommand {
    /// Trimmed results and judge analytics from a CSV of panel marks (no database needed).
    Analyze(panel_analyze::AnalyzeArgs),
}

#[derive(Args, Default)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SKILLCERT_ADDR", default_value = "127.0.0.1:8080")]
    addr: String,
    /// Load the demo organisation first (skipped, with a notice, if data exists).
    #[arg(long)]
    demo: bool,
    /// Mark cookies Secure (set this when served behind TLS).
    #[arg(long, env = "SKILLCERT_SECURE_COOKIES")]
    secure_cookies: bool,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain and name the first broken record.
    Verify,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an administrator account.
    Create {
        #[arg(long)]
        username: String,
        /// The password (or set SKILLCERT_ADMIN_PASSWORD).
        #[arg(long, env = "SKILLCERT_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Set a new password for an account and end its sessions.
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long, env = "SKILLCERT_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

fn database_url(data: &DataArgs) -> Result<String> {
    if let Some(url) = &data.database_url {
        return Ok(url.clone());
    }
    std::fs::create_dir_all(&data.data_dir)
        .with_context(|| format!("creating data directory {}", data.data_dir.display()))?;
    Ok(data
        .data_dir
        .join("skillcert.db")
        .to_string_lossy()
        .into_owned())
}

/// Opens the database and brings its schema up to date.
async fn open(data: &DataArgs) -> Result<App> {
    let url = database_url(data)?;
    let db = Db::connect(&url, &DbOptions::default())
        .await
        .with_context(|| format!("opening the database ({})", redact(&url)))?;
    db.migrate().await.context("applying migrations")?;
    std::fs::create_dir_all(&data.data_dir)
        .with_context(|| format!("creating data directory {}", data.data_dir.display()))?;
    let issuer = skillcert_app::certification::issuer::Issuer::open(
        &data.data_dir,
        &data.public_url,
        &data.issuer_name,
    )
    .context("opening the issuer keys")?;
    Ok(App::new(db, Arc::new(SystemClock), AppConfig::default()).with_issuer(issuer))
}

/// Hides a password in a database URL before it is printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Validation(fields) => {
            let parts: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
            anyhow::anyhow!("invalid input: {}", parts.join("; "))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

async fn load_demo(app: &App) -> Result<()> {
    match skillcert_app::demo::load(app, 20_261_123)
        .await
        .map_err(explain)?
    {
        None => {
            println!("The database already holds data: the demo organisation was not loaded again.")
        }
        Some(logins) => {
            println!("Demo organisation loaded. Sign in with:");
            for l in logins {
                println!("  {:<11} / {:<15} {}", l.username, l.password, l.role);
            }
        }
    }
    Ok(())
}

async fn serve(app: App, args: &ServeArgs) -> Result<()> {
    if args.demo {
        load_demo(&app).await?;
    } else if !skillcert_app::demo::has_data(&app).await.map_err(explain)? {
        println!(
            "No accounts yet. Create the first administrator with:\n  skillcert admin create --username admin --password <password>\nor start with demo data: skillcert serve --demo"
        );
    }
    let listener = tokio::net::TcpListener::bind(&args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let addr = listener.local_addr()?;
    println!("skillcert listening on http://{addr}");
    // Closes attempts whose time is up even if no candidate's browser is left to do it.
    let sweeper = skillcert_app::exams::attempts::spawn_deadline_sweeper(
        app.clone(),
        std::time::Duration::from_secs(2),
    );
    // Closes rounds whose appeal window has passed and opens re-evaluation tasks.
    let housekeeping = spawn_housekeeping(app.clone());
    let state = skillcert_web::AppState {
        app,
        secure_cookies: args.secure_cookies,
    };
    skillcert_web::serve(listener, state, shutdown_signal()).await?;
    sweeper.abort();
    housekeeping.abort();
    Ok(())
}

/// Hourly (and once at start): certificates are issued when appeal windows close,
/// re-evaluation tasks open when their lead time starts, employees short of training hours
/// are reminded (once a year) within the reminder lead, and mentors are told once when a
/// follow-up falls due, even if nobody visits a page.
fn spawn_housekeeping(app: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = skillcert_app::certification::results::close_due(&app).await {
                tracing::warn!(error = %e, "closing rounds");
            }
            if let Err(e) =
                skillcert_app::certification::certificates::sync_reevaluation(&app).await
            {
                tracing::warn!(error = %e, "re-evaluation tasks");
            }
            if let Err(e) = skillcert_app::training::compliance::remind_due(&app).await {
                tracing::warn!(error = %e, "training-hour reminders");
            }
            if let Err(e) = skillcert_app::training::mentoring::remind_due(&app).await {
                tracing::warn!(error = %e, "follow-up reminders");
            }
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

async fn backup(app: &App, file: &Path) -> Result<()> {
    match app.db.backend() {
        Backend::Postgres => {
            println!(
                "This system runs on PostgreSQL: back it up with PostgreSQL's own tools, e.g.\n  pg_dump --format=custom --file=skillcert.dump \"$SKILLCERT_DATABASE_URL\"\nand restore with pg_restore. See docs/operations.md."
            );
            Ok(())
        }
        Backend::Sqlite => {
            if file.exists() {
                bail!("{} exists already; choose a new file name", file.display());
            }
            app.db
                .backup_sqlite(file)
                .await
                .with_context(|| format!("writing backup to {}", file.display()))?;
            println!("Backup written to {}", file.display());
            Ok(())
        }
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SKILLCERT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // Pure computation on files: it must work where no database exists.
    if let Some(Command::Evaluate(args)) = &cli.command {
        std::process::exit(evaluate::run(args)?);
    }
    if let Some(Command::Exam {
        command: ExamCommand::Analyze(args),
    }) = &cli.command
    {
        std::process::exit(exam_analyze::run(args)?);
    }
    if let Some(Command::Panel {
        command: PanelCommand::Analyze(args),
    }) = &cli.command
    {
        std::process::exit(panel_analyze::run(args)?);
    }
    if let Some(Command::Verify(args)) = &cli.command {
        std::process::exit(verify_cmd::run(args).await?);
    }
    let app = open(&cli.data).await?;
    let result = match cli.command.unwrap_or(Command::Serve(ServeArgs {
        addr: std::env::var("SKILLCERT_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into()),
        ..ServeArgs::default()
    })) {
        Command::Serve(args) => serve(app.clone(), &args).await,
        Command::Migrate => {
            println!("Migrations applied.");
            Ok(())
        }
        Command::Demo => load_demo(&app).await,
        Command::Backup { file } => backup(&app, &file).await,
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let v = skillcert_app::audit::verify_chain(&app)
                .await
                .map_err(explain)?;
            if v.ok {
                println!("Audit log intact: {} records verified.", v.records);
                Ok(())
            } else {
                bail!(
                    "Audit log BROKEN at record {}: {}",
                    v.first_bad_seq.unwrap_or(0),
                    v.problem.unwrap_or_default()
                )
            }
        }
        Command::Admin {
            command: AdminCommand::Create { username, password },
        } => {
            let u = skillcert_app::users::bootstrap_admin(&app, &username, &password)
                .await
                .map_err(explain)?;
            println!("Administrator {} created.", u.username);
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::ResetPassword { username, password },
        } => {
            skillcert_app::users::cli_reset_password(&app, &username, &password)
                .await
                .map_err(explain)?;
            println!("Password of {username} reset; their sessions were ended.");
            Ok(())
        }
        Command::Evaluate(_) => Ok(()), // dispatched above, before the database is opened
        Command::Exam { .. } => Ok(()), // likewise
        Command::Panel { .. } => Ok(()), // likewise
        Command::Verify(_) => Ok(()),   // likewise
        Command::Certificate { command } => certificate_cmd::run_certificate(&app, &command).await,
        Command::Issuer { command } => certificate_cmd::run_issuer(&app, &command),
    };
    app.db.close().await;
    result
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn database_passwords_are_not_printed() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            redact("./skillcert-data/skillcert.db"),
            "./skillcert-data/skillcert.db"
        );
    }
}
