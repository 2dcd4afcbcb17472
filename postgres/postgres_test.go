package postgres_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/internal/migrate"
	"github.com/glowcloud/glowcloud/internal/pgtest"
	"github.com/glowcloud/glowcloud/internal/storetest"
	"github.com/glowcloud/glowcloud/postgres"
	"github.com/glowcloud/glowcloud/proclaim"
)

func open(t *testing.T, u string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), u, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestConformance runs the suite on schemas of a pool: each subtest's is
// migrated and empty, as a new one would be after its migrations, which
// cost the server half a second a schema (TestMigrate* and the other
// tests of Open migrate new schemas).
func TestConformance(t *testing.T) {
	t.Parallel()
	schemas := pgtest.NewPool(t, func(ctx context.Context, u string) error {
		db, err := postgres.Open(ctx, u, nil)
		if err != nil {
			return err
		}
		return db.Close()
	})
	storetest.Run(t, func(t *testing.T) storetest.Store { return open(t, schemas.Schema(t)) })
}

func exec(t *testing.T, u, sql string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), sql); err != nil {
		t.Fatal(err)
	}
}

func queryString(t *testing.T, u, sql string) string {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var s string
	if err := conn.QueryRow(t.Context(), sql).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// schemaDump describes the tables and columns of the test's schema.
const schemaDump = `SELECT coalesce(string_agg(table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, ''), E'\n' ORDER BY table_name, ordinal_position), '')
	FROM information_schema.columns WHERE table_schema = current_schema()`

func TestMigrateAndRefuseNewer(t *testing.T) {
	t.Parallel()
	u := pgtest.Schema(t)
	db := open(t, u)
	if v, err := db.Check(t.Context()); err != nil || v != postgres.Latest() || v < 2 {
		t.Fatalf("Check = %d, %v; want %d", v, err, postgres.Latest())
	}
	before := queryString(t, u, schemaDump)
	db.Close()
	open(t, u).Close() // idempotent
	if after := queryString(t, u, schemaDump); after != before {
		t.Errorf("a second Open changed the schema:\n%s", after)
	}
	exec(t, u, "UPDATE schema_version SET version = 99")
	_, err := postgres.Open(t.Context(), u, nil)
	if !errors.Is(err, migrate.ErrNewer) || !strings.Contains(err.Error(), "99") {
		t.Fatalf("Open of a newer database: %v, want ErrNewer naming 99", err)
	}
	if v := queryString(t, u, "SELECT version::text FROM schema_version"); v != "99" {
		t.Errorf("the refused database's version became %s", v)
	}
	if after := queryString(t, u, schemaDump); after != before {
		t.Errorf("the refused database's schema changed")
	}
}

func TestMigrateFromVersion1(t *testing.T) {
	t.Parallel()
	u := pgtest.Schema(t)
	v1, err := os.ReadFile("testdata/v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	exec(t, u, string(v1))
	db := open(t, u)
	all, err := db.Schedules(t.Context(), "g1")
	if err != nil || len(all) != 1 || all[0].Topic != "tea" || all[0].Every != 6*time.Hour {
		t.Errorf("schedules after migrating from v1 = %+v, %v", all, err)
	}
	if wait, err := db.TakeCooldown(t.Context(), "u1", time.UnixMilli(1767268800000), time.Second); err != nil || wait != 0 {
		t.Errorf("TakeCooldown after migrating = %v, %v", wait, err)
	}
	fresh := pgtest.Schema(t)
	open(t, fresh)
	if got, want := queryString(t, u, schemaDump), queryString(t, fresh, schemaDump); got != want {
		t.Errorf("migrated schema\n%s\ndiffers from a new one's\n%s", got, want)
	}
}

func TestRefuseForeignTables(t *testing.T) {
	t.Parallel()
	u := pgtest.Schema(t)
	exec(t, u, "CREATE TABLE schedules (what TEXT)")
	if _, err := postgres.Open(t.Context(), u, nil); !errors.Is(err, migrate.ErrForeign) {
		t.Fatalf("Open over someone else's schedules table: %v, want ErrForeign", err)
	}
}

// TestConcurrentOpen: replicas starting together on an empty schema apply
// each migration once, under the advisory lock.
func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	u := pgtest.Schema(t)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range 5 {
		wg.Go(func() {
			db, err := postgres.Open(t.Context(), u, nil)
			if err == nil {
				db.Close()
			}
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("concurrent Open: %v", err)
		}
	}
}

func TestOpenErrorHidesPassword(t *testing.T) {
	t.Parallel()
	_, err := postgres.Open(t.Context(), "postgres://glowcloud:hunter2@127.0.0.1:1/nothing?connect_timeout=1", nil)
	if err == nil {
		t.Fatal("Open of a closed port: nil error")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error shows the password: %v", err)
	}
}

// TestReplicasClaimEachSlotOnce: three pools (replicas) step their own
// clocks through a day of slots at once; every slot is claimed exactly once.
func TestReplicasClaimEachSlotOnce(t *testing.T) {
	t.Parallel()
	u := pgtest.Schema(t)
	setup := open(t, u)
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	const every = 10 * time.Minute
	want := 0
	for i := range 3 {
		first := t0.Add(time.Duration(i) * time.Minute)
		if _, err := setup.PutSchedule(t.Context(), proclaim.Schedule{GuildID: "g", ChannelID: string(rune('1' + i)), Every: every, Kind: bot.CmdGlowcloud, NextAt: first}, proclaim.MaxPerGuild); err != nil {
			t.Fatal(err)
		}
		for s := first; !s.After(t0.Add(24 * time.Hour)); s = s.Add(every) {
			want++
		}
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[string]int{}
		errs []error
	)
	for range 3 {
		db := open(t, u)
		for range 2 { // two Runners' worth of claimers per replica
			wg.Go(func() {
				for now := t0; !now.After(t0.Add(24 * time.Hour)); now = now.Add(time.Minute) {
					cs, err := db.Claim(t.Context(), now, 10)
					mu.Lock()
					if err != nil {
						errs = append(errs, err)
					}
					for _, c := range cs {
						seen[c.ChannelID+"@"+c.Slot.Format(time.RFC3339)]++
					}
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d claim errors, first %v", len(errs), errs[0])
	}
	if len(seen) != want {
		t.Errorf("%d distinct slots claimed, want %d", len(seen), want)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("slot %s claimed %d times", k, n)
		}
	}
}

func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B) storetest.Store {
		db, err := postgres.Open(b.Context(), pgtest.Schema(b), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		return db
	})
}
