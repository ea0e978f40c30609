-- A post can be kept as a DRAFT: no time yet, not checked against Meta's rules until it is
-- scheduled. Its scheduled_at is when it was last saved (never due: only PENDING posts are).
ALTER TABLE scheduled_posts DROP CONSTRAINT scheduled_posts_status_check;
ALTER TABLE scheduled_posts ADD CONSTRAINT scheduled_posts_status_check
    CHECK (status IN ('DRAFT', 'PENDING', 'PUBLISHING', 'PUBLISHED', 'FAILED', 'CANCELLED'));
ALTER TABLE scheduled_posts DROP CONSTRAINT scheduled_posts_cancelled_from_check;
ALTER TABLE scheduled_posts ADD CONSTRAINT scheduled_posts_cancelled_from_check
    CHECK (cancelled_from IN ('DRAFT', 'PENDING', 'FAILED'));
