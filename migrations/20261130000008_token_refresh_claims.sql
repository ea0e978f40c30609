-- Token refresh claims a batch (marking it for a while), commits, then calls the Graph API
-- outside any transaction: no row lock is held while Instagram answers.
ALTER TABLE instagram_connections ADD COLUMN refreshing_until TIMESTAMPTZ;
