//go:build unix

package markov_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/atomicfile"
	"github.com/glowcloud/glowcloud/markov"
)

// TestSaveNeverDestroysWhatItReplaces: `glowcloud train -o /dev/null` once
// replaced the host's /dev/null with a model. A FIFO, or a link to one,
// stands in for the device (never the real /dev/null: tests run as root).
// Neither is touched; a link to a model stays a link; a temporary file a
// killed save left behind is removed by the next save.
func TestSaveNeverDestroysWhatItReplaces(t *testing.T) {
	t.Parallel()
	m, _ := essay(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "null")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no mkfifo:", err)
	}
	toFIFO := filepath.Join(dir, "to-null")
	if err := os.Symlink("null", toFIFO); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, toFIFO} {
		if err := m.Save(p); !errors.Is(err, atomicfile.ErrNotRegular) {
			t.Errorf("Save(%s) = %v, want ErrNotRegular", filepath.Base(p), err)
		}
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO is now %v (%v)", fi.Mode(), err)
	}
	if fi, err := os.Lstat(toFIFO); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link to the FIFO is now %v (%v)", fi.Mode(), err)
	}

	// A blue/green link: the model it points to is replaced, the link stays.
	blue := filepath.Join(dir, "blue", "m.model")
	if err := os.MkdirAll(filepath.Dir(blue), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blue, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	current := filepath.Join(dir, "current.model")
	if err := os.Symlink(filepath.Join("blue", "m.model"), current); err != nil {
		t.Fatal(err)
	}
	// A save killed a while ago left its temporary file beside the model.
	stale := filepath.Join(filepath.Dir(blue), ".m.model.12345.tmp")
	if err := os.WriteFile(stale, make([]byte, 1<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * atomicfile.StaleAfter)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(current); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(current); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the model's link is now %v (%v)", fi.Mode(), err)
	}
	if got, err := markov.Load(blue); err != nil || got.ID() != m.ID() {
		t.Errorf("the linked model was not replaced: %v", err)
	}
	if _, err := os.Lstat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stale temporary file is still there (%v)", err)
	}
	if names := dirNames(t, filepath.Dir(blue)); len(names) != 1 {
		t.Errorf("files beside the model: %q, want only the model", names)
	}
}

// TestLoadRefusesSpecialFiles: `glowcloud manifesto -model /dev/zero` once
// read 4 GiB into memory before failing, and a FIFO blocked the loader for
// good. Neither is opened for reading now. (A FIFO stands in for the device:
// the old code, reading /dev/zero, would take the machine's memory.)
func TestLoadRefusesSpecialFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "zero")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no mkfifo:", err)
	}
	link := filepath.Join(dir, "model")
	if err := os.Symlink("zero", link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, link} {
		if _, err := markov.Load(p); !errors.Is(err, markov.ErrFormat) || !strings.Contains(err.Error(), "a FIFO, not a regular file") {
			t.Errorf("Load(%s) = %v, want a FIFO refused", filepath.Base(p), err)
		}
	}
}
