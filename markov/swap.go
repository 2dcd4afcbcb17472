package markov

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Swap settings.
const (
	swapVariants = 50     // variants of each corpus sentence tried, at most
	swapBudget   = 24_000 // variants tried in all
	swapSample   = 16_000 // sentences of a corpus sampled at most
	// A corpus of more words than hugeCorpus (mid5's million) samples a
	// quarter as much: its pool is curated in about the time the chain is
	// counted, and has sentences enough to choose from.
	hugeCorpus  = 300_000
	swapMaxSpan = 2 // longest run of words swapped at once
	swapRate    = 0.6
)

// A place is where a sentence may be edited, and the edits that may be
// made there.
type place struct {
	i, n int32 // the words edited (n = 0: an insertion before word i)
	alts []detour
}

// A detour is a run of words of the corpus that may stand in for another
// run between the same two neighbours.
// A detour with s = -1 leaves the words out; one with s = -2 puts
// poolBuilder.subs[j] in their place, at the risk n/1000 (see freePlaces).
type detour struct {
	s, j int32 // sentence and first word
	n    int32 // words
}

// swaps makes sentences of a small corpus new by swapping runs of their
// words (one to three), each for another run that the corpus says between
// the same two neighbours with the same parts of speech: "the revisioning
// of this history" becomes "the revisioning of this planning" where the
// corpus has "this planning is" as it has "this history is". Each swap is a
// detour of the chain one order lower (every two words in a row of the
// result are two words in a row of the corpus), the sentence keeps its
// grammar (the same tags, so the same agreement and the same clauses), and
// swaps are spaced so that no long run of the corpus is said again.
func (b *poolBuilder) swaps(rng *rand.Rand, tagged *int) {
	// A large corpus is sampled: its sentences have alternatives enough.
	sample := make([]int32, len(b.sents))
	for i := range sample {
		sample[i] = int32(i)
	}
	most, budget := swapSample, swapBudget
	if len(b.x.corpus) > hugeCorpus {
		most, budget = most/4, budget/4
	}
	if len(sample) > most {
		rng.Shuffle(len(sample), func(i, j int) { sample[i], sample[j] = sample[j], sample[i] })
		sample = sample[:most]
		slices.Sort(sample)
	}
	variants := min(swapVariants, max(1, budget/len(sample)))
	// A large corpus has sentences enough that need no noun swapped for
	// another (blind readers stumble on those): only its modifiers and
	// determiners change.
	// Nor does a small one: since free edits (see freePlaces) reach most
	// of its sentences, a noun is swapped only for a sibling.
	// Nor any run of words for another: with the rewordings (see reword)
	// the free edits reach enough of a corpus's sentences, and blind
	// readers marked the detours' swaps in reading after reading ("can't
	// even elect a government in different places" for "in most places").
	limit := riskLeaveOut
	// No corpus makes the edits blind readers stumbled on (readings j, k,
	// l): a possessive swapped ("he sprang from her chair"), an adjective
	// added or swapped ("once a perfect day"); nor does a large corpus, with
	// edits enough without them, put a connective in ("Indeed, he held
	// up…").
	large := len(b.x.corpus) > enumerateMax
	b.strict = large
	for _, s := range sample {
		b.ready(s, tagged)
	}
	// Runs of 1..swapMaxSpan words by the words either side of them.
	type key struct{ prev, next int32 }
	runs := make(map[key][]detour)
	// How often each word is said, and each word between its two
	// neighbours: a word nearly always said between the same two ("in
	// order to", "at gunpoint") is part of an idiom, and is not swapped.
	said := make(map[int32]int)
	within := make(map[[3]int32]int)
	for _, s := range sample {
		ids := b.sents[s]
		for j, id := range ids {
			said[id]++
			if j > 0 && j+1 < len(ids) {
				within[[3]int32{ids[j-1], id, ids[j+1]}]++
			}
		}
	}
	idiom := func(ids []int32, i, l int32) bool {
		if l != 1 {
			return false
		}
		n := said[ids[i]]
		return n >= 2 && 2*within[[3]int32{ids[i-1], ids[i], ids[i+1]}] >= n
	}
	// The neighbours each word is said between: two words said between
	// many of the same neighbours are said of the same kind of thing, so a
	// swap between them keeps some sense.
	// With no detour taken (limit below the least risk of one), neither
	// the neighbours nor the runs are gathered: they were most of the
	// training time of a large corpus under the race detector.
	detours := limit >= detourMinRisk
	ctx := make(map[int32]map[[2]int32]bool)
	for _, s := range sample {
		if !detours {
			break
		}
		ids := b.sents[s]
		for j := 1; j+1 < len(ids); j++ {
			if ctx[ids[j]] == nil {
				ctx[ids[j]] = make(map[[2]int32]bool)
			}
			ctx[ids[j]][[2]int32{ids[j-1], -1}] = true
			ctx[ids[j]][[2]int32{-1, ids[j+1]}] = true
		}
	}
	similar := func(a, b int32) float64 {
		n := 0
		for c := range ctx[a] {
			if ctx[b][c] {
				n++
			}
		}
		return float64(n) / math.Sqrt(float64(len(ctx[a])*len(ctx[b])+1))
	}
	pair := make(map[[2]int32]bool)
	for _, s := range sample {
		ids := b.sents[s]
		for j := 1; j < len(ids); j++ {
			pair[[2]int32{ids[j-1], ids[j]}] = true
		}
	}
	used := make(map[detour]int)
	for _, s := range sample {
		if !detours {
			break
		}
		ids := b.sents[s]
		for j := 1; j < len(ids); j++ {
			for n := 1; n <= swapMaxSpan && j+n < len(ids); n++ {
				if !b.swappableRun(int32(s), int32(j), int32(n)) {
					break
				}
				k := key{ids[j-1], ids[j+n]}
				runs[k] = append(runs[k], detour{int32(s), int32(j), int32(n)})
			}
		}
	}
	e := b.studyEdits(sample)
	for _, s := range sample {
		ids := b.sents[s]
		n := int32(len(ids))
		if n < poolMinWords {
			continue
		}
		var places []place
		for i := int32(1); i < n; i++ {
			for l := int32(0); l <= swapMaxSpan && i+l < n; l++ {
				if l > 0 && !b.swappableRun(int32(s), i, l) {
					break
				}
				if idiom(ids, i, l) {
					continue
				}
				var alts []detour
				// Adjectives before a noun can be left out ("the
				// libertarian tradition" → "the tradition"), never one
				// that says what something is ("is crucial to").
				if l > 0 && len(skeleton(b.tags[s][i:i+l], b.toks[s][i:i+l])) == 0 && pair[[2]int32{ids[i-1], ids[i+l]}] &&
					punct(b.toks[s][i+l-1]) == "|" && noun(b.tags[s][i+l]) &&
					// Not the first words of a compound ("the twenty-first
					// century anarchist revival").
					!(i+l+1 < n && punct(b.toks[s][i+l]) == "|" && (noun(b.tags[s][i+l+1]) || strings.HasPrefix(b.tags[s][i+l+1], "JJ"))) {
					alts = append(alts, detour{s: -1}) // leave the modifiers out
				}
				for _, d := range runs[key{ids[i-1], ids[i+l]}] {
					// Nor a modifier put in by a detour ("in charge of
					// planning" → "of authoritarian planning"): it says
					// something else.
					adds := l > 0 && d.n > l && b.sents[d.s][d.j+d.n-1] == ids[i+l-1]
					if d.s != int32(s) && !adds && b.sameRun(int32(s), i, l, d) && b.risk(int32(s), i, l, d, similar) <= limit && !b.tells(int32(s), i, l, large) {
						alts = append(alts, d)
					}
				}
				if len(alts) > 0 {
					places = append(places, place{i, l, alts})
				}
			}
		}
		places = append(places, b.freePlaces(s, e)...)
		slices.SortStableFunc(places, func(p, q place) int {
			return cmp.Or(cmp.Compare(p.i, q.i), cmp.Compare(p.n, q.n))
		})
		if len(places) == 0 {
			continue
		}
		// The next chance to edit after each place: the first place
		// after its words.
		nextAt := make([]int32, len(places))
		for k := range places {
			p := &places[k]
			nextAt[k] = n
			for q := k + 1; q < len(places); q++ {
				if places[q].i > p.i+p.n {
					nextAt[k] = places[q].i
					break
				}
			}
		}
		for range variants {
			out := slices.Clone(ids[:0])
			var tags []string
			next := int32(0) // the first word not yet copied
			edits, score := 0, 2.0
			// By index, as below: a range over places (40 bytes each)
			// calls the race detector's checkptr at every step.
			for k := range places {
				p := &places[k]
				free := p.alts[0].s == -2
				if p.i < next || p.i == next && edits > 0 {
					// Overlapping the last edit, or right after it (two
					// detours side by side need a pair the corpus may
					// not have).
					continue
				}
				// Edit here by chance, or because the next chance comes
				// too late to keep the copied run short.
				must := nextAt[k]-next > preferCopy
				if !must && rng.Float64() > swapRate {
					continue
				}
				if !must && !free && len(skeleton(b.tags[s][p.i:p.i+p.n], nil)) > 0 && rng.Float64() > 0.3 {
					continue // a noun swap only when needed, mostly
				}
				// Of three alternatives drawn, the safest: leaving out or
				// adding a modifier keeps the sense; a noun for a noun
				// keeps the grammar, best when the two words are said
				// between the same neighbours, and least when used already
				// (a detour said in every other sentence becomes a tic).
				fit := func(d detour) float64 {
					return -b.risk(int32(s), p.i, p.n, d, similar) - 0.5*float64(used[d])
				}
				d, best := p.alts[0], math.Inf(-1)
				for a := range p.alts {
					if f := fit(p.alts[a]) + 0.4*rng.Float64(); f > best {
						d, best = p.alts[a], f
					}
				}
				used[d]++
				score -= b.risk(int32(s), p.i, p.n, d, similar)
				out = append(out, ids[next:p.i]...)
				tags = append(tags, b.tags[s][next:p.i]...)
				switch {
				case d.s >= 0:
					out = append(out, b.sents[d.s][d.j:d.j+d.n]...)
					tags = append(tags, b.tags[d.s][d.j:d.j+d.n]...)
				case d.s == -2:
					out = append(out, b.subs[d.j].ids...)
					tags = append(tags, b.subs[d.j].tags...)
				}
				next = p.i + p.n
				edits++
			}
			if edits == 0 {
				continue
			}
			out = append(out, ids[next:]...)
			tags = append(tags, b.tags[s][next:]...)
			b.accept(out, tags, score, int32(s), int32(s))
		}
	}
}

// detourMinRisk is the least risk of a detour (see risk): an adjective or
// a determiner for another.
const detourMinRisk = 0.3

// risk is how likely an edit is to read wrong: leaving out a modifier
// least, adding one a little more, swapping a determiner a little, and
// swapping a noun for a noun most, less the more alike the two are.
func (b *poolBuilder) risk(s, i, n int32, d detour, similar func(a, b int32) float64) float64 {
	switch {
	case d.s == -2:
		return float64(d.n) / 1000 // a free edit (see freePlaces)
	case d.s < 0:
		return 0.1
	case n == 0:
		return 0.4
	}
	if len(skeleton(b.tags[s][i:i+n], b.toks[s][i:i+n])) == 0 {
		return 0.3 // an adjective for an adjective
	}
	if t := b.tags[s][i+n-1]; t == "DT" || t == "PRP$" {
		return 0.3
	}
	return 1.2 - 0.8*similar(b.sents[s][i+n-1], b.sents[d.s][d.j+d.n-1])
}

// tells reports whether swapping words i..i+n-1 of sentence s (n = 0: an
// insertion) is an edit a reader tells: an adjective, a possessive, or in
// a large corpus's stories a determiner.
func (b *poolBuilder) tells(s, i, n int32, large bool) bool {
	if n == 0 {
		return true
	}
	if len(skeleton(b.tags[s][i:i+n], b.toks[s][i:i+n])) == 0 {
		return true // "solving the natural and economic crises" (readings j, l)
	}
	t := b.tags[s][i+n-1]
	return t == "PRP$" || large && t == "DT" // "stand in every way of his game"
}

// swappableRun reports whether words j..j+n-1 of sentence s may be
// swapped as one: nouns and adjectives, with determiners, prepositions
// and conjunctions between them in a longer run, not verbs (a verb brings
// its own objects: "feed the army", "bring in"), and no punctuation but
// after the last word.
func (b *poolBuilder) swappableRun(s, j, n int32) bool {
	content := false
	for i := j; i < j+n; i++ {
		tag := b.tags[s][i]
		switch tag {
		case "NN", "NNS", "NNP", "NNPS", "JJ", "JJR", "JJS":
			content = true
		case "PRP$":
			// "our state", "their state": a swap that keeps everything.
			content = content || n == 1
		case "DT":
			// Only determiners that agree with any noun of the number
			// that follows (see sameRun).
			if n == 1 {
				content = determiners[strings.ToLower(b.toks[s][i])] != 0
			}
		default:
			return false
		}
		w := b.toks[s][i]
		if i < j+n-1 && strings.TrimFunc(w, notLetter) != strings.TrimRight(w, "'’") {
			return false
		}
	}
	return content
}

// sameRun reports whether the run d may stand for the n words from i of
// sentence s: the same parts of speech once adjectives are left out (an
// adjective can come or go: "planning" for "economic planning"), the same
// punctuation around it, and other words.
func (b *poolBuilder) sameRun(s, i, n int32, d detour) bool {
	if !slices.Equal(skeleton(b.tags[s][i:i+n], b.toks[s][i:i+n]), skeleton(b.tags[d.s][d.j:d.j+d.n], b.toks[d.s][d.j:d.j+d.n])) {
		return false
	}
	if n == 0 {
		// An insertion: adjectives only, before a noun, ending in no
		// punctuation.
		return d.n > 0 && noun(b.tags[s][i]) && punct(b.toks[d.s][d.j+d.n-1]) == "|" && punct(b.toks[d.s][d.j]) == "|"
	}
	if len(skeleton(b.tags[s][i:i+n], b.toks[s][i:i+n])) == 0 && !slices.Equal(b.tags[s][i:i+n], b.tags[d.s][d.j:d.j+d.n]) {
		return false // a modifier for one of the same kind
	}
	if slices.Equal(b.sents[s][i:i+n], b.sents[d.s][d.j:d.j+d.n]) {
		return false
	}
	if n == 1 && b.tags[s][i] == "DT" {
		// "the" for "this" before a singular noun, for "these" before a
		// plural one.
		next := b.tags[s][i+1]
		want := byte(1)
		if next == "NNS" || next == "NNPS" {
			want = 2
		}
		if d.n != 1 || determiners[strings.ToLower(b.toks[s][i])]&want == 0 || determiners[strings.ToLower(b.toks[d.s][d.j])]&want == 0 {
			return false
		}
	}
	return punct(b.toks[s][i+n-1]) == punct(b.toks[d.s][d.j+d.n-1]) && punct(b.toks[s][i]) == punct(b.toks[d.s][d.j])
}

// skeleton is a run's tags without its adjectives, which a noun can do
// without.
func skeleton(tags, _ []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if !strings.HasPrefix(t, "JJ") {
			out = append(out, t)
		}
	}
	return out
}

// noun reports whether a tag is a noun's.
func noun(tag string) bool { return strings.HasPrefix(tag, "NN") }

// punct is the punctuation around a word, which a swap must keep: a word
// that ends a clause ("planning,") stands only for another that does.
func punct(w string) string {
	core := strings.TrimFunc(w, notLetter)
	i := strings.Index(w, core)
	if core == "" || i < 0 {
		return w
	}
	return w[:i] + "|" + w[i+len(core):]
}

// determiners that may be swapped for one another, by the number of the
// noun they agree with: 1 singular, 2 plural.
var determiners = map[string]byte{"the": 3, "this": 1, "that": 1, "these": 2, "those": 2, "every": 1, "each": 1, "no": 3}
