package postgres_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/internal/pgtest"
)

// TestListenModels: a publish in one replica wakes the listener of another
// on the same schema at once, and a publish in another schema does not.
func TestListenModels(t *testing.T) {
	t.Parallel()
	u := pgtest.Schema(t)
	publisher, listener, other := open(t, u), open(t, u), open(t, pgtest.Schema(t))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var calls atomic.Int64
	// Each call reports the current model of the listener's schema as it
	// sees it then: a call for another schema's change would come before
	// this schema's publish and see the old one.
	wake := make(chan int64, 16)
	done := make(chan error, 1)
	go func() {
		done <- listener.ListenModels(ctx, func() {
			calls.Add(1)
			id, err := listener.CurrentID(ctx)
			if err != nil {
				id = -1
			}
			wake <- id
		})
	}()
	wait := func(what string, want int64) {
		t.Helper()
		select {
		case got := <-wake:
			if got != want {
				t.Errorf("%s: changed saw current model %d, want %d", what, got, want)
			}
		case err := <-done:
			t.Fatalf("%s: ListenModels returned %v", what, err)
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no call of changed within 10 s", what)
		}
	}
	wait("listening", 0)
	if _, err := other.Publish(ctx, []byte("elsewhere")); err != nil {
		t.Fatal(err)
	}
	id, err := publisher.Publish(ctx, []byte("here"))
	if err != nil {
		t.Fatal(err)
	}
	wait("publish", id)
	again, err := publisher.Publish(ctx, []byte("again"))
	if err != nil {
		t.Fatal(err)
	}
	wait("second publish", again)
	if got, err := publisher.Rollback(ctx); err != nil || got != id {
		t.Fatalf("Rollback = %d, %v; want %d", got, err, id)
	}
	wait("rollback", id)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ListenModels after cancel = %v, want nil", err)
	}
	// One call on listening, then one for each of the three changes here:
	// the publish in the other schema woke nobody.
	if n := calls.Load(); n != 4 {
		t.Errorf("changed called %d times, want 4", n)
	}
}
