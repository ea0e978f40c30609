-- New deliveries are no longer announced by a trigger: a NOTIFY inside the inserting
-- transaction takes PostgreSQL's global notify lock until the commit is flushed, so every
-- writer's commit waited for the one before. The process that stores deliveries wakes its own
-- processor directly and tells the other servers with one NOTIFY a few times a second at most.
DROP TRIGGER webhook_deliveries_notify ON webhook_deliveries;
DROP FUNCTION crealia_notify_webhook();
