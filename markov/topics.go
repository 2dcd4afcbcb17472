package markov

// Steerable reports how often the folded word w (see Fold) ends a state
// of the chain: 0 when a sentence cannot be steered through it.
func (m *Model) Steerable(w string) uint64 {
	p := m.byWord[Fold(w)]
	if p == nil {
		return 0
	}
	return p.cum[len(p.cum)-1]
}
