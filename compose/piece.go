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
	runs  map[uint64]bool // 5-word runs said, by hash
	opens map[string]bool // 3-word openings said
	// joined counts the sentences said that open with a connective.
	joined int
	prev   []string       // content words of the last sentence
	last   int32          // the corpus sentence the last pooled sentence ended in; -1 none
	from   map[int32]bool // corpus sentences the piece's pooled sentences started from
	// words holds the words of each sentence said, for the title.
	words [][]string
	// mustFollow: the next sentence must carry the corpus's argument on
	// (see follow).
	mustFollow bool
	// opening: the next sentence opens a paragraph (see paragraph).
	opening bool
	// pool is the pool index, set only while the index balances itself
	// (see balance); otherwise the writer's.
	pool *poolIndex
	// fromPool's scratch, kept between its calls so that a manifesto
	// makes its maps once rather than twice a sentence.
	seen, variant map[int32]bool
	cands         []int32
}

func (w *Writer) newPiece(rng *rand.Rand, topic []string) *piece {
	return &piece{w: w, rng: rng, topic: topic, said: make(map[string]bool, 32),
		runs: make(map[uint64]bool, 128), opens: make(map[string]bool, 16), last: -1, from: make(map[int32]bool, 16)}
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
	if len(p.w.pool().s) > 0 {
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
	x := p.pool
	if x == nil {
		x = p.w.pool()
	}
	if len(x.s) == 0 {
		return "", false
	}
	if p.seen == nil {
		p.seen, p.variant = make(map[int32]bool, 64), make(map[int32]bool, 64)
	}
	seen := p.seen
	clear(seen)
	cands := p.cands[:0]
	defer func() { p.cands = cands[:0] }()
	addAll := func(ids []int32, limit int) {
		for _, i := range ids {
			if len(cands) >= 160 || limit == 0 {
				return
			}
			if !seen[i] {
				seen[i] = true
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
				addAll(x.byFrom[f], 40)
			}
		}
		for _, w := range p.prev {
			addAll(x.byWord[w], 30)
		}
		// And some from anywhere, so a thread can also turn (and a short
		// piece finds sentences short enough).
		for range 60 {
			vs := x.byFrom[x.sources[p.rng.IntN(len(x.sources))]]
			addAll([]int32{vs[p.rng.IntN(len(vs))]}, 1)
		}
	}
	// canFollow: the corpus's next sentences hold one that may be said.
	canFollow := false
	for f := p.last + 1; p.last >= 0 && f <= p.last+followWindow && !canFollow; f++ {
		canFollow = len(x.byFrom[f]) > 0
	}
	// One variant of each corpus sentence competes, drawn at random: a
	// sentence the pool holds many variants of is not said more often.
	p.rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	from := p.variant
	clear(from)
	best, bestScore := int32(-1), 0.0
	for _, i := range cands {
		s := x.s[i]
		d := s.From - p.last
		follows := p.last >= 0 && d >= 1 && d <= followWindow
		// The cheap checks first: this runs for every candidate of every
		// sentence, and of every sentence the balance writes.
		if p.mustFollow && !follows || from[s.From] || p.from[s.From] || len(s.Text) > maxChars || x.selfRepeat[i] || p.opens[x.open[i]] || p.sameFirst(s.Text) || p.said[s.Text] || p.repeatsSaid(x.runs[i]) {
			continue
		}
		from[s.From] = true
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
				if len(x.byFrom[f]) > 0 && !p.from[f] {
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
			if slices.Contains(p.prev, w) {
				score += 1.5
				break
			}
		}
		if wantTopic {
			for _, w := range x.content[i] {
				if slices.Contains(p.topic, w) {
					score += 3
					break
				}
			}
		}
		if best < 0 || score > bestScore {
			best, bestScore = i, score
		}
	}
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
	p.say(s.Text, x.words[best])
	p.last = s.To
	p.from[s.From] = true
	return s.Text, true
}

// walk draws sentences from the chain, for a model without a pool.
// follow returns a pooled sentence that carries the corpus's argument on
// from the piece's last one (from the corpus's next eight sentences), or
// "" if none may be said.
func (p *piece) follow(maxChars int) string {
	p.mustFollow = true
	defer func() { p.mustFollow = false }()
	s, _ := p.fromPool(false, maxChars)
	return s
}

// sameFirst reports whether a sentence opens with the word the last one
// opened with: "And …. And …" reads as a tic even when the openings differ
// after it.
func (p *piece) sameFirst(text string) bool {
	if len(p.words) == 0 {
		return false
	}
	last := p.words[len(p.words)-1]
	first, _, _ := strings.Cut(text, " ")
	return len(last) > 0 && strings.EqualFold(strings.Trim(first, ",;:\"“'‘"), last[0])
}

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
func (p *piece) repeats(words []string) bool { return p.repeatsRuns(runHashes(words)) }

// repeatsRuns is repeats for the hashes of a sentence's 5-word runs.
func (p *piece) repeatsRuns(runs []uint64) bool { return repeatsItself(runs) || p.repeatsSaid(runs) }

// repeatsSaid reports whether any of runs was said in the piece.
func (p *piece) repeatsSaid(runs []uint64) bool {
	for _, r := range runs {
		if p.runs[r] {
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
	p.said[text] = true
	p.words = append(p.words, words)
	for _, r := range runHashes(words) {
		p.runs[r] = true
	}
	if o := openingOf(words); o != "" {
		p.opens[o] = true
	}
	p.prev = p.prev[:0:0]
	for _, w := range words {
		if isContent(w) {
			p.prev = append(p.prev, w)
		}
	}
}

// add adds a sentence that was not chosen by next (a template line): it is
// said, whatever it repeats.
func (p *piece) add(text string) {
	p.say(text, textWords(text))
}

// reserve keeps the piece from saying what a line that will close it says.
func (p *piece) reserve(text string) {
	for _, r := range runHashes(textWords(text)) {
		p.runs[r] = true
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

// poolIndex indexes a model's pool for the piece.
type poolIndex struct {
	s       []markov.PoolSentence
	words   [][]string
	content [][]string
	open    []string
	refers  []bool     // opens by referring back (see refersBack)
	joined  []bool     // opens with a connective (see connectives)
	runs    [][]uint64 // hashes of each sentence's 5-word runs
	// selfRepeat marks the sentences that say a 5-word run twice.
	selfRepeat []bool
	byWord     map[string][]int32 // content word -> pooled sentences saying it
	byFrom     map[int32][]int32  // corpus sentence -> pooled sentences starting there
	sources    []int32            // the corpus sentences of byFrom, in order
	// penalty evens out how often each corpus sentence is said (see
	// balance).
	penalty []float64 // by corpus sentence; nil before balance
}

func buildPoolIndex(m *markov.Model) *poolIndex {
	pool := m.Pool()
	x := &poolIndex{s: pool, words: make([][]string, len(pool)), content: make([][]string, len(pool)),
		open: make([]string, len(pool)), refers: make([]bool, len(pool)), joined: make([]bool, len(pool)), selfRepeat: make([]bool, len(pool)), runs: make([][]uint64, len(pool)), byWord: make(map[string][]int32), byFrom: make(map[int32][]int32)}
	for i, s := range pool {
		ws := textWords(s.Text)
		x.words[i] = ws
		x.open[i] = openingOf(ws)
		x.refers[i] = refersBack(ws)
		x.joined[i] = len(ws) > 0 && connectives[ws[0]]
		x.runs[i] = runHashes(ws)
		x.selfRepeat[i] = repeatsItself(x.runs[i])
		for _, w := range ws {
			if isContent(w) && !slices.Contains(x.content[i], w) {
				x.content[i] = append(x.content[i], w)
				x.byWord[w] = append(x.byWord[w], int32(i))
			}
		}
		if len(x.byFrom[s.From]) == 0 {
			x.sources = append(x.sources, s.From)
		}
		x.byFrom[s.From] = append(x.byFrom[s.From], int32(i))
	}
	slices.Sort(x.sources)
	return x
}
