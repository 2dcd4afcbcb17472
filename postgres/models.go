package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/glowcloud/glowcloud/publish"
)

// modelChannel is the channel Publish and Rollback notify, with the
// schema's name as the payload, so installations sharing a database tell
// their own changes apart.
const modelChannel = "glowcloud_model"

// lockModels serialises, until tx ends, the transactions that change which
// model is current, so two publishes or rollbacks cannot interleave.
func lockModels(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('glowcloud models ' || current_schema(), 0))`)
	return err
}

// notifyModel tells the listeners of this schema, when tx commits, that
// the current model changed.
func notifyModel(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, current_schema())`, modelChannel)
	return err
}

// Publish implements publish.Store: under the models' lock it inserts the
// model, points current_model at it, prunes all but the publish.Keep newest
// and notifies the listeners, in one transaction.
func (d *DB) Publish(ctx context.Context, data []byte) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if err := lockModels(ctx, tx); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO models (data, created_at) VALUES ($1, $2) RETURNING id`, data, ms(time.Now())).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO current_model (singleton, model_id) VALUES (1, $1)
			ON CONFLICT (singleton) DO UPDATE SET model_id = excluded.model_id`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM models WHERE id NOT IN (SELECT id FROM models ORDER BY id DESC LIMIT $1)`, publish.Keep); err != nil {
			return err
		}
		return notifyModel(ctx, tx)
	})
	if err != nil {
		return 0, fmt.Errorf("publish model: %w", err)
	}
	return id, nil
}

// Current implements publish.Store.
func (d *DB) Current(ctx context.Context) (publish.Model, error) {
	var (
		m       publish.Model
		created int64
	)
	err := d.pool.QueryRow(ctx, `SELECT m.id, m.data, m.created_at FROM current_model c JOIN models m ON m.id = c.model_id`).Scan(&m.ID, &m.Data, &created)
	switch {
	case isNoRows(err):
		return m, publish.ErrNone
	case err != nil:
		return m, fmt.Errorf("read the current model: %w", err)
	}
	m.CreatedAt = fromMS(created)
	return m, nil
}

// CurrentID implements publish.Store.
func (d *DB) CurrentID(ctx context.Context) (int64, error) {
	var id int64
	err := d.pool.QueryRow(ctx, `SELECT model_id FROM current_model`).Scan(&id)
	switch {
	case isNoRows(err):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("read the current model's id: %w", err)
	}
	return id, nil
}

// Rollback implements publish.Store.
func (d *DB) Rollback(ctx context.Context) (int64, error) {
	var prev *int64
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if err := lockModels(ctx, tx); err != nil {
			return err
		}
		var cur int64
		err := tx.QueryRow(ctx, `SELECT model_id FROM current_model`).Scan(&cur)
		switch {
		case isNoRows(err):
			return publish.ErrNone
		case err != nil:
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT max(id) FROM models WHERE id < $1`, cur).Scan(&prev); err != nil {
			return err
		}
		if prev == nil {
			return publish.ErrNoPrevious
		}
		if _, err := tx.Exec(ctx, `UPDATE current_model SET model_id = $1`, *prev); err != nil {
			return err
		}
		return notifyModel(ctx, tx)
	})
	if err != nil {
		return 0, fmt.Errorf("roll back the model: %w", err)
	}
	return *prev, nil
}

// ListenModels implements publish.Listener with LISTEN on a connection of
// its own, outside the pool, so it takes none of the pool's connections.
func (d *DB) ListenModels(ctx context.Context, changed func()) error {
	conn, err := pgx.ConnectConfig(ctx, d.pool.Config().ConnConfig)
	if err != nil {
		return fmt.Errorf("listen for published models: %w", err)
	}
	defer conn.Close(context.Background())
	var schema string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("listen for published models: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+modelChannel); err != nil {
		return fmt.Errorf("listen for published models: %w", err)
	}
	changed() // anything published before LISTEN took effect
	for {
		n, err := conn.WaitForNotification(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("listen for published models: %w", err)
		}
		if n.Payload == schema {
			changed()
		}
	}
}
