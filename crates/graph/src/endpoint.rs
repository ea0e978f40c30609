//! An endpoint's name as both sides count it: `METHOD /path` with ids written `{id}` and the
//! version left out (`POST /{id}/media_publish`). Few enough to be a metric's label.

pub fn endpoint_key(method: &str, path: &str) -> String {
    let mut key = String::from(method);
    key.push(' ');
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let skip = usize::from(segments.first().is_some_and(|s| is_version(s)));
    if segments.len() == skip {
        key.push('/');
    }
    for s in &segments[skip..] {
        key.push('/');
        if s.chars().all(|c| c.is_ascii_digit()) {
            key.push_str("{id}");
        } else {
            key.push_str(s);
        }
    }
    key
}

/// `v25.0` and the like.
pub fn is_version(segment: &str) -> bool {
    segment.strip_prefix('v').is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_keys_hide_ids_and_versions() {
        assert_eq!(endpoint_key("POST", "/v25.0/17841400000/media_publish"), "POST /{id}/media_publish");
        assert_eq!(endpoint_key("GET", "/me"), "GET /me");
        assert_eq!(endpoint_key("GET", "/v25.0"), "GET /");
    }
}
