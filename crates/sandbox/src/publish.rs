//! Content publishing: containers (image, carousel, reel, story), their status, publishing and
//! the rolling 24-hour quota. Media URLs are really fetched over HTTP and checked like Meta does.

use crealia_graph::wire::{ContainerStatus, ContainerStatusCode, IdResponse, PublishingLimit, QuotaConfig};
use serde_json::{json, Value};

use crate::call::{own_account, Call};
use crate::error::{ApiError, ApiResult};
use crate::faults::FaultKind;
use crate::world::{Container, ContainerState, Media, MediaKind, ProductType, DAY};

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

fn validate_user_tags(raw: &str) -> ApiResult<()> {
    let tags: Vec<Value> = serde_json::from_str(raw).map_err(|_| ApiError::invalid_parameter("user_tags must be a JSON array"))?;
    for tag in tags {
        let ok = tag.get("username").and_then(Value::as_str).is_some_and(|u| !u.is_empty())
            && ["x", "y"].iter().all(|k| tag.get(*k).and_then(Value::as_f64).is_some_and(|v| (0.0..=1.0).contains(&v)));
        if !ok {
            return Err(ApiError::invalid_parameter("Each user tag needs a username and x, y between 0 and 1"));
        }
    }
    Ok(())
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

async fn check_video(call: &Call<'_>, url: &str, limit: usize) -> ApiResult<()> {
    let bytes = fetch(call, url, limit, (352, 2207026)).await?;
    // MP4 and MOV start with a box whose type is `ftyp` (or `moov`/`wide` for old MOV).
    let is_iso_media = bytes.len() >= 12 && matches!(&bytes[4..8], b"ftyp" | b"moov" | b"wide" | b"mdat");
    if !is_iso_media {
        return Err(ApiError::publishing(352, 2207026));
    }
    Ok(())
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
    if is_item && p.get("location_id").is_some() {
        return Err(ApiError::invalid_parameter("location_id is not allowed on carousel items"));
    }
    if let Some(alt) = p.get("alt_text") {
        if kind != MediaKind::Image || alt.chars().count() > MAX_ALT_TEXT_CHARS {
            return Err(ApiError::invalid_parameter("alt_text is for images only, at most 1000 characters"));
        }
    }
    if let Some(tags) = p.get("user_tags") {
        validate_user_tags(tags)?;
    }
    let collaborators = p.list("collaborators");
    if !collaborators.is_empty() && (collaborators.len() > 3 || product == ProductType::Story) {
        return Err(ApiError::invalid_parameter("At most 3 collaborators, on feed images, reels and carousels only"));
    }

    let now = call.sandbox.clock().now();
    let processing = call.sandbox.config().video_processing_secs;
    let mut children = Vec::new();
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
            check_video(call, url, limit).await?;
            (url.to_string(), ContainerState::InProgress { ready_at: now + processing })
        }
    };

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
    Media { caption: c.caption.clone(), alt_text: c.alt_text.clone(), children, is_child, ..fresh }
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
