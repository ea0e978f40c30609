-- Publishing: PostgreSQL is the queue. A post is claimed with FOR UPDATE SKIP LOCKED and a
-- lease; every Graph API step is recorded before the next, so a crash resumes where it stopped.
CREATE TABLE scheduled_posts (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    connection_id    BIGINT NOT NULL REFERENCES instagram_connections (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN ('image', 'carousel', 'reel', 'story')),
    caption          TEXT NOT NULL DEFAULT '',
    alt_text         TEXT,
    media_urls       TEXT[] NOT NULL,
    scheduled_at     TIMESTAMPTZ NOT NULL,
    status           TEXT NOT NULL DEFAULT 'PENDING'
                     CHECK (status IN ('PENDING', 'PUBLISHING', 'PUBLISHED', 'FAILED', 'CANCELLED')),
    -- Steps, each stored before the next one runs.
    child_container_ids TEXT[] NOT NULL DEFAULT '{}',
    container_id     TEXT,
    media_id         TEXT,
    attempts         INT NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_until      TIMESTAMPTZ,
    last_error       TEXT,
    error_code       TEXT,
    published_at     TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX scheduled_posts_due_idx ON scheduled_posts (next_attempt_at) WHERE status IN ('PENDING', 'PUBLISHING');
CREATE INDEX scheduled_posts_user_idx ON scheduled_posts (user_id, scheduled_at);
