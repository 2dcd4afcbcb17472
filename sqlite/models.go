package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/glowcloud/glowcloud/publish"
)

// Publish implements publish.Store: it inserts the model, points
// current_model at it and prunes all but the publish.Keep newest, in one
// IMMEDIATE transaction.
func (d *DB) Publish(ctx context.Context, data []byte) (int64, error) {
	var id int64
	_, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		if err := tx.QueryRowContext(ctx, `INSERT INTO models (data, created_at) VALUES (?, ?) RETURNING id`, data, ms(time.Now())).Scan(&id); err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO current_model (singleton, model_id) VALUES (1, ?)
			ON CONFLICT (singleton) DO UPDATE SET model_id = excluded.model_id`, id); err != nil {
			return false, err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM models WHERE id NOT IN (SELECT id FROM models ORDER BY id DESC LIMIT ?)`, publish.Keep)
		return true, err
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
	err := d.db.QueryRowContext(ctx, `SELECT m.id, m.data, m.created_at FROM current_model c JOIN models m ON m.id = c.model_id`).Scan(&m.ID, &m.Data, &created)
	switch {
	case errors.Is(err, sql.ErrNoRows):
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
	err := d.polls.currentID.row(ctx, d.db, currentIDSQL).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("read the current model's id: %w", err)
	}
	return id, nil
}

// Rollback implements publish.Store.
func (d *DB) Rollback(ctx context.Context) (int64, error) {
	var prev sql.NullInt64
	_, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) {
		var cur int64
		err := tx.QueryRowContext(ctx, `SELECT model_id FROM current_model`).Scan(&cur)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return false, publish.ErrNone
		case err != nil:
			return false, err
		}
		if err := tx.QueryRowContext(ctx, `SELECT max(id) FROM models WHERE id < ?`, cur).Scan(&prev); err != nil {
			return false, err
		}
		if !prev.Valid {
			return false, publish.ErrNoPrevious
		}
		_, err = tx.ExecContext(ctx, `UPDATE current_model SET model_id = ?`, prev.Int64)
		return true, err
	})
	if err != nil {
		return 0, fmt.Errorf("roll back the model: %w", err)
	}
	return prev.Int64, nil
}
