package quality

import (
	"slices"
	"testing"
)

// TestPyRandom pins the Mersenne Twister and sample to CPython 3.11's
// random.Random(7), so the random sets match quality.py's without Python.
func TestPyRandom(t *testing.T) {
	t.Parallel()
	r := newPyRandom(7)
	if got, want := []uint32{r.uint32(), r.uint32(), r.uint32()}, []uint32{1390851128, 4071050724, 647892279}; !slices.Equal(got, want) {
		t.Errorf("getrandbits(32) x3 = %v, want %v", got, want)
	}
	for _, tt := range []struct {
		n          int
		head, tail []int
	}{
		{3000, []int{1326, 617, 1617, 2666, 197}, []int{2285, 2347, 1285, 1393, 2847}}, // the set-based branch
		{500, []int{165, 485, 77, 202, 333}, []int{493, 452, 262, 455, 84}},            // the pool branch
	} {
		got := newPyRandom(7).sample(tt.n, 100)
		if !slices.Equal(got[:5], tt.head) || !slices.Equal(got[95:], tt.tail) {
			t.Errorf("sample(range(%d), 100) = %v...%v, want %v...%v", tt.n, got[:5], got[95:], tt.head, tt.tail)
		}
	}
}
