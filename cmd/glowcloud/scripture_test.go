package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/internal/pgtest"
	"github.com/glowcloud/glowcloud/postgres"
	"github.com/glowcloud/glowcloud/scripture"
	"github.com/glowcloud/glowcloud/sqlite"
)

// scriptureFixture fills db with two servers' scripture: server 111 has
// three texts (two of them named alike but for case) and a trained model,
// server 222 one text and no model yet. It returns the texts by name.
func scriptureFixture(t *testing.T, db database) map[string]string {
	t.Helper()
	ctx := t.Context()
	at := time.Date(2026, 12, 7, 12, 30, 0, 0, time.UTC)
	texts := []struct{ guild, name, data string }{
		{"111", "minutes", "We met in the hall. We voted for the garden.\n"},
		{"111", "lore", "The founders kept bees.\x00\xff binary survives\n"},
		{"111", "Lore", "A second lore, named alike.\n"},
		{"222", "minutes", "Another server's minutes: the bake sale.\n"},
	}
	want := map[string]string{}
	for _, x := range texts {
		sum := sha256.Sum256([]byte(x.data))
		if _, err := db.AddText(ctx, scripture.Text{GuildID: x.guild, Name: x.name, SHA256: hex.EncodeToString(sum[:]),
			Size: int64(len(x.data)), Data: []byte(x.data), AddedBy: "42", AddedAt: at}, scripture.Limits{Files: 20, Bytes: 1 << 20}); err != nil {
			t.Fatal(err)
		}
		if x.guild == "111" {
			want[x.name] = x.data
		}
	}
	j, ok, err := db.ClaimTraining(ctx, "test", at, time.Minute)
	if err != nil || !ok || j.GuildID != "111" {
		t.Fatalf("ClaimTraining = %+v, %v, %v", j, ok, err)
	}
	if ok, err := db.FinishTraining(ctx, j, scripture.Outcome{Model: []byte("a model of 24 bytes here"), Summary: "3 sentences, 21 words",
		Sentences: map[string]int{"minutes": 2, "lore": 1, "Lore": 0}, At: at}); !ok || err != nil {
		t.Fatalf("FinishTraining = %v, %v", ok, err)
	}
	return want
}

// TestScriptureCLI: `glowcloud scripture list|export|forget` on an SQLite
// file and on PostgreSQL: what each server keeps, a copy of its texts byte
// for byte, and forget deleting one server's everything (only with -yes)
// while the other's stays.
func TestScriptureCLI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		open func(t *testing.T) (database, string)
	}{
		{"sqlite", func(t *testing.T) (database, string) {
			path := filepath.Join(t.TempDir(), "glowcloud.db")
			db, err := sqlite.Open(t.Context(), path, nil)
			if err != nil {
				t.Fatal(err)
			}
			return db, path
		}},
		{"postgres", func(t *testing.T) (database, string) {
			u := pgtest.Schema(t)
			db, err := postgres.Open(t.Context(), u, nil)
			if err != nil {
				t.Fatal(err)
			}
			return db, u
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db, dsn := tc.open(t)
			defer db.Close()
			want := scriptureFixture(t, db)
			env := map[string]string{"GLOWCLOUD_DATABASE": dsn}

			r := glowcloud(t, env, "", "scripture", "list")
			if r.code != 0 {
				t.Fatalf("list: exit %d: %s", r.code, r.stderr)
			}
			ls := lines(r.stdout)
			if len(ls) != 3 || !strings.HasPrefix(ls[0], "SERVER") ||
				!strings.Contains(ls[1], "111") || !strings.Contains(ls[1], "ready") || !strings.Contains(ls[1], " 3 ") ||
				!strings.Contains(ls[2], "222") || !strings.Contains(ls[2], "pending") {
				t.Errorf("list:\n%s", r.stdout)
			}

			a := glowcloud(t, env, "", "scripture", "list", "-guild", "111")
			b := glowcloud(t, env, "", "scripture", "-guild", "111", "list")
			if a.code != 0 || a.stdout != b.stdout {
				t.Errorf("list -guild after the word: exit %d %q; before: %q", a.code, a.stdout, b.stdout)
			}
			for _, w := range []string{"server 111: 3 texts", "essay's share of the blend 50 %", "model: ready (version", "24 bytes",
				"learned: 3 sentences, 21 words", "minutes", "Lore", "42", "2026-12-07 12:30:00 UTC"} {
				if !strings.Contains(a.stdout, w) {
					t.Errorf("list -guild 111 lacks %q:\n%s", w, a.stdout)
				}
			}
			if strings.Contains(a.stdout, "\x00") || strings.Contains(a.stdout, "bake sale") {
				t.Errorf("list -guild 111 shows a text or another server's:\n%q", a.stdout)
			}
			if r := glowcloud(t, env, "", "scripture", "list", "-guild", "333"); r.code != 0 || r.stdout != "server 333 has no scripture\n" {
				t.Errorf("list of a server without scripture: exit %d, %q", r.code, r.stdout)
			}

			dir := filepath.Join(t.TempDir(), "out")
			r = glowcloud(t, env, "", "scripture", "export", dir, "-guild", "111")
			if r.code != 0 || len(lines(r.stdout)) != 3 {
				t.Fatalf("export: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
			got := map[string]string{}
			for name, file := range map[string]string{"minutes": "minutes.txt", "lore": "lore.txt", "Lore": "Lore-2.txt"} {
				p := filepath.Join(dir, file)
				data, err := os.ReadFile(p)
				if err != nil {
					t.Error(err)
					continue
				}
				got[name] = string(data)
				if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("%s: mode %v, %v; want 0600", p, fi.Mode(), err)
				}
			}
			for name, data := range want {
				if got[name] != data {
					t.Errorf("exported %s = %q, want %q", name, got[name], data)
				}
			}
			if n := dirNames(t, dir); len(n) != 3 {
				t.Errorf("export wrote %q", n)
			}
			if r := glowcloud(t, env, "", "scripture", "export", "-guild", "111", dir); r.code != 1 || !strings.Contains(r.stderr, "exists already") {
				t.Errorf("export over an export: exit %d, %q", r.code, r.stderr)
			}
			if r := glowcloud(t, env, "", "scripture", "export", "-guild", "333", filepath.Join(t.TempDir(), "none")); r.code != 1 || !strings.Contains(r.stderr, "no scripture") {
				t.Errorf("export of a server without scripture: exit %d, %q", r.code, r.stderr)
			}

			r = glowcloud(t, env, "", "scripture", "forget", "-guild", "111")
			if r.code != 1 || !strings.Contains(r.stdout, "would delete the scripture of server 111: 3 texts") || !strings.Contains(r.stderr, "-yes") {
				t.Errorf("forget without -yes: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
			if texts, err := db.Texts(t.Context(), "111", false); err != nil || len(texts) != 3 {
				t.Fatalf("forget without -yes deleted: %d texts left, %v", len(texts), err)
			}
			r = glowcloud(t, env, "", "scripture", "forget", "-yes", "-guild", "111")
			if r.code != 0 || !strings.Contains(r.stdout, "deleted the scripture of server 111: 3 texts") {
				t.Errorf("forget -yes: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
			if texts, err := db.Texts(t.Context(), "111", true); err != nil || len(texts) != 0 {
				t.Errorf("after forget: %d texts of 111, %v", len(texts), err)
			}
			if _, err := db.ScriptureModel(t.Context(), "111"); !errors.Is(err, scripture.ErrNone) {
				t.Errorf("after forget: ScriptureModel(111) = %v, want ErrNone", err)
			}
			if g, err := db.ScriptureGuild(t.Context(), "111"); err != nil || g.State != scripture.StateNone || g.Texts != 0 {
				t.Errorf("after forget: %+v, %v", g, err)
			}
			if texts, err := db.Texts(t.Context(), "222", false); err != nil || len(texts) != 1 {
				t.Errorf("forgetting 111 touched 222: %d texts, %v", len(texts), err)
			}
			if r := glowcloud(t, env, "", "scripture", "forget", "-guild", "111", "-yes"); r.code != 0 || !strings.Contains(r.stdout, "nothing to delete") {
				t.Errorf("forget again: exit %d, %q", r.code, r.stdout)
			}
		})
	}
}

// TestScriptureCLIUsage: a scripture command line that does not make
// sense exits 2 with the usage and touches no database; -h anywhere
// prints the usage and does nothing (no directory made by export -h).
func TestScriptureCLIUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"GLOWCLOUD_DATABASE": filepath.Join(dir, "glowcloud.db")}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"scripture"}, "want scripture list"},
		{[]string{"scripture", "burn"}, "want scripture list"},
		{[]string{"scripture", "list", "extra"}, "want scripture list"},
		{[]string{"scripture", "export", filepath.Join(dir, "x")}, "want scripture export -guild ID DIR"},
		{[]string{"scripture", "export", "-guild", "1"}, "want scripture export -guild ID DIR"},
		{[]string{"scripture", "forget"}, "want scripture forget -guild ID"},
		{[]string{"scripture", "forget", "-guild", "1; DROP TABLE"}, "is not a server id"},
		{[]string{"scripture", "list", "-guild", "abc"}, "is not a server id"},
		{[]string{"scripture", "list", "-yes"}, "-yes is for forget"},
		{[]string{"scripture", "list", "-bogus"}, "flag provided but not defined"},
	} {
		r := glowcloud(t, env, "", tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "Usage: glowcloud scripture") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	for _, args := range [][]string{
		{"scripture", "-h"},
		{"scripture", "export", "-guild", "1", filepath.Join(dir, "out"), "-h"},
		{"scripture", "forget", "-guild", "1", "-yes", "-help"},
	} {
		r := glowcloud(t, env, "", args...)
		if r.code != 0 || r.stdout != "" || !strings.HasPrefix(r.stderr, "Usage: glowcloud scripture") || !strings.Contains(r.stderr, "-guild ID") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("files after usage errors and -h: %q", names)
	}
	if r := glowcloud(t, env, "", "scripture", "list"); r.code != 1 || !strings.Contains(r.stderr, "does not exist") {
		t.Errorf("list of a database that does not exist: exit %d, %q", r.code, r.stderr)
	}
}
