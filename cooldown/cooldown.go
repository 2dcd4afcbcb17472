// Package cooldown owns what a cooldown is: the pause a user waits between
// two generating requests, wherever it is kept (this process's memory, or
// a database every replica shares). The rule is stated once, on Store; the
// database adapters (sqlite, postgres) hold it in their SQL, Memory in Go,
// and all three pass the one suite in internal/storetest.
//
// It imports only the standard library, so the bot's core may use it.
package cooldown

import (
	"context"
	"sync"
	"time"
)

// Store keeps cooldowns. Implementations must be safe for concurrent use.
//
// A cooldown of length every started at last is running at now when
//
//	-every <= now-last < every
//
// and then the wait is min(every-(now-last), every): a start up to every
// ahead of now (another replica's clock a little ahead, or this one
// stepped back a little) still holds the user, for at most every. A start
// further ahead (a clock stepped far back) counts as over, so nobody is
// locked out for the length of the step.
type Store interface {
	// TakeCooldown starts a cooldown of length every for key at now unless
	// one is running, and returns 0, or else how long is left (and changes
	// nothing). The test and the write are one atomic step: of many
	// concurrent takes of one key, exactly one wins.
	TakeCooldown(ctx context.Context, key string, now time.Time, every time.Duration) (time.Duration, error)
	// PruneCooldowns forgets the cooldowns that started at or before
	// before. Callers pass a time every before now, so that only cooldowns
	// that are over go; it changes no take's answer, only the space kept.
	PruneCooldowns(ctx context.Context, before time.Time) error
}

// wait returns how long is left, at now, of a cooldown of length every that
// started at last: 0 when it is over (see Store).
func wait(last, now time.Time, every time.Duration) time.Duration {
	elapsed := now.Sub(last)
	if elapsed >= every || elapsed < -every {
		return 0
	}
	return min(every-elapsed, every)
}

// Memory is a Store in this process's memory. Entries that are over are
// swept at most once per cooldown length, so the map holds only the users
// seen within about two cooldowns. The zero value is not usable; use
// NewMemory.
type Memory struct {
	mu        sync.Mutex
	last      map[string]time.Time
	lastSweep time.Time
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory { return &Memory{last: make(map[string]time.Time)} }

// TakeCooldown implements Store. It never fails.
func (m *Memory) TakeCooldown(_ context.Context, key string, now time.Time, every time.Duration) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Sub(m.lastSweep) >= every || now.Before(m.lastSweep) {
		m.sweep(now, every)
	}
	if last, ok := m.last[key]; ok {
		if w := wait(last, now, every); w > 0 {
			return w, nil
		}
	}
	m.last[key] = now
	return 0, nil
}

// PruneCooldowns implements Store. It never fails.
func (m *Memory) PruneCooldowns(_ context.Context, before time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, last := range m.last {
		if !last.After(before) {
			delete(m.last, k)
		}
	}
	return nil
}

// size reports the number of cooldowns kept, over or not (for tests).
func (m *Memory) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.last)
}

// sweep drops the cooldowns that are over. It copies the survivors to a new
// map because Go maps never shrink, and a burst of users must not pin
// memory for ever.
func (m *Memory) sweep(now time.Time, every time.Duration) {
	fresh := make(map[string]time.Time, len(m.last)/2)
	for k, last := range m.last {
		if wait(last, now, every) > 0 {
			fresh[k] = last
		}
	}
	m.last, m.lastSweep = fresh, now
}
