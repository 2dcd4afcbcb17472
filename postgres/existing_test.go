package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/glowcloud/glowcloud/internal/migrate"
	"github.com/glowcloud/glowcloud/internal/pgtest"
	"github.com/glowcloud/glowcloud/postgres"
)

// TestOpenExistingMigratesNothing: `glowcloud db check` reads. On a shared
// database a check from a new binary once upgraded production, so that
// older replicas then refused to start; now a version-1 schema stays at
// version 1, and a newer one is reported.
func TestOpenExistingMigratesNothing(t *testing.T) {
	t.Parallel()
	u := pgtest.Schema(t)
	v1, err := os.ReadFile("testdata/v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	exec(t, u, string(v1))
	before := queryString(t, u, schemaDump)
	db, err := postgres.OpenExisting(t.Context(), u, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.Check(t.Context()); err != nil || v != 1 {
		t.Errorf("Check of a version-1 schema = %d, %v; want 1, nil", v, err)
	}
	if v := queryString(t, u, "SELECT version::text FROM schema_version"); v != "1" {
		t.Errorf("after the check the schema is at version %s, want 1", v)
	}
	if after := queryString(t, u, schemaDump); after != before {
		t.Errorf("the check changed the schema:\n%s", after)
	}
	exec(t, u, "UPDATE schema_version SET version = 99")
	if v, err := db.Check(t.Context()); !errors.Is(err, migrate.ErrNewer) || v != 99 {
		t.Errorf("Check of a newer schema = %d, %v; want 99, ErrNewer", v, err)
	}
}

// TestOpenCreatesTheSearchPathSchema: ?search_path=NAME is enough, as the
// docs say: a schema not there yet is created (it failed with "no schema
// has been selected to create in"); OpenExisting creates nothing.
func TestOpenCreatesTheSearchPathSchema(t *testing.T) {
	t.Parallel()
	base := pgtest.URL(t)
	b := make([]byte, 6)
	rand.Read(b)
	name := "glowcloud_test_new_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx := context.Background() // t.Context() has ended
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()

	check, err := postgres.OpenExisting(t.Context(), u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := check.Check(t.Context()); err != nil || v != 0 {
		t.Errorf("Check before the schema exists = %d, %v; want 0, nil", v, err)
	}
	check.Close()
	if schemaExists(t, base, name) {
		t.Fatalf("OpenExisting created schema %s", name)
	}

	db, err := postgres.Open(t.Context(), u.String(), nil)
	if err != nil {
		t.Fatalf("Open with ?search_path=%s, a schema not there yet: %v", name, err)
	}
	defer db.Close()
	if v, err := db.Check(t.Context()); err != nil || v != postgres.Latest() {
		t.Errorf("Check = %d, %v; want %d", v, err, postgres.Latest())
	}
	if !schemaExists(t, base, name) {
		t.Errorf("schema %s was not created", name)
	}
}

func schemaExists(t *testing.T, u, name string) bool {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM pg_namespace WHERE nspname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}
