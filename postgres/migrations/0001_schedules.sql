-- Schedules of /proclaim and hushes of /hush. Times are Unix milliseconds,
-- as in the SQLite store, so the claim arithmetic is the same integer
-- expression in both.
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
