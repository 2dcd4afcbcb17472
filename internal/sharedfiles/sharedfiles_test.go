package sharedfiles

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDir: the shared folder is found beside the module's root from any
// package directory, and $GLOWCLOUD_SHARED wins; no other place counts.
func TestDir(t *testing.T) {
	root := t.TempDir()
	module := filepath.Join(root, "glowcloud")
	pkg := filepath.Join(module, "cmd", "glowcloud")
	shared := filepath.Join(root, "shared", "corpora")
	for _, d := range []string{pkg, shared} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(module, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(shared, "mid5.txt"), []byte("text"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(pkg)
	t.Setenv(Env, "")
	if got, want := Path("corpora/mid5.txt"), filepath.Join(root, "shared", "corpora", "mid5.txt"); got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
	if got := Path("corpora/absent.txt"); got != "" {
		t.Errorf("Path of a missing file = %q, want empty", got)
	}
	elsewhere := t.TempDir()
	t.Setenv(Env, elsewhere)
	if got := Path("corpora/mid5.txt"); got != "" {
		t.Errorf("with %s=%s, Path = %q: it looked beside the module too", Env, elsewhere, got)
	}
	if err := os.WriteFile(filepath.Join(elsewhere, "x.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := Path("x.txt"), filepath.Join(elsewhere, "x.txt"); got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
}
