//! Insights over real HTTP: shapes, the 30-day rule, deprecated metrics, breakdowns, delays.

mod common;

use common::{assert_graph_error, spawn, TestSandbox};
use serde_json::Value;

const DAY: i64 = 86_400;

async fn insights(s: &TestSandbox, username: &str, query: &str) -> (u16, Value) {
    let token = s.token(username).await;
    let (ig, _) = s.account(username);
    s.get(&format!("/v25.0/{ig}/insights?{query}"), &token).await
}

fn now(s: &TestSandbox) -> i64 {
    s.sandbox.clock().now()
}

#[tokio::test]
async fn total_value_sums_the_available_days_and_matches_the_world() {
    let s = spawn().await;
    let until = now(&s);
    let since = until - 7 * DAY;
    let (status, body) =
        insights(&s, "lumen.studio", &format!("metric=reach,views,likes&period=day&metric_type=total_value&since={since}&until={until}")).await;
    assert_eq!(status, 200, "{body}");
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    let reach = &data[0];
    assert_eq!(reach["name"], "reach");
    assert_eq!(reach["period"], "day");
    assert_eq!(reach["title"], "Accounts reached");
    let (ig, _) = s.account("lumen.studio");
    assert_eq!(reach["id"], format!("{ig}/insights/reach/day"));

    // Days that ended 48 h ago or earlier are in; the two most recent are not yet.
    let expected: i64 = {
        let world = s.sandbox.world();
        let account = world.account(&ig).unwrap();
        (since.div_euclid(DAY)..=(until - 1).div_euclid(DAY)).filter(|d| (d + 1) * DAY <= until - 2 * DAY).map(|d| account.days[&d].reach).sum()
    };
    assert_eq!(reach["total_value"]["value"], expected);
    assert!(body["paging"]["next"].as_str().unwrap().contains(&format!("since={until}")));
}

#[tokio::test]
async fn time_series_gives_one_value_per_day_and_drops_breakdowns() {
    let s = spawn().await;
    let until = now(&s);
    let since = until - 10 * DAY;
    let (status, body) =
        insights(&s, "lumen.studio", &format!("metric=reach&period=day&metric_type=time_series&breakdown=media_product_type&since={since}&until={until}"))
            .await;
    assert_eq!(status, 200, "{body}");
    let values = body["data"][0]["values"].as_array().unwrap();
    assert!((7..=9).contains(&values.len()), "{}", values.len());
    assert!(values.iter().all(|v| v["end_time"].as_str().unwrap().ends_with("T00:00:00+0000") && v["value"].is_i64()));
    assert!(body["data"][0].get("total_value").is_none());

    let (status, body) = insights(&s, "lumen.studio", &format!("metric=likes&period=day&metric_type=time_series&since={since}&until={until}")).await;
    assert_graph_error(status, &body, 100, None);
}

#[tokio::test]
async fn breakdowns_add_up_and_unsupported_ones_fail_like_meta() {
    let s = spawn().await;
    let until = now(&s);
    let since = until - 7 * DAY;
    let (_, body) =
        insights(&s, "lumen.studio", &format!("metric=reach&period=day&metric_type=total_value&breakdown=media_product_type&since={since}&until={until}"))
            .await;
    let total = &body["data"][0]["total_value"];
    let b = &total["breakdowns"][0];
    assert_eq!(b["dimension_keys"], serde_json::json!(["media_product_type"]));
    let sum: i64 = b["results"].as_array().unwrap().iter().map(|r| r["value"].as_i64().unwrap()).sum();
    assert_eq!(sum, total["value"].as_i64().unwrap());

    let (status, body) = insights(
        &s,
        "lumen.studio",
        &format!("metric=accounts_engaged&period=day&metric_type=total_value&breakdown=media_product_type&since={since}&until={until}"),
    )
    .await;
    assert_graph_error(status, &body, 1, None);
    assert_eq!(body["error"]["message"], "An unknown error has occurred.");
}

#[tokio::test]
async fn more_than_30_days_between_since_and_until_is_refused() {
    let s = spawn().await;
    let until = now(&s);
    let (status, body) =
        insights(&s, "lumen.studio", &format!("metric=reach&period=day&metric_type=total_value&since={}&until={until}", until - 31 * DAY)).await;
    assert_graph_error(status, &body, 100, None);
    assert_eq!(body["error"]["message"], "(#100) There cannot be more than 30 days (2592000 s) between since and until");
}

#[tokio::test]
async fn deprecated_metrics_answer_an_error_that_names_the_replacement() {
    let s = spawn().await;
    let (status, body) = insights(&s, "lumen.studio", "metric=impressions&period=day&metric_type=total_value").await;
    assert_graph_error(status, &body, 100, None);
    assert!(body["error"]["message"].as_str().unwrap().contains("views"));
    let (status, body) = insights(&s, "lumen.studio", "metric=profile_views&period=day&metric_type=total_value").await;
    assert_graph_error(status, &body, 100, None);
}

#[tokio::test]
async fn unavailable_data_is_an_empty_list_never_a_zero() {
    let s = spawn().await;
    // The last 24 h are inside the 48 h delay: nothing, not a zero.
    let until = now(&s);
    let q = format!("metric=reach&period=day&metric_type=total_value&since={}&until={until}", until - DAY);
    let (status, body) = insights(&s, "lumen.studio", &q).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"], serde_json::json!([]));
    // Without since and until, Meta answers its default window: the last day it has reported.
    let (status, body) = insights(&s, "lumen.studio", "metric=reach&period=day&metric_type=total_value").await;
    assert_eq!(status, 200);
    assert!(body["data"][0]["total_value"]["value"].as_i64().unwrap() > 0, "{body}");
    let (_, body) = insights(&s, "lumen.studio", "metric=reach&period=day").await;
    let day = body["data"][0]["values"].as_array().unwrap();
    assert_eq!(day.len(), 1, "{body}");
    let end = chrono::DateTime::parse_from_str(day[0]["end_time"].as_str().unwrap(), "%Y-%m-%dT%H:%M:%S%z").unwrap().timestamp();
    assert!(end <= until - 2 * DAY && end > until - 3 * DAY, "the last reported day ends before the delay: {body}");

    // Under 100 followers, follows_and_unfollows and demographics are not returned.
    let until = now(&s);
    let q = format!("metric=follows_and_unfollows,reach&period=day&metric_type=total_value&since={}&until={until}", until - 7 * DAY);
    let (_, body) = insights(&s, "tiny.sprout", &q).await;
    let names: Vec<&str> = body["data"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["reach"]);
    let (_, body) =
        insights(&s, "tiny.sprout", "metric=follower_demographics&period=lifetime&metric_type=total_value&timeframe=this_month&breakdown=country").await;
    assert_eq!(body["data"], serde_json::json!([]));
}

#[tokio::test]
async fn demographics_take_a_current_timeframe_and_a_breakdown() {
    let s = spawn().await;
    let (status, body) =
        insights(&s, "lumen.studio", "metric=follower_demographics&period=lifetime&metric_type=total_value&timeframe=this_week&breakdown=age").await;
    assert_eq!(status, 200, "{body}");
    let results = body["data"][0]["total_value"]["breakdowns"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty() && results.len() <= 45);
    let (status, body) =
        insights(&s, "lumen.studio", "metric=follower_demographics&period=lifetime&metric_type=total_value&timeframe=last_30_days&breakdown=age").await;
    assert_graph_error(status, &body, 100, None);
    // Demographics are totals only (the default metric_type is time_series).
    let (status, body) = insights(&s, "lumen.studio", "metric=follower_demographics&period=lifetime&timeframe=this_week&breakdown=age").await;
    assert_graph_error(status, &body, 100, None);
    assert!(body["error"]["message"].as_str().unwrap().contains("total_value"), "{body}");
    // Each breakdown is Meta's top 45 at most.
    let (_, body) =
        insights(&s, "lumen.studio", "metric=engaged_audience_demographics&period=lifetime&metric_type=total_value&timeframe=this_month&breakdown=city").await;
    let results = body["data"][0]["total_value"]["breakdowns"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty() && results.len() <= 45, "{body}");
}

#[tokio::test]
async fn media_insights_accrue_after_publishing() {
    let s = spawn().await;
    let token = s.token("lumen.studio").await;
    let (ig, _) = s.account("lumen.studio");
    let media_id = s.sandbox.world().media_order[&ig][0].clone();
    let (status, body) = s.get(&format!("/v25.0/{media_id}/insights?metric=reach,likes,saved,views"), &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["period"], "lifetime");
    let reach_now = body["data"][0]["values"][0]["value"].as_i64().unwrap();
    s.advance(2 * DAY).await;
    let (_, later) = s.get(&format!("/v25.0/{media_id}/insights?metric=reach"), &token).await;
    assert!(later["data"][0]["values"][0]["value"].as_i64().unwrap() >= reach_now);

    let (status, body) = s.get(&format!("/v25.0/{media_id}/insights?metric=plays"), &token).await;
    assert_graph_error(status, &body, 100, None);
    let (status, body) = s.get(&format!("/v25.0/{media_id}/insights?metric=navigation"), &token).await;
    assert_graph_error(status, &body, 100, None);
}

#[tokio::test]
async fn the_period_must_match_the_metric_and_profiles_answer_their_fields() {
    let s = spawn().await;
    let (status, body) = insights(&s, "lumen.studio", "metric=reach&period=week&metric_type=total_value").await;
    assert_graph_error(status, &body, 100, None);

    let token = s.token("lumen.studio").await;
    let (ig, _) = s.account("lumen.studio");
    let (status, profile) =
        s.get(&format!("/v25.0/{ig}?fields=biography,id,username,website,followers_count,follows_count,media_count,name,profile_picture_url"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(profile["id"], ig.as_str(), "the node's id is the professional id");
    assert_eq!(profile["username"], "lumen.studio");
    for field in ["biography", "website", "name", "profile_picture_url"] {
        assert!(profile[field].is_string(), "{field}: {profile}");
    }
    for field in ["followers_count", "follows_count", "media_count"] {
        assert!(profile[field].is_u64(), "{field}: {profile}");
    }
    assert!(profile.get("account_type").is_none(), "only the fields asked for");
}
