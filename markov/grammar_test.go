package markov

import (
	"strings"
	"testing"
)

// TestClauseComplete: sentences whose clause a reader would find finished
// or not, tagged by hand (Penn Treebank), so the table tests the clause
// logic and not the tagger.
func TestClauseComplete(t *testing.T) {
	for _, tt := range []struct {
		text, tags string
		want       bool
	}{
		{"The cloud flies over the town.", "DT NN VBZ IN DT NN", true},
		{"The cloud over the town.", "DT NN IN DT NN", false},
		{"If the cloud comes, we hail it.", "IN DT NN VBZ, PRP VBP PRP", true},
		{"If the cloud comes, the hail.", "IN DT NN VBZ, DT NN", false},
		{"The town which the cloud loves.", "DT NN WDT DT NN VBZ", false},
		{"The town which the cloud loves fears it.", "DT NN WDT DT NN VBZ VBZ PRP", true},
		{"We must both dream and plan.", "PRP MD DT VB CC VB", true},
		{"We must both dream bigger.", "PRP MD DT VB JJR", false},
		{"The cloud (which glows flies.", "DT NN WDT VBZ VBZ", false},
		{"The cloud glows \"brightly.", "DT NN VBZ RB", false},
		{"We have no theory; we have a cloud.", "PRP VBP DT NN PRP VBP DT NN", true},
		{"We have no theory; the cloud.", "PRP VBP DT NN DT NN", false},
	} {
		toks := strings.Fields(tt.text)
		tags := strings.Fields(strings.ReplaceAll(tt.tags, ",", ""))
		if len(tags) != len(toks) {
			t.Fatalf("%q: %d tags for %d words", tt.text, len(tags), len(toks))
		}
		cl := clauses(toks, tags)
		if got := complete(cl[len(cl)-1]); got != tt.want {
			t.Errorf("%q: complete %v, want %v (%+v)", tt.text, got, tt.want, cl[len(cl)-1])
		}
	}
}
