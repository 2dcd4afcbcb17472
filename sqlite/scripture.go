package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/glowcloud/glowcloud/scripture"
)

// Every server's own scripture: scripture.Store. Each write is one
// IMMEDIATE transaction, so the limits and the claims hold across the
// processes sharing the file.

const guildColumns = `g.guild_id, g.essay, g.state, g.error, g.summary, g.gen, g.trained_gen, g.model_version,
	g.model_bytes, g.attempts, g.updated_at,
	(SELECT count(*) FROM scripture_texts t WHERE t.guild_id = g.guild_id),
	(SELECT coalesce(sum(size), 0) FROM scripture_texts t WHERE t.guild_id = g.guild_id)`

func scanGuild(r scanner) (scripture.Guild, error) {
	var (
		g       scripture.Guild
		state   string
		updated int64
	)
	err := r.Scan(&g.GuildID, &g.Essay, &state, &g.Error, &g.Summary, &g.Gen, &g.TrainedGen, &g.ModelVersion,
		&g.ModelBytes, &g.Attempts, &updated, &g.Texts, &g.Bytes)
	g.State, g.UpdatedAt = scripture.State(state), fromMS(updated)
	return g, err
}

// The reads of a server's scripture that every interaction may make: the
// server's state, and the version of its model (which a cached model is
// checked against).
const (
	guildSQL            = `SELECT ` + guildColumns + ` FROM scripture_guilds g WHERE g.guild_id = ?`
	scriptureVersionSQL = `SELECT model_version, essay FROM scripture_guilds WHERE guild_id = ?`
)

// guildTx reads a server's scripture within tx.
func guildTx(ctx context.Context, tx *sql.Tx, guildID string) (scripture.Guild, error) {
	return scanGuild(tx.QueryRowContext(ctx, guildSQL, guildID))
}

// AddText implements scripture.Store.
func (d *DB) AddText(ctx context.Context, t scripture.Text, lim scripture.Limits) (scripture.Guild, error) {
	var g scripture.Guild
	_, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		var (
			n     int
			bytes int64
		)
		if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(size), 0) FROM scripture_texts WHERE guild_id = ?`, t.GuildID).Scan(&n, &bytes); err != nil {
			return false, err
		}
		var dup string
		err := tx.QueryRowContext(ctx, `SELECT name FROM scripture_texts WHERE guild_id = ? AND sha256 = ?`, t.GuildID, t.SHA256).Scan(&dup)
		switch {
		case err == nil:
			return false, &scripture.DuplicateError{Name: dup, SameBytes: true}
		case !errors.Is(err, sql.ErrNoRows):
			return false, err
		}
		err = tx.QueryRowContext(ctx, `SELECT name FROM scripture_texts WHERE guild_id = ? AND name = ?`, t.GuildID, t.Name).Scan(&dup)
		switch {
		case err == nil:
			return false, &scripture.DuplicateError{Name: dup}
		case !errors.Is(err, sql.ErrNoRows):
			return false, err
		}
		switch {
		case n >= lim.Files:
			return false, scripture.ErrTooMany
		case bytes+t.Size > lim.Bytes:
			return false, scripture.ErrTooLarge
		}
		now := ms(time.Now())
		if _, err := tx.ExecContext(ctx, `INSERT INTO scripture_guilds (guild_id, updated_at) VALUES (?, ?) ON CONFLICT (guild_id) DO NOTHING`, t.GuildID, now); err != nil {
			return false, err
		}
		var seq int64
		// A server being trained stays claimed: its trainer sees the new
		// gen when it finishes and leaves the server waiting for another
		// training, so one server never trains twice at once.
		if err := tx.QueryRowContext(ctx, `UPDATE scripture_guilds SET gen = gen + 1, seq = seq + 1, error = '',
			attempts = CASE WHEN state = 'training' THEN attempts ELSE 0 END,
			state = CASE WHEN state = 'training' THEN 'training' ELSE 'pending' END, updated_at = ?
			WHERE guild_id = ? RETURNING seq`, now, t.GuildID).Scan(&seq); err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO scripture_texts (guild_id, name, sha256, size, data, added_by, added_at, seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.GuildID, t.Name, t.SHA256, t.Size, t.Data, t.AddedBy, ms(t.AddedAt), seq); err != nil {
			return false, err
		}
		g, err = guildTx(ctx, tx, t.GuildID)
		return true, err
	})
	if err != nil {
		return g, fmt.Errorf("add scripture %q to guild %s: %w", t.Name, t.GuildID, err)
	}
	return g, nil
}

// Texts implements scripture.Store.
func (d *DB) Texts(ctx context.Context, guildID string, withData bool) ([]scripture.Text, error) {
	data := `x''`
	if withData {
		data = `data`
	}
	rows, err := d.db.QueryContext(ctx, `SELECT guild_id, name, sha256, size, `+data+`, added_by, added_at, sentences
		FROM scripture_texts WHERE guild_id = ? ORDER BY seq`, guildID)
	if err != nil {
		return nil, fmt.Errorf("list scripture of guild %s: %w", guildID, err)
	}
	defer rows.Close()
	var out []scripture.Text
	for rows.Next() {
		var (
			t     scripture.Text
			added int64
		)
		if err := rows.Scan(&t.GuildID, &t.Name, &t.SHA256, &t.Size, &t.Data, &t.AddedBy, &added, &t.Sentences); err != nil {
			return nil, fmt.Errorf("list scripture of guild %s: %w", guildID, err)
		}
		if !withData {
			t.Data = nil
		}
		t.AddedAt = fromMS(added)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list scripture of guild %s: %w", guildID, err)
	}
	return out, nil
}

// RemoveText implements scripture.Store.
func (d *DB) RemoveText(ctx context.Context, guildID, name string) (bool, error) {
	found, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		res, err := tx.ExecContext(ctx, `DELETE FROM scripture_texts WHERE guild_id = ? AND name = ?`, guildID, name)
		if err != nil {
			return false, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM scripture_models WHERE guild_id = ?`, guildID); err != nil {
			return false, err
		}
		var left int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM scripture_texts WHERE guild_id = ?`, guildID).Scan(&left); err != nil {
			return false, err
		}
		if left == 0 {
			_, err := tx.ExecContext(ctx, `DELETE FROM scripture_guilds WHERE guild_id = ?`, guildID)
			return true, err
		}
		_, err = tx.ExecContext(ctx, `UPDATE scripture_guilds SET gen = gen + 1, model_version = 0, model_bytes = 0, trained_gen = 0,
			summary = '', error = '', attempts = CASE WHEN state = 'training' THEN attempts ELSE 0 END,
			state = CASE WHEN state = 'training' THEN 'training' ELSE 'pending' END, updated_at = ?
			WHERE guild_id = ?`, ms(time.Now()), guildID)
		return true, err
	})
	if err != nil {
		return false, fmt.Errorf("remove scripture %q of guild %s: %w", name, guildID, err)
	}
	return found, nil
}

// ForgetGuild implements scripture.Store.
func (d *DB) ForgetGuild(ctx context.Context, guildID string) (int, error) {
	var n int
	_, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM scripture_texts WHERE guild_id = ?`, guildID).Scan(&n); err != nil {
			return false, err
		}
		for _, q := range []string{
			`DELETE FROM scripture_texts WHERE guild_id = ?`,
			`DELETE FROM scripture_models WHERE guild_id = ?`,
			`DELETE FROM scripture_guilds WHERE guild_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, guildID); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil {
		return 0, fmt.Errorf("forget the scripture of guild %s: %w", guildID, err)
	}
	return n, nil
}

// SetBlend implements scripture.Store.
func (d *DB) SetBlend(ctx context.Context, guildID string, essay int) error {
	if !scripture.ValidEssay(essay) {
		return fmt.Errorf("set blend of guild %s: essay %d out of 0..100", guildID, essay)
	}
	_, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		_, err := tx.ExecContext(ctx, `INSERT INTO scripture_guilds (guild_id, essay, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (guild_id) DO UPDATE SET essay = excluded.essay`, guildID, essay, ms(time.Now()))
		return true, err
	})
	if err != nil {
		return fmt.Errorf("set blend of guild %s: %w", guildID, err)
	}
	return nil
}

// ScriptureGuild implements scripture.Store.
func (d *DB) ScriptureGuild(ctx context.Context, guildID string) (scripture.Guild, error) {
	var g scripture.Guild
	st, err := d.prepare(ctx, d.db, guildSQL)
	if err == nil {
		g, err = scanGuild(st[0].QueryRowContext(ctx, guildID))
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return scripture.Guild{GuildID: guildID, Essay: scripture.DefaultEssay}, nil
	case err != nil:
		return g, fmt.Errorf("read the scripture of guild %s: %w", guildID, err)
	}
	return g, nil
}

// ScriptureGuilds implements scripture.Store.
func (d *DB) ScriptureGuilds(ctx context.Context) ([]scripture.Guild, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+guildColumns+` FROM scripture_guilds g ORDER BY g.guild_id`)
	if err != nil {
		return nil, fmt.Errorf("list servers with scripture: %w", err)
	}
	defer rows.Close()
	var out []scripture.Guild
	for rows.Next() {
		g, err := scanGuild(rows)
		if err != nil {
			return nil, fmt.Errorf("list servers with scripture: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list servers with scripture: %w", err)
	}
	return out, nil
}

// ScriptureVersion implements scripture.Store.
func (d *DB) ScriptureVersion(ctx context.Context, guildID string) (int64, int, error) {
	var (
		version int64
		essay   int
	)
	st, err := d.prepare(ctx, d.db, scriptureVersionSQL)
	if err == nil {
		err = st[0].QueryRowContext(ctx, guildID).Scan(&version, &essay)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, scripture.DefaultEssay, nil
	case err != nil:
		return 0, 0, fmt.Errorf("read the scripture version of guild %s: %w", guildID, err)
	}
	return version, essay, nil
}

// ScriptureModel implements scripture.Store.
func (d *DB) ScriptureModel(ctx context.Context, guildID string) (scripture.Model, error) {
	var m scripture.Model
	err := d.db.QueryRowContext(ctx, `SELECT m.version, g.essay, m.data FROM scripture_models m
		JOIN scripture_guilds g ON g.guild_id = m.guild_id WHERE m.guild_id = ?`, guildID).Scan(&m.Version, &m.Essay, &m.Data)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return m, scripture.ErrNone
	case err != nil:
		return m, fmt.Errorf("read the scripture model of guild %s: %w", guildID, err)
	}
	return m, nil
}

// ClaimTraining implements scripture.Store: one UPDATE over the oldest
// waiting server, in an IMMEDIATE transaction.
func (d *DB) ClaimTraining(ctx context.Context, worker string, now time.Time, lease time.Duration) (scripture.Job, bool, error) {
	j := scripture.Job{Worker: worker}
	abandon, err := d.polls.abandonTrainings.prepared(ctx, d.w, abandonTrainingsSQL)
	if err != nil {
		return j, false, fmt.Errorf("claim a scripture training: %w", err)
	}
	claim, err := d.polls.claimTraining.prepared(ctx, d.w, claimTrainingSQL)
	if err != nil {
		return j, false, fmt.Errorf("claim a scripture training: %w", err)
	}
	ok, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		if _, err := tx.StmtContext(ctx, abandon).ExecContext(ctx, scripture.MsgAbandoned, ms(now), scripture.MaxAttempts); err != nil {
			return false, err
		}
		err := tx.StmtContext(ctx, claim).QueryRowContext(ctx, worker, ms(now.Add(lease)), ms(now), ms(now)).Scan(&j.GuildID, &j.Gen, &j.Attempt)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return false, nil
		case err != nil:
			return false, err
		}
		return true, nil
	})
	if err != nil {
		return j, false, fmt.Errorf("claim a scripture training: %w", err)
	}
	return j, ok, nil
}

// claimed is the condition that a job is still its claim's.
const claimed = `guild_id = ? AND state = 'training' AND claimed_by = ? AND attempts = ?`

// RenewTraining implements scripture.Store.
func (d *DB) RenewTraining(ctx context.Context, j scripture.Job, until time.Time) (bool, error) {
	ok, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		res, err := tx.ExecContext(ctx, `UPDATE scripture_guilds SET lease_until = ? WHERE `+claimed, ms(until), j.GuildID, j.Worker, j.Attempt)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n > 0, err
	})
	if err != nil {
		return false, fmt.Errorf("renew the scripture training of guild %s: %w", j.GuildID, err)
	}
	return ok, nil
}

// FinishTraining implements scripture.Store.
func (d *DB) FinishTraining(ctx context.Context, j scripture.Job, o scripture.Outcome) (bool, error) {
	ok, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		var gen int64
		err := tx.QueryRowContext(ctx, `SELECT gen FROM scripture_guilds WHERE `+claimed, j.GuildID, j.Worker, j.Attempt).Scan(&gen)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return false, nil
		case err != nil:
			return false, err
		}
		at := ms(o.At)
		if gen != j.Gen {
			// The texts changed while it trained (one may have been
			// removed: its sentences must not serve): train again.
			_, err := tx.ExecContext(ctx, `UPDATE scripture_guilds SET state = 'pending', attempts = 0, claimed_by = '',
				lease_until = 0, updated_at = ? WHERE guild_id = ?`, at, j.GuildID)
			return true, err
		}
		if o.Model == nil {
			_, err := tx.ExecContext(ctx, `UPDATE scripture_guilds SET state = 'failed', error = ?, claimed_by = '',
				lease_until = 0, updated_at = ? WHERE guild_id = ?`, o.Err, at, j.GuildID)
			return true, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM scripture_models WHERE guild_id = ?`, j.GuildID); err != nil {
			return false, err
		}
		var version int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO scripture_models (guild_id, data) VALUES (?, ?) RETURNING version`, j.GuildID, o.Model).Scan(&version); err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE scripture_guilds SET state = 'ready', error = '', summary = ?, trained_gen = ?,
			model_version = ?, model_bytes = ?, claimed_by = '', lease_until = 0, updated_at = ? WHERE guild_id = ?`,
			o.Summary, j.Gen, version, len(o.Model), at, j.GuildID); err != nil {
			return false, err
		}
		for name, n := range o.Sentences {
			if _, err := tx.ExecContext(ctx, `UPDATE scripture_texts SET sentences = ? WHERE guild_id = ? AND name = ?`, n, j.GuildID, name); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil {
		return false, fmt.Errorf("finish the scripture training of guild %s: %w", j.GuildID, err)
	}
	return ok, nil
}

// ReleaseTraining implements scripture.Store.
func (d *DB) ReleaseTraining(ctx context.Context, j scripture.Job) error {
	_, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		_, err := tx.ExecContext(ctx, `UPDATE scripture_guilds SET state = 'pending', claimed_by = '', lease_until = 0,
			attempts = max(attempts - 1, 0) WHERE `+claimed, j.GuildID, j.Worker, j.Attempt)
		return true, err
	})
	if err != nil {
		return fmt.Errorf("release the scripture training of guild %s: %w", j.GuildID, err)
	}
	return nil
}
