// Package migrate owns the numbered schema migrations that each store
// adapter embeds (files named NNNN_name.sql, applied in order, forward
// only): reading them, the loop that applies them, the schema version and
// the test for a database that is someone else's. What differs between
// databases (how a transaction is opened and locked, the SQL dialect of
// the version table) is the adapter's, through Conn and NewSchema.
package migrate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ErrNewer means the database was written by a newer glowcloud: its schema
// version is beyond the migrations this one knows. It is left untouched.
var ErrNewer = errors.New("database is from a newer glowcloud")

// ErrForeign means the database holds something else under glowcloud's
// table names, without a glowcloud schema version. It is left untouched.
var ErrForeign = errors.New("not a glowcloud database")

// step decides what to do with migration m of ms (latest is len(ms)) on a
// database at version current: apply it, skip it (already applied), or
// refuse the database.
func step(current int, m migration, latest int) (apply bool, err error) {
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

// migration is one schema step: applying it takes a database from version
// Version-1 to Version.
type migration struct {
	Version int
	Name    string // the file name
	SQL     string
}

// load returns the migrations in dir of fsys (its *.sql files), ordered by
// version. The versions must run 1, 2, 3... without a gap or a repeat, so a
// missing or misnamed file is an error at build-test time, not a database
// left half a version behind.
func load(fsys fs.FS, dir string) ([]migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	ms := make([]migration, 0, len(names))
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
		ms = append(ms, migration{Version: v, Name: path.Base(name), SQL: string(b)})
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no migrations")
	}
	return ms, nil
}

// Conn is a database connection or transaction as an adapter wraps it for
// the migrations: what Schema needs, in the adapter's dialect.
type Conn interface {
	// Tables returns the names of the tables in the store's database (for
	// PostgreSQL, its schema).
	Tables(ctx context.Context) ([]string, error)
	// Exec runs sql, one statement or a script, with args.
	Exec(ctx context.Context, sql string, args ...any) error
	// Int runs a query that returns one integer.
	Int(ctx context.Context, sql string) (int, error)
}

// Schema is one adapter's schema: its migrations and the little SQL of its
// own that the version table takes. The loop that applies the migrations,
// the reading of the version and the test for someone else's tables are
// here once, for every adapter.
type Schema struct {
	migrations []migration
	// createVersion creates schema_version holding version 0.
	createVersion string
	// setVersion sets schema_version's version to its one argument.
	setVersion string
	// shared says the database may hold other programs' tables beside
	// glowcloud's (a PostgreSQL schema), so only glowcloud's own tables
	// without a schema_version make it foreign. Otherwise (an SQLite file,
	// glowcloud's alone) any table without a schema_version does.
	shared bool
}

// NewSchema loads the migrations in dir of fsys (see load) into a Schema:
// createVersion creates schema_version holding version 0, setVersion sets
// its version to its one argument, and shared says whether the database
// may hold other programs' tables beside glowcloud's (a PostgreSQL schema
// may: only glowcloud's own tables without a schema_version make it
// foreign; an SQLite file, glowcloud's alone, may not).
func NewSchema(fsys fs.FS, dir, createVersion, setVersion string, shared bool) (Schema, error) {
	ms, err := load(fsys, dir)
	if err != nil {
		return Schema{}, err
	}
	return Schema{migrations: ms, createVersion: createVersion, setVersion: setVersion, shared: shared}, nil
}

// Latest is the schema version the migrations lead to.
func (s Schema) Latest() int { return len(s.migrations) }

// createTable finds the tables a migration creates.
var createTable = regexp.MustCompile(`(?i)\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)"?`)

// Tables returns the names of the tables the migrations create: glowcloud's
// tables, as the migrations, their one owner, say.
func (s Schema) Tables() []string {
	var names []string
	for _, m := range s.migrations {
		for _, sub := range createTable.FindAllStringSubmatch(m.SQL, -1) {
			if name := strings.ToLower(sub[1]); !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	return names
}

// Version reads the schema version through c: 0 for a database without a
// schema_version (and, when shared, without glowcloud's tables), an error
// matching ErrForeign for one holding tables (glowcloud's, when shared)
// but no schema_version.
func (s Schema) Version(ctx context.Context, c Conn) (int, error) {
	tables, err := c.Tables(ctx)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if !slices.Contains(tables, "schema_version") {
		ours := s.Tables()
		for _, t := range tables {
			switch {
			case !s.shared:
				return 0, fmt.Errorf("%w: it has tables but no schema_version", ErrForeign)
			case slices.Contains(ours, strings.ToLower(t)):
				return 0, fmt.Errorf("%w: it has glowcloud's tables but no schema_version", ErrForeign)
			}
		}
		return 0, nil
	}
	v, err := c.Int(ctx, "SELECT version FROM schema_version")
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// Check reads the schema version through c, like Version, and refuses one
// newer than Latest with ErrNewer. An older version is not an error: Apply
// upgrades it.
func (s Schema) Check(ctx context.Context, c Conn) (int, error) {
	v, err := s.Version(ctx, c)
	if err != nil {
		return 0, err
	}
	if v > s.Latest() {
		return v, fmt.Errorf("%w: its schema version is %d, this glowcloud knows up to %d", ErrNewer, v, s.Latest())
	}
	return v, nil
}

// Apply brings the database up to Latest, forward only: each migration it
// lacks in its own transaction, which inTx opens (taking whatever lock the
// database needs so that processes opening it at once wait for each other)
// and commits when f returns nil. Each transaction rereads the version
// first, so every migration is applied exactly once however many processes
// race. A database from a newer glowcloud (ErrNewer) or someone else's
// (ErrForeign) is refused before anything is written. Each migration
// applied is logged.
func (s Schema) Apply(ctx context.Context, inTx func(ctx context.Context, f func(Conn) error) error, log *slog.Logger) error {
	for _, m := range s.migrations {
		applied := false
		err := inTx(ctx, func(c Conn) error {
			v, err := s.Version(ctx, c)
			if err != nil {
				return err
			}
			if apply, err := step(v, m, s.Latest()); !apply || err != nil {
				return err
			}
			if v == 0 {
				if err := c.Exec(ctx, s.createVersion); err != nil {
					return fmt.Errorf("create schema_version: %w", err)
				}
			}
			if err := c.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if err := c.Exec(ctx, s.setVersion, m.Version); err != nil {
				return fmt.Errorf("migration %s: set version: %w", m.Name, err)
			}
			applied = true
			return nil
		})
		if err != nil {
			return err
		}
		if applied && log != nil {
			log.Info("migrated database", "version", m.Version, "migration", m.Name)
		}
	}
	return nil
}
