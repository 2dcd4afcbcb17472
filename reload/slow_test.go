package reload_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/glowcloud/glowcloud/reload"
)

// TestSlowBadLoadDoesNotHideTheNextGoodFile: a 5 GB file renamed over the
// model once held the reloader for 38 s, and a good model renamed in during
// that window was never loaded. Here a bad file's load blocks until the
// test lets it fail; the good file renamed in meanwhile must be serving one
// watch interval after the bad load ends (fake time: synctest).
func TestSlowBadLoadDoesNotHideTheNextGoodFile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "model")
		replace(t, path, "ok:old")
		started, release := make(chan struct{}), make(chan struct{})
		slowLoad := func(p string) (string, error) {
			b, err := os.ReadFile(p)
			if err != nil {
				return "", err
			}
			if string(b) == "huge and bad" {
				close(started)
				<-release // as long as the load takes
				return "", errors.New("corrupt")
			}
			return load(p)
		}
		h := reload.New("ok:old", path, slowLoad, nil)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		const every = time.Second
		go h.Watch(ctx, every)

		replace(t, path, "huge and bad")
		<-started // the watcher is loading the bad file
		replace(t, path, "ok:good")
		time.Sleep(10 * every) // the load goes on: no tick can be handled
		if got := h.Current(); got != "ok:old" {
			t.Fatalf("while the bad file loads, serving %q, want the old model", got)
		}
		close(release)
		synctest.Wait()
		time.Sleep(every + time.Millisecond)
		synctest.Wait()
		if got := h.Current(); got != "ok:good" {
			t.Errorf("one interval after the bad load ended, serving %q, want the good file", got)
		}
		cancel()
	})
}
