use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = linli::cli::Cli::parse();
    linli::telemetry::init(&cli);
    match linli::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
