// Package migrate reads the numbered schema migrations that each store
// adapter embeds: files named NNNN_name.sql, applied in order, forward only.
// Applying them is the adapter's job, since each database locks differently.
package migrate

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// ErrNewer means the database was written by a newer glowcloud: its schema
// version is beyond the migrations this one knows. It is left untouched.
var ErrNewer = errors.New("database is from a newer glowcloud")

// ErrForeign means the database holds something else under glowcloud's
// table names, without a glowcloud schema version. It is left untouched.
var ErrForeign = errors.New("not a glowcloud database")

// Step decides what to do with migration m of ms (latest is len(ms)) on a
// database at version current: apply it, skip it (already applied), or
// refuse the database.
func Step(current int, m Migration, latest int) (apply bool, err error) {
	switch {
	case current > latest:
		return false, fmt.Errorf("%w: its schema version is %d, this glowcloud knows up to %d; upgrade glowcloud or point GLOWCLOUD_DATABASE elsewhere", ErrNewer, current, latest)
	case current >= m.Version:
		return false, nil
	case current != m.Version-1:
		return false, fmt.Errorf("schema version %d, cannot apply migration %s", current, m.Name)
	}
	return true, nil
}

// Migration is one schema step: applying it takes a database from version
// Version-1 to Version.
type Migration struct {
	Version int
	Name    string // the file name
	SQL     string
}

// Load returns the migrations in dir of fsys (its *.sql files), ordered by
// version. The versions must run 1, 2, 3... without a gap or a repeat, so a
// missing or misnamed file is an error at build-test time, not a database
// left half a version behind.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	ms := make([]Migration, 0, len(names))
	for _, name := range names { // fs.Glob sorts them
		num, _, ok := strings.Cut(path.Base(name), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 {
			return nil, fmt.Errorf("migration %s: name is not NNNN_name.sql", name)
		}
		if want := len(ms) + 1; v != want {
			return nil, fmt.Errorf("migration %s: version %d, want %d", name, v, want)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: path.Base(name), SQL: string(b)})
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no migrations")
	}
	return ms, nil
}
