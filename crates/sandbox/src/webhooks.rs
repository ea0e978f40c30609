//! Webhooks out, as Meta sends them: the GET verification handshake when subscribing, then
//! signed POSTs (`X-Hub-Signature-256` over the exact bytes, legacy `X-Hub-Signature` too) of
//! ASCII-escaped JSON, several entries per delivery when batched, retried with back-off while
//! the receiver fails and dropped after 36 hours.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha1::Sha1;
use sha2::Sha256;

use crate::faults::FaultKind;
use crate::world::Comment;
use crate::Sandbox;

pub const RETRY_WINDOW_SECS: i64 = 36 * 3_600;
/// Delay before each retry (sandbox clock): at once, then less and less often.
const BACKOFF_SECS: &[i64] = &[0, 15, 60, 300, 1_800, 3_600, 3 * 3_600, 6 * 3_600, 12 * 3_600];

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Subscription {
    pub callback_url: String,
    pub verify_token: String,
    /// Signs deliveries; defaults to the app secret.
    #[serde(default)]
    pub app_secret: Option<String>,
    /// How long the receiver may take (Meta: about 20 s).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Dropped,
}

#[derive(Clone, Debug, Serialize)]
pub struct Delivery {
    pub id: u64,
    /// The exact bytes sent (ASCII-escaped JSON).
    pub body: String,
    pub entries: usize,
    pub first_attempt: i64,
    pub next_attempt: i64,
    pub attempts: u32,
    pub status: DeliveryStatus,
    pub last_error: Option<String>,
}

#[derive(Default)]
pub struct Webhooks {
    state: Mutex<State>,
    worker_started: AtomicBool,
}

#[derive(Default)]
struct State {
    subscription: Option<Subscription>,
    deliveries: Vec<Delivery>,
    next_id: u64,
}

/// `sha256=<hex>` of the body under the secret.
pub fn signature_256(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

pub fn signature_1(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha1={}", hex::encode(mac.finalize().into_bytes()))
}

/// JSON as Meta writes it: every non-ASCII character as `\uXXXX` (lowercase hex, UTF-16),
/// and `/` as `\/`.
pub fn ascii_json(value: &Value) -> String {
    let raw = serde_json::to_string(value).expect("a JSON value serialises");
    let mut out = String::with_capacity(raw.len());
    for ch in raw.chars() {
        match ch {
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

impl Webhooks {
    pub fn subscription(&self) -> Option<Subscription> {
        self.state.lock().expect("webhooks lock").subscription.clone()
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state.lock().expect("webhooks lock").deliveries.clone()
    }

    fn enqueue(&self, body: String, entries: usize, now: i64) -> u64 {
        let mut state = self.state.lock().expect("webhooks lock");
        state.next_id += 1;
        let id = state.next_id;
        state.deliveries.push(Delivery {
            id,
            body,
            entries,
            first_attempt: now,
            next_attempt: now,
            attempts: 0,
            status: DeliveryStatus::Pending,
            last_error: None,
        });
        id
    }
}

/// Subscribes: Meta's GET handshake must answer 200 with the challenge as its body.
pub async fn subscribe(sandbox: &Sandbox, sub: Subscription) -> Result<(), String> {
    let challenge = format!("{}", 1_000_000_000 + sandbox.clock().now() % 1_000_000_000);
    let mut url = url::Url::parse(&sub.callback_url).map_err(|e| format!("invalid callback_url: {e}"))?;
    url.query_pairs_mut().append_pair("hub.mode", "subscribe").append_pair("hub.challenge", &challenge).append_pair("hub.verify_token", &sub.verify_token);
    let response = sandbox.http().get(url).send().await.map_err(|e| format!("the callback did not answer: {e}"))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if !status.is_success() || body.trim() != challenge {
        return Err(format!("the callback answered {status} with {body:?}, not the challenge {challenge}"));
    }
    sandbox.webhooks().state.lock().expect("webhooks lock").subscription = Some(sub);
    start_worker(sandbox);
    Ok(())
}

fn start_worker(sandbox: &Sandbox) {
    if sandbox.webhooks().worker_started.swap(true, Ordering::SeqCst) {
        return;
    }
    let sandbox = sandbox.clone();
    tokio::spawn(async move {
        let mut last_demo = std::time::Instant::now();
        loop {
            if let Some(every) = sandbox.config().demo_event_interval {
                if last_demo.elapsed() >= every {
                    last_demo = std::time::Instant::now();
                    produce_random(&sandbox);
                }
            }
            deliver_due(&sandbox).await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
}

/// Sends every delivery whose time has come (by the sandbox clock).
pub async fn deliver_due(sandbox: &Sandbox) {
    let Some(sub) = sandbox.webhooks().subscription() else { return };
    let now = sandbox.clock().now();
    let due: Vec<Delivery> = {
        let mut state = sandbox.webhooks().state.lock().expect("webhooks lock");
        for d in state.deliveries.iter_mut() {
            if d.status == DeliveryStatus::Pending && now - d.first_attempt > RETRY_WINDOW_SECS {
                d.status = DeliveryStatus::Dropped;
            }
        }
        state.deliveries.iter().filter(|d| d.status == DeliveryStatus::Pending && d.next_attempt <= now).cloned().collect()
    };
    let secret = sub.app_secret.clone().unwrap_or_else(|| sandbox.config().app_secret);
    let timeout = Duration::from_millis(sub.timeout_ms.unwrap_or(20_000));
    for d in due {
        let timed_out = !sandbox.faults().hit("webhook delivery", |k| matches!(k, FaultKind::WebhookTimeout)).is_empty();
        let result = sandbox
            .http()
            .post(&sub.callback_url)
            .timeout(timeout)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature_256(&secret, d.body.as_bytes()))
            .header("x-hub-signature", signature_1(&secret, d.body.as_bytes()))
            .body(d.body.clone())
            .send()
            .await;
        let outcome = match result {
            _ if timed_out => Err("the receiver timed out".to_string()),
            Ok(r) if r.status().as_u16() == 200 => Ok(()),
            Ok(r) => Err(format!("the receiver answered {}", r.status())),
            Err(e) if e.is_timeout() => Err("the receiver timed out".to_string()),
            Err(e) => Err(format!("the receiver could not be reached: {e}")),
        };
        let mut state = sandbox.webhooks().state.lock().expect("webhooks lock");
        if let Some(stored) = state.deliveries.iter_mut().find(|x| x.id == d.id) {
            stored.attempts += 1;
            match outcome {
                Ok(()) => {
                    stored.status = DeliveryStatus::Delivered;
                    stored.last_error = None;
                }
                Err(e) => {
                    let wait = BACKOFF_SECS.get(stored.attempts as usize).copied().unwrap_or(12 * 3_600);
                    stored.next_attempt = now + wait.max(1);
                    stored.last_error = Some(e);
                }
            }
        }
    }
}

/// One event a test or the demo asks for.
#[derive(Clone, Debug, Deserialize)]
pub struct EventRequest {
    /// `comment`, `mention` or `message`.
    pub kind: String,
    /// Username or professional id of the receiving account.
    pub account: String,
    #[serde(default)]
    pub text: Option<String>,
    /// The media commented on (default: the account's newest).
    #[serde(default)]
    pub media_id: Option<String>,
    /// Who writes (default: a follower).
    #[serde(default)]
    pub from_username: Option<String>,
    /// `changes` (default) or `flat` (field/value on the entry, as Meta's examples show).
    #[serde(default)]
    pub shape: Option<String>,
    /// `id` (default, Instagram Login) or `comment_id` (Facebook Login).
    #[serde(default)]
    pub id_field: Option<String>,
    /// A reply to this comment (its media is the parent's).
    #[serde(default)]
    pub parent_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct EventBatch {
    pub events: Vec<EventRequest>,
    /// Send every event in one delivery (several entries); otherwise one delivery each.
    #[serde(default)]
    pub batch: bool,
}

const DEMO_TEXTS: &[&str] = &["This is gorgeous 😍", "Where can I buy a print?", "Tutorial please!", "Danke, sehr schön", "¿Dónde es esto?", "🔥🔥"];

/// Demo mode: one random comment, mention or message for a random account.
fn produce_random(sandbox: &Sandbox) {
    let event = {
        let mut world = sandbox.world();
        // Only accounts the app subscribed (the others would send nothing anyway).
        let usernames: Vec<String> = world.accounts.iter().filter(|a| world.webhook_fields.contains_key(&a.ig_id)).map(|a| a.username.clone()).collect();
        if usernames.is_empty() {
            return;
        }
        let account = world.rng.pick(&usernames).clone();
        let kind = *world.rng.pick(&["comment", "comment", "comment", "mention", "message"]);
        let text = world.rng.pick(DEMO_TEXTS).to_string();
        EventRequest { kind: kind.into(), account, text: Some(text), media_id: None, from_username: None, shape: None, id_field: None, parent_id: None }
    };
    if let Err(e) = produce(sandbox, EventBatch { events: vec![event], batch: false }) {
        tracing::debug!(error = %e, "demo event skipped");
    }
}

/// Makes the events happen in the world and queues their deliveries; returns the ids of the
/// objects created (comment or message ids) and the delivery ids.
pub fn produce(sandbox: &Sandbox, batch: EventBatch) -> Result<Value, String> {
    let now = sandbox.clock().now();
    let mut entries = Vec::new();
    let mut created = Vec::new();
    let mut not_subscribed = Vec::new();
    for e in &batch.events {
        let (entry, id) = event_entry(sandbox, e, now)?;
        created.push(id.clone());
        // It happened; Meta tells the app only if the app subscribed the account to it.
        if subscribed(sandbox, &entry, &e.kind) {
            entries.push(entry);
        } else {
            not_subscribed.push(id);
        }
    }
    let mut delivery_ids = Vec::new();
    if batch.batch {
        for chunk in entries.chunks(1000) {
            let body = ascii_json(&json!({ "object": "instagram", "entry": chunk }));
            delivery_ids.push(sandbox.webhooks().enqueue(body, chunk.len(), now));
        }
    } else {
        for entry in entries {
            let body = ascii_json(&json!({ "object": "instagram", "entry": [entry] }));
            delivery_ids.push(sandbox.webhooks().enqueue(body, 1, now));
        }
    }
    Ok(json!({ "created": created, "deliveries": delivery_ids, "not_subscribed": not_subscribed }))
}

/// The webhook field an event kind arrives under (mentions come inside `comments` with
/// Instagram Login, or as `mentions`).
fn fields_of(kind: &str) -> &'static [&'static str] {
    match kind {
        "comment" => &["comments"],
        "mention" => &["comments", "mentions"],
        _ => &["messages"],
    }
}

fn subscribed(sandbox: &Sandbox, entry: &Value, kind: &str) -> bool {
    let Some(account) = entry.get("id").and_then(Value::as_str) else { return false };
    let world = sandbox.world();
    world.webhook_fields.get(account).is_some_and(|fields| fields_of(kind).iter().any(|f| fields.contains(*f)))
}

fn event_entry(sandbox: &Sandbox, e: &EventRequest, now: i64) -> Result<(Value, String), String> {
    let mut world = sandbox.world();
    let account = world.account(&e.account).or_else(|| world.account_by_username(&e.account)).cloned().ok_or_else(|| format!("no account {}", e.account))?;
    let from_username = e.from_username.clone().unwrap_or_else(|| "ks.___.hyeon".into());
    let from_id = world.person(&account.ig_id, &from_username);
    let flat = e.shape.as_deref() == Some("flat");
    let wrap = |field: &str, value: Value| {
        if flat {
            json!({ "id": account.ig_id, "time": now, "field": field, "value": value })
        } else {
            json!({ "id": account.ig_id, "time": now, "changes": [{ "field": field, "value": value }] })
        }
    };
    match e.kind.as_str() {
        "comment" | "mention" => {
            let parent = match &e.parent_id {
                Some(p) => Some(world.comments.get(p).cloned().ok_or_else(|| format!("no comment {p}"))?),
                None => None,
            };
            let media_id = match (&e.media_id, &parent) {
                (_, Some(p)) => p.media_id.clone(),
                (Some(m), None) => m.clone(),
                (None, None) => world.media_order.get(&account.ig_id).and_then(|v| v.first().cloned()).ok_or("the account has no media")?,
            };
            let product = world.media.get(&media_id).map(|m| m.product.as_str()).ok_or("no such media")?;
            let comment_id = world.new_id();
            let text = e.text.clone().unwrap_or_else(|| if e.kind == "mention" { format!("@{} look at this!", account.username) } else { "hello".into() });
            world.add_comment(Comment {
                id: comment_id.clone(),
                media_id: media_id.clone(),
                parent_id: parent.as_ref().map(|p| p.id.clone()),
                from_id: from_id.clone(),
                username: from_username.clone(),
                text: text.clone(),
                timestamp: now,
                like_count: 0,
                hidden: false,
            });
            let entry = if e.kind == "mention" {
                wrap("mentions", json!({ "comment_id": comment_id, "media_id": media_id }))
            } else {
                let mut value = json!({
                    "from": { "id": from_id, "username": from_username },
                    "text": text,
                    "media": { "id": media_id, "media_product_type": product },
                });
                if let Some(p) = &parent {
                    value["parent_id"] = json!(p.id);
                }
                if e.id_field.as_deref() == Some("comment_id") {
                    value["comment_id"] = json!(comment_id);
                } else {
                    value["id"] = json!(comment_id);
                }
                wrap("comments", value)
            };
            Ok((entry, comment_id))
        }
        "message" => {
            let mid = format!("aWdf{}", world.rng.token(40));
            let ms = now * 1000;
            let text = e.text.clone().unwrap_or_else(|| "hi".into());
            world.messages.push(crate::world::DirectMessage {
                mid: mid.clone(),
                account: account.ig_id.clone(),
                peer: from_id.clone(),
                from_account: false,
                text: text.clone(),
                timestamp: now,
            });
            let entry = json!({
                "id": account.ig_id,
                "time": ms,
                "messaging": [{
                    "sender": { "id": from_id },
                    "recipient": { "id": account.ig_id },
                    "timestamp": ms - 785,
                    "message": { "mid": mid, "text": text },
                }],
            });
            Ok((entry, mid))
        }
        other => Err(format!("unknown event kind {other}: use comment, mention or message")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_ascii_escaped_like_meta() {
        let v = json!({ "text": "äöå 🎞 a/b" });
        assert_eq!(ascii_json(&v), r#"{"text":"\u00e4\u00f6\u00e5 \ud83c\udf9e a\/b"}"#);
        let back: Value = serde_json::from_str(&ascii_json(&v)).unwrap();
        assert_eq!(back, v);
    }
}
