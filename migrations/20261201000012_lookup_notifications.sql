-- Every server keeps the sessions and connections its requests look up in memory
-- (crealia_core::lookups). These triggers tell all of them, at commit, when one changes,
-- whoever changed it: a sign-out on one server is refused on every other within moments.
CREATE FUNCTION crealia_session_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('crealia_lookups', 'session:' || encode(OLD.token_hash, 'hex'));
    RETURN NULL;
END $$;

CREATE TRIGGER sessions_gone AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION crealia_session_gone();

CREATE FUNCTION crealia_connections_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Identical notifications of one transaction are delivered once.
    PERFORM pg_notify('crealia_lookups', 'user:' || CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END);
    RETURN NULL;
END $$;

CREATE TRIGGER instagram_connections_changed AFTER INSERT OR UPDATE OR DELETE ON instagram_connections
    FOR EACH ROW EXECUTE FUNCTION crealia_connections_changed();
