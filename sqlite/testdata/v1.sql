-- A glowcloud database at schema version 1, as the first release wrote it
-- (frozen: never regenerate it from migrations/0001, so a later edit of an
-- applied migration shows up as a schema that no longer matches).
CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT;
INSERT INTO schema_version VALUES (1);

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

-- 2026-01-01T12:00:00Z = 1767268800000
INSERT INTO schedules (guild_id, channel_id, every_ms, kind, topic, next_at, last_at, last_result, paused, created_by, created_at)
VALUES ('g1', '100', 21600000, 'manifesto', 'tea', 1767290400000, 1767268800000, 'posted', '', 'u1', 1767200000000),
       ('g1', '101', 86400000, 'glowcloud', '', 1767300000000, 1767268800000, 'failed', 'the channel no longer exists (Discord error 10003)', 'u1', 1767200000000);
INSERT INTO hushes VALUES ('g1', 1767272400000, 'u2');
