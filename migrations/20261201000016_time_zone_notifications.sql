-- Every server keeps each creator's time zone in memory (crealia_core::accounts, through
-- crealia_core::lookups), as it keeps sessions: a change, by whoever makes it, tells them all.

CREATE FUNCTION crealia_time_zone_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('crealia_lookups', 'time_zone:' || OLD.id);
    RETURN NULL;
END $$;

CREATE TRIGGER users_time_zone_changed AFTER UPDATE OF time_zone ON users
    FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone)
    EXECUTE FUNCTION crealia_time_zone_changed();
CREATE TRIGGER users_gone AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION crealia_time_zone_changed();
CREATE TRIGGER users_truncated AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION crealia_lookups_truncated();
