//! The `cartera` command: serve, migrate, tokens, users, demo data.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use tokio::net::TcpListener;

use cartera_app::{App, Mailer};
use cartera_app::{ConnectOptions, Db};
use cartera_core::users::Scope;
use cartera_server::config::{Config, FileConfig, Overrides};
use cartera_server::state::Limits;

// Request handling allocates many small strings and maps; mimalloc serves them faster
// than the system allocator (measured with cartera-bench).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "cartera", version, about = "Cartera, the self-hosted CRM")]
struct Cli {
    /// Configuration file (TOML). Default: ./cartera.toml when it exists.
    #[arg(long, env = "CARTERA_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Folder for the embedded database and attachments.
    #[arg(long, env = "CARTERA_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// sqlite://FILE or postgres://USER@HOST/DB. DATABASE_URL is read too. Default: SQLite in the data folder.
    #[arg(long, env = "CARTERA_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// The company's time zone (IANA name, e.g. America/Argentina/Buenos_Aires): the day
    /// its documents are dated and its reports default to. Default: UTC.
    #[arg(long, env = "CARTERA_TIME_ZONE", global = true)]
    time_zone: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI, the API and the background jobs.
    Serve(ServeArgs),
    /// Bring the database schema up to date (serve also does this on start).
    Migrate,
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Users.
    #[command(subcommand)]
    User(UserCommand),
    /// Fill the database with a realistic demo company (Spanish-language data).
    Demo,
    /// Copy the whole company (every record, user, setting and the audit trail) to a
    /// file, as of one moment, while Cartera keeps running. `-` writes to standard output.
    Backup {
        /// The file to write (JSON Lines); `-` for standard output.
        file: PathBuf,
    },
    /// Restore a backup into an empty database, on SQLite or PostgreSQL: all of it or,
    /// on any problem, nothing. `-` reads standard input.
    Restore {
        /// A file written by `cartera backup`; `-` for standard input.
        file: PathBuf,
    },
    /// Import a file into accounts, contacts or leads, with a progress line.
    Import(cartera_server::cli_import::ImportArgs),
}

/// Shows a table's rows as they are copied, on one terminal line per table.
fn table_progress() -> impl FnMut(&str, u64) {
    let mut current = String::new();
    move |table, rows| {
        if table != current {
            if !current.is_empty() {
                eprintln!();
            }
            current = table.to_owned();
        }
        eprint!("\r  {table}: {rows} rows");
    }
}

#[derive(Args)]
struct ServeArgs {
    /// Address to answer on.
    #[arg(long, env = "CARTERA_LISTEN")]
    listen: Option<String>,
    /// Load the demo company first if the database is empty.
    #[arg(long, env = "CARTERA_DEMO")]
    demo: bool,
    /// Database connections in the pool.
    #[arg(long, env = "CARTERA_DB_MAX_CONNECTIONS")]
    db_max_connections: Option<u32>,
    /// Log filter, e.g. `info` or `debug,sqlx=warn`.
    #[arg(long, env = "CARTERA_LOG")]
    log: Option<String>,
    /// `text` (default) or `json`.
    #[arg(long, env = "CARTERA_LOG_FORMAT")]
    log_format: Option<String>,
    /// The address people reach Cartera at; links in emails start with it.
    /// Default: http://LISTEN. Set it behind a proxy or when listening on 0.0.0.0.
    #[arg(long, env = "CARTERA_PUBLIC_URL")]
    public_url: Option<String>,
    /// SMTP server for outgoing email, e.g. smtp://USER:PASSWORD@HOST:587?tls=required,
    /// smtps://... (TLS from the start) or smtp://127.0.0.1:2525 (plain, local).
    /// Default: none; emails (password reset links) are written to the log instead.
    #[arg(long, env = "CARTERA_SMTP_URL")]
    smtp_url: Option<String>,
    /// Sender of outgoing email. Default: "Cartera <no-reply@localhost>".
    #[arg(long, env = "CARTERA_SMTP_FROM")]
    smtp_from: Option<String>,
    /// API requests a minute per token (0: no limit). Default: 6000.
    #[arg(long, env = "CARTERA_TOKEN_RATE_LIMIT")]
    token_rate_limit: Option<u32>,
    /// Refused API tokens (and failed DAV logins) a minute per client address before
    /// they are answered 429 (0: no limit). Default: 30.
    #[arg(long, env = "CARTERA_REFUSED_TOKEN_RATE_LIMIT")]
    refused_token_rate_limit: Option<u32>,
    /// Reverse proxies in front of Cartera, as IPs or CIDR ranges separated by commas
    /// (e.g. 10.0.0.0/8,192.168.1.5). A request from one of them is taken to come from
    /// the address its X-Forwarded-For (or Forwarded) header names; from anyone else
    /// those headers are ignored. Default: none; the peer address is the client's.
    #[arg(long, env = "CARTERA_TRUSTED_PROXIES")]
    trusted_proxies: Option<String>,
    /// Milliseconds between looks for due background jobs.
    #[arg(long, env = "CARTERA_JOBS_POLL_MS", default_value_t = 1000)]
    jobs_poll_ms: u64,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user (created too if new). The token is shown once.
    Create {
        /// The user's email.
        #[arg(long)]
        user: String,
        /// The user's name, when the user is new.
        #[arg(long)]
        user_name: Option<String>,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        name: String,
        /// read, write or admin.
        #[arg(long, default_value = "admin")]
        scope: String,
        /// Days until the token expires (default: never).
        #[arg(long)]
        expires_days: Option<i64>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Set a user's password, read from standard input (the first line).
    Password {
        #[arg(long)]
        email: String,
    },
}

/// The password the demo's admin logs in with.
const DEMO_PASSWORD: &str = "cartera-demo";

/// Gives every demo user the demo's password and prints the logins (the admin first,
/// then the manager and the reps).
async fn demo_login(app: &App, emails: &[String]) -> Result<(), String> {
    for email in emails {
        cartera_app::auth::set_password(app, email, DEMO_PASSWORD)
            .await
            .map_err(|e| e.to_string())?;
    }
    println!("Demo logins (password {DEMO_PASSWORD}):");
    for email in emails {
        println!("  {email}");
    }
    Ok(())
}

fn init_logs(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi);
    if config.json_logs {
        builder.json().flatten_event(true).init();
    } else {
        builder.compact().init();
    }
}

async fn open(config: &Config) -> Result<App, String> {
    let db = Db::connect(&ConnectOptions {
        max_connections: config.db_max_connections,
        ..ConnectOptions::new(config.database_url.clone())
    })
    .await
    .map_err(|e| {
        format!(
            "cannot open the database {}: {e}",
            config.database_display()
        )
    })?;
    Ok(App::new(db).with_time_zone(config.time_zone))
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

async fn run(cli: Cli) -> Result<(), String> {
    let file = match &cli.config {
        Some(p) => FileConfig::load(p, true),
        None => FileConfig::load(&PathBuf::from("cartera.toml"), false),
    }
    .map_err(|e| e.to_string())?;
    let mut overrides = Overrides {
        data_dir: cli.data_dir,
        database_url: cli
            .database_url
            .or_else(|| std::env::var("DATABASE_URL").ok()),
        time_zone: cli.time_zone,
        ..Overrides::default()
    };
    if let Command::Serve(a) = &cli.command {
        overrides.listen.clone_from(&a.listen);
        overrides.db_max_connections = a.db_max_connections;
        overrides.log.clone_from(&a.log);
        overrides.log_format.clone_from(&a.log_format);
        overrides.public_url.clone_from(&a.public_url);
        overrides.smtp_url.clone_from(&a.smtp_url);
        overrides.smtp_from.clone_from(&a.smtp_from);
        overrides.token_rate_limit = a.token_rate_limit;
        overrides.refused_token_rate_limit = a.refused_token_rate_limit;
        overrides.trusted_proxies.clone_from(&a.trusted_proxies);
    }
    let config = Config::resolve(overrides, file).map_err(|e| e.to_string())?;

    match cli.command {
        Command::Serve(args) => {
            init_logs(&config);
            let mailer = Mailer::new(config.smtp_url.as_deref(), &config.smtp_from)
                .map_err(|e| format!("cannot set up email: {e}"))?;
            let app = open(&config)
                .await?
                .with_mailer(mailer)
                .with_public_url(&config.public_url);
            if args.demo {
                match cartera_app::demo::seed_if_empty(&app)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    Some(report) => {
                        let (_, secret) = cartera_app::users::create_token(
                            &app,
                            report.admin_id,
                            "demo",
                            Scope::Admin,
                            None,
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                        println!("Demo company loaded: {report}");
                        println!("API token for {}: {secret}", report.admin_email);
                        demo_login(&app, &report.logins).await?;
                    }
                    None => println!("The database already has data; the demo was not loaded."),
                }
            }
            let listener = TcpListener::bind(config.listen)
                .await
                .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
            tracing::info!(
                listen = %config.listen,
                public_url = %config.public_url,
                database = %config.database_display(),
                backend = app.db.backend().as_str(),
                mail = %config.mail_display(),
                "Cartera is running"
            );
            println!(
                "Cartera is running on http://{}  (database: {})",
                config.listen,
                config.database_display()
            );
            cartera_server::spawn_maintenance(app.clone());
            cartera_server::spawn_jobs(
                app.clone(),
                std::time::Duration::from_millis(args.jobs_poll_ms.max(10)),
            );
            if !config.trusted_proxies.is_empty() {
                tracing::info!(
                    proxies = %config.trusted_proxies,
                    "client addresses come from X-Forwarded-For when these proxies send it"
                );
            }
            let limits = Limits {
                token_requests_per_minute: config.token_rate_limit,
                refused_tokens_per_minute: config.refused_token_rate_limit,
                trusted_proxies: config.trusted_proxies.clone(),
            };
            cartera_server::serve(listener, app.clone(), limits, shutdown_signal())
                .await
                .map_err(|e| format!("server stopped: {e}"))?;
            app.db.close().await;
            Ok(())
        }
        Command::Backup { file } => {
            let app = open(&config).await?;
            let to_stdout = file.as_os_str() == "-";
            let out: Box<dyn std::io::Write> = if to_stdout {
                Box::new(std::io::stdout().lock())
            } else {
                Box::new(
                    std::fs::File::create(&file)
                        .map_err(|e| format!("cannot create {}: {e}", file.display()))?,
                )
            };
            let result = cartera_app::backup::write(
                &app.db,
                std::io::BufWriter::with_capacity(1 << 20, out),
                table_progress(),
            )
            .await;
            app.db.close().await;
            let summary = result.map_err(|e| {
                if !to_stdout {
                    let _ = std::fs::remove_file(&file);
                }
                e.to_string()
            })?;
            eprintln!();
            eprintln!(
                "Backed up {summary} from {} to {}.",
                config.database_display(),
                file.display()
            );
            Ok(())
        }
        Command::Restore { file } => {
            let input: Box<dyn std::io::Read> = if file.as_os_str() == "-" {
                Box::new(std::io::stdin().lock())
            } else {
                Box::new(
                    std::fs::File::open(&file)
                        .map_err(|e| format!("cannot open {}: {e}", file.display()))?,
                )
            };
            let app = open(&config).await?;
            let result = cartera_app::backup::restore(
                &app.db,
                std::io::BufReader::with_capacity(1 << 20, input),
                table_progress(),
            )
            .await;
            app.db.close().await;
            eprintln!();
            let summary = result.map_err(|e| e.to_string())?;
            eprintln!("Restored {summary} into {}.", config.database_display());
            Ok(())
        }
        Command::Migrate => {
            let app = open(&config).await?;
            app.db.close().await;
            println!(
                "The database at {} is up to date.",
                config.database_display()
            );
            Ok(())
        }
        Command::Token(TokenCommand::Create {
            user,
            user_name,
            name,
            scope,
            expires_days,
        }) => {
            let scope = Scope::parse(&scope).ok_or("--scope must be read, write or admin")?;
            let expires_at = match expires_days {
                None => None,
                Some(d) if d > 0 => Some(chrono::Utc::now() + chrono::Duration::days(d)),
                Some(_) => return Err("--expires-days must be a positive number of days".into()),
            };
            let app = open(&config).await?;
            let display =
                user_name.unwrap_or_else(|| user.split('@').next().unwrap_or(&user).to_owned());
            let (u, created) = cartera_app::users::ensure(&app, &user, &display)
                .await
                .map_err(|e| format!("{e}"))?;
            let (token, secret) =
                cartera_app::users::create_token(&app, u.id, &name, scope, expires_at)
                    .await
                    .map_err(|e| e.to_string())?;
            app.db.close().await;
            if created {
                eprintln!("Created user {} <{}>.", u.name, u.email);
            }
            eprintln!(
                "Token '{}' ({} scope{}). Keep it safe: it is shown only now.",
                token.name,
                token.scope.as_str(),
                token
                    .expires_at
                    .map(|e| format!(", expires {}", e.format("%Y-%m-%d")))
                    .unwrap_or_default()
            );
            println!("{secret}");
            Ok(())
        }
        Command::User(UserCommand::Password { email }) => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
            let password = line.trim_end_matches(['\r', '\n']);
            let app = open(&config).await?;
            let result = cartera_app::auth::set_password(&app, &email, password).await;
            app.db.close().await;
            match result {
                Ok(u) => {
                    println!(
                        "Password set for {} <{}>; their other sessions ended.",
                        u.name, u.email
                    );
                    Ok(())
                }
                Err(cartera_app::AppError::NotFound) => Err(format!("there is no user {email}")),
                Err(cartera_app::AppError::Invalid(v)) => Err(v
                    .0
                    .iter()
                    .map(|x| format!("the {} {}", x.field, x.message))
                    .collect::<Vec<_>>()
                    .join("; ")),
                Err(e) => Err(e.to_string()),
            }
        }
        Command::User(UserCommand::Add { email, name }) => {
            let app = open(&config).await?;
            let (u, created) = cartera_app::users::ensure(&app, &email, &name)
                .await
                .map_err(|e| e.to_string())?;
            app.db.close().await;
            if created {
                println!("Added {} <{}> ({})", u.name, u.email, u.id);
            } else {
                println!("{} already exists ({})", u.email, u.id);
            }
            Ok(())
        }
        Command::Import(args) => {
            let app = open(&config).await?;
            let out = cartera_server::cli_import::run(&app, args).await;
            app.db.close().await;
            out
        }
        Command::Demo => {
            let app = open(&config).await?;
            let report = cartera_app::demo::seed_if_empty(&app)
                .await
                .map_err(|e| e.to_string())?;
            match &report {
                Some(r) => {
                    println!("Demo company loaded: {r}");
                    demo_login(&app, &r.logins).await?;
                }
                None => println!("The database already has data; the demo was not loaded."),
            }
            app.db.close().await;
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
