//! Webhook payloads as Meta sends them (contract §5), read leniently: comments in the
//! `changes[]` shape or with `field`/`value` flat on the entry, `value.id` (Instagram Login) or
//! `value.comment_id` (Facebook Login), ids as strings or numbers, `entry.time` in seconds
//! (`changes`) or milliseconds (`messaging`). Whatever is not recognised becomes an
//! [`EventKind::Other`] event that carries its JSON, so nothing is dropped.

use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Comment,
    Mention,
    Message,
    /// A field Crealia does not show (reactions, reads, story insights, future fields…).
    Other,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Comment => "comment",
            EventKind::Mention => "mention",
            EventKind::Message => "message",
            EventKind::Other => "other",
        }
    }
}

/// One change or messaging item of one entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The professional account it concerns (`entry.id`).
    pub account_id: String,
    pub kind: EventKind,
    /// The webhook field (`comments`, `mentions`, `messages`, `message_reactions`, …).
    pub field: String,
    /// The object's own id: the comment id, the message `mid`. None for events without one.
    pub object_id: Option<String>,
    /// The comment a reply answers.
    pub parent_id: Option<String>,
    pub media_id: Option<String>,
    pub from_id: Option<String>,
    pub from_username: Option<String>,
    pub text: Option<String>,
    /// When it happened, in Unix seconds (milliseconds are converted).
    pub time: Option<i64>,
    /// The account wrote it (a message echo).
    pub own: bool,
    /// The change's `value` or the messaging item, as sent.
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadError(pub String);

impl std::fmt::Display for PayloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PayloadError {}

/// Every event of a delivery body, in order.
///
/// The webhook door refuses (400, kept aside) exactly the bodies this refuses, and the
/// processor stores exactly what this returns: a delivery is never acknowledged and then
/// found unprocessable.
pub fn parse(body: &[u8]) -> Result<Vec<Event>, PayloadError> {
    let root: Value = serde_json::from_slice(body).map_err(|e| PayloadError(format!("not JSON: {e}")))?;
    let events = events(&root)?;
    for e in &events {
        let ids = [Some(&e.account_id), e.object_id.as_ref(), e.parent_id.as_ref(), e.media_id.as_ref(), e.from_id.as_ref()];
        if ids.into_iter().flatten().any(|id| id.len() > MAX_ID_LEN) {
            return Err(PayloadError(format!("an id longer than {MAX_ID_LEN} characters")));
        }
    }
    Ok(events)
}

/// Instagram's ids are a few dozen characters; longer ones are not ids (and would not fit the
/// inbox's indexes).
pub const MAX_ID_LEN: usize = 256;

/// Every event of a parsed delivery.
pub fn events(root: &Value) -> Result<Vec<Event>, PayloadError> {
    let entries = root.get("entry").and_then(Value::as_array).ok_or_else(|| PayloadError("no `entry` list".into()))?;
    let mut out = Vec::new();
    for entry in entries {
        let account_id = id_of(entry.get("id")).ok_or_else(|| PayloadError("an entry without an `id`".into()))?;
        let entry_time = entry.get("time").and_then(Value::as_i64).map(unix_seconds);
        let before = out.len();
        if let Some(changes) = entry.get("changes").and_then(Value::as_array) {
            for change in changes {
                out.push(change_event(&account_id, entry_time, change.get("field"), change.get("value").unwrap_or(&Value::Null)));
            }
        }
        if entry.get("field").is_some() && entry.get("value").is_some() {
            out.push(change_event(&account_id, entry_time, entry.get("field"), &entry["value"]));
        }
        if let Some(items) = entry.get("messaging").and_then(Value::as_array) {
            for item in items {
                out.push(messaging_event(&account_id, entry_time, item));
            }
        }
        if out.len() == before {
            out.push(other(&account_id, "unknown", entry_time, entry.clone()));
        }
    }
    Ok(out)
}

/// An id sent as a string or a number.
fn id_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn text_of(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

/// Seconds from seconds or milliseconds (anything past the year 5138 in seconds is milliseconds).
fn unix_seconds(t: i64) -> i64 {
    if t > 100_000_000_000 {
        t / 1000
    } else {
        t
    }
}

fn other(account_id: &str, field: &str, time: Option<i64>, value: Value) -> Event {
    Event {
        account_id: account_id.to_string(),
        kind: EventKind::Other,
        field: field.to_string(),
        object_id: None,
        parent_id: None,
        media_id: None,
        from_id: None,
        from_username: None,
        text: None,
        time,
        own: false,
        value,
    }
}

fn change_event(account_id: &str, time: Option<i64>, field: Option<&Value>, value: &Value) -> Event {
    let field = field.and_then(Value::as_str).unwrap_or("unknown");
    let media_id = id_of(value.get("media").and_then(|m| m.get("id"))).or_else(|| id_of(value.get("media_id")));
    let base = other(account_id, field, time, value.clone());
    match field {
        "comments" | "live_comments" => match id_of(value.get("id")).or_else(|| id_of(value.get("comment_id"))) {
            Some(id) => Event {
                kind: EventKind::Comment,
                object_id: Some(id),
                parent_id: id_of(value.get("parent_id")),
                media_id,
                // The account's own comments and replies (made in the Instagram app, say).
                own: id_of(value.get("from").and_then(|f| f.get("id"))).as_deref() == Some(account_id),
                from_id: id_of(value.get("from").and_then(|f| f.get("id"))),
                from_username: text_of(value.get("from").and_then(|f| f.get("username"))),
                text: text_of(value.get("text")),
                ..base
            },
            None => base,
        },
        // Without `comment_id`, the mention is in a media caption.
        "mentions" => Event {
            kind: EventKind::Mention,
            object_id: id_of(value.get("comment_id")).or_else(|| media_id.as_ref().map(|m| format!("caption:{m}"))),
            media_id,
            text: text_of(value.get("text")),
            ..base
        },
        _ => base,
    }
}

fn messaging_event(account_id: &str, entry_time: Option<i64>, item: &Value) -> Event {
    let time = item.get("timestamp").and_then(Value::as_i64).map(unix_seconds).or(entry_time);
    let sender = id_of(item.get("sender").and_then(|s| s.get("id")));
    match item.get("message") {
        Some(message) if !message.get("is_deleted").and_then(Value::as_bool).unwrap_or(false) => {
            let own = message.get("is_echo").and_then(Value::as_bool).unwrap_or(false) || sender.as_deref() == Some(account_id);
            let mut text = text_of(message.get("text"));
            if text.is_none() {
                if let Some(kind) =
                    message.get("attachments").and_then(Value::as_array).and_then(|a| a.first()).and_then(|a| a.get("type")).and_then(Value::as_str)
                {
                    text = Some(format!("[{kind}]"));
                }
            }
            Event {
                kind: EventKind::Message,
                object_id: id_of(message.get("mid")),
                from_id: sender,
                text,
                own,
                ..other(account_id, "messages", time, item.clone())
            }
        }
        Some(_) => other(account_id, "message_deleted", time, item.clone()),
        None => {
            let field =
                ["reaction", "read", "postback", "message_edit", "referral", "optin"].into_iter().find(|k| item.get(*k).is_some()).unwrap_or("messaging");
            Event { from_id: sender, ..other(account_id, field, time, item.clone()) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_in_both_shapes_and_with_both_id_fields() {
        let changes = br#"{"object":"instagram","entry":[{"id":"17841400006862718","time":1785412106,"changes":[{"field":"comments","value":{
 "id":"18220742947333329","from":{"id":"742084212153673","username":"ks.___.hyeon"},"text":"hello",
 "media":{"id":"18083495273654753","media_product_type":"FEED"}}}]}]}"#;
        let flat = br#"{"object":"instagram","entry":[{"id":17841400006862718,"time":1785412106,"field":"comments","value":{
 "comment_id":18220742947333329,"parent_id":"1799","from":{"id":"742084212153673","username":"ks.___.hyeon"},"text":"hello",
 "media_id":"18083495273654753"}}]}"#;
        for body in [&changes[..], &flat[..]] {
            let events = parse(body).unwrap();
            assert_eq!(events.len(), 1);
            let e = &events[0];
            assert_eq!(e.kind, EventKind::Comment);
            assert_eq!(e.account_id, "17841400006862718");
            assert_eq!(e.object_id.as_deref(), Some("18220742947333329"));
            assert_eq!(e.media_id.as_deref(), Some("18083495273654753"));
            assert_eq!(e.from_username.as_deref(), Some("ks.___.hyeon"));
            assert_eq!(e.text.as_deref(), Some("hello"));
            assert_eq!(e.time, Some(1785412106));
        }
        assert_eq!(parse(flat).unwrap()[0].parent_id.as_deref(), Some("1799"));
        assert!(!parse(flat).unwrap()[0].own);
        let own = br#"{"entry":[{"id":"1","changes":[{"field":"comments","value":{"id":"5","from":{"id":"1"},"text":"thanks!"}}]}]}"#;
        assert!(parse(own).unwrap()[0].own, "the account's own comment is marked as such");
    }

    #[test]
    fn mentions_messages_and_unknown_fields() {
        let body = br#"{"object":"instagram","entry":[
 {"id":"1","time":1520622968,"changes":[{"field":"mentions","value":{"comment_id":"179","media_id":"180"}},
                                        {"field":"mentions","value":{"media_id":"181"}},
                                        {"field":"story_insights","value":{"media_id":"1","reach":17}}]},
 {"id":"1","time":1569262486134,"messaging":[{"sender":{"id":"9"},"recipient":{"id":"1"},"timestamp":1569262485349,
   "message":{"mid":"aWdf","text":"hi \u00e4"}},
   {"sender":{"id":"9"},"recipient":{"id":"1"},"timestamp":1569262485349,"reaction":{"mid":"aWdf","action":"react"}}]},
 {"id":"1","time":1}]}"#;
        let events = parse(body).unwrap();
        let kinds: Vec<_> = events.iter().map(|e| (e.kind, e.field.as_str(), e.object_id.clone())).collect();
        assert_eq!(
            kinds,
            vec![
                (EventKind::Mention, "mentions", Some("179".to_string())),
                (EventKind::Mention, "mentions", Some("caption:181".to_string())),
                (EventKind::Other, "story_insights", None),
                (EventKind::Message, "messages", Some("aWdf".to_string())),
                (EventKind::Other, "reaction", None),
                (EventKind::Other, "unknown", None),
            ]
        );
        assert_eq!(events[3].text.as_deref(), Some("hi ä"));
        assert_eq!(events[3].time, Some(1569262485));
        assert_eq!(events[3].from_id.as_deref(), Some("9"));
    }

    #[test]
    fn a_body_without_entries_is_an_error() {
        assert!(parse(b"{\"object\":\"instagram\"}").is_err());
        assert!(parse(b"[1,2").is_err());
    }
}
