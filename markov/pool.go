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
	poolMinWords = 6
	// poolPerSource is how many pooled sentences may start from one
	// sentence of the corpus.
	poolPerSource = 60
	poolMaxWords  = 75
	// maxCopy is the longest run of corpus words a pooled sentence may
	// hold (markovify's limit is 15); shorter runs score better.
	maxCopy    = 15
	preferCopy = 9
	// longCopy is a run of corpus words that makes a sentence count as
	// recited (quality's copy12); at most longShare of the pool does.
	longCopy     = 12
	longShare    = 0.25
	poolAttempts = 30      // attempts per corpus sentence
	poolMaxTries = 160_000 // a quarter of it for a huge corpus (see hugeCorpus)
	maxTagged    = 12_000  // sentences tagged at most, for a large corpus
	// enumerateMax is the largest corpus (in words) for which every first
	// join is tried; larger ones are sampled. Below it, joins are made on
	// one shared word (a small corpus shares few longer runs), above it on
	// the chain's order.
	enumerateMax = 20_000
	// innerTries is how many places a second join is tried at, per word.
	innerTries = 4
)

// joinLarge: a large corpus also joins two sentences at a shared run. Off:
// blind readers marked the joins as the worst phrase of most sherlock
// paragraphs (reading q: "where she can lay his hands into the pockets",
// "This he opened and made a very bad effect upon him") once the edits
// read well; edits alone read better and cost 0.01–0.03 of distinct-3.
const joinLarge = false

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
	grams map[uint64][]occ // the places of each run of k words, for joins
	stop  map[int32]bool
	seen  map[string]bool
	found []scored
	// Free edits (see freePlaces): the words they put in, and words made
	// for them that the corpus does not have as such.
	subs  []subst
	vocab map[string]int32
	extra []string
	// folded indexes the corpus's words as longestCopy reads them, and
	// foldWord and foldExtra are the words of each word id (see
	// foldedIDs): the corpus's words' and made words' (see intern).
	folded              *noveltyIndex
	foldWord, foldExtra [][]int32
	// readWord and readExtra are what the clause reader reads of each
	// word id (see lastClause): the corpus's words' and made words'.
	readWord, readExtra []*clauseToken
	// Buffers accept and longestCopy reuse from call to call.
	toksBuf []string
	copyBuf []int32
	// strict leaves out the edits readers tell (see tells): for a corpus
	// with edits enough without them.
	strict bool
}

// buildPool curates the pool from the novelty index's sentences: joins at
// a shared run of at least k words (so every pooled sentence is a walk of
// an order-k chain), where the words' parts of speech and the clause agree
// on both sides.
func buildPool(x *noveltyIndex, k int, tag tagFunc, seed uint64) []PoolSentence {
	if len(x.corpus) <= enumerateMax {
		k = 1
	}
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
	for id, w := range x.words {
		if stopWord(strings.ToLower(strings.TrimFunc(unescape(w), notLetter))) {
			b.stop[int32(id)] = true
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x706f6f6c)) // "pool"
	b.seen = make(map[string]bool)
	tagged := 0
	consider := func(sa, i int32, o occ) {
		b.joins(rng, nil, nil, sa, i, o, 1, 10, &tagged, func(ids []int32, tags []string, score float64, to int32) {
			b.accept(ids, tags, score, sa, to)
		})
	}
	cut := func(sa int32) (lo, hi int) {
		return max(b.k-1, 2), min(len(b.sents[sa])-3, maxCopy-1)
	}
	if len(x.corpus) <= enumerateMax || !joinLarge {
		// A small corpus shares too few runs of words for joins that read
		// well (blind readers took them for word salad): it edits its
		// sentences instead (see swaps and freePlaces).
	} else {
		// The places of each run of k words, which only joins look up:
		// a map of every place of the corpus, a third of the pool's time
		// on mid5 when it was made for every corpus.
		for s, ids := range b.sents {
			for p := k - 1; p+1 < len(ids); p++ {
				h := hashIDs(ids[p-k+1 : p+1])
				b.grams[h] = append(b.grams[h], occ{int32(s), int32(p)})
			}
		}
		tries := min(poolAttempts*len(b.sents), poolMaxTries)
		if len(x.corpus) > hugeCorpus {
			tries = min(tries, poolMaxTries/4)
		}
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
	// And the corpus's sentences with some words left out, added or
	// swapped for others the corpus says in their place.
	b.swaps(rng, &tagged)
	found := b.found
	slices.SortStableFunc(found, func(p, q scored) int { return cmp.Compare(q.score, p.score) })
	// Keep the best, but no opening more than a fair share: a pool that
	// starts too many sentences the same way gives the text a tic.
	// Nor more than a few sentences made from one sentence of the corpus:
	// they would say much the same.
	capOpen := max(poolPerSource, len(found)/40)
	opens := make(map[string]int)
	sources := make(map[int32]int)
	var pool []PoolSentence
	var long []bool
	for _, f := range found {
		if len(pool) == poolMax {
			break
		}
		if opens[f.open] >= capOpen || sources[f.From] >= poolPerSource {
			continue
		}
		opens[f.open]++
		sources[f.From]++
		pool = append(pool, f.PoolSentence)
		long = append(long, f.long)
	}
	// Then no opening past 2.5 % of what was kept (the essay's commonest,
	// "From Rojava to", opens 3.6 % of its sentences): a small pool of
	// edits would otherwise open a tenth of its sentences "Of course, the".
	most := max(2, len(pool)/40)
	clear(opens)
	// And few sentences that copy longCopy words in a row or more (the
	// guard copy12 ≤ 0.35 counts them): none from a corpus sentence that
	// can be said without, and at most longShare of the sentences said
	// from only with (compose draws a sentence of the corpus first, then
	// one of its variants).
	short := make(map[int32]bool)
	for i, p := range pool {
		if !long[i] {
			short[p.From] = true
		}
	}
	longOnly := make(map[int32]bool)
	out := pool[:0:0]
	for i, p := range pool {
		o := opening(p.Text)
		if opens[o] >= most || long[i] && short[p.From] {
			continue
		}
		if long[i] && !longOnly[p.From] {
			if float64(len(longOnly)+1) > longShare*float64(len(short)+len(longOnly)+1) {
				continue
			}
			longOnly[p.From] = true
		}
		opens[o]++
		out = append(out, p)
	}
	return out
}

// finiteTag reports whether a tag is a finite verb's.
func finiteTag(t string) bool { return t == "VBZ" || t == "VBD" || t == "VBP" || t == "MD" }

// endsAsSource reports whether an edit of sentence from (to == from) ends
// in the clause that sentence ends in.
func (b *poolBuilder) endsAsSource(c clause, from, to int32) bool {
	if from != to || b.cls[from] == nil {
		return false
	}
	src := b.cls[from]
	// Not a fragment that only its neighbour in the corpus makes sense of
	// ("To punish them for letting down…").
	return src[len(src)-1] == c && b.tags[from][0] != "TO" && b.tags[from][0] != "CC" && !strings.HasPrefix(b.tags[from][0], "VBG")
}

// scored is a candidate for the pool.
type scored struct {
	PoolSentence
	score float64
	open  string
	long  bool // copies longCopy words or more in a row
}

// accept adds a candidate sentence to the pool's candidates if it may be
// said: of a reasonable length, whole (see complete), novel (no more than
// maxCopy words in a row from the corpus, and not most of it), balanced
// and not found before.
func (b *poolBuilder) accept(ids []int32, tags []string, score float64, from, to int32) {
	n := len(ids)
	if n < poolMinWords || n > poolMaxWords {
		return
	}
	// The tokens in a buffer of the builder's: accept is called tens of
	// thousands of times, and keeps none of them.
	toks := b.toksBuf[:0]
	for _, id := range ids {
		toks = append(toks, b.word(id))
	}
	b.toksBuf = toks
	// A sentence has a finite verb: "And the courage to enact your will
	// upon a passive world." is a fragment only its neighbour in the
	// corpus makes sense of (readers marked it).
	finite := false
	for i := range tags {
		// "to enact" and "your will" hold no finite verb, whatever the
		// tagger says.
		finite = finite || finiteTag(tags[i]) && (i == 0 || !strings.EqualFold(toks[i-1], "to") && tags[i-1] != "PRP$" && tags[i-1] != "DT")
	}
	if !finite {
		return
	}
	// Whole, or (an edit of one sentence) ending as its sentence does: the
	// clause reader misses some whole sentences of the corpus ("But never
	// mind that, I will just call it all socialism for simplicity's sake."),
	// and an edit that ends as they do is as whole as they are.
	if c := b.lastClause(ids, toks, tags); !complete(c) && !b.endsAsSource(c, from, to) {
		return
	}
	text, ok := joinTokens(toks)
	if !ok {
		return
	}
	// The checks of the text before the costliest, which counts the
	// longest copied run (the order does not change what is accepted).
	if b.seen[text] || !balanced(text) || splitsAtTitle(text) || nestedQuote(text) {
		return
	}
	run, words := b.longestCopy(ids)
	if run > maxCopy || run >= words || float64(run) > 0.85*float64(words) {
		return
	}
	if run <= preferCopy {
		score += 1
	}
	if n >= 12 && n <= 30 {
		score += 0.5
	}
	b.seen[text] = true
	b.found = append(b.found, scored{PoolSentence{text, from, to}, score, opening(text), run >= longCopy})
}

// lastClause is the last of clauses(toks, tags), toks being the words of
// ids, read without keeping the others, and with what the clause reader
// reads of each word (see clauseToken) read once for the pool: accept
// asks it of every candidate sentence, most of them the words of many
// others.
func (b *poolBuilder) lastClause(ids []int32, toks, tags []string) clause {
	r := newClauseReader(toks)
	var c clause
	for i, id := range ids {
		cache, k := &b.readWord, int(id)
		if id < 0 {
			cache, k = &b.readExtra, int(-id-1)
		}
		if k >= len(*cache) {
			*cache = append(*cache, make([]*clauseToken, k+1-len(*cache))...)
		}
		t := (*cache)[k]
		if t == nil {
			t = new(readToken(toks[i]))
			(*cache)[k] = t
		}
		c = r.readWith(i, toks[i], tags[i], *t)
	}
	return c
}

// joins continues the sentence so far (prefix, or sentence sa up to its
// token i) at place o, which shares the k words up to there, and hands each
// sentence it can make to emit: the join alone and, when depth allows, the
// join joined once more further on. score is the worst join's so far.
func (b *poolBuilder) joins(rng *rand.Rand, prefix []int32, ptags []string, sa, i int32, o occ, depth int, worst float64, tagged *int, emit func(ids []int32, tags []string, score float64, to int32)) {
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
	// Around the join, the words agree in kind: before it (three words,
	// the shared ones among them; at a clause's start, the punctuation
	// that ends the clause before) and after it (two words), so what is
	// said next fills the place of what is left out.
	atBoundary := b.boundary(sa, i) && b.boundary(o.s, o.p)
	before, after := int32(3), int32(2)
	if atBoundary {
		before, after = 1, 1
		pa, pc := b.toks[sa][i-1], b.toks[o.s][o.p-1]
		if pa[len(pa)-1] != pc[len(pc)-1] {
			return
		}
	}
	for d := int32(0); d < before; d++ {
		if i-d < 0 || o.p-d < 0 {
			if i-d >= 0 || o.p-d >= 0 {
				return // one side starts its sentence here, the other does not
			}
			break
		}
		if coarse(b.tags[sa][i-d]) != coarse(b.tags[o.s][o.p-d]) {
			return
		}
	}
	for d := int32(1); d <= after; d++ {
		if i+d >= int32(len(a)) || o.p+d >= int32(len(c)) {
			break
		}
		if coarse(b.tags[sa][i+d]) != coarse(b.tags[o.s][o.p+d]) {
			return
		}
	}
	if b.k == 1 && b.stop[a[i]] && !atBoundary {
		// One shared function word ("the", "of") joins any two noun
		// phrases, and readers notice the nonsense: on one word, join only
		// where the word means something or starts a clause.
		return
	}
	score := 0.0
	if atBoundary {
		score += 1
	}
	// A longer shared context makes a surer join; one made only of
	// function words ("of the") joins any two things.
	shared, content := 0, false
	for d := int32(0); i-d >= 0 && o.p-d >= 0 && a[i-d] == c[o.p-d]; d++ {
		shared++
		if !b.stop[a[i-d]] {
			content = true
		}
	}
	score += 0.8 * float64(min(shared, 5)-b.k)
	if content {
		score += 1.5 // "of the", "in the" join any two things
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
	var tags []string
	if prefix == nil {
		ids = append(ids, a[:i+1]...)
		tags = append(tags, b.tags[sa][:i+1]...)
	} else {
		ids = append(ids, prefix...)
		tags = append(tags, ptags...)
	}
	head := len(ids)
	ids = append(ids, c[o.p+1:]...)
	tags = append(tags, b.tags[o.s][o.p+1:]...)
	emit(ids, tags, score, o.s)
	if depth == 0 {
		return
	}
	for j := o.p + 3; j+3 <= int32(len(c)) && j <= o.p+maxCopy; j++ {
		next, nextTags := ids[:head+int(j-o.p)], tags[:head+int(j-o.p)]
		occs := b.grams[hashIDs(c[j-int32(b.k)+1:j+1])]
		for range min(len(occs), innerTries) {
			b.joins(rng, next, nextTags, o.s, j, occs[rng.IntN(len(occs))], depth-1, score, tagged, emit)
		}
	}
}

// boundary reports whether token i of sentence s is a connector that
// starts a clause after punctuation ("…, and", "…; but").
func (b *poolBuilder) boundary(s, i int32) bool {
	if i < 1 {
		return false
	}
	w := strings.ToLower(b.toks[s][i])
	prev := b.toks[s][i-1]
	return connectors[w] && strings.ContainsAny(prev[len(prev)-1:], ",;:") || strings.HasSuffix(prev, "—")
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

// longestCopy returns the length, in words, of the longest run of a
// sentence's words (ids, as accept is given them) that the corpus says in
// a row, and how many words it has. Words as a reader (and the guard that
// counts copied runs) reads them: runs of letters and digits, case
// folded, punctuation between them not counted — "Neo-Anarchists," is two
// words, and "But he" made from "…, but he" copies both.
//
// The words of the sentence's text (its tokens joined by spaces) are the
// words of its tokens one after another, since a space ends a word and
// starts none (see foldWords): each token's are found once (see
// foldedIDs), not each time a sentence holding it is read.
func (b *poolBuilder) longestCopy(ids []int32) (best, words int) {
	fw := b.copyBuf[:0]
	for _, id := range ids {
		fw = append(fw, b.foldedIDs(id)...)
	}
	b.copyBuf = fw
	x := b.folded
	for i := range fw {
		if len(fw)-i <= best {
			break // no run from here on can be longer
		}
		// The suffixes of the corpus that begin with fw[i:i+l], narrowed
		// one word at a time: a run occurs while some are left.
		lo, hi, l := 0, len(x.suffixes), 0
		for i+l < len(fw) && fw[i+l] > 0 {
			if lo, hi = x.narrow(lo, hi, l, fw[i+l]); lo == hi {
				break
			}
			l++
		}
		best = max(best, l)
	}
	return best, len(fw)
}

// foldedIDs returns the ids, in the folded index (see foldIndex), of the
// words of word id's text as foldWords reads them, -1 for a word the
// corpus does not have (only a made word's may be missing). The first call
// builds the folded index.
func (b *poolBuilder) foldedIDs(id int32) []int32 {
	if b.folded == nil {
		b.foldIndex()
	}
	cache := &b.foldExtra
	i := int(-id - 1)
	if id >= 0 {
		cache, i = &b.foldWord, int(id)
	}
	if i >= len(*cache) {
		*cache = append(*cache, make([][]int32, i+1-len(*cache))...)
	}
	if f := (*cache)[i]; f != nil {
		return f
	}
	f := []int32{} // not nil: a token of no words is found once too
	for _, w := range foldWords(b.word(id)) {
		fid, ok := b.folded.ids[w]
		if !ok {
			fid = -1
		}
		f = append(f, fid)
	}
	(*cache)[i] = f
	return f
}

// foldIndex builds the folded index: the corpus's sentences as the words
// foldWords reads in them, indexed as buildNovelty indexes sentences (the
// same ids, first seen first, and the same repeats left out), but each
// distinct token of the corpus folded once, and without the index's
// grams, which longestCopy does not ask for. A folded word holds only
// letters, digits and apostrophes, so it needs no escape.
func (b *poolBuilder) foldIndex() {
	x := &noveltyIndex{words: []string{""}, ids: make(map[string]int32)}
	b.folded = x
	b.foldWord = make([][]int32, len(b.x.words))
	seen := make(map[uint64]struct{}, len(b.sents))
	var run []int32
	for _, ids := range b.sents {
		run = run[:0]
		for _, id := range ids {
			f := b.foldWord[id]
			if f == nil {
				f = []int32{}
				for _, w := range foldWords(b.word(id)) {
					f = append(f, x.intern(w))
				}
				b.foldWord[id] = f
			}
			run = append(run, f...)
		}
		if len(run) > 0 {
			x.add(run, seen)
		}
	}
	x.sortSuffixes()
}

// foldWords splits text into its words, lower-cased, as a reader and the
// guard that counts copied runs read them: runs of letters and digits,
// with an apostrophe inside a word kept in it ("bureaucrat's" and "isn't"
// are one word each, typographic or plain).
func foldWords(text string) []string {
	var out []string
	rs := []rune(strings.ToLower(text))
	alnum := func(i int) bool { return i >= 0 && i < len(rs) && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i])) }
	var w []rune
	for i, r := range rs {
		switch {
		case alnum(i):
			w = append(w, r)
		case (r == '\'' || r == '’') && len(w) > 0 && alnum(i+1):
			w = append(w, '\'')
		case len(w) > 0:
			out = append(out, string(w))
			w = w[:0]
		}
	}
	if len(w) > 0 {
		out = append(out, string(w))
	}
	return out
}

// render joins the words of a pooled sentence.
func (b *poolBuilder) render(ids []int32) (string, bool) {
	toks := make([]string, len(ids))
	for i, id := range ids {
		toks[i] = b.word(id)
	}
	return joinTokens(toks)
}

// joinTokens joins a pooled sentence's tokens (see render), or reports
// that they do not make one line.
func joinTokens(toks []string) (string, bool) {
	// By index: under the race detector, a range over strings calls
	// checkptr at every step, and the pool joins tens of thousands.
	size := len(toks)
	for i := range toks {
		size += len(toks[i])
	}
	var sb strings.Builder
	sb.Grow(size)
	for i := range toks {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(toks[i])
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
	for _, w := range strings.Fields(`a an the of in on at to for from by with and or but nor as is are was were be been being it its this that these those which who whom whose what there their they them we our us you your he his him she her i my me not no so than then too very can could will would shall should may might must do does did has have had if into onto over under about up down out off also just only all any some such each both either neither more most other own same few s t many much one two lot lots way part kind sort number because while when where how why`) {
		m[w] = true
	}
	return m
}()

// balanced reports whether a sentence closes every quote and bracket it
// opens, as a reader counts them.
func balanced(s string) bool {
	q := strings.Count(s, `"`) + strings.Count(s, "“") + strings.Count(s, "”")
	return q%2 == 0 && strings.Count(s, "(") == strings.Count(s, ")") && strings.Count(s, "[") == strings.Count(s, "]")
}

// nestedQuote reports whether a sentence opens or closes a quotation
// within a quotation ("'Next Monday…"), whose single marks a sentence cut
// from its story leaves unbalanced.
func nestedQuote(s string) bool {
	return strings.Contains(s, "\"'") || strings.Contains(s, "'\"") || strings.Contains(s, "“‘") || strings.Contains(s, "’”")
}

// splitsAtTitle reports whether a sentence holds a title's abbreviation
// before a name ("Mr. Jones", "St. Simon") inside a quotation. A reader
// reads it whole, but the guard script ../shared/tools/quality.py splits
// sentences at every full stop before a capital and would count both
// halves as unbalanced quotations; such sentences are few, so the pool
// leaves them out rather than have the guard count them.
func splitsAtTitle(s string) bool {
	if !strings.ContainsAny(s, "\"“”") {
		return false
	}
	for _, t := range []string{"Mr. ", "Mrs. ", "Dr. ", "St. ", "Messrs. ", "Mme. "} {
		if i := strings.Index(s, t); i >= 0 && i+len(t) < len(s) && s[i+len(t)] >= 'A' && s[i+len(t)] <= 'Z' {
			return true
		}
	}
	return false
}
