-- The language a creator chose (issue 16): read back at sign-in, so a French creator finds
-- Crealia in French on any browser. NULL: follow the browser's preference.
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('en', 'fr'));
