package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// A poll is a statement every serve runs on each poll, nearly always to
// find nothing due: the claims of proclamations, quiz reveals and
// scripture trainings, and the published model's id. It is prepared once,
// when the database opens, where modernc's SQLite would otherwise parse
// its SQL on every run: most of an idle poll's CPU (BenchmarkIdlePoll).
type poll struct {
	stmt *sql.Stmt // nil: not prepared (OpenExisting)
}

// The polls' SQL.
const (
	claimSQL = `UPDATE schedules
			SET slot_at = next_at,
			    next_at = next_at + every_ms * ((?1 - next_at) / every_ms + 1)
			WHERE id IN (SELECT id FROM schedules WHERE next_at <= ?1 AND paused = '' ORDER BY next_at, id LIMIT ?2)
			RETURNING ` + scheduleColumns + `, slot_at,
			    EXISTS (SELECT 1 FROM hushes h WHERE h.guild_id = schedules.guild_id AND h.until_at > ?1)`
	claimRevealsSQL = `UPDATE quiz_rounds SET lease_until = ?2
			WHERE id IN (SELECT id FROM quiz_rounds WHERE revealed_at IS NULL AND ends_at <= ?1
				AND (lease_until IS NULL OR lease_until <= ?1) ORDER BY tallied_at IS NOT NULL, ends_at, id LIMIT ?3)
			RETURNING ` + roundColumns + `, tallied_at IS NULL`
	abandonTrainingsSQL = `UPDATE scripture_guilds SET state = 'failed', error = ?, claimed_by = '', lease_until = 0
			WHERE state = 'training' AND lease_until < ? AND attempts >= ?`
	claimTrainingSQL = `UPDATE scripture_guilds SET state = 'training', claimed_by = ?, lease_until = ?,
			attempts = attempts + 1, updated_at = ?
			WHERE guild_id = (SELECT guild_id FROM scripture_guilds
				WHERE state = 'pending' OR (state = 'training' AND lease_until < ?)
				ORDER BY updated_at, guild_id LIMIT 1)
			RETURNING guild_id, gen, attempts`
	currentIDSQL = `SELECT model_id FROM current_model`
)

// polls are the DB's prepared polls: the claims on the writer, the
// current model's id on the readers.
type polls struct {
	claim, claimReveals, abandonTrainings, claimTraining, currentID poll
}

// preparePolls prepares d's polls. Called by Open and OpenMemory once the
// schema is migrated (the statements name its tables) and before any
// transaction holds the writer's one connection.
func (d *DB) preparePolls(ctx context.Context) error {
	for _, p := range []struct {
		p  *poll
		on *sql.DB
		q  string
	}{
		{&d.polls.claim, d.w, claimSQL},
		{&d.polls.claimReveals, d.w, claimRevealsSQL},
		{&d.polls.abandonTrainings, d.w, abandonTrainingsSQL},
		{&d.polls.claimTraining, d.w, claimTrainingSQL},
		{&d.polls.currentID, d.db, currentIDSQL},
	} {
		s, err := p.on.PrepareContext(ctx, p.q)
		if err != nil {
			return errors.Join(fmt.Errorf("prepare %q: %w", p.q, err), d.closePolls())
		}
		p.p.stmt = s
	}
	return nil
}

// closePolls closes the polls' statements, before their databases close.
// The fields keep them: a poll that runs after Close fails as a closed
// database's queries do ("statement is closed").
func (d *DB) closePolls() error {
	var errs []error
	for _, p := range []poll{d.polls.claim, d.polls.claimReveals, d.polls.abandonTrainings, d.polls.claimTraining, d.polls.currentID} {
		if p.stmt != nil {
			errs = append(errs, p.stmt.Close())
		}
	}
	return errors.Join(errs...)
}

// in returns p's statement for tx (prepared on tx's connection already,
// unless that connection is new), or, where p was not prepared, query
// prepared for tx alone. Either is closed with tx.
func (p poll) in(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	if p.stmt == nil {
		return tx.PrepareContext(ctx, query)
	}
	return tx.StmtContext(ctx, p.stmt), nil
}

// row runs p, a read on d's readers, or query where p was not prepared.
func (p poll) row(ctx context.Context, db *sql.DB, query string, args ...any) *sql.Row {
	if p.stmt == nil {
		return db.QueryRowContext(ctx, query, args...)
	}
	return p.stmt.QueryRowContext(ctx, args...)
}
