use tracing_subscriber::EnvFilter;

use crate::cli::Cli;

/// Logs to stderr, in colour only when stderr is a terminal (a log file or a pipe gets no escape
/// codes); `RUST_LOG` overrides the level from `--log`.
pub fn init(cli: &Cli) {
    use std::io::IsTerminal;
    let default = cli.log.as_deref().unwrap_or("info,sqlx=warn,sea_orm=warn,tower_http=info");
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
