package markov

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
)

// backoff is the chain one order lower, for the forced points of a walk: a
// state with only one way on (most states of a small corpus, where a walk
// can only copy the text) may instead draw from the successors of every
// state that ends in the same order-1 words. Each successor still leads to
// a state of the full order, since a state (a, b) followed by w always
// leads to (b, w).
//
// Walking backwards it is the same: a state (a, b) with only one state
// before it may be preceded by any state that ends in a, drawn in
// proportion to how often each occurs.
type backoff struct {
	group []int32 // state -> its group
	off   []int32 // group g's successors are off[g]..off[g+1]
	word  []int32
	next  []int32
	cum   []uint32
	// Group g's states are members[moff[g]:moff[g+1]], with running
	// counts of their occurrences; before[s] is the group whose states
	// can come before state s (their last words are its first), or -1.
	members []int32
	moff    []int32
	mcum    []uint32
	before  []int32
}

// buildBackoff groups the states by their last order-1 words and merges
// their successors. It returns nil for a chain of order 1.
func (m *Model) buildBackoff() *backoff {
	if m.order < 2 {
		return nil
	}
	ns := len(m.off) - 1
	k := m.order - 1
	suffix := func(s int) []int32 { return m.stateTok[s*m.order+1 : (s+1)*m.order] }
	order := make([]int32, ns)
	for i := range order {
		order[i] = int32(i)
	}
	if k == 1 {
		// Order 2, the default: a counting sort by the last word (stable).
		start := make([]int32, len(m.words)+1)
		for s := range ns {
			start[m.stateTok[s*2+1]+1]++
		}
		for i := range len(m.words) {
			start[i+1] += start[i]
		}
		for s := range ns {
			w := m.stateTok[s*2+1]
			order[start[w]] = int32(s)
			start[w]++
		}
	} else {
		slices.SortStableFunc(order, func(a, b int32) int { return slices.Compare(suffix(int(a)), suffix(int(b))) })
	}
	b := &backoff{group: make([]int32, ns)}
	type edge struct {
		word, next int32
		n          uint32
	}
	var row []edge
	flush := func() {
		slices.SortFunc(row, func(a, b edge) int { return cmp.Compare(a.word, b.word) })
		var cum uint32
		for i, e := range row {
			if i > 0 && e.word == row[i-1].word {
				cum += e.n
				b.cum[len(b.cum)-1] = cum
				continue
			}
			cum += e.n
			b.word = append(b.word, e.word)
			b.next = append(b.next, e.next)
			b.cum = append(b.cum, cum)
		}
		b.off = append(b.off, int32(len(b.word)))
		row = row[:0]
	}
	b.off = append(b.off, 0)
	for i, s := range order {
		if i > 0 && !slices.Equal(suffix(int(s))[:k], suffix(int(order[i-1]))[:k]) {
			flush()
		}
		b.group[s] = int32(len(b.off) - 1)
		prev := uint32(0)
		for e := m.off[s]; e < m.off[s+1]; e++ {
			row = append(row, edge{m.edgeWord[e], m.edgeNext[e], m.edgeCum[e] - prev})
			prev = m.edgeCum[e]
		}
	}
	flush()
	// Members, in the same order as the groups.
	b.members = order
	b.moff = make([]int32, len(b.off))
	b.mcum = make([]uint32, ns)
	var cum uint64
	for i, s := range order {
		g := b.group[s]
		if i == 0 || g != b.group[order[i-1]] {
			b.moff[g] = int32(i)
			cum = 0
		}
		cum += uint64(m.outTotal(s))
		b.mcum[i] = uint32(min(cum, math.MaxUint32))
	}
	b.moff[len(b.off)-1] = int32(ns)
	b.before = make([]int32, ns)
	if k == 1 {
		byWord := make([]int32, len(m.words))
		for i := range byWord {
			byWord[i] = -1
		}
		for _, s := range order {
			byWord[m.stateTok[int(s)*2+1]] = b.group[s]
		}
		for s := range ns {
			b.before[s] = byWord[m.stateTok[s*2]]
		}
		return b
	}
	key := func(t []int32) string {
		var sb strings.Builder
		for _, id := range t {
			sb.WriteString(strconv.Itoa(int(id)))
			sb.WriteByte(' ')
		}
		return sb.String()
	}
	bySuffix := make(map[string]int32, len(b.off))
	for _, s := range order {
		bySuffix[key(suffix(int(s)))] = b.group[s]
	}
	for s := range ns {
		g, ok := bySuffix[key(m.stateTok[s*m.order:s*m.order+k])]
		if !ok {
			g = -1
		}
		b.before[s] = g
	}
	return b
}

// Warm builds now the tables that walks with Options.BackOff otherwise
// build on first use (a fraction of a second for a large model), so that
// no request waits for them. It is safe to call at any time, more than
// once, beside generation.
func (m *Model) Warm() { m.lower() }
