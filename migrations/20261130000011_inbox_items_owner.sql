-- Each inbox item belongs to the connection that held its Instagram account when it arrived
-- (NULL: nobody had it connected; the next creator to connect it gets it). Another creator who
-- connects the account later sees none of it; the same creator reconnecting gets it back.
ALTER TABLE inbox_items ADD COLUMN connection_id BIGINT REFERENCES instagram_connections (id) ON DELETE RESTRICT;
UPDATE inbox_items i SET connection_id = (
    SELECT c.id FROM instagram_connections c WHERE c.ig_user_id = i.ig_user_id
    ORDER BY (c.state <> 'disconnected') DESC, c.id DESC LIMIT 1);
CREATE INDEX inbox_items_connection_idx ON inbox_items (connection_id, occurred_at DESC);
CREATE INDEX inbox_items_unowned_idx ON inbox_items (ig_user_id) WHERE connection_id IS NULL;
