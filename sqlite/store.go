package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/glowcloud/glowcloud/proclaim"
)

// Times are stored as Unix milliseconds, durations as milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func nullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

const scheduleColumns = `id, guild_id, channel_id, every_ms, kind, topic, next_at, created_by, created_at, last_at, last_result, paused`

type scanner interface{ Scan(...any) error }

func scanSchedule(r scanner, extra ...any) (proclaim.Schedule, error) {
	var (
		s              proclaim.Schedule
		every          int64
		next, created  int64
		last           sql.NullInt64
		scanned        = []any{&s.ID, &s.GuildID, &s.ChannelID, &every, &s.Kind, &s.Topic, &next, &s.CreatedBy, &created, &last, &s.LastResult, &s.Paused}
		scannedAndMore = append(scanned, extra...)
	)
	if err := r.Scan(scannedAndMore...); err != nil {
		return s, err
	}
	s.Every = time.Duration(every) * time.Millisecond
	s.NextAt, s.CreatedAt, s.LastAt = fromMS(next), fromMS(created), nullMS(last)
	return s, nil
}

// The statements run on every interaction (a cooldown), on every
// proclamation (a hush, its result), and /proclaim's.
const (
	deleteScheduleSQL = `DELETE FROM schedules WHERE guild_id = ? AND channel_id = ?`
	countSchedulesSQL = `SELECT count(*) FROM schedules WHERE guild_id = ?`
	insertScheduleSQL = `INSERT INTO schedules (guild_id, channel_id, every_ms, kind, topic, next_at, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ` + scheduleColumns
	finishSQL = `UPDATE schedules
			SET last_at = ?, last_result = ?, paused = CASE WHEN ? <> '' THEN ? ELSE paused END
			WHERE id = ?`
	takeCooldownSQL = `INSERT INTO cooldowns (user_key, last_at) VALUES (?1, ?2)
			ON CONFLICT (user_key) DO UPDATE SET last_at = excluded.last_at
			WHERE cooldowns.last_at <= ?2 - ?3 OR cooldowns.last_at > ?2 + ?3
			RETURNING last_at`
	cooldownSQL  = `SELECT last_at FROM cooldowns WHERE user_key = ?`
	hushSQL      = `SELECT until_at, by_user FROM hushes WHERE guild_id = ?`
	schedulesSQL = `SELECT ` + scheduleColumns + ` FROM schedules WHERE guild_id = ? ORDER BY id`
)

// PutSchedule implements proclaim.Store: in one IMMEDIATE transaction it
// deletes the channel's schedule, counts the guild's others and inserts.
func (d *DB) PutSchedule(ctx context.Context, s proclaim.Schedule, max int) (proclaim.Schedule, error) {
	var out proclaim.Schedule
	st, err := d.prepare(ctx, d.w, deleteScheduleSQL, countSchedulesSQL, insertScheduleSQL)
	if err != nil {
		return proclaim.Schedule{}, fmt.Errorf("put schedule of channel %s: %w", s.ChannelID, err)
	}
	_, err = d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		if _, err := tx.StmtContext(ctx, st[0]).ExecContext(ctx, s.GuildID, s.ChannelID); err != nil {
			return false, err
		}
		var n int
		if err := tx.StmtContext(ctx, st[1]).QueryRowContext(ctx, s.GuildID).Scan(&n); err != nil {
			return false, err
		}
		if n >= max {
			return false, proclaim.ErrTooMany
		}
		row := tx.StmtContext(ctx, st[2]).QueryRowContext(ctx,
			s.GuildID, s.ChannelID, s.Every.Milliseconds(), string(s.Kind), s.Topic, ms(s.NextAt), s.CreatedBy, ms(s.CreatedAt))
		var err error
		out, err = scanSchedule(row)
		return true, err
	})
	if err != nil {
		return proclaim.Schedule{}, fmt.Errorf("put schedule of channel %s: %w", s.ChannelID, err)
	}
	return out, nil
}

// DeleteSchedule implements proclaim.Store.
func (d *DB) DeleteSchedule(ctx context.Context, guildID, channelID string) (bool, error) {
	found, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		res, err := tx.ExecContext(ctx, `DELETE FROM schedules WHERE guild_id = ? AND channel_id = ?`, guildID, channelID)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n > 0, err
	})
	if err != nil {
		return false, fmt.Errorf("delete schedule of channel %s: %w", channelID, err)
	}
	return found, nil
}

// Schedules implements proclaim.Store, in the order they were started.
func (d *DB) Schedules(ctx context.Context, guildID string) ([]proclaim.Schedule, error) {
	st, err := d.prepare(ctx, d.db, schedulesSQL)
	if err != nil {
		return nil, fmt.Errorf("list schedules of guild %s: %w", guildID, err)
	}
	rows, err := st[0].QueryContext(ctx, guildID)
	if err != nil {
		return nil, fmt.Errorf("list schedules of guild %s: %w", guildID, err)
	}
	defer rows.Close()
	var out []proclaim.Schedule
	for rows.Next() {
		s, err := scanSchedule(rows)
		if err != nil {
			return nil, fmt.Errorf("list schedules of guild %s: %w", guildID, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list schedules of guild %s: %w", guildID, err)
	}
	return out, nil
}

// SetHush implements proclaim.Store.
func (d *DB) SetHush(ctx context.Context, h proclaim.Hush) error {
	_, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		_, err := tx.ExecContext(ctx, `INSERT INTO hushes (guild_id, until_at, by_user) VALUES (?, ?, ?)
			ON CONFLICT (guild_id) DO UPDATE SET until_at = excluded.until_at, by_user = excluded.by_user`,
			h.GuildID, ms(h.Until), h.By)
		return true, err
	})
	if err != nil {
		return fmt.Errorf("hush guild %s: %w", h.GuildID, err)
	}
	return nil
}

// ClearHush implements proclaim.Store.
func (d *DB) ClearHush(ctx context.Context, guildID string) error {
	_, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		_, err := tx.ExecContext(ctx, `DELETE FROM hushes WHERE guild_id = ?`, guildID)
		return true, err
	})
	if err != nil {
		return fmt.Errorf("lift hush of guild %s: %w", guildID, err)
	}
	return nil
}

// Hush implements proclaim.Store.
func (d *DB) Hush(ctx context.Context, guildID string) (proclaim.Hush, error) {
	h := proclaim.Hush{GuildID: guildID}
	var until int64
	st, err := d.prepare(ctx, d.db, hushSQL)
	if err == nil {
		err = st[0].QueryRowContext(ctx, guildID).Scan(&until, &h.By)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return h, nil
	case err != nil:
		return h, fmt.Errorf("read hush of guild %s: %w", guildID, err)
	}
	h.Until = fromMS(until)
	return h, nil
}

// Claim implements proclaim.Claimer with one UPDATE … RETURNING: the rows it
// returns are exactly the rows whose next_at it moved past now, and SQLite
// runs it under the database's write lock, so no two claims, in this
// process or another, return the same slot.
func (d *DB) Claim(ctx context.Context, now time.Time, limit int) ([]proclaim.Claim, error) {
	var out []proclaim.Claim
	claim, err := d.polls.claim.prepared(ctx, d.w, claimSQL)
	if err != nil {
		return nil, fmt.Errorf("claim due schedules: %w", err)
	}
	_, err = d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		rows, err := tx.StmtContext(ctx, claim).QueryContext(ctx, ms(now), limit)
		if err != nil {
			return false, err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c    proclaim.Claim
				slot int64
			)
			c.Schedule, err = scanSchedule(rows, &slot, &c.Hushed)
			if err != nil {
				return false, err
			}
			c.Slot = fromMS(slot)
			out = append(out, c)
		}
		return true, rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim due schedules: %w", err)
	}
	slices.SortFunc(out, func(a, b proclaim.Claim) int { return a.Slot.Compare(b.Slot) })
	return out, nil
}

// Finish implements proclaim.Claimer.
func (d *DB) Finish(ctx context.Context, id int64, o proclaim.Outcome) error {
	st, err := d.prepare(ctx, d.w, finishSQL)
	if err != nil {
		return fmt.Errorf("record result of schedule %d: %w", id, err)
	}
	_, err = d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		_, err := tx.StmtContext(ctx, st[0]).ExecContext(ctx, ms(o.At), o.Result, o.Pause, o.Pause, id)
		return true, err
	})
	if err != nil {
		return fmt.Errorf("record result of schedule %d: %w", id, err)
	}
	return nil
}

// TakeCooldown implements cooldown.Store, whose doc states the rule the
// WHERE clause holds: a running cooldown is one whose start lies within
// every either side of now. The test and the write are one upsert in an
// IMMEDIATE transaction, so of many concurrent takes, in any processes,
// exactly one wins.
func (d *DB) TakeCooldown(ctx context.Context, key string, now time.Time, every time.Duration) (time.Duration, error) {
	var wait time.Duration
	st, err := d.prepare(ctx, d.w, takeCooldownSQL, cooldownSQL)
	if err != nil {
		return 0, fmt.Errorf("take cooldown: %w", err)
	}
	_, err = d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		n, e := ms(now), every.Milliseconds()
		var last int64
		err := tx.StmtContext(ctx, st[0]).QueryRowContext(ctx, key, n, e).Scan(&last)
		switch {
		case err == nil:
			return true, nil
		case !errors.Is(err, sql.ErrNoRows):
			return false, err
		}
		if err := tx.StmtContext(ctx, st[1]).QueryRowContext(ctx, key).Scan(&last); err != nil {
			return false, err
		}
		wait = min(time.Duration(last+e-n)*time.Millisecond, every)
		return true, nil
	})
	if err != nil {
		return 0, fmt.Errorf("take cooldown: %w", err)
	}
	return wait, nil
}

// PruneCooldowns implements cooldown.Store.
func (d *DB) PruneCooldowns(ctx context.Context, before time.Time) error {
	if _, err := d.w.ExecContext(ctx, `DELETE FROM cooldowns WHERE last_at <= ?`, ms(before)); err != nil {
		return fmt.Errorf("prune cooldowns: %w", err)
	}
	return nil
}
