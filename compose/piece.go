package compose

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"

	"github.com/glowcloud/glowcloud/markov"
)

// A piece is the text being written. Its sentences come from the model's
// curated pool (see markov.PoolSentence) where it has one: each next
// sentence is the one that best carries the argument on — it picks up
// where the corpus went after the sentence before, or a word it said, or
// the topic — among those that say no five words the piece already said
// and open no way a sentence of the piece already opened. A model without
// a pool (or a topic no pooled sentence says) falls back to a walk of the
// chain.
type piece struct {
	w     *Writer
	rng   *rand.Rand
	topic []string // steerable topic words
	said  map[string]bool
	runs  map[uint64]bool // 5-word runs said, by hash, but the pool's (see marks.runs)
	opens map[string]bool // 3-word openings said
	// joined counts the sentences said that open with a connective.
	joined int
	prev   []string // content words of the last sentence
	last   int32    // the corpus sentence the last pooled sentence ended in; -1 none
	// words holds the words of each sentence said, for the title.
	words [][]string
	// mustFollow: the next sentence must carry the corpus's argument on
	// (see follow).
	mustFollow bool
	// opening: the next sentence opens a paragraph (see paragraph).
	opening bool
	// x is the writer's pool index, and marks what the piece said, over
	// it.
	x     *poolIndex
	marks marks
}

// marks is what a piece has said, as flags over its pool index: the
// questions fromPool asks of each candidate of each sentence, answered by
// indexing a slice rather than by hashing into a map (a sentence's 5-word
// runs were most of its time). say and reserve keep them beside the
// piece's maps (which a walk of the chain reads).
type marks struct {
	// pooled holds flags by pooled sentence: blocked (one of its 5-word
	// runs said) and seen (fromPool's candidates).
	pooled []uint8
	// sources holds flags by source (see poolIndex.sources): started (a
	// pooled sentence said started there) and variant (fromPool's, one
	// variant each).
	sources []uint8
	// words holds flags by content word of the pool: prev (said in the
	// last sentence) and topic (a topic word).
	words []uint8
	// prevIDs are the words marked prev.
	prevIDs []int32
	// runs marks the pool's 5-word runs said, a bit by run id.
	runs []uint64
	// cands is fromPool's candidates, kept between its calls.
	cands []int32
}

// The flags of marks.pooled.
const (
	markBlocked uint8 = 1 << iota
	markSeen
)

// The flags of marks.sources.
const (
	markStarted uint8 = 1 << iota
	markVariant
)

// The flags of marks.words.
const (
	markPrev uint8 = 1 << iota
	markTopic
)

func (w *Writer) newPiece(rng *rand.Rand, topic []string) *piece {
	x := w.pool()
	p := &piece{w: w, rng: rng, topic: topic, said: make(map[string]bool, 32),
		runs: make(map[uint64]bool, 128), opens: make(map[string]bool, 16), last: -1, x: x}
	if len(x.s) > 0 {
		b := make([]uint8, len(x.s)+len(x.sources)+len(x.vocab))
		p.marks.pooled, b = b[:len(x.s):len(x.s)], b[len(x.s):]
		p.marks.sources, p.marks.words = b[:len(x.sources):len(x.sources)], b[len(x.sources):]
		p.marks.runs = make([]uint64, (len(x.runHash)+63)/64)
		for _, t := range topic {
			if id := x.wordID(t); id >= 0 {
				p.marks.words[id] |= markTopic
			}
		}
	}
	return p
}

// Selection settings for the walk a model without a pool falls back to.
const (
	// longSentence is the room below which a piece may walk the chain
	// when the pool has nothing short enough.
	longSentence = 160
	maxDraws     = 12  // draws a sentence
	backOff      = 0.6 // markov.Options.BackOff for the walks
)

// next returns the next sentence, steered towards the topic when topical
// is set. It returns "" when the model has nothing acceptable to say.
func (p *piece) next(topical bool, maxChars int) string {
	if len(p.x.s) > 0 {
		if s, ok := p.fromPool(topical, maxChars); ok {
			return s
		}
		if maxChars >= longSentence {
			return ""
		}
		// A short piece (a squint after a long topic) may find no pooled
		// sentence short enough: a walk fills it.
	}
	return p.walk(topical, maxChars)
}

// followWindow is how far on in the corpus a sentence may come from and
// still carry on the argument of the one before it.
const followWindow = 8

// fromPool picks the pooled sentence that best continues the piece.
func (p *piece) fromPool(topical bool, maxChars int) (string, bool) {
	x, mk := p.x, &p.marks
	if len(x.s) == 0 {
		return "", false
	}
	cands := mk.cands[:0]
	addAll := func(ids []int32, limit int) {
		for _, i := range ids {
			if len(cands) >= 160 || limit == 0 {
				return
			}
			if mk.pooled[i]&markSeen == 0 {
				mk.pooled[i] |= markSeen
				cands = append(cands, i)
				limit--
			}
		}
	}
	wantTopic := topical && len(p.topic) > 0
	if wantTopic {
		for _, t := range p.topic {
			addAll(x.byWord[t], 200)
		}
		// No pooled sentence says the topic: go on with the argument (a
		// walk through the topic would read as word salad; the caller says
		// the topic in the essay's voice instead).
		wantTopic = len(cands) > 0
	}
	if !wantTopic {
		if p.last >= 0 {
			for f := p.last; f <= p.last+followWindow; f++ {
				addAll(x.startingAt(f), 40)
			}
		}
		for _, w := range p.prev {
			addAll(x.byWord[w], 30)
		}
		// And some from anywhere, so a thread can also turn (and a short
		// piece finds sentences short enough).
		for range 60 {
			vs := x.bySource[p.rng.IntN(len(x.sources))]
			addAll(vs[p.rng.IntN(len(vs)):][:1], 1)
		}
	}
	// canFollow: the corpus's next sentences hold one that may be said.
	canFollow := false
	for f := p.last + 1; p.last >= 0 && f <= p.last+followWindow && !canFollow; f++ {
		canFollow = len(x.startingAt(f)) > 0
	}
	// One variant of each corpus sentence competes, drawn at random: a
	// sentence the pool holds many variants of is not said more often.
	p.rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	// sameFirst: the word the last sentence opened with, which the next
	// may not open with ("And …. And …" reads as a tic even when the
	// openings differ after it).
	sameFirst := ""
	if len(p.words) > 0 && len(p.words[len(p.words)-1]) > 0 {
		sameFirst = p.words[len(p.words)-1][0]
	}
	best, bestScore := int32(-1), 0.0
	for _, i := range cands {
		s := &x.s[i]
		d := s.From - p.last
		follows := p.last >= 0 && d >= 1 && d <= followWindow
		// The cheap checks first: this runs for every candidate of every
		// sentence, and of every sentence the balance writes.
		if p.mustFollow && !follows || mk.sources[x.src[i]]&(markVariant|markStarted) != 0 || len(s.Text) > maxChars || x.selfRepeat[i] || mk.pooled[i]&markBlocked != 0 || p.opens[x.open[i]] || sameFirst != "" && strings.EqualFold(x.first[i], sameFirst) || p.said[s.Text] {
			continue
		}
		mk.sources[x.src[i]] |= markVariant
		score := p.rng.Float64() * 2 // variety
		if x.penalty != nil {
			if follows && d <= 3 {
				score -= x.penalty[s.From] / 2
			} else {
				score -= x.penalty[s.From]
			}
		}
		if x.joined[i] && (p.last < 0 || p.joined > 0) {
			// "And…", "But…": a piece opens with none, and says one at most
			// (a reading of twelve paragraphs found seven of sixteen
			// sentences opening so).
			score -= 3
		}
		switch {
		case x.refers[i] && p.last < 0:
			// Opening a piece, it would point at nothing. Said only when
			// nothing else will do.
			score -= 6
		case x.refers[i] && canFollow && !(follows && d <= 2):
			// Where the piece could follow the corpus instead, said after
			// a sentence that is not the one it follows there, it may
			// point at the wrong thing (blind readers marked "This
			// remained the case when…" in paragraph after paragraph).
			// Where nothing follows, every choice is a turn, and a story's
			// sentences mostly open with "he" or "she".
			score -= 2.5
		}
		if p.opening {
			// A paragraph opens where the corpus goes on in sentences that
			// may be said, so that it can follow the argument (readers
			// took the paragraphs that do for a person's, P 60-90 %).
			n := 0
			for f := s.To + 1; f <= s.To+3 && n < 2; f++ {
				if k := x.source(f); k >= 0 && mk.sources[k]&markStarted == 0 {
					n++
				}
			}
			score += 1.2 * float64(n)
		}
		if follows {
			// The corpus's own next sentences carry its argument on: blind
			// readers found paragraphs of sentences from far apart
			// unrelated (coherence 1.75 of 5), and took those that follow
			// the corpus sentence by sentence for a person's.
			score += 5 - 0.6*float64(d)
		}
		for _, w := range x.content[i] {
			if mk.words[w]&markPrev != 0 {
				score += 1.5
				break
			}
		}
		if wantTopic {
			for _, w := range x.content[i] {
				if mk.words[w]&markTopic != 0 {
					score += 3
					break
				}
			}
		}
		if best < 0 || score > bestScore {
			best, bestScore = i, score
		}
	}
	for _, i := range cands {
		mk.pooled[i] &^= markSeen
		mk.sources[x.src[i]] &^= markVariant
	}
	mk.cands = cands[:0]
	if best < 0 {
		if wantTopic {
			// Nothing on the topic may be said here: anything may.
			return p.fromPool(false, maxChars)
		}
		return "", false
	}
	s := x.s[best]
	if x.joined[best] {
		p.joined++
	}
	p.sayPooled(best)
	p.last = s.To
	mk.sources[x.src[best]] |= markStarted
	return s.Text, true
}

// follow returns a pooled sentence that carries the corpus's argument on
// from the piece's last one (from the corpus's next eight sentences), or
// "" if none may be said.
func (p *piece) follow(maxChars int) string {
	p.mustFollow = true
	defer func() { p.mustFollow = false }()
	s, _ := p.fromPool(false, maxChars)
	return s
}

// walk draws sentences from the chain, for a model without a pool.
func (p *piece) walk(topical bool, maxChars int) string {
	steer := p.steerable(p.prev)
	for i := 0; i < maxDraws; i++ {
		var words []string
		switch {
		case topical && len(p.topic) > 0 && i%2 == 0:
			words = p.topic
		case len(steer) > 0 && i%3 != 2:
			words = steer
		}
		s, err := p.w.m.Sentence(p.rng, markov.Options{Topic: words, MaxChars: maxChars, BackOff: backOff})
		if errors.Is(err, markov.ErrNoSentence) && len(words) > 0 {
			s, err = p.w.m.Sentence(p.rng, markov.Options{MaxChars: maxChars, BackOff: backOff})
		}
		if err != nil || p.said[s.Text] {
			continue
		}
		ws := textWords(s.Text)
		if p.repeats(ws) || p.opens[openingOf(ws)] {
			continue
		}
		p.say(s.Text, ws)
		p.last = -1
		return s.Text
	}
	return ""
}

// steerable returns the words the model can steer through.
func (p *piece) steerable(words []string) []string {
	var out []string
	for _, w := range words {
		if p.w.m.Knows(w) && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// repeats reports whether words say again a run of five words the piece
// said, or say one twice.
func (p *piece) repeats(words []string) bool {
	runs := runHashes(words)
	return repeatsItself(runs) || p.repeatsSaid(runs)
}

// repeatsSaid reports whether any of runs (by hash) was said in the piece.
func (p *piece) repeatsSaid(runs []uint64) bool {
	for _, r := range runs {
		if p.runs[r] {
			return true
		}
		if id := p.x.runID(r); id >= 0 && p.marks.runs[id/64]&(1<<(id%64)) != 0 {
			return true
		}
	}
	return false
}

// repeatsItself reports whether a sentence says one of its 5-word runs
// twice.
func repeatsItself(runs []uint64) bool {
	for i, r := range runs {
		if slices.Contains(runs[:i], r) {
			return true
		}
	}
	return false
}

// runHashes hashes each run of five words (FNV-1a over the words, a
// separator between them).
func runHashes(words []string) []uint64 {
	if len(words) < 5 {
		return nil
	}
	out := make([]uint64, 0, len(words)-4)
	for i := 0; i+5 <= len(words); i++ {
		h := uint64(14695981039346656037)
		for _, w := range words[i : i+5] {
			for j := 0; j < len(w); j++ {
				h ^= uint64(w[j])
				h *= 1099511628211
			}
			h ^= ' '
			h *= 1099511628211
		}
		out = append(out, h)
	}
	return out
}

// say adds a sentence to the piece.
func (p *piece) say(text string, words []string) {
	p.sayText(text, words, openingOf(words))
	p.reserveRuns(runHashes(words))
	if p.marks.words != nil {
		var ids []int32
		for _, w := range p.prev {
			if id := p.x.wordID(w); id >= 0 {
				ids = append(ids, id)
			}
		}
		p.markPrev(ids)
	}
}

// sayPooled says pooled sentence i, from what the pool index knows of it.
func (p *piece) sayPooled(i int32) {
	x := p.x
	p.sayText(x.s[i].Text, x.words[i], x.open[i])
	for _, id := range x.runSeq[x.runAt[i]:x.runAt[i+1]] {
		p.sayRun(id)
	}
	p.markPrev(x.content[i])
}

// sayText keeps what say keeps of a sentence's text, words and opening,
// and its content words as the last sentence's.
func (p *piece) sayText(text string, words []string, open string) {
	p.said[text] = true
	p.words = append(p.words, words)
	if open != "" {
		p.opens[open] = true
	}
	p.prev = contentWords(words)
}

// markPrev marks the content words of the last sentence, by vocab id.
func (p *piece) markPrev(ids []int32) {
	mk := &p.marks
	if mk.words == nil {
		return
	}
	for _, id := range mk.prevIDs {
		mk.words[id] &^= markPrev
	}
	mk.prevIDs = append(mk.prevIDs[:0], ids...)
	for _, id := range ids {
		mk.words[id] |= markPrev
	}
}

// contentWords returns the words of a sentence that carry meaning, in
// order, repeats kept: what the next sentence may pick up.
func contentWords(words []string) []string {
	var out []string
	for _, w := range words {
		if isContent(w) {
			out = append(out, w)
		}
	}
	return out
}

// add adds a sentence that was not chosen by next (a template line): it is
// said, whatever it repeats.
func (p *piece) add(text string) {
	p.say(text, textWords(text))
}

// reserve keeps the piece from saying what a line that will close it says.
func (p *piece) reserve(text string) {
	p.reserveRuns(runHashes(textWords(text)))
}

// reserveRuns keeps the piece from saying any of runs (5-word runs, by
// hash) again.
func (p *piece) reserveRuns(runs []uint64) {
	for _, r := range runs {
		if id := p.x.runID(r); id >= 0 {
			p.sayRun(id)
		} else {
			p.runs[r] = true
		}
	}
}

// sayRun keeps the piece from saying the pool's 5-word run id again.
func (p *piece) sayRun(id int32) {
	if w, bit := &p.marks.runs[id/64], uint64(1)<<(id%64); *w&bit == 0 {
		*w |= bit
		for _, i := range p.x.runSents[p.x.runSentAt[id]:p.x.runSentAt[id+1]] {
			p.marks.pooled[i] |= markBlocked
		}
	}
}

// textWords returns the words of text, lower-cased: runs of letters and
// digits, with apostrophes inside a word kept.
func textWords(text string) []string {
	var out []string
	start := -1
	flush := func(end int) {
		if start >= 0 {
			out = append(out, strings.ToLower(strings.Trim(text[start:end], "'’")))
			start = -1
		}
	}
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || (r == '\'' || r == '’') && start >= 0 {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(text))
	return slices.DeleteFunc(out, func(w string) bool { return w == "" })
}

// openingOf is the first three words of a sentence.
func openingOf(words []string) string {
	if len(words) < 3 {
		return ""
	}
	return strings.Join(words[:3], " ")
}

// refersBack reports whether a sentence of words opens by pointing back at
// something said before it ("This remained the case…", "But this change…",
// "Based on those experiences, she…"): within its first four words, after
// any connective, a demonstrative or a personal pronoun of the third
// person. Said where its antecedent is not just before, such a sentence
// points at nothing, and blind readers marked it (readings t and u:
// "openings that refer back to nothing").
func refersBack(words []string) bool {
	i := 0
	for i < len(words) && connectives[words[i]] {
		i++
	}
	if i+1 < len(words) && ordinals[words[i]] && (words[i+1] == "was" || words[i+1] == "were" || words[i+1] == "and") {
		// "Fourth was an extensive use of corvée labor": an item of a
		// list said before.
		return true
	}
	if i < len(words) && (words[i] == "it" || words[i] == "its" || words[i] == "it's" || words[i] == "it’s") {
		// "It's not a form of tyranny…" is said of socialism, named in
		// the sentence before it in the essay (readers marked it said
		// elsewhere).
		return true
	}
	for _, w := range words[i:min(len(words), i+4)] {
		if backward[w] {
			return true
		}
	}
	return false
}

// connectives open a sentence without being its subject.
var connectives = map[string]bool{"but": true, "and": true, "yet": true, "so": true, "indeed": true, "still": true, "then": true}

// ordinals open the items of a list said over several sentences.
var ordinals = map[string]bool{"first": true, "second": true, "third": true, "fourth": true, "fifth": true, "finally": true, "lastly": true}

// backward are the words that point back at something said before.
var backward = map[string]bool{
	"this": true, "these": true, "those": true, "that": true, "such": true, "latter": true, "former": true,
	"she": true, "her": true, "he": true, "his": true, "him": true, "they": true, "their": true, "them": true,
}

// isContent reports whether a word carries meaning worth picking up.
func isContent(w string) bool {
	return len([]rune(w)) > 3 && !stopWords[w] && !glue[w]
}

// glue is words too common to carry an argument, beside stopWords.
var glue = map[string]bool{
	"about": true, "after": true, "also": true, "been": true, "before": true, "being": true, "both": true,
	"could": true, "does": true, "doing": true, "down": true, "each": true, "even": true, "from": true,
	"have": true, "having": true, "here": true, "into": true, "just": true, "more": true, "most": true,
	"much": true, "must": true, "only": true, "other": true, "over": true, "same": true, "should": true,
	"some": true, "such": true, "than": true, "that": true, "their": true, "them": true, "then": true,
	"there": true, "these": true, "they": true, "this": true, "those": true, "through": true, "under": true,
	"very": true, "were": true, "what": true, "when": true, "where": true, "which": true, "while": true,
	"will": true, "with": true, "would": true, "your": true, "it's": true, "we're": true, "they're": true,
}

// poolIndex indexes a model's pool for the piece. It is held as long as
// its Writer (scripture's cache charges for it): flat slices, not maps,
// where it can.
type poolIndex struct {
	s       []markov.PoolSentence
	words   [][]string
	content [][]int32 // content words, each once, by id (see vocab)
	open    []string
	first   []string // the first word, as written (see fromPool's sameFirst)
	refers  []bool   // opens by referring back (see refersBack)
	joined  []bool   // opens with a connective (see connectives)
	// selfRepeat marks the sentences that say a 5-word run twice.
	selfRepeat []bool
	// vocab is the pool's content words, sorted: a word's id is its index.
	vocab  []string
	byWord map[string][]int32 // content word -> pooled sentences saying it
	// sources are the corpus sentences pooled sentences start from, in
	// order; a source is an index into it.
	sources  []int32
	sourceOf []int32   // corpus sentence -> its source; -1 none
	src      []int32   // pooled sentence -> its source
	bySource [][]int32 // source -> pooled sentences starting there
	// runHash is the hashes of the pool's 5-word runs (see runHashes),
	// sorted: a run's id is its index. Sentence i's runs are
	// runSeq[runAt[i]:runAt[i+1]], in order; the sentences that say run r
	// are runSents[runSentAt[r]:runSentAt[r+1]].
	runHash             []uint64
	runAt, runSeq       []int32
	runSentAt, runSents []int32
	// penalty evens out how often each corpus sentence is said (see
	// balance).
	penalty []float64 // by corpus sentence; nil before balance
}

func buildPoolIndex(m *markov.Model) *poolIndex {
	pool := m.Pool()
	n := len(pool)
	x := &poolIndex{s: pool, words: make([][]string, n), content: make([][]int32, n),
		open: make([]string, n), first: make([]string, n), refers: make([]bool, n), joined: make([]bool, n),
		selfRepeat: make([]bool, n), byWord: make(map[string][]int32), runAt: make([]int32, n+1)}
	for _, s := range pool {
		if int(s.From) >= len(x.sourceOf) {
			x.sourceOf = append(x.sourceOf, make([]int32, int(s.From)+1-len(x.sourceOf))...)
		}
		x.sourceOf[s.From] = 1
	}
	for f, ok := range x.sourceOf {
		x.sourceOf[f] = -1
		if ok == 1 {
			x.sourceOf[f] = int32(len(x.sources))
			x.sources = append(x.sources, int32(f))
		}
	}
	x.src, x.bySource = make([]int32, n), make([][]int32, len(x.sources))
	content := make([][]string, n)
	var runs []uint64 // every sentence's, in order (see runAt)
	for i, s := range pool {
		id := int32(i)
		ws := textWords(s.Text)
		x.words[i] = ws
		x.open[i] = openingOf(ws)
		x.first[i] = firstWord(s.Text)
		x.refers[i] = refersBack(ws)
		x.joined[i] = len(ws) > 0 && connectives[ws[0]]
		rs := runHashes(ws)
		x.selfRepeat[i] = repeatsItself(rs)
		runs = append(runs, rs...)
		x.runAt[i+1] = int32(len(runs))
		for _, w := range ws {
			if isContent(w) && !slices.Contains(content[i], w) {
				content[i] = append(content[i], w)
				x.byWord[w] = append(x.byWord[w], id)
			}
		}
		x.src[i] = x.sourceOf[s.From]
		x.bySource[x.src[i]] = append(x.bySource[x.src[i]], id)
	}
	x.vocab = make([]string, 0, len(x.byWord))
	for w := range x.byWord {
		x.vocab = append(x.vocab, w)
	}
	slices.Sort(x.vocab)
	for i, ws := range content {
		x.content[i] = make([]int32, len(ws))
		for k, w := range ws {
			x.content[i][k] = x.wordID(w)
		}
	}
	x.runHash = slices.Compact(slices.Sorted(slices.Values(runs)))
	x.runSeq = make([]int32, len(runs))
	x.runSentAt = make([]int32, len(x.runHash)+1)
	for i := range pool {
		seq := x.runSeq[x.runAt[i]:x.runAt[i+1]]
		for k, r := range runs[x.runAt[i]:x.runAt[i+1]] {
			seq[k] = x.runID(r)
			if !slices.Contains(seq[:k], seq[k]) {
				x.runSentAt[seq[k]+1]++
			}
		}
	}
	for r := range x.runHash {
		x.runSentAt[r+1] += x.runSentAt[r]
	}
	x.runSents = make([]int32, x.runSentAt[len(x.runHash)])
	next := slices.Clone(x.runSentAt[:len(x.runHash)])
	for i := range pool {
		seq := x.runSeq[x.runAt[i]:x.runAt[i+1]]
		for k, r := range seq {
			if !slices.Contains(seq[:k], r) {
				x.runSents[next[r]] = int32(i)
				next[r]++
			}
		}
	}
	return x
}

// wordID returns the id of a content word of the pool, -1 if it is none.
func (x *poolIndex) wordID(w string) int32 {
	if i, ok := slices.BinarySearch(x.vocab, w); ok {
		return int32(i)
	}
	return -1
}

// runID returns the id of a 5-word run of the pool, by hash, -1 if it is
// none.
func (x *poolIndex) runID(h uint64) int32 {
	if i, ok := slices.BinarySearch(x.runHash, h); ok {
		return int32(i)
	}
	return -1
}

// source returns the source of corpus sentence f (see sources), -1 if no
// pooled sentence starts there.
func (x *poolIndex) source(f int32) int32 {
	if f < 0 || int(f) >= len(x.sourceOf) {
		return -1
	}
	return x.sourceOf[f]
}

// startingAt returns the pooled sentences that start at corpus sentence f.
func (x *poolIndex) startingAt(f int32) []int32 {
	if k := x.source(f); k >= 0 {
		return x.bySource[k]
	}
	return nil
}

// firstWord is the word a sentence opens with, as written, without the
// punctuation around it.
func firstWord(text string) string {
	first, _, _ := strings.Cut(text, " ")
	return strings.Trim(first, ",;:\"“'‘")
}
