-- Cache invalidation by generation number (issue 12, item 6): every cached key of an account
-- carries these; invalidating bumps one, instead of scanning Redis for a key prefix.
ALTER TABLE instagram_connections
    ADD COLUMN cache_generation BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN media_cache_generation BIGINT NOT NULL DEFAULT 0;
