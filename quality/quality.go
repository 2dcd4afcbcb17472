// Package quality measures generated prose the way the reference script
// ../shared/tools/quality.py does, so that an operator (and a test) can see
// in Go whether a model writes well: variety (distinct-3, self-BLEU-4),
// novelty (runs copied from the corpus), saying the same thing twice in a
// piece (repeat5), neighbouring sentences that hang together (cohesion),
// unbalanced quotes and brackets, and fluency (perplexity under a
// Kneser-Ney trigram model of a reference text).
//
// Every definition follows quality.py's: its sentence splitter, tokeniser,
// stop list and trigram model, and the same ten random sets of 100
// sentences (CPython's Mersenne Twister seeded with 7) for the medians.
//
// Beside them it reports clause faults per sentence (package fluency), a
// reading of grammar that quality.py does not have. The final judge of
// text is a blind reader (../shared/panel/README.md); these figures are
// guards.
//
// It imports only the standard library and quality/fluency.
package quality

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/glowcloud/glowcloud/quality/fluency"
)

// Report holds the metrics of one body of generated text. The fields
// mirror quality.py's JSON output.
type Report struct {
	Sentences int `json:"sentences"`
	// Distinct3 is the share of distinct word 3-grams; SelfBLEU4 the mean
	// BLEU-4 of each sentence against the others (lower is more varied):
	// both medians over 10 random sets of 100 sentences.
	Distinct3 float64 `json:"distinct3"`
	SelfBLEU4 float64 `json:"selfbleu4"`
	// Copy8 and Copy12 are the shares of sentences holding a run of at
	// least 8 (12) words that occurs in the corpus.
	Copy8  float64 `json:"copy8"`
	Copy12 float64 `json:"copy12"`
	// Unbalanced is the share of sentences with an odd number of double
	// quotes or unmatched brackets.
	Unbalanced float64 `json:"unbalanced"`
	// PPL is the perplexity under the reference model; 0 when there is none.
	PPL float64 `json:"ppl,omitempty"`
	// Pieces, Repeat5 and Cohesion are set for text read as pieces: the
	// share of pieces in which two sentences share a 5-word run, and the
	// share of neighbouring sentences sharing a content word.
	Pieces   int     `json:"pieces,omitempty"`
	Repeat5  float64 `json:"repeat5"`
	Cohesion float64 `json:"cohesion"`
	// ClauseFaults is fluency.Score.PerSentence over all the sentences:
	// verbs run together or clauses without a verb, per sentence (lower is
	// more fluent). Not in quality.py.
	ClauseFaults float64 `json:"clause_faults"`
}

// Limits past which a figure means trouble (README "Is it any good?").
const (
	maxRepeat5      = 0.1
	maxCopy12       = 0.35
	minDistinct3    = 0.7
	maxSelfBLEU4    = 0.5
	minCohesion     = 0.1
	maxUnbalanced   = 0.01
	maxClauseFaults = 0.35
)

// Trouble names each figure of r past its limit, with what it means and
// what to do; nil when all are fine (or there are no sentences).
func (r Report) Trouble() []string {
	if r.Sentences == 0 {
		return nil
	}
	var t []string
	add := func(bad bool, format string, args ...any) {
		if bad {
			t = append(t, fmt.Sprintf(format, args...))
		}
	}
	add(r.ClauseFaults > maxClauseFaults, "clause-faults %.2f > %.2f: reads as word salad (the essay scores 0.16); have a blind reader check it (../shared/panel/README.md)", r.ClauseFaults, maxClauseFaults)
	add(r.Distinct3 < minDistinct3, "distinct-3 %.3f < %.1f: the sentences repeat each other; train on more text or a lower -order", r.Distinct3, minDistinct3)
	add(r.SelfBLEU4 > maxSelfBLEU4, "self-BLEU-4 %.3f > %.1f: the sentences sound alike; train on more text or a lower -order", r.SelfBLEU4, maxSelfBLEU4)
	add(r.Copy12 > maxCopy12, "copy12 %.3f > %.2f: it recites the training text; train on more text or a lower -order", r.Copy12, maxCopy12)
	add(r.Pieces > 0 && r.Repeat5 > maxRepeat5, "repeat5 %.3f > %.1f: pieces say the same thing twice", r.Repeat5, maxRepeat5)
	add(r.Pieces > 0 && r.Cohesion < minCohesion, "cohesion %.3f < %.1f: a bag of unrelated sentences", r.Cohesion, minCohesion)
	add(r.Unbalanced > maxUnbalanced, "unbalanced %.3f > %.2f: quotes or brackets left open", r.Unbalanced, maxUnbalanced)
	return t
}

// String is the report on one line.
func (r Report) String() string {
	s := fmt.Sprintf("%d sentences: distinct-3 %.3f, self-BLEU-4 %.3f, copy8 %.3f, copy12 %.3f, unbalanced %.3f",
		r.Sentences, r.Distinct3, r.SelfBLEU4, r.Copy8, r.Copy12, r.Unbalanced)
	if r.Pieces > 0 {
		s += fmt.Sprintf(", repeat5 %.3f, cohesion %.3f", r.Repeat5, r.Cohesion)
	}
	if r.PPL > 0 {
		s += fmt.Sprintf(", ppl %.1f", r.PPL)
	}
	s += fmt.Sprintf(", clause-faults %.2f", r.ClauseFaults)
	if t := r.Trouble(); len(t) > 0 {
		s += "; TROUBLE: " + strings.Join(t, "; ")
	} else if r.Sentences > 0 {
		s += "; no figure past its limit (a blind reader is still the judge)"
	}
	return s
}

// Corpus is the training text's runs of 8 and 12 words, for the copy
// metrics. It is safe for concurrent use.
type Corpus struct {
	grams map[int][]uint64 // run length -> sorted hashes of its runs
}

// copyLengths are the run lengths a Corpus indexes.
var copyLengths = []int{8, 12}

// NewCorpus indexes the sentences of a training text (see SplitSentences).
func NewCorpus(sentences []string) *Corpus {
	c := &Corpus{grams: map[int][]uint64{}}
	var hs []uint64
	var words []string
	for _, s := range sentences {
		words = appendWords(words[:0], s)
		hs = hashWords(hs[:0], words)
		for _, n := range copyLengths {
			for i := 0; i+n <= len(hs); i++ {
				c.grams[n] = append(c.grams[n], runHash(hs[i:i+n]))
			}
		}
	}
	for n, g := range c.grams {
		slices.Sort(g)
		c.grams[n] = slices.Compact(g)
	}
	return c
}

// hashWords appends the FNV-1a hash of each word.
func hashWords(hs []uint64, words []string) []uint64 {
	for _, w := range words {
		h := uint64(14695981039346656037)
		for i := 0; i < len(w); i++ {
			h ^= uint64(w[i])
			h *= 1099511628211
		}
		hs = append(hs, h)
	}
	return hs
}

// runHash combines the hashes of a run of words.
func runHash(hs []uint64) uint64 {
	h := uint64(len(hs))
	for _, x := range hs {
		h = (h ^ x) * 0x9e3779b97f4a7c15
		h ^= h >> 31
	}
	return h
}

// CopiedRun returns the longest of the indexed run lengths (12, then 8)
// that a sentence copies from the corpus, given the hashWords hashes of
// its Words; 0 when it copies neither.
func (c *Corpus) CopiedRun(hs []uint64) int {
	for _, n := range []int{12, 8} {
		if c.copiedHashes(hs, n) {
			return n
		}
	}
	return 0
}

func (c *Corpus) copied(w []string, n int) bool {
	var buf [64]uint64
	return c.copiedHashes(hashWords(buf[:0], w), n)
}

func (c *Corpus) copiedHashes(hs []uint64, n int) bool {
	set := c.grams[n]
	for i := 0; i+n <= len(hs); i++ {
		if _, ok := slices.BinarySearch(set, runHash(hs[i:i+n])); ok {
			return true
		}
	}
	return false
}

// Measure computes the report for sentences grouped into pieces (pieces is
// true: repeat5 and cohesion are computed) or for one list of sentences
// (pieces[0], when pieces is false). corpus and lm may be nil: no copy
// metrics, no perplexity.
func Measure(groups [][]string, pieces bool, corpus *Corpus, lm *LM) Report {
	var sents []string
	for _, p := range groups {
		sents = append(sents, p...)
	}
	r := Report{Sentences: len(sents)}
	if len(sents) == 0 {
		return r
	}
	sets := [][]string{sents}
	if len(sents) >= 100 {
		rnd := newPyRandom(7)
		sets = sets[:0]
		for range 10 {
			idx := rnd.sample(len(sents), 100)
			set := make([]string, len(idx))
			for i, j := range idx {
				set[i] = sents[j]
			}
			sets = append(sets, set)
		}
	}
	var d3, sb []float64
	for _, s := range sets {
		toks := make([][]string, len(s))
		for i, x := range s {
			toks[i] = Tokens(x)
		}
		d3 = append(d3, distinct(toks, 3))
		sb = append(sb, selfBLEU(toks, 4))
	}
	r.Distinct3, r.SelfBLEU4 = median(d3), median(sb)
	n := float64(len(sents))
	var c8, c12, unb int
	for _, s := range sents {
		if corpus != nil {
			w := Words(s)
			if corpus.copied(w, 8) {
				c8++
			}
			if corpus.copied(w, 12) {
				c12++
			}
		}
		if !balanced(s) {
			unb++
		}
	}
	r.Copy8, r.Copy12, r.Unbalanced = float64(c8)/n, float64(c12)/n, float64(unb)/n
	if lm != nil {
		r.PPL = lm.Perplexity(sents)
	}
	lex := fluency.Default()
	var fl fluency.Score
	for _, s := range sents {
		x := lex.Read(s)
		fl.Sentences += x.Sentences
		fl.Faults += x.Faults
	}
	r.ClauseFaults = fl.PerSentence()
	if pieces {
		rep, pairs, share := 0, 0, 0
		for _, p := range groups {
			if Repeats5(p) {
				rep++
			}
			for i := 1; i < len(p); i++ {
				pairs++
				if sharesContent(p[i-1], p[i]) {
					share++
				}
			}
		}
		r.Pieces = len(groups)
		r.Repeat5 = float64(rep) / float64(max(1, len(groups)))
		r.Cohesion = float64(share) / float64(max(1, pairs))
	}
	return r
}

// Repeats5 reports whether two different sentences of a piece share a run
// of five words.
func Repeats5(piece []string) bool {
	seen := map[string]bool{}
	for _, s := range piece {
		mine := map[string]bool{}
		w := Words(s)
		for i := 0; i+5 <= len(w); i++ {
			g := strings.Join(w[i:i+5], "\x00")
			if seen[g] && !mine[g] {
				return true
			}
			mine[g] = true
		}
		for g := range mine {
			seen[g] = true
		}
	}
	return false
}

// sharesContent reports whether sentences a and b share a content word.
func sharesContent(a, b string) bool {
	ca := contentWords(a)
	for _, w := range contentWords(b) {
		if slices.Contains(ca, w) {
			return true
		}
	}
	return false
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func ngramKeys(t []string, n int) []string {
	var out []string
	for i := 0; i+n <= len(t); i++ {
		out = append(out, strings.Join(t[i:i+n], "\x00"))
	}
	return out
}

// distinct is the share of distinct n-grams over all the sentences' n-grams.
func distinct(toks [][]string, n int) float64 {
	all, set := 0, map[string]bool{}
	for _, t := range toks {
		for _, g := range ngramKeys(t, n) {
			all++
			set[g] = true
		}
	}
	return float64(len(set)) / float64(max(1, all))
}

// selfBLEU is the mean over sentences of BLEU-maxn (clipped n-gram
// precisions, geometric mean, no brevity penalty) against all the others.
func selfBLEU(toks [][]string, maxn int) float64 {
	type best struct{ c1, i1, c2 int } // top count and its sentence, second count
	counts := make([][]map[string]int, len(toks))
	tops := make([]map[string]*best, maxn+1)
	for n := 1; n <= maxn; n++ {
		tops[n] = map[string]*best{}
	}
	for i, t := range toks {
		counts[i] = make([]map[string]int, maxn+1)
		for n := 1; n <= maxn; n++ {
			m := map[string]int{}
			for _, g := range ngramKeys(t, n) {
				m[g]++
			}
			counts[i][n] = m
			for g, c := range m {
				b := tops[n][g]
				if b == nil {
					b = &best{i1: -1}
					tops[n][g] = b
				}
				if c > b.c1 {
					b.c2, b.c1, b.i1 = b.c1, c, i
				} else if c > b.c2 {
					b.c2 = c
				}
			}
		}
	}
	var total float64
	for i := range toks {
		var logp float64
		for n := 1; n <= maxn; n++ {
			tot, clip := 0, 0
			for g, c := range counts[i][n] {
				tot += c
				b := tops[n][g]
				ref := b.c1
				if b.i1 == i {
					ref = b.c2
				}
				clip += min(c, ref)
			}
			if tot == 0 {
				logp += math.Log(1e-9)
				continue
			}
			logp += math.Log(math.Max(float64(clip), 0.1) / float64(tot))
		}
		total += math.Exp(logp / float64(maxn))
	}
	return total / float64(len(toks))
}

// Rounded returns r rounded as quality.py prints it: three decimals, four
// for Unbalanced, one for PPL.
func (r Report) Rounded() Report {
	round := func(x float64, d int) float64 {
		p := math.Pow(10, float64(d))
		return math.RoundToEven(x*p) / p
	}
	r.Distinct3, r.SelfBLEU4 = round(r.Distinct3, 3), round(r.SelfBLEU4, 3)
	r.Copy8, r.Copy12, r.Unbalanced = round(r.Copy8, 3), round(r.Copy12, 3), round(r.Unbalanced, 4)
	r.PPL, r.Repeat5, r.Cohesion = round(r.PPL, 1), round(r.Repeat5, 3), round(r.Cohesion, 3)
	r.ClauseFaults = round(r.ClauseFaults, 3)
	return r
}
