package cooldown

import (
	"fmt"
	"testing"
	"time"
)

// TestMemorySweeps: a burst of users does not pin memory: entries that are
// over are swept at most once a cooldown, so about two cooldowns' worth
// remain, and a request long after sweeps all the others away.
func TestMemorySweeps(t *testing.T) {
	t.Parallel()
	const every = 3 * time.Second
	m := NewMemory()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10000 {
		if w, _ := m.TakeCooldown(t.Context(), fmt.Sprint("user", i), t0.Add(time.Duration(i)*time.Millisecond), every); w != 0 {
			t.Fatalf("user %d throttled", i)
		}
	}
	// 10 s of distinct users: only those of the last ~2 cooldowns remain.
	if n := m.size(); n > 6000 {
		t.Errorf("%d entries after 10 s at 1000 users/s; want at most 6000", n)
	}
	if _, err := m.TakeCooldown(t.Context(), "late", t0.Add(time.Hour), every); err != nil {
		t.Fatal(err)
	}
	if n := m.size(); n != 1 {
		t.Errorf("%d entries an hour later, want 1", n)
	}
}
