//! The sandbox as its own server: `crealia-sandbox [--addr 127.0.0.1:4000] [--seed N]`.

use crealia_sandbox::{serve, Sandbox, SandboxConfig};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into())).init();
    let mut addr = std::env::var("SANDBOX_ADDR").unwrap_or_else(|_| "127.0.0.1:4000".into());
    let mut config = SandboxConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--addr", Some(v)) => addr = v,
            ("--seed", Some(v)) => match v.parse() {
                Ok(seed) => config.seed = seed,
                Err(_) => return fail(&format!("--seed takes a whole number, not `{v}`")),
            },
            ("--quota", Some(v)) => match v.parse() {
                Ok(q) => config.quota_total = q,
                Err(_) => return fail(&format!("--quota takes a whole number, not `{v}`")),
            },
            _ => return fail("usage: crealia-sandbox [--addr HOST:PORT] [--seed N] [--quota N]"),
        }
    }
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => return fail(&format!("cannot listen on {addr}: {e}")),
    };
    tracing::info!(%addr, seed = config.seed, "Graph API sandbox listening");
    if let Ok(local) = listener.local_addr() {
        config.public_url = Some(format!("http://{local}"));
    }
    match serve(listener, Sandbox::new(config)).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(message: &str) -> std::process::ExitCode {
    eprintln!("crealia-sandbox: {message}");
    std::process::ExitCode::FAILURE
}
