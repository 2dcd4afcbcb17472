package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/sqlite"
)

// currentModel returns the current model's id in the SQLite file at path.
func currentModel(t *testing.T, path string) int64 {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id, err := db.CurrentID(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestPublish(t *testing.T) {
	t.Parallel()
	// Two files of the embedded essay's model: publish stores a file's
	// bytes whatever model they hold, and training one (seconds under
	// -race, most of this test's time) would test train, not publish.
	a, b := essayModelFile(t), essayModelFile(t)
	data, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	corrupt := filepath.Join(t.TempDir(), "corrupt.model")
	data[len(data)/2] ^= 0x55
	if err := os.WriteFile(corrupt, data, 0o644); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(t.TempDir(), "glowcloud.db")
	env := map[string]string{"GLOWCLOUD_DATABASE": dbPath}
	for _, step := range []struct {
		name    string
		args    []string
		code    int
		out     string // stdout starts with it
		errs    []string
		current int64
	}{
		{"publish a", []string{"-model", a}, 0, "published " + a + " as model 1 (", nil, 1},
		{"publish b", []string{"-model", b}, 0, "published " + b + " as model 2 (", nil, 2},
		{"a corrupt file is refused", []string{"-model", corrupt}, 1, "", []string{"corrupt.model", "does not load, nothing published"}, 2},
		{"a missing file is refused", []string{"-model", corrupt + ".missing"}, 1, "", []string{"no such file"}, 2},
		{"rollback", []string{"-rollback"}, 0, "model 1 is current again in " + dbPath, nil, 1},
		{"rollback past the first", []string{"-rollback"}, 1, "", []string{"no earlier published model"}, 1},
		{"neither", nil, 2, "", []string{"want -model FILE or -rollback"}, 1},
		{"both", []string{"-rollback", "-model", a}, 2, "", []string{"want -model FILE or -rollback"}, 1},
	} {
		r := glowcloud(t, env, "", append([]string{"publish"}, step.args...)...)
		if r.code != step.code || !strings.HasPrefix(r.stdout, step.out) {
			t.Errorf("%s: exit %d, stdout %q; want exit %d, stdout starting %q; stderr:\n%s", step.name, r.code, r.stdout, step.code, step.out, r.stderr)
		}
		for _, w := range step.errs {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr does not mention %q:\n%s", step.name, w, r.stderr)
			}
		}
		if got := currentModel(t, dbPath); got != step.current {
			t.Errorf("%s: current model %d, want %d", step.name, got, step.current)
		}
	}
}

func TestDatabaseName(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ dsn, want string }{
		{"", "glowcloud.db"},
		{"/data/glowcloud.db", "/data/glowcloud.db"},
		{"postgres://glowcloud:s3cret@db.internal:5432/glowcloud?sslmode=require", "postgres://db.internal:5432/glowcloud"},
	} {
		if got := databaseName(tt.dsn); got != tt.want || strings.Contains(got, "s3cret") {
			t.Errorf("databaseName(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
	}
}
