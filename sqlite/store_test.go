package sqlite_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/glowcloud/glowcloud/internal/storetest"
	"github.com/glowcloud/glowcloud/sqlite"
)

// openFile opens a new database file in a temporary directory: a copy of
// migrated's.
func openFile(t *testing.T) *sqlite.DB {
	t.Helper()
	return openCopy(t, filepath.Join(t.TempDir(), "glowcloud.db"))
}

// writeCopy writes a copy of migrated's file at path, for tests that need
// a database and do not test how it was made.
func writeCopy(t *testing.T, path string) {
	t.Helper()
	fresh, err := migrated()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, fresh, 0o600); err != nil {
		t.Fatal(err)
	}
}

// openCopy opens a copy of migrated's file written at path.
func openCopy(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	writeCopy(t, path)
	db, err := sqlite.Open(t.Context(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// migrated is the file of a database that Open created and migrated, made
// once for the package. Each conformance subtest (43 of them, on a file
// and in memory) opens a copy of it: creating and migrating a file costs
// 49 ms of CPU under -race, and opening a migrated one 13 ms. Open's
// creating and migrating a new file is tested here (migrated itself) and
// by the tests of migrations.
var migrated = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "glowcloud-sqlite-test-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "glowcloud.db")
	db, err := sqlite.Open(context.Background(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	// Closed, the database is all in its file: no write-ahead log left.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("%s-wal holds %d bytes after Close", path, fi.Size())
	}
	return os.ReadFile(path)
})

func TestConformanceFile(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Store { return openFile(t) })
}

// openMemory returns a new database in memory: Deserialize of migrated,
// where an OpenMemory, which migrates, costs 50 ms of CPU under -race and
// this 5. OpenMemory's migrating is tested by the tests of migrations.
func openMemory(t *testing.T) *sqlite.DB {
	t.Helper()
	fresh, err := migrated()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Deserialize(t.Context(), fresh, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestConformanceMemory(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Store { return openMemory(t) })
}

func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B) storetest.Store {
		db, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		return db
	})
}
