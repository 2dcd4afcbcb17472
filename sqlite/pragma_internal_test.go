package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// TestPragmas: every connection, reader or writer, waits for a lock rather
// than failing at once, and writes are synced.
func TestPragmas(t *testing.T) {
	t.Parallel()
	d, err := Open(t.Context(), filepath.Join(t.TempDir(), "p.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for name, db := range map[string]interface {
		QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	}{"writer": d.w, "reader": d.db} {
		var busy, sync int
		var mode string
		if err := db.QueryRowContext(t.Context(), "PRAGMA busy_timeout").Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(t.Context(), "PRAGMA synchronous").Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if busy != busyTimeoutMS || sync != 2 || mode != "wal" {
			t.Errorf("%s: busy_timeout %d, synchronous %d, journal_mode %s; want %d, 2 (FULL), wal", name, busy, sync, mode, busyTimeoutMS)
		}
	}
}
