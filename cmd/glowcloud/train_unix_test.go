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

// TestModelMustBeARegularFile: `glowcloud manifesto -model /dev/zero` once
// read 4 GiB (33 s, 9.7 GB) before failing, and a FIFO hung it. A FIFO
// stands in for the device (the old code would take the machine's memory on
// /dev/zero): every command that loads a model fails at once, in one line.
func TestModelMustBeARegularFile(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "zero")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no mkfifo:", err)
	}
	for _, args := range [][]string{
		{"manifesto", "-model", fifo},
		{"squint", "-model", fifo, "tea"},
		{"inspect", "-model", fifo},
	} {
		r := glowcloud(t, nil, "", args...)
		if r.code != 1 || r.stdout != "" {
			t.Errorf("%s: exit %d, stdout %q; want 1 and nothing", args[0], r.code, r.stdout)
		}
		wantOneErrorLine(t, r, "zero", "a FIFO, not a regular file")
	}
	// GLOWCLOUD_MODEL names it just the same.
	r := glowcloud(t, map[string]string{"GLOWCLOUD_MODEL": fifo}, "", "glowcloud")
	wantOneErrorLine(t, r, "a FIFO, not a regular file")
}
