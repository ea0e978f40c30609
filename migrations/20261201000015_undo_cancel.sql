-- A post cancelled by its creator remembers what it was (PENDING or FAILED) for a few seconds'
-- Undo; a post cancelled by a disconnect does not, and cannot be brought back that way.
ALTER TABLE scheduled_posts
    ADD COLUMN cancelled_from text CHECK (cancelled_from IN ('PENDING', 'FAILED'));
