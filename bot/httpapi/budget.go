package httpapi

import (
	"context"
	"sync"
)

// budget bounds the bytes held at once by request bodies that are not yet
// verified, across all connections: a body is read only once its size is
// reserved, so a thousand fat unsigned requests cost at most the budget,
// not a thousand bodies. The zero value is not usable; use newBudget. It is
// safe for concurrent use.
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

// release gives back n bytes acquired earlier.
func (b *budget) release(n int64) {
	b.mu.Lock()
	b.free += n
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}
