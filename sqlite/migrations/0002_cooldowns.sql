-- Per-user cooldowns, shared by the processes that share the database.
CREATE TABLE cooldowns (
	user_key TEXT    PRIMARY KEY,
	last_at  INTEGER NOT NULL -- Unix milliseconds
) STRICT, WITHOUT ROWID;
