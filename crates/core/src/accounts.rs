//! Creators' accounts: sign-up with argon2id password hashes, sign-in throttled per account and
//! per address, sessions stored in PostgreSQL under the SHA-256 of their cookie token.

use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::{Error, Result};

pub const MIN_PASSWORD_CHARS: usize = 10;

/// A signed-in creator, as pages and server functions see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
}

/// The cookie's value: random, shown to the browser once, stored only as a hash.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn from_cookie(value: &str) -> Self {
        SessionToken(value.to_string())
    }
    pub fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }
    fn generate() -> Self {
        SessionToken(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(crate::crypto::random_bytes::<32>()))
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

/// Set on every request by the session middleware: who is signed in, and the cookie's token.
#[derive(Clone, Debug, Default)]
pub struct CurrentSession {
    pub user: Option<User>,
    pub token: Option<SessionToken>,
}

pub const SESSION_COOKIE: &str = "crealia_session";

/// The `Set-Cookie` value for a new session (`None`: expire the cookie).
pub fn session_cookie(token: Option<&SessionToken>, max_age_secs: u64, secure: bool) -> String {
    let (value, age) = match token {
        Some(t) => (t.as_str().to_string(), max_age_secs),
        None => (String::new(), 0),
    };
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={age}{}", if secure { "; Secure" } else { "" })
}

/// The session token in a `Cookie` header, if any.
pub fn token_from_cookie_header(header: &str) -> Option<SessionToken> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| SessionToken::from_cookie(value))
}

#[derive(Clone, Debug)]
pub struct ThrottlePolicy {
    pub window: Duration,
    pub per_account: i64,
    pub per_address: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy { window: Duration::from_secs(15 * 60), per_account: 5, per_address: 20 }
    }
}

#[derive(Clone)]
pub struct Accounts {
    db: PgPool,
    throttle: ThrottlePolicy,
    session_lifetime: Duration,
}

fn normalise_email(email: &str) -> Result<String> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'))
        && !email.contains(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(Error::Invalid("Enter an email address such as you@example.com.".into()))
    }
}

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

impl Accounts {
    pub fn new(db: PgPool) -> Self {
        Accounts { db, throttle: ThrottlePolicy::default(), session_lifetime: Duration::from_secs(30 * 24 * 3600) }
    }

    pub fn with_throttle(mut self, throttle: ThrottlePolicy) -> Self {
        self.throttle = throttle;
        self
    }

    pub fn session_lifetime(&self) -> Duration {
        self.session_lifetime
    }

    /// Creates an account. The password needs 10 characters or more.
    pub async fn sign_up(&self, email: &str, password: &str, display_name: &str) -> Result<User> {
        let email = normalise_email(email)?;
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(Error::Invalid(format!("Choose a password of at least {MIN_PASSWORD_CHARS} characters.")));
        }
        let hash = hash_password(password)?;
        let name = if display_name.trim().is_empty() { email.split('@').next().unwrap_or_default().to_string() } else { display_name.trim().to_string() };
        let row: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO users (email, display_name, password_hash) VALUES ($1, $2, $3)
             ON CONFLICT ((lower(email))) DO NOTHING RETURNING id",
        )
        .bind(&email)
        .bind(&name)
        .bind(&hash)
        .fetch_optional(&self.db)
        .await?;
        match row {
            Some((id,)) => Ok(User { id, email, display_name: name }),
            None => Err(Error::Invalid("An account with this email already exists. Sign in instead.".into())),
        }
    }

    /// Sets a password on an account (the demo creator's, from `seed`).
    pub async fn set_password(&self, email: &str, password: &str) -> Result<()> {
        let hash = hash_password(password)?;
        sqlx::query("UPDATE users SET password_hash = $2, updated_at = now() WHERE lower(email) = lower($1)")
            .bind(email)
            .bind(hash)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Checks the password, then opens a new session (a fresh id at every sign-in; `previous`,
    /// the session the browser had, is closed). Too many failures in the window → Throttled.
    pub async fn sign_in(&self, email: &str, password: &str, address: &str, previous: Option<&SessionToken>) -> Result<(User, SessionToken)> {
        let email = email.trim().to_lowercase();
        let window_secs = self.throttle.window.as_secs() as f64;
        let (by_account, by_address): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE lower(email) = $1), count(*) FILTER (WHERE address = $2)
             FROM sign_in_attempts
             WHERE NOT succeeded AND attempted_at > now() - make_interval(secs => $3)",
        )
        .bind(&email)
        .bind(address)
        .bind(window_secs)
        .fetch_one(&self.db)
        .await?;
        if by_account >= self.throttle.per_account || by_address >= self.throttle.per_address {
            return Err(Error::Throttled { retry_after_secs: self.throttle.window.as_secs() });
        }

        let row: Option<(i64, String, String, Option<String>)> =
            sqlx::query_as("SELECT id, email, display_name, password_hash FROM users WHERE lower(email) = $1")
                .bind(&email)
                .fetch_optional(&self.db)
                .await?;
        // Verify against a dummy hash when the account does not exist, so timing tells nothing.
        let ok = match &row {
            Some((_, _, _, Some(hash))) => verify_password(password, hash),
            _ => {
                verify_password(password, DUMMY_HASH);
                false
            }
        };
        sqlx::query("INSERT INTO sign_in_attempts (email, address, succeeded) VALUES ($1, $2, $3)")
            .bind(&email)
            .bind(address)
            .bind(ok)
            .execute(&self.db)
            .await?;
        let Some((id, email, display_name, _)) = row.filter(|_| ok) else {
            return Err(Error::InvalidCredentials);
        };

        if let Some(previous) = previous {
            self.sign_out(previous).await?;
        }
        let token = SessionToken::generate();
        sqlx::query("INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))")
            .bind(token.hash())
            .bind(id)
            .bind(self.session_lifetime.as_secs() as f64)
            .execute(&self.db)
            .await?;
        Ok((User { id, email, display_name }, token))
    }

    /// The user of a live session, if any.
    pub async fn session_user(&self, token: &SessionToken) -> Result<Option<User>> {
        let row: Option<(i64, String, String)> = sqlx::query_as(
            "UPDATE sessions s SET last_seen_at = now() FROM users u
             WHERE s.token_hash = $1 AND s.expires_at > now() AND u.id = s.user_id
             RETURNING u.id, u.email, u.display_name",
        )
        .bind(token.hash())
        .fetch_optional(&self.db)
        .await?;
        Ok(row.map(|(id, email, display_name)| User { id, email, display_name }))
    }

    /// The time zone the creator last scheduled in (an IANA name), if any.
    pub async fn time_zone(&self, user_id: i64) -> Result<Option<String>> {
        let row: Option<(Option<String>,)> = sqlx::query_as("SELECT time_zone FROM users WHERE id = $1").bind(user_id).fetch_optional(&self.db).await?;
        Ok(row.and_then(|r| r.0))
    }

    /// Remembers the creator's time zone for the next time they schedule.
    pub async fn set_time_zone(&self, user_id: i64, time_zone: &str) -> Result<()> {
        if !crate::publishing::is_time_zone(time_zone) {
            return Err(Error::Invalid(format!("“{time_zone}” is not a time zone Crealia knows.")));
        }
        sqlx::query("UPDATE users SET time_zone = $2 WHERE id = $1").bind(user_id).bind(time_zone).execute(&self.db).await?;
        Ok(())
    }

    pub async fn sign_out(&self, token: &SessionToken) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token.hash()).execute(&self.db).await?;
        Ok(())
    }
}

/// An argon2id hash of a random password, for constant-ish time on unknown emails.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4tP6XkS1yNQJ0r8ZpS3mVw1PzW3m3c9p2mWcG6H5C0Y";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(normalise_email("  Ana@Example.COM ").unwrap(), "ana@example.com");
        assert!(normalise_email("ana@localhost").is_err());
        assert!(normalise_email("not an email").is_err());
    }

    #[test]
    fn the_dummy_hash_parses_so_unknown_emails_cost_a_real_verification() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn session_cookies_are_http_only_lax_and_secure_over_https() {
        let token = SessionToken::from_cookie("abc");
        let cookie = session_cookie(Some(&token), 60, true);
        assert_eq!(cookie, "crealia_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure");
        assert!(!session_cookie(Some(&token), 60, false).contains("Secure"));
        assert_eq!(token_from_cookie_header("a=1; crealia_session=abc; b=2").unwrap().as_str(), "abc");
        assert!(token_from_cookie_header("crealia_session=").is_none());
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
    }
}
