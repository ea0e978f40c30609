//! One connected Instagram account as a request or a job uses it: the connection, its
//! decrypted token and the Graph client, obtained once ([`crate::connections::Connections::account`]).
//!
//! Every Graph API call on an account goes through [`Account::call`], which classifies a
//! failure in one place, whatever the caller was doing (a dashboard, a reply, a post, a token
//! check): a 190 marks the connection `needs_reconnect`; a rate limit is logged against the
//! account. What the failure means to the caller stays the caller's (a post retries a
//! transient error, a page shows it); [`crate::Error`]'s `From<GraphError>` is the mapping
//! for pages and routes. The account also owns its cache keys and their invalidation.

use crealia_graph::client::{Error as GraphError, GraphClient};

use crate::account_cache::{AccountKeys, Change};
use crate::connections::{ConnectionState, ConnectionView, Connections};
use crate::crypto::SecretToken;
use crate::{Error, Result};

pub struct Account {
    connection: ConnectionView,
    /// The creator's connections, this one among them (what an account switcher lists).
    all: Vec<ConnectionView>,
    token: SecretToken,
    /// The stored ciphertext the token came from: a 190 marks the connection only while it
    /// still holds that token (a reconnect since then stays active).
    ciphertext: Vec<u8>,
    user_id: i64,
    connections: Connections,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account").field("connection_id", &self.connection.id).field("username", &self.connection.username).finish_non_exhaustive()
    }
}

impl Connections {
    /// One of the user's connections ready for Graph API calls (the one asked for, or their
    /// first), with the list it was picked from: from this process's lookups, or one query. NotFound when it is not theirs or
    /// is disconnected, NeedsReconnect when Instagram no longer accepts it.
    pub async fn account(&self, user_id: i64, connection_id: Option<i64>) -> Result<Account> {
        let kept = self.with_tokens(user_id).await?;
        let (connection, stored) = kept.iter().find(|(c, _)| connection_id.is_none_or(|id| id == c.id)).ok_or(Error::NotFound)?;
        let Some(stored) = stored.as_ref().filter(|_| connection.state.is_usable()) else { return Err(Error::NeedsReconnect) };
        let token = stored.decrypt(self.cipher(), connection.id)?;
        let all = kept.iter().map(|(c, _)| c.clone()).collect();
        Ok(Account { connection: connection.clone(), all, token, ciphertext: stored.ciphertext.clone(), user_id, connections: self.clone() })
    }

    /// The plain token of one of the user's usable connections (for tools and tests: Graph API
    /// calls go through [`Account::call`], which notices a refused token).
    pub async fn token(&self, user_id: i64, connection_id: i64) -> Result<SecretToken> {
        Ok(self.account(user_id, Some(connection_id)).await?.token)
    }
}

impl Account {
    pub fn id(&self) -> i64 {
        self.connection.id
    }

    pub fn ig_user_id(&self) -> &str {
        &self.connection.ig_user_id
    }

    pub fn connection(&self) -> &ConnectionView {
        &self.connection
    }

    /// Every connection of the creator (this one included), in the order they are listed.
    pub fn all(&self) -> &[ConnectionView] {
        &self.all
    }

    /// The account's cache keys, at the generations read with it.
    pub fn keys(&self) -> AccountKeys {
        AccountKeys::new(self.connection.id, self.connection.generations)
    }

    /// Replaces the account's cache keys for `change` (see [`account_cache::invalidate`]).
    pub async fn invalidate(&self, change: Change) -> Result<()> {
        self.connections.invalidate_cache(self.connection.id, change).await
    }

    /// Runs one Graph API call with the account's token and Instagram user id; a failure is
    /// classified before it is returned (see the module's documentation).
    pub async fn call<T, F>(&self, call: F) -> Result<T, GraphError>
    where
        F: AsyncFnOnce(&GraphClient, &str, &str) -> Result<T, GraphError>,
    {
        let result = call(self.connections.graph(), self.token.expose(), &self.connection.ig_user_id).await;
        if let Err(e) = &result {
            self.observe(e).await;
        }
        result
    }

    async fn observe(&self, e: &GraphError) {
        if e.is_invalid_token() {
            match mark_needs_reconnect(self.connections.db(), self.connection.id, Some(&self.ciphertext), e).await {
                Ok(()) => self.connections.forget(self.user_id),
                Err(db) => tracing::error!(connection_id = self.connection.id, error = %db, "could not mark the connection for a reconnect"),
            }
        } else if e.is_rate_limited() {
            tracing::warn!(connection_id = self.connection.id, code = e.support_code(), "Instagram rate-limited this account");
        }
    }
}

/// A 190 answer: the connection stops working until the creator reconnects. With `ciphertext`,
/// only while the connection still holds the token that got the 190.
pub async fn mark_needs_reconnect<'e, E: sqlx::PgExecutor<'e>>(db: E, connection_id: i64, ciphertext: Option<&[u8]>, error: &GraphError) -> Result<()> {
    let why = short_error(error);
    tracing::warn!(connection_id, error = why, "Instagram refused the token; the account needs a reconnect");
    sqlx::query(
        "UPDATE instagram_connections SET state = $3, last_error = $2, updated_at = now()
         WHERE id = $1 AND state <> 'disconnected' AND ($4::bytea IS NULL OR token_ciphertext = $4)",
    )
    .bind(connection_id)
    .bind(&why)
    .bind(ConnectionState::NeedsReconnect.as_str())
    .bind(ciphertext)
    .execute(db)
    .await?;
    Ok(())
}

/// A Graph API failure in a few words, for the connection's `last_error` and the logs (never a
/// token, never Meta's message).
pub fn short_error(e: &GraphError) -> String {
    match e {
        GraphError::Api { code, subcode, .. } => {
            format!("Graph API error {code}/{}", subcode.unwrap_or(0))
        }
        GraphError::OAuth(_) => "OAuth error".into(),
        GraphError::Transport(_) => "Graph API unreachable".into(),
        GraphError::Decode(_) => "unexpected Graph API answer".into(),
    }
}
