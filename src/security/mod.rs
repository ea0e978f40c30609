//! What keeps a deployed Crealia safe from hostile visitors, at the edge of every request:
//! who the client is behind proxies, refusing cross-site writes, security headers with a
//! per-response CSP nonce, and the bearer guard of the operators' routes (the sandbox's admin
//! API, the metrics).

pub mod bearer;
pub mod client_ip;
pub mod cross_site;
pub mod headers;
