//! Instagram connections: the Instagram Login flow (state bound to the session), the token
//! exchanges, storing the long-lived token encrypted, listing and disconnecting. Every query
//! is scoped to the signed-in user. A connection ready for Graph API calls is an
//! [`crate::account::Account`] (`Connections::account`, defined there).

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use crealia_graph::client::{Error as GraphError, GraphClient};
use crealia_model::post_note::PostNote;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;

use sqlx::types::Json;
use sqlx::PgPool;
use thiserror::Error;

use crate::account_cache::Generations;
use crate::accounts::SessionToken;
use crate::crypto::{SecretToken, TokenCipher};
use crate::lookups::{Hub, NotifiedCache};
use crate::{Error, Result};

pub use crealia_model::ConnectionState;

/// Instagram Login scopes Crealia asks for: all of them.
pub use crealia_graph::SCOPES;

/// A connection is "expiring soon" this close to its token's end.
pub const EXPIRING_SOON_DAYS: i64 = 10;
const STATE_LIFETIME_MINUTES: i64 = 15;
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionView {
    pub id: i64,
    pub ig_user_id: String,
    pub username: String,
    pub name: Option<String>,
    pub profile_picture_url: Option<String>,
    pub state: ConnectionState,
    pub token_expires_at: Option<DateTime<Utc>>,
    /// What its cache keys carry ([`crate::account_cache`]); not for the browser.
    #[serde(skip)]
    pub generations: Generations,
}

/// Of a creator's connections, the one a dashboard shows (see [`Connections::shown`]).
pub fn pick(connections: &[ConnectionView], connection_id: Option<i64>) -> Result<&ConnectionView> {
    let connection = match connection_id {
        Some(id) => connections.iter().find(|c| c.id == id),
        None => connections.first(),
    }
    .ok_or(Error::NotFound)?;
    if !connection.state.is_usable() {
        return Err(Error::NeedsReconnect);
    }
    Ok(connection)
}

/// Why a connection attempt ended without a connection, each with its own page message.
#[derive(Debug, Error)]
pub enum ConnectError {
    #[error("the person cancelled on Instagram")]
    Denied,
    #[error("the state does not match this session")]
    BadState,
    #[error("Instagram refused the code: {0}")]
    CodeRejected(String),
    #[error("the Instagram account is connected to another Crealia account")]
    OwnedByAnotherUser,
    #[error("the Graph API failed: {0}")]
    Graph(GraphError),
    #[error(transparent)]
    Internal(#[from] Error),
}

impl From<sqlx::Error> for ConnectError {
    fn from(e: sqlx::Error) -> Self {
        ConnectError::Internal(Error::Database(e))
    }
}

impl ConnectError {
    /// A short code for the page's query string.
    pub fn code(&self) -> &'static str {
        match self {
            ConnectError::Denied => "denied",
            ConnectError::BadState => "state",
            ConnectError::CodeRejected(_) => "code",
            ConnectError::OwnedByAnotherUser => "taken",
            ConnectError::Graph(_) => "graph",
            ConnectError::Internal(_) => "internal",
        }
    }
}

fn sha(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

/// What a connection is made of, however it was obtained.
#[derive(Debug)]
pub struct NewConnection {
    pub ig_user_id: String,
    pub app_scoped_id: Option<String>,
    pub username: String,
    pub name: Option<String>,
    pub account_type: Option<String>,
    pub profile_picture_url: Option<String>,
    pub permissions: Vec<String>,
    pub token: SecretToken,
    pub expires_at: DateTime<Utc>,
}

impl NewConnection {
    /// An account whose long-lived token is already in hand (seeding, load tests): every
    /// Instagram Login scope, no profile details yet.
    pub fn from_token(ig_user_id: String, username: String, token: SecretToken, expires_at: DateTime<Utc>) -> Self {
        NewConnection {
            ig_user_id,
            app_scoped_id: None,
            username,
            name: None,
            account_type: Some("BUSINESS".into()),
            profile_picture_url: None,
            permissions: SCOPES.iter().map(|s| s.to_string()).collect(),
            token,
            expires_at,
        }
    }
}

/// The webhook fields Crealia subscribes each connected account to. With Instagram Login,
/// mentions arrive inside `comments` (contract §5), so `mentions` is not asked for.
pub const WEBHOOK_FIELDS: &[&str] = &["comments", "messages"];

#[derive(Clone)]
pub struct Connections {
    db: PgPool,
    cipher: TokenCipher,
    graph: GraphClient,
    redirect_uri: String,
    /// Each creator's connections with their stored tokens, kept in this process
    /// ([`crate::lookups`]).
    cached: NotifiedCache<i64, StoredConnections>,
}

/// A creator's connections with their stored (encrypted) tokens, in the order they are listed.
pub(crate) type StoredConnections = Arc<Vec<(ConnectionView, Option<StoredToken>)>>;

/// When a token that lives `expires_in` seconds from `now` ends, as the Graph API said it;
/// an absurd figure (over a year) is held to a year rather than trusted (or overflowing).
pub(crate) fn expiry_after(now: DateTime<Utc>, expires_in: u64) -> DateTime<Utc> {
    let seconds = i64::try_from(expires_in).unwrap_or(i64::MAX).min(365 * 86_400);
    now + ChronoDuration::seconds(seconds)
}

/// A connection as stored (its state checked: an unknown one is an error, never a guess).
#[derive(sqlx::FromRow)]
struct ConnectionRow {
    id: i64,
    ig_user_id: String,
    username: String,
    name: Option<String>,
    profile_picture_url: Option<String>,
    #[sqlx(try_from = "String")]
    state: ConnectionState,
    token_expires_at: Option<DateTime<Utc>>,
    cache_generation: i64,
    media_cache_generation: i64,
}

/// The columns of a [`ConnectionRow`].
const CONNECTION_COLUMNS: &str = "id, ig_user_id, username, name, profile_picture_url, state, token_expires_at, cache_generation, media_cache_generation";

/// A connection's token as stored: encrypted, under the key it names.
#[derive(Clone)]
pub(crate) struct StoredToken {
    pub ciphertext: Vec<u8>,
    pub key_id: String,
}

impl StoredToken {
    pub fn decrypt(&self, cipher: &TokenCipher, connection_id: i64) -> Result<SecretToken> {
        cipher.decrypt(connection_id, &self.key_id, &self.ciphertext).map_err(|e| Error::Internal(e.to_string()))
    }
}

/// A [`ConnectionRow`] with what its token needs.
#[derive(sqlx::FromRow)]
struct ConnectionWithToken {
    #[sqlx(flatten)]
    row: ConnectionRow,
    token_ciphertext: Option<Vec<u8>>,
    token_key_id: Option<String>,
}

fn view(row: ConnectionRow) -> ConnectionView {
    let state = match (row.state, row.token_expires_at) {
        (ConnectionState::Active, Some(at)) if at - Utc::now() < ChronoDuration::days(EXPIRING_SOON_DAYS) => ConnectionState::ExpiringSoon,
        (state, _) => state,
    };
    ConnectionView {
        id: row.id,
        ig_user_id: row.ig_user_id,
        username: row.username,
        name: row.name,
        profile_picture_url: row.profile_picture_url,
        state,
        token_expires_at: row.token_expires_at,
        generations: Generations { all: row.cache_generation, media: row.media_cache_generation },
    }
}

impl Connections {
    pub fn new(db: PgPool, cipher: TokenCipher, graph: GraphClient, redirect_uri: String) -> Self {
        let cached = NotifiedCache::new(&Hub::new(db.clone()), "user", |key| key.parse().ok());
        Connections { db, cipher, graph, redirect_uri, cached }
    }

    /// Connections whose kept lists are dropped through `hub` (the process's one listener).
    pub fn with_hub(mut self, hub: &Hub) -> Self {
        self.cached = NotifiedCache::new(hub, "user", |key| key.parse().ok());
        self
    }

    /// Drops what this process keeps of the creator's connections (after a change to them:
    /// the change's notification drops it on the other servers).
    pub(crate) fn forget(&self, user_id: i64) {
        self.cached.forget(&user_id);
    }

    /// Drops what this process keeps of every creator's connections (after a job changed many).
    pub(crate) fn forget_all(&self) {
        self.cached.forget_all();
    }

    /// Replaces an account's cache keys for `change` ([`crate::account_cache::invalidate`]),
    /// seen by this process at once.
    pub async fn invalidate_cache(&self, connection_id: i64, change: crate::account_cache::Change) -> Result<()> {
        if let Some(user_id) = crate::account_cache::invalidate(&self.db, connection_id, change).await? {
            self.forget(user_id);
        }
        Ok(())
    }

    pub fn graph(&self) -> &GraphClient {
        &self.graph
    }

    pub(crate) fn db(&self) -> &PgPool {
        &self.db
    }

    pub fn cipher(&self) -> &TokenCipher {
        &self.cipher
    }

    /// Starts the flow: the authorization request (with a fresh random `state`) comes from the
    /// oauth2 crate; the state is stored, hashed, for this session. Returns where to send the
    /// browser. (The code exchange is Crealia's own: Instagram's answer is not RFC 6749's.)
    pub async fn start(&self, user_id: i64, session: &SessionToken) -> Result<url::Url> {
        let endpoints = self.graph.endpoints();
        let client = oauth2::basic::BasicClient::new(oauth2::ClientId::new(self.graph.app_id().to_string()))
            .set_auth_uri(oauth2::AuthUrl::from_url(endpoints.authorize_url.clone()))
            .set_redirect_uri(oauth2::RedirectUrl::new(self.redirect_uri.clone()).map_err(|e| Error::Internal(format!("redirect URI: {e}")))?);
        let (url, state) =
            client.authorize_url(|| oauth2::CsrfToken::new_random_len(24)).add_scopes(SCOPES.iter().map(|s| oauth2::Scope::new(s.to_string()))).url();
        let state = state.secret().clone();
        sqlx::query(
            "INSERT INTO oauth_states (state_hash, session_hash, user_id, expires_at)
             VALUES ($1, $2, $3, now() + make_interval(mins => $4))",
        )
        .bind(sha(state.as_bytes()))
        .bind(session.hash())
        .bind(user_id)
        .bind(STATE_LIFETIME_MINUTES as i32)
        .execute(&self.db)
        .await?;
        Ok(url)
    }

    /// Finishes the flow after Instagram's redirect. `state` must be one this session started
    /// (and is used up); the code becomes a long-lived token, stored encrypted.
    pub async fn complete(&self, session: &SessionToken, state: &str, code: &str) -> std::result::Result<ConnectionView, ConnectError> {
        let row: Option<(i64,)> =
            sqlx::query_as("DELETE FROM oauth_states WHERE state_hash = $1 AND session_hash = $2 AND expires_at > now() RETURNING user_id")
                .bind(sha(state.as_bytes()))
                .bind(session.hash())
                .fetch_optional(&self.db)
                .await?;
        let Some((user_id,)) = row else {
            return Err(ConnectError::BadState);
        };

        let short = self.graph.exchange_code(code, &self.redirect_uri).await.map_err(|e| match e {
            GraphError::OAuth(message) => ConnectError::CodeRejected(message),
            other => ConnectError::Graph(other),
        })?;
        let long = self.graph.exchange_long_lived(&short.access_token).await.map_err(ConnectError::Graph)?;
        let profile = self.graph.me(&long.access_token).await.map_err(ConnectError::Graph)?;
        let ig_user_id = profile.user_id.clone().map(|id| id.0).ok_or_else(|| ConnectError::Graph(GraphError::Decode("/me had no user_id".into())))?;
        // Meta sends this account's comments, mentions and messages to the app's webhook only
        // once subscribed; a failure is logged and the connection stands (it can be redone).
        if let Err(e) = self.graph.subscribe_webhooks(&long.access_token, &ig_user_id, WEBHOOK_FIELDS).await {
            tracing::warn!(error = %e, "could not subscribe the account's webhooks");
        }
        let account = NewConnection {
            ig_user_id,
            app_scoped_id: Some(short.user_id.0.clone()),
            username: profile.username.clone().unwrap_or_default(),
            name: profile.name.clone(),
            account_type: profile.account_type.clone(),
            profile_picture_url: profile.profile_picture_url.clone(),
            permissions: short.permissions.0.clone(),
            token: SecretToken::new(long.access_token),
            expires_at: expiry_after(Utc::now(), long.expires_in),
        };
        self.store(user_id, account).await
    }

    /// Stores a connection for the user. The creator's own row for this Instagram account is
    /// used again when there is one (a reconnect, even after a disconnect, brings its history
    /// back); an account another creator holds live is refused; another creator's disconnected
    /// row stays theirs, with its history, and this creator gets a row of their own.
    pub async fn store(&self, user_id: i64, account: NewConnection) -> std::result::Result<ConnectionView, ConnectError> {
        let mut tx = self.db.begin().await?;
        // Two creators connecting one account at the same moment: one after the other.
        crate::db::xact_lock(&mut tx, &format!("instagram-account:{}", account.ig_user_id)).await?;
        let live_owner: Option<i64> = sqlx::query_scalar("SELECT user_id FROM instagram_connections WHERE ig_user_id = $1 AND state <> 'disconnected'")
            .bind(&account.ig_user_id)
            .fetch_optional(&mut *tx)
            .await?;
        if live_owner.is_some_and(|owner| owner != user_id) {
            return Err(ConnectError::OwnedByAnotherUser);
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO instagram_connections (user_id, ig_user_id, username) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, ig_user_id) DO UPDATE SET updated_at = now() RETURNING id",
        )
        .bind(user_id)
        .bind(&account.ig_user_id)
        .bind(&account.username)
        .fetch_one(&mut *tx)
        .await?;
        let (ciphertext, key_id) = self.cipher.encrypt(id, &account.token);
        let row: ConnectionRow = sqlx::query_as(&format!(
            "UPDATE instagram_connections SET
                app_scoped_id = $2, username = $3, name = $4, account_type = $5, profile_picture_url = $6,
                permissions = $7, token_ciphertext = $8, token_key_id = $9, token_issued_at = now(),
                token_expires_at = $10, refreshed_at = now(), state = 'active', last_error = NULL, disconnected_at = NULL,
                refreshing_until = NULL, updated_at = now()
             WHERE id = $1
             RETURNING {CONNECTION_COLUMNS}"
        ))
        .bind(id)
        .bind(&account.app_scoped_id)
        .bind(&account.username)
        .bind(&account.name)
        .bind(&account.account_type)
        .bind(&account.profile_picture_url)
        .bind(&account.permissions)
        .bind(ciphertext)
        .bind(key_id)
        .bind(account.expires_at)
        .fetch_one(&mut *tx)
        .await?;
        // Inbox items that arrived while nobody had the account connected are the new holder's;
        // those of an earlier holder stay theirs.
        sqlx::query("UPDATE inbox_items SET connection_id = $1 WHERE ig_user_id = $2 AND connection_id IS NULL")
            .bind(id)
            .bind(&account.ig_user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.forget(user_id);
        tracing::info!(connection_id = id, user_id, "Instagram account connected");
        Ok(view(row))
    }

    pub async fn list(&self, user_id: i64) -> Result<Vec<ConnectionView>> {
        Ok(self.with_tokens(user_id).await?.iter().map(|(c, _)| c.clone()).collect())
    }

    /// The account a dashboard shows: the one asked for, or the creator's first. NotFound when
    /// it is not theirs (or they have none), NeedsReconnect when Instagram no longer accepts it.
    pub async fn shown(&self, user_id: i64, connection_id: Option<i64>) -> Result<ConnectionView> {
        pick(&self.list(user_id).await?, connection_id).cloned()
    }

    /// Subscribes every active account to the app's webhooks again (idempotent at Meta). A
    /// sandbox in the server's own process forgets its subscriptions when the server restarts;
    /// this restores them. Returns (subscribed, failed).
    pub async fn resubscribe_webhooks(&self) -> Result<(usize, usize)> {
        let rows: Vec<(i64, String, Vec<u8>, String)> = sqlx::query_as(
            "SELECT id, ig_user_id, token_ciphertext, token_key_id FROM instagram_connections
             WHERE state = 'active' AND token_ciphertext IS NOT NULL AND token_key_id IS NOT NULL",
        )
        .fetch_all(&self.db)
        .await?;
        let (mut subscribed, mut failed) = (0, 0);
        for (id, ig_user_id, blob, key_id) in rows {
            let done = match self.cipher.decrypt(id, &key_id, &blob) {
                Ok(token) => self.graph.subscribe_webhooks(token.expose(), &ig_user_id, WEBHOOK_FIELDS).await.is_ok(),
                Err(_) => false,
            };
            if done {
                subscribed += 1;
            } else {
                failed += 1;
            }
        }
        Ok((subscribed, failed))
    }

    /// Disconnects one of the user's connections: its token is deleted and it is marked
    /// `disconnected`; its posts, media and inbox items stay (a reconnect brings them back).
    /// Posts still waiting to go out are cancelled, with the reason; returns how many. Posts
    /// that may already be on Instagram are the caller's to settle first
    /// ([`crate::publishing::Publishing::disconnect_account`]). Another user's id is NotFound.
    pub async fn disconnect(&self, user_id: i64, connection_id: i64) -> Result<u64> {
        let mut tx = self.db.begin().await?;
        let done = sqlx::query(
            "UPDATE instagram_connections SET state = 'disconnected', token_ciphertext = NULL, token_key_id = NULL,
                refreshing_until = NULL, disconnected_at = now(), updated_at = now()
             WHERE id = $1 AND user_id = $2 AND state <> 'disconnected'",
        )
        .bind(connection_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        // A post still holding a container here is one Instagram could not speak for: it may be
        // live. It fails with a reason instead of being cancelled; Retry and Cancel ask again.
        let cancelled = sqlx::query(
            "UPDATE scheduled_posts SET status = CASE WHEN container_id IS NULL THEN 'CANCELLED' ELSE 'FAILED' END,
                last_error = CASE WHEN container_id IS NULL THEN $2 ELSE $3 END,
                note = CASE WHEN container_id IS NULL THEN $4 ELSE $5 END, waiting_since = NULL, updated_at = now()
             WHERE connection_id = $1 AND status = 'PENDING'",
        )
        .bind(connection_id)
        .bind(PostNote::Disconnected.to_string())
        .bind(PostNote::DisconnectedUnsettled.to_string())
        .bind(Json(PostNote::Disconnected))
        .bind(Json(PostNote::DisconnectedUnsettled))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // A cancel of the creator's from just before is no longer theirs to undo.
        sqlx::query("UPDATE scheduled_posts SET cancelled_from = NULL WHERE connection_id = $1 AND cancelled_from IS NOT NULL")
            .bind(connection_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.forget(user_id);
        tracing::info!(connection_id, user_id, cancelled, "Instagram account disconnected");
        Ok(cancelled)
    }

    /// The user's connections (disconnected ones aside) with their stored tokens, in the order
    /// they are listed.
    /// Kept in this process between changes: no query when they are there.
    pub(crate) async fn with_tokens(&self, user_id: i64) -> Result<StoredConnections> {
        let mark = self.cached.mark(&user_id);
        if let Some(kept) = self.cached.get(&user_id) {
            return Ok(kept);
        }
        let rows: Vec<ConnectionWithToken> = sqlx::query_as(&format!(
            "SELECT {CONNECTION_COLUMNS}, token_ciphertext, token_key_id FROM instagram_connections
             WHERE user_id = $1 AND state <> 'disconnected' ORDER BY username"
        ))
        .bind(user_id)
        .fetch_all(&self.db)
        .await?;
        let loaded: StoredConnections = Arc::new(
            rows.into_iter()
                .map(|r| (view(r.row), r.token_ciphertext.zip(r.token_key_id).map(|(ciphertext, key_id)| StoredToken { ciphertext, key_id })))
                .collect(),
        );
        self.cached.keep(mark, user_id, loaded.clone());
        Ok(loaded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_lifetime_from_the_graph_api_cannot_overflow() {
        let now = Utc::now();
        assert_eq!(expiry_after(now, 5_184_000), now + ChronoDuration::days(60));
        assert_eq!(expiry_after(now, u64::MAX), now + ChronoDuration::days(365), "held to a year, no panic");
    }
}
