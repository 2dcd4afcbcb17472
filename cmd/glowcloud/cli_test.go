package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagsAfterWords: flags may come before, between or after the
// positional words (CONTRACT.md), for every command; "--" ends the flags.
// Each pair of command lines must print the same, byte for byte.
func TestFlagsAfterWords(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	if r := glowcloud(t, map[string]string{"GLOWCLOUD_DATABASE": db}, "", "db", "migrate"); r.code != 0 {
		t.Fatalf("db migrate: %+v", r)
	}
	for _, tt := range []struct {
		name          string
		after, before []string
		stdout        string // a line stdout must start with
	}{
		{"squint", []string{"squint", "the", "violin", "-seed", "4", "-n", "2"}, []string{"squint", "-seed", "4", "-n", "2", "the", "violin"}, "The violin is Anarchist if you squint"},
		{"squint, flags between words", []string{"squint", "the", "-seed=4", "violin"}, []string{"squint", "-seed", "4", "the", "violin"}, "The violin is Anarchist if you squint"},
		{"manifesto", []string{"manifesto", "-topic", "robots", "-seed", "9", "-paragraphs", "1"}, []string{"manifesto", "-paragraphs", "1", "-seed", "9", "-topic", "robots"}, ""},
		{"db check", []string{"db", "check", "-database", db}, []string{"db", "-database", db, "check"}, "ok: schema version"},
		{"inspect", []string{"inspect", "-seed", "3"}, []string{"inspect", "-seed=3"}, "model"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b := glowcloud(t, nil, "", tt.after...), glowcloud(t, nil, "", tt.before...)
			if a.code != 0 || b.code != 0 {
				t.Fatalf("%q: exit %d, stderr %q; %q: exit %d, stderr %q", tt.after, a.code, a.stderr, tt.before, b.code, b.stderr)
			}
			if a.stdout != b.stdout {
				t.Errorf("%q printed\n%s\nbut %q printed\n%s", tt.after, a.stdout, tt.before, b.stdout)
			}
			if !strings.HasPrefix(a.stdout, tt.stdout) {
				t.Errorf("%q printed\n%s\nwant a first line starting %q", tt.after, a.stdout, tt.stdout)
			}
		})
	}
	t.Run("train -o after the paths", func(t *testing.T) {
		t.Parallel()
		out := filepath.Join(t.TempDir(), "x.model")
		// A few lines of chat: what is tested is where -o may go, not
		// training the essay (seconds under -race).
		chat := filepath.Join("..", "..", "corpus", "testdata", "chat.txt")
		r := glowcloud(t, nil, "", "train", chat, "-o", out)
		if r.code != 0 {
			t.Fatalf("train PATH -o FILE: exit %d, stderr %q", r.code, r.stderr)
		}
		if _, err := os.Stat(out); err != nil {
			t.Errorf("no model written: %v", err)
		}
	})
	t.Run("-- ends the flags", func(t *testing.T) {
		t.Parallel()
		r := glowcloud(t, nil, "", "squint", "-seed", "4", "--", "-seed", "war")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "-seed war is Anarchist if you squint") {
			t.Errorf("squint -seed 4 -- -seed war: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
	})
}

// TestHelpNeverActs: -h anywhere on the line prints help and does nothing
// else (db backup -h once wrote a backup named -h).
func TestHelpNeverActs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	env := map[string]string{"GLOWCLOUD_DATABASE": db}
	if r := glowcloud(t, env, "", "db", "migrate"); r.code != 0 {
		t.Fatalf("db migrate: %+v", r)
	}
	for _, args := range [][]string{
		{"db", "backup", "-h"},
		{"db", "backup", filepath.Join(dir, "b.db"), "-h"},
		{"db", "check", "-help"},
		{"train", "-o", filepath.Join(dir, "m.model"), "-", "-h"},
		{"squint", "tea", "-h"},
		{"publish", "-rollback", "-h"},
	} {
		r := glowcloud(t, env, "the text of a corpus.", args...)
		if r.code != 0 || r.stdout != "" || !strings.HasPrefix(r.stderr, "Usage: glowcloud "+args[0]) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 0, nothing, and the usage", args, r.code, r.stdout, r.stderr)
		}
	}
	if names := dirNames(t, dir); len(names) != 1 || names[0] != "live.db" {
		t.Errorf("files after -h: %q, want only live.db", names)
	}
	if _, err := os.Stat("-h"); err == nil {
		os.Remove("-h")
		t.Errorf("db backup -h wrote a backup named -h")
	}
}

// TestSeedRange: the command line takes the seeds /manifesto seed: takes,
// 0 to 2^53-1, and no -n that would run past them.
func TestSeedRange(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"glowcloud", "-seed", "9007199254740991"}, 0, ""},
		{[]string{"glowcloud", "-seed", "9007199254740992"}, 2, "not a seed (a whole number from 0 to 9007199254740991)"},
		{[]string{"glowcloud", "-seed", "18446744073709551615"}, 2, "not a seed"},
		{[]string{"squint", "tea", "-seed", "9007199254740990", "-n", "3"}, 2, "the seeds would run past 9007199254740991"},
		{[]string{"inspect", "-seed", "9007199254740992"}, 2, "not a seed"},
		{[]string{"quality", "-n", "2", "-seed", "9007199254740991"}, 2, "the seeds would run past"},
	} {
		r := glowcloud(t, nil, "", tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, r.code, r.stderr, tt.code, tt.want)
		}
	}
}

// TestHelpText: every flag's argument has a name (no "-n ---", no
// "-seed value") and at most one default.
func TestHelpText(t *testing.T) {
	t.Parallel()
	env := map[string]string{"GLOWCLOUD_HTTP_ADDR": "0.0.0.0:9090", "GLOWCLOUD_MODEL": "m.model"}
	for _, cmd := range []string{"manifesto", "squint", "glowcloud", "train", "inspect", "quality", "serve", "console", "healthcheck", "db", "publish", "quiz", "scripture"} {
		r := glowcloud(t, env, "", cmd, "-h")
		if r.code != 0 {
			t.Errorf("%s -h: exit %d", cmd, r.code)
		}
		for _, line := range lines(r.stderr) {
			if strings.HasPrefix(line, "  -") && (strings.HasSuffix(line, " value") || strings.HasSuffix(line, " ---") || strings.HasSuffix(line, " string") || strings.HasSuffix(line, " int") || strings.HasSuffix(line, " uint")) {
				t.Errorf("%s -h: a flag without a name for its argument: %q", cmd, line)
			}
			if strings.Count(line, "default") > 1 {
				t.Errorf("%s -h: two defaults: %q", cmd, line)
			}
		}
	}
}
