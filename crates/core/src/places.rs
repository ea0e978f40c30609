//! Places a post can be tagged at, found by name through the Graph API's Pages search with the
//! creator's own account.

use crealia_model::publishing::Place;

use crealia_model::problem::Problem;

use crate::connections::Connections;
use crate::{Error, Result};

/// The longest search sent (the rest is dropped).
pub const MAX_QUERY_CHARS: usize = 100;
/// The most places one search answers.
pub const MAX_RESULTS: u32 = 10;

/// Places whose name matches `query`, searched with the creator's account `connection_id`
/// (another creator's is NotFound); "Café de Flore, Paris" as the composer shows them. A query
/// shorter than two characters finds nothing without asking Instagram.
pub async fn search(connections: &Connections, user_id: i64, connection_id: i64, query: &str) -> Result<Vec<Place>> {
    let query: String = query.trim().chars().take(MAX_QUERY_CHARS).collect();
    if query.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let account = connections.account(user_id, Some(connection_id)).await?;
    // Meta offers the Pages search to some apps only: without it, a place is typed as its id.
    let found = match account.call(async |graph, token, _| graph.search_places(token, &query, MAX_RESULTS).await).await {
        Ok(found) => found,
        Err(e) if e.is_invalid_token() => return Err(e.into()),
        Err(e) => {
            tracing::warn!(error = %e, "the place search failed");
            return Err(Error::Refused(Problem::PlaceSearchUnavailable));
        }
    };
    Ok(found
        .into_iter()
        .map(|p| {
            let city = p.location.and_then(|l| l.city);
            Place { id: p.id.0, name: city.map_or(p.name.clone(), |city| format!("{}, {city}", p.name)) }
        })
        .collect())
}
