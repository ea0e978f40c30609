-- Personal API tokens: a creator's own keys to the JSON API, each scoped (read, publish,
-- inbox), stored only as the SHA-256 of a 32-byte random value; revoking one deletes it.
CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
    token_sha256 BYTEA NOT NULL UNIQUE,
    scopes       TEXT[] NOT NULL CHECK (scopes <@ ARRAY['read', 'publish', 'inbox'] AND cardinality(scopes) > 0),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
