-- Media the creator uploads (stored by Crealia, served at an unguessable public URL for
-- Instagram to fetch), a first comment per post, and the creator's remembered time zone.
CREATE TABLE media_assets (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- 32 random hex characters and an extension: the public URL is /media/<file_name>.
    file_name       TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('image', 'video')),
    content_type    TEXT NOT NULL,
    width           INT,
    height          INT,
    bytes           BIGINT NOT NULL,
    -- The format it arrived in when Crealia converted it (png, webp), or how it was reframed.
    converted_from  TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX media_assets_user_idx ON media_assets (user_id, created_at);

ALTER TABLE scheduled_posts
    ADD COLUMN first_comment    TEXT,
    -- Set once the first comment is posted (at most once, even across crashes).
    ADD COLUMN first_comment_id TEXT;

ALTER TABLE users ADD COLUMN time_zone TEXT;

-- The scheduler sleeps until the next due time: find it without scanning.
CREATE INDEX scheduled_posts_lease_idx ON scheduled_posts (lease_until) WHERE status = 'PUBLISHING';
