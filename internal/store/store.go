// Package store names, once, what a glowcloud database adapter (sqlite,
// postgres) provides: the command opens one as a DB, and the conformance
// suite (internal/storetest) tests one as a Store.
package store

import (
	"context"

	"github.com/glowcloud/glowcloud/cooldown"
	"github.com/glowcloud/glowcloud/proclaim"
	"github.com/glowcloud/glowcloud/publish"
	"github.com/glowcloud/glowcloud/quiz"
	"github.com/glowcloud/glowcloud/scripture"
)

// Store is the state the domain keeps in a database: each domain package's
// store interface, as that package declares it.
type Store interface {
	proclaim.Store
	proclaim.Claimer
	publish.Store
	cooldown.Store
	quiz.Store
	quiz.Claimer
	quiz.Counter
	scripture.Store
}

// DB is an open database: its Store, and what an operator and /healthz
// ask of it.
type DB interface {
	Store
	// Check reports the schema version, and an error when the database is
	// not fit to use: damaged, a newer glowcloud's or someone else's.
	Check(ctx context.Context) (version int, err error)
	// Ping reports whether the database answers a read.
	Ping(ctx context.Context) error
	Close() error
}
