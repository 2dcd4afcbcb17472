package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tmpFiles lists the temporary files Write leaves in dir.
func tmpFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestWriteNewAndReplace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "m.model")
	if err := Write(path, 0o640, writeString("one")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "one" {
		t.Fatalf("after first write: %q", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("new file mode %v, want 0640", fi.Mode().Perm())
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, 0o644, writeString("two")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "two" {
		t.Fatalf("after second write: %q", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("replaced file mode %v, want the old 0600", fi.Mode().Perm())
	}
	if left := tmpFiles(t, dir); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestWriteFailureKeepsOldFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "m.model")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, 0o644, func(w io.Writer) error {
		io.WriteString(w, "half a new fi")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want boom", err)
	}
	if got := read(t, path); got != "old" {
		t.Errorf("old file is now %q", got)
	}
	if left := tmpFiles(t, dir); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestWriteFollowsSymlinks(t *testing.T) {
	t.Parallel()
	for _, relative := range []bool{false, true} {
		dir := t.TempDir()
		real := filepath.Join(dir, "releases", "v1.model")
		if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		target := real
		if relative {
			target = filepath.Join("releases", "v1.model")
		}
		link := filepath.Join(dir, "current.model")
		if err := os.Symlink(target, link); err != nil {
			t.Skip("no symlinks here:", err)
		}
		if err := Write(link, 0o644, writeString("new")); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(link)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("relative=%v: the link is no longer a link (%v, %v)", relative, fi.Mode(), err)
		}
		if got := read(t, real); got != "new" {
			t.Errorf("relative=%v: the linked file holds %q, want new", relative, got)
		}
		if left := tmpFiles(t, filepath.Dir(real)); len(left) != 0 {
			t.Errorf("temporary files left: %v", left)
		}
	}
}

func TestWriteRefusesDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "sub")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, 0o644, writeString("x")); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("Write(directory) = %v, want ErrNotRegular", err)
	}
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		t.Errorf("the directory is gone: %v %v", fi, err)
	}
}

func TestRemoveStale(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "m.model")
	old := filepath.Join(dir, ".m.model.123.tmp")
	fresh := filepath.Join(dir, ".m.model.456.tmp")
	other := filepath.Join(dir, ".other.model.789.tmp")
	for _, p := range []string{old, fresh, other} {
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * StaleAfter)
	for _, p := range []string{old, other} {
		if err := os.Chtimes(p, long, long); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(path, 0o644, writeString("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary file kept: %v", err)
	}
	for _, p := range []string{fresh, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed: it is in use or not ours (%v)", p, err)
		}
	}
}

// TestWriteNamed: a writer that takes a file name gets an empty temporary
// file beside the target; what it writes replaces the target whole, and a
// failure leaves the old file and no temporary file.
func TestWriteNamed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "backup.db")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	var seen string
	err := WriteNamed(path, 0o644, func(name string) error {
		seen = name
		if b, err := os.ReadFile(name); err != nil || len(b) != 0 {
			t.Errorf("fill got %s holding %q (%v), want an empty file", name, b, err)
		}
		return os.WriteFile(name, []byte("new"), 0o666)
	})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(seen) != dir || !strings.HasPrefix(filepath.Base(seen), ".backup.db.") {
		t.Errorf("fill wrote %s, want a temporary file beside %s", seen, path)
	}
	if got := read(t, path); got != "new" {
		t.Errorf("after WriteNamed: %q", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the old 0600", fi.Mode().Perm())
	}

	boom := errors.New("boom")
	if err := WriteNamed(path, 0o644, func(name string) error {
		os.WriteFile(name, []byte("half"), 0o666)
		return boom
	}); !errors.Is(err, boom) {
		t.Errorf("WriteNamed = %v, want boom", err)
	}
	// fill must leave a regular file where it was given one.
	if err := WriteNamed(path, 0o644, func(name string) error {
		if err := os.Remove(name); err != nil {
			return err
		}
		return os.Mkdir(name, 0o755)
	}); !errors.Is(err, ErrNotRegular) {
		t.Errorf("WriteNamed after fill made a directory = %v, want ErrNotRegular", err)
	}
	if got := read(t, path); got != "new" {
		t.Errorf("after failed WriteNamed: %q, want the old file", got)
	}
	if left := tmpFiles(t, dir); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestWriteNamedRefusesBeforeFilling(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	called := false
	err := WriteNamed(dir, 0o644, func(string) error { called = true; return nil })
	if !errors.Is(err, ErrNotRegular) || called {
		t.Errorf("WriteNamed(a directory) = %v, fill called %v; want ErrNotRegular before fill", err, called)
	}
}

// TestCheck: what Write would refuse, Check refuses first, leaving nothing
// behind; its errors name the path given, never a temporary file.
func TestCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Check(filepath.Join(dir, "new.model")); err != nil {
		t.Errorf("Check of a new file in a writable folder: %v", err)
	}
	if _, err := resolve(sub); !errors.Is(err, ErrNotRegular) {
		t.Errorf("resolve(a directory) = %v, want ErrNotRegular", err)
	}
	if err := Check(sub); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Check(a directory) = %v, want ErrNotRegular", err)
	}
	missing := filepath.Join(dir, "no", "such", "x.model")
	err := Check(missing)
	if err == nil || !strings.Contains(err.Error(), missing) || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("Check(%s) = %v, want an error naming it and no temporary file", missing, err)
	}
	if err := Write(missing, 0o644, writeString("x")); err == nil || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("Write(%s) = %v, want an error that names no temporary file", missing, err)
	}
	if left := tmpFiles(t, dir); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
