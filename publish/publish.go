// Package publish keeps one model for every replica: the models an
// operator publishes into the shared database (`glowcloud publish`), which
// one of them is current, and the Watcher that makes each serving process
// switch to a newly current model.
//
// The database is behind the small Store interface declared here; the
// sqlite and postgres packages implement it and pass the shared suite in
// internal/storetest. PostgreSQL also tells listeners the moment the current
// model changes (LISTEN/NOTIFY, the Listener interface); the Watcher polls
// as well, so a lost notification or a store without them costs at most one
// poll interval.
package publish

import (
	"context"
	"errors"
	"time"
)

// Keep is how many published models a store keeps (the current one always
// among them), so that a rollback has somewhere to go.
const Keep = 5

// Model is one published model file.
type Model struct {
	ID        int64 // assigned by the store, increasing with each publish
	Data      []byte
	CreatedAt time.Time
}

// Errors a Store returns.
var (
	// ErrNone means no model has been published.
	ErrNone = errors.New("no model has been published")
	// ErrNoPrevious means a rollback has nowhere to go: the current model is
	// the oldest one kept.
	ErrNoPrevious = errors.New("no earlier published model is kept")
)

// Store is what publishing needs from the database. Implementations are
// safe for concurrent use by many processes.
type Store interface {
	// Publish stores data as a new model, makes it the current one and
	// forgets all but the Keep newest, in one transaction. It returns the new
	// model's ID.
	Publish(ctx context.Context, data []byte) (int64, error)
	// Current returns the current model, or ErrNone.
	Current(ctx context.Context) (Model, error)
	// CurrentID returns the current model's ID, 0 when none is published:
	// the cheap question a Watcher asks every poll.
	CurrentID(ctx context.Context) (int64, error)
	// Rollback makes the model published before the current one current and
	// returns its ID; ErrNone when nothing is published, ErrNoPrevious when
	// the store keeps no earlier model.
	Rollback(ctx context.Context) (int64, error)
}

// Listener is what a store that can announce changes offers (PostgreSQL's
// LISTEN/NOTIFY). ListenModels calls changed once it listens, and again each
// time the current model may have changed, until ctx ends (it then returns
// nil) or its connection fails (an error; the caller listens again later).
// It calls changed on its own goroutine, never after it has returned.
type Listener interface {
	ListenModels(ctx context.Context, changed func()) error
}
