// Package sqlite keeps glowcloud's state (proclamation schedules, hushes,
// cooldowns and published models) in an SQLite file, the embedded default
// database. It implements proclaim.Store, proclaim.Claimer and publish.Store
// and passes internal/storetest.
//
// It uses modernc.org/sqlite, SQLite compiled to pure Go, through
// database/sql, so CGO_ENABLED=0 static builds and the distroless image keep
// working on every platform CI cross-builds. The file is in WAL mode with a
// busy timeout, every write is a transaction begun IMMEDIATE (so concurrent
// writers queue on the lock instead of failing), and synchronous=FULL, so a
// write that returned is on disk. Several processes may share one file on a
// local disk; not over NFS.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	// The pure-Go SQLite driver, registered as "sqlite".
	driver "modernc.org/sqlite"

	"github.com/glowcloud/glowcloud/atomicfile"
	"github.com/glowcloud/glowcloud/internal/migrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// busyTimeoutMS is how long a statement waits for another connection's or
// process's write lock before failing with SQLITE_BUSY.
const busyTimeoutMS = 10000

// DB is an open glowcloud database. It is safe for concurrent use, and
// several processes may open the same file.
type DB struct {
	// w writes: one connection, so this process's writers queue in
	// database/sql's FIFO rather than spin in SQLite's busy handler, where
	// one can starve; only other processes contend for the file lock.
	w *sql.DB
	// db reads, on as many connections as there are readers (WAL lets them
	// run beside the writer). In memory, it is w.
	db   *sql.DB
	path string // empty in memory
	log  *slog.Logger
	// polls are the statements serve runs on every poll, prepared at
	// their first run.
	polls polls
	// hot are the other statements that run often, prepared alike.
	hot hot
}

// Open opens (creating if need be) the database file at path and brings its
// schema up to date. A database from a newer glowcloud, or another
// program's, is refused with migrate.ErrNewer or migrate.ErrForeign and left unchanged.
func Open(ctx context.Context, path string, log *slog.Logger) (*DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("open database %q: want a plain file path", path)
	}
	params := fmt.Sprintf("?_pragma=busy_timeout(%d)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate", busyTimeoutMS)
	w, err := sql.Open("sqlite", path+params)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	d := &DB{w: w, db: w, path: path, log: orDiscard(log)}
	if err := d.setUp(ctx, true); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if d.db, err = sql.Open("sqlite", path+params+"&_pragma=query_only(1)"); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return d, nil
}

// OpenExisting opens the database file at path as it is, for checking and
// backing it up: it creates no file, migrates nothing and changes no mode,
// so `glowcloud db check` and `db backup` read a database of any version
// without upgrading it under older replicas. Only Check, Backup and Close
// are meant for it; the store's methods want the schema Open brings.
func OpenExisting(ctx context.Context, path string, log *slog.Logger) (*DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("open database %q: want a plain file path", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("open database %s: %s, not a regular file", path, atomicfile.Kind(fi.Mode()))
	}
	uri, err := fileURI(path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// mode=rw: never create; query_only: never write the database itself
	// (VACUUM INTO writes only its copy).
	db, err := sql.Open("sqlite", fmt.Sprintf("%s?mode=rw&_pragma=busy_timeout(%d)&_pragma=query_only(1)", uri, busyTimeoutMS))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return &DB{w: db, db: db, path: path, log: orDiscard(log)}, nil
}

// OpenMemory returns a fresh database that lives in memory until Close, for
// the console and tests.
func OpenMemory(ctx context.Context, log *slog.Logger) (*DB, error) {
	db, err := sql.Open("sqlite", ":memory:?_txlock=immediate&_pragma=foreign_keys(1)")
	if err != nil {
		return nil, fmt.Errorf("open database in memory: %w", err)
	}
	// Each connection to :memory: is a database of its own: keep one.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	d := &DB{w: db, db: db, log: orDiscard(log)}
	if err := d.setUp(ctx, false); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database in memory: %w", err)
	}
	return d, nil
}

// Serialize returns the database as the bytes of an SQLite file, read in
// one transaction (a consistent snapshot of what was committed; for a
// file, what is still in its write-ahead log included). Deserialize makes
// a database of them again; written to a file, they are a database file.
func (d *DB) Serialize(ctx context.Context) ([]byte, error) {
	var image []byte
	err := withRaw(ctx, d.db, func(raw any) error {
		ser, ok := raw.(interface{ Serialize() ([]byte, error) })
		if !ok {
			return fmt.Errorf("the driver's %T cannot serialize", raw)
		}
		var err error
		image, err = ser.Serialize()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("serialize database: %w", err)
	}
	return image, nil
}

// Deserialize returns a new database in memory, like OpenMemory's, that
// starts as a copy of image (the bytes of an SQLite file, such as
// Serialize returns), brought up to date like a file Open opens, and
// refused the same way (migrate.ErrNewer, migrate.ErrForeign). image is
// not changed. It is for trying things on a scratch copy of a database,
// and for tests: copying one database migrated once costs a tenth of
// migrating a new one.
func Deserialize(ctx context.Context, image []byte, log *slog.Logger) (*DB, error) {
	if len(image) < 100 {
		return nil, fmt.Errorf("deserialize database: %d bytes, shorter than an SQLite header", len(image))
	}
	// Bytes 18 and 19 of the header, SQLite's file format versions, are 2
	// in WAL mode and 1 without; a database in memory has no WAL.
	image = slices.Clone(image)
	image[18], image[19] = 1, 1
	db, err := sql.Open("sqlite", ":memory:?_txlock=immediate&_pragma=foreign_keys(1)")
	if err != nil {
		return nil, fmt.Errorf("deserialize database: %w", err)
	}
	// As OpenMemory: the one connection is the database.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	d := &DB{w: db, db: db, log: orDiscard(log)}
	err = withRaw(ctx, db, func(raw any) error {
		des, ok := raw.(interface{ Deserialize([]byte) error })
		if !ok {
			return fmt.Errorf("the driver's %T cannot deserialize", raw)
		}
		return des.Deserialize(image)
	})
	if err == nil {
		err = d.setUp(ctx, false)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("deserialize database: %w", err)
	}
	return d, nil
}

// withRaw runs f on the driver's connection of one of db's connections.
func withRaw(ctx context.Context, db *sql.DB, f func(raw any) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(raw any) error { return f(raw) })
}

func orDiscard(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return log.With("component", "sqlite")
}

// setUp migrates the schema and then, for a file, turns on WAL: only after
// the version check, so a refused database is not converted.
func (d *DB) setUp(ctx context.Context, wal bool) error {
	sch, err := schema()
	if err != nil {
		return err
	}
	// Each migration in its own IMMEDIATE transaction (see inTx), so
	// processes opening one file at once wait for each other.
	err = sch.Apply(ctx, func(ctx context.Context, f func(migrate.Conn) error) error {
		_, err := d.inTx(ctx, func(tx *sql.Tx) (bool, error) { return true, f(conn{tx}) })
		return err
	}, d.log)
	if err != nil {
		return err
	}
	if wal {
		return d.walMode(ctx)
	}
	return nil
}

// sqliteBusy is SQLite's SQLITE_BUSY, the low byte of its extended codes.
const sqliteBusy = 5

// walMode turns the file to WAL. Changing the journal mode takes the file's
// exclusive lock, and SQLite answers SQLITE_BUSY at once, without waiting
// through the busy timeout, while another connection — another process
// opening the same file — holds a lock on it: TestConcurrentOpen failed so
// now and then. So it tries again, backing off, for as long as the busy
// timeout would have waited.
func (d *DB) walMode(ctx context.Context) error {
	deadline := time.Now().Add(busyTimeoutMS * time.Millisecond)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		var mode string
		err := d.w.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode)
		var se *driver.Error
		if err != nil && errors.As(err, &se) && se.Code()&0xff == sqliteBusy && time.Now().Add(wait).Before(deadline) {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("set WAL mode: %w", ctx.Err())
			case <-t.C:
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("set WAL mode: %w", err)
		}
		if !strings.EqualFold(mode, "wal") {
			return fmt.Errorf("set WAL mode: the database stays in %s mode", mode)
		}
		return nil
	}
}

// Close closes the database.
func (d *DB) Close() error {
	err := d.closePolls()
	if d.db != d.w {
		err = errors.Join(err, d.db.Close())
	}
	return errors.Join(err, d.w.Close())
}

// Latest returns the schema version this glowcloud writes.
func Latest() int {
	sch, err := schema()
	if err != nil {
		return 0
	}
	return sch.Latest()
}

// schema is the embedded migrations, with SQLite's version table (STRICT,
// like every table here). An SQLite file is glowcloud's alone: any table
// in it without a schema_version makes it someone else's.
func schema() (migrate.Schema, error) {
	return migrate.NewSchema(migrationFS, "migrations",
		"CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT; INSERT INTO schema_version VALUES (0)",
		"UPDATE schema_version SET version = ?", false)
}

// conn is a connection or a transaction as internal/migrate uses it.
type conn struct {
	q interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}
}

func (c conn) Tables(ctx context.Context) ([]string, error) {
	rows, err := c.q.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}

func (c conn) Exec(ctx context.Context, sql string, args ...any) error {
	_, err := c.q.ExecContext(ctx, sql, args...)
	return err
}

func (c conn) Int(ctx context.Context, sql string) (int, error) {
	var v int
	err := c.q.QueryRowContext(ctx, sql).Scan(&v)
	return v, err
}

// inTx runs f in a transaction (IMMEDIATE, per the DSN) and commits it when f
// returns no error.
func (d *DB) inTx(ctx context.Context, f func(*sql.Tx) (bool, error)) (bool, error) {
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("begin: %w", err)
	}
	ok, err := f(tx)
	if err != nil {
		tx.Rollback()
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit: %w", err)
	}
	return ok, nil
}

// Check runs SQLite's integrity check and returns the schema version; an
// error lists what the check found, or says that the schema is a newer
// glowcloud's (migrate.ErrNewer) or not glowcloud's (migrate.ErrForeign). An older schema is
// not an error: compare the version with Latest, and Open upgrades it.
func (d *DB) Check(ctx context.Context) (version int, err error) {
	rows, err := d.db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return 0, fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return 0, fmt.Errorf("integrity check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("integrity check: %w", err)
	}
	if len(problems) > 0 {
		return 0, fmt.Errorf("integrity check: %s", strings.Join(problems[:min(len(problems), 5)], "; "))
	}
	sch, err := schema()
	if err != nil {
		return 0, err
	}
	return sch.Check(ctx, conn{d.db})
}

// Ping reports whether the database answers a read (of its schema
// version).
func (d *DB) Ping(ctx context.Context) error {
	if _, err := (conn{d.db}).Int(ctx, "SELECT version FROM schema_version"); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Backup writes a consistent copy of the database to dst while it stays in
// use: VACUUM INTO a temporary file beside dst, checked, then put in place
// by atomicfile (synced and renamed), so dst is either the old file or a
// whole new copy. Like every write of a file, it follows a symbolic link at
// dst and refuses to replace anything but a regular file (a FIFO, a device,
// a directory), wrapping atomicfile.ErrNotRegular.
func (d *DB) Backup(ctx context.Context, dst string) error {
	err := atomicfile.WriteNamed(dst, 0o644, func(tmp string) error {
		if err := d.vacuumInto(ctx, tmp); err != nil {
			return err
		}
		if err := checkCopy(ctx, tmp); err != nil {
			return fmt.Errorf("the copy fails its check: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	return nil
}

// vacuumInto writes a copy of the database to the empty file tmp. SQLite
// counts VACUUM INTO as a write even though it changes only the copy, so on
// a connection of OpenExisting, which is query_only, that is lifted for
// this one statement.
func (d *DB) vacuumInto(ctx context.Context, tmp string) error {
	conn, err := d.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var readOnly bool
	if err := conn.QueryRowContext(ctx, "PRAGMA query_only").Scan(&readOnly); err != nil {
		return err
	}
	if readOnly {
		if _, err := conn.ExecContext(ctx, "PRAGMA query_only = 0"); err != nil {
			return err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA query_only = 1")
	}
	_, err = conn.ExecContext(ctx, "VACUUM INTO ?", tmp)
	return err
}

// checkCopy opens a backup without migrating it and checks it.
func checkCopy(ctx context.Context, path string) error {
	uri, err := fileURI(path)
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite", uri+"?_pragma=query_only(1)")
	if err != nil {
		return err
	}
	defer db.Close()
	c := &DB{w: db, db: db}
	_, err = c.Check(ctx)
	return err
}

// fileURI names path as an SQLite "file:" URI, so that a '?' or '#' in a
// file name is part of the name rather than the start of parameters.
func fileURI(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x on Windows
	}
	return "file://" + (&url.URL{Path: p}).EscapedPath(), nil
}
