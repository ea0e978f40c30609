//! The Instagram Graph API on the wire, as `../shared/graph-api-contract.md` describes it.
//! Crealia's client and its sandbox both use these types, so they cannot drift apart.
//! Where Meta's sources disagree, the types accept every variant.

pub mod wire;

#[cfg(feature = "client")]
pub mod client;
