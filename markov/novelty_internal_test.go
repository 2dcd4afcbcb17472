package markov

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestSuffixOrder: the suffix array is the corpus's positions sorted by
// their words to the end of their sentence, equal ones by position, and
// longestCopy's narrowing finds what contains finds, on corpora of few
// words (long shared runs, many ties) and of many.
func TestSuffixOrder(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, vocab := range []int{2, 3, 50} {
		var sents tokenSlices
		for range 300 {
			s := make([]string, 1+rng.IntN(12))
			for i := range s {
				s[i] = "w" + strconv.Itoa(rng.IntN(vocab))
			}
			sents = append(sents, s)
		}
		x := buildNovelty(sents, false, 0, 0)
		var want []int32
		for i, id := range x.corpus {
			if id != 0 {
				want = append(want, int32(i))
			}
		}
		slices.SortFunc(want, x.compareSuffixes)
		if !slices.Equal(x.suffixes, want) {
			t.Fatalf("%d words: suffixes not in order", vocab)
		}
		// Buckets too large to sort by keys are sorted in place.
		x.sortSuffixesWithin(len(want) / (2 * vocab))
		if !slices.Equal(x.suffixes, want) {
			t.Fatalf("%d words: suffixes not in order when the larger buckets are sorted in place", vocab)
		}
		for range 2000 {
			run := make([]int32, 1+rng.IntN(8))
			for i := range run {
				run[i] = 1 + rng.Int32N(int32(len(x.words)-1))
			}
			lo, hi, l := 0, len(x.suffixes), 0
			for l < len(run) {
				if lo, hi = x.narrow(lo, hi, l, run[l]); lo == hi {
					break
				}
				l++
			}
			for k := 1; k <= len(run); k++ {
				if got, want := k <= l, x.contains(run[:k]); got != want {
					t.Fatalf("%d words: run %v: narrowing finds its first %d words, contains says %v for %d", vocab, run, l, want, k)
				}
			}
		}
	}
}
