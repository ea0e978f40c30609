//! Graph API parameters come from the query string, a form body or a JSON body, and the
//! access token from `access_token` or `Authorization: Bearer`.

use std::collections::HashMap;

use axum::http::{header, HeaderMap};

#[derive(Clone, Debug, Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn parse(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Params {
        let mut map: HashMap<String, String> = HashMap::new();
        if let Some(q) = query {
            map.extend(form_urlencoded::parse(q.as_bytes()).into_owned());
        }
        if !body.is_empty() {
            let is_json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
            if is_json {
                if let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice::<serde_json::Value>(body) {
                    for (k, v) in obj {
                        let text = match v {
                            serde_json::Value::String(s) => s,
                            other => other.to_string(),
                        };
                        map.insert(k, text);
                    }
                }
            } else {
                map.extend(form_urlencoded::parse(body).into_owned());
            }
        }
        if !map.contains_key("access_token") {
            if let Some(token) =
                headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("OAuth ")))
            {
                map.insert("access_token".into(), token.trim().to_string());
            }
        }
        Params(map)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// A comma-separated list (`fields`, `metric`, `children`); also accepts a JSON array.
    pub fn list(&self, key: &str) -> Vec<String> {
        match self.get(key) {
            None => Vec::new(),
            Some(raw) if raw.trim_start().starts_with('[') => serde_json::from_str::<Vec<serde_json::Value>>(raw)
                .map(|v| v.into_iter().map(|x| x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string())).collect())
                .unwrap_or_default(),
            Some(raw) => raw.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        }
    }

    pub fn flag(&self, key: &str) -> Option<bool> {
        self.get(key).map(|v| matches!(v, "true" | "1"))
    }
}
