package migrate_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/glowcloud/glowcloud/internal/migrate"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	for _, tt := range []struct {
		name    string
		fsys    fstest.MapFS
		want    []int
		wantErr bool
	}{
		{"in order", fstest.MapFS{"0002_b.sql": file("B"), "0001_a.sql": file("A"), "README": file("x")}, []int{1, 2}, false},
		{"gap", fstest.MapFS{"0001_a.sql": file("A"), "0003_c.sql": file("C")}, nil, true},
		{"repeat", fstest.MapFS{"0001_a.sql": file("A"), "0001_b.sql": file("B")}, nil, true},
		{"not from one", fstest.MapFS{"0002_a.sql": file("A")}, nil, true},
		{"bad name", fstest.MapFS{"1_a.sql": file("A")}, nil, true},
		{"no number", fstest.MapFS{"init.sql": file("A")}, nil, true},
		{"empty", fstest.MapFS{}, nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := migrate.NewSchema(tt.fsys, ".", "", "", false)
			if (err != nil) != tt.wantErr {
				t.Fatalf("NewSchema: err = %v, want error %v", err, tt.wantErr)
			}
			if s.Latest() != len(tt.want) {
				t.Fatalf("NewSchema leads to version %d, want %d", s.Latest(), len(tt.want))
			}
		})
	}
}

// fakeDB is a database as Schema sees it through Conn: its tables, its
// version, and the scripts run on it.
type fakeDB struct {
	tables  []string
	version int
	ran     []string
}

const (
	createVersion = "CREATE VERSION"
	setVersion    = "SET VERSION"
)

func (f *fakeDB) Tables(context.Context) ([]string, error) { return slices.Clone(f.tables), nil }

func (f *fakeDB) Int(context.Context, string) (int, error) { return f.version, nil }

func (f *fakeDB) Exec(_ context.Context, sql string, args ...any) error {
	switch sql {
	case createVersion:
		f.tables = append(f.tables, "schema_version")
	case setVersion:
		f.version = args[0].(int)
	default:
		f.ran = append(f.ran, sql)
		for _, m := range regexp.MustCompile(`CREATE TABLE (\w+)`).FindAllStringSubmatch(sql, -1) {
			f.tables = append(f.tables, m[1])
		}
	}
	return nil
}

// The test schema's migrations.
const (
	sql1 = "CREATE TABLE schedules (id INTEGER); CREATE TABLE IF NOT EXISTS Hushes (g TEXT)"
	sql2 = `CREATE TABLE "cooldowns" (k TEXT); ALTER TABLE schedules ADD x INTEGER`
)

func testSchema(t *testing.T, shared bool) migrate.Schema {
	t.Helper()
	s, err := migrate.NewSchema(fstest.MapFS{
		"0001_a.sql": &fstest.MapFile{Data: []byte(sql1)},
		"0002_b.sql": &fstest.MapFile{Data: []byte(sql2)},
	}, ".", createVersion, setVersion, shared)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSchemaTables: glowcloud's tables are what its migrations create.
func TestSchemaTables(t *testing.T) {
	t.Parallel()
	if got, want := testSchema(t, false).Tables(), []string{"schedules", "hushes", "cooldowns"}; !slices.Equal(got, want) {
		t.Errorf("Tables = %q, want %q", got, want)
	}
}

// TestSchemaApply: the loop applies what a database lacks, once, and
// refuses a newer database or someone else's before writing anything; a
// shared database (a PostgreSQL schema) may hold other programs' tables,
// a file (SQLite) may not.
func TestSchemaApply(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		shared  bool
		db      fakeDB
		ran     []string // migrations run, by version
		version int
		err     error
	}{
		{"empty", false, fakeDB{}, []string{"0001", "0002"}, 2, nil},
		{"at version 1", false, fakeDB{tables: []string{"schema_version", "schedules", "hushes"}, version: 1}, []string{"0002"}, 2, nil},
		{"up to date", false, fakeDB{tables: []string{"schema_version"}, version: 2}, nil, 2, nil},
		{"newer", false, fakeDB{tables: []string{"schema_version"}, version: 3}, nil, 3, migrate.ErrNewer},
		{"file with others' tables", false, fakeDB{tables: []string{"accounts"}}, nil, 0, migrate.ErrForeign},
		{"shared with others' tables", true, fakeDB{tables: []string{"accounts"}}, []string{"0001", "0002"}, 2, nil},
		{"shared with ours, unversioned", true, fakeDB{tables: []string{"accounts", "Cooldowns"}}, nil, 0, migrate.ErrForeign},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := testSchema(t, tt.shared)
			db := tt.db
			txs := 0
			err := s.Apply(t.Context(), func(ctx context.Context, f func(migrate.Conn) error) error {
				txs++
				return f(&db)
			}, nil)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("Apply = %v, want %v", err, tt.err)
			}
			var ran []string
			for _, sql := range db.ran {
				switch sql {
				case sql1:
					ran = append(ran, "0001")
				case sql2:
					ran = append(ran, "0002")
				}
			}
			if !slices.Equal(ran, tt.ran) || db.version != tt.version {
				t.Errorf("ran %q, at version %d; want %q and %d", ran, db.version, tt.ran, tt.version)
			}
			if err == nil && txs != s.Latest() {
				t.Errorf("%d transactions, want one a migration (%d)", txs, s.Latest())
			}
			if v, err := s.Check(t.Context(), &db); !errors.Is(err, tt.err) || v != tt.version {
				t.Errorf("Check = %d, %v; want %d, %v", v, err, tt.version, tt.err)
			}
		})
	}
}
