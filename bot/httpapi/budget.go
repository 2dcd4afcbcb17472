package httpapi

import (
	"context"
	"sync"
	"time"
)

// budget bounds the bytes held at once by request bodies that are not yet
// verified, across all connections: a body's bytes are held only once they
// are paid for, so a thousand fat unsigned requests cost at most the
// budget, not a thousand bodies. The zero value is not usable; use
// newBudget. It is safe for concurrent use.
type budget struct {
	mu      sync.Mutex
	free    int64
	changed chan struct{} // closed and replaced whenever bytes are released
}

func newBudget(n int64) *budget { return &budget{free: n, changed: make(chan struct{})} }

// acquire reserves n bytes, waiting for them until ctx ends; it reports
// whether it got them. n must not exceed the budget's size.
func (b *budget) acquire(ctx context.Context, n int64) bool {
	for {
		b.mu.Lock()
		if b.free >= n {
			b.free -= n
			b.mu.Unlock()
			return true
		}
		ch := b.changed
		b.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
}

// acquireWithin is acquire waiting at most wait (0: only if the bytes are
// free now).
func (b *budget) acquireWithin(ctx context.Context, n int64, wait time.Duration) bool {
	if wait <= 0 {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.free >= n {
			b.free -= n
			return true
		}
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	return b.acquire(ctx, n)
}

// release gives back n bytes acquired earlier.
func (b *budget) release(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.free += n
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}
