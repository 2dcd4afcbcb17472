package bot

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// cooldownMessage tells a user how long to wait.
func cooldownMessage(wait time.Duration) string {
	secs := int64(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	return fmt.Sprintf("Easy, comrade: the Glow Cloud is still glowing from your last request. Try again in %d %s.", secs, unit)
}

// cooldowns remembers when each user last generated something. Entries older
// than the cooldown are swept at most once per cooldown period, so the map
// holds only users seen within about two cooldowns.
type cooldowns struct {
	every time.Duration

	mu        sync.Mutex
	last      map[string]time.Time
	lastSweep time.Time
}

func newCooldowns(every time.Duration) *cooldowns {
	return &cooldowns{every: every, last: make(map[string]time.Time)}
}

// take records a request by user at the clock's time and returns 0, or, if
// the user is still cooling down, how long they must wait (the request is
// not recorded). The clock is read under the lock, so concurrent requests
// are recorded in the order of their times: read before it, a request could
// carry a time earlier than one recorded meanwhile, look like a clock that
// stepped back, and slip through the cooldown.
func (c *cooldowns) take(user string, clock func() time.Time) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := clock()
	if now.Sub(c.lastSweep) >= c.every {
		c.sweep(now)
	}
	if t, ok := c.last[user]; ok {
		if elapsed := now.Sub(t); elapsed >= 0 && elapsed < c.every {
			return c.every - elapsed
		}
	}
	c.last[user] = now
	return 0
}

// sweep drops expired entries. It copies the survivors to a new map because
// Go maps never shrink, and a burst of users must not pin memory forever.
func (c *cooldowns) sweep(now time.Time) {
	fresh := make(map[string]time.Time, len(c.last)/2)
	for u, t := range c.last {
		if d := now.Sub(t); d >= 0 && d < c.every {
			fresh[u] = t
		}
	}
	c.last, c.lastSweep = fresh, now
}

// size reports the number of remembered users (for tests).
func (c *cooldowns) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.last)
}
