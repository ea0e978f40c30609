//! One Graph API call as the sandbox's handlers see it, and what every handler checks.

use crate::error::{ApiError, ApiResult};
use crate::oauth::Caller;
use crate::params::Params;
use crate::Sandbox;

/// The request as the dispatcher sees it.
pub struct Call<'a> {
    pub sandbox: &'a Sandbox,
    pub caller: Caller,
    pub params: Params,
    /// Absolute URL of this call without its query, for paging links.
    pub self_url: String,
}

/// The account must be the caller's own: anything else is "does not exist" (100/33).
pub fn own_account(call: &Call<'_>, id: &str) -> ApiResult<()> {
    let world = call.sandbox.world();
    match world.account(id) {
        Some(a) if a.ig_id == call.caller.ig_id => Ok(()),
        _ => Err(ApiError::not_found(id)),
    }
}

/// `2017-05-04T07:00:00+0000`, Meta's timestamp format.
pub fn iso(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0).unwrap_or_default().format("%Y-%m-%dT%H:%M:%S+0000").to_string()
}
