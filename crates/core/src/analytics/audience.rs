//! Who the audience is: Instagram's `follower_demographics` and
//! `engaged_audience_demographics` by age, gender, country and city, as it answers them (its
//! top 45 of each, nothing under 100 followers).

use crealia_graph::wire::{InsightMetric, Page};
use crealia_model::analytics::{Breakdown, Share};

/// The breakdowns shown, in order.
pub const DIMENSIONS: [&str; 4] = ["age", "gender", "country", "city"];
/// Meta's longest timeframe since v20.
pub const TIMEFRAME: &str = "this_month";
/// Instagram cuts each breakdown to its top 45.
const TOP: usize = 45;

/// One metric's breakdown by `dimension` from an insights page, largest first (empty when the
/// page does not carry it).
pub fn breakdown(page: &Page<InsightMetric>, metric: &str, dimension: &str) -> Breakdown {
    let mut entries: Vec<Share> = page
        .data
        .iter()
        .filter(|m| m.name == metric)
        .filter_map(|m| m.total_value.as_ref()?.breakdowns.as_ref())
        .flatten()
        .filter(|b| b.dimension_keys.iter().any(|k| k == dimension))
        .flat_map(|b| {
            let at = b.dimension_keys.iter().position(|k| k == dimension).unwrap_or(0);
            b.results.iter().filter_map(move |r| Some(Share { label: r.dimension_values.get(at)?.clone(), value: r.value }))
        })
        .collect();
    entries.sort_by(|a, b| b.value.cmp(&a.value).then(a.label.cmp(&b.label)));
    entries.truncate(TOP);
    Breakdown { dimension: dimension.to_string(), entries }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_breakdown_reads_its_own_dimension_largest_first() {
        let page: Page<InsightMetric> = serde_json::from_value(serde_json::json!({"data": [{
            "name": "follower_demographics", "period": "lifetime", "id": "1/insights/follower_demographics/lifetime",
            "total_value": {"value": 100, "breakdowns": [{"dimension_keys": ["gender"], "results": [
                {"dimension_values": ["M"], "value": 39}, {"dimension_values": ["F"], "value": 58}, {"dimension_values": ["U"], "value": 3}]}]}
        }]}))
        .unwrap();
        let b = breakdown(&page, "follower_demographics", "gender");
        assert_eq!(b.entries.iter().map(|e| (e.label.as_str(), e.value)).collect::<Vec<_>>(), vec![("F", 58), ("M", 39), ("U", 3)]);
        assert_eq!(b.total(), 100);
        assert!(breakdown(&page, "engaged_audience_demographics", "gender").entries.is_empty());
        assert!(breakdown(&page, "follower_demographics", "age").entries.is_empty());
    }
}
