package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/glowcloud/glowcloud/internal/pgtest"
)

// migrate is a small schema with what a glowcloud schema has: a version
// table, a table another references, identity columns.
func migrate(ctx context.Context, u string) error {
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (2);
		CREATE TABLE parent (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
		CREATE TABLE child (id BIGINT GENERATED ALWAYS AS IDENTITY, parent_id BIGINT NOT NULL REFERENCES parent (id))`)
	return err
}

func query(t *testing.T, u, sql string) int64 {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int64
	if err := conn.QueryRow(t.Context(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPool: a schema comes back empty, its sequences at their start and
// its schema version kept; one a test changed beyond its rows is not
// handed out again.
func TestPool(t *testing.T) {
	t.Parallel()
	p := pgtest.NewPool(t, migrate)
	var first string
	t.Run("fill", func(t *testing.T) {
		first = p.Schema(t)
		for range 3 {
			query(t, first, "WITH p AS (INSERT INTO parent DEFAULT VALUES RETURNING id) INSERT INTO child (parent_id) SELECT id FROM p RETURNING id")
		}
	})
	t.Run("reused empty", func(t *testing.T) {
		u := p.Schema(t)
		if u != first {
			t.Errorf("a new schema %s, want %s again", u, first)
		}
		if n := query(t, u, "SELECT (SELECT count(*) FROM parent) + (SELECT count(*) FROM child)"); n != 0 {
			t.Errorf("%d rows left", n)
		}
		if v := query(t, u, "SELECT version FROM schema_version"); v != 2 {
			t.Errorf("schema version %d, want 2", v)
		}
		if id := query(t, u, "INSERT INTO parent DEFAULT VALUES RETURNING id"); id != 1 {
			t.Errorf("the first id is %d, want 1", id)
		}
		conn, err := pgx.Connect(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(t.Context(), "ALTER TABLE child ADD note TEXT"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("changed is dropped", func(t *testing.T) {
		if u := p.Schema(t); u == first {
			t.Errorf("the schema a test altered was handed out again")
		}
		if n := query(t, pgtest.URL(t), "SELECT count(*) FROM pg_namespace WHERE nspname = '"+schemaOf(t, first)+"'"); n != 0 {
			t.Errorf("the altered schema is still there")
		}
	})
}

func schemaOf(t *testing.T, u string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.RuntimeParams["search_path"]
}
