-- A glowcloud PostgreSQL schema at version 1, as the first release wrote it
-- (frozen: never regenerate it from migrations/0001, so a later edit of an
-- applied migration shows up as a schema that no longer matches).
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);

CREATE TABLE schedules (
	id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- never reused
	guild_id    TEXT    NOT NULL,
	channel_id  TEXT    NOT NULL,
	every_ms    BIGINT  NOT NULL CHECK (every_ms > 0),
	kind        TEXT    NOT NULL,
	topic       TEXT    NOT NULL DEFAULT '',
	next_at     BIGINT  NOT NULL,
	slot_at     BIGINT,                                            -- the slot last claimed
	last_at     BIGINT,
	last_result TEXT    NOT NULL DEFAULT '',
	paused      TEXT    NOT NULL DEFAULT '',
	created_by  TEXT    NOT NULL,
	created_at  BIGINT  NOT NULL,
	UNIQUE (guild_id, channel_id)
);

CREATE INDEX schedules_due ON schedules (next_at) WHERE paused = '';

CREATE TABLE hushes (
	guild_id TEXT   PRIMARY KEY,
	until_at BIGINT NOT NULL,
	by_user  TEXT   NOT NULL
);

INSERT INTO schedules (guild_id, channel_id, every_ms, kind, topic, next_at, created_by, created_at)
VALUES ('g1', '100', 21600000, 'manifesto', 'tea', 1767290400000, 'u1', 1767200000000);
INSERT INTO hushes VALUES ('g1', 1767272400000, 'u2');
