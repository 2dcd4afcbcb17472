package sqlite_test

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/internal/migrate"
	"github.com/glowcloud/glowcloud/proclaim"
	"github.com/glowcloud/glowcloud/sqlite"
)

// raw opens a file with the driver alone: no migrations, no pragmas.
func raw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// schema returns the database's schema as SQLite keeps it, one statement a
// line, sorted, so that two databases can be compared.
func schema(t *testing.T, path string) string {
	t.Helper()
	rows, err := raw(t, path).Query(`SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_schema
		WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, s)
	}
	return strings.Join(lines, "\n")
}

func version(t *testing.T, path string) int {
	t.Helper()
	var v int
	if err := raw(t, path).QueryRow("SELECT version FROM schema_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func openPath(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrateFromEmpty(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "new.db")
	db := openPath(t, path)
	if got := version(t, path); got != sqlite.Latest() || got < 2 {
		t.Errorf("schema version %d, want %d", got, sqlite.Latest())
	}
	var mode string
	if err := raw(t, path).QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	before := schema(t, path)
	db.Close()
	// Opening again changes nothing.
	openPath(t, path)
	if after := schema(t, path); after != before {
		t.Errorf("a second Open changed the schema:\n%s\nwas\n%s", after, before)
	}
}

func TestMigrateFromVersion1(t *testing.T) {
	t.Parallel()
	script, err := os.ReadFile("testdata/v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	old := filepath.Join(dir, "v1.db")
	if _, err := raw(t, old).Exec(string(script)); err != nil {
		t.Fatal(err)
	}
	db := openPath(t, old)
	if got := version(t, old); got != sqlite.Latest() {
		t.Fatalf("after migrating: version %d, want %d", got, sqlite.Latest())
	}
	// The data of version 1 is all there...
	all, err := db.Schedules(t.Context(), "g1")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Topic != "tea" || all[0].Every != 6*time.Hour || all[0].LastResult != "posted" ||
		!strings.Contains(all[1].Paused, "10003") || !all[0].NextAt.Equal(time.UnixMilli(1767290400000)) {
		t.Errorf("schedules after migrating = %+v", all)
	}
	if h, err := db.Hush(t.Context(), "g1"); err != nil || h.By != "u2" || !h.Until.Equal(time.UnixMilli(1767272400000)) {
		t.Errorf("hush after migrating = %+v, %v", h, err)
	}
	// ...version 2 works on it...
	if wait, err := db.TakeCooldown(t.Context(), "u1", time.UnixMilli(1767268800000), time.Second); err != nil || wait != 0 {
		t.Errorf("TakeCooldown on the migrated database = %v, %v", wait, err)
	}
	// ...and its schema is the one a new database gets.
	fresh := filepath.Join(dir, "fresh.db")
	openPath(t, fresh)
	if got, want := schema(t, old), schema(t, fresh); got != want {
		t.Errorf("migrated schema\n%s\ndiffers from a new database's\n%s", got, want)
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestRefuseNewerDatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "newer.db")
	db := openPath(t, path)
	if _, err := db.PutSchedule(t.Context(), proclaim.Schedule{GuildID: "g1", ChannelID: "1", Every: time.Hour, Kind: "glowcloud", NextAt: time.UnixMilli(1e12)}, 5); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r := raw(t, path)
	if _, err := r.Exec("UPDATE schema_version SET version = 99; CREATE TABLE from_the_future (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	r.Close()
	sum, before := fileSum(t, path), schema(t, path)

	_, err := sqlite.Open(t.Context(), path, nil)
	if !errors.Is(err, migrate.ErrNewer) {
		t.Fatalf("Open of a newer database: %v, want ErrNewer", err)
	}
	t.Logf("Open of a newer database: %v", err)
	for _, s := range []string{"99", "newer", path} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	if fileSum(t, path) != sum || schema(t, path) != before || version(t, path) != 99 {
		t.Errorf("the refused database was changed")
	}
}

func TestRefuseForeignDatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "other.db")
	r := raw(t, path)
	if _, err := r.Exec("CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('ann')"); err != nil {
		t.Fatal(err)
	}
	r.Close()
	sum := fileSum(t, path)
	if _, err := sqlite.Open(t.Context(), path, nil); !errors.Is(err, migrate.ErrForeign) {
		t.Fatalf("Open of another program's database: %v, want ErrForeign", err)
	}
	if fileSum(t, path) != sum {
		t.Errorf("the refused database was changed (converted to WAL?)")
	}
}

func TestRefuseNotADatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "notes.txt")
	text := bytes.Repeat([]byte("the glow cloud does not need to converse with us\n"), 200)
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := sqlite.Open(t.Context(), path, nil)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open of a text file: %v, want an error naming it", err)
	}
	t.Logf("Open of a text file: %v", err)
	if b, _ := os.ReadFile(path); !bytes.Equal(b, text) {
		t.Errorf("the text file was changed")
	}
}

func TestOpenRejectsURIs(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro", "x#y"} {
		if _, err := sqlite.Open(t.Context(), p, nil); err == nil {
			t.Errorf("Open(%q) = nil error, want a refusal", p)
		}
	}
}

// TestConcurrentOpen: processes starting together on a new file apply each
// migration once (each Open here is its own connection pool, as a process
// would be).
func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "race.db")
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range 4 {
		wg.Go(func() {
			db, err := sqlite.Open(t.Context(), path, nil)
			if err == nil {
				err = db.Close()
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
	if v := version(t, path); v != sqlite.Latest() {
		t.Errorf("version %d, want %d", v, sqlite.Latest())
	}
}

func TestBackup(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	db := openCopy(t, filepath.Join(dir, "live.db"))
	for i := range 5 {
		if _, err := db.PutSchedule(ctx, proclaim.Schedule{GuildID: "g1", ChannelID: string(rune('1' + i)), Every: time.Hour, Kind: "glowcloud", NextAt: time.UnixMilli(1e12)}, 5); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetHush(ctx, proclaim.Hush{GuildID: "g1", Until: time.UnixMilli(2e12), By: "u"}); err != nil {
		t.Fatal(err)
	}
	// Writers go on during the backup.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			db.TakeCooldown(ctx, "u", time.UnixMilli(int64(i)*10000), time.Second)
		}
	})
	dst := filepath.Join(dir, "backup.db")
	if err := os.WriteFile(dst, []byte("an older backup"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := db.Backup(ctx, dst)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	copyDB := openPath(t, dst)
	if v, err := copyDB.Check(ctx); err != nil || v != sqlite.Latest() {
		t.Errorf("Check of the backup = %d, %v", v, err)
	}
	if all, err := copyDB.Schedules(ctx, "g1"); err != nil || len(all) != 5 {
		t.Errorf("backup has %d schedules, %v; want 5", len(all), err)
	}
	if h, _ := copyDB.Hush(ctx, "g1"); h.By != "u" {
		t.Errorf("backup hush = %+v", h)
	}
	// Nothing beside the live database and the backup: no temporary file,
	// no journal of the copy's check.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := e.Name(); !strings.HasPrefix(n, "backup.db") && !strings.HasPrefix(n, "live.db") {
			t.Errorf("Backup left %s behind", n)
		}
	}
	if err := db.Backup(ctx, filepath.Join(dir, "no", "such", "dir", "b.db")); err == nil {
		t.Errorf("Backup into a missing directory: nil error")
	}
}

func TestBackupInMemory(t *testing.T) {
	t.Parallel()
	db, err := sqlite.OpenMemory(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.PutSchedule(t.Context(), proclaim.Schedule{GuildID: "g1", ChannelID: "1", Every: time.Hour, Kind: "glowcloud", NextAt: time.UnixMilli(1e12)}, 5); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "mem.db")
	if err := db.Backup(t.Context(), dst); err != nil {
		t.Fatal(err)
	}
	if all, err := openPath(t, dst).Schedules(t.Context(), "g1"); err != nil || len(all) != 1 {
		t.Errorf("backup of memory has %d schedules, %v", len(all), err)
	}
}

func TestCheckFindsCorruption(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "c.db")
	db := openPath(t, path)
	if v, err := db.Check(ctx); err != nil || v != sqlite.Latest() {
		t.Fatalf("Check of a good database = %d, %v", v, err)
	}
	db.Close()
	// Enough rows for many pages, in one statement.
	if _, err := raw(t, path).Exec(`WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5000)
		INSERT INTO cooldowns SELECT printf('user-%050d', x), x FROM n`); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := f.Stat()
	// Scribble over the middle of the file, away from the schema on page 1.
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, 4096), info.Size()/2); err != nil {
		t.Fatal(err)
	}
	f.Close()
	db2, err := sqlite.Open(ctx, path, nil)
	if err == nil {
		defer db2.Close()
		_, err = db2.Check(ctx)
	}
	if err == nil {
		t.Fatalf("a scribbled-over database passed Open and Check")
	}
	t.Logf("corruption reported: %v", err)
}

// TestOpenExistingChangesNothing: checking and backing up read the database
// as it is. A version-1 file stays at version 1, byte for byte (db check
// once migrated it to the latest version), its backup is a version-1 copy,
// a newer database is reported rather than refused unread, and a missing
// file is not created.
func TestOpenExistingChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	script, err := os.ReadFile("testdata/v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	old := filepath.Join(dir, "v1.db")
	r := raw(t, old)
	if _, err := r.Exec(string(script)); err != nil {
		t.Fatal(err)
	}
	r.Close()
	sum := fileSum(t, old)

	db, err := sqlite.OpenExisting(ctx, old, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := db.Check(ctx); err != nil || v != 1 {
		t.Errorf("Check of a version-1 database = %d, %v; want 1, nil", v, err)
	}
	dst := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, dst); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if fileSum(t, old) != sum || version(t, old) != 1 {
		t.Errorf("checking and backing up changed the database (now version %d)", version(t, old))
	}
	if v := version(t, dst); v != 1 {
		t.Errorf("the backup is at version %d, want the database's 1", v)
	}

	newer := filepath.Join(dir, "newer.db")
	r = raw(t, newer)
	if _, err := r.Exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99)"); err != nil {
		t.Fatal(err)
	}
	r.Close()
	db, err = sqlite.OpenExisting(ctx, newer, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.Check(ctx); !errors.Is(err, migrate.ErrNewer) || v != 99 {
		t.Errorf("Check of a newer database = %d, %v; want 99, ErrNewer", v, err)
	}

	missing := filepath.Join(dir, "missing.db")
	if _, err := sqlite.OpenExisting(ctx, missing, nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenExisting of a missing file = %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("OpenExisting created %s", missing)
	}
}
