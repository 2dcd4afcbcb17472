-- A channel's rounds, newest first: what /quiz must not show again soon.
CREATE INDEX quiz_rounds_channel ON quiz_rounds (channel_id, started_at);
