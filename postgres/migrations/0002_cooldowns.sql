-- Per-user cooldowns, shared by every replica.
CREATE TABLE cooldowns (
	user_key TEXT   PRIMARY KEY,
	last_at  BIGINT NOT NULL -- Unix milliseconds
);
