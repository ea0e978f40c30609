//! What works: the account's posts grouped by format and by hashtag, each group's median
//! results against the account's, with the number of posts behind it. Hashtags whose posts did
//! better than the median are suggested; hashtags none of whose posts reached it are flagged.

use std::collections::BTreeMap;

use crealia_model::analytics::{NotEnough, Performance, WhatWorks, MIN_POSTS, MIN_POSTS_IN_ALL};

use super::figures::{median_f64, median_of, PostFigures};

/// A hashtag is suggested when its posts' median result is at least this far above the median.
const SUGGEST_ABOVE: f64 = 1.15;
/// Hashtags listed at most (by how they did).
const MAX_HASHTAGS: usize = 30;

pub fn what_works(posts: &[PostFigures], scores: &[Option<f64>]) -> WhatWorks {
    let measured: Vec<(&PostFigures, f64)> = posts.iter().zip(scores).filter_map(|(p, s)| Some((p, (*s)?))).collect();
    let all: Vec<&PostFigures> = measured.iter().map(|(p, _)| *p).collect();
    let mut result = WhatWorks {
        posts: measured.len() as u32,
        median_reach: median_of(&all, |p| p.reach),
        median_interactions: median_of(&all, |p| p.interactions),
        formats: Vec::new(),
        hashtags: Vec::new(),
        suggested_hashtags: Vec::new(),
        weak_hashtags: Vec::new(),
        not_enough: None,
    };
    if (measured.len() as u32) < MIN_POSTS_IN_ALL {
        result.not_enough = Some(NotEnough::Posts { have: measured.len() as u32, need: MIN_POSTS_IN_ALL });
        return result;
    }

    let mut formats: BTreeMap<&str, Vec<(&PostFigures, f64)>> = BTreeMap::new();
    let mut tags: BTreeMap<&str, Vec<(&PostFigures, f64)>> = BTreeMap::new();
    for (post, score) in &measured {
        formats.entry(post.format.as_str()).or_default().push((post, *score));
        for tag in &post.hashtags {
            tags.entry(tag.as_str()).or_default().push((post, *score));
        }
    }
    result.formats = formats.into_iter().map(|(label, group)| performance(label, &group)).collect();
    result.formats.sort_by(|a, b| b.lift.total_cmp(&a.lift));

    let mut hashtags: Vec<(Performance, f64)> = tags
        .into_iter()
        .filter(|(_, group)| group.len() as u32 >= MIN_POSTS)
        .map(|(label, group)| {
            let best = group.iter().map(|(_, s)| *s).fold(f64::MIN, f64::max);
            (performance(label, &group), best)
        })
        .collect();
    hashtags.sort_by(|a, b| b.0.lift.total_cmp(&a.0.lift).then(b.0.posts.cmp(&a.0.posts)));
    hashtags.truncate(MAX_HASHTAGS);
    result.suggested_hashtags = hashtags.iter().filter(|(p, _)| p.lift as f64 >= SUGGEST_ABOVE).map(|(p, _)| p.clone()).collect();
    result.weak_hashtags = hashtags.iter().filter(|(_, best)| *best < 1.0).map(|(p, _)| p.clone()).collect();
    result.hashtags = hashtags.into_iter().map(|(p, _)| p).collect();
    result
}

fn performance(label: &str, group: &[(&PostFigures, f64)]) -> Performance {
    let posts: Vec<&PostFigures> = group.iter().map(|(p, _)| *p).collect();
    let mut scores: Vec<f64> = group.iter().map(|(_, s)| *s).collect();
    Performance {
        label: label.to_string(),
        posts: group.len() as u32,
        median_reach: median_of(&posts, |p| p.reach),
        median_saves: median_of(&posts, |p| p.saves),
        median_shares: median_of(&posts, |p| p.shares),
        median_interactions: median_of(&posts, |p| p.interactions),
        lift: median_f64(&mut scores).unwrap_or(1.0) as f32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn post(format: &str, tags: &[&str], reach: i64) -> PostFigures {
        PostFigures {
            at: Utc::now(),
            format: format.into(),
            hashtags: tags.iter().map(|t| t.to_string()).collect(),
            reach: Some(reach),
            saves: Some(reach / 100),
            shares: Some(reach / 200),
            interactions: Some(reach / 10),
        }
    }

    #[test]
    fn formats_and_hashtags_against_the_median_with_their_counts() {
        let posts = vec![
            post("REELS", &["#dance"], 300),
            post("REELS", &["#dance", "#monday"], 260),
            post("REELS", &["#dance"], 280),
            post("IMAGE", &["#monday"], 100),
            post("IMAGE", &["#monday"], 90),
            post("IMAGE", &["#rare"], 100),
            post("IMAGE", &[], 110),
        ];
        let scores = super::super::figures::scores(&posts);
        let w = what_works(&posts, &scores);
        assert_eq!(w.posts, 7);
        assert_eq!(w.median_reach, Some(110));
        assert_eq!(w.formats[0].label, "REELS");
        assert_eq!(w.formats[0].posts, 3);
        assert_eq!(w.formats[0].median_reach, Some(280));
        assert!((w.formats[0].lift - 280.0 / 110.0).abs() < 0.01, "{}", w.formats[0].lift);
        assert_eq!(w.formats[1].label, "IMAGE");
        assert_eq!(w.formats[1].posts, 4);
        // #rare is on one post: too few to say anything.
        assert_eq!(w.hashtags.iter().map(|h| (h.label.as_str(), h.posts)).collect::<Vec<_>>(), vec![("#dance", 3), ("#monday", 3)]);
        assert_eq!(w.suggested_hashtags.iter().map(|h| h.label.as_str()).collect::<Vec<_>>(), vec!["#dance"]);
        // #monday was on a 260 post (above the median): not flagged as never working.
        assert!(w.weak_hashtags.is_empty());
    }

    #[test]
    fn hashtags_that_never_reached_the_median_are_flagged_and_too_few_posts_say_so() {
        let mut posts: Vec<PostFigures> = (0..6).map(|i| post("IMAGE", &["#ok"], 100 + i)).collect();
        posts.extend((0..3).map(|_| post("IMAGE", &["#flop"], 20)));
        let scores = super::super::figures::scores(&posts);
        let w = what_works(&posts, &scores);
        assert_eq!(w.weak_hashtags.iter().map(|h| (h.label.as_str(), h.posts)).collect::<Vec<_>>(), vec![("#flop", 3)]);

        let few = &posts[..5];
        let w = what_works(few, &super::super::figures::scores(few));
        assert_eq!(w.not_enough, Some(NotEnough::Posts { have: 5, need: MIN_POSTS_IN_ALL }));
        assert!(w.formats.is_empty() && w.suggested_hashtags.is_empty());
    }
}
