-- What happened to a post, as data the pages say in the creator's language
-- (crealia_model::post_note::PostNote); last_error keeps the English sentence for the JSON API.
ALTER TABLE scheduled_posts ADD COLUMN note jsonb;
