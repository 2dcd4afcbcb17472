// Package sqlitetest gives tests a new SQLite database at the current
// schema for a fraction of what migrating one costs: a database is
// migrated once per test binary, serialized, and each test gets a copy.
// Under the race detector a migrating open costs ~50 ms of CPU (modernc's
// SQLite parsing the migration scripts), a copy ~5 ms. The tests of
// migrating itself open new databases the ordinary way.
package sqlitetest

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/glowcloud/glowcloud/sqlite"
)

// migrated is the image of a database OpenMemory made and migrated: the
// package's only state, written once and derived from the migrations.
var migrated = sync.OnceValues(func() ([]byte, error) {
	ctx := context.Background()
	db, err := sqlite.OpenMemory(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return db.Serialize(ctx)
})

// Memory returns a new, empty database in memory at the current schema,
// closed when t ends.
func Memory(t testing.TB) *sqlite.DB {
	t.Helper()
	image, err := migrated()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Deserialize(context.Background(), image, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// File returns the path of a new, empty database file at the current
// schema, in t's temporary directory.
func File(t testing.TB) string {
	t.Helper()
	image, err := migrated()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "glowcloud.db")
	if err := os.WriteFile(path, image, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
