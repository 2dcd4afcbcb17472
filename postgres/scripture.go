package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/glowcloud/glowcloud/scripture"
)

// Every server's own scripture: scripture.Store. A server's writes hold
// its scripture lock (lockScripture), so its limits cannot be raced; a
// training is claimed by one UPDATE over a FOR UPDATE SKIP LOCKED
// selection, so replicas never claim the same job.

// scriptureChannel is notified, with the schema's name, when a server's
// texts change (a training waits) or its model does.
const scriptureChannel = "glowcloud_scripture"

const guildColumns = `g.guild_id, g.essay, g.state, g.error, g.summary, g.gen, g.trained_gen, g.model_version,
	g.model_bytes, g.attempts, g.updated_at,
	(SELECT count(*) FROM scripture_texts t WHERE t.guild_id = g.guild_id),
	(SELECT coalesce(sum(size), 0)::bigint FROM scripture_texts t WHERE t.guild_id = g.guild_id)`

func scanGuild(r pgx.Row) (scripture.Guild, error) {
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

// lockScripture serialises, until tx ends, the transactions that change
// one server's scripture.
func lockScripture(ctx context.Context, tx pgx.Tx, guildID string) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('glowcloud scripture ' || $1, 0))`, guildID)
	return err
}

func notifyScripture(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, current_schema())`, scriptureChannel)
	return err
}

// AddText implements scripture.Store.
func (d *DB) AddText(ctx context.Context, t scripture.Text, lim scripture.Limits) (scripture.Guild, error) {
	var g scripture.Guild
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if err := lockScripture(ctx, tx, t.GuildID); err != nil {
			return err
		}
		var (
			n     int
			bytes int64
		)
		if err := tx.QueryRow(ctx, `SELECT count(*), coalesce(sum(size), 0)::bigint FROM scripture_texts WHERE guild_id = $1`, t.GuildID).Scan(&n, &bytes); err != nil {
			return err
		}
		var dup string
		err := tx.QueryRow(ctx, `SELECT name FROM scripture_texts WHERE guild_id = $1 AND sha256 = $2`, t.GuildID, t.SHA256).Scan(&dup)
		switch {
		case err == nil:
			return &scripture.DuplicateError{Name: dup, SameBytes: true}
		case !isNoRows(err):
			return err
		}
		err = tx.QueryRow(ctx, `SELECT name FROM scripture_texts WHERE guild_id = $1 AND name = $2`, t.GuildID, t.Name).Scan(&dup)
		switch {
		case err == nil:
			return &scripture.DuplicateError{Name: dup}
		case !isNoRows(err):
			return err
		}
		switch {
		case n >= lim.Files:
			return scripture.ErrTooMany
		case bytes+t.Size > lim.Bytes:
			return scripture.ErrTooLarge
		}
		now := ms(time.Now())
		if _, err := tx.Exec(ctx, `INSERT INTO scripture_guilds (guild_id, updated_at) VALUES ($1, $2) ON CONFLICT (guild_id) DO NOTHING`, t.GuildID, now); err != nil {
			return err
		}
		var seq int64
		// A server being trained stays claimed (see the sqlite adapter).
		if err := tx.QueryRow(ctx, `UPDATE scripture_guilds SET gen = gen + 1, seq = seq + 1, error = '',
			attempts = CASE WHEN state = 'training' THEN attempts ELSE 0 END,
			state = CASE WHEN state = 'training' THEN 'training' ELSE 'pending' END, updated_at = $1
			WHERE guild_id = $2 RETURNING seq`, now, t.GuildID).Scan(&seq); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO scripture_texts (guild_id, name, sha256, size, data, added_by, added_at, seq)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, t.GuildID, t.Name, t.SHA256, t.Size, t.Data, t.AddedBy, ms(t.AddedAt), seq); err != nil {
			return err
		}
		if g, err = scanGuild(tx.QueryRow(ctx, `SELECT `+guildColumns+` FROM scripture_guilds g WHERE g.guild_id = $1`, t.GuildID)); err != nil {
			return err
		}
		return notifyScripture(ctx, tx)
	})
	if err != nil {
		return g, fmt.Errorf("add scripture %q to guild %s: %w", t.Name, t.GuildID, err)
	}
	return g, nil
}

// Texts implements scripture.Store.
func (d *DB) Texts(ctx context.Context, guildID string, withData bool) ([]scripture.Text, error) {
	data := `''::bytea`
	if withData {
		data = `data`
	}
	rows, err := d.pool.Query(ctx, `SELECT guild_id, name, sha256, size, `+data+`, added_by, added_at, sentences
		FROM scripture_texts WHERE guild_id = $1 ORDER BY seq`, guildID)
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
	found := false
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if err := lockScripture(ctx, tx, guildID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM scripture_texts WHERE guild_id = $1 AND name = $2`, guildID, name)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		found = true
		if _, err := tx.Exec(ctx, `DELETE FROM scripture_models WHERE guild_id = $1`, guildID); err != nil {
			return err
		}
		var left int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM scripture_texts WHERE guild_id = $1`, guildID).Scan(&left); err != nil {
			return err
		}
		if left == 0 {
			_, err = tx.Exec(ctx, `DELETE FROM scripture_guilds WHERE guild_id = $1`, guildID)
		} else {
			_, err = tx.Exec(ctx, `UPDATE scripture_guilds SET gen = gen + 1, model_version = 0, model_bytes = 0, trained_gen = 0,
				summary = '', error = '', attempts = CASE WHEN state = 'training' THEN attempts ELSE 0 END,
				state = CASE WHEN state = 'training' THEN 'training' ELSE 'pending' END, updated_at = $1
				WHERE guild_id = $2`, ms(time.Now()), guildID)
		}
		if err != nil {
			return err
		}
		return notifyScripture(ctx, tx)
	})
	if err != nil {
		return false, fmt.Errorf("remove scripture %q of guild %s: %w", name, guildID, err)
	}
	return found, nil
}

// ForgetGuild implements scripture.Store.
func (d *DB) ForgetGuild(ctx context.Context, guildID string) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if err := lockScripture(ctx, tx, guildID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM scripture_texts WHERE guild_id = $1`, guildID).Scan(&n); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM scripture_texts WHERE guild_id = $1`,
			`DELETE FROM scripture_models WHERE guild_id = $1`,
			`DELETE FROM scripture_guilds WHERE guild_id = $1`,
		} {
			if _, err := tx.Exec(ctx, q, guildID); err != nil {
				return err
			}
		}
		return notifyScripture(ctx, tx)
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
	_, err := d.pool.Exec(ctx, `INSERT INTO scripture_guilds (guild_id, essay, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (guild_id) DO UPDATE SET essay = excluded.essay`, guildID, essay, ms(time.Now()))
	if err != nil {
		return fmt.Errorf("set blend of guild %s: %w", guildID, err)
	}
	return nil
}

// ScriptureGuild implements scripture.Store.
func (d *DB) ScriptureGuild(ctx context.Context, guildID string) (scripture.Guild, error) {
	g, err := scanGuild(d.pool.QueryRow(ctx, `SELECT `+guildColumns+` FROM scripture_guilds g WHERE g.guild_id = $1`, guildID))
	switch {
	case isNoRows(err):
		return scripture.Guild{GuildID: guildID, Essay: scripture.DefaultEssay}, nil
	case err != nil:
		return g, fmt.Errorf("read the scripture of guild %s: %w", guildID, err)
	}
	return g, nil
}

// ScriptureGuilds implements scripture.Store.
func (d *DB) ScriptureGuilds(ctx context.Context) ([]scripture.Guild, error) {
	rows, err := d.pool.Query(ctx, `SELECT `+guildColumns+` FROM scripture_guilds g ORDER BY g.guild_id`)
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
	err := d.pool.QueryRow(ctx, `SELECT model_version, essay FROM scripture_guilds WHERE guild_id = $1`, guildID).Scan(&version, &essay)
	switch {
	case isNoRows(err):
		return 0, scripture.DefaultEssay, nil
	case err != nil:
		return 0, 0, fmt.Errorf("read the scripture version of guild %s: %w", guildID, err)
	}
	return version, essay, nil
}

// ScriptureModel implements scripture.Store.
func (d *DB) ScriptureModel(ctx context.Context, guildID string) (scripture.Model, error) {
	var m scripture.Model
	err := d.pool.QueryRow(ctx, `SELECT m.version, g.essay, m.data FROM scripture_models m
		JOIN scripture_guilds g ON g.guild_id = m.guild_id WHERE m.guild_id = $1`, guildID).Scan(&m.Version, &m.Essay, &m.Data)
	switch {
	case isNoRows(err):
		return m, scripture.ErrNone
	case err != nil:
		return m, fmt.Errorf("read the scripture model of guild %s: %w", guildID, err)
	}
	return m, nil
}

// ClaimTraining implements scripture.Store.
func (d *DB) ClaimTraining(ctx context.Context, worker string, now time.Time, lease time.Duration) (scripture.Job, bool, error) {
	j := scripture.Job{Worker: worker}
	ok := false
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE scripture_guilds SET state = 'failed', error = $1, claimed_by = '', lease_until = 0
			WHERE state = 'training' AND lease_until < $2 AND attempts >= $3`, scripture.MsgAbandoned, ms(now), scripture.MaxAttempts); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `UPDATE scripture_guilds SET state = 'training', claimed_by = $1, lease_until = $2,
			attempts = attempts + 1, updated_at = $3
			WHERE guild_id = (SELECT guild_id FROM scripture_guilds
				WHERE state = 'pending' OR (state = 'training' AND lease_until < $3)
				ORDER BY updated_at, guild_id LIMIT 1 FOR UPDATE SKIP LOCKED)
			RETURNING guild_id, gen, attempts`, worker, ms(now.Add(lease)), ms(now)).Scan(&j.GuildID, &j.Gen, &j.Attempt)
		switch {
		case isNoRows(err):
			return nil
		case err != nil:
			return err
		}
		ok = true
		return nil
	})
	if err != nil {
		return j, false, fmt.Errorf("claim a scripture training: %w", err)
	}
	return j, ok, nil
}

// claimed is the condition that a job is still its claim's ($1..$3).
const claimed = `guild_id = $1 AND state = 'training' AND claimed_by = $2 AND attempts = $3`

// RenewTraining implements scripture.Store.
func (d *DB) RenewTraining(ctx context.Context, j scripture.Job, until time.Time) (bool, error) {
	tag, err := d.pool.Exec(ctx, `UPDATE scripture_guilds SET lease_until = $4 WHERE `+claimed, j.GuildID, j.Worker, j.Attempt, ms(until))
	if err != nil {
		return false, fmt.Errorf("renew the scripture training of guild %s: %w", j.GuildID, err)
	}
	return tag.RowsAffected() > 0, nil
}

// FinishTraining implements scripture.Store.
func (d *DB) FinishTraining(ctx context.Context, j scripture.Job, o scripture.Outcome) (bool, error) {
	ok := false
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if err := lockScripture(ctx, tx, j.GuildID); err != nil {
			return err
		}
		var gen int64
		err := tx.QueryRow(ctx, `SELECT gen FROM scripture_guilds WHERE `+claimed, j.GuildID, j.Worker, j.Attempt).Scan(&gen)
		switch {
		case isNoRows(err):
			return nil
		case err != nil:
			return err
		}
		ok = true
		at := ms(o.At)
		switch {
		case gen != j.Gen:
			// The texts changed while it trained: train again.
			_, err = tx.Exec(ctx, `UPDATE scripture_guilds SET state = 'pending', attempts = 0, claimed_by = '',
				lease_until = 0, updated_at = $1 WHERE guild_id = $2`, at, j.GuildID)
		case o.Model == nil:
			_, err = tx.Exec(ctx, `UPDATE scripture_guilds SET state = 'failed', error = $1, claimed_by = '',
				lease_until = 0, updated_at = $2 WHERE guild_id = $3`, o.Err, at, j.GuildID)
		default:
			err = storeModel(ctx, tx, j, o)
		}
		if err != nil {
			return err
		}
		return notifyScripture(ctx, tx)
	})
	if err != nil {
		return false, fmt.Errorf("finish the scripture training of guild %s: %w", j.GuildID, err)
	}
	return ok, nil
}

// storeModel replaces the server's model with o's, within tx.
func storeModel(ctx context.Context, tx pgx.Tx, j scripture.Job, o scripture.Outcome) error {
	if _, err := tx.Exec(ctx, `DELETE FROM scripture_models WHERE guild_id = $1`, j.GuildID); err != nil {
		return err
	}
	var version int64
	if err := tx.QueryRow(ctx, `INSERT INTO scripture_models (guild_id, data) VALUES ($1, $2) RETURNING version`, j.GuildID, o.Model).Scan(&version); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE scripture_guilds SET state = 'ready', error = '', summary = $1, trained_gen = $2,
		model_version = $3, model_bytes = $4, claimed_by = '', lease_until = 0, updated_at = $5 WHERE guild_id = $6`,
		o.Summary, j.Gen, version, len(o.Model), ms(o.At), j.GuildID); err != nil {
		return err
	}
	for name, n := range o.Sentences {
		if _, err := tx.Exec(ctx, `UPDATE scripture_texts SET sentences = $1 WHERE guild_id = $2 AND name = $3`, n, j.GuildID, name); err != nil {
			return err
		}
	}
	return nil
}

// ReleaseTraining implements scripture.Store.
func (d *DB) ReleaseTraining(ctx context.Context, j scripture.Job) error {
	_, err := d.pool.Exec(ctx, `UPDATE scripture_guilds SET state = 'pending', claimed_by = '', lease_until = 0,
		attempts = greatest(attempts - 1, 0) WHERE `+claimed, j.GuildID, j.Worker, j.Attempt)
	if err != nil {
		return fmt.Errorf("release the scripture training of guild %s: %w", j.GuildID, err)
	}
	return nil
}

// ListenScripture calls changed whenever a server's scripture changes in
// this schema (a text added or removed, a model trained), on a connection
// of its own, until ctx ends; and once when it starts listening.
func (d *DB) ListenScripture(ctx context.Context, changed func()) error {
	conn, err := pgx.ConnectConfig(ctx, d.pool.Config().ConnConfig)
	if err != nil {
		return fmt.Errorf("listen for scripture: %w", err)
	}
	defer conn.Close(context.Background())
	var schema string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("listen for scripture: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+scriptureChannel); err != nil {
		return fmt.Errorf("listen for scripture: %w", err)
	}
	changed()
	for {
		n, err := conn.WaitForNotification(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("listen for scripture: %w", err)
		}
		if n.Payload == schema {
			changed()
		}
	}
}
