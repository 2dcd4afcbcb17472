// Package jobs tracks work that outlives the call that started it (a reply
// edited in after a deferral, a retrain), so that a shutdown can wait for it
// and cancel what runs too long.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Group is a set of running jobs. The zero value is not usable; use New.
// It is safe for concurrent use.
type Group struct {
	log  *slog.Logger
	mu   sync.Mutex
	next uint64
	jobs map[uint64]context.CancelFunc
	idle chan struct{} // closed while no job runs
	shut bool          // Drain was called: no job starts
}

// New returns an empty Group that logs panics to log (nil discards).
func New(log *slog.Logger) *Group {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	idle := make(chan struct{})
	close(idle)
	return &Group{log: log, jobs: make(map[uint64]context.CancelFunc), idle: idle}
}

// Go runs f on a tracked goroutine with a context that keeps parent's
// values but not its cancellation (the caller is about to return), ends
// after timeout, and is cancelled by a Wait that runs out of time. A panic
// in f is logged, and the job counts as done. Once Drain has been called,
// Go runs nothing and reports false.
func (g *Group) Go(parent context.Context, timeout time.Duration, f func(ctx context.Context)) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), timeout)
	id, ok := g.add(cancel)
	if !ok {
		cancel()
		return false
	}
	go func() {
		defer g.done(id)
		defer cancel()
		defer func() {
			if v := recover(); v != nil {
				g.log.LogAttrs(ctx, slog.LevelError, "background panic",
					slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
			}
		}()
		f(ctx)
	}()
	return true
}

func (g *Group) add(cancel context.CancelFunc) (uint64, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.shut {
		return 0, false
	}
	if len(g.jobs) == 0 {
		g.idle = make(chan struct{})
	}
	id := g.next
	g.next++
	g.jobs[id] = cancel
	return id, true
}

func (g *Group) done(id uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.jobs, id)
	if len(g.jobs) == 0 {
		close(g.idle)
	}
}

// Running reports the number of jobs running.
func (g *Group) Running() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.jobs)
}

// Drain stops the Group taking jobs (Go runs nothing from now on) and
// waits for those running, as Wait does: a shutdown's last word.
func (g *Group) Drain(ctx context.Context) error {
	g.mu.Lock()
	g.shut = true
	g.mu.Unlock()
	return g.Wait(ctx)
}

// Wait waits until no job runs. If ctx ends first, Wait cancels the jobs
// and returns an error wrapping ctx's cause. Jobs started during or after a
// Wait are not waited for by it.
func (g *Group) Wait(ctx context.Context) error {
	g.mu.Lock()
	idle := g.idle
	g.mu.Unlock()
	select {
	case <-idle: // first, so an idle Group never reports an ended ctx
		return nil
	default:
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	n := len(g.jobs)
	for _, cancel := range g.jobs {
		cancel()
	}
	g.mu.Unlock()
	return fmt.Errorf("wait for %d background jobs: %w", n, context.Cause(ctx))
}

// WaitGrace is Wait, and when ctx ends first and the jobs are cancelled,
// it still waits up to grace for them to end (each to tell its user that
// it was interrupted) before it returns Wait's error.
func (g *Group) WaitGrace(ctx context.Context, grace time.Duration) error {
	err := g.Wait(ctx)
	if err != nil {
		after, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
		defer cancel()
		_ = g.Wait(after)
	}
	return err
}
