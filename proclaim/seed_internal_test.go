package proclaim

import (
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/limits"
)

// TestSlotSeedInRange: a slot's seed is a seed like any other, within
// 0..limits.MaxSeed, and two slots of a schedule, or one slot of two
// schedules, differ.
func TestSlotSeedInRange(t *testing.T) {
	t.Parallel()
	seen := map[uint64]bool{}
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for id := int64(1); id <= 20; id++ {
		for i := range 50 {
			s := slotSeed(id, t0.Add(time.Duration(i)*time.Hour))
			if s > limits.MaxSeed {
				t.Fatalf("slotSeed(%d, slot %d) = %d > limits.MaxSeed", id, i, s)
			}
			if seen[s] {
				t.Fatalf("slotSeed(%d, slot %d) = %d, the seed of another slot", id, i, s)
			}
			seen[s] = true
		}
	}
}
