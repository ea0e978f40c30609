//! Insights as the contract describes them: account metrics by day (`total_value` or
//! `time_series`, breakdowns, the 30-day window, the data delay), demographics, and media
//! insights that accrue after publishing.

use serde_json::{json, Value};

use crate::call::{iso, own_account, Call};
use crate::error::{ApiError, ApiResult};
use crate::world::{weekday_hour, Account, DayStats, Media, ProductType, DAY};

pub const MAX_RANGE_SECS: i64 = 30 * DAY;

/// Removed metrics and what replaced them (v21/v22 and 2025-04-21 deprecations).
const DEPRECATED: &[(&str, &str)] = &[
    ("impressions", "views"),
    ("profile_views", "profile_links_taps"),
    ("website_clicks", "profile_links_taps"),
    ("email_contacts", "profile_links_taps"),
    ("phone_call_clicks", "profile_links_taps"),
    ("text_message_clicks", "profile_links_taps"),
    ("get_direction_clicks", "profile_links_taps"),
];

const MEDIA_DEPRECATED: &[&str] = &["plays", "clips_replays_count", "ig_reels_aggregated_all_plays_count", "impressions", "video_views"];

struct Metric {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    breakdowns: &'static [&'static str],
    time_series: bool,
}

const ACCOUNT_METRICS: &[Metric] = &[
    Metric { name: "accounts_engaged", title: "Accounts engaged", description: "The number of accounts that have interacted with your content, including in ads.", breakdowns: &[], time_series: false },
    Metric { name: "comments", title: "Comments", description: "The number of comments on your posts, reels, videos and live videos.", breakdowns: &["media_product_type"], time_series: false },
    Metric { name: "follows_and_unfollows", title: "Follows and unfollows", description: "The number of accounts that followed you and the number of accounts that unfollowed you or left Instagram in the selected time period.", breakdowns: &["follow_type"], time_series: false },
    Metric { name: "likes", title: "Likes", description: "The number of likes on your posts, reels and videos.", breakdowns: &["media_product_type"], time_series: false },
    Metric { name: "profile_links_taps", title: "Profile links taps", description: "The number of taps on your business address, call button, email button and text button.", breakdowns: &["contact_button_type"], time_series: false },
    Metric { name: "reach", title: "Accounts reached", description: "The number of unique accounts that have seen your content, at least once, including in ads.", breakdowns: &["media_product_type", "follow_type"], time_series: true },
    Metric { name: "replies", title: "Replies", description: "The number of replies you received from your story, including text replies and quick reaction replies.", breakdowns: &[], time_series: false },
    Metric { name: "reposts", title: "Reposts", description: "The number of times your content was reposted.", breakdowns: &[], time_series: false },
    Metric { name: "saves", title: "Saves", description: "The number of saves of your posts, reels and videos.", breakdowns: &["media_product_type"], time_series: false },
    Metric { name: "shares", title: "Shares", description: "The number of shares of your posts, stories, reels, videos and live videos.", breakdowns: &["media_product_type"], time_series: false },
    Metric { name: "total_interactions", title: "Total interactions", description: "The total number of post interactions, story interactions, reels interactions, video interactions and live video interactions, including any interactions on boosted content.", breakdowns: &["media_product_type"], time_series: false },
    Metric { name: "views", title: "Views", description: "The number of times your content was played or displayed.", breakdowns: &["follower_type", "follow_type", "media_product_type"], time_series: false },
];

fn day_value(name: &str, d: &DayStats) -> i64 {
    match name {
        "accounts_engaged" => d.accounts_engaged,
        "comments" => d.comments,
        "follows_and_unfollows" => d.follows + d.unfollows,
        "likes" => d.likes,
        "profile_links_taps" => d.profile_links_taps,
        "reach" => d.reach,
        "replies" => d.replies,
        "reposts" => d.reposts,
        "saves" => d.saves,
        "shares" => d.shares,
        "total_interactions" => d.total_interactions(),
        "views" => d.views,
        _ => 0,
    }
}

/// Splits `total` over dimension values with fixed shares; the parts add up to `total`.
fn split(total: i64, parts: &[(&str, f64)]) -> Vec<Value> {
    let mut left = total;
    let mut out = Vec::new();
    for (i, (name, share)) in parts.iter().enumerate() {
        let v = if i + 1 == parts.len() { left } else { (total as f64 * share).round() as i64 };
        left -= v;
        out.push(json!({ "dimension_values": [name], "value": v }));
    }
    out
}

fn breakdown_results(dimension: &str, metric: &str, total: i64, follows: i64, unfollows: i64) -> Vec<Value> {
    match (dimension, metric) {
        ("follow_type", "follows_and_unfollows") => {
            vec![json!({ "dimension_values": ["FOLLOWER"], "value": follows }), json!({ "dimension_values": ["NON_FOLLOWER"], "value": unfollows })]
        }
        ("follow_type" | "follower_type", _) => split(total, &[("FOLLOWER", 0.38), ("NON_FOLLOWER", 0.62)]),
        ("media_product_type", _) => split(total, &[("POST", 0.41), ("CAROUSEL_CONTAINER", 0.17), ("REEL", 0.33), ("STORY", 0.09)]),
        ("contact_button_type", _) => {
            split(total, &[("BOOK_NOW", 0.1), ("CALL", 0.2), ("DIRECTION", 0.15), ("EMAIL", 0.25), ("TEXT", 0.1), ("UNDEFINED", 0.2)])
        }
        _ => Vec::new(),
    }
}

/// Day numbers in [since, until) whose data is available (ended at least `delay` ago).
fn available_days(since: i64, until: i64, now: i64, delay: i64) -> Vec<i64> {
    let first = since.div_euclid(DAY);
    let last = (until - 1).div_euclid(DAY);
    (first..=last).filter(|d| (d + 1) * DAY <= now - delay).collect()
}

fn end_time(day: i64) -> String {
    iso((day + 1) * DAY)
}

/// `GET /{ig-user-id}/insights`.
pub fn account_insights(call: &Call<'_>, ig_id: &str) -> ApiResult<Value> {
    own_account(call, ig_id)?;
    call.caller.require("instagram_business_manage_insights")?;
    let p = &call.params;
    let metrics = p.list("metric");
    if metrics.is_empty() {
        return Err(ApiError::invalid_parameter("The parameter metric is required"));
    }
    let period = p.get("period").ok_or_else(|| ApiError::invalid_parameter("The parameter period is required"))?;
    let metric_type = p.get("metric_type").unwrap_or("time_series");
    if !matches!(metric_type, "total_value" | "time_series") {
        return Err(ApiError::invalid_parameter("metric_type must be one of the following values: total_value, time_series"));
    }
    for m in &metrics {
        if let Some((_, instead)) = DEPRECATED.iter().find(|(old, _)| old == m) {
            return Err(ApiError::invalid_parameter(format!("The {m} metric is no longer supported for versions v22.0 and above. Use {instead} instead.")));
        }
    }

    let now = call.sandbox.clock().now();
    let delay = call.sandbox.config().insights_delay_secs;
    let demographic = metrics.iter().any(|m| m.ends_with("_demographics"));
    if demographic {
        return demographics(call, ig_id, &metrics, period);
    }
    let since = p.get("since").map(|s| s.parse::<i64>().map_err(|_| ApiError::invalid_parameter("since must be a unix timestamp"))).transpose()?;
    let until = p.get("until").map(|s| s.parse::<i64>().map_err(|_| ApiError::invalid_parameter("until must be a unix timestamp"))).transpose()?;
    let (since, until) = match (since, until) {
        (Some(s), Some(u)) => (s, u),
        (Some(s), None) => (s, now),
        (None, Some(u)) => (u - DAY, u),
        // Meta's default: the last day it has reported.
        (None, None) => {
            let reported = (now - delay).div_euclid(DAY) * DAY;
            (reported - DAY, reported)
        }
    };
    if until - since > MAX_RANGE_SECS {
        return Err(ApiError::invalid_parameter("There cannot be more than 30 days (2592000 s) between since and until"));
    }
    if until <= since {
        return Err(ApiError::invalid_parameter("since must be before until"));
    }
    let breakdowns = p.list("breakdown");

    let world = call.sandbox.world();
    let account = world.account(ig_id).ok_or_else(|| ApiError::not_found(ig_id))?;
    let days = available_days(since, until, now, delay);
    let mut data = Vec::new();
    for name in &metrics {
        if name == "follower_count" || name == "online_followers" {
            if let Some(v) = follower_metrics(account, name, metric_type, &days, ig_id, now) {
                data.push(v);
            }
            continue;
        }
        let Some(metric) = ACCOUNT_METRICS.iter().find(|m| m.name == name) else {
            let names: Vec<&str> = ACCOUNT_METRICS.iter().map(|m| m.name).collect();
            return Err(ApiError::invalid_parameter(format!("metric[0] must be one of the following values: {}", names.join(", "))));
        };
        if period != "day" {
            return Err(ApiError::invalid_parameter(format!("The period {period} is not supported for the metric {name}; use day")));
        }
        if metric_type == "time_series" && !metric.time_series {
            return Err(ApiError::invalid_parameter(format!("The metric {name} only supports metric_type=total_value")));
        }
        if metric_type == "total_value" && breakdowns.iter().any(|b| !metric.breakdowns.contains(&b.as_str())) {
            return Err(ApiError::unknown());
        }
        if metric.name == "follows_and_unfollows" && account.followers < 100 {
            continue; // not returned under 100 followers
        }
        if days.is_empty() {
            continue; // unavailable data is an empty list, never a zero
        }
        let stats: Vec<&DayStats> = days.iter().filter_map(|d| account.days.get(d)).collect();
        if stats.is_empty() {
            continue;
        }
        let mut item = json!({
            "name": metric.name,
            "period": "day",
            "title": metric.title,
            "description": metric.description,
            "id": format!("{ig_id}/insights/{}/day", metric.name),
        });
        if metric_type == "total_value" {
            let total: i64 = stats.iter().map(|d| day_value(name, d)).sum();
            let mut total_value = json!({ "value": total });
            if !breakdowns.is_empty() {
                let follows: i64 = stats.iter().map(|d| d.follows).sum();
                let unfollows: i64 = stats.iter().map(|d| d.unfollows).sum();
                total_value["breakdowns"] = json!(breakdowns
                    .iter()
                    .map(|b| json!({ "dimension_keys": [b], "results": breakdown_results(b, name, total, follows, unfollows) }))
                    .collect::<Vec<_>>());
            }
            item["total_value"] = total_value;
        } else {
            // time_series drops breakdowns.
            item["values"] = json!(days
                .iter()
                .filter_map(|d| account.days.get(d).map(|s| json!({ "value": day_value(name, s), "end_time": end_time(*d) })))
                .collect::<Vec<_>>());
        }
        data.push(item);
    }
    let span = until - since;
    let link = |s: i64, u: i64| format!("{}?metric={}&period={period}&metric_type={metric_type}&since={s}&until={u}", call.self_url, metrics.join(","));
    Ok(json!({ "data": data, "paging": { "previous": link(since - span, since), "next": link(until, until + span) } }))
}

/// `follower_count` (day, time_series only, ≤ 30 days) and `online_followers` (lifetime);
/// both need 100 followers.
fn follower_metrics(account: &Account, name: &str, metric_type: &str, days: &[i64], ig_id: &str, now: i64) -> Option<Value> {
    if account.followers < 100 {
        return None;
    }
    match name {
        "follower_count" if metric_type != "total_value" => Some(json!({
            "name": "follower_count",
            "period": "day",
            "title": "Follower count",
            "description": "Total number of unique accounts following this profile",
            "values": days.iter().filter_map(|d| account.days.get(d).map(|s| json!({ "value": s.follows - s.unfollows, "end_time": end_time(*d) }))).collect::<Vec<_>>(),
            "id": format!("{ig_id}/insights/follower_count/day"),
        })),
        "online_followers" => {
            // One value a day (the last 30 days only), keyed by the hour of that day: followers
            // online then.
            let values: Vec<Value> = days
                .iter()
                .filter(|d| **d >= now.div_euclid(DAY) - 30)
                .map(|d| {
                    let by_hour: serde_json::Map<String, Value> = (0..24i64)
                        .map(|h| {
                            let at = d * DAY + h * 3_600;
                            let (weekday, hour) = weekday_hour(at);
                            // A little day-to-day wobble, the same on every call.
                            let wobble = 0.97 + 0.06 * ((d * 31 + h * 7).rem_euclid(13) as f64 / 12.0);
                            (h.to_string(), json!((account.followers as f64 * account.online.share(weekday, hour) * wobble).round() as i64))
                        })
                        .collect();
                    json!({ "value": by_hour, "end_time": end_time(*d) })
                })
                .collect();
            Some(json!({
                "name": "online_followers",
                "period": "lifetime",
                "title": "Online followers",
                "description": "Total number of this profile's followers that were online",
                "values": values,
                "id": format!("{ig_id}/insights/online_followers/lifetime"),
            }))
        }
        _ => None,
    }
}

fn demographics(call: &Call<'_>, ig_id: &str, metrics: &[String], period: &str) -> ApiResult<Value> {
    let p = &call.params;
    if period != "lifetime" {
        return Err(ApiError::invalid_parameter("Demographic metrics only support period=lifetime"));
    }
    if p.get("since").is_some() || p.get("until").is_some() {
        return Err(ApiError::invalid_parameter("Demographic metrics do not support since and until"));
    }
    if p.get("metric_type") != Some("total_value") {
        return Err(ApiError::invalid_parameter("Demographic metrics only support metric_type=total_value"));
    }
    let timeframe = p.get("timeframe").ok_or_else(|| ApiError::invalid_parameter("The parameter timeframe is required"))?;
    if !matches!(timeframe, "this_week" | "this_month") {
        return Err(ApiError::invalid_parameter(format!("timeframe {timeframe} is no longer supported; use this_week or this_month")));
    }
    let breakdowns = p.list("breakdown");
    if breakdowns.is_empty() || breakdowns.iter().any(|b| !matches!(b.as_str(), "age" | "city" | "country" | "gender")) {
        return Err(ApiError::invalid_parameter("breakdown must be one of age, city, country, gender"));
    }
    let world = call.sandbox.world();
    let account = world.account(ig_id).ok_or_else(|| ApiError::not_found(ig_id))?;
    let mut data = Vec::new();
    for name in metrics {
        if !matches!(name.as_str(), "follower_demographics" | "engaged_audience_demographics") {
            return Err(ApiError::invalid_parameter("Demographic metrics cannot be mixed with other metrics"));
        }
        if account.followers < 100 {
            continue;
        }
        let base = if name == "follower_demographics" { account.followers as i64 } else { account.followers as i64 / 9 };
        let results: Vec<Value> = breakdowns
            .iter()
            .flat_map(|b| {
                let parts: &[(&str, f64)] = match b.as_str() {
                    "age" => &[("13-17", 0.03), ("18-24", 0.27), ("25-34", 0.38), ("35-44", 0.18), ("45-54", 0.08), ("55-64", 0.04), ("65+", 0.02)],
                    "gender" => &[("F", 0.58), ("M", 0.39), ("U", 0.03)],
                    "country" => {
                        &[("NO", 0.31), ("SE", 0.14), ("DE", 0.12), ("US", 0.11), ("GB", 0.08), ("DK", 0.07), ("FR", 0.06), ("ES", 0.05), ("IT", 0.06)]
                    }
                    _ => &[
                        ("Oslo, Oslo", 0.22),
                        ("Bergen, Vestland", 0.11),
                        ("Stockholm, Stockholm County", 0.09),
                        ("Berlin, Berlin", 0.07),
                        ("London, England", 0.05),
                        ("Trondheim, Trøndelag", 0.46),
                    ],
                };
                split(base, parts).into_iter().take(45)
            })
            .collect();
        data.push(json!({
            "name": name,
            "period": "lifetime",
            "title": if name == "follower_demographics" { "Follower demographics" } else { "Engaged audience demographics" },
            "description": "The demographic characteristics of the audience.",
            "total_value": { "value": base, "breakdowns": [{ "dimension_keys": breakdowns, "results": results }] },
            "id": format!("{ig_id}/insights/{name}/lifetime"),
        }));
    }
    Ok(json!({ "data": data }))
}

/// A media's lifetime figures at `now`: they grow after publishing and level off.
pub fn media_figures(media: &Media, followers: u64, now: i64) -> (i64, i64, i64, i64, i64, i64) {
    let hours = ((now - media.timestamp).max(0) as f64) / 3600.0;
    let grown = 1.0 - (-hours / 12.0).exp();
    let base_reach = if media.reach > 0 { media.reach } else { (followers as f64 * 0.3) as i64 + 4 };
    let reach = (base_reach as f64 * grown).round() as i64;
    let views = (reach as f64 * 1.7).round() as i64;
    let likes = if media.like_count > 0 { (media.like_count as f64 * grown).round() as i64 } else { (reach as f64 * 0.06).round() as i64 };
    let saved = (likes as f64 * 0.1).round() as i64;
    let shares = (likes as f64 * 0.05).round() as i64;
    let comments = media.comments_count as i64;
    (reach, views, likes, saved, shares, comments)
}

fn media_metric_allowed(name: &str, product: ProductType) -> bool {
    use ProductType::*;
    match name {
        "comments" | "likes" | "saved" => matches!(product, Feed | Reels),
        "shares" | "reach" | "views" | "total_interactions" | "reposts" => true,
        "follows" | "profile_visits" | "profile_activity" => matches!(product, Feed | Story),
        "navigation" | "replies" => product == Story,
        "ig_reels_avg_watch_time" | "ig_reels_video_view_total_time" | "reels_skip_rate" => product == Reels,
        "crossposted_views" | "facebook_views" => true,
        _ => false,
    }
}

/// `GET /{ig-media-id}/insights`.
pub fn media_insights(call: &Call<'_>, media_id: &str) -> ApiResult<Value> {
    call.caller.require("instagram_business_manage_insights")?;
    let now = call.sandbox.clock().now();
    let world = call.sandbox.world();
    let media = world.media.get(media_id).filter(|m| m.owner == call.caller.ig_id).ok_or_else(|| ApiError::not_found(media_id))?;
    if media.is_child {
        return Err(ApiError::invalid_parameter("Insights are not available for album children"));
    }
    let metrics = call.params.list("metric");
    if metrics.is_empty() {
        return Err(ApiError::invalid_parameter("The parameter metric is required"));
    }
    if media.product == ProductType::Story && now - media.timestamp > DAY {
        return Err(ApiError::graph(10, None, "(#10) Insights for stories are only available for 24 hours"));
    }
    let followers = world.account(&media.owner).map_or(0, |a| a.followers);
    let (reach, views, likes, saved, shares, comments) = media_figures(media, followers, now);
    let mut data = Vec::new();
    for name in &metrics {
        if MEDIA_DEPRECATED.contains(&name.as_str()) {
            return Err(ApiError::invalid_parameter(format!("The {name} metric is no longer supported. Use views instead.")));
        }
        if !media_metric_allowed(name, media.product) {
            return Err(ApiError::invalid_parameter(format!("The metric {name} is not supported for {} media", media.product.as_str())));
        }
        let value = match name.as_str() {
            "reach" => reach,
            "views" => views,
            "likes" => likes,
            "comments" => comments,
            "saved" => saved,
            "shares" => shares,
            "total_interactions" => likes + comments + saved + shares,
            "reposts" => shares / 4,
            "follows" => reach / 150,
            "profile_visits" | "profile_activity" => reach / 40,
            "replies" | "navigation" => reach / 12,
            "ig_reels_avg_watch_time" => 8_400,
            "ig_reels_video_view_total_time" => views * 8_400,
            "reels_skip_rate" => 31,
            _ => 0,
        };
        if media.product == ProductType::Story && value < 5 {
            return Err(ApiError::graph(10, None, "(#10) Not enough viewers for the media to show insights"));
        }
        let mut item = json!({
            "name": name,
            "period": "lifetime",
            "values": [{ "value": value }],
            "title": title_case(name),
            "description": format!("The {} of this media.", name.replace('_', " ")),
            "id": format!("{media_id}/insights/{name}/lifetime"),
        });
        if name == "navigation" {
            item["total_value"] = json!({ "value": value, "breakdowns": [{ "dimension_keys": ["story_navigation_action_type"],
                "results": split(value, &[("tap_forward", 0.7), ("tap_back", 0.15), ("tap_exit", 0.1), ("swipe_forward", 0.05)]) }] });
        }
        data.push(item);
    }
    Ok(json!({ "data": data }))
}

fn title_case(name: &str) -> String {
    let mut out = name.replace('_', " ");
    if let Some(first) = out.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    out
}
