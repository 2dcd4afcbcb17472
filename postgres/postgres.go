// Package postgres keeps glowcloud's state (proclamation schedules, hushes,
// cooldowns and published models) in PostgreSQL, the engine several
// replicas share. It implements proclaim.Store, proclaim.Claimer,
// publish.Store and publish.Listener (LISTEN/NOTIFY) and passes the same
// suite (internal/storetest) as the sqlite package.
//
// It uses github.com/jackc/pgx/v5, the standard PostgreSQL driver for Go,
// through its pool (pgxpool). Replicas need no leader: a slot is claimed by
// one UPDATE over a FOR UPDATE selection, a cooldown by one
// INSERT … ON CONFLICT DO UPDATE … WHERE, and migrations run under an
// advisory lock, so replicas starting together apply each exactly once.
//
// Tables live in the connection's current schema (the first of its
// search_path), so one database can hold several glowcloud installations,
// or tests, side by side: add ?search_path=NAME to the URL. Open creates
// that schema when it is not there yet.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/glowcloud/glowcloud/internal/migrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// defaultMaxConns sizes the pool when the URL has no pool_max_conns: the
// Runner's claim and its posts in flight finishing (8 at most), the admin
// commands, and one cooldown upsert per interaction, which holds a
// connection for a single round trip. The model watcher's LISTEN takes a
// connection of its own, outside the pool.
const defaultMaxConns = 10

// DB is an open glowcloud database. It is safe for concurrent use, by any
// number of replicas.
type DB struct {
	pool *pgxpool.Pool
	log  *slog.Logger
}

// Open connects to the PostgreSQL database at url (postgres://…) and brings
// its schema up to date, first creating the schema ?search_path=NAME names
// when there is none of that name. A database from a newer glowcloud is
// refused with migrate.ErrNewer and left unchanged. Errors never include the URL's
// password.
func Open(ctx context.Context, url string, log *slog.Logger) (*DB, error) {
	d, cfg, err := connect(ctx, url, log)
	if err != nil {
		return nil, err
	}
	sch, err := schema()
	if err == nil {
		err = d.createSchema(ctx, cfg.ConnConfig.RuntimeParams["search_path"])
	}
	if err == nil {
		err = d.migrate(ctx, sch)
	}
	if err != nil {
		d.pool.Close()
		return nil, fmt.Errorf("open postgres database %s/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return d, nil
}

// OpenExisting connects to the database at url as it is, for checking it:
// it creates no schema and migrates nothing, so `glowcloud db check` from a
// new binary never upgrades a database older replicas still use. Only Check
// and Close are meant for it.
func OpenExisting(ctx context.Context, url string, log *slog.Logger) (*DB, error) {
	d, cfg, err := connect(ctx, url, log)
	if err != nil {
		return nil, err
	}
	if err := d.pool.Ping(ctx); err != nil {
		d.pool.Close()
		return nil, fmt.Errorf("open postgres database %s/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return d, nil
}

// connect makes the pool for url.
func connect(ctx context.Context, url string, log *slog.Logger) (*DB, *pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, nil, fmt.Errorf("open postgres database: %w", err) // pgx masks the password
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("open postgres database: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &DB{pool: pool, log: log.With("component", "postgres")}, cfg, nil
}

// createSchema creates the schema a search_path (the URL's, searchPath)
// names first, when no schema of the path exists yet: tables go in the
// first schema of the path that exists, and with none PostgreSQL has
// nowhere to create them. Replicas starting together take an advisory lock.
func (d *DB) createSchema(ctx context.Context, searchPath string) error {
	var current *string
	if err := d.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&current); err != nil {
		return fmt.Errorf("read current schema: %w", err)
	}
	if current != nil {
		return nil
	}
	name := firstSchema(searchPath)
	if name == "" {
		return errors.New("no schema of the search_path exists, and it names none to create (add ?search_path=NAME to GLOWCLOUD_DATABASE)")
	}
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('glowcloud create schema ' || $1, 0))`, name); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{name}.Sanitize())
		return err
	})
	if err != nil {
		return fmt.Errorf("create schema %q (search_path): %w; create it yourself, or grant CREATE on the database", name, err)
	}
	d.log.Info("created schema", "schema", name)
	return nil
}

// firstSchema returns the first schema a search_path names ("" for none,
// or for $user), unquoted.
func firstSchema(searchPath string) string {
	first, _, _ := strings.Cut(searchPath, ",")
	first = strings.TrimSpace(first)
	if len(first) >= 2 && first[0] == '"' && first[len(first)-1] == '"' {
		return strings.ReplaceAll(first[1:len(first)-1], `""`, `"`)
	}
	if first == "$user" {
		return ""
	}
	return strings.ToLower(first) // unquoted identifiers fold to lower case
}

// Close closes the pool.
func (d *DB) Close() error {
	d.pool.Close()
	return nil
}

// Latest returns the schema version this glowcloud writes.
func Latest() int {
	sch, err := schema()
	if err != nil {
		return 0
	}
	return sch.Latest()
}

// schema is the embedded migrations, with PostgreSQL's version table. A
// schema may hold other programs' tables beside glowcloud's: only
// glowcloud's own (those the migrations create) without a schema_version
// make it someone else's.
func schema() (migrate.Schema, error) {
	return migrate.NewSchema(migrationFS, "migrations",
		"CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (0)",
		"UPDATE schema_version SET version = $1", true)
}

// migrate applies the migrations the database lacks, each in its own
// transaction that first takes an advisory lock (one per schema), so
// replicas starting together wait for each other.
func (d *DB) migrate(ctx context.Context, sch migrate.Schema) error {
	return sch.Apply(ctx, func(ctx context.Context, f func(migrate.Conn) error) error {
		return pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('glowcloud migrate ' || current_schema(), 0))`); err != nil {
				return fmt.Errorf("lock for migrations: %w", err)
			}
			return f(conn{tx})
		})
	}, d.log)
}

// conn is a connection or a transaction as internal/migrate uses it.
type conn struct {
	q interface {
		Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
		Query(context.Context, string, ...any) (pgx.Rows, error)
		QueryRow(context.Context, string, ...any) pgx.Row
	}
}

func (c conn) Tables(ctx context.Context) ([]string, error) {
	rows, err := c.q.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func (c conn) Exec(ctx context.Context, sql string, args ...any) error {
	_, err := c.q.Exec(ctx, sql, args...)
	return err
}

func (c conn) Int(ctx context.Context, sql string) (int, error) {
	var v int
	err := c.q.QueryRow(ctx, sql).Scan(&v)
	return v, err
}

// Check asks the server for the schema version, an error when it is a
// newer glowcloud's (migrate.ErrNewer) or the tables are not glowcloud's
// (migrate.ErrForeign). An older schema is not an error: compare the version with
// Latest, and Open upgrades it. (PostgreSQL checks its own pages; backups
// are pg_dump's job.)
func (d *DB) Check(ctx context.Context) (version int, err error) {
	sch, err := schema()
	if err != nil {
		return 0, err
	}
	return sch.Check(ctx, conn{d.pool})
}

// Ping reports whether the database answers a read (of its schema
// version).
func (d *DB) Ping(ctx context.Context) error {
	if _, err := (conn{d.pool}).Int(ctx, "SELECT version FROM schema_version"); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// isNoRows reports whether err is pgx's "no rows".
func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
