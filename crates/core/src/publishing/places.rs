//! Places a post can be tagged at, found by name through the Graph API's Pages search with the
//! creator's own account.

use crealia_model::publishing::Place;

use crealia_model::problem::Problem;

use super::Publishing;
use crate::{Error, Result};

/// The longest search sent (the rest is dropped).
pub const MAX_QUERY_CHARS: usize = 100;
/// The most places one search answers.
pub const MAX_RESULTS: u32 = 10;
/// Searches a creator makes a minute on one server (each is a Graph API call on their token).
pub const SEARCHES_PER_MINUTE: u32 = 30;

impl Publishing {
    /// Places whose name matches `query`, searched with the creator's account `connection_id`
    /// (another creator's is NotFound); "Café de Flore, Paris" as the composer shows them. A query
    /// shorter than two characters finds nothing without asking Instagram; at most
    /// [`SEARCHES_PER_MINUTE`] a creator.
    pub async fn search_places(&self, user_id: i64, connection_id: i64, query: &str) -> Result<Vec<Place>> {
        let query: String = query.trim().chars().take(MAX_QUERY_CHARS).collect();
        if query.chars().count() < 2 {
            return Ok(Vec::new());
        }
        self.place_searches.spend(user_id)?;
        let account = self.connections.account(user_id, Some(connection_id)).await?;
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
}
