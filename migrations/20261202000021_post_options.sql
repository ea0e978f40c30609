-- Instagram's other publishing parameters, as the creator set them (crealia_model::publishing::PostOptions):
-- collaborators, people tagged, a place, a reel's cover, frame, sound and trial.
ALTER TABLE scheduled_posts ADD COLUMN options JSONB NOT NULL DEFAULT '{}'::jsonb;
