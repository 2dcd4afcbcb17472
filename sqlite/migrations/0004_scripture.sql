-- Every server's own scripture (/scripture): a row a server holding its
-- blend and the state of its training job, the texts its admins gave, and
-- the model trained from them. Removing and forgetting delete these rows.
-- Times are Unix milliseconds.
CREATE TABLE scripture_guilds (
	guild_id      TEXT    PRIMARY KEY,
	essay         INTEGER NOT NULL DEFAULT 50 CHECK (essay BETWEEN 0 AND 100),
	state         TEXT    NOT NULL DEFAULT '', -- '', pending, training, ready, failed
	error         TEXT    NOT NULL DEFAULT '',
	summary       TEXT    NOT NULL DEFAULT '',
	gen           INTEGER NOT NULL DEFAULT 0,  -- bumped by every change of the texts
	trained_gen   INTEGER NOT NULL DEFAULT 0,
	model_version INTEGER NOT NULL DEFAULT 0,  -- scripture_models.version; 0: none
	model_bytes   INTEGER NOT NULL DEFAULT 0,
	claimed_by    TEXT    NOT NULL DEFAULT '',
	lease_until   INTEGER NOT NULL DEFAULT 0,
	attempts      INTEGER NOT NULL DEFAULT 0,  -- trainings begun of this gen
	seq           INTEGER NOT NULL DEFAULT 0,  -- texts added, to order them
	updated_at    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX scripture_waiting ON scripture_guilds (updated_at) WHERE state IN ('pending', 'training');

CREATE TABLE scripture_texts (
	guild_id  TEXT    NOT NULL REFERENCES scripture_guilds (guild_id) ON DELETE CASCADE,
	name      TEXT    NOT NULL,
	sha256    TEXT    NOT NULL,
	size      INTEGER NOT NULL,
	data      BLOB    NOT NULL,
	added_by  TEXT    NOT NULL,
	added_at  INTEGER NOT NULL,
	seq       INTEGER NOT NULL,
	sentences INTEGER NOT NULL DEFAULT -1,
	PRIMARY KEY (guild_id, name),
	UNIQUE (guild_id, sha256)
) STRICT;

CREATE TABLE scripture_models (
	version  INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: caches compare it
	guild_id TEXT    NOT NULL UNIQUE REFERENCES scripture_guilds (guild_id) ON DELETE CASCADE,
	data     BLOB    NOT NULL
) STRICT;
