package reload_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/reload"
)

// load reads a "model" file: its text, which must start with "ok:".
func load(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(string(b), "ok:") {
		return "", errors.New("corrupt")
	}
	return string(b), nil
}

// replace writes a file beside path and renames it into place, as
// `glowcloud train` does.
func replace(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestReloadKeepsOldOnError(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "model")
	replace(t, path, "ok:1")
	var swaps, failures atomic.Int32
	h := reload.New("ok:1", path, load, nil)
	h.OnSwap = func(_ string, err error) {
		if err != nil {
			failures.Add(1)
		} else {
			swaps.Add(1)
		}
	}
	for _, tt := range []struct {
		content string // "" removes the file
		wantErr bool
		want    string
	}{
		{"ok:2", false, "ok:2"},
		{"garbage", true, "ok:2"},
		{"", true, "ok:2"},
		{"ok:3", false, "ok:3"},
	} {
		if tt.content == "" {
			os.Remove(path)
		} else {
			replace(t, path, tt.content)
		}
		err := h.Reload()
		if (err != nil) != tt.wantErr || h.Current() != tt.want {
			t.Errorf("after writing %q: Reload() = %v, Current() = %q; want error %v, %q", tt.content, err, h.Current(), tt.wantErr, tt.want)
		}
	}
	if swaps.Load() != 2 || failures.Load() != 2 {
		t.Errorf("OnSwap saw %d swaps and %d failures, want 2 and 2", swaps.Load(), failures.Load())
	}
	if err := reload.New("x", "", load, nil).Reload(); !errors.Is(err, reload.ErrNoPath) {
		t.Errorf("Reload without a path = %v", err)
	}
}

func TestWatchSeesRename(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "model")
	replace(t, path, "ok:1")
	h := reload.New("ok:1", path, load, nil)
	results := make(chan error, 16)
	h.OnSwap = func(_ string, err error) { results <- err }
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { h.Watch(ctx, 5*time.Millisecond); close(done) }()
	wait := func() error {
		select {
		case err := <-results:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("no reload within 10 s of the file changing")
			return nil
		}
	}
	replace(t, path, "ok:2")
	if err := wait(); err != nil || h.Current() != "ok:2" {
		t.Errorf("after a rename: %v, serving %q", err, h.Current())
	}
	replace(t, path, "bad!!")
	if err := wait(); err == nil || h.Current() != "ok:2" {
		t.Errorf("after a corrupt rename: %v, serving %q; want an error and ok:2", err, h.Current())
	}
	cancel()
	<-done
}

// TestSwapUnderLoad runs readers beside repeated reloads: with -race this
// proves a swap is safe, and every reader sees a whole value.
func TestSwapUnderLoad(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "model")
	replace(t, path, "ok:0")
	h := reload.New("ok:0", path, load, nil)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if v := h.Current(); !strings.HasPrefix(v, "ok:") {
					t.Errorf("reader saw %q", v)
					return
				}
			}
		})
	}
	for i := range 50 {
		if i%3 == 0 {
			replace(t, path, "corrupt")
			if h.Reload() == nil {
				t.Error("corrupt file loaded")
			}
			continue
		}
		replace(t, path, "ok:"+strings.Repeat("x", i))
		if err := h.Reload(); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
}
