//! The server stopping, as long-lived responses hear of it.

/// Tells responses that never end by themselves (the inbox's event stream, an upload still
/// arriving) that the server is stopping, so that a graceful shutdown does not wait for them
/// forever. Set by the server at start-up (`startup.rs`).
#[derive(Clone)]
pub struct Stopping(pub tokio::sync::watch::Receiver<bool>);
