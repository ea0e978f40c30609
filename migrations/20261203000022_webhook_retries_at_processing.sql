-- Meta's retries are no longer turned away by a unique index over the body's SHA-256: keeping
-- that btree (random 32-byte keys) up to date was about 40 % of a delivery's own cost in the
-- inserting statement, on the path Meta waits on. A body the same process stored lately is
-- answered without a row (kept in memory); any other copy is a delivery of its own and adds
-- nothing when processed: inbox items are unique per account, kind and id (events without an id
-- get a digest of their content).
-- During a rolling deploy, servers still on the previous release answer deliveries with 503
-- (their insert names this column) until they are replaced; Meta retries, nothing is lost.
ALTER TABLE webhook_deliveries DROP COLUMN body_sha256;
