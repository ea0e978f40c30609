//! `X-Hub-Signature-256`: HMAC-SHA256 of the raw body under the app secret, compared in
//! constant time (`hmac`'s `verify_slice`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    #[error("the X-Hub-Signature-256 header is not `sha256=` and 64 hex digits")]
    Malformed,
    #[error("the signature does not match the body")]
    Mismatch,
}

/// Checks `header` (`sha256=<hex>`) against `body` signed with `secret`.
pub fn verify(secret: &[u8], header: Option<&str>, body: &[u8]) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let hex_digest = header.trim().strip_prefix("sha256=").ok_or(SignatureError::Malformed)?;
    let expected = hex::decode(hex_digest).map_err(|_| SignatureError::Malformed)?;
    if expected.len() != 32 {
        // A truncated digest is refused whatever its prefix matches.
        return Err(SignatureError::Mismatch);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    mac.verify_slice(&expected).map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &[u8], body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn accepts_only_the_exact_signature() {
        let body = br#"{"entry":[]}"#;
        let good = sign(b"secret", body);
        assert_eq!(verify(b"secret", Some(&good), body), Ok(()));
        assert_eq!(verify(b"other", Some(&good), body), Err(SignatureError::Mismatch));
        assert_eq!(verify(b"secret", Some(&good), br#"{"entry":[1]}"#), Err(SignatureError::Mismatch));
        assert_eq!(verify(b"secret", None, body), Err(SignatureError::Missing));
        assert_eq!(verify(b"secret", Some(&good[..good.len() - 2]), body), Err(SignatureError::Mismatch));
        assert_eq!(verify(b"secret", Some(&good[..good.len() - 1]), body), Err(SignatureError::Malformed));
        assert_eq!(verify(b"secret", Some(&good.replace("sha256=", "sha1=")), body), Err(SignatureError::Malformed));
    }
}
