//go:build unix

package retrain_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/glowcloud/glowcloud/atomicfile"
	"github.com/glowcloud/glowcloud/retrain"
)

// TestRetrainNeverDestroysWhatItReplaces: the /retrain save used to rename a
// regular file over whatever held the model's path. A FIFO there (a device
// stands for it as root) is an error and stays a FIFO; a linked model path
// stays a link.
func TestRetrainNeverDestroysWhatItReplaces(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t)
	fifo := filepath.Join(t.TempDir(), "null")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no mkfifo:", err)
	}
	tr := &retrain.Trainer{Dir: dir, ModelPath: fifo}
	if _, err := tr.Retrain(t.Context(), nil); !errors.Is(err, atomicfile.ErrNotRegular) {
		t.Errorf("Retrain over a FIFO = %v, want ErrNotRegular", err)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO is now %v (%v)", fi.Mode(), err)
	}

	models := t.TempDir()
	link := filepath.Join(models, "current.model")
	if err := os.Symlink("green.model", link); err != nil {
		t.Fatal(err)
	}
	tr = &retrain.Trainer{Dir: dir, ModelPath: link}
	if _, err := tr.Retrain(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the model's link is now %v (%v)", fi.Mode(), err)
	}
	if fi, err := os.Stat(filepath.Join(models, "green.model")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("the linked model was not written: %v", err)
	}
}
