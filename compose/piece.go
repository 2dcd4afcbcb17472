package compose

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/quality"
)

// A piece is the text being written: each next sentence is chosen for it
// from several candidates, best first (the way cobe and MegaHAL score
// replies). A candidate that says again a run of five words the piece
// already said, or that the reader would see with an unbalanced quote, is
// never taken while another will do; among the rest, a candidate copying
// twelve words of the corpus loses most, one copying eight loses some, and
// one that picks up a content word of the sentence before (or the topic,
// where the topic is wanted) gains.
type piece struct {
	w     *Writer
	rng   *rand.Rand
	topic []string // steerable topic words
	said  map[string]bool
	runs  map[uint64]bool // 5-word runs said, by hash
	prev  []string        // content words of the last sentence
	// hashes is scratch space for the words of a candidate.
	hashes []uint64
	// words holds the words of each sentence said, for the title.
	words [][]string
}

func (w *Writer) newPiece(rng *rand.Rand, topic []string) *piece {
	return &piece{w: w, rng: rng, topic: topic, said: make(map[string]bool, 32), runs: make(map[uint64]bool, 512)}
}

// Selection settings, tuned on the essay and sherlock with `glowcloud
// quality` (see BENCHMARKS.md).
const (
	candidates  = 3   // candidates a sentence
	maxDraws    = 12  // draws a sentence, when no candidate will do
	backOff     = 0.6 // markov.Options.BackOff for the walks
	copy12Cost  = 6.0
	copy8Cost   = 2.5
	cohesionPay = 2.0
	topicPay    = 3.0
)

// cand is a scored candidate.
type cand struct {
	text    string
	words   []string
	score   float64
	content []string
	runs    []uint64
}

// next returns the best next sentence, steered towards the topic when
// topical is set. It returns "" when the model has nothing acceptable to
// say.
func (p *piece) next(topical bool, maxChars int) string {
	var best *cand
	steerPrev := p.steerable(p.prev)
	// Candidates are drawn until there are enough, or, while none will do,
	// up to maxDraws.
	for i := 0; i < maxDraws && (i < candidates || best == nil); i++ {
		var words []string
		switch {
		case topical && len(p.topic) > 0 && i%2 == 0:
			words = p.topic
		case len(steerPrev) > 0 && i%3 != 2:
			words = steerPrev
		}
		s, err := p.w.m.Sentence(p.rng, markov.Options{Topic: words, MaxChars: maxChars, BackOff: backOff})
		if errors.Is(err, markov.ErrNoSentence) && len(words) > 0 {
			s, err = p.w.m.Sentence(p.rng, markov.Options{MaxChars: maxChars, BackOff: backOff})
		}
		if err != nil || p.said[s.Text] {
			continue
		}
		c, ok := p.score(s.Text, topical)
		if !ok {
			continue
		}
		if best == nil || c.score > best.score {
			best = c
		}
		if best.score >= p.perfect(topical) {
			break
		}
	}
	if best == nil {
		return ""
	}
	p.take(best)
	return best.text
}

// perfect is the score of a candidate good enough to stop looking: it
// copies nothing and does what the slot is for, saying the topic where
// the topic is wanted, else picking up the sentence before.
func (p *piece) perfect(topical bool) float64 {
	switch {
	case topical && len(p.topic) > 0:
		return topicPay
	case len(p.prev) > 0:
		return cohesionPay
	}
	return 0
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

// score scores text for the piece, reporting false for a candidate that
// must not be said: a 5-word run already said, or quotes or brackets that
// come out unbalanced once the text is read back sentence by sentence.
func (p *piece) score(text string, topical bool) (*cand, bool) {
	if mayUnbalance(text) {
		for _, s := range quality.SplitSentences(text) {
			if !quality.Balanced(s) {
				return nil, false
			}
		}
	}
	words := quality.AppendWords(make([]string, 0, 48), text)
	p.hashes = quality.HashWords(p.hashes[:0], words)
	c := &cand{text: text, words: words}
	for i := 0; i+5 <= len(words); i++ {
		h := quality.RunHash(p.hashes[i : i+5])
		if p.runs[h] || slices.Contains(c.runs, h) {
			return nil, false // said before, or twice in this sentence
		}
		c.runs = append(c.runs, h)
	}
	switch p.w.copies().CopiedRun(p.hashes) {
	case 12:
		c.score -= copy12Cost
	case 8:
		c.score -= copy8Cost
	}
	for _, w := range words {
		if quality.IsContent(w) {
			c.content = append(c.content, w)
		}
	}
	for _, w := range c.content {
		if slices.Contains(p.prev, w) {
			c.score += cohesionPay
			break
		}
	}
	if topical && slices.ContainsFunc(words, func(w string) bool { return slices.Contains(p.topic, markov.Fold(w)) }) {
		c.score += topicPay
	}
	return c, true
}

// take adds a chosen sentence to the piece.
func (p *piece) take(c *cand) {
	p.said[c.text] = true
	p.words = append(p.words, c.words)
	for _, h := range c.runs {
		p.runs[h] = true
	}
	p.prev = c.content
}

// add adds a sentence that was not chosen by next (a template line): it is
// said, whatever it repeats.
func (p *piece) add(text string) {
	words := quality.Words(text)
	hs := quality.HashWords(nil, words)
	c := &cand{text: text, words: words}
	for i := 0; i+5 <= len(hs); i++ {
		c.runs = append(c.runs, quality.RunHash(hs[i:i+5]))
	}
	for _, w := range words {
		if quality.IsContent(w) {
			c.content = append(c.content, w)
		}
	}
	p.take(c)
}

// reserve keeps the piece from saying what a line that will close it says.
func (p *piece) reserve(text string) {
	hs := quality.HashWords(nil, quality.Words(text))
	for i := 0; i+5 <= len(hs); i++ {
		p.runs[quality.RunHash(hs[i:i+5])] = true
	}
}

// mayUnbalance reports whether text holds a quote or a bracket.
func mayUnbalance(text string) bool {
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '"', '(', ')', '[', ']':
			return true
		case 0xe2: // the lead byte of “ and ”
			return strings.Contains(text[i:], "“") || strings.Contains(text[i:], "”")
		}
	}
	return false
}
