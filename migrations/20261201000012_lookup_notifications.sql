-- Every server keeps the sessions and connections its requests look up in memory
-- (crealia_core::lookups). These triggers tell all of them, at commit, when one changes,
-- whoever changed it: a sign-out on one server is refused on every other within moments.
-- Only the columns a server keeps are watched (a refresh claim or an error note is not news).

CREATE FUNCTION crealia_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('crealia_lookups', 'session:' || encode(OLD.token_hash, 'hex'));
    RETURN NULL;
END $$;

CREATE TRIGGER sessions_gone AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION crealia_session_changed();
CREATE TRIGGER sessions_changed AFTER UPDATE OF token_hash, user_id, expires_at ON sessions
    FOR EACH ROW WHEN ((OLD.token_hash, OLD.user_id, OLD.expires_at) IS DISTINCT FROM (NEW.token_hash, NEW.user_id, NEW.expires_at))
    EXECUTE FUNCTION crealia_session_changed();

CREATE FUNCTION crealia_connections_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Identical notifications of one transaction are delivered once.
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('crealia_lookups', 'user:' || OLD.user_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_notify('crealia_lookups', 'user:' || NEW.user_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER instagram_connections_added_or_gone AFTER INSERT OR DELETE ON instagram_connections
    FOR EACH ROW EXECUTE FUNCTION crealia_connections_changed();
CREATE TRIGGER instagram_connections_changed AFTER UPDATE ON instagram_connections
    FOR EACH ROW WHEN ((OLD.user_id, OLD.ig_user_id, OLD.username, OLD.name, OLD.profile_picture_url, OLD.state,
                        OLD.token_ciphertext, OLD.token_key_id, OLD.token_expires_at, OLD.cache_generation, OLD.media_cache_generation)
                       IS DISTINCT FROM
                       (NEW.user_id, NEW.ig_user_id, NEW.username, NEW.name, NEW.profile_picture_url, NEW.state,
                        NEW.token_ciphertext, NEW.token_key_id, NEW.token_expires_at, NEW.cache_generation, NEW.media_cache_generation))
    EXECUTE FUNCTION crealia_connections_changed();

-- A TRUNCATE fires no row trigger: a payload without a colon tells every server to forget all.
CREATE FUNCTION crealia_lookups_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('crealia_lookups', 'all');
    RETURN NULL;
END $$;

CREATE TRIGGER sessions_truncated AFTER TRUNCATE ON sessions FOR EACH STATEMENT EXECUTE FUNCTION crealia_lookups_truncated();
CREATE TRIGGER instagram_connections_truncated AFTER TRUNCATE ON instagram_connections FOR EACH STATEMENT EXECUTE FUNCTION crealia_lookups_truncated();
