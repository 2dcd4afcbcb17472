package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/internal/pgtest"
	"github.com/glowcloud/glowcloud/postgres"
	"github.com/glowcloud/glowcloud/proclaim"
	"github.com/glowcloud/glowcloud/sqlite"
)

func TestDBBackupAndCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	db, err := sqlite.Open(t.Context(), live, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutSchedule(t.Context(), proclaim.Schedule{GuildID: "g1", ChannelID: "1", Every: time.Hour, Kind: bot.CmdGlowcloud, NextAt: time.UnixMilli(1e12)}, proclaim.MaxPerGuild); err != nil {
		t.Fatal(err)
	}
	defer db.Close() // still open, as under a running serve

	env := map[string]string{"GLOWCLOUD_DATABASE": live}
	copyPath := filepath.Join(dir, "copy.db")
	r := glowcloud(t, env, "", "db", "backup", copyPath)
	if r.code != 0 || r.stdout != "backed up to "+copyPath+"\n" {
		t.Fatalf("db backup: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = glowcloud(t, nil, "", "db", "-database", copyPath, "check")
	if want := fmt.Sprintf("ok: schema version %d\n", sqlite.Latest()); r.code != 0 || r.stdout != want {
		t.Errorf("db check of the copy: exit %d, stdout %q (want %q), stderr %q", r.code, r.stdout, want, r.stderr)
	}
	cp, err := sqlite.Open(t.Context(), copyPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if all, err := cp.Schedules(t.Context(), "g1"); err != nil || len(all) != 1 {
		t.Errorf("the copy has %d schedules, %v", len(all), err)
	}
}

func TestDBErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want []string
	}{
		{"check of a missing file", map[string]string{"GLOWCLOUD_DATABASE": missing}, []string{"db", "check"}, 1, []string{"missing.db", "does not exist"}},
		{"backup of a missing file", map[string]string{"GLOWCLOUD_DATABASE": missing}, []string{"db", "backup", filepath.Join(dir, "b.db")}, 1, []string{"does not exist"}},
		{"backup of postgres", map[string]string{"GLOWCLOUD_DATABASE": "postgres://127.0.0.1:1/x"}, []string{"db", "backup", "b.db"}, 1, []string{"pg_dump"}},
		{"unknown subcommand", nil, []string{"db", "vacuum"}, 2, []string{"db vacuum"}},
		{"backup without a file", nil, []string{"db", "backup"}, 2, []string{"db backup"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := glowcloud(t, tt.env, "", tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", r.code, tt.code, r.stderr)
			}
			last := lines(r.stderr)
			if len(last) == 0 || !strings.HasPrefix(last[len(last)-1], "glowcloud: ") {
				t.Fatalf("stderr does not end with an error line: %q", r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(last[len(last)-1], w) {
					t.Errorf("error %q does not mention %q", last[len(last)-1], w)
				}
			}
		})
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("db check created the missing database")
	}
}

// TestDBCheckReadsAndMigrateUpgrades: `db check` and `db backup` read the
// database as it is (a check once migrated a version-1 file to the latest
// version, and a backup copied it migrated); `db migrate` is the explicit
// upgrade, and says what it did.
func TestDBCheckReadsAndMigrateUpgrades(t *testing.T) {
	t.Parallel()
	script, err := os.ReadFile("../../sqlite/testdata/v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "v1.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(string(script)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	env := map[string]string{"GLOWCLOUD_DATABASE": path}
	sum := fileSHA(t, path)

	r := glowcloud(t, env, "", "db", "check")
	if want := fmt.Sprintf("ok: schema version 1; this glowcloud upgrades it to %d ('glowcloud db migrate', or starting serve)\n", sqlite.Latest()); r.code != 0 || r.stdout != want {
		t.Errorf("db check: exit %d, stdout %q (want %q), stderr %q", r.code, r.stdout, want, r.stderr)
	}
	backup := filepath.Join(dir, "backup.db")
	if r := glowcloud(t, env, "", "db", "backup", backup); r.code != 0 {
		t.Fatalf("db backup: exit %d, stderr %q", r.code, r.stderr)
	}
	if fileSHA(t, path) != sum {
		t.Fatalf("db check or db backup changed the database")
	}
	if v := schemaVersionOf(t, backup); v != 1 {
		t.Errorf("the backup is at version %d, want the database's 1", v)
	}

	r = glowcloud(t, env, "", "db", "migrate")
	if want := fmt.Sprintf("migrated %s from schema version 1 to %d\n", path, sqlite.Latest()); r.code != 0 || r.stdout != want {
		t.Errorf("db migrate: exit %d, stdout %q (want %q), stderr %q", r.code, r.stdout, want, r.stderr)
	}
	if v := schemaVersionOf(t, path); v != sqlite.Latest() {
		t.Errorf("after db migrate the database is at version %d, want %d", v, sqlite.Latest())
	}
	r = glowcloud(t, env, "", "db", "migrate")
	if want := fmt.Sprintf("%s is at schema version %d already: nothing to do\n", path, sqlite.Latest()); r.code != 0 || r.stdout != want {
		t.Errorf("db migrate again: exit %d, stdout %q (want %q)", r.code, r.stdout, want)
	}
	if r := glowcloud(t, env, "", "db", "check"); r.code != 0 || r.stdout != fmt.Sprintf("ok: schema version %d\n", sqlite.Latest()) {
		t.Errorf("db check after migrating: exit %d, stdout %q", r.code, r.stdout)
	}
}

// TestDBCheckPostgresReads: on a shared PostgreSQL, `db check` from a new
// binary leaves an older schema as it is, so older replicas keep starting.
func TestDBCheckPostgresReads(t *testing.T) {
	t.Parallel()
	u := pgtest.Schema(t)
	script, err := os.ReadFile("../../postgres/testdata/v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), string(script)); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GLOWCLOUD_DATABASE": u}
	if r := glowcloud(t, env, "", "db", "check"); r.code != 0 || !strings.HasPrefix(r.stdout, "ok: schema version 1;") {
		t.Errorf("db check: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	var v int
	if err := conn.QueryRow(t.Context(), "SELECT version FROM schema_version").Scan(&v); err != nil || v != 1 {
		t.Errorf("after db check the schema is at version %d (%v), want 1", v, err)
	}
	if r := glowcloud(t, env, "", "db", "migrate"); r.code != 0 || !strings.Contains(r.stdout, "from schema version 1 to") {
		t.Errorf("db migrate: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if err := conn.QueryRow(t.Context(), "SELECT version FROM schema_version").Scan(&v); err != nil || v != postgres.Latest() {
		t.Errorf("after db migrate the schema is at version %d (%v), want %d", v, err, postgres.Latest())
	}
}

func fileSHA(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func schemaVersionOf(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow("SELECT version FROM schema_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestHelpHidesPasswords: -h shows each flag's default, which comes from
// the environment; a database or proxy URL's password is masked there (it
// was printed whole), the rest of the URL kept.
func TestHelpHidesPasswords(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"GLOWCLOUD_DATABASE": "postgres://glowcloud:s3cretpass@db.internal:5432/glowcloud?sslmode=require&password=s3cretparam",
		"DISCORD_API_BASE":   "http://proxyuser:s3cretproxy@nirn:8080",
	}
	for _, args := range [][]string{{"serve", "-h"}, {"publish", "-h"}, {"db", "-h"}} {
		r := glowcloud(t, env, "", args...)
		if r.code != 0 {
			t.Errorf("%q: exit %d, want 0", args, r.code)
		}
		for _, secret := range []string{"s3cretpass", "s3cretparam", "s3cretproxy"} {
			if strings.Contains(r.stderr+r.stdout, secret) {
				t.Errorf("%q prints the password %q:\n%s", args, secret, r.stderr)
			}
		}
		if !strings.Contains(r.stderr, "glowcloud:xxxxx@db.internal:5432/glowcloud") {
			t.Errorf("%q does not show the database's default, masked:\n%s", args, r.stderr)
		}
	}
	if r := glowcloud(t, env, "", "serve", "-h"); !strings.Contains(r.stderr, "http://proxyuser:xxxxx@nirn:8080") {
		t.Errorf("serve -h does not show -api-base's default, masked:\n%s", r.stderr)
	}
}
