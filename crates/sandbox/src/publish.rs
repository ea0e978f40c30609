//! Content publishing: containers (image, carousel, reel, story), their status, publishing and
//! the rolling 24-hour quota. Media URLs are really fetched over HTTP and checked like Meta does.

use crealia_graph::wire::{ContainerStatus, ContainerStatusCode, IdResponse, PublishingLimit, QuotaConfig};
use serde_json::{json, Value};

use crate::call::{own_account, Call};
use crate::error::{ApiError, ApiResult};
use crate::faults::FaultKind;
use crate::world::{Container, ContainerState, Extras, Media, MediaKind, ProductType, DAY};
use crealia_graph::rules::{self, Param, ParamProblem, Target, TrialGraduation};

pub const CONTAINER_LIFETIME_SECS: i64 = DAY;
pub use crealia_graph::rules::{caption_counts, MAX_ALT_TEXT_CHARS, MAX_CAPTION_CHARS, MAX_HASHTAGS, MAX_IMAGE_BYTES, MAX_MENTIONS};
pub const MAX_REEL_BYTES: usize = 300 * 1024 * 1024;
pub const MAX_STORY_VIDEO_BYTES: usize = 100 * 1024 * 1024;

fn validate_caption(caption: &str) -> ApiResult<()> {
    let (chars, hashtags, mentions) = caption_counts(caption);
    if mentions > MAX_MENTIONS {
        return Err(ApiError::publishing(100, 2207040));
    }
    if chars > MAX_CAPTION_CHARS || hashtags > MAX_HASHTAGS {
        return Err(ApiError::publishing(36004, 2207010));
    }
    Ok(())
}

/// The parameters beyond media and words, held to Meta's rules (`crealia_graph::rules`, the
/// copy Crealia checks with) for `target`; a video's `length_ms` bounds `thumb_offset`.
async fn check_extras(call: &Call<'_>, target: Target, length_ms: Option<u64>) -> ApiResult<Extras> {
    let p = &call.params;
    let refused = |problem: ParamProblem| match problem {
        ParamProblem::ThumbOffset { .. } => ApiError::publishing(1, 2207057),
        ParamProblem::TooManyCollaborators { .. } => ApiError::invalid_parameter("At most 3 collaborators"),
        ParamProblem::Username { name } => ApiError::invalid_parameter(format!("{name} is not a valid Instagram username")),
        ParamProblem::TooManyTags { .. } => ApiError::invalid_parameter("At most 20 user tags per media"),
        ParamProblem::TagOutside => ApiError::invalid_parameter("Each user tag needs a username and x, y between 0 and 1"),
        ParamProblem::AudioName { .. } => ApiError::invalid_parameter("audio_name is too long"),
        ParamProblem::LocationId | ParamProblem::NotForKind { .. } => ApiError::invalid_parameter("Invalid parameter"),
    };
    for param in [
        Param::Collaborators,
        Param::UserTags,
        Param::LocationId,
        Param::ShareToFeed,
        Param::CoverUrl,
        Param::ThumbOffset,
        Param::AudioName,
        Param::TrialParams,
    ] {
        if p.get(param.name()).is_some() && !param.allowed_on(target) {
            return Err(ApiError::invalid_parameter(format!("{} is not supported for this media type", param.name())));
        }
    }
    let mut extras = Extras { collaborators: p.list("collaborators"), ..Extras::default() };
    if let Some(problem) = rules::collaborators_problem(&extras.collaborators) {
        return Err(refused(problem));
    }
    if let Some(raw) = p.get("user_tags") {
        let tags: Vec<Value> = serde_json::from_str(raw).map_err(|_| ApiError::invalid_parameter("user_tags must be a JSON array"))?;
        let mut placed = Vec::with_capacity(tags.len());
        for tag in &tags {
            let name = tag.get("username").and_then(Value::as_str);
            let (x, y) = (tag.get("x").and_then(Value::as_f64), tag.get("y").and_then(Value::as_f64));
            match (name, x, y) {
                (Some(name), Some(x), Some(y)) => placed.push((name, x, y)),
                _ => return Err(ApiError::invalid_parameter("Each user tag needs a username and x, y between 0 and 1")),
            }
        }
        if let Some(problem) = rules::user_tags_problem(placed.into_iter()) {
            return Err(refused(problem));
        }
        extras.user_tags = tags;
    }
    if let Some(id) = p.get("location_id") {
        if !rules::location_id_ok(id) || !crate::places::known(id) {
            return Err(ApiError::invalid_parameter("Invalid location_id: no Page with a location has this id"));
        }
        extras.location_id = Some(id.to_string());
    }
    if let Some(share) = p.get("share_to_feed") {
        extras.share_to_feed = Some(match share {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => return Err(ApiError::invalid_parameter("share_to_feed must be true or false")),
        });
    }
    if let Some(url) = p.get("cover_url") {
        // Meta fetches the cover like any image; any shape will do (a reel's is 9:16).
        check_image(call, url, false).await?;
        extras.cover_url = Some(url.to_string());
    }
    if let Some(raw) = p.get("thumb_offset") {
        let offset: u64 = raw.parse().map_err(|_| ApiError::publishing(1, 2207057))?;
        if let Some(problem) = length_ms.and_then(|length| rules::thumb_offset_problem(offset, length)) {
            return Err(refused(problem));
        }
        extras.thumb_offset = Some(offset);
    }
    if let Some(name) = p.get("audio_name") {
        if let Some(problem) = rules::audio_name_problem(name) {
            return Err(refused(problem));
        }
        extras.audio_name = Some(name.to_string());
    }
    if let Some(raw) = p.get("trial_params") {
        let trial =
            TrialGraduation::from_wire(raw).ok_or_else(|| ApiError::invalid_parameter("trial_params needs graduation_strategy MANUAL or SS_PERFORMANCE"))?;
        extras.trial_params = Some(trial);
    }
    Ok(extras)
}

/// Width and height of a JPEG (SOF marker), PNG (IHDR) or GIF (logical screen).
pub fn image_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let mut i = 2;
        while i + 9 < bytes.len() {
            if bytes[i] != 0xFF {
                i += 1;
                continue;
            }
            let marker = bytes[i + 1];
            let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
            if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
                let h = u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]) as u32;
                let w = u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]) as u32;
                return Some((w, h));
            }
            i += 2 + len;
        }
        None
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() >= 24 {
        Some((u32::from_be_bytes(bytes[16..20].try_into().ok()?), u32::from_be_bytes(bytes[20..24].try_into().ok()?)))
    } else if bytes.starts_with(b"GIF8") && bytes.len() >= 10 {
        Some((u16::from_le_bytes([bytes[6], bytes[7]]) as u32, u16::from_le_bytes([bytes[8], bytes[9]]) as u32))
    } else {
        None
    }
}

/// Downloads a media URL as Instagram would ("cURLed" from a public URL).
async fn fetch(call: &Call<'_>, url: &str, limit: usize, too_large: (i64, i64)) -> ApiResult<Vec<u8>> {
    if !call.sandbox.faults().hit("media fetch", |k| matches!(k, FaultKind::MediaFetchFailure)).is_empty() {
        return Err(ApiError::publishing(9004, 2207052));
    }
    let parsed = url::Url::parse(url).map_err(|_| ApiError::publishing(9004, 2207052))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ApiError::publishing(9004, 2207052));
    }
    let allowed = call.sandbox.config().fetch_allowed_origins;
    if let Some(origins) = allowed {
        let origin = parsed.origin().ascii_serialization();
        if !origins.iter().any(|o| o.trim_end_matches('/') == origin) {
            // As for any URL Meta cannot fetch: the same answer, whatever is (or is not) there.
            return Err(ApiError::publishing(9004, 2207052));
        }
    }
    let response = call.sandbox.http().get(parsed).send().await.map_err(|e| {
        if e.is_timeout() {
            ApiError::publishing(-2, 2207003)
        } else {
            ApiError::publishing(9004, 2207052)
        }
    })?;
    if !response.status().is_success() {
        return Err(ApiError::publishing(9004, 2207052));
    }
    if response.content_length().is_some_and(|n| n as usize > limit) {
        return Err(ApiError::publishing(too_large.0, too_large.1));
    }
    let bytes = response.bytes().await.map_err(|_| ApiError::publishing(-2, 2207003))?;
    if bytes.len() > limit {
        return Err(ApiError::publishing(too_large.0, too_large.1));
    }
    Ok(bytes.to_vec())
}

async fn check_image(call: &Call<'_>, url: &str, enforce_ratio: bool) -> ApiResult<()> {
    let bytes = fetch(call, url, MAX_IMAGE_BYTES, (36000, 2207004)).await?;
    let is_jpeg = bytes.starts_with(&[0xFF, 0xD8, 0xFF]);
    let lenient = call.sandbox.config().lenient_image_formats && (bytes.starts_with(b"\x89PNG") || bytes.starts_with(b"GIF8"));
    if !is_jpeg && !lenient {
        return Err(ApiError::publishing(36001, 2207005));
    }
    let (w, h) = image_size(&bytes).ok_or_else(|| ApiError::publishing(36001, 2207005))?;
    if enforce_ratio && h > 0 && !crealia_graph::rules::ratio_allowed(w, h) {
        return Err(ApiError::publishing(36003, 2207009));
    }
    Ok(())
}

/// Fetches and checks a video; its length when its boxes say it.
async fn check_video(call: &Call<'_>, url: &str, limit: usize) -> ApiResult<Option<u64>> {
    let bytes = fetch(call, url, limit, (352, 2207026)).await?;
    // MP4 and MOV start with a box whose type is `ftyp` (or `moov`/`wide` for old MOV).
    let is_iso_media = bytes.len() >= 12 && matches!(&bytes[4..8], b"ftyp" | b"moov" | b"wide" | b"mdat");
    if !is_iso_media {
        return Err(ApiError::publishing(352, 2207026));
    }
    Ok(crealia_graph::video::inspect(&mut std::io::Cursor::new(bytes)).ok().map(|info| info.duration_ms))
}

/// `POST /{ig-user-id}/media`.
pub async fn create_container(call: &Call<'_>, ig_id: &str) -> ApiResult<Value> {
    own_account(call, ig_id)?;
    call.caller.require("instagram_business_content_publish")?;
    let p = &call.params;
    let is_item = p.flag("is_carousel_item").unwrap_or(false);
    let media_type = p.get("media_type").map(str::to_ascii_uppercase);
    let (kind, product) = match media_type.as_deref() {
        None | Some("IMAGE") => (MediaKind::Image, ProductType::Feed),
        Some("CAROUSEL") if !is_item => (MediaKind::Carousel, ProductType::Feed),
        Some("REELS") if !is_item => (MediaKind::Video, ProductType::Reels),
        Some("STORIES") if !is_item => (if p.get("video_url").is_some() { MediaKind::Video } else { MediaKind::Image }, ProductType::Story),
        Some("VIDEO") if is_item => (MediaKind::Video, ProductType::Feed),
        Some("REELS") => return Err(ApiError::invalid_parameter("Reels cannot be carousel items")),
        _ => return Err(ApiError::publishing(100, 2207023)),
    };

    if let Some(caption) = p.get("caption") {
        if is_item {
            return Err(ApiError::invalid_parameter("caption is not allowed on carousel items"));
        }
        validate_caption(caption)?;
    }
    if let Some(alt) = p.get("alt_text") {
        if kind != MediaKind::Image || alt.chars().count() > MAX_ALT_TEXT_CHARS {
            return Err(ApiError::invalid_parameter("alt_text is for images only, at most 1000 characters"));
        }
    }

    let now = call.sandbox.clock().now();
    let processing = call.sandbox.config().video_processing_secs;
    let mut children = Vec::new();
    let mut length_ms = None;
    let (media_url, state) = match kind {
        MediaKind::Carousel => {
            children = p.list("children");
            if !(2..=10).contains(&children.len()) {
                return Err(ApiError::publishing(100, 2207028));
            }
            let world = call.sandbox.world();
            for child in &children {
                match world.containers.get(child) {
                    Some(c) if c.owner == ig_id && c.is_carousel_item => {}
                    _ => return Err(ApiError::publishing(24, 2207006)),
                }
            }
            // A carousel is ready when every child is.
            let ready_at = children
                .iter()
                .filter_map(|c| match &world.containers[c].state {
                    ContainerState::InProgress { ready_at } => Some(*ready_at),
                    _ => None,
                })
                .max();
            (String::new(), ready_at.map_or(ContainerState::Finished, |ready_at| ContainerState::InProgress { ready_at }))
        }
        MediaKind::Image => {
            let url = p.get("image_url").ok_or_else(|| ApiError::invalid_parameter("The parameter image_url is required"))?;
            check_image(call, url, product != ProductType::Story).await?;
            (url.to_string(), ContainerState::Finished)
        }
        MediaKind::Video => {
            let url = p.get("video_url").ok_or_else(|| ApiError::invalid_parameter("The parameter video_url is required"))?;
            let limit = if product == ProductType::Story { MAX_STORY_VIDEO_BYTES } else { MAX_REEL_BYTES };
            length_ms = check_video(call, url, limit).await?;
            (url.to_string(), ContainerState::InProgress { ready_at: now + processing })
        }
    };
    let target = match (kind, product) {
        _ if is_item => Target::CarouselItem { video: kind == MediaKind::Video },
        (MediaKind::Carousel, _) => Target::Carousel,
        (_, ProductType::Reels) => Target::Reel,
        (_, ProductType::Story) => Target::Story { video: kind == MediaKind::Video },
        _ => Target::Image,
    };
    let extras = check_extras(call, target, length_ms).await?;

    let mut world = call.sandbox.world();
    let id = world.new_id();
    world.containers.insert(
        id.clone(),
        Container {
            id: id.clone(),
            owner: ig_id.to_string(),
            kind,
            product,
            is_carousel_item: is_item,
            caption: p.get("caption").map(str::to_string),
            alt_text: p.get("alt_text").map(str::to_string),
            media_url,
            children,
            created_at: now,
            state,
            extras,
        },
    );
    Ok(json!(IdResponse { id: crealia_graph::wire::Id(id) }))
}

/// `GET /{container-id}?fields=status_code,status`.
pub fn container_status(call: &Call<'_>, id: &str) -> ApiResult<Value> {
    let now = call.sandbox.clock().now();
    let world = call.sandbox.world();
    let c = world.containers.get(id).ok_or_else(|| ApiError::not_found(id))?;
    let (code, text) = match effective_state(&c.state, c.created_at, now) {
        ContainerState::InProgress { .. } => (ContainerStatusCode::InProgress, "In Progress: Media is still being processed.".to_string()),
        ContainerState::Finished => (ContainerStatusCode::Finished, "Finished: Media has been uploaded and it is ready to be published.".to_string()),
        ContainerState::Published { .. } => (ContainerStatusCode::Published, "Published: Media has been successfully published.".to_string()),
        ContainerState::Error { subcode } => (ContainerStatusCode::Error, format!("Error: Media upload has failed with error code {subcode}")),
        ContainerState::Expired => (ContainerStatusCode::Expired, "Expired: Media container has expired.".to_string()),
    };
    let fields = call.params.list("fields");
    let status = ContainerStatus { status_code: code, status: Some(text), id: crealia_graph::wire::Id(id.to_string()) };
    let mut value = json!(status);
    if !fields.is_empty() {
        if let Value::Object(map) = &mut value {
            map.retain(|k, _| k == "id" || fields.iter().any(|f| f == k));
        }
    }
    Ok(value)
}

/// Published posts of the account in the rolling 24 h before `now`.
fn quota_usage(world: &crate::World, ig_id: &str, now: i64) -> u32 {
    world.published_at.get(ig_id).map_or(0, |v| v.iter().filter(|t| now - **t < DAY).count() as u32)
}

/// `GET /{ig-user-id}/content_publishing_limit?fields=quota_usage,config`.
pub fn publishing_limit(call: &Call<'_>, ig_id: &str) -> ApiResult<Value> {
    own_account(call, ig_id)?;
    let now = call.sandbox.clock().now();
    if let Some(since) = call.params.get("since").and_then(|s| s.parse::<i64>().ok()) {
        if now - since > DAY {
            return Err(ApiError::invalid_parameter("since must be within the last 24 hours"));
        }
    }
    let usage = quota_usage(&call.sandbox.world(), ig_id, now);
    let fields = call.params.list("fields");
    let with_config = fields.is_empty() || fields.iter().any(|f| f == "config");
    let limit = PublishingLimit {
        quota_usage: usage,
        config: with_config.then(|| QuotaConfig { quota_total: call.sandbox.config().quota_total, quota_duration: DAY as u32 }),
    };
    Ok(json!({ "data": [limit] }))
}

/// `POST /{ig-user-id}/media_publish?creation_id=…`.
pub fn publish(call: &Call<'_>, ig_id: &str) -> ApiResult<Value> {
    own_account(call, ig_id)?;
    call.caller.require("instagram_business_content_publish")?;
    let creation_id = call.params.get("creation_id").ok_or_else(|| ApiError::invalid_parameter("The parameter creation_id is required"))?;
    let now = call.sandbox.clock().now();
    let quota_total = call.sandbox.config().quota_total;
    let mut world = call.sandbox.world();
    let container = match world.containers.get(creation_id) {
        Some(c) if c.owner == ig_id && !c.is_carousel_item => c.clone(),
        _ => return Err(ApiError::publishing(24, 2207006)),
    };
    match effective_state(&container.state, container.created_at, now) {
        ContainerState::Finished => {}
        ContainerState::InProgress { .. } => return Err(ApiError::publishing(9007, 2207027)),
        ContainerState::Expired => return Err(ApiError::publishing(-2, 2207020)),
        ContainerState::Error { .. } => return Err(ApiError::publishing(-1, 2207032)),
        ContainerState::Published { .. } => {
            return Err(ApiError::invalid_parameter("This media container has already been published"));
        }
    }
    if quota_usage(&world, ig_id, now) >= quota_total {
        return Err(ApiError::publishing(9, 2207042));
    }

    let media_id = world.new_id();
    let mut children = Vec::new();
    for child in &container.children {
        let Some(c) = world.containers.get(child).cloned() else {
            continue;
        };
        let child_media = world.new_id();
        world.add_media(new_media(&child_media, &c, now, Vec::new(), true));
        children.push(child_media);
    }
    let permalink_code = world.rng.token(11);
    let mut media = new_media(&media_id, &container, now, children, false);
    media.permalink = format!("https://www.instagram.com/p/{permalink_code}/");
    world.add_media(media);
    if let Some(c) = world.containers.get_mut(creation_id) {
        c.state = ContainerState::Published { media_id: media_id.clone() };
    }
    world.published_at.entry(ig_id.to_string()).or_default().push(now);
    Ok(json!(IdResponse { id: crealia_graph::wire::Id(media_id) }))
}

fn new_media(id: &str, c: &Container, now: i64, children: Vec<String>, is_child: bool) -> Media {
    let fresh = Media::fresh(id, &c.owner, c.kind, c.product, c.media_url.clone(), now);
    Media { caption: c.caption.clone(), alt_text: c.alt_text.clone(), children, is_child, extras: c.extras.clone(), ..fresh }
}

/// The state of a container at `now`: processing ends, and 24 h after creation it expires.
pub fn effective_state(state: &ContainerState, created_at: i64, now: i64) -> ContainerState {
    match state {
        ContainerState::InProgress { ready_at } if now >= *ready_at => effective_state(&ContainerState::Finished, created_at, now),
        ContainerState::InProgress { .. } | ContainerState::Finished if now - created_at >= CONTAINER_LIFETIME_SECS => ContainerState::Expired,
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_size_reads_jpeg_png_and_gif_headers() {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
        jpeg.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03]);
        assert_eq!(image_size(&jpeg), Some((640, 480)));
        let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        png.extend_from_slice(&1080u32.to_be_bytes());
        png.extend_from_slice(&1350u32.to_be_bytes());
        assert_eq!(image_size(&png), Some((1080, 1350)));
    }
}
