package markov

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
)

// PoolSentence is a sentence curated at training time: a walk of the chain
// that joins two or three places of the corpus where they agree (see
// clause), chosen from many for how well its joins read. From and To are
// the training sentences (in the order read, repeats left out) its first
// and last pieces come from, so a paragraph can follow the corpus's own
// line of argument.
type PoolSentence struct {
	Text     string
	From, To int32
}

// Pool returns the model's curated sentences, best first. The slice is the
// model's own: do not change it.
func (m *Model) Pool() []PoolSentence { return m.pool }

// Pool building settings.
const (
	poolMax      = 6000 // sentences kept
	poolMinWords = 8
	poolMaxWords = 38
	// maxCopy is the longest run of corpus words a pooled sentence may
	// hold (markovify's limit is 15); shorter runs score better.
	maxCopy      = 15
	preferCopy   = 11
	poolAttempts = 60 // attempts per corpus sentence
	poolMaxTries = 400_000
	maxTagged    = 60_000 // sentences tagged at most, for a large corpus
	// enumerateMax is the largest corpus (in words) for which every join
	// is tried; larger ones are sampled.
	enumerateMax = 200_000
)

// tagFunc tags a sentence's tokens (see postag).
type tagFunc func(tokens []string) []string

// occ is a place in the corpus: sentence s, token p.
type occ struct{ s, p int32 }

// poolBuilder holds what building the pool needs.
type poolBuilder struct {
	x     *noveltyIndex
	k     int
	sents [][]int32
	toks  [][]string
	tag   tagFunc
	tags  [][]string
	cls   [][]clause
	grams map[uint64][]occ
	stop  map[int32]bool
}

// buildPool curates the pool from the novelty index's sentences: joins at
// a shared run of at least k words (so every pooled sentence is a walk of
// an order-k chain), where the words' parts of speech and the clause agree
// on both sides.
func buildPool(x *noveltyIndex, k int, tag tagFunc, seed uint64) []PoolSentence {
	k = max(k, 2)
	b := &poolBuilder{x: x, k: k, tag: tag, grams: make(map[uint64][]occ), stop: make(map[int32]bool)}
	start := 0
	for i, id := range x.corpus {
		if id == 0 {
			b.sents = append(b.sents, x.corpus[start:i])
			start = i + 1
		}
	}
	if len(b.sents) < 2 {
		return nil
	}
	b.toks = make([][]string, len(b.sents))
	b.tags = make([][]string, len(b.sents))
	b.cls = make([][]clause, len(b.sents))
	for w, id := range x.ids {
		if stopWord(strings.ToLower(strings.TrimFunc(unescape(w), notLetter))) {
			b.stop[id] = true
		}
	}
	for s, ids := range b.sents {
		for p := k - 1; p+1 < len(ids); p++ {
			h := hashIDs(ids[p-k+1 : p+1])
			b.grams[h] = append(b.grams[h], occ{int32(s), int32(p)})
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x706f6f6c)) // "pool"
	type scored struct {
		PoolSentence
		score float64
		open  string
	}
	seen := make(map[string]bool)
	var found []scored
	tagged := 0
	consider := func(sa, i int32, o occ) {
		b.joins(nil, sa, i, o, 1, 10, &tagged, func(ids []int32, score float64, to int32) {
			n := len(ids)
			if n < poolMinWords || n > poolMaxWords {
				return
			}
			run := b.longestCopy(ids)
			if run > maxCopy || run >= n || float64(run) > 0.8*float64(n) {
				return
			}
			if run <= preferCopy {
				score += 1
			}
			if n >= 12 && n <= 30 {
				score += 0.5
			}
			text, ok := b.render(ids)
			if !ok || seen[text] {
				return
			}
			seen[text] = true
			found = append(found, scored{PoolSentence{text, sa, to}, score, opening(text)})
		})
	}
	cut := func(sa int32) (lo, hi int) {
		return max(b.k-1, 2), min(len(b.sents[sa])-3, maxCopy-1)
	}
	if len(x.corpus) <= enumerateMax {
		// A small corpus: every join.
		for sa := range int32(len(b.sents)) {
			lo, hi := cut(sa)
			for i := lo; i <= hi; i++ {
				a := b.sents[sa]
				for _, o := range b.grams[hashIDs(a[i-b.k+1:i+1])] {
					consider(sa, int32(i), o)
				}
			}
		}
	} else {
		tries := min(poolAttempts*len(b.sents), poolMaxTries)
		for try := 0; try < tries && tagged < maxTagged; try++ {
			sa := int32(rng.IntN(len(b.sents)))
			lo, hi := cut(sa)
			if hi < lo {
				continue
			}
			i := lo + rng.IntN(hi-lo+1)
			a := b.sents[sa]
			occs := b.grams[hashIDs(a[i-b.k+1:i+1])]
			if len(occs) < 2 {
				continue
			}
			consider(sa, int32(i), occs[rng.IntN(len(occs))])
		}
	}
	slices.SortStableFunc(found, func(p, q scored) int { return cmp.Compare(q.score, p.score) })
	// Keep the best, but no opening more than a fair share: a pool that
	// starts too many sentences the same way gives the text a tic.
	capOpen := max(2, len(found)/40)
	opens := make(map[string]int)
	var pool []PoolSentence
	for _, f := range found {
		if len(pool) == poolMax {
			break
		}
		if opens[f.open] >= capOpen {
			continue
		}
		opens[f.open]++
		pool = append(pool, f.PoolSentence)
	}
	return pool
}

// joins continues the sentence so far (prefix, or sentence sa up to its
// token i) at place o, which shares the k words up to there, and hands each
// sentence it can make to emit: the join alone and, when depth allows, the
// join joined once more further on. score is the worst join's so far.
func (b *poolBuilder) joins(prefix []int32, sa, i int32, o occ, depth int, worst float64, tagged *int, emit func(ids []int32, score float64, to int32)) {
	a := b.sents[sa]
	if o.s == sa || int(o.p)+3 > len(b.sents[o.s]) {
		return
	}
	c := b.sents[o.s]
	if a[i+1] == c[o.p+1] {
		return
	}
	b.ready(sa, tagged)
	b.ready(o.s, tagged)
	// The clause must be the same on both sides, the shared words tagged
	// alike, and the word said next of the same kind as the one left out.
	if b.cls[sa][i] != b.cls[o.s][o.p] {
		return
	}
	for d := int32(0); d < int32(b.k); d++ {
		if coarse(b.tags[sa][i-d]) != coarse(b.tags[o.s][o.p-d]) {
			return
		}
	}
	if coarse(b.tags[sa][i+1]) != coarse(b.tags[o.s][o.p+1]) {
		return
	}
	score := 0.0
	// A longer shared context makes a surer join; one made only of
	// function words ("of the") joins any two things.
	shared, content := 0, false
	for d := int32(0); i-d >= 0 && o.p-d >= 0 && a[i-d] == c[o.p-d]; d++ {
		shared++
		if !b.stop[a[i-d]] {
			content = true
		}
	}
	if !content && shared < 3 {
		// "of the", "in the": joins any two things, and readers notice.
		return
	}
	score += 0.8 * float64(min(shared, 5)-b.k)
	if content {
		score += 1
	}
	if b.tags[sa][i+1] == b.tags[o.s][o.p+1] {
		score += 0.5
	}
	if d := abs32(sa - o.s); d <= 3 {
		score += 1
	} else if d <= 12 {
		score += 0.5
	}
	if prefix != nil {
		// Every join is a risk: a second one must earn its place.
		score -= 0.7
	}
	score = min(score, worst)
	var ids []int32
	if prefix == nil {
		ids = append(ids, a[:i+1]...)
	} else {
		ids = append(ids, prefix...)
	}
	head := len(ids)
	ids = append(ids, c[o.p+1:]...)
	emit(ids, score, o.s)
	if depth == 0 {
		return
	}
	for j := o.p + 3; j+3 <= int32(len(c)) && j <= o.p+maxCopy; j++ {
		next := ids[:head+int(j-o.p)]
		for _, o2 := range b.grams[hashIDs(c[j-int32(b.k)+1:j+1])] {
			b.joins(next, o.s, j, o2, depth-1, score, tagged, emit)
		}
	}
}

// ready tags sentence s on first use.
func (b *poolBuilder) ready(s int32, tagged *int) {
	if b.cls[s] != nil {
		return
	}
	toks := make([]string, len(b.sents[s]))
	for i, id := range b.sents[s] {
		toks[i] = unescape(b.x.words[id])
	}
	b.toks[s] = toks
	b.tags[s] = b.tag(toks)
	b.cls[s] = clauses(toks, b.tags[s])
	*tagged++
}

// longestCopy returns the length of the longest run of ids that occurs in
// the corpus.
func (b *poolBuilder) longestCopy(ids []int32) int {
	best := 0
	for i := range ids {
		l := best + 1
		for i+l <= len(ids) && b.x.contains(ids[i:i+l]) {
			best = l
			l++
		}
	}
	return best
}

// render joins the words of a pooled sentence.
func (b *poolBuilder) render(ids []int32) (string, bool) {
	var sb strings.Builder
	for i, id := range ids {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(unescape(b.x.words[id]))
	}
	s := sb.String()
	if strings.ContainsAny(s, "\n") {
		return "", false
	}
	return s, true
}

// opening is a sentence's first three words, folded.
func opening(s string) string {
	f := strings.Fields(strings.ToLower(s))
	return strings.Join(f[:min(3, len(f))], " ")
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) }

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

// stopWord reports whether a folded word is a function word.
func stopWord(w string) bool { return poolStop[w] }

var poolStop = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`a an the of in on at to for from by with and or but nor as is are was were be been being it its this that these those which who whom whose what there their they them we our us you your he his him she her i my me not no so than then too very can could will would shall should may might must do does did has have had if into onto over under about up down out off also just only all any some such each both either neither more most other own same few s t`) {
		m[w] = true
	}
	return m
}()
