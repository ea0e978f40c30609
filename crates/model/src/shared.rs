//! [`Shared`]: a value the server prepared once and hands to many requests, with its JSON.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// A value read by many requests and changed rarely (a cached dashboard). Cloning it copies a
/// pointer; on the server it can carry the JSON it was stored as, so sending it again writes
/// those bytes instead of walking the value. The browser reads it as a plain `T`.
///
/// JSON only: with another serde format, a value carrying its JSON would not serialise as `T`.
pub struct Shared<T> {
    value: Arc<T>,
    json: Option<Arc<RawValue>>,
}

impl<T> Shared<T> {
    pub fn new(value: T) -> Self {
        Shared { value: Arc::new(value), json: None }
    }

    /// `value` with its JSON, as `serde_json` writes it (the caller keeps the two in step).
    pub fn with_json(value: Arc<T>, json: Arc<RawValue>) -> Self {
        Shared { value, json: Some(json) }
    }

    /// Whether both hand out the same allocation (as [`Arc::ptr_eq`]).
    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        Arc::ptr_eq(&a.value, &b.value)
    }

    /// The JSON carried along, if any.
    pub fn json(&self) -> Option<&str> {
        self.json.as_deref().map(RawValue::get)
    }
}

impl<T: Serialize> Shared<T> {
    /// `value` with the JSON `serde_json` writes for it.
    pub fn encoded(value: T) -> serde_json::Result<Self> {
        let json = serde_json::value::to_raw_value(&value)?;
        Ok(Shared::with_json(Arc::new(value), json.into()))
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared { value: self.value.clone(), json: self.json.clone() }
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Shared<T> {}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.json {
            Some(json) => json.serialize(serializer),
            None => self.value.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Shared::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Figures {
        name: String,
        values: Vec<i64>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Page {
        user: String,
        figures: Shared<Figures>,
    }

    #[test]
    fn carried_json_is_written_as_is_and_read_back_as_the_value() {
        let figures = Figures { name: "reach".into(), values: vec![1, 2, 3] };
        let plain = serde_json::to_string(&Page { user: "ana".into(), figures: Shared::new(Figures { name: "reach".into(), values: vec![1, 2, 3] }) }).unwrap();
        let shared = Shared::encoded(figures).unwrap();
        let with_json = serde_json::to_string(&Page { user: "ana".into(), figures: shared.clone() }).unwrap();
        assert_eq!(plain, with_json);
        let back: Page = serde_json::from_str(&with_json).unwrap();
        assert_eq!(back.figures.values, vec![1, 2, 3]);
        assert_eq!(back.figures.json(), None);

        // What is written is the carried JSON, not the value walked again.
        let stale = Shared::with_json(Arc::new(Figures { name: "x".into(), values: vec![] }), serde_json::value::to_raw_value(&7).unwrap().into());
        assert_eq!(serde_json::to_string(&Page { user: "ana".into(), figures: stale }).unwrap(), r#"{"user":"ana","figures":7}"#);
    }
}
