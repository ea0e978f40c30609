-- Disconnecting an Instagram account keeps its history (issue 12, item 4).
--
-- A disconnected connection keeps its row: the token is cleared and the state says
-- `disconnected`; its posts, media and inbox items stay. The same creator connecting the
-- account again revives that row (and so its history); another creator gets a row of their
-- own, so one live owner per Instagram account, one row per (creator, account).
ALTER TABLE instagram_connections ADD COLUMN disconnected_at TIMESTAMPTZ;

DROP INDEX instagram_connections_ig_user_key;
CREATE UNIQUE INDEX instagram_connections_live_owner_key ON instagram_connections (ig_user_id) WHERE state <> 'disconnected';
CREATE UNIQUE INDEX instagram_connections_creator_account_key ON instagram_connections (user_id, ig_user_id);

-- History is never removed by a cascade: deleting a connection, or a creator, that still has
-- posts or media is refused.
ALTER TABLE scheduled_posts
    DROP CONSTRAINT scheduled_posts_connection_id_fkey,
    ADD CONSTRAINT scheduled_posts_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES instagram_connections (id) ON DELETE RESTRICT,
    DROP CONSTRAINT scheduled_posts_user_id_fkey,
    ADD CONSTRAINT scheduled_posts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT;
ALTER TABLE media_assets
    DROP CONSTRAINT media_assets_user_id_fkey,
    ADD CONSTRAINT media_assets_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT;
ALTER TABLE instagram_connections
    DROP CONSTRAINT instagram_connections_user_id_fkey,
    ADD CONSTRAINT instagram_connections_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT;
