//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestTrainRefusesSpecialOutput: as root, `glowcloud train -o /dev/null`
// once replaced the host's /dev/null with a 284 KB model. A FIFO, and a link
// to one, stand in for the device (never the real /dev/null: tests run as
// root): train fails at once with one clear line and touches neither.
func TestTrainRefusesSpecialOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "null")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no mkfifo:", err)
	}
	link := filepath.Join(dir, "model-link")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	essay := essayFile(t, t.TempDir())
	for _, out := range []string{fifo, link} {
		r := glowcloud(t, nil, "", "train", "-o", out, essay)
		if r.code != 1 {
			t.Errorf("train -o %s: exit %d, want 1", filepath.Base(out), r.code)
		}
		wantOneErrorLine(t, r, "null", "not a regular file (a FIFO)")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO is now %v (%v)", fi.Mode(), err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link is now %v (%v)", fi.Mode(), err)
	}
	if names := dirNames(t, dir); len(names) != 2 {
		t.Errorf("files after refused trains: %q, want only the FIFO and the link", names)
	}
}
