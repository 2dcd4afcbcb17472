-- Schedules of /proclaim and hushes of /hush. Times are Unix milliseconds.
CREATE TABLE schedules (
	id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a replaced schedule's id stays dead
	guild_id    TEXT    NOT NULL,
	channel_id  TEXT    NOT NULL,
	every_ms    INTEGER NOT NULL CHECK (every_ms > 0),
	kind        TEXT    NOT NULL,
	topic       TEXT    NOT NULL DEFAULT '',
	next_at     INTEGER NOT NULL,
	slot_at     INTEGER,                            -- the slot last claimed
	last_at     INTEGER,
	last_result TEXT    NOT NULL DEFAULT '',
	paused      TEXT    NOT NULL DEFAULT '',
	created_by  TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	UNIQUE (guild_id, channel_id)
) STRICT;

CREATE INDEX schedules_due ON schedules (next_at) WHERE paused = '';

CREATE TABLE hushes (
	guild_id TEXT    PRIMARY KEY,
	until_at INTEGER NOT NULL,
	by_user  TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
