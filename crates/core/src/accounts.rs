//! Creators' accounts: sign-up with argon2id password hashes, sign-in throttled per account and
//! per address, sessions stored in PostgreSQL under the SHA-256 of their cookie token.

use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::lookups::{Hub, NotifiedCache};
use crate::{Error, Result};
use crealia_model::language::Language;
use crealia_model::problem::Problem;

pub const MIN_PASSWORD_CHARS: usize = 10;

/// A signed-in creator, as pages and server functions see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
}

/// The cookie's value: random, shown to the browser once, stored only as a hash; never logged
/// (its `Debug` is redacted) and wiped from memory when dropped (`secrecy`).
#[derive(Clone)]
pub struct SessionToken(SecretString);

impl SessionToken {
    pub fn as_str(&self) -> &str {
        self.0.expose_secret()
    }
    pub fn from_cookie(value: &str) -> Self {
        SessionToken(SecretString::from(value))
    }
    pub fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.as_str().as_bytes()).to_vec()
    }
    fn generate() -> Self {
        SessionToken(SecretString::from(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(crate::crypto::random_bytes::<32>())))
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

/// In constant time.
impl PartialEq for SessionToken {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.as_str().as_bytes().ct_eq(other.as_str().as_bytes()).into()
    }
}

impl Eq for SessionToken {}

/// Set on every request by the session middleware: who is signed in, and the cookie's token.
#[derive(Clone, Debug, Default)]
pub struct CurrentSession {
    pub user: Option<User>,
    pub token: Option<SessionToken>,
}

/// Set on every request by the server: the client's address (the peer's, or the one a trusted
/// proxy names), which sign-in and sign-up throttle by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);

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

/// How sign-in and sign-up are slowed down against guessing and enumeration.
#[derive(Clone, Debug)]
pub struct ThrottlePolicy {
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// Failures for one account before each further try must wait (doubling, up to
    /// `max_account_delay`): it slows a guesser down without locking the creator out, and an
    /// address the creator signed in from before is never slowed by it.
    pub per_account: i64,
    pub max_account_delay: Duration,
    /// Failures from one client address in the window before it must wait the window out.
    pub per_address: i64,
    /// Sign-ups from one client address per hour.
    pub sign_ups_per_hour: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            window: Duration::from_secs(15 * 60),
            per_account: 5,
            max_account_delay: Duration::from_secs(5 * 60),
            per_address: 20,
            sign_ups_per_hour: 10,
        }
    }
}

/// What throttling counts an address as: an IPv4 address itself, an IPv6 address by its /64
/// (one subscriber's network: anyone holding one can use millions of its addresses).
pub fn throttle_bucket(address: &str) -> String {
    match address.parse::<std::net::IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(v4) => v4.to_string(),
        Err(_) => address.to_string(),
    }
}

/// The wait before the next sign-in to an account after `failures` recent failures.
pub fn account_delay(policy: &ThrottlePolicy, failures: i64) -> Duration {
    if failures < policy.per_account {
        return Duration::ZERO;
    }
    let doublings = (failures - policy.per_account).min(20) as u32;
    Duration::from_secs(1u64 << (doublings + 1)).min(policy.max_account_delay)
}

/// argon2 takes tens of milliseconds of CPU and 19 MiB: it runs on the blocking pool, never on
/// the async workers, and at most on all cores but one at a time, so a flood of sign-ins leaves
/// a core to everything else (webhooks, pages). A hash that waits too long for its turn is
/// refused as busy rather than queued without end.
async fn argon2_blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let permits = PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1))
    });
    let _permit = match tokio::time::timeout(Duration::from_secs(10), permits.acquire()).await {
        Ok(Ok(permit)) => permit,
        _ => return Err(Error::Unavailable("Crealia is very busy signing people in.".into())),
    };
    tokio::task::spawn_blocking(work).await.map_err(|e| Error::Internal(format!("password task: {e}")))
}

/// [`hash_password`] off the async workers.
pub async fn hash_password_blocking(password: &str) -> Result<String> {
    let password = password.to_string();
    argon2_blocking(move || hash_password(&password)).await?
}

/// Whether `password` matches `hash` (None: check a dummy hash, so an unknown email takes as
/// long as a known one), off the async workers.
async fn verify_password_blocking(password: &str, hash: Option<String>) -> Result<bool> {
    let password = password.to_string();
    argon2_blocking(move || match hash {
        Some(hash) => verify_password(&password, &hash),
        None => {
            verify_password(&password, DUMMY_HASH);
            false
        }
    })
    .await
}

#[derive(Clone)]
pub struct Accounts {
    db: PgPool,
    throttle: ThrottlePolicy,
    session_lifetime: Duration,
    /// Live sessions by token hash, kept in this process ([`crate::lookups`]).
    sessions: NotifiedCache<Vec<u8>, Session>,
    /// Each creator's time zone (every page showing a time reads it), kept the same way.
    time_zones: NotifiedCache<i64, Option<String>>,
}

/// A live session as a request sees it.
#[derive(Clone)]
struct Session {
    user: User,
    expires_at: chrono::DateTime<chrono::Utc>,
    /// When this process last wrote its `last_seen_at`.
    seen_at: std::time::Instant,
}

/// A session's `last_seen_at` is written at most this often (by each process).
const SEEN_EVERY: Duration = Duration::from_secs(60);

fn normalise_email(email: &str) -> Result<String> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'))
        && !email.contains(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(Error::Refused(Problem::EmailInvalid))
    }
}

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

impl Accounts {
    pub fn new(db: PgPool) -> Self {
        Self::with_hub(db.clone(), &Hub::new(db))
    }

    /// Accounts whose sessions are dropped through `hub` (the process's one listener).
    pub fn with_hub(db: PgPool, hub: &Hub) -> Self {
        let sessions = NotifiedCache::new(hub, "session", |key| hex::decode(key).ok());
        let time_zones = NotifiedCache::new(hub, "time_zone", |key| key.parse().ok());
        Accounts { db, throttle: ThrottlePolicy::default(), session_lifetime: Duration::from_secs(30 * 24 * 3600), sessions, time_zones }
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
            return Err(Error::Refused(Problem::PasswordTooShort { min: MIN_PASSWORD_CHARS }));
        }
        let hash = hash_password_blocking(password).await?;
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
            None => Err(Error::Refused(Problem::EmailUnavailable)),
        }
    }

    /// Sign-up as a visitor does it: at most [`ThrottlePolicy::sign_ups_per_hour`] from one
    /// address; a taken email is refused without saying it has an account, after the same
    /// work as a new one (a hash).
    pub async fn register(&self, email: &str, password: &str, display_name: &str, address: &str) -> Result<User> {
        let address = throttle_bucket(address);
        let mut tx = self.db.begin().await?;
        crate::db::xact_lock(&mut tx, &format!("sign_up_from:{address}")).await?;
        let recent: i64 = sqlx::query_scalar("SELECT count(*) FROM sign_up_attempts WHERE address = $1 AND attempted_at > now() - interval '1 hour'")
            .bind(&address)
            .fetch_one(&mut *tx)
            .await?;
        if recent >= self.throttle.sign_ups_per_hour {
            return Err(Error::Throttled { retry_after_secs: 3_600 });
        }
        sqlx::query("INSERT INTO sign_up_attempts (address) VALUES ($1)").bind(&address).execute(&mut *tx).await?;
        tx.commit().await?;
        self.sign_up(email, password, display_name).await
    }

    /// Sets a password on an account (the demo creator's, from `seed`).
    pub async fn set_password(&self, email: &str, password: &str) -> Result<()> {
        let hash = hash_password_blocking(password).await?;
        sqlx::query("UPDATE users SET password_hash = $2, updated_at = now() WHERE lower(email) = lower($1)").bind(email).bind(hash).execute(&self.db).await?;
        Ok(())
    }

    /// Checks the password, then opens a new session (a fresh id at every sign-in; `previous`,
    /// the session the browser had, is closed). Too many failures from the address, or for the
    /// account from an address it never signed in from, → Throttled with the wait.
    pub async fn sign_in(&self, email: &str, password: &str, address: &str, previous: Option<&SessionToken>) -> Result<(User, SessionToken)> {
        let email = email.trim().to_lowercase();
        let address = throttle_bucket(address);
        let window_secs = self.throttle.window.as_secs() as f64;
        // Checking and recording hold the account's and the address's locks, and the attempt
        // is recorded as a failure before the password is checked: a burst of simultaneous
        // guesses is counted one by one, not all against the same empty count.
        let mut tx = self.db.begin().await?;
        crate::db::xact_lock(&mut tx, &format!("sign_in:{email}")).await?;
        crate::db::xact_lock(&mut tx, &format!("sign_in_from:{address}")).await?;
        let (by_account, by_address, since_last, known_address): (i64, i64, Option<f64>, bool) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE lower(email) = $1 AND NOT succeeded AND attempted_at > now() - make_interval(secs => $3)),
                    count(*) FILTER (WHERE address = $2 AND NOT succeeded AND attempted_at > now() - make_interval(secs => $3)),
                    extract(epoch FROM now() - max(attempted_at) FILTER (WHERE lower(email) = $1 AND NOT succeeded))::float8,
                    EXISTS (SELECT 1 FROM sign_in_attempts k WHERE lower(k.email) = $1 AND k.address = $2 AND k.succeeded)
             FROM sign_in_attempts
             WHERE attempted_at > now() - make_interval(secs => $3)",
        )
        .bind(&email)
        .bind(&address)
        .bind(window_secs)
        .fetch_one(&mut *tx)
        .await?;
        if by_address >= self.throttle.per_address {
            return Err(Error::Throttled { retry_after_secs: self.throttle.window.as_secs() });
        }
        if !known_address {
            let delay = account_delay(&self.throttle, by_account).as_secs_f64();
            let waited = since_last.unwrap_or(f64::MAX);
            if waited < delay {
                return Err(Error::Throttled { retry_after_secs: (delay - waited).ceil().max(1.0) as u64 });
            }
        }
        let attempt: i64 = sqlx::query_scalar("INSERT INTO sign_in_attempts (email, address, succeeded) VALUES ($1, $2, false) RETURNING id")
            .bind(&email)
            .bind(&address)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;

        let row: Option<(i64, String, String, Option<String>)> =
            sqlx::query_as("SELECT id, email, display_name, password_hash FROM users WHERE lower(email) = $1").bind(&email).fetch_optional(&self.db).await?;
        let ok = verify_password_blocking(password, row.as_ref().and_then(|r| r.3.clone())).await?;
        if ok {
            sqlx::query("UPDATE sign_in_attempts SET succeeded = true WHERE id = $1").bind(attempt).execute(&self.db).await?;
        }
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

    /// The user of a live session, if any: from this process's lookups when it is there (no
    /// query at all, but the `last_seen_at` write at most once a [`SEEN_EVERY`]), else one query.
    pub async fn session_user(&self, token: &SessionToken) -> Result<Option<User>> {
        let hash = token.hash();
        let mark = self.sessions.mark(&hash);
        if let Some(session) = self.sessions.get(&hash) {
            if session.expires_at <= chrono::Utc::now() {
                self.sessions.forget(&hash);
                return Ok(None);
            }
            if session.seen_at.elapsed() < SEEN_EVERY {
                return Ok(Some(session.user));
            }
        }
        let row: Option<(i64, String, String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
            "UPDATE sessions s SET last_seen_at = now() FROM users u
             WHERE s.token_hash = $1 AND s.expires_at > now() AND u.id = s.user_id
             RETURNING u.id, u.email, u.display_name, s.expires_at",
        )
        .bind(&hash)
        .fetch_optional(&self.db)
        .await?;
        let Some((id, email, display_name, expires_at)) = row else {
            self.sessions.forget(&hash);
            return Ok(None);
        };
        let user = User { id, email, display_name };
        self.sessions.keep(mark, hash, Session { user: user.clone(), expires_at, seen_at: std::time::Instant::now() });
        Ok(Some(user))
    }

    /// The time zone the creator last scheduled in (an IANA name), if any.
    /// Kept in this process until it changes ([`crate::lookups`]).
    pub async fn time_zone(&self, user_id: i64) -> Result<Option<String>> {
        let mark = self.time_zones.mark(&user_id);
        if let Some(kept) = self.time_zones.get(&user_id) {
            return Ok(kept);
        }
        let row: Option<(Option<String>,)> = sqlx::query_as("SELECT time_zone FROM users WHERE id = $1").bind(user_id).fetch_optional(&self.db).await?;
        let time_zone = row.and_then(|r| r.0);
        self.time_zones.keep(mark, user_id, time_zone.clone());
        Ok(time_zone)
    }

    /// Remembers the creator's time zone for the next time they schedule.
    pub async fn set_time_zone(&self, user_id: i64, time_zone: &str) -> Result<()> {
        if !crate::time_zones::is_time_zone(time_zone) {
            return Err(Error::Refused(crealia_model::problem::Problem::UnknownTimeZone { zone: time_zone.to_string() }));
        }
        sqlx::query("UPDATE users SET time_zone = $2 WHERE id = $1").bind(user_id).bind(time_zone).execute(&self.db).await?;
        self.time_zones.forget(&user_id);
        Ok(())
    }

    /// The language the creator chose, if any (`None`: follow the browser).
    pub async fn language(&self, user_id: i64) -> Result<Option<Language>> {
        let row: Option<(Option<String>,)> = sqlx::query_as("SELECT language FROM users WHERE id = $1").bind(user_id).fetch_optional(&self.db).await?;
        Ok(row.and_then(|r| r.0).as_deref().and_then(Language::from_code))
    }

    /// Remembers the creator's language, for every browser they sign in from.
    pub async fn set_language(&self, user_id: i64, language: Language) -> Result<()> {
        sqlx::query("UPDATE users SET language = $2 WHERE id = $1").bind(user_id).bind(language.code()).execute(&self.db).await?;
        Ok(())
    }

    /// Ends the session, on every server: here at once, elsewhere when the deletion's
    /// notification arrives.
    pub async fn sign_out(&self, token: &SessionToken) -> Result<()> {
        let hash = token.hash();
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(&hash).execute(&self.db).await?;
        self.sessions.forget(&hash);
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
    fn repeated_failures_slow_an_account_down_without_locking_it() {
        let policy = ThrottlePolicy::default();
        assert_eq!(account_delay(&policy, 4), Duration::ZERO);
        assert_eq!(account_delay(&policy, 5), Duration::from_secs(2));
        assert_eq!(account_delay(&policy, 6), Duration::from_secs(4));
        assert_eq!(account_delay(&policy, 500), policy.max_account_delay, "never more than the cap");
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_network() {
        assert_eq!(throttle_bucket("2001:db8:1:2:aaaa::1"), throttle_bucket("2001:db8:1:2:ffff::9"));
        assert_ne!(throttle_bucket("2001:db8:1:2::1"), throttle_bucket("2001:db8:1:3::1"));
        assert_eq!(throttle_bucket("::ffff:203.0.113.7"), "203.0.113.7", "IPv4 seen through a dual-stack socket");
        assert_eq!(throttle_bucket("203.0.113.7"), "203.0.113.7");
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
    }
}
