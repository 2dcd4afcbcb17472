package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/glowcloud/glowcloud/proclaim"
)

// Times are stored as Unix milliseconds, durations as milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v *int64) time.Time {
	if v == nil {
		return time.Time{}
	}
	return fromMS(*v)
}

const scheduleColumns = `id, guild_id, channel_id, every_ms, kind, topic, next_at, created_by, created_at, last_at, last_result, paused`

func scanSchedule(r pgx.Row, extra ...any) (proclaim.Schedule, error) {
	var (
		s             proclaim.Schedule
		every         int64
		next, created int64
		last          *int64
	)
	dst := append([]any{&s.ID, &s.GuildID, &s.ChannelID, &every, &s.Kind, &s.Topic, &next, &s.CreatedBy, &created, &last, &s.LastResult, &s.Paused}, extra...)
	if err := r.Scan(dst...); err != nil {
		return s, err
	}
	s.Every = time.Duration(every) * time.Millisecond
	s.NextAt, s.CreatedAt, s.LastAt = fromMS(next), fromMS(created), fromNullMS(last)
	return s, nil
}

// lockGuild serialises, until tx ends, the transactions that change one
// guild's schedules, so the count under the limit cannot be raced (READ
// COMMITTED would let two inserts each see four). Unrelated guilds whose
// hashes collide merely wait for each other.
func lockGuild(ctx context.Context, tx pgx.Tx, guildID string) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('glowcloud guild ' || $1, 0))`, guildID)
	return err
}

// PutSchedule implements proclaim.Store: under the guild's lock, it deletes
// the channel's schedule, counts the guild's others and inserts.
func (d *DB) PutSchedule(ctx context.Context, s proclaim.Schedule, max int) (proclaim.Schedule, error) {
	var out proclaim.Schedule
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if err := lockGuild(ctx, tx, s.GuildID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM schedules WHERE guild_id = $1 AND channel_id = $2`, s.GuildID, s.ChannelID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM schedules WHERE guild_id = $1`, s.GuildID).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return proclaim.ErrTooMany
		}
		row := tx.QueryRow(ctx, `INSERT INTO schedules (guild_id, channel_id, every_ms, kind, topic, next_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+scheduleColumns,
			s.GuildID, s.ChannelID, s.Every.Milliseconds(), string(s.Kind), s.Topic, ms(s.NextAt), s.CreatedBy, ms(s.CreatedAt))
		var err error
		out, err = scanSchedule(row)
		return err
	})
	if err != nil {
		return proclaim.Schedule{}, fmt.Errorf("put schedule of channel %s: %w", s.ChannelID, err)
	}
	return out, nil
}

// DeleteSchedule implements proclaim.Store.
func (d *DB) DeleteSchedule(ctx context.Context, guildID, channelID string) (bool, error) {
	tag, err := d.pool.Exec(ctx, `DELETE FROM schedules WHERE guild_id = $1 AND channel_id = $2`, guildID, channelID)
	if err != nil {
		return false, fmt.Errorf("delete schedule of channel %s: %w", channelID, err)
	}
	return tag.RowsAffected() > 0, nil
}

// Schedules implements proclaim.Store, in the order they were started.
func (d *DB) Schedules(ctx context.Context, guildID string) ([]proclaim.Schedule, error) {
	rows, err := d.pool.Query(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE guild_id = $1 ORDER BY id`, guildID)
	if err != nil {
		return nil, fmt.Errorf("list schedules of guild %s: %w", guildID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (proclaim.Schedule, error) { return scanSchedule(r) })
	if err != nil {
		return nil, fmt.Errorf("list schedules of guild %s: %w", guildID, err)
	}
	return out, nil
}

// SetHush implements proclaim.Store.
func (d *DB) SetHush(ctx context.Context, h proclaim.Hush) error {
	_, err := d.pool.Exec(ctx, `INSERT INTO hushes (guild_id, until_at, by_user) VALUES ($1, $2, $3)
		ON CONFLICT (guild_id) DO UPDATE SET until_at = excluded.until_at, by_user = excluded.by_user`,
		h.GuildID, ms(h.Until), h.By)
	if err != nil {
		return fmt.Errorf("hush guild %s: %w", h.GuildID, err)
	}
	return nil
}

// ClearHush implements proclaim.Store.
func (d *DB) ClearHush(ctx context.Context, guildID string) error {
	if _, err := d.pool.Exec(ctx, `DELETE FROM hushes WHERE guild_id = $1`, guildID); err != nil {
		return fmt.Errorf("lift hush of guild %s: %w", guildID, err)
	}
	return nil
}

// Hush implements proclaim.Store.
func (d *DB) Hush(ctx context.Context, guildID string) (proclaim.Hush, error) {
	h := proclaim.Hush{GuildID: guildID}
	var until int64
	err := d.pool.QueryRow(ctx, `SELECT until_at, by_user FROM hushes WHERE guild_id = $1`, guildID).Scan(&until, &h.By)
	switch {
	case isNoRows(err):
		return h, nil
	case err != nil:
		return h, fmt.Errorf("read hush of guild %s: %w", guildID, err)
	}
	h.Until = fromMS(until)
	return h, nil
}

// Claim implements proclaim.Claimer with one statement: it locks up to
// limit due rows, oldest slot first, and moves their next_at past now. A row
// another replica is claiming is waited for (milliseconds: the claim is one
// statement), then rechecked: claimed meanwhile, it no longer matches
// next_at <= now and is left out, so no slot is returned twice. FOR UPDATE
// rather than SKIP LOCKED: skipping would let a replica miss a slot for that
// poll, and one whose clock runs ahead could then skip the slot altogether;
// waiting keeps SQLite's guarantee that after a claim at now, next_at > now
// (the suite checks it with claimers on unsynchronised clocks, where SKIP
// LOCKED lost 30 of 73 slots). Rows are locked in one order, so claims
// cannot deadlock.
func (d *DB) Claim(ctx context.Context, now time.Time, limit int) ([]proclaim.Claim, error) {
	rows, err := d.pool.Query(ctx, `WITH due AS (
			SELECT id FROM schedules
			WHERE next_at <= $1 AND paused = ''
			ORDER BY next_at, id LIMIT $2
			FOR UPDATE
		)
		UPDATE schedules s
		SET slot_at = s.next_at,
		    next_at = s.next_at + s.every_ms * (($1 - s.next_at) / s.every_ms + 1)
		FROM due WHERE s.id = due.id
		RETURNING s.id, s.guild_id, s.channel_id, s.every_ms, s.kind, s.topic, s.next_at, s.created_by, s.created_at,
		    s.last_at, s.last_result, s.paused, s.slot_at,
		    EXISTS (SELECT 1 FROM hushes h WHERE h.guild_id = s.guild_id AND h.until_at > $1)`,
		ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim due schedules: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (proclaim.Claim, error) {
		var (
			c    proclaim.Claim
			slot int64
			err  error
		)
		c.Schedule, err = scanSchedule(r, &slot, &c.Hushed)
		c.Slot = fromMS(slot)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim due schedules: %w", err)
	}
	slices.SortFunc(out, func(a, b proclaim.Claim) int { return a.Slot.Compare(b.Slot) })
	return out, nil
}

// Finish implements proclaim.Claimer.
func (d *DB) Finish(ctx context.Context, id int64, o proclaim.Outcome) error {
	_, err := d.pool.Exec(ctx, `UPDATE schedules
		SET last_at = $1, last_result = $2, paused = CASE WHEN $3 <> '' THEN $3 ELSE paused END
		WHERE id = $4`, ms(o.At), o.Result, o.Pause, id)
	if err != nil {
		return fmt.Errorf("record result of schedule %d: %w", id, err)
	}
	return nil
}

// TakeCooldown implements cooldown.Store, whose doc states the rule the
// WHERE clause holds: a running cooldown is one whose start lies within
// every either side of now. The test and the write are one upsert: of many
// concurrent takes, on any replicas, exactly one wins.
func (d *DB) TakeCooldown(ctx context.Context, key string, now time.Time, every time.Duration) (time.Duration, error) {
	n, e := ms(now), every.Milliseconds()
	for {
		var last int64
		err := d.pool.QueryRow(ctx, `INSERT INTO cooldowns (user_key, last_at) VALUES ($1, $2)
			ON CONFLICT (user_key) DO UPDATE SET last_at = excluded.last_at
			WHERE cooldowns.last_at <= $2 - $3 OR cooldowns.last_at > $2 + $3
			RETURNING last_at`, key, n, e).Scan(&last)
		switch {
		case err == nil:
			return 0, nil
		case !isNoRows(err):
			return 0, fmt.Errorf("take cooldown: %w", err)
		}
		// Still cooling down: read how long for, to tell the user.
		err = d.pool.QueryRow(ctx, `SELECT last_at FROM cooldowns WHERE user_key = $1`, key).Scan(&last)
		switch {
		case err == nil:
			return min(time.Duration(last+e-n)*time.Millisecond, every), nil
		case !isNoRows(err):
			return 0, fmt.Errorf("take cooldown: %w", err)
		}
		// Pruned in between, so it had expired: take it again.
	}
}

// PruneCooldowns implements cooldown.Store.
func (d *DB) PruneCooldowns(ctx context.Context, before time.Time) error {
	if _, err := d.pool.Exec(ctx, `DELETE FROM cooldowns WHERE last_at <= $1`, ms(before)); err != nil {
		return fmt.Errorf("prune cooldowns: %w", err)
	}
	return nil
}
