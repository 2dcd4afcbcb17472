package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
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
	if want := "ok: schema version 3\n"; r.code != 0 || r.stdout != want {
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
