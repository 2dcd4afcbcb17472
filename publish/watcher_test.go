package publish_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/glowcloud/glowcloud/publish"
)

// fakeStore is a publish.Source in memory whose answers can be cut off.
type fakeStore struct {
	mu      sync.Mutex
	models  map[int64]publish.Model
	cur     int64
	down    bool
	fetches int // calls of Current
}

func newFakeStore() *fakeStore { return &fakeStore{models: map[int64]publish.Model{}} }

var errDown = errors.New("connection refused")

func (f *fakeStore) publish(data string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cur++
	f.models[f.cur] = publish.Model{ID: f.cur, Data: []byte(data), CreatedAt: time.Now()}
	return f.cur
}

func (f *fakeStore) setDown(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

func (f *fakeStore) CurrentID(context.Context) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return 0, errDown
	}
	return f.cur, nil
}

func (f *fakeStore) Current(context.Context) (publish.Model, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetches++
	if f.down {
		return publish.Model{}, errDown
	}
	if f.cur == 0 {
		return publish.Model{}, publish.ErrNone
	}
	return f.models[f.cur], nil
}

// server is what a process serves: a model text, swapped by apply, which
// refuses models whose data starts with "bad".
type server struct {
	mu      sync.Mutex
	serving string
}

func (s *server) apply(m publish.Model) error {
	if len(m.Data) >= 3 && string(m.Data[:3]) == "bad" {
		return fmt.Errorf("decode model: checksum mismatch")
	}
	s.mu.Lock()
	s.serving = string(m.Data)
	s.mu.Unlock()
	return nil
}

func (s *server) get() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.serving
}

func TestWatcherSync(t *testing.T) {
	t.Parallel()
	st, srv := newFakeStore(), &server{serving: "embedded"}
	w := publish.NewWatcher(publish.WatcherConfig{Source: st, Apply: srv.apply})
	ctx := t.Context()
	steps := []struct {
		name    string
		do      func()
		wantErr bool
		serving string
		status  publish.Status
	}{
		{"nothing published", func() {}, false, "embedded", publish.Status{DatabaseUp: true}},
		{"first model", func() { st.publish("one") }, false, "one", publish.Status{Serving: 1, Current: 1, DatabaseUp: true}},
		{"unchanged", func() {}, false, "one", publish.Status{Serving: 1, Current: 1, DatabaseUp: true}},
		{"a corrupt model keeps the old", func() { st.publish("bad two") }, true, "one", publish.Status{Serving: 1, Current: 2, DatabaseUp: true}},
		{"and is not retried", func() {}, false, "one", publish.Status{Serving: 1, Current: 2, DatabaseUp: true}},
		{"database down", func() { st.setDown(true) }, true, "one", publish.Status{Serving: 1, Current: 2}},
		{"back, with a good model", func() { st.setDown(false); st.publish("three") }, false, "three", publish.Status{Serving: 3, Current: 3, DatabaseUp: true}},
	}
	for _, s := range steps {
		s.do()
		err := w.Sync(ctx)
		if (err != nil) != s.wantErr {
			t.Errorf("%s: Sync = %v, want error %v", s.name, err, s.wantErr)
		}
		if got := srv.get(); got != s.serving {
			t.Errorf("%s: serving %q, want %q", s.name, got, s.serving)
		}
		if got := w.Status(); got != s.status {
			t.Errorf("%s: Status = %+v, want %+v", s.name, got, s.status)
		}
	}
	if st.fetches != 3 {
		t.Errorf("the model was fetched %d times, want 3 (once per new model, the corrupt one once)", st.fetches)
	}
}

func TestWatcherWatchOnly(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	st.publish("one")
	w := publish.NewWatcher(publish.WatcherConfig{Source: st})
	if err := w.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, want := w.Status(), (publish.Status{Current: 1, DatabaseUp: true}); got != want {
		t.Errorf("Status = %+v, want %+v", got, want)
	}
	if st.fetches != 0 {
		t.Errorf("a watch-only Watcher fetched the model %d times", st.fetches)
	}
}

// fakeListener announces each value sent on its channel, and fails when
// told to.
type fakeListener struct {
	events chan error // nil: a change; an error: the connection fails
}

func (l fakeListener) ListenModels(ctx context.Context, changed func()) error {
	changed()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-l.events:
			if err != nil {
				return err
			}
			changed()
		}
	}
}

func TestWatcherRun(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		st, srv := newFakeStore(), &server{serving: "embedded"}
		l := fakeListener{events: make(chan error)}
		w := publish.NewWatcher(publish.WatcherConfig{Source: st, Listener: l, Apply: srv.apply,
			Interval: 2 * time.Second, Log: slog.New(slog.DiscardHandler)})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { w.Run(ctx); close(done) }()
		synctest.Wait()

		// A notification switches at once, without waiting for the poll.
		st.publish("one")
		l.events <- nil
		synctest.Wait()
		if got := srv.get(); got != "one" {
			t.Errorf("right after a notification serving %q, want one", got)
		}

		// Notifications lost: the poll still switches within an interval.
		l.events <- errors.New("connection reset")
		synctest.Wait()
		st.publish("two")
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if got := srv.get(); got != "two" {
			t.Errorf("one interval after a publish without notifications serving %q, want two", got)
		}

		// The database away for a while, then back: the watcher resumes.
		st.setDown(true)
		time.Sleep(10 * time.Second)
		st.setDown(false)
		st.publish("three")
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if got := srv.get(); got != "three" {
			t.Errorf("after the database came back serving %q, want three", got)
		}
		cancel()
		<-done
	})
}

// silentStore never answers: a database behind a dropped network.
type silentStore struct{}

func (silentStore) CurrentID(ctx context.Context) (int64, error) {
	<-ctx.Done()
	return 0, ctx.Err()
}

func (silentStore) Current(ctx context.Context) (publish.Model, error) {
	<-ctx.Done()
	return publish.Model{}, ctx.Err()
}

// TestWatcherSilentDatabase: a database that does not answer counts as down
// after 5 s, not after the whole 30 s a model's download may take.
func TestWatcherSilentDatabase(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		w := publish.NewWatcher(publish.WatcherConfig{Source: silentStore{}})
		start := time.Now()
		if err := w.Sync(t.Context()); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Sync = %v, want a deadline", err)
		}
		if took := time.Since(start); took != 5*time.Second {
			t.Errorf("Sync gave up after %v, want 5s", took)
		}
		if w.Status().DatabaseUp {
			t.Errorf("Status says the database is up")
		}
	})
}

// publishingStore is a fakeStore that publishes too.
type publishingStore struct{ *fakeStore }

func (p publishingStore) Publish(_ context.Context, data []byte) (int64, error) {
	return p.publish(string(data)), nil
}

func (publishingStore) Rollback(context.Context) (int64, error) {
	return 0, errors.New("not in this test")
}

// TestPublishServed: a model the process serves already (a retrain's) is
// published for the others, with a cancelled context too (the retrain's
// interaction may be gone), and is not fetched and loaded again here.
func TestPublishServed(t *testing.T) {
	t.Parallel()
	st, srv := newFakeStore(), &server{serving: "retrained"}
	w := publish.NewWatcher(publish.WatcherConfig{Source: st, Apply: srv.apply})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	id, err := w.PublishServed(ctx, publishingStore{st}, []byte("retrained"))
	if err != nil || id != 1 {
		t.Fatalf("PublishServed = %d, %v; want 1", id, err)
	}
	if err := w.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st.fetches != 0 {
		t.Errorf("the published model was fetched %d times, want 0: this process serves it", st.fetches)
	}
	if got, want := w.Status(), (publish.Status{Serving: 1, Current: 1, DatabaseUp: true}); got != want {
		t.Errorf("Status = %+v, want %+v", got, want)
	}
}
