use std::path::PathBuf;

use clap::{Parser, Subcommand};
use linli_auth::NewUser;
use linli_db::Db;

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
        /// How people reach this server, e.g. https://wuye.example.cn: links in email and the
        /// equipment QR labels use it [env: LINLI_PUBLIC_URL].
        #[arg(long)]
        public_url: Option<String>,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Create demo data and accounts on this database, print the passwords, and serve.
    Demo {
        /// Listen address [env: LINLI_BIND]; 0.0.0.0:8080 to let phones on your network in.
        #[arg(long)]
        bind: Option<String>,
        /// How phones reach this computer, e.g. http://192.168.1.20:8080: the equipment QR labels
        /// and links in messages use it [env: LINLI_PUBLIC_URL].
        #[arg(long)]
        public_url: Option<String>,
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
    /// Counter payments by 1, 4, 8… cashiers at once through the real server, while the job
    /// workers write a billing run and deliver its notices: payments per second and errors.
    Writes {
        /// How many cashiers post at once, one level after another.
        #[arg(long, value_delimiter = ',', default_value = "1,4,8")]
        parallel: Vec<usize>,
        /// Payments per level.
        #[arg(long, default_value_t = 400)]
        payments: usize,
        /// Houses in the project (each run bills all of them).
        #[arg(long, default_value_t = 500)]
        houses: usize,
        /// Also run on this PostgreSQL server (a scratch database is created and dropped).
        #[arg(long)]
        postgres: Option<String>,
    },
    /// The HTTP API under load: the real server on a database it fills (houses, people, a year
    /// of bills, some paid), each endpoint at 50 and 200 connections beside the same server's
    /// trivial endpoint, and the server's peak memory.
    Api {
        /// Database sizes, one after another.
        #[arg(long, value_delimiter = ',', default_value = "1500,100000")]
        houses: Vec<usize>,
        #[arg(long, value_delimiter = ',', default_value = "50,200")]
        connections: Vec<u32>,
        /// Seconds of load per endpoint and level.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Months of bills to fill.
        #[arg(long, default_value_t = 12)]
        months: u32,
        /// Also run on this PostgreSQL server (a scratch database is created and dropped).
        #[arg(long)]
        postgres: Option<String>,
        /// One JSON document instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// WeChat Pay notifications posted at once to the real server (30% copies, 5% forged, 5%
    /// wrong amounts): notifications verified and settled per second beside the same payments at
    /// the counter and the signature check alone, the errors, and the ledger check.
    Payments {
        #[arg(long, default_value_t = 2_000)]
        orders: usize,
        #[arg(long, default_value_t = 50)]
        connections: usize,
        #[arg(long, default_value_t = 500)]
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

/// Where a password comes from: the prompt (default), standard input, or the command line.
#[derive(clap::Args, Debug, Default)]
pub struct PasswordSource {
    /// Read the password from the first line of standard input, e.g.
    /// `printf '%s\n' "$PW" | linli admin create-user … --password-stdin`.
    #[arg(long, conflicts_with = "password")]
    pub password_stdin: bool,
    /// The password on the command line. Avoid it: other users see it in the process list and
    /// the shell keeps it in its history. Without this or --password-stdin, it is asked for
    /// (twice, not shown) in the terminal.
    #[arg(long)]
    pub password: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create a user, optionally granting a role on one project or company-wide. The password is
    /// asked for in the terminal unless given with --password-stdin.
    #[command(after_help = "Examples:\n  linli admin create-user --username admin --role admin\n  \
        linli admin projects\n  linli admin create-user --username li --display-name 李收费 --role cashier --project 1")]
    CreateUser {
        /// The login name: 3 to 64 letters, digits or `_ . @ -` (a phone number works), stored in
        /// lowercase.
        #[arg(long)]
        username: String,
        #[command(flatten)]
        password: PasswordSource,
        /// The name staff see, e.g. 李收费; the username when omitted.
        #[arg(long)]
        display_name: Option<String>,
        /// Mobile number (11 digits), for messages to this user.
        #[arg(long)]
        phone: Option<String>,
        /// A role to grant: admin, manager, cashier, service_desk, technician, guard or resident.
        /// No role: the user can log in but sees nothing until granted one in the console.
        #[arg(long)]
        role: Option<String>,
        /// The project id the role is granted on (`linli admin projects` lists them);
        /// company-wide when omitted.
        #[arg(long, requires = "role")]
        project: Option<i64>,
    },
    /// Set a user's password and end their sessions (for a forgotten password or a lockout).
    ResetPassword {
        /// The user's login name.
        #[arg(long)]
        username: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// List the projects: id (for --project and `linli billing run`), name, kind and houses.
    Projects,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut overrides = Overrides { data_dir: cli.data_dir, database_url: cli.database_url, ..Overrides::default() };
    match &cli.command {
        Command::Serve { bind, public_url } => {
            overrides.bind.clone_from(bind);
            overrides.public_url.clone_from(public_url);
        }
        Command::Demo { bind, admin_password, public_url, .. } => {
            overrides.bind.clone_from(bind);
            overrides.admin_password.clone_from(admin_password);
            overrides.public_url.clone_from(public_url);
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
        Command::Bench { command: BenchCommand::Writes { parallel, payments, houses, postgres } } => {
            anyhow::ensure!(parallel.iter().all(|&p| p > 0), "--parallel takes counts above 0");
            crate::bench::writes(&parallel, payments, houses, postgres.as_deref()).await
        }
        Command::Bench { command: BenchCommand::Api { houses, connections, seconds, months, postgres, json } } => {
            let o = crate::bench::ApiOptions { houses, connections, seconds, months, postgres, json };
            crate::bench::api(&o).await
        }
        Command::Bench { command: BenchCommand::Payments { orders, connections, houses, postgres } } => {
            anyhow::ensure!(
                orders > 0 && connections > 0 && houses > 0,
                "--orders, --connections and --houses take counts above 0"
            );
            crate::bench::payments(orders, connections, houses, postgres.as_deref()).await
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
            // Ask before touching the database, so a wrong password prompt changes nothing.
            let password = match &command {
                AdminCommand::CreateUser { password, .. } | AdminCommand::ResetPassword { password, .. } => {
                    Some(read_password(password)?)
                }
                AdminCommand::Projects => None,
            };
            let (db, company) = server::open(&config).await?;
            admin_command(&db, company, command, password).await.map_err(explain)
        }
    }
}

async fn admin_command(db: &Db, company: i64, command: AdminCommand, password: Option<String>) -> anyhow::Result<()> {
    match command {
        AdminCommand::CreateUser { username, display_name, phone, role, project, .. } => {
            let new = NewUser {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                phone,
                password: password.unwrap_or_default(),
            };
            let id = admin::create_user(db, company, new, role.as_deref(), project).await?;
            println!("created user {id}");
        }
        AdminCommand::ResetPassword { username, .. } => {
            admin::reset_password(db, company, &username, &password.unwrap_or_default()).await?;
            println!("password of {username} reset; their sessions are ended");
        }
        AdminCommand::Projects => {
            print!("{}", admin::projects_table(&admin::projects(db, company).await?));
        }
    }
    Ok(())
}

/// A refused field says which field and why (`username: invalid_format`), not only
/// "validation failed".
fn explain(e: anyhow::Error) -> anyhow::Error {
    match e.downcast_ref::<linli_core::Error>() {
        Some(linli_core::Error::Validation(fields)) => {
            let list: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.field, f.code)).collect();
            anyhow::anyhow!("validation failed: {}", list.join(", "))
        }
        _ => e,
    }
}

/// The password from the flag, the first line of standard input, or the terminal (asked twice,
/// not echoed).
fn read_password(source: &PasswordSource) -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    if let Some(p) = &source.password {
        return Ok(p.clone());
    }
    if source.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        anyhow::ensure!(!password.is_empty(), "no password on standard input");
        return Ok(password);
    }
    anyhow::ensure!(
        std::io::stdin().is_terminal(),
        "no password given: run this in a terminal to be asked for it, or pipe it in with --password-stdin"
    );
    let first = rpassword::prompt_password("密码 Password: ")?;
    let again = rpassword::prompt_password("再输一次 Again: ")?;
    anyhow::ensure!(first == again, "the two passwords differ");
    anyhow::ensure!(!first.is_empty(), "the password is empty");
    Ok(first)
}
