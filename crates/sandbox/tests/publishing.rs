//! Content publishing over real HTTP, with media really fetched from a local file server.

mod common;

use common::{assert_graph_error, media_server, spawn, TestSandbox};
use serde_json::{json, Value};

struct Ctx {
    s: TestSandbox,
    files: String,
    token: String,
    ig: String,
}

async fn ctx() -> Ctx {
    let s = spawn().await;
    let files = media_server().await;
    let token = s.token("nordlys.cafe").await;
    let (ig, _) = s.account("nordlys.cafe");
    Ctx { s, files, token, ig }
}

impl Ctx {
    async fn create(&self, form: &[(&str, &str)]) -> (u16, Value) {
        self.s.post(&format!("/v25.0/{}/media", self.ig), &self.token, form).await
    }
    async fn image(&self, file: &str) -> (u16, Value) {
        let url = format!("{}/{file}", self.files);
        self.create(&[("image_url", &url), ("caption", "Fresh buns #fika")]).await
    }
    async fn publish(&self, container: &str) -> (u16, Value) {
        self.s.post(&format!("/v25.0/{}/media_publish", self.ig), &self.token, &[("creation_id", container)]).await
    }
    async fn status(&self, container: &str) -> Value {
        self.s.get(&format!("/v25.0/{container}?fields=status_code,status"), &self.token).await.1
    }
    async fn media_ids(&self) -> Vec<String> {
        let (_, page) = self.s.get(&format!("/v25.0/{}/media?fields=id,caption,media_type,media_product_type&limit=100", self.ig), &self.token).await;
        page["data"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_string()).collect()
    }
}

#[tokio::test]
async fn an_image_is_published_and_appears_first_in_media() {
    let c = ctx().await;
    let (status, body) = c.image("portrait.jpg").await;
    assert_eq!(status, 200, "{body}");
    let container = body["id"].as_str().unwrap().to_string();
    let st = c.status(&container).await;
    assert_eq!(st["status_code"], "FINISHED");
    assert_eq!(st["status"], "Finished: Media has been uploaded and it is ready to be published.");

    let (status, body) = c.publish(&container).await;
    assert_eq!(status, 200, "{body}");
    let media_id = body["id"].as_str().unwrap().to_string();
    assert_eq!(c.media_ids().await[0], media_id);
    assert_eq!(c.status(&container).await["status_code"], "PUBLISHED");

    // Publishing the same container again never makes a second post.
    let (status, _) = c.publish(&container).await;
    assert_eq!(status, 400);
    assert_eq!(c.media_ids().await.iter().filter(|m| **m == media_id).count(), 1);

    let (_, quota) = c.s.get(&format!("/{}/content_publishing_limit?fields=quota_usage,config", c.ig), &c.token).await;
    assert_eq!(quota, json!({"data":[{"quota_usage":1,"config":{"quota_total":100,"quota_duration":86400}}]}));
}

#[tokio::test]
async fn a_carousel_takes_2_to_10_finished_items() {
    let c = ctx().await;
    let mut children = Vec::new();
    for _ in 0..3 {
        let url = format!("{}/square.jpg", c.files);
        let (status, body) = c.create(&[("image_url", &url), ("is_carousel_item", "true")]).await;
        assert_eq!(status, 200, "{body}");
        children.push(body["id"].as_str().unwrap().to_string());
    }
    let (status, body) = c.create(&[("media_type", "CAROUSEL"), ("children", &children[..1].join(","))]).await;
    assert_graph_error(status, &body, 100, Some(2207028));
    let many = vec![children[0].clone(); 11].join(",");
    let (status, body) = c.create(&[("media_type", "CAROUSEL"), ("children", &many)]).await;
    assert_graph_error(status, &body, 100, Some(2207028));

    let (status, body) = c.create(&[("media_type", "CAROUSEL"), ("children", &children.join(",")), ("caption", "Three views")]).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = c.publish(body["id"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{body}");
    let (_, media) = c.s.get(&format!("/{}?fields=media_type,children,caption", body["id"].as_str().unwrap()), &c.token).await;
    assert_eq!(media["media_type"], "CAROUSEL_ALBUM");
    assert_eq!(media["children"]["data"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_reel_is_in_progress_until_processed() {
    let c = ctx().await;
    let url = format!("{}/reel.mp4", c.files);
    let (status, body) = c.create(&[("media_type", "REELS"), ("video_url", &url), ("caption", "30 s tutorial")]).await;
    assert_eq!(status, 200, "{body}");
    let container = body["id"].as_str().unwrap().to_string();
    assert_eq!(c.status(&container).await["status_code"], "IN_PROGRESS");

    let (status, body) = c.publish(&container).await;
    assert_graph_error(status, &body, 9007, Some(2207027));
    assert_eq!(body["error"]["message"], "Media ID is not available");
    assert_eq!(body["error"]["is_transient"], true);

    c.s.advance(31).await;
    assert_eq!(c.status(&container).await["status_code"], "FINISHED");
    let (status, body) = c.publish(&container).await;
    assert_eq!(status, 200, "{body}");
    let (_, media) = c.s.get(&format!("/{}?fields=media_type,media_product_type", body["id"].as_str().unwrap()), &c.token).await;
    assert_eq!((media["media_type"].as_str(), media["media_product_type"].as_str()), (Some("VIDEO"), Some("REELS")));
}

#[tokio::test]
async fn stories_accept_tall_images() {
    let c = ctx().await;
    let url = format!("{}/tall.jpg", c.files);
    let (status, body) = c.create(&[("media_type", "STORIES"), ("image_url", &url)]).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = c.publish(body["id"].as_str().unwrap()).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn media_is_checked_the_way_meta_does() {
    let c = ctx().await;
    let (status, body) = c.image("image.png").await;
    assert_graph_error(status, &body, 36001, Some(2207005));
    let (status, body) = c.image("huge.jpg").await;
    assert_graph_error(status, &body, 36000, Some(2207004));
    assert_eq!(body["error"]["error_user_msg"], "The image is too large to download. It should be less than 8 MiB.");
    let (status, body) = c.image("tall.jpg").await;
    assert_graph_error(status, &body, 36003, Some(2207009));
    let (status, body) = c.image("missing.jpg").await;
    assert_graph_error(status, &body, 9004, Some(2207052));
    let url = format!("{}/notes.txt", c.files);
    let (status, body) = c.create(&[("media_type", "REELS"), ("video_url", &url)]).await;
    assert_graph_error(status, &body, 352, Some(2207026));

    // PNG passes when the lenient profile (what third parties report) is on.
    c.s.http.put(c.s.url("/__admin/config")).json(&json!({ "lenient_image_formats": true })).send().await.unwrap();
    assert_eq!(c.image("image.png").await.0, 200);
}

#[tokio::test]
async fn captions_and_parameters_are_validated() {
    let c = ctx().await;
    let url = format!("{}/square.jpg", c.files);
    let long = "a".repeat(2_201);
    let (status, body) = c.create(&[("image_url", &url), ("caption", &long)]).await;
    assert_graph_error(status, &body, 36004, Some(2207010));
    let tags: String = (0..31).map(|i| format!("#t{i} ")).collect();
    let (status, body) = c.create(&[("image_url", &url), ("caption", &tags)]).await;
    assert_graph_error(status, &body, 36004, Some(2207010));
    let mentions: String = (0..21).map(|i| format!("@u{i} ")).collect();
    let (status, body) = c.create(&[("image_url", &url), ("caption", &mentions)]).await;
    assert_graph_error(status, &body, 100, Some(2207040));
    let (status, body) = c.create(&[("image_url", &url), ("media_type", "HOLOGRAM")]).await;
    assert_graph_error(status, &body, 100, Some(2207023));
    let (status, body) = c.create(&[("image_url", &url), ("is_carousel_item", "true"), ("caption", "no")]).await;
    assert_graph_error(status, &body, 100, None);
    let (status, body) = c.create(&[("image_url", &url), ("user_tags", r#"[{"username":"ana","x":1.4,"y":0.2}]"#)]).await;
    assert_graph_error(status, &body, 100, None);
    let (status, body) = c.create(&[("image_url", &url), ("alt_text", "A cardamom bun on a blue plate")]).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn containers_expire_after_24_hours() {
    let c = ctx().await;
    let (_, body) = c.image("square.jpg").await;
    let container = body["id"].as_str().unwrap().to_string();
    c.s.advance(24 * 3_600).await;
    assert_eq!(c.status(&container).await["status_code"], "EXPIRED");
    let (status, body) = c.publish(&container).await;
    assert_graph_error(status, &body, -2, Some(2207020));
}

#[tokio::test]
async fn the_quota_is_configurable_and_enforced_over_a_rolling_day() {
    let c = ctx().await;
    c.s.http.put(c.s.url("/__admin/config")).json(&json!({ "quota_total": 2 })).send().await.unwrap();
    for _ in 0..2 {
        let (_, body) = c.image("square.jpg").await;
        assert_eq!(c.publish(body["id"].as_str().unwrap()).await.0, 200);
    }
    c.s.advance(12 * 3_600).await;
    let (_, body) = c.image("square.jpg").await;
    let third = body["id"].as_str().unwrap().to_string();
    let (status, body) = c.publish(&third).await;
    assert_graph_error(status, &body, 9, Some(2207042));
    let (_, quota) = c.s.get(&format!("/{}/content_publishing_limit", c.ig), &c.token).await;
    assert_eq!(quota["data"][0]["quota_usage"], 2);

    // 24 h after the first posts the window has moved past them; the container is 12 h old.
    c.s.advance(12 * 3_600 + 1).await;
    let (status, body) = c.publish(&third).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn another_accounts_objects_do_not_exist_for_this_token() {
    let c = ctx().await;
    let (other, _) = c.s.account("lumen.studio");
    let (status, body) = c.s.get(&format!("/{other}/media"), &c.token).await;
    assert_graph_error(status, &body, 100, Some(33));
    let other_media = c.s.sandbox.world().media_order[&other][0].clone();
    let (status, body) = c.s.get(&format!("/{other_media}?fields=caption"), &c.token).await;
    assert_graph_error(status, &body, 100, Some(33));
    let limited = c.s.token_with(json!({ "account": "nordlys.cafe", "permissions": ["instagram_business_basic"] })).await;
    let url = format!("{}/square.jpg", c.files);
    let (status, body) = c.s.post(&format!("/{}/media", c.ig), &limited, &[("image_url", &url)]).await;
    assert_graph_error(status, &body, 10, None);
}

#[tokio::test]
async fn unknown_containers_and_slow_downloads_fail_with_their_codes() {
    let s = common::spawn_with(crealia_sandbox::SandboxConfig { fetch_timeout: std::time::Duration::from_millis(300), ..Default::default() }).await;
    let files = media_server().await;
    let token = s.token("nordlys.cafe").await;
    let (ig, _) = s.account("nordlys.cafe");
    let (status, body) = s.post(&format!("/{ig}/media_publish"), &token, &[("creation_id", "17999999999999999")]).await;
    assert_graph_error(status, &body, 24, Some(2207006));
    let url = format!("{files}/slow.jpg");
    let (status, body) = s.post(&format!("/{ig}/media"), &token, &[("image_url", &url)]).await;
    assert_graph_error(status, &body, -2, Some(2207003));
    assert_eq!(body["error"]["is_transient"], true);
}

#[tokio::test]
async fn any_documented_publishing_error_can_be_injected() {
    let c = ctx().await;
    let (_, body) = c.image("square.jpg").await;
    let container = body["id"].as_str().unwrap().to_string();
    c.s.fault(json!({ "kind": "graph_error", "code": -1, "subcode": 2207001, "endpoint": "/media_publish", "times": 1 })).await;
    let (status, body) = c.publish(&container).await;
    assert_graph_error(status, &body, -1, Some(2207001));
    assert_eq!(body["error"]["is_transient"], true);
    let (status, _) = c.publish(&container).await;
    assert_eq!(status, 200, "published once the fault is spent");
}

#[tokio::test]
async fn subscribing_the_app_to_an_account_answers_success() {
    let c = ctx().await;
    let (status, body) = c.s.post(&format!("/v25.0/{}/subscribed_apps", c.ig), &c.token, &[("subscribed_fields", "comments,messages")]).await;
    assert_eq!((status, body), (200, json!({ "success": true })));
}

#[tokio::test]
async fn alt_text_collaborators_and_location_follow_the_rules() {
    let c = ctx().await;
    let url = format!("{}/square.jpg", c.files);
    let long_alt = "a".repeat(1_001);
    let (status, body) = c.create(&[("image_url", &url), ("alt_text", &long_alt)]).await;
    assert_graph_error(status, &body, 100, None);
    let video = format!("{}/reel.mp4", c.files);
    let (status, body) = c.create(&[("media_type", "REELS"), ("video_url", &video), ("alt_text", "a reel")]).await;
    assert_graph_error(status, &body, 100, None);
    let (status, body) = c.create(&[("image_url", &url), ("collaborators", "a,b,c,d")]).await;
    assert_graph_error(status, &body, 100, None);
    let (status, body) = c.create(&[("media_type", "STORIES"), ("image_url", &url), ("collaborators", "a")]).await;
    assert_graph_error(status, &body, 100, None);
    let (status, body) = c.create(&[("image_url", &url), ("is_carousel_item", "true"), ("location_id", "1234")]).await;
    assert_graph_error(status, &body, 100, None);
    let (status, body) = c.create(&[("image_url", &url), ("collaborators", "a,b,c"), ("location_id", CAFE)]).await;
    assert_eq!(status, 200, "{body}");
}

/// A place the sandbox's Pages search finds ("Café de Flore", Paris).
const CAFE: &str = "110774245616525";

#[tokio::test]
async fn places_are_found_by_name_and_only_known_ones_are_taken() {
    let c = ctx().await;
    let (status, body) = c.s.get("/v25.0/pages/search?q=cafe%20paris&fields=id,name,location", &c.token).await;
    assert_eq!(status, 200, "{body}");
    let found: Vec<crealia_graph::wire::Place> = serde_json::from_value(body["data"].clone()).unwrap();
    assert_eq!(found.len(), 1, "{body}");
    assert_eq!((found[0].id.0.as_str(), found[0].name.as_str()), (CAFE, "Café de Flore"));
    assert_eq!(found[0].location.as_ref().and_then(|l| l.city.as_deref()), Some("Paris"));
    let (_, none) = c.s.get("/v25.0/pages/search?q=atlantis", &c.token).await;
    assert_eq!(none["data"], json!([]));

    let url = format!("{}/square.jpg", c.files);
    for unknown in ["1234", "not-a-number"] {
        let (status, body) = c.create(&[("image_url", &url), ("location_id", unknown)]).await;
        assert_graph_error(status, &body, 100, None);
    }
}

#[tokio::test]
async fn reel_parameters_are_taken_on_reels_only_and_kept_on_the_media() {
    let c = ctx().await;
    let video = format!("{}/reel-12s.mp4", c.files);
    let image = format!("{}/square.jpg", c.files);
    let cover = format!("{}/tall.jpg", c.files);
    // Reel-only parameters on an image are refused, each of them.
    for (name, value) in [
        ("share_to_feed", "false"),
        ("cover_url", cover.as_str()),
        ("thumb_offset", "1000"),
        ("audio_name", "Fika"),
        ("trial_params", r#"{"graduation_strategy":"MANUAL"}"#),
    ] {
        let (status, body) = c.create(&[("image_url", &image), (name, value)]).await;
        assert_graph_error(status, &body, 100, None);
        assert!(body["error"]["message"].as_str().unwrap().contains(name), "{body}");
    }
    // A frame past the end of the video: Meta's 2207057.
    let (status, body) = c.create(&[("media_type", "REELS"), ("video_url", &video), ("thumb_offset", "12001")]).await;
    assert_graph_error(status, &body, 1, Some(2207057));
    let (status, body) = c.create(&[("media_type", "REELS"), ("video_url", &video), ("trial_params", r#"{"graduation_strategy":"SOMETIMES"}"#)]).await;
    assert_graph_error(status, &body, 100, None);
    let (status, body) = c.create(&[("media_type", "REELS"), ("video_url", &video), ("share_to_feed", "maybe")]).await;
    assert_graph_error(status, &body, 100, None);
    let (status, body) = c.create(&[("media_type", "REELS"), ("video_url", &video), ("audio_name", &"a".repeat(101))]).await;
    assert_graph_error(status, &body, 100, None);
    // A cover Meta cannot fetch is refused like any media.
    let missing = format!("{}/missing.jpg", c.files);
    let (status, body) = c.create(&[("media_type", "REELS"), ("video_url", &video), ("cover_url", &missing)]).await;
    assert_graph_error(status, &body, 9004, Some(2207052));

    let (status, body) = c
        .create(&[
            ("media_type", "REELS"),
            ("video_url", &video),
            ("share_to_feed", "false"),
            ("cover_url", &cover),
            ("thumb_offset", "4500"),
            ("audio_name", "Morning fika"),
            ("trial_params", r#"{"graduation_strategy":"SS_PERFORMANCE"}"#),
            ("collaborators", r#"["ana.b","cafe_two"]"#),
            ("location_id", CAFE),
            ("user_tags", r#"[{"username":"ana.b","x":0.5,"y":0.25}]"#),
        ])
        .await;
    assert_eq!(status, 200, "{body}");
    let container = body["id"].as_str().unwrap().to_string();
    c.s.advance(31).await;
    let (status, body) = c.publish(&container).await;
    assert_eq!(status, 200, "{body}");
    let media = c.s.admin_media(body["id"].as_str().unwrap()).await;
    assert_eq!(
        media["extras"],
        json!({
            "collaborators": ["ana.b", "cafe_two"],
            "user_tags": [{ "username": "ana.b", "x": 0.5, "y": 0.25 }],
            "location_id": CAFE,
            "share_to_feed": false,
            "cover_url": cover,
            "thumb_offset": 4500,
            "audio_name": "Morning fika",
            "trial_params": "SS_PERFORMANCE",
        })
    );
}

#[tokio::test]
async fn people_are_tagged_on_images_and_carousel_images_not_on_their_videos() {
    let c = ctx().await;
    let image = format!("{}/square.jpg", c.files);
    let video = format!("{}/reel-12s.mp4", c.files);
    let tag = r#"[{"username":"ana.b","x":0.1,"y":0.9}]"#;
    let too_many = serde_json::to_string(&(0..21).map(|i| json!({ "username": format!("u{i}"), "x": 0.5, "y": 0.5 })).collect::<Vec<_>>()).unwrap();
    let (status, body) = c.create(&[("image_url", &image), ("user_tags", &too_many)]).await;
    assert_graph_error(status, &body, 100, None);
    let (status, body) = c.create(&[("image_url", &image), ("user_tags", r#"[{"username":"not a name","x":0.1,"y":0.9}]"#)]).await;
    assert_graph_error(status, &body, 100, None);
    // A carousel's video item takes no tags; its image items do; the carousel itself takes
    // collaborators and a place, its items neither.
    let (status, body) = c.create(&[("media_type", "VIDEO"), ("is_carousel_item", "true"), ("video_url", &video), ("user_tags", tag)]).await;
    assert_graph_error(status, &body, 100, None);
    let (status, body) = c.create(&[("image_url", &image), ("is_carousel_item", "true"), ("collaborators", "ana.b")]).await;
    assert_graph_error(status, &body, 100, None);
    let mut children = Vec::new();
    for _ in 0..2 {
        let (status, body) = c.create(&[("image_url", &image), ("is_carousel_item", "true"), ("user_tags", tag)]).await;
        assert_eq!(status, 200, "{body}");
        children.push(body["id"].as_str().unwrap().to_string());
    }
    let (status, body) =
        c.create(&[("media_type", "CAROUSEL"), ("children", &children.join(",")), ("collaborators", "ana.b,bo,cy"), ("location_id", CAFE)]).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = c.publish(body["id"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{body}");
    let media = c.s.admin_media(body["id"].as_str().unwrap()).await;
    assert_eq!(media["extras"], json!({ "collaborators": ["ana.b", "bo", "cy"], "location_id": CAFE }));
    for child in media["children"].as_array().unwrap() {
        assert_eq!(child["extras"]["user_tags"], json!([{ "username": "ana.b", "x": 0.1, "y": 0.9 }]));
    }
    // A story image takes tags, not collaborators.
    let tall = format!("{}/tall.jpg", c.files);
    let (status, body) = c.create(&[("media_type", "STORIES"), ("image_url", &tall), ("user_tags", tag)]).await;
    assert_eq!(status, 200, "{body}");
}
