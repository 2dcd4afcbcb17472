// Package reload keeps the value a server is serving — for glowcloud, the
// text generator over the current model — and swaps in a new one without
// downtime: on demand (SIGHUP, a retrain) or when the file it came from is
// replaced. A file that fails to load never replaces what is serving.
//
// Readers call Current, which is a single atomic load, so a swap never
// blocks or fails an interaction in flight: it keeps the value it started
// with, and the next one gets the new value.
package reload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Holder holds the current value of type T, loaded from a file. It is safe
// for concurrent use. The zero value is not usable; get one from New.
type Holder[T any] struct {
	cur  atomic.Pointer[T]
	path string
	load func(path string) (T, error)
	log  *slog.Logger
	// OnSwap, if set before use, is called after every attempt with the
	// result (nil error: swapped).
	OnSwap func(v T, err error)

	mu   sync.Mutex // serialises loads
	seen fileState  // the file as it was last loaded (or tried)
}

// fileState identifies a version of a file by what stat tells.
type fileState struct {
	size  int64
	mtime time.Time
	ino   uint64
	ok    bool
}

// New returns a Holder serving initial, which reloads from path with load.
// path may be empty (nothing to reload: Reload fails, Watch returns at once).
func New[T any](initial T, path string, load func(string) (T, error), log *slog.Logger) *Holder[T] {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Holder[T]{path: path, load: load, log: log}
	h.cur.Store(&initial)
	if path != "" {
		h.seen = stat(path)
	}
	return h
}

// Current returns the value being served.
func (h *Holder[T]) Current() T { return *h.cur.Load() }

// Swap serves v from now on. The caller has typically just written v to
// the file (a retrain), so the file as it is now counts as loaded: Watch
// does not load it again.
func (h *Holder[T]) Swap(v T) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cur.Store(&v)
	if h.path != "" {
		h.seen = stat(h.path)
	}
	if h.OnSwap != nil {
		h.OnSwap(v, nil)
	}
}

// ErrNoPath reports a reload of a Holder that has no file.
var ErrNoPath = errors.New("reload: no file to reload from")

// Reload loads the file again and, if it loads, serves it. On error the old
// value keeps serving and the error says why.
func (h *Holder[T]) Reload() error {
	if h.path == "" {
		return ErrNoPath
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reloadLocked()
}

func (h *Holder[T]) reloadLocked() error {
	h.seen = stat(h.path)
	start := time.Now()
	v, err := h.load(h.path)
	if err != nil {
		err = fmt.Errorf("reload %s: %w", h.path, err)
		h.log.Error("reload failed; the old model keeps serving", "path", h.path, "err", err)
		if h.OnSwap != nil {
			var zero T
			h.OnSwap(zero, err)
		}
		return err
	}
	h.cur.Store(&v)
	h.log.Info("reloaded", "path", h.path, "took", time.Since(start).Round(time.Millisecond))
	if h.OnSwap != nil {
		h.OnSwap(v, nil)
	}
	return nil
}

// Watch reloads whenever the file changes — replaced by a rename (a new
// inode), rewritten, or touched — checking every interval, until ctx ends.
// Polling needs no platform support and sees renames into place (the way
// `glowcloud train` and most deploy tools write files) and symlink swaps
// (Kubernetes ConfigMaps) alike.
func (h *Holder[T]) Watch(ctx context.Context, interval time.Duration) {
	if h.path == "" {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := stat(h.path)
		h.mu.Lock()
		if now != h.seen && now.ok {
			h.log.Info("model file changed; reloading", "path", h.path)
			h.reloadLocked() // logged; the old value keeps serving on error
		} else {
			h.seen = now
		}
		h.mu.Unlock()
	}
}

func stat(path string) fileState {
	fi, err := os.Stat(path)
	if err != nil {
		return fileState{}
	}
	return fileState{size: fi.Size(), mtime: fi.ModTime(), ino: inode(fi), ok: true}
}
