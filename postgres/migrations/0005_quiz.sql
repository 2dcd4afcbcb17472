-- Real or Glow Cloud? (/quiz): rounds, votes and scores. Times are Unix
-- milliseconds, as in the SQLite store.
CREATE TABLE quiz_rounds (
	id          TEXT   PRIMARY KEY,      -- random; the buttons carry it
	guild_id    TEXT   NOT NULL,         -- '' in DMs
	channel_id  TEXT   NOT NULL,
	app_id      TEXT   NOT NULL,
	token       TEXT   NOT NULL,         -- the interaction's, to edit its message; '' once revealed
	truth       TEXT   NOT NULL CHECK (truth IN ('real', 'glowcloud')),
	sentence    TEXT   NOT NULL,
	section     TEXT   NOT NULL DEFAULT '',
	model_id    TEXT   NOT NULL DEFAULT '',
	started_by  TEXT   NOT NULL,
	started_at  BIGINT NOT NULL,
	ends_at     BIGINT NOT NULL,
	voters      INTEGER NOT NULL DEFAULT 0, -- > 0: the round ends once that many voted
	tallied_at  BIGINT,                  -- votes closed and scores updated
	lease_until BIGINT,                  -- a Runner is revealing it until then
	revealed_at BIGINT
);

-- One round a channel until it is tallied.
CREATE UNIQUE INDEX quiz_rounds_open ON quiz_rounds (channel_id) WHERE tallied_at IS NULL;
CREATE INDEX quiz_rounds_due ON quiz_rounds (ends_at) WHERE revealed_at IS NULL;
CREATE INDEX quiz_rounds_guild ON quiz_rounds (guild_id);

-- One vote a member a round: the primary key is the rule. seq orders
-- votes cast in the same millisecond.
CREATE TABLE quiz_votes (
	round_id TEXT   NOT NULL REFERENCES quiz_rounds (id) ON DELETE CASCADE,
	user_id  TEXT   NOT NULL,
	vote     TEXT   NOT NULL CHECK (vote IN ('real', 'glowcloud')),
	at       BIGINT NOT NULL,
	seq      BIGINT GENERATED ALWAYS AS IDENTITY,
	PRIMARY KEY (round_id, user_id)
);

CREATE INDEX quiz_votes_user ON quiz_votes (user_id);

CREATE TABLE quiz_scores (
	guild_id TEXT    NOT NULL,
	user_id  TEXT    NOT NULL,
	points   INTEGER NOT NULL DEFAULT 0,
	rounds   INTEGER NOT NULL DEFAULT 0,
	right_n  INTEGER NOT NULL DEFAULT 0,
	streak   INTEGER NOT NULL DEFAULT 0,
	best     INTEGER NOT NULL DEFAULT 0,
	right_ms BIGINT  NOT NULL DEFAULT 0,
	fooled   INTEGER NOT NULL DEFAULT 0,
	doubted  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (guild_id, user_id)
);
