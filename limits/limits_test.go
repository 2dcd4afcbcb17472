package limits_test

import (
	"testing"

	"github.com/glowcloud/glowcloud/limits"
)

// TestRandomSeed: random seeds stay within 0..MaxSeed and use its whole
// range: of 1,000 draws, some land in its top half and none repeats.
func TestRandomSeed(t *testing.T) {
	t.Parallel()
	seen := map[uint64]bool{}
	high := 0
	for range 1000 {
		s := limits.RandomSeed()
		if s > limits.MaxSeed {
			t.Fatalf("seed %d > MaxSeed %d", s, uint64(limits.MaxSeed))
		}
		if seen[s] {
			t.Fatalf("seed %d drawn twice in 1,000", s)
		}
		seen[s] = true
		if s > limits.MaxSeed/2 {
			high++
		}
	}
	if high < 400 || high > 600 {
		t.Errorf("%d of 1,000 seeds in the top half of the range, want about 500", high)
	}
	// MaxSeed itself goes through a float64 (a JSON number) exactly.
	if uint64(float64(limits.MaxSeed)) != limits.MaxSeed {
		t.Errorf("MaxSeed %d is not exact in a float64", uint64(limits.MaxSeed))
	}
}
