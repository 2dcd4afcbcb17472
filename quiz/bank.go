package quiz

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What a round may show: a sentence long enough to judge and short enough
// to read at a glance, within the bounds the generator keeps its pooled
// sentences to.
const (
	minWords = 8
	maxWords = 60
	maxChars = 400
	// tolerance is how far, in surface distance (see distance), a generated
	// sentence may lie from the real sentence it is the twin of. A real
	// sentence with no generated one that close is never shown either, so
	// both kinds of round draw from the same region of surface features.
	tolerance = 2.0
	// maxTwins is how many generated twins a real sentence may have. More
	// give more variety; but a real sentence is one point of the surface
	// while its twins spread around it, and the more there are the better
	// a classifier that learned the real ones by heart tells them apart.
	maxTwins = 3
	// maxInput bounds the sentences of each kind a bank is built from
	// (evenly spread over them), so that a large corpus costs no more than
	// a pass over 3,000 × 3,000 pairs.
	maxInput = 3000
)

// features are what a reader sees of a sentence before reading it: its
// length, its punctuation, its capitals and its digits. A round's
// generated sentence is chosen so that these match a real one's, and the
// test that no simple classifier on them beats chance by much uses them
// too.
type features struct {
	Words, Chars             int
	Commas, Stops            int // commas; colons, semicolons and dashes
	Quotes, Brackets         int // quotation marks and apostrophes; brackets
	Capitals, Digits         int // capitalised words after the first; digits
	Question, Exclaim, Colon bool
}

// surface returns the surface features of s.
func surface(s string) features {
	var f features
	f.Chars = utf8.RuneCountInString(s)
	words := strings.Fields(s)
	f.Words = len(words)
	for i, w := range words {
		if i > 0 {
			if r, _ := utf8.DecodeRuneInString(strings.TrimLeft(w, "\"'“‘(")); unicode.IsUpper(r) {
				f.Capitals++
			}
		}
	}
	for _, r := range s {
		switch {
		case r == ',':
			f.Commas++
		case r == ';' || r == ':' || r == '—' || r == '–' || r == '-':
			f.Stops++
		case r == '"' || r == '\'' || r == '“' || r == '”' || r == '‘' || r == '’':
			f.Quotes++
		case r == '(' || r == ')' || r == '[' || r == ']':
			f.Brackets++
		case unicode.IsDigit(r):
			f.Digits++
		}
	}
	end := strings.TrimRight(s, "\"'”’)")
	f.Question = strings.HasSuffix(end, "?")
	f.Exclaim = strings.HasSuffix(end, "!")
	f.Colon = strings.HasSuffix(end, ":")
	return f
}

// distance is how differently two sentences look: length in words counts
// relative to the length (a word more in forty is nothing, in eight it is
// much), characters per word, and each mark of punctuation, capital and
// digit more or less counts.
func distance(a, b features) float64 {
	d := math.Abs(float64(a.Chars-b.Chars)) / math.Max(4, 0.04*float64(a.Chars))
	d += math.Abs(float64(a.Words-b.Words)) / math.Max(2, 0.1*float64(a.Words))
	d += math.Abs(float64(a.Commas - b.Commas))
	d += math.Abs(float64(a.Stops - b.Stops))
	d += math.Abs(float64(a.Quotes - b.Quotes))
	d += math.Abs(float64(a.Brackets - b.Brackets))
	d += math.Abs(float64(a.Capitals-b.Capitals)) / 2
	d += math.Abs(float64(a.Digits - b.Digits))
	if a.Question != b.Question || a.Exclaim != b.Exclaim {
		d += 2
	}
	return d
}

// bank is what rounds are drawn from for one model: pairs of a real
// sentence and a generated twin that looks like it. A round draws a pair
// and shows one of the two, so both kinds of sentence come from the same
// places of surface-feature space, in the same proportions. It is safe for
// concurrent use (it never changes).
type bank struct {
	pairs []pair
}

// pair is a real sentence and its generated twin.
type pair struct{ real, generated string }

// newBank builds the bank of a model from its training sentences (real)
// and its novel generated ones (generated: the curated pool, which never
// repeats a training sentence nor copies a long run of one). Sentences
// too short or too long to judge at a glance are left out, and so is a
// generated sentence that is also a real one. Each generated sentence is
// the twin of at most one real one, and each real one has at most
// maxTwins twins, the closest first.
func newBank(real, generated []string) *bank {
	isReal := make(map[string]bool, len(real))
	for _, s := range real {
		isReal[strings.TrimSpace(s)] = true
	}
	real, generated = spread(real, maxInput), spread(generated, maxInput)
	var rs []string
	var rf []features
	kept := make(map[string]bool, len(real))
	for _, s := range real {
		s = strings.TrimSpace(s)
		if f := surface(s); fits(f) && !kept[s] {
			kept[s] = true
			rs, rf = append(rs, s), append(rf, f)
		}
	}
	var gs []string
	var gf []features
	seen := make(map[string]bool, len(generated))
	for _, s := range generated {
		s = strings.TrimSpace(s)
		if isReal[s] || seen[s] {
			continue
		}
		seen[s] = true
		if f := surface(s); fits(f) {
			gs, gf = append(gs, s), append(gf, f)
		}
	}
	type candidate struct {
		r, g int
		d    float64
	}
	var cands []candidate
	for i, f := range rf {
		for j, g := range gf {
			if d := distance(f, g); d <= tolerance {
				cands = append(cands, candidate{i, j, d})
			}
		}
	}
	slices.SortStableFunc(cands, func(a, b candidate) int { return cmp.Compare(a.d, b.d) })
	twins := make([]int, len(rs))
	used := make([]bool, len(gs))
	b := &bank{}
	for _, c := range cands {
		if used[c.g] || twins[c.r] >= maxTwins {
			continue
		}
		used[c.g] = true
		twins[c.r]++
		b.pairs = append(b.pairs, pair{rs[c.r], gs[c.g]})
	}
	// In the order of the inputs, not of the distances, so that a bank is
	// the same whatever ties the sort met.
	slices.SortStableFunc(b.pairs, func(x, y pair) int {
		return cmp.Or(cmp.Compare(x.real, y.real), cmp.Compare(x.generated, y.generated))
	})
	return b
}

// spread returns at most n of ss, evenly spread over them.
func spread(ss []string, n int) []string {
	if len(ss) <= n {
		return ss
	}
	out := make([]string, n)
	for i := range out {
		out[i] = ss[i*len(ss)/n]
	}
	return out
}

// fits reports whether a sentence of features f may be shown in a round.
func fits(f features) bool {
	return f.Words >= minWords && f.Words <= maxWords && f.Chars <= maxChars && !f.Colon
}

// Size is how many pairs the bank holds; 0 means the model cannot play
// (too few sentences, or none of its generated ones looks like one of its
// real ones).
func (b *bank) Size() int { return len(b.pairs) }

// Draw picks a round's sentence with rng: a pair uniformly, and its real or
// its generated sentence with even odds. It reports false for an empty
// bank.
func (b *bank) Draw(rng *rand.Rand) (sentence string, real bool, ok bool) {
	_, sentence, real, ok = b.draw(rng)
	return sentence, real, ok
}

// DrawSide picks a sentence of the given kind with rng: a pair uniformly,
// and its real or its generated sentence as asked, so that a redraw keeps
// the round's kind (see Commands.Play). It reports false for an empty
// bank.
func (b *bank) DrawSide(rng *rand.Rand, real bool) (sentence string, ok bool) {
	if len(b.pairs) == 0 {
		return "", false
	}
	p := b.pairs[rng.IntN(len(b.pairs))]
	if real {
		return p.real, true
	}
	return p.generated, true
}

// draw is Draw, also saying which real sentence's pair it drew from.
func (b *bank) draw(rng *rand.Rand) (group string, sentence string, real bool, ok bool) {
	if len(b.pairs) == 0 {
		return "", "", false, false
	}
	p := b.pairs[rng.IntN(len(b.pairs))]
	if rng.IntN(2) == 0 {
		return p.real, p.real, true, true
	}
	return p.real, p.generated, false, true
}
