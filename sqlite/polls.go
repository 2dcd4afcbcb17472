package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// A poll is a statement every serve runs on each poll, nearly always to
// find nothing due: the claims of proclamations, quiz reveals and
// scripture trainings, and the published model's id. It is prepared at its
// first run and kept, where modernc's SQLite would otherwise parse its SQL
// on every run: most of an idle poll's CPU (BenchmarkIdlePoll). A command
// that opens the database and polls nothing prepares nothing.
type poll struct {
	mu   sync.Mutex
	stmt *sql.Stmt // nil until first run
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

// polls are the DB's polls: the claims run on the writer, the current
// model's id on the readers.
type polls struct {
	claim, claimReveals, abandonTrainings, claimTraining, currentID poll
}

// prepared returns p's statement for query on db, preparing it at the first
// call. Call it outside any transaction on db's writer: preparing takes a
// connection, and the writer has one. A transaction takes the statement
// with Tx.StmtContext (database/sql keeps it prepared per connection).
func (p *poll) prepared(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stmt == nil {
		s, err := db.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		p.stmt = s
	}
	return p.stmt, nil
}

// hot are the statements beside the polls that run on every interaction
// or claim (a cooldown's upsert, a vote, a round's tally, a channel's
// recent rounds...), by database and SQL: each is prepared at its first
// run and kept, as the polls are, where database/sql would have modernc's
// SQLite parse it again on every run.
type hot struct {
	mu sync.Mutex
	m  map[hotKey]*sql.Stmt
}

type hotKey struct {
	db    *sql.DB
	query string
}

// prepare returns the statements of queries on db (d.w or d.db), preparing
// those not prepared yet. As with poll.prepared, call it outside any
// transaction on the writer, and take a statement into a transaction with
// Tx.StmtContext.
func (d *DB) prepare(ctx context.Context, db *sql.DB, queries ...string) ([]*sql.Stmt, error) {
	d.hot.mu.Lock()
	defer d.hot.mu.Unlock()
	if d.hot.m == nil {
		d.hot.m = map[hotKey]*sql.Stmt{}
	}
	out := make([]*sql.Stmt, len(queries))
	for i, q := range queries {
		k := hotKey{db, q}
		if s := d.hot.m[k]; s != nil {
			out[i] = s
			continue
		}
		s, err := db.PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		d.hot.m[k], out[i] = s, s
	}
	return out, nil
}

// closePolls closes the polls' statements and the hot ones, before their
// databases close.
func (d *DB) closePolls() error {
	var errs []error
	for _, p := range []*poll{&d.polls.claim, &d.polls.claimReveals, &d.polls.abandonTrainings, &d.polls.claimTraining, &d.polls.currentID} {
		p.mu.Lock()
		if p.stmt != nil {
			errs = append(errs, p.stmt.Close())
		}
		p.mu.Unlock()
	}
	d.hot.mu.Lock()
	for _, s := range d.hot.m {
		errs = append(errs, s.Close())
	}
	d.hot.m = nil
	d.hot.mu.Unlock()
	return errors.Join(errs...)
}
