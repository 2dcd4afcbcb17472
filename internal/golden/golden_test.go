package golden_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/internal/golden"
	"github.com/glowcloud/glowcloud/internal/testmain"
)

func TestMain(m *testing.M) { testmain.Main(m) }

// recorder is a testing.TB that records a failure instead of ending the
// test, so that Check's verdicts can be tested.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = format
	panic(r)
}

func (r *recorder) Fatal(args ...any) { r.Fatalf("%v", args...) }

// check runs golden.Check and says what it failed with, "" for a pass.
func check(t *testing.T, path string, got string, update bool) (failed string) {
	r := &recorder{TB: t}
	defer func() {
		if v := recover(); v != nil && v != r {
			panic(v)
		}
		failed = r.failed
	}()
	golden.Check(r, path, []byte(got), update, "the remedy")
	return ""
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.golden")
	if f := check(t, path, "one", false); f == "" || !strings.Contains(f, "to write it") {
		t.Errorf("a missing file passed or was not told how to write it: %q", f)
	}
	if f := check(t, path, "one", true); f != "" {
		t.Errorf("-update failed: %q", f)
	}
	if b, _ := os.ReadFile(path); string(b) != "one" {
		t.Errorf("-update wrote %q, want %q", b, "one")
	}
	if f := check(t, path, "one", false); f != "" {
		t.Errorf("the same bytes failed: %q", f)
	}
	if f := check(t, path, "two", false); f == "" {
		t.Error("different bytes passed")
	}
	if f := check(t, path, "one\n", false); f == "" {
		t.Error("a byte more passed")
	}
}
