-- Accounts: sessions, sign-in throttling, OAuth states and Instagram connections.

CREATE TABLE sessions (
    -- SHA-256 of the cookie's random token: a database dump holds no usable session.
    token_hash   BYTEA PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE sign_in_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email        TEXT NOT NULL,
    address      TEXT NOT NULL,
    succeeded    BOOLEAN NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_attempts_email_idx ON sign_in_attempts (lower(email), attempted_at);
CREATE INDEX sign_in_attempts_address_idx ON sign_in_attempts (address, attempted_at);

-- The OAuth `state` of a connection flow, bound to the session that started it.
CREATE TABLE oauth_states (
    state_hash   BYTEA PRIMARY KEY,
    session_hash BYTEA NOT NULL REFERENCES sessions (token_hash) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE instagram_connections (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id           BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The professional-account id (`user_id` of /me, `entry.id` of webhooks).
    ig_user_id        TEXT NOT NULL,
    -- The app-scoped id the token exchange answers (may exceed 2^53: kept as text).
    app_scoped_id     TEXT,
    username          TEXT NOT NULL,
    name              TEXT,
    account_type      TEXT,
    profile_picture_url TEXT,
    permissions       TEXT[] NOT NULL DEFAULT '{}',
    -- AEAD ciphertext (nonce || ciphertext || tag) of the long-lived token; the connection id
    -- is the associated data. NULL once the token is gone.
    token_ciphertext  BYTEA,
    token_key_id      TEXT,
    token_issued_at   TIMESTAMPTZ,
    token_expires_at  TIMESTAMPTZ,
    refreshed_at      TIMESTAMPTZ,
    state             TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'needs_reconnect', 'disconnected')),
    last_error        TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- One Crealia user per Instagram account.
CREATE UNIQUE INDEX instagram_connections_ig_user_key ON instagram_connections (ig_user_id);
CREATE INDEX instagram_connections_user_idx ON instagram_connections (user_id);
CREATE INDEX instagram_connections_expiry_idx ON instagram_connections (token_expires_at) WHERE state = 'active';
