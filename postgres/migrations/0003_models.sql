-- Published models (glowcloud publish): the last few, and the one every
-- replica serves. A change of the current one is announced with
-- pg_notify('glowcloud_model', current_schema()).
CREATE TABLE models (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- never reused
	data       BYTEA  NOT NULL,
	created_at BIGINT NOT NULL                                  -- Unix milliseconds
);

-- At most one row: the current model.
CREATE TABLE current_model (
	singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
	model_id  BIGINT  NOT NULL REFERENCES models (id)
);
