package markov_test

import (
	"testing"

	"github.com/glowcloud/glowcloud/markov"
)

// TestTrainMemoryLimit: never under 336 MiB, and a third above the live
// heap expected of the input (192 MiB, twice its bytes, 8 bytes a word).
func TestTrainMemoryLimit(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	for _, tt := range []struct {
		bytes, words, want int64
	}{
		{0, 0, 336 * mib},
		{40 << 10, 7000, 336 * mib},           // the essay
		{54 * mib / 10, 1_000_000, 336 * mib}, // mid5: still the floor
		{50 * mib, 9_000_000, (192*mib + 100*mib + 72_000_000) * 4 / 3},
	} {
		if got := markov.TrainMemoryLimit(tt.bytes, tt.words); got != tt.want {
			t.Errorf("TrainMemoryLimit(%d, %d) = %d, want %d", tt.bytes, tt.words, got, tt.want)
		}
	}
}
