-- Secrets this deployment makes for itself, one per name and database (every server of a
-- deployment reads the same): the Graph API sandbox's webhook signing secret.
CREATE TABLE instance_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Sign-up attempts, throttled per client address.
CREATE TABLE sign_up_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    address      TEXT NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sign_up_attempts_by_address ON sign_up_attempts (address, attempted_at);

-- Which video files are what: read from their MP4/MOV boxes at upload.
ALTER TABLE media_assets ADD COLUMN duration_ms BIGINT;

-- Readiness reads the oldest waiting delivery from the index alone (no count over the table).
DROP INDEX webhook_deliveries_pending_idx;
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (id) INCLUDE (received_at) WHERE processed_at IS NULL;

-- Uploads started, for the per-creator rate limit (kept a day).
CREATE TABLE media_upload_attempts (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX media_upload_attempts_by_user ON media_upload_attempts (user_id, started_at);
