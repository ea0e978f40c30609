use std::process::ExitCode;

use clap::Parser;
use crealia::cli::{run, Cli};

/// mimalloc: a request allocates and frees many small buffers across threads, where it costs
/// about half of glibc's malloc (measured on the webhook callback, BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // A missing .env is normal; a malformed one is reported like any configuration problem.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("crealia: .env could not be read: {e}. Fix the line it names or remove the file.");
            return ExitCode::from(2);
        }
    }
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crealia: {e}");
            ExitCode::FAILURE
        }
    }
}
