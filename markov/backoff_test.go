package markov_test

import (
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/markov"
)

// TestBackOff checks what backing off may and may not do, against the
// corpus itself: every pair of neighbouring words of a backed-off sentence
// is a pair the corpus has (the chain one order lower), while some runs of
// three are new; with BackOff 0 every run of three is the corpus's. Both
// directions are covered: walks from the start and walks through a topic.
func TestBackOff(t *testing.T) {
	t.Parallel()
	m, text := essay(t)
	norm := func(w string) string { return strings.ToLower(strings.TrimRight(w, ".,;:!?")) }
	pairs, triples := map[string]bool{}, map[string]bool{}
	for _, s := range text.Sentences {
		for i := range s {
			if i+1 < len(s) {
				pairs[norm(s[i])+" "+norm(s[i+1])] = true
			}
			if i+2 < len(s) {
				triples[norm(s[i])+" "+norm(s[i+1])+" "+norm(s[i+2])] = true
			}
		}
	}
	for _, tt := range []struct {
		name    string
		backOff float64
		topic   []string
	}{
		{"forward", 1, nil},
		{"through a topic", 1, []string{"planning"}},
		{"never", 0, nil},
		{"never, through a topic", 0, []string{"planning"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := rng(3)
			newTriples := 0
			for range 300 {
				s, err := m.Sentence(r, markov.Options{BackOff: tt.backOff, Topic: tt.topic})
				if err != nil {
					t.Fatal(err)
				}
				w := strings.Fields(s.Text)
				for i := 0; i+1 < len(w); i++ {
					if p := norm(w[i]) + " " + norm(w[i+1]); !pairs[p] {
						t.Fatalf("%q: the corpus never says %q", s.Text, p)
					}
					if i+2 < len(w) && !triples[norm(w[i])+" "+norm(w[i+1])+" "+norm(w[i+2])] {
						newTriples++
					}
				}
			}
			if tt.backOff > 0 && newTriples == 0 {
				t.Error("BackOff 1 never backed off")
			}
			if tt.backOff == 0 && newTriples > 0 {
				t.Errorf("BackOff 0 made %d new runs of three", newTriples)
			}
		})
	}
}
