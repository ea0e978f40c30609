//! The Instagram Graph API on the wire, as `../shared/graph-api-contract.md` describes it.
//! Crealia's client and its sandbox both use these types, so they cannot drift apart.
//! Where Meta's sources disagree, the types accept every variant.

pub mod endpoint;
pub mod failure;
pub mod rules;
pub mod video;
pub mod webhooks;
pub mod wire;

/// The Instagram Login scopes (the `business_*` names stopped working on 2025-01-27).
pub const SCOPES: &[&str] = &[
    "instagram_business_basic",
    "instagram_business_content_publish",
    "instagram_business_manage_comments",
    "instagram_business_manage_messages",
    "instagram_business_manage_insights",
];

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod usage;
