//! Personal API tokens: a creator's own keys to the JSON API (scripts, Zapier-like tools).
//! A token is 32 random bytes shown once, when made, and stored only as its SHA-256; it
//! carries scopes (read, publish, inbox), records when it was last used (at most once a
//! minute), and stops working the moment it is revoked.

use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use crealia_model::api_tokens::{ApiTokenView, NewApiToken, Scope};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::accounts::User;
use crate::{Error, Result};
use crealia_model::problem::Problem;

/// What every token's value starts with (so a leaked one is recognisable, e.g. by secret
/// scanners), then 43 characters of base64url.
pub const PREFIX: &str = "crealia_pat_";
/// Tokens one creator may hold at a time.
pub const MAX_PER_USER: i64 = 20;
/// `last_used_at` is written at most this often per token.
const USED_EVERY: Duration = Duration::from_secs(60);

/// A token's value as presented (never logged; compared only as its hash).
pub struct PresentedToken(SecretString);

impl PresentedToken {
    pub fn new(value: &str) -> Self {
        PresentedToken(SecretString::from(value))
    }

    /// Whether it looks like one of ours at all (cheap, before any lookup).
    pub fn is_well_formed(&self) -> bool {
        let v = self.0.expose_secret();
        v.len() == PREFIX.len() + 43 && v.starts_with(PREFIX)
    }

    fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0.expose_secret().as_bytes()).to_vec()
    }
}

/// Who a token speaks for, and what it may do.
#[derive(Clone, Debug)]
pub struct TokenAccess {
    pub token_id: i64,
    pub user: User,
    pub scopes: Vec<Scope>,
}

impl TokenAccess {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

#[derive(Clone)]
pub struct ApiTokens {
    db: PgPool,
}

type Row = (i64, String, Vec<String>, DateTime<Utc>, Option<DateTime<Utc>>);

fn view((id, name, scopes, created_at, last_used_at): Row) -> ApiTokenView {
    let mut scopes: Vec<Scope> = scopes.iter().filter_map(|s| Scope::parse(s)).collect();
    scopes.sort();
    ApiTokenView { id, name, scopes, created_at, last_used_at }
}

impl ApiTokens {
    pub fn new(db: PgPool) -> Self {
        ApiTokens { db }
    }

    /// Makes a token; its value is in the answer and nowhere else, ever.
    pub async fn create(&self, user_id: i64, name: &str, scopes: &[Scope]) -> Result<NewApiToken> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
            return Err(Error::Refused(Problem::TokenName));
        }
        let mut scopes: Vec<Scope> = scopes.to_vec();
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() {
            return Err(Error::Refused(Problem::TokenNoScope));
        }
        let value = format!("{PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(crate::crypto::random_bytes::<32>()));
        let hash = PresentedToken::new(&value).hash();
        let names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
        // The creator's row is locked while counting: two requests at once cannot pass the limit.
        let mut tx = self.db.begin().await?;
        sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE").bind(user_id).execute(&mut *tx).await?;
        let row: Option<Row> = sqlx::query_as(
            "INSERT INTO api_tokens (user_id, name, token_sha256, scopes)
             SELECT $1, $2, $3, $4 WHERE (SELECT count(*) FROM api_tokens WHERE user_id = $1) < $5
             RETURNING id, name, scopes, created_at, last_used_at",
        )
        .bind(user_id)
        .bind(name)
        .bind(&hash)
        .bind(&names)
        .bind(MAX_PER_USER)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        let Some(row) = row else {
            return Err(Error::Refused(Problem::TooManyTokens { max: MAX_PER_USER as usize }));
        };
        tracing::info!(user_id, token_id = row.0, scopes = ?names, "API token created");
        Ok(NewApiToken { token: view(row), value })
    }

    /// The creator's tokens that still work, newest first.
    pub async fn list(&self, user_id: i64) -> Result<Vec<ApiTokenView>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, name, scopes, created_at, last_used_at FROM api_tokens
             WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(user_id)
        .fetch_all(&self.db)
        .await?;
        Ok(rows.into_iter().map(view).collect())
    }

    /// Revokes one of the creator's tokens (another creator's is not found): its row goes, so
    /// making and revoking tokens in a loop leaves nothing behind.
    pub async fn revoke(&self, user_id: i64, token_id: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2").bind(token_id).bind(user_id).execute(&self.db).await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        tracing::info!(user_id, token_id, "API token revoked");
        Ok(())
    }

    /// Who a presented token speaks for; None when it is unknown or was revoked.
    pub async fn authenticate(&self, presented: &PresentedToken) -> Result<Option<TokenAccess>> {
        if !presented.is_well_formed() {
            return Ok(None);
        }
        let row: Option<(i64, Vec<String>, Option<DateTime<Utc>>, i64, String, String)> = sqlx::query_as(
            "SELECT t.id, t.scopes, t.last_used_at, u.id, u.email, u.display_name
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_sha256 = $1",
        )
        .bind(presented.hash())
        .fetch_optional(&self.db)
        .await?;
        let Some((token_id, scopes, last_used_at, id, email, display_name)) = row else {
            return Ok(None);
        };
        let stale = last_used_at.is_none_or(|at| Utc::now() - at > chrono::Duration::from_std(USED_EVERY).unwrap_or_default());
        if stale {
            sqlx::query("UPDATE api_tokens SET last_used_at = now() WHERE id = $1").bind(token_id).execute(&self.db).await?;
        }
        Ok(Some(TokenAccess { token_id, user: User { id, email, display_name }, scopes: scopes.iter().filter_map(|s| Scope::parse(s)).collect() }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_values_of_our_shape_are_looked_up() {
        assert!(PresentedToken::new(&format!("{PREFIX}{}", "a".repeat(43))).is_well_formed());
        assert!(!PresentedToken::new("crealia_pat_short").is_well_formed());
        assert!(!PresentedToken::new(&"x".repeat(55)).is_well_formed());
    }
}
