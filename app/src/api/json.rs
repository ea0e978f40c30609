//! How server functions answer: JSON, read in the browser by the same reader as the page's
//! hydration data.
//!
//! Leptos reads the data a page was rendered with (its resources) with `serde_json::from_str`,
//! and server_fn's own `Json` reads answers with `serde_json::from_slice`: two readers, so the
//! WASM carried every answer type's decoder twice (issue 15, point 8). [`JsonAnswer`] reads the
//! answer's bytes as text and uses `from_str`, so each type's decoder is built once. On the
//! wire nothing changes: `application/json`, written by `serde_json::to_vec`.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::{DeserializeOwned, Error as _};
use serde::Serialize;

/// JSON written with `to_vec` and read with `from_str`.
pub struct JsonText;

/// A server function's answer as [`JsonText`] in the body of a `POST`'s response
/// (`#[server(output = JsonAnswer)]`).
pub type JsonAnswer = Post<JsonText>;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde_json::Error::custom)?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    struct Answer {
        id: i64,
        caption: String,
    }

    #[test]
    fn an_answer_reads_back_as_it_was_written_and_bad_bytes_are_an_error() {
        let answer = Answer { id: 7, caption: "Café ☕".into() };
        let bytes = <JsonText as Encodes<Answer>>::encode(&answer).unwrap();
        assert_eq!(&bytes[..], "{\"id\":7,\"caption\":\"Café ☕\"}".as_bytes());
        assert_eq!(<JsonText as Decodes<Answer>>::decode(bytes).unwrap(), answer);
        assert!(<JsonText as Decodes<Answer>>::decode(Bytes::from_static(b"{\"id\":7,\"caption\":\"\xff\"}")).is_err());
    }
}
