package compose_test

import (
	"slices"
	"testing"
)

// TestSentences: a Writer's sentences are its model's training sentences
// and its pool, and no generated one is a training sentence.
func TestSentences(t *testing.T) {
	t.Parallel()
	w := essayWriter(t)
	corpus, generated := w.Sentences()
	if len(corpus) < 150 || len(generated) < 100 {
		t.Fatalf("%d corpus and %d generated sentences of the essay; want its ~190 and its pool of ~130", len(corpus), len(generated))
	}
	for _, g := range generated {
		if slices.Contains(corpus, g) {
			t.Errorf("a generated sentence is a training sentence: %q", g)
		}
	}
}
