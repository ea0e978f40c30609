//! The Graph API proper: one dispatcher over `/{version}?/{node}/{edge}?`, as Meta's API is a
//! graph of nodes (users, media, containers, comments) and their edges.

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use crealia_graph::wire::{Cursors, Paging, Success};
use serde_json::{json, Map, Value};

use crate::call::{iso, own_account, Call};
use crate::error::{ApiError, ApiResult};
use crate::oauth::authenticate;
use crate::params::Params;
use crate::publish;
use crate::usage::AccountCall;
use crate::world::{Comment, World};
use crate::Sandbox;
use crealia_graph::endpoint::{endpoint_key, is_version};

pub async fn dispatch(
    State(sandbox): State<Sandbox>,
    method: Method,
    OriginalUri(original): OriginalUri,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::parse(uri.query(), &headers, &body);
    let path = uri.path().to_string();
    let key = endpoint_key(method.as_str(), &path);
    let caller = match authenticate(&sandbox, &params, &key) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let config = sandbox.config();
    let now = sandbox.clock().now();
    if sandbox.usage().record_account(now, &caller.ig_id) > config.account_calls_per_hour {
        return with_account(ApiError::account_rate_limit().into_response(), &caller.ig_id);
    }
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let self_url = format!("http://{host}{}", original.path());
    let ig_id = caller.ig_id.clone();
    let segments: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
    let skip = usize::from(segments.first().is_some_and(|s| is_version(s)));
    let segments: Vec<&str> = segments[skip..].iter().map(String::as_str).collect();
    let call = Call { sandbox: &sandbox, caller, params, self_url };
    let result = route(&call, &method, &segments).await;
    let response = match result {
        Ok(value) => Json(value).into_response(),
        Err(e) => e.into_response(),
    };
    with_account(response, &ig_id)
}

fn with_account(mut response: Response, ig_id: &str) -> Response {
    response.extensions_mut().insert(AccountCall(ig_id.to_string()));
    response
}

async fn route(call: &Call<'_>, method: &Method, segments: &[&str]) -> ApiResult<Value> {
    // `me` is the caller's account on every edge, as at Meta (`/me/media`, `/me/insights`).
    let own = call.caller.ig_id.clone();
    let segments: Vec<&str> = segments.iter().enumerate().map(|(i, s)| if i == 0 && *s == "me" && segments.len() > 1 { own.as_str() } else { *s }).collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["me"]) => profile(call, &call.caller.ig_id.clone(), true),
        ("GET", ["pages", "search"]) => crate::places::search(call),
        ("GET", [id]) => node(call, id),
        ("POST", [id]) => update_node(call, id),
        ("DELETE", [id]) => delete_node(call, id),
        ("GET", [id, "media"]) => media_list(call, id),
        ("POST", [id, "media"]) => publish::create_container(call, id).await,
        ("POST", [id, "media_publish"]) => publish::publish(call, id),
        ("GET", [id, "content_publishing_limit"]) => publish::publishing_limit(call, id),
        ("GET", [id, "insights"]) => {
            if call.sandbox.world().account(id).is_some() {
                crate::insights::account_insights(call, id)
            } else {
                crate::insights::media_insights(call, id)
            }
        }
        ("GET", [id, "comments"]) => comments(call, id, None),
        ("POST", [id, "comments"]) => comment_on_media(call, id),
        ("GET", [id, "replies"]) => comments(call, id, Some(())),
        ("POST", [id, "replies"]) => reply(call, id),
        ("POST", [id, "messages"]) => send_message(call, id),
        ("POST", [id, "subscribed_apps"]) => subscribe_app(call, id),
        ("GET", [id, "subscribed_apps"]) => subscribed_apps(call, id),
        ("DELETE", [id, "subscribed_apps"]) => {
            own_account(call, id)?;
            call.sandbox.world().webhook_fields.remove(*id);
            Ok(json!(Success { success: true }))
        }
        _ => Err(ApiError::graph(2500, None, "Unknown path components")),
    }
}

/// How long after a person's last message the account may answer (Meta's messaging window).
const MESSAGING_WINDOW_SECS: i64 = 24 * 3_600;

/// `POST /{ig-id}/messages` with `recipient={"id": IGSID}` and `message={"text": …}`: the
/// account answers someone who wrote to it, within 24 hours of their last message.
fn send_message(call: &Call<'_>, id: &str) -> ApiResult<Value> {
    call.caller.require("instagram_business_manage_messages")?;
    own_account(call, id)?;
    let field = |name: &str, key: &str| {
        call.params
            .get(name)
            .and_then(|raw| serde_json::from_str::<Value>(raw).ok())
            .and_then(|v| v.get(key).and_then(Value::as_str).map(str::to_string))
            .filter(|s| !s.trim().is_empty())
    };
    let recipient = field("recipient", "id").ok_or_else(|| ApiError::invalid_parameter("The parameter recipient is required."))?;
    let text = field("message", "text").ok_or_else(|| ApiError::invalid_parameter("The parameter message is required."))?;
    let now = call.sandbox.clock().now();
    let mut world = call.sandbox.world();
    let last = world.messages.iter().filter(|m| m.account == id && m.peer == recipient && !m.from_account).map(|m| m.timestamp).max();
    match last {
        None => return Err(ApiError::graph(100, Some(2_018_001), "No matching user found")),
        Some(t) if now - t > MESSAGING_WINDOW_SECS => return Err(ApiError::graph(10, Some(2_534_022), "This message is sent outside of allowed window.")),
        Some(_) => {}
    }
    let mid = format!("aWdf{}", world.rng.token(40));
    world.messages.push(crate::world::DirectMessage {
        mid: mid.clone(),
        account: id.to_string(),
        peer: recipient.clone(),
        from_account: true,
        text,
        timestamp: now,
    });
    Ok(json!({ "recipient_id": recipient, "message_id": mid }))
}

/// Webhook fields an Instagram Login app can subscribe an account to.
const WEBHOOK_FIELDS: &[&str] = &[
    "comments",
    "live_comments",
    "mentions",
    "messages",
    "message_reactions",
    "message_edit",
    "messaging_optins",
    "messaging_postbacks",
    "messaging_referral",
    "messaging_seen",
    "story_insights",
];

/// `POST /{ig-id}/subscribed_apps?subscribed_fields=comments,messages`: the account's events
/// of these fields go to the app's webhook from now on.
fn subscribe_app(call: &Call<'_>, id: &str) -> ApiResult<Value> {
    own_account(call, id)?;
    let fields = call.params.list("subscribed_fields");
    if fields.is_empty() {
        return Err(ApiError::invalid_parameter("The parameter subscribed_fields is required."));
    }
    if let Some(bad) = fields.iter().find(|f| !WEBHOOK_FIELDS.contains(&f.as_str())) {
        return Err(ApiError::invalid_parameter(format!("Param subscribed_fields[{bad}] must be one of {{{}}}", WEBHOOK_FIELDS.join(", "))));
    }
    call.sandbox.world().webhook_fields.entry(id.to_string()).or_default().extend(fields);
    Ok(json!(Success { success: true }))
}

/// `GET /{ig-id}/subscribed_apps`: the app and the fields it receives for the account.
fn subscribed_apps(call: &Call<'_>, id: &str) -> ApiResult<Value> {
    own_account(call, id)?;
    let world = call.sandbox.world();
    let data: Vec<Value> = world
        .webhook_fields
        .get(id)
        .map(|fields| vec![json!({ "id": call.sandbox.config().app_id, "name": "Crealia", "subscribed_fields": fields })])
        .unwrap_or_default();
    Ok(json!({ "data": data }))
}

/// Keeps the requested fields (`fields=a,b`) of a full object; `id` always stays.
fn select(full: Value, fields: &[String], default: &[&str]) -> Value {
    let Value::Object(map) = full else {
        return full;
    };
    let wanted: Vec<String> = if fields.is_empty() { default.iter().map(|s| s.to_string()).collect() } else { fields.to_vec() };
    let mut out = Map::new();
    for f in wanted.iter().chain(std::iter::once(&"id".to_string())) {
        if let Some(v) = map.get(f.as_str()) {
            if !v.is_null() {
                out.insert(f.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

/// `/me` (its `id` is the app-scoped id) or `/{ig-user-id}` (its `id` is that id).
fn profile(call: &Call<'_>, ig_id: &str, via_me: bool) -> ApiResult<Value> {
    let world = call.sandbox.world();
    let a = world.account(ig_id).ok_or_else(|| ApiError::not_found(ig_id))?;
    let media_count = world.media_order.get(ig_id).map_or(0, Vec::len);
    let full = json!({
        "id": if via_me { a.app_scoped_id.clone() } else { a.ig_id.clone() },
        "user_id": a.ig_id,
        "username": a.username,
        "name": a.name,
        "account_type": a.account_type,
        "biography": a.biography,
        "website": a.website,
        "profile_picture_url": crate::files::public(&a.profile_picture_url, call.sandbox.config().public_url.as_deref()),
        "followers_count": a.followers,
        "follows_count": a.follows,
        "media_count": media_count,
    });
    Ok(select(full, &call.params.list("fields"), &["id", "username"]))
}

fn media_json(world: &World, id: &str, public_url: Option<&str>) -> Option<Value> {
    let m = world.media.get(id)?;
    let username = world.account(&m.owner).map(|a| a.username.clone());
    let media_url = crate::files::public(&m.media_url, public_url);
    // A video's cover, as Meta gives one.
    let thumbnail_url = (m.kind == crate::world::MediaKind::Video).then(|| media_url.trim_end_matches(".mp4").to_string() + ".jpg");
    Some(json!({
        "id": m.id,
        "caption": m.caption,
        "media_type": m.kind.as_str(),
        "media_product_type": m.product.as_str(),
        "media_url": media_url,
        "thumbnail_url": thumbnail_url,
        "permalink": if m.permalink.is_empty() { None } else { Some(m.permalink.clone()) },
        "timestamp": iso(m.timestamp),
        "username": username,
        "like_count": m.like_count,
        "comments_count": m.comments_count,
        "alt_text": m.alt_text,
        "owner": { "id": m.owner },
        "children": if m.children.is_empty() { Value::Null } else {
            json!({ "data": m.children.iter().map(|c| json!({ "id": c })).collect::<Vec<_>>() })
        },
    }))
}

fn comment_json(c: &Comment) -> Value {
    json!({
        "id": c.id,
        "text": c.text,
        "timestamp": iso(c.timestamp),
        "username": c.username,
        "from": { "id": c.from_id, "username": c.username },
        "like_count": c.like_count,
        "hidden": c.hidden,
        "parent_id": c.parent_id,
        "media": { "id": c.media_id },
    })
}

/// `GET /{id}`: an account, a media, a container or a comment, if the caller may see it.
fn node(call: &Call<'_>, id: &str) -> ApiResult<Value> {
    let owner = {
        let world = call.sandbox.world();
        if world.account(id).is_some() {
            None
        } else if let Some(m) = world.media.get(id) {
            Some(m.owner.clone())
        } else if let Some(c) = world.containers.get(id) {
            Some(c.owner.clone())
        } else if let Some(c) = world.comments.get(id) {
            world.media.get(&c.media_id).map(|m| m.owner.clone())
        } else if let Some(p) = world.people.get(id) {
            Some(p.account.clone())
        } else {
            return Err(ApiError::not_found(id));
        }
    };
    match owner {
        None => {
            own_account(call, id)?;
            profile(call, id, false)
        }
        Some(owner) if owner != call.caller.ig_id => Err(ApiError::not_found(id)),
        Some(_) => {
            if call.sandbox.world().containers.contains_key(id) {
                return publish::container_status(call, id);
            }
            let world = call.sandbox.world();
            if let Some(p) = world.people.get(id) {
                return user_profile(call, &world, id, p);
            }
            if let Some(v) = media_json(&world, id, call.sandbox.config().public_url.as_deref()) {
                return Ok(select(v, &call.params.list("fields"), &["id"]));
            }
            let c = world.comments.get(id).ok_or_else(|| ApiError::not_found(id))?;
            Ok(select(comment_json(c), &call.params.list("fields"), &["id", "text", "timestamp"]))
        }
    }
}

/// The User Profile API, `GET /{igsid}?fields=name,username,…`: about someone who wrote to the
/// account, only once they have sent it a message (Meta's consent rule), with the messaging
/// permission. Its fields must be asked for.
fn user_profile(call: &Call<'_>, world: &World, igsid: &str, p: &crate::world::Person) -> ApiResult<Value> {
    call.caller.require("instagram_business_manage_messages")?;
    if !world.messages.iter().any(|m| m.account == p.account && m.peer == igsid && !m.from_account) {
        return Err(ApiError::graph(230, None, "User consent is required to access user profile"));
    }
    let full = json!({
        "name": p.username.split(['.', '_']).filter(|w| !w.is_empty()).map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        }).collect::<Vec<_>>().join(" "),
        "username": p.username,
        "profile_pic": format!("https://sandbox.invalid/people/{igsid}.jpg"),
        "follower_count": 0,
        "is_user_follow_business": true,
        "is_business_follow_user": false,
        "is_verified_user": false,
    });
    let fields = call.params.list("fields");
    if fields.is_empty() {
        return Err(ApiError::invalid_parameter("The parameter fields is required."));
    }
    let mut out = select(full, &fields, &[]);
    if let Value::Object(map) = &mut out {
        map.insert("id".into(), json!(igsid));
    }
    Ok(out)
}

/// Cursors are opaque to clients; here they encode the offset.
fn cursor(offset: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("crealia:{offset}"))
}

fn offset_of(cursor: &str) -> Option<usize> {
    let raw = base64::engine::general_purpose::STANDARD.decode(cursor).ok()?;
    String::from_utf8(raw).ok()?.strip_prefix("crealia:")?.parse().ok()
}

/// One page of `items` after the `after` cursor, with Meta's paging block.
fn page(call: &Call<'_>, items: Vec<Value>) -> ApiResult<Value> {
    let limit: usize = call.params.get("limit").and_then(|l| l.parse().ok()).unwrap_or(25).clamp(1, 100);
    let start = match call.params.get("after") {
        Some(c) => offset_of(c).ok_or_else(|| ApiError::invalid_parameter("Invalid cursor"))?,
        None => match call.params.get("before") {
            Some(c) => offset_of(c).ok_or_else(|| ApiError::invalid_parameter("Invalid cursor"))?.saturating_sub(limit),
            None => 0,
        },
    };
    let end = (start + limit).min(items.len());
    let data: Vec<Value> = items.get(start..end).map(<[Value]>::to_vec).unwrap_or_default();
    let mut paging = Paging { cursors: Some(Cursors { before: Some(cursor(start)), after: Some(cursor(end)) }), ..Paging::default() };
    let base = {
        let mut kept: Vec<(String, String)> = Vec::new();
        for key in ["fields", "limit", "access_token"] {
            if let Some(v) = call.params.get(key) {
                kept.push((key.into(), v.into()));
            }
        }
        let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish();
        format!("{}?{}", call.self_url, query)
    };
    if end < items.len() {
        paging.next = Some(format!("{base}&after={}", cursor(end)));
    }
    if start > 0 {
        paging.previous = Some(format!("{base}&before={}", cursor(start)));
    }
    Ok(json!({ "data": data, "paging": paging }))
}

/// `GET /{ig-user-id}/media`: newest first, cursor paging.
fn media_list(call: &Call<'_>, id: &str) -> ApiResult<Value> {
    own_account(call, id)?;
    let fields = call.params.list("fields");
    let items: Vec<Value> = {
        let public_url = call.sandbox.config().public_url;
        let world = call.sandbox.world();
        let ids = world.media_order.get(id).cloned().unwrap_or_default();
        ids.iter().filter_map(|m| media_json(&world, m, public_url.as_deref())).map(|v| select(v, &fields, &["id"])).collect()
    };
    page(call, items)
}

/// `GET /{media-id}/comments` (top-level) and `GET /{comment-id}/replies`.
fn comments(call: &Call<'_>, id: &str, replies: Option<()>) -> ApiResult<Value> {
    call.caller.require("instagram_business_manage_comments")?;
    let fields = call.params.list("fields");
    let items = {
        let world = call.sandbox.world();
        let (media_id, parent) = if replies.is_some() {
            let c = world.comments.get(id).ok_or_else(|| ApiError::not_found(id))?;
            (c.media_id.clone(), Some(id.to_string()))
        } else {
            (id.to_string(), None)
        };
        let media = world.media.get(&media_id).ok_or_else(|| ApiError::not_found(id))?;
        if media.owner != call.caller.ig_id {
            return Err(ApiError::not_found(id));
        }
        world
            .comment_order
            .get(&media_id)
            .into_iter()
            .flatten()
            .filter_map(|cid| world.comments.get(cid))
            .filter(|c| c.parent_id == parent)
            .map(|c| select(comment_json(c), &fields, &["id", "text", "timestamp"]))
            .collect()
    };
    page(call, items)
}

/// The comment `id` when the caller owns the media it is on.
fn own_comment(call: &Call<'_>, world: &World, id: &str) -> ApiResult<Comment> {
    let c = world.comments.get(id).ok_or_else(|| ApiError::not_found(id))?;
    match world.media.get(&c.media_id) {
        Some(m) if m.owner == call.caller.ig_id => Ok(c.clone()),
        _ => Err(ApiError::not_found(id)),
    }
}

/// The `message` of a comment or reply the caller writes.
fn message<'a>(call: &'a Call<'_>) -> ApiResult<&'a str> {
    call.caller.require("instagram_business_manage_comments")?;
    let message = call.params.get("message").ok_or_else(|| ApiError::invalid_parameter("The parameter message is required"))?;
    if message.chars().count() > 2200 {
        return Err(ApiError::invalid_parameter("The message is too long"));
    }
    Ok(message)
}

/// Adds the caller's own comment on `media_id` (under `parent` for a reply) and returns its id.
fn write_comment(call: &Call<'_>, world: &mut World, media_id: String, parent: Option<String>, text: &str) -> ApiResult<Value> {
    let account = world.account(&call.caller.ig_id).cloned().ok_or_else(|| ApiError::not_found(&media_id))?;
    let id = world.new_id();
    world.add_comment(Comment {
        id: id.clone(),
        media_id,
        parent_id: parent,
        from_id: account.ig_id,
        username: account.username,
        text: text.to_string(),
        timestamp: call.sandbox.clock().now(),
        like_count: 0,
        hidden: false,
    });
    Ok(json!({ "id": id }))
}

/// `POST /{comment-id}/replies?message=…`.
fn reply(call: &Call<'_>, id: &str) -> ApiResult<Value> {
    let text = message(call)?;
    let mut world = call.sandbox.world();
    let parent = own_comment(call, &world, id)?;
    write_comment(call, &mut world, parent.media_id, Some(parent.id), text)
}

/// `POST /{ig-media-id}/comments?message=…`: a top-level comment on the caller's own media.
fn comment_on_media(call: &Call<'_>, id: &str) -> ApiResult<Value> {
    let text = message(call)?;
    let mut world = call.sandbox.world();
    match world.media.get(id) {
        Some(m) if m.owner == call.caller.ig_id && !m.is_child => {}
        _ => return Err(ApiError::not_found(id)),
    }
    write_comment(call, &mut world, id.to_string(), None, text)
}

/// `POST /{comment-id}?hide=true|false`.
fn update_node(call: &Call<'_>, id: &str) -> ApiResult<Value> {
    call.caller.require("instagram_business_manage_comments")?;
    let hide = call.params.flag("hide").ok_or_else(|| ApiError::invalid_parameter("The parameter hide is required"))?;
    let mut world = call.sandbox.world();
    own_comment(call, &world, id)?;
    if let Some(c) = world.comments.get_mut(id) {
        c.hidden = hide;
    }
    Ok(json!(Success { success: true }))
}

/// `DELETE /{comment-id}`.
fn delete_node(call: &Call<'_>, id: &str) -> ApiResult<Value> {
    call.caller.require("instagram_business_manage_comments")?;
    let mut world = call.sandbox.world();
    let c = own_comment(call, &world, id)?;
    world.comments.remove(id);
    if let Some(order) = world.comment_order.get_mut(&c.media_id) {
        order.retain(|x| x != id);
    }
    if let Some(m) = world.media.get_mut(&c.media_id) {
        m.comments_count = m.comments_count.saturating_sub(1);
    }
    Ok(json!(Success { success: true }))
}
