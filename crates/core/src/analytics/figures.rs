//! One post's results as the analytics compare them: each against the account's median.

use chrono::{DateTime, Utc};

/// A post (feed or reel) and its lifetime figures.
#[derive(Clone, Debug, PartialEq)]
pub struct PostFigures {
    pub at: DateTime<Utc>,
    /// `IMAGE`, `CAROUSEL_ALBUM` or `REELS`.
    pub format: String,
    /// Lower-cased, with their `#`, each once.
    pub hashtags: Vec<String>,
    pub reach: Option<i64>,
    pub saves: Option<i64>,
    pub shares: Option<i64>,
    pub interactions: Option<i64>,
}

impl PostFigures {
    pub fn has_figures(&self) -> bool {
        self.reach.is_some() || self.interactions.is_some()
    }
}

/// The median of `values` (the mean of the middle two for an even count); None when empty.
pub fn median_f64(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 0 { (values[mid - 1] + values[mid]) / 2.0 } else { values[mid] })
}

/// The median of the known values of one figure, rounded.
pub fn median_of(posts: &[&PostFigures], figure: impl Fn(&PostFigures) -> Option<i64>) -> Option<i64> {
    let mut values: Vec<f64> = posts.iter().filter_map(|p| figure(p)).map(|v| v as f64).collect();
    median_f64(&mut values).map(|m| m.round() as i64)
}

/// Each post's result against the account's medians: the mean of its reach and its
/// interactions, each divided by the account's median of it (1.0 = a median post). None for a
/// post without figures, or when the account's medians are zero.
pub fn scores(posts: &[PostFigures]) -> Vec<Option<f64>> {
    let all: Vec<&PostFigures> = posts.iter().collect();
    let reach = median_of(&all, |p| p.reach).filter(|m| *m > 0);
    let interactions = median_of(&all, |p| p.interactions).filter(|m| *m > 0);
    posts
        .iter()
        .map(|p| {
            let parts: Vec<f64> =
                [(p.reach, reach), (p.interactions, interactions)].into_iter().filter_map(|(value, median)| Some(value? as f64 / median? as f64)).collect();
            (!parts.is_empty()).then(|| parts.iter().sum::<f64>() / parts.len() as f64)
        })
        .collect()
}

/// The hashtags of a caption: `#` followed by letters, digits or `_`, lower-cased, each once,
/// in the order they first appear.
pub fn hashtags(caption: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut chars = caption.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '#' {
            continue;
        }
        let mut end = i + 1;
        while let Some((j, n)) = chars.peek().copied() {
            if n.is_alphanumeric() || n == '_' {
                end = j + n.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        if end > i + 1 {
            let tag = caption[i..end].to_lowercase();
            if !found.contains(&tag) {
                found.push(tag);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_are_read_like_instagram_does() {
        assert_eq!(hashtags("Golden hour ✨ #Photography #goldenhour, #photography again"), vec!["#photography", "#goldenhour"]);
        assert_eq!(hashtags("Café #crème_brûlée #2026 # alone ##"), vec!["#crème_brûlée", "#2026"]);
        assert!(hashtags("no tags here").is_empty());
    }

    #[test]
    fn scores_compare_each_post_with_the_accounts_median() {
        let post = |reach: i64, interactions: Option<i64>| PostFigures {
            at: Utc::now(),
            format: "IMAGE".into(),
            hashtags: vec![],
            reach: Some(reach),
            saves: None,
            shares: None,
            interactions,
        };
        let s = scores(&[post(100, Some(10)), post(200, Some(20)), post(300, Some(30))]);
        assert_eq!(s, vec![Some(0.5), Some(1.0), Some(1.5)], "against the median post");
        let s = scores(&[post(100, None), post(300, None)]);
        assert_eq!(s, vec![Some(0.5), Some(1.5)], "reach alone when interactions are unknown");
        assert_eq!(median_f64(&mut [3.0, 1.0, 2.0, 10.0]), Some(2.5));
        assert_eq!(median_f64(&mut []), None);
    }
}
