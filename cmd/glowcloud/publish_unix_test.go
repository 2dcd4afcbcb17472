//go:build unix

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPublishRefusesWhatIsNotAModelFile: publish -model reads through the
// model Loader, so /dev/zero, a FIFO and a file over GLOWCLOUD_MODEL_MAX
// are refused unread and nothing is published. The old publish read the
// file whole with os.ReadFile: /dev/zero grew 0.5 GB/s, a FIFO hung for
// ever (both ignoring SIGTERM), a file over the limit was read whole
// before the refusal, and GLOWCLOUD_MODEL_MAX was not applied.
func TestPublishRefusesWhatIsNotAModelFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.model")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no mkfifo:", err)
	}
	sparse := filepath.Join(dir, "sparse.model")
	if err := os.WriteFile(sparse, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(sparse, 2<<20); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, path string
		want       []string
	}{
		{"a FIFO", fifo, []string{"a FIFO, not a regular file"}},
		{"a file over GLOWCLOUD_MODEL_MAX", sparse, []string{"over the limit of 1048576", "GLOWCLOUD_MODEL_MAX"}},
		{"/dev/zero", "/dev/zero", []string{"a character device, not a regular file"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbPath := filepath.Join(t.TempDir(), "glowcloud.db")
			env := map[string]string{"GLOWCLOUD_DATABASE": dbPath, "GLOWCLOUD_MODEL_MAX": "1MiB"}
			var stdout, stderr bytes.Buffer
			done := make(chan error, 1)
			go func() {
				done <- run(t.Context(), []string{"publish", "-model", tt.path}, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				if tt.path == fifo { // unblock a reader stuck on the FIFO
					if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
						w.Close()
					}
				}
				t.Fatalf("publish -model %s still reading after 30 s", tt.name)
			}
			code := exitCode(err, &stderr)
			if code != 1 {
				t.Errorf("exit %d, want 1; stderr:\n%s", code, stderr.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr does not mention %q:\n%s", w, stderr.String())
				}
			}
			if _, err := os.Stat(dbPath); err == nil {
				if id := currentModel(t, dbPath); id != 0 {
					t.Errorf("model %d published", id)
				}
			}
		})
	}
}

// TestModelLoadStopsOnSignal: a command loading a model gives up when its
// context ends (SIGTERM, Ctrl-C), whatever the file: the run returns the
// context's error. The old commands read on, ignoring the signal.
func TestModelLoadStopsOnSignal(t *testing.T) {
	t.Parallel()
	path := essayModelFile(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, args := range [][]string{
		{"manifesto", "-model", path},
		{"inspect", "-model", path},
		{"quality", "-n", "1", "-model", path},
		{"publish", "-model", path},
	} {
		env := map[string]string{"GLOWCLOUD_DATABASE": filepath.Join(t.TempDir(), "glowcloud.db")}
		var stdout, stderr bytes.Buffer
		err := run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), "context canceled") || stdout.Len() > 0 {
			t.Errorf("%v after the signal: %v, stdout %q", args, err, stdout.String())
		}
	}
}
