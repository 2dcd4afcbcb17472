package jobs

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// TestWait: Wait returns at once when nothing runs, waits for a running
// job, recovers a panicking one, and cancels what outlives its context.
func TestWait(t *testing.T) {
	t.Parallel()
	g := New(nil)
	if err := g.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var finished atomic.Bool
	g.Go(t.Context(), time.Minute, func(ctx context.Context) {
		<-release
		finished.Store(true)
	})
	if n := g.Running(); n != 1 {
		t.Errorf("Running = %d, want 1", n)
	}
	close(release)
	if err := g.Wait(t.Context()); err != nil || !finished.Load() {
		t.Errorf("Wait = %v, finished %v", err, finished.Load())
	}
	g.Go(t.Context(), time.Minute, func(context.Context) { panic("glow") })
	if err := g.Wait(t.Context()); err != nil {
		t.Errorf("Wait after a panic = %v", err)
	}

	stuck := make(chan error, 1)
	g.Go(t.Context(), time.Minute, func(ctx context.Context) {
		<-ctx.Done()
		stuck <- ctx.Err()
	})
	ended, cancel := context.WithCancel(t.Context())
	cancel()
	if err := g.Wait(ended); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with an ended context = %v, want context.Canceled", err)
	}
	if err := <-stuck; !errors.Is(err, context.Canceled) {
		t.Errorf("the job's context ended with %v, want it cancelled by Wait", err)
	}
	if err := g.Wait(t.Context()); err != nil {
		t.Errorf("Wait once the job ended = %v", err)
	}
}

// TestGoDetachesFromParent: a job outlives the context it was started
// with, keeping its values.
func TestGoDetachesFromParent(t *testing.T) {
	t.Parallel()
	type key struct{}
	parent, cancel := context.WithCancel(context.WithValue(t.Context(), key{}, "v"))
	got := make(chan any, 1)
	release := make(chan struct{})
	g := New(nil)
	g.Go(parent, time.Minute, func(ctx context.Context) {
		<-release
		if ctx.Err() != nil {
			got <- ctx.Err()
			return
		}
		got <- ctx.Value(key{})
	})
	cancel()
	close(release)
	if v := <-got; v != "v" {
		t.Errorf("job saw %v, want the parent's value and no cancellation", v)
	}
	_ = g.Wait(t.Context())
}

// TestWaitIdleWithEndedContext: an idle Group's Wait returns nil even when
// its context has ended (a shutdown out of time has nothing to cancel).
func TestWaitIdleWithEndedContext(t *testing.T) {
	t.Parallel()
	g := New(nil)
	g.Go(t.Context(), time.Minute, func(context.Context) {})
	for g.Running() > 0 {
		if err := g.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	ended, cancel := context.WithCancel(t.Context())
	cancel()
	for i := range 100 {
		if err := g.Wait(ended); err != nil {
			t.Fatalf("try %d: Wait on an idle Group = %v, want nil", i, err)
		}
	}
}

// TestDrain: Drain waits for the running jobs, and from its call on Go
// runs nothing and says so. On synctest's clock.
func TestDrain(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g := New(nil)
		release := make(chan struct{})
		if !g.Go(t.Context(), time.Minute, func(context.Context) { <-release }) {
			t.Fatal("Go refused a job before any Drain")
		}
		drained := make(chan error, 1)
		go func() { drained <- g.Drain(t.Context()) }()
		synctest.Wait() // Drain waits for the job
		var ran atomic.Bool
		if g.Go(t.Context(), time.Minute, func(context.Context) { ran.Store(true) }) {
			t.Error("Go started a job during Drain")
		}
		close(release)
		if err := <-drained; err != nil {
			t.Errorf("Drain = %v", err)
		}
		if g.Go(t.Context(), time.Minute, func(context.Context) { ran.Store(true) }) {
			t.Error("Go started a job after Drain")
		}
		synctest.Wait()
		if ran.Load() || g.Running() != 0 {
			t.Error("a job ran after Drain began")
		}
	})
}

// TestWaitGrace: when its context ends, WaitGrace cancels the jobs and
// still waits for them up to the grace (a job telling its user it was
// interrupted), no longer.
func TestWaitGrace(t *testing.T) {
	for _, tt := range []struct {
		tell  time.Duration // how long a job takes to end once cancelled
		ended bool          // whether WaitGrace saw it end
	}{
		{2 * time.Second, true},
		{9 * time.Second, false},
	} {
		synctest.Test(t, func(t *testing.T) {
			g := New(nil)
			var told atomic.Bool
			g.Go(t.Context(), time.Hour, func(ctx context.Context) {
				<-ctx.Done()
				time.Sleep(tt.tell)
				told.Store(true)
			})
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			start := time.Now()
			err := g.WaitGrace(ctx, 5*time.Second)
			if !errors.Is(err, context.DeadlineExceeded) || told.Load() != tt.ended {
				t.Errorf("tell %v: WaitGrace = %v after %v, job told %v; want the deadline's error and told %v",
					tt.tell, err, time.Since(start), told.Load(), tt.ended)
			}
			_ = g.Wait(t.Context())
		})
	}
}
