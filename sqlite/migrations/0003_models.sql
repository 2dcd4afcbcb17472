-- Published models (glowcloud publish): the last few, and the one every
-- process serving from this database serves.
CREATE TABLE models (
	id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused
	data       BLOB    NOT NULL,
	created_at INTEGER NOT NULL                   -- Unix milliseconds
) STRICT;

-- At most one row: the current model.
CREATE TABLE current_model (
	singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
	model_id  INTEGER NOT NULL REFERENCES models (id)
) STRICT;
