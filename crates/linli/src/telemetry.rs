use tracing_subscriber::EnvFilter;

use crate::cli::Cli;

/// Logs to stderr; `RUST_LOG` overrides the level from `--log`.
pub fn init(cli: &Cli) {
    let default = cli.log.as_deref().unwrap_or("info,sqlx=warn,sea_orm=warn,tower_http=info");
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
