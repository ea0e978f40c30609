-- Waiting is not failing: errors are counted apart from claims, and a wait (a video still
-- processing, a used publishing quota) is bounded by the time since it began.
-- Fencing by a number that only grows: every claim draws a new one, a retry never resets it.
CREATE SEQUENCE scheduled_posts_claim_seq;
ALTER TABLE scheduled_posts
    ADD COLUMN claim_seq     BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN errors        INT NOT NULL DEFAULT 0,
    ADD COLUMN waiting_since TIMESTAMPTZ;
UPDATE scheduled_posts SET claim_seq = nextval('scheduled_posts_claim_seq'), errors = attempts;
