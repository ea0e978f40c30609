//! Instagram tokens at rest: AES-256-GCM, the connection id as associated data (a ciphertext
//! copied onto another row does not decrypt), and a key id beside each ciphertext so keys can
//! rotate. Plain tokens live only in [`SecretToken`], whose `Debug` hides them.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use thiserror::Error;

const NONCE_LEN: usize = 12;

/// `N` bytes from the operating system's random source (session tokens, file names).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    use aes_gcm::aead::rand_core::RngCore;
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the key must be 32 bytes, base64-encoded (try: openssl rand -base64 32)")]
    BadKey,
    #[error("no key with id {0} is configured; add the retired key to TOKEN_ENCRYPTION_RETIRED_KEYS")]
    UnknownKey(String),
    #[error("the ciphertext does not decrypt under its key and connection")]
    Corrupt,
}

/// A plain token: never logged (its `Debug` is redacted), never serialised, wiped from memory
/// when dropped (`secrecy`).
#[derive(Clone)]
pub struct SecretToken(SecretString);

impl SecretToken {
    pub fn new(token: impl Into<String>) -> Self {
        SecretToken(SecretString::from(token.into()))
    }
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretToken([redacted])")
    }
}

/// In constant time.
impl PartialEq for SecretToken {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.expose().as_bytes().ct_eq(other.expose().as_bytes()).into()
    }
}

impl Eq for SecretToken {}

#[derive(Clone)]
pub struct TokenKey {
    id: String,
    cipher: Aes256Gcm,
}

impl TokenKey {
    /// From 32 bytes in base64; its id is the start of the key's SHA-256.
    pub fn from_base64(encoded: &str) -> Result<Self, CryptoError> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).map_err(|_| CryptoError::BadKey)?;
        Self::from_bytes(&bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != 32 {
            return Err(CryptoError::BadKey);
        }
        let id = hex::encode(&Sha256::digest(bytes)[..6]);
        Ok(TokenKey { id, cipher: Aes256Gcm::new_from_slice(bytes).map_err(|_| CryptoError::BadKey)? })
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Clone)]
pub struct TokenCipher {
    current: TokenKey,
    retired: Vec<TokenKey>,
}

fn aad(connection_id: i64) -> Vec<u8> {
    format!("crealia:instagram_connection:{connection_id}").into_bytes()
}

impl TokenCipher {
    pub fn new(current: TokenKey, retired: Vec<TokenKey>) -> Self {
        TokenCipher { current, retired }
    }

    pub fn current_key_id(&self) -> &str {
        &self.current.id
    }

    /// `nonce || ciphertext || tag` under the current key, and that key's id.
    pub fn encrypt(&self, connection_id: i64, token: &SecretToken) -> (Vec<u8>, String) {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self
            .current
            .cipher
            .encrypt(&nonce, Payload { msg: token.expose().as_bytes(), aad: &aad(connection_id) })
            .expect("AES-GCM encryption of a short message cannot fail");
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&sealed);
        (blob, self.current.id.clone())
    }

    pub fn decrypt(&self, connection_id: i64, key_id: &str, blob: &[u8]) -> Result<SecretToken, CryptoError> {
        let key = std::iter::once(&self.current).chain(&self.retired).find(|k| k.id == key_id).ok_or_else(|| CryptoError::UnknownKey(key_id.to_string()))?;
        if blob.len() <= NONCE_LEN {
            return Err(CryptoError::Corrupt);
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        let plain = key.cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad: &aad(connection_id) }).map_err(|_| CryptoError::Corrupt)?;
        String::from_utf8(plain).map(SecretToken::new).map_err(|_| CryptoError::Corrupt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> TokenKey {
        TokenKey::from_bytes(&[byte; 32]).unwrap()
    }

    #[test]
    fn a_token_round_trips_and_is_bound_to_its_connection() {
        let cipher = TokenCipher::new(key(1), vec![]);
        let token = SecretToken::new("IGAAsecret-token");
        let (blob, key_id) = cipher.encrypt(7, &token);
        assert!(!blob.windows(6).any(|w| w == b"IGAAse"), "no plaintext in the ciphertext");
        assert_eq!(cipher.decrypt(7, &key_id, &blob).unwrap(), token);
        assert_eq!(cipher.decrypt(8, &key_id, &blob), Err(CryptoError::Corrupt), "another row's id does not decrypt it");
        let (again, _) = cipher.encrypt(7, &token);
        assert_ne!(blob, again, "a fresh nonce every time");
    }

    #[test]
    fn retired_keys_still_decrypt_and_unknown_ones_are_named() {
        let old = TokenCipher::new(key(1), vec![]);
        let (blob, old_id) = old.encrypt(3, &SecretToken::new("t"));
        let rotated = TokenCipher::new(key(2), vec![key(1)]);
        assert_eq!(rotated.decrypt(3, &old_id, &blob).unwrap().expose(), "t");
        assert_ne!(rotated.current_key_id(), old_id);
        let forgotten = TokenCipher::new(key(2), vec![]);
        assert!(matches!(forgotten.decrypt(3, &old_id, &blob), Err(CryptoError::UnknownKey(_))));
    }

    #[test]
    fn secrets_never_show_in_debug_output_and_keys_are_checked() {
        assert!(!format!("{:?}", SecretToken::new("IGAAsecret")).contains("IGAA"));
        assert_eq!(TokenKey::from_base64("c2hvcnQ=").err(), Some(CryptoError::BadKey));
    }
}
