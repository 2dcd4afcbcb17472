package markov

import (
	"cmp"
	"slices"
)

// Opening is a word that starts sentences, and how often it does.
type Opening struct {
	Word  string
	Count int
}

// Openings returns the n words that most often start a sentence, most
// common first (ties in word order).
func (m *Model) Openings(n int) []Opening {
	var out []Opening
	prev := uint32(0)
	for e := m.off[m.start]; e < m.off[m.start+1]; e++ {
		c := m.edgeCum[e] - prev
		prev = m.edgeCum[e]
		if w := m.edgeWord[e]; w != wordEnd {
			out = append(out, Opening{Word: m.shown[w], Count: int(c)})
		}
	}
	slices.SortStableFunc(out, func(a, b Opening) int { return cmp.Compare(b.Count, a.Count) })
	return out[:min(n, len(out))]
}

// TrainingSentences returns the distinct sentences the model was trained
// on, each as its words joined by single spaces, in input order: what the
// model must not copy.
func (m *Model) TrainingSentences() []string { return m.novelty.sentenceTexts() }
