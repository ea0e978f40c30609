-- Webhook deliveries exactly as Meta sent them, stored (one INSERT) before anything is parsed;
-- the processor turns them into inbox items afterwards.
CREATE TABLE webhook_deliveries (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- SHA-256 of the body: Meta's retries of one delivery (for up to 36 h) are stored once.
    body_sha256  BYTEA NOT NULL UNIQUE,
    body         BYTEA NOT NULL,
    -- The request's headers but none that could carry a credential.
    headers      JSONB NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at TIMESTAMPTZ,
    attempts     INT NOT NULL DEFAULT 0,
    last_error   TEXT
);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (id) WHERE processed_at IS NULL;

-- Wakes the processors of every server process once per inserting statement.
CREATE FUNCTION crealia_notify_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('crealia_webhooks', '');
    RETURN NULL;
END $$;
CREATE TRIGGER webhook_deliveries_notify AFTER INSERT ON webhook_deliveries
    FOR EACH STATEMENT EXECUTE FUNCTION crealia_notify_webhook();

-- Correctly signed bodies that are not JSON: refused with 400, kept for inspection.
CREATE TABLE webhook_rejects (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body        BYTEA NOT NULL,
    headers     JSONB NOT NULL,
    reason      TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Comments (replies carry their parent), mentions, messages and every other kind of event,
-- per Instagram account. Items of an account nobody has connected are kept too: they show
-- once it is connected, and `crealia webhooks` reports them.
CREATE TABLE inbox_items (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ig_user_id    TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('comment', 'mention', 'message', 'other')),
    field         TEXT NOT NULL,
    -- The comment id, the message id, or (events without one) a digest of the event.
    external_id   TEXT NOT NULL,
    parent_id     TEXT,
    media_id      TEXT,
    from_id       TEXT,
    from_username TEXT,
    body          TEXT,
    occurred_at   TIMESTAMPTZ NOT NULL,
    payload       JSONB NOT NULL,
    delivery_id   BIGINT REFERENCES webhook_deliveries (id) ON DELETE SET NULL,
    -- Written by the account itself (its replies, message echoes).
    own           BOOLEAN NOT NULL DEFAULT false,
    read_at       TIMESTAMPTZ,
    hidden        BOOLEAN NOT NULL DEFAULT false,
    deleted_at    TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (ig_user_id, kind, external_id)
);
CREATE INDEX inbox_items_account_idx ON inbox_items (ig_user_id, occurred_at DESC);
CREATE INDEX inbox_items_parent_idx ON inbox_items (ig_user_id, parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX inbox_items_unread_idx ON inbox_items (ig_user_id, kind) WHERE read_at IS NULL AND deleted_at IS NULL AND NOT own;
