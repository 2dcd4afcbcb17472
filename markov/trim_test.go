package markov_test

import (
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/markov"
)

// TestFreeEdits trains on small corpora and looks for what each free edit
// should, and should never, make of a sentence. The oracle is a list of
// sentences written by hand.
func TestFreeEdits(t *testing.T) {
	t.Parallel()
	filler := []string{
		"The workers built the councils and the communes across the valley last spring.",
		"Our neighbours kept the gardens and the orchards open to every passing stranger.",
		"The committee met in the old hall to argue about the price of bread.",
		"Nobody expected the printers to join the strike before the harvest was over.",
	}
	for _, tt := range []struct {
		name     string
		sentence string
		want     []string // at least one of these is pooled
		never    []string // none of these is
	}{
		{
			name:     "adjective after a determiner, article mended",
			sentence: "The tired delegates finally reached an irreducible consensus on the whole question after midnight.",
			want: []string{"The delegates finally reached a consensus on the whole question after midnight.",
				"The delegates finally reached a consensus on the whole question.", "The delegates reached a consensus on the whole question."},
			never: []string{"a irreducible", "an consensus"},
		},
		{
			name:     "an aside in brackets",
			sentence: "The record of central planning is dismal (all the more dismal the more authoritarian the plan) across the whole century.",
			want:     []string{"The record of central planning is dismal across the whole century."},
		},
		{
			name:     "a list item",
			sentence: "It has built institutions, changed cultures, fought alongside the poor, led revolutions, and survived defeat after defeat.",
			never:    []string{", ,", "institutions, and survived"},
		},
		{
			name:     "cut at a semicolon",
			sentence: "Theory has not yet caught up to the messy practice of the valley; we are still missing many of the practical tools we will need to plan the harvest.",
			want:     []string{"Theory has not yet caught up to the practice of the valley.", "We are still missing many of the tools we will need to plan the harvest."},
		},
		{
			name:     "no adjective left out before ones",
			sentence: "If that era closed many political doors for the printers, it also opened up new ones for the weavers.",
			never:    []string{"up ones"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lines := append([]string{tt.sentence}, filler...)
			m, err := markov.TrainLines(lines, markov.TrainOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var pooled []string
			for _, p := range m.Pool() {
				pooled = append(pooled, p.Text)
			}
			all := strings.Join(pooled, "\n")
			if len(tt.want) > 0 {
				found := false
				for _, w := range tt.want {
					found = found || strings.Contains("\n"+all+"\n", "\n"+w+"\n")
				}
				if !found {
					t.Errorf("none of %q pooled; pool:\n%s", tt.want, all)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(all, n) {
					t.Errorf("pooled %q; pool:\n%s", n, all)
				}
			}
		})
	}
}
