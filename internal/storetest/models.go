package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/glowcloud/glowcloud/publish"
)

// current checks that the store's current model is the one published as
// id with data.
func current(t *testing.T, st Store, id int64, data []byte) {
	t.Helper()
	gotID, err := st.CurrentID(t.Context())
	if err != nil {
		t.Fatalf("CurrentID: %v", err)
	}
	if gotID != id {
		t.Errorf("CurrentID = %d, want %d", gotID, id)
	}
	m, err := st.Current(t.Context())
	if err != nil {
		t.Fatalf("Current: %v", err)
	}
	if m.ID != id || !bytes.Equal(m.Data, data) || m.CreatedAt.IsZero() {
		t.Errorf("Current = {ID %d, %q, %v}, want {ID %d, %q, a time}", m.ID, m.Data, m.CreatedAt, id, data)
	}
}

func publishData(t *testing.T, st Store, data []byte) int64 {
	t.Helper()
	id, err := st.Publish(t.Context(), data)
	if err != nil {
		t.Fatalf("Publish(%q): %v", data, err)
	}
	return id
}

func testPublish(t *testing.T, st Store) {
	ctx := t.Context()
	if id, err := st.CurrentID(ctx); id != 0 || err != nil {
		t.Errorf("CurrentID of an empty store = %d, %v; want 0, nil", id, err)
	}
	if _, err := st.Current(ctx); !errors.Is(err, publish.ErrNone) {
		t.Errorf("Current of an empty store: %v, want ErrNone", err)
	}
	a := publishData(t, st, []byte("model a"))
	current(t, st, a, []byte("model a"))
	// Binary data, every byte value, survives the round trip.
	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	b := publishData(t, st, bin)
	if b <= a {
		t.Errorf("second Publish gave ID %d, want more than %d", b, a)
	}
	current(t, st, b, bin)
}

func testRollback(t *testing.T, st Store) {
	ctx := t.Context()
	if _, err := st.Rollback(ctx); !errors.Is(err, publish.ErrNone) {
		t.Errorf("Rollback of an empty store: %v, want ErrNone", err)
	}
	a := publishData(t, st, []byte("a"))
	if _, err := st.Rollback(ctx); !errors.Is(err, publish.ErrNoPrevious) {
		t.Errorf("Rollback with one model: %v, want ErrNoPrevious", err)
	}
	current(t, st, a, []byte("a"))
	b := publishData(t, st, []byte("b"))
	c := publishData(t, st, []byte("c"))
	for _, want := range []struct {
		id   int64
		data string
	}{{b, "b"}, {a, "a"}} {
		got, err := st.Rollback(ctx)
		if err != nil || got != want.id {
			t.Fatalf("Rollback = %d, %v; want %d", got, err, want.id)
		}
		current(t, st, want.id, []byte(want.data))
	}
	if _, err := st.Rollback(ctx); !errors.Is(err, publish.ErrNoPrevious) {
		t.Errorf("Rollback past the first model: %v, want ErrNoPrevious", err)
	}
	// Publishing after a rollback makes the new model current, the newest.
	d := publishData(t, st, []byte("d"))
	if d <= c {
		t.Errorf("Publish after a rollback gave ID %d, want more than %d", d, c)
	}
	current(t, st, d, []byte("d"))
	if got, err := st.Rollback(ctx); err != nil || got != c {
		t.Errorf("Rollback after republishing = %d, %v; want %d (the one published before)", got, err, c)
	}
}

func testPublishKeeps(t *testing.T, st Store) {
	ctx := t.Context()
	var ids []int64
	for i := range publish.Keep + 3 {
		ids = append(ids, publishData(t, st, fmt.Appendf(nil, "m%d", i)))
	}
	// Keep models are kept: Keep-1 rollbacks succeed, the next finds none.
	for i := 1; i < publish.Keep; i++ {
		want := ids[len(ids)-1-i]
		if got, err := st.Rollback(ctx); err != nil || got != want {
			t.Fatalf("rollback %d = %d, %v; want %d", i, got, err, want)
		}
	}
	if got, err := st.Rollback(ctx); !errors.Is(err, publish.ErrNoPrevious) {
		t.Errorf("rollback %d = %d, %v; want ErrNoPrevious: only %d models are kept", publish.Keep, got, err, publish.Keep)
	}
}

func testPublishConcurrent(t *testing.T, st Store) {
	const n = 8
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		ids  []int64
		errs []error
	)
	for i := range n {
		wg.Go(func() {
			id, err := st.Publish(t.Context(), fmt.Appendf(nil, "m%d", i))
			mu.Lock()
			defer mu.Unlock()
			ids, errs = append(ids, id), append(errs, err)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent Publish: %v", err)
	}
	newest := ids[0]
	for _, id := range ids {
		newest = max(newest, id)
	}
	got, err := st.CurrentID(t.Context())
	if err != nil || got != newest {
		t.Errorf("after %d concurrent publishes CurrentID = %d, %v; want the newest, %d", n, got, err, newest)
	}
}
