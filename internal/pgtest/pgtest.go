// Package pgtest gives a test a PostgreSQL schema of its own on the server
// CI runs (GLOWCLOUD_TEST_POSTGRES, else 127.0.0.1:5432, database test,
// trust auth), new (Schema) or migrated and reused (Pool), and skips the
// test, loudly, when no server answers. It is for tests only.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the server tried when GLOWCLOUD_TEST_POSTGRES is unset.
const DefaultURL = "postgres://127.0.0.1:5432/test?sslmode=disable"

// URL returns the server's URL, or skips tb when nothing answers there.
// When GLOWCLOUD_TEST_POSTGRES names a server that does not answer, tb
// fails instead: CI asked for PostgreSQL and must not pass without it.
func URL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("GLOWCLOUD_TEST_POSTGRES")
	if u == "" {
		u = DefaultURL
	}
	parsed, err := url.Parse(u)
	if err != nil {
		tb.Fatalf("GLOWCLOUD_TEST_POSTGRES: %v", err)
	}
	c, err := net.DialTimeout("tcp", parsed.Host, 2*time.Second)
	if err != nil {
		if os.Getenv("GLOWCLOUD_TEST_POSTGRES") != "" {
			tb.Fatalf("GLOWCLOUD_TEST_POSTGRES names %s, which does not answer: %v", parsed.Host, err)
		}
		tb.Skipf("SKIPPING POSTGRESQL TEST: no server answers on %s (%v); start one or set GLOWCLOUD_TEST_POSTGRES", parsed.Host, err)
	}
	c.Close()
	return u
}

// Schema creates a schema for tb alone, dropped when tb ends, and returns
// the URL that selects it (search_path).
func Schema(tb testing.TB) string {
	tb.Helper()
	base := URL(tb)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Skipf("SKIPPING POSTGRESQL TEST: cannot connect: %v", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	name := "glowcloud_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", name, err)
		}
	})
	return withSearchPath(base, name)
}

// withSearchPath returns base with its search_path set to schema.
func withSearchPath(base, schema string) string {
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Via returns u with its host and port replaced by addr: the same database
// reached through a proxy.
func Via(u, addr string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	p.Host = addr
	return p.String()
}

// Host returns the host:port u names.
func Host(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Host
}

// Pool hands out schemas that migrate brought up to date once and that
// are emptied and handed out again when the test that had one ends: a
// PostgreSQL schema is created and migrated in half a second of the
// server's time, mostly its catalog's fsyncs, and emptied in a few
// milliseconds. A schema handed out is as migrate left it, with every
// table empty and every sequence back at its start; one a test changed in
// any other way (a table, a column, a function or the schema version
// added, dropped or changed) is dropped instead of reused. Tests of
// migrations, which need a schema never migrated, take Schema's. It is
// safe for concurrent use.
type Pool struct {
	tb      testing.TB
	base    string // the server's URL
	migrate func(ctx context.Context, url string) error

	mu   sync.Mutex
	free []pooled
	made []string // the names of the schemas made, dropped when tb ends
}

// pooled is a schema of a Pool.
type pooled struct {
	name, url string
	shape     string // its objects when migrated (see shapeOf)
}

// NewPool returns a pool whose schemas migrate brings up to date (given
// the URL that selects the schema), for the subtests of tb: they are all
// dropped when tb ends, after its subtests. It skips tb, as URL does, when
// no server answers.
func NewPool(tb testing.TB, migrate func(ctx context.Context, url string) error) *Pool {
	tb.Helper()
	p := &Pool{tb: tb, base: URL(tb), migrate: migrate}
	tb.Cleanup(p.dropAll)
	return p
}

// Schema returns the URL that selects a migrated, empty schema for tb
// alone, emptied and handed out again when tb ends.
func (p *Pool) Schema(tb testing.TB) string {
	tb.Helper()
	p.mu.Lock()
	var s pooled
	ok := len(p.free) > 0
	if ok {
		s, p.free = p.free[len(p.free)-1], p.free[:len(p.free)-1]
	}
	p.mu.Unlock()
	if !ok {
		var err error
		if s, err = p.make(); err != nil {
			tb.Fatalf("pooled schema: %v", err)
		}
	}
	tb.Cleanup(func() { p.put(tb, s) })
	return s.url
}

// make creates and migrates a new schema.
func (p *Pool) make() (pooled, error) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, p.base)
	if err != nil {
		return pooled{}, err
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	s := pooled{name: "glowcloud_test_" + hex.EncodeToString(b)}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+s.name); err != nil {
		return pooled{}, err
	}
	p.mu.Lock()
	p.made = append(p.made, s.name)
	p.mu.Unlock()
	s.url = withSearchPath(p.base, s.name)
	if err := p.migrate(ctx, s.url); err != nil {
		return pooled{}, fmt.Errorf("migrate schema %s: %w", s.name, err)
	}
	if s.shape, err = shapeOf(ctx, conn, s.name); err != nil {
		return pooled{}, err
	}
	return s, nil
}

// shapeOf describes what schema holds beyond its rows: each relation
// (table, index, sequence, view) with its kind and number of columns,
// the number of functions, and the schema version.
func shapeOf(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, schema string) (string, error) {
	var (
		shape   string
		version int
	)
	err := q.QueryRow(ctx, `SELECT
		coalesce((SELECT string_agg(c.relname || ':' || c.relkind::text || ':' ||
			(SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), ',' ORDER BY c.relname)
			FROM pg_class c WHERE c.relnamespace = $1::regnamespace), '') ||
		' functions:' || (SELECT count(*) FROM pg_proc f WHERE f.pronamespace = $1::regnamespace)`,
		schema).Scan(&shape)
	if err == nil {
		err = q.QueryRow(ctx, "SELECT version FROM "+pgx.Identifier{schema, "schema_version"}.Sanitize()).Scan(&version)
	}
	if err != nil {
		return "", fmt.Errorf("read the shape of schema %s: %w", schema, err)
	}
	return fmt.Sprintf("%s version:%d", shape, version), nil
}

// put empties s and hands it out again, or drops it when its test changed
// it beyond its rows, or when emptying it fails.
func (p *Pool) put(tb testing.TB, s pooled) {
	if err := empty(s); err != nil {
		if err := drop(p.base, s.name); err != nil {
			tb.Errorf("drop schema %s: %v", s.name, err)
		}
		return
	}
	p.mu.Lock()
	p.free = append(p.free, s)
	p.mu.Unlock()
}

// empty deletes every row of s's tables but schema_version's, children
// before the tables they reference, and sets every sequence back to its
// start, in one transaction; it fails, changing nothing, when s's shape is
// not the one it was migrated to.
func empty(s pooled) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL lock_timeout = '10s'"); err != nil {
			return err
		}
		if shape, err := shapeOf(ctx, tx, s.name); err != nil || shape != s.shape {
			return fmt.Errorf("schema %s changed: %v", s.name, err)
		}
		rows, err := tx.Query(ctx, `SELECT c.relname, coalesce(array_agg(DISTINCT r.relname) FILTER (WHERE r.relname IS NOT NULL AND r.oid <> c.oid), '{}')
			FROM pg_class c
			LEFT JOIN pg_constraint k ON k.confrelid = c.oid AND k.contype = 'f'
			LEFT JOIN pg_class r ON r.oid = k.conrelid
			WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_version'
			GROUP BY c.relname`, s.name)
		if err != nil {
			return err
		}
		referrers := map[string][]string{} // a table: the tables that reference it
		for rows.Next() {
			var t string
			var by []string
			if err := rows.Scan(&t, &by); err != nil {
				return err
			}
			referrers[t] = by
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for len(referrers) > 0 {
			n := len(referrers)
			for t, by := range referrers {
				if slices.ContainsFunc(by, func(r string) bool { _, left := referrers[r]; return left }) {
					continue
				}
				if _, err := tx.Exec(ctx, "DELETE FROM "+pgx.Identifier{s.name, t}.Sanitize()); err != nil {
					return err
				}
				delete(referrers, t)
			}
			if len(referrers) == n {
				return fmt.Errorf("schema %s: a cycle of foreign keys among %v", s.name, referrers)
			}
		}
		_, err = tx.Exec(ctx, `SELECT setval(s.seqrelid, s.seqstart, false) FROM pg_sequence s
			JOIN pg_class c ON c.oid = s.seqrelid WHERE c.relnamespace = $1::regnamespace`, s.name)
		return err
	})
}

// dropAll drops every schema the pool made.
func (p *Pool) dropAll() {
	p.mu.Lock()
	names := p.made
	p.made, p.free = nil, nil
	p.mu.Unlock()
	for _, name := range names {
		if err := drop(p.base, name); err != nil {
			p.tb.Errorf("drop schema %s: %v", name, err)
		}
	}
}

// drop drops the schema name and everything in it.
func drop(base, name string) error {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE")
	return err
}
