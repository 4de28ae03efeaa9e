use std::path::PathBuf;

use clap::{Parser, Subcommand};
use linli_auth::NewUser;

use crate::config::{Config, Overrides};
use crate::{admin, demo, server};

#[derive(Parser, Debug)]
#[command(name = "linli", version, about = "Linli (邻里) property management")]
pub struct Cli {
    /// Configuration file (default: ./linli.toml when present).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Data directory [env: LINLI_DATA_DIR].
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL, sqlite://… or postgres://… [env: LINLI_DATABASE_URL].
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Log filter, e.g. `info` or `debug,sqlx=warn` (RUST_LOG wins).
    #[arg(long, global = true)]
    pub log: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API, the web app and the job workers.
    Serve {
        /// Listen address [env: LINLI_BIND].
        #[arg(long)]
        bind: Option<String>,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Create demo data and accounts on this database, print the passwords, and serve.
    Demo {
        #[arg(long)]
        bind: Option<String>,
        /// The admin's password [env: LINLI_ADMIN_PASSWORD]; random when unset.
        #[arg(long)]
        admin_password: Option<String>,
        /// Houses in the demo residential community (up to 100,000, for benchmarks).
        #[arg(long, default_value_t = 1500, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        houses: u32,
    },
    /// Manage accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Print the effective configuration with secrets redacted.
    Config,
    /// Billing from the command line.
    Billing {
        #[command(subcommand)]
        command: BillingCommand,
    },
    /// Consistency checks; exit status 1 when one fails.
    Check {
        #[command(subcommand)]
        command: CheckCommand,
    },
    /// Measure speed on a fresh database of its own and print the figures.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Import a sheet of N houses into an empty project, then import it again.
    Import {
        #[arg(long, default_value_t = 20_000)]
        houses: usize,
        /// Also run on this PostgreSQL server (a scratch database is created and dropped).
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Bill N houses for a month, against a plain bulk insert of the same rows.
    Billing {
        #[arg(long, default_value_t = 100_000)]
        houses: usize,
        /// Also run on this PostgreSQL server (a scratch database is created and dropped).
        #[arg(long)]
        postgres: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum BillingCommand {
    /// Bill a project for a month (every item whose cycle starts then); resumes an unfinished run.
    Run {
        #[arg(long)]
        project: i64,
        /// `YYYY-MM`.
        #[arg(long)]
        period: String,
        /// Bills per transaction.
        #[arg(long, default_value_t = crate::billing_cli::CHUNK)]
        chunk: usize,
    },
}

#[derive(Subcommand, Debug)]
pub enum CheckCommand {
    /// Every ledger entry's seal, and every bill, balance and payment against its entries.
    Ledger,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create a user, optionally granting a role (on one project, or company-wide).
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// admin, manager, cashier, service_desk, technician, guard or resident.
        #[arg(long)]
        role: Option<String>,
        /// The project of the grant; company-wide when omitted.
        #[arg(long)]
        project: Option<i64>,
    },
    /// Set a user's password and end their sessions.
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut overrides = Overrides { data_dir: cli.data_dir, database_url: cli.database_url, ..Overrides::default() };
    match &cli.command {
        Command::Serve { bind } => overrides.bind.clone_from(bind),
        Command::Demo { bind, admin_password, .. } => {
            overrides.bind.clone_from(bind);
            overrides.admin_password.clone_from(admin_password);
        }
        _ => {}
    }
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    match cli.command {
        Command::Config => {
            print!("{}", config.redacted_toml()?);
            Ok(())
        }
        Command::Migrate => {
            let (db, _) = server::open(&config).await?;
            println!("database {} is up to date", db.backend.as_str());
            Ok(())
        }
        Command::Serve { .. } => {
            let (db, _) = server::open(&config).await?;
            let running = server::start(db, &config, &config.bind).await?;
            println!("Linli is listening on http://{}", running.addr);
            running.wait().await;
            Ok(())
        }
        Command::Bench { command: BenchCommand::Import { houses, postgres } } => {
            crate::bench::import(houses, postgres.as_deref()).await
        }
        Command::Bench { command: BenchCommand::Billing { houses, postgres } } => {
            crate::bench::billing(houses, postgres.as_deref()).await
        }
        Command::Billing { command: BillingCommand::Run { project, period, chunk } } => {
            crate::billing_cli::run(&config, project, &period, chunk).await
        }
        Command::Check { command: CheckCommand::Ledger } => crate::billing_cli::check_ledger(&config).await,
        Command::Demo { houses, .. } => demo::run(&config, houses as usize).await,
        Command::Admin { command } => {
            let (db, company) = server::open(&config).await?;
            match command {
                AdminCommand::CreateUser { username, password, display_name, phone, role, project } => {
                    let new = NewUser {
                        display_name: display_name.unwrap_or_else(|| username.clone()),
                        username,
                        phone,
                        password,
                    };
                    let id = admin::create_user(&db, company, new, role.as_deref(), project).await?;
                    println!("created user {id}");
                }
                AdminCommand::ResetPassword { username, password } => {
                    admin::reset_password(&db, company, &username, &password).await?;
                    println!("password of {username} reset; their sessions are ended");
                }
            }
            Ok(())
        }
    }
}
