package markov

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Options tunes Sentence. The zero value gives the defaults below.
type Options struct {
	// Topic lists words to steer through: when one of them is known (see
	// Knows), the sentence passes through it. Unknown words are ignored.
	Topic []string
	// MinBits is the least surprisal, in bits, a sentence must carry: its
	// probability under the chain must be at most 2^-MinBits. It keeps
	// near-certain paths (long runs the chain can only copy) from being said
	// over and over. Default 16 (defaultMinBits); negative disables.
	MinBits float64
	// MaxTries bounds the walks tried before falling back. Default 64.
	MaxTries int
	// MinWords and MaxWords bound a sentence's length in words (default 5
	// and 40); MaxChars its length in characters (default 280).
	MinWords, MaxWords, MaxChars int
	// BackOff is the chance, at a state with only one way on, of drawing
	// the next word from the chain one order lower instead (the successors
	// of every state ending in the same order-1 words): where a small
	// corpus would make the walk copy it, it may turn off. 0 never backs
	// off; order-1 chains never do.
	BackOff float64
}

// defaultMinBits is the default for Options.MinBits.
const defaultMinBits = 16

// Sentence is a generated sentence.
type Sentence struct {
	Text  string
	Words int
	// Bits is the sentence's surprisal under the chain: -log2 of its
	// probability.
	Bits float64
	// Topic is the topic word the sentence passes through, or "".
	Topic string
}

// Sentence generates one readable, novel sentence: capitalised, with
// terminal punctuation, balanced quotes and brackets, no dangling dash, and
// sharing no run of words with the training text longer than 70 % of its
// length or 14 words (markovify's overlap test). It prefers sentences whose
// surprisal is at least opts.MinBits; when none is found in opts.MaxTries
// walks it returns the most surprising acceptable one, and when there is
// none of those, ErrNoSentence. rng is used only by this call.
func (m *Model) Sentence(rng *rand.Rand, opts Options) (Sentence, error) {
	opts = opts.withDefaults()
	var topics []string
	for _, t := range opts.Topic {
		if f := Fold(t); f != "" && m.byWord[f] != nil {
			topics = append(topics, f)
		}
	}
	var best Sentence
	found := false
	ids := make([]int32, 0, 64)
	for try := 0; try < opts.MaxTries; try++ {
		var bits float64
		var ok bool
		topic := ""
		if len(topics) > 0 {
			topic = topics[rng.IntN(len(topics))]
			ids, bits, ok = m.through(rng, topic, ids[:0], opts.BackOff)
		} else {
			ids, bits, ok = m.walk(rng, m.start, ids[:0], 0, opts.BackOff)
		}
		if !ok || len(ids) < opts.MinWords || len(ids) > opts.MaxWords {
			continue
		}
		if bits < opts.MinBits && found && bits <= best.Bits {
			continue // it could only be a fallback, and a worse one
		}
		// Cheap checks first; the text is only built for a keeper.
		if !m.balanced(ids, opts.MaxChars) || !m.novel(ids) {
			continue
		}
		text, ok := m.render(ids, opts.MaxChars)
		if !ok {
			continue
		}
		s := Sentence{Text: text, Words: len(ids), Bits: bits, Topic: topic}
		if bits >= opts.MinBits {
			return s, nil
		}
		if !found || bits > best.Bits {
			best, found = s, true
		}
	}
	if found {
		return best, nil
	}
	return Sentence{}, fmt.Errorf("markov: %w in %d tries", ErrNoSentence, opts.MaxTries)
}

func (o Options) withDefaults() Options {
	if o.MinBits == 0 {
		o.MinBits = defaultMinBits
	}
	if o.MaxTries <= 0 {
		o.MaxTries = 64
	}
	if o.MinWords <= 0 {
		o.MinWords = 5
	}
	if o.MaxWords <= 0 || o.MaxWords > MaxWords {
		o.MaxWords = min(40, MaxWords)
	}
	if o.MaxChars <= 0 {
		o.MaxChars = 280
	}
	return o
}

// draw picks an index in [lo, hi) of a cumulative count table in exact
// proportion to each entry's own count.
func draw(rng *rand.Rand, cum []uint32, lo, hi int32) (int32, uint32, uint32) {
	total := cum[hi-1]
	r := rng.Uint32N(total)
	// Short rows are scanned; long ones searched.
	i := lo
	if hi-lo <= 8 {
		for cum[i] <= r {
			i++
		}
	} else {
		j := hi - 1
		for i < j {
			h := int32(uint32(i+j) >> 1)
			if cum[h] <= r {
				i = h + 1
			} else {
				j = h
			}
		}
	}
	prev := uint32(0)
	if i > lo {
		prev = cum[i-1]
	}
	return i, cum[i] - prev, total
}

// backOffRun is how many forced steps in a row a walk takes before it may
// back off: a run copied from the corpus starts to show only after a few.
const backOffRun = 2

// backOffRunBack is backOffRun for walking backwards, where a turn costs
// more fluency: the words before a topic word lead up to it.
const backOffRunBack = 3

// walk appends the words of a forward walk from state s until the end
// marker, and reports the walk's surprisal added to bits. At a state with
// one successor it backs off to the lower order with chance backOff. It
// reports false when the walk hit MaxWords (a trap state or a runaway
// loop).
func (m *Model) walk(rng *rand.Rand, s int32, ids []int32, bits, backOff float64) ([]int32, float64, bool) {
	var low *backoff
	if backOff > 0 {
		low = m.lower()
	}
	forced := 0 // steps in a row with one way on
	for steps := 0; steps < MaxWords; steps++ {
		lo, hi := m.off[s], m.off[s+1]
		if lo == hi {
			return ids, bits, true
		}
		if hi-lo == 1 {
			forced++
		} else {
			forced = 0
		}
		var w int32
		if low != nil && forced >= backOffRun && low.off[low.group[s]+1]-low.off[low.group[s]] > 1 && rng.Float64() < backOff {
			forced = 0
			g := low.group[s]
			e, n, total := draw(rng, low.cum, low.off[g], low.off[g+1])
			bits += math.Log2(float64(total) / float64(n))
			w, s = low.word[e], low.next[e]
		} else {
			e, n, total := draw(rng, m.edgeCum, lo, hi)
			bits += math.Log2(float64(total) / float64(n))
			w, s = m.edgeWord[e], m.edgeNext[e]
		}
		if w == wordEnd {
			return ids, bits, true
		}
		ids = append(ids, w)
		if s == noState {
			return ids, bits, true
		}
	}
	return ids, bits, false
}

// through appends the words of a sentence that passes through a state ending
// in the folded word topic: a pivot state is drawn in proportion to how often
// it occurs, then the sentence is walked backwards to its start and forwards
// to its end, each step drawn in proportion to its count.
func (m *Model) through(rng *rand.Rand, topic string, ids []int32, backOff float64) ([]int32, float64, bool) {
	p := m.byWord[topic]
	r := rng.Uint64N(p.cum[len(p.cum)-1])
	i, _ := slices.BinarySearch(p.cum, r+1) // the first running count > r
	pivot := p.states[i]
	// Backwards: collect the last word of each state until the start
	// state, backing off as walk does after forced steps.
	var low *backoff
	if backOff > 0 {
		low = m.lower()
	}
	var bits float64
	s := pivot
	forced := 0
	for steps := 0; s != m.start; steps++ {
		if steps >= MaxWords {
			return ids, 0, false
		}
		ids = append(ids, m.stateTok[int(s)*m.order+m.order-1])
		lo, hi := m.prevOff[s], m.prevOff[s+1]
		if lo == hi {
			return ids, 0, false
		}
		if hi-lo == 1 {
			forced++
		} else {
			forced = 0
		}
		var p int32
		if g := int32(-1); low != nil && forced >= backOffRunBack {
			if g = low.before[s]; g >= 0 && low.moff[g+1]-low.moff[g] > 1 && rng.Float64() < backOff {
				forced = 0
				e, n, total := draw(rng, low.mcum, low.moff[g], low.moff[g+1])
				bits += math.Log2(float64(total) / float64(n))
				s = low.members[e]
				continue
			}
		}
		e, n, _ := draw(rng, m.prevCum, lo, hi) // n: the count of p -> s
		p = m.prevState[e]
		bits += math.Log2(float64(m.outTotal(p)) / float64(n))
		s = p
	}
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		ids[i], ids[j] = ids[j], ids[i]
	}
	if len(ids) > MaxWords {
		return ids, 0, false
	}
	return m.walk(rng, pivot, ids, bits, backOff)
}

// outTotal is the number of times state s occurs in the corpus.
func (m *Model) outTotal(s int32) uint32 {
	if m.off[s] == m.off[s+1] {
		return 0
	}
	return m.edgeCum[m.off[s+1]-1]
}

// novel reports whether the sentence shares no run of more than
// min(70 % of its words, 14) words with the training text.
func (m *Model) novel(ids []int32) bool {
	n := len(ids)
	gram := min(n*7/10, 14) + 1
	var buf [64]int32
	run := buf[:0]
	for _, id := range ids {
		run = append(run, m.nid[id])
	}
	// A window can occur in the corpus only if each of its gramLen-word
	// pieces does: count, for each end, how many pieces in a row are known,
	// and look at the suffix array only for windows made of known pieces.
	if gram >= gramLen {
		known := 0
		for i := 0; i+gramLen <= n; i++ {
			if slices.Contains(run[i:i+gramLen], -1) || !m.novelty.hasGram(run[i:i+gramLen]) {
				known = 0
				continue
			}
			known++
			// Pieces i-known+1..i are known: the window ending with piece i
			// and starting at piece i-(gram-gramLen) is a candidate.
			if known >= gram-gramLen+1 {
				start := i - (gram - gramLen)
				if m.novelty.contains(run[start : start+gram]) {
					return false
				}
			}
		}
		return true
	}
	for i := 0; i+gram <= n; i++ {
		if !slices.Contains(run[i:i+gram], -1) && m.novelty.contains(run[i:i+gram]) {
			return false
		}
	}
	return true
}

// render joins words into a sentence and makes it readable, or reports
// false when it cannot be: unbalanced quotes or brackets, a dangling dash,
// or too long.
func (m *Model) render(ids []int32, maxChars int) (string, bool) {
	first, last := m.shown[ids[0]], m.shown[ids[len(ids)-1]]
	if isDash(first) || isDash(last) {
		return "", false
	}
	size := len(ids) - 1
	for _, id := range ids {
		size += len(m.shown[id])
	}
	if size > maxChars+1 {
		return "", false
	}
	var b strings.Builder
	b.Grow(size + 1)
	quotes, parens, brackets := 0, 0, 0
	for i, id := range ids {
		w := m.shown[id]
		if i > 0 {
			b.WriteByte(' ')
		}
		if i == 0 {
			w = capitalise(w)
		}
		for j := 0; j < len(w); j++ {
			switch w[j] {
			case '"':
				quotes++
			case '(':
				parens++
			case ')':
				parens--
			case '[':
				brackets++
			case ']':
				brackets--
			}
			if parens < 0 || brackets < 0 {
				return "", false
			}
		}
		b.WriteString(w)
	}
	if quotes%2 != 0 || parens != 0 || brackets != 0 {
		return "", false
	}
	s := b.String()
	// Terminal punctuation, before any closing quote or bracket.
	core := strings.TrimRight(s, `"')]`)
	switch {
	case core == "":
		return "", false
	case strings.HasSuffix(core, "."), strings.HasSuffix(core, "!"), strings.HasSuffix(core, "?"):
	case strings.ContainsAny(core[len(core)-1:], ",;:"):
		s = core[:len(core)-1] + "." + s[len(core):]
	default:
		s = core + "." + s[len(core):]
	}
	if utf8.RuneCountInString(s) > maxChars {
		return "", false
	}
	return s, true
}

// marks is what balanced needs to know of a word, worked out once.
type marks struct {
	size            int32 // bytes
	quotes          int32 // double quotes
	parens, parMin  int32 // net "(" minus ")", and the lowest running value
	brackets, brMin int32 // the same for "[" and "]"
	dash            bool  // the word is only dashes
}

func markWord(w string) marks {
	var k marks
	k.size = int32(len(w))
	k.dash = isDash(w)
	for j := 0; j < len(w); j++ {
		switch w[j] {
		case '"':
			k.quotes++
		case '(':
			k.parens++
		case ')':
			k.parens--
			k.parMin = min(k.parMin, k.parens)
		case '[':
			k.brackets++
		case ']':
			k.brackets--
			k.brMin = min(k.brMin, k.brackets)
		}
	}
	return k
}

// balanced reports what render would check before building any text: no
// dangling dash, short enough, and quotes and brackets balanced.
func (m *Model) balanced(ids []int32, maxChars int) bool {
	if m.marks[ids[0]].dash || m.marks[ids[len(ids)-1]].dash {
		return false
	}
	size := len(ids) - 1
	var quotes, parens, brackets int32
	for _, id := range ids {
		k := &m.marks[id]
		size += int(k.size)
		if parens+k.parMin < 0 || brackets+k.brMin < 0 {
			return false
		}
		quotes += k.quotes
		parens += k.parens
		brackets += k.brackets
	}
	return size <= maxChars+1 && quotes%2 == 0 && parens == 0 && brackets == 0
}

func isDash(w string) bool { return strings.Trim(w, "-\u2014\u2013") == "" }

// capitalise upper-cases the first letter of w, after any opening quote or
// bracket.
func capitalise(w string) string {
	i := strings.IndexFunc(w, unicode.IsLetter)
	if i < 0 {
		return w
	}
	r, size := utf8.DecodeRuneInString(w[i:])
	if unicode.IsUpper(r) {
		return w
	}
	return w[:i] + string(unicode.ToUpper(r)) + w[i+size:]
}
