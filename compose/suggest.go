package compose

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/glowcloud/glowcloud/limits"
	"github.com/glowcloud/glowcloud/markov"
)

// MaxSuggestions is the most Suggest returns (Discord's limit on
// autocomplete choices).
const MaxSuggestions = 25

// Suggest returns up to max (at most MaxSuggestions) topics for a manifesto
// or things to squint at, best first: words and two-word phrases of the
// model's text that a sentence can be steered through, whose lower case
// starts with the lower case of prefix. An empty prefix gets the model's
// best topics: the things its text talks about most. Each is at most
// limits.MaxTopic characters, so it passes through Clean whole.
//
// The first call builds an index of the model's text (a few hundred
// milliseconds on a 5 MB corpus); later calls take microseconds.
func (w *Writer) Suggest(prefix string, max int) []string {
	if max <= 0 || max > MaxSuggestions {
		max = MaxSuggestions
	}
	x := w.topics()
	p := strings.ToLower(Clean(prefix, limits.MaxTopic))
	if p == "" {
		return slices.Clone(x.best[:min(max, len(x.best))])
	}
	if short, ok := x.short[p]; ok {
		return slices.Clone(short[:min(max, len(short))])
	}
	return x.lookup(p, max)
}

// lookup scans the entries that start with p for the best max.
func (x *topicIndex) lookup(p string, max int) []string {
	i := sort.Search(len(x.entries), func(i int) bool { return x.entries[i].key >= p })
	var found []topicEntry
	for ; i < len(x.entries) && strings.HasPrefix(x.entries[i].key, p); i++ {
		e := x.entries[i]
		if len(found) == max && e.score <= found[max-1].score {
			continue
		}
		// Insert in score order (best first), dropping the worst.
		j, _ := slices.BinarySearchFunc(found, e, byScore)
		if len(found) < max {
			found = slices.Insert(found, j, e)
		} else if j < max {
			copy(found[j+1:], found[j:max-1])
			found[j] = e
		}
	}
	out := make([]string, len(found))
	for i, e := range found {
		out[i] = e.shown
	}
	return out
}

// topicIndex is every topic Suggest can offer, sorted by key.
type topicIndex struct {
	entries []topicEntry
	best    []string // the best topics, for an empty prefix
	// short holds the answers for prefixes of one and two letters, which
	// match most of a large model's entries.
	short map[string][]string
}

type topicEntry struct {
	key, shown string // lower case; as the text writes it
	score      int
}

// byScore orders entries best first, then by key.
func byScore(a, b topicEntry) int {
	return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.key, b.key))
}

// buildTopics indexes the model's words and phrases that can be topics:
// content words a sentence can be steered through (scored by how often
// the text says them, after a determiner most), and pairs of them the
// text says at least twice with nothing between (scored double: a phrase
// says more).
func buildTopics(m *markov.Model) *topicIndex {
	type stat struct {
		n     int
		shown map[string]int
	}
	stats := map[string]*stat{}
	count := func(key, shown string, by int) {
		s := stats[key]
		if s == nil {
			s = &stat{shown: map[string]int{}}
			stats[key] = s
		}
		s.n += by
		s.shown[shown]++
	}
	steerable := map[string]bool{}
	ok := func(fold string) bool {
		v, seen := steerable[fold]
		if !seen {
			v = subjectWord(fold) && len(fold) <= limits.MaxTopic && m.Steerable(fold) > 0
			steerable[fold] = v
		}
		return v
	}
	phrases := map[string]int{}
	modifies := map[string]int{} // times a word came right before another
	occurs := map[string]int{}
	for _, s := range m.TrainingSentences() {
		prevKey, prevShown := "", ""
		det := false // the token before was a determiner
		for tok := range strings.FieldsSeq(s) {
			shown := strings.TrimFunc(tok, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
			shown = strings.TrimSuffix(strings.TrimSuffix(shown, "'s"), "’s")
			key := markov.Fold(tok)
			wasDet := det
			det = determiners[key] && shown == tok
			if key == "" || key != strings.ToLower(shown) || !ok(key) {
				prevKey = ""
				continue
			}
			// A word after a determiner is a thing (or what a thing is
			// like): it counts three times.
			count(key, shown, map[bool]int{true: 3, false: 1}[wasDet])
			occurs[key]++
			if prevKey != "" {
				modifies[prevKey]++
				pk := prevKey + " " + key
				phrases[pk]++
				if phrases[pk] >= 2 && len(pk) <= limits.MaxTopic {
					count(pk, prevShown+" "+shown, 2)
				}
			}
			prevKey, prevShown = key, shown
			if shown != tok {
				prevKey = "" // punctuation ends a phrase
			}
		}
	}
	x := &topicIndex{entries: make([]topicEntry, 0, len(stats))}
	for key, s := range stats {
		shown := ""
		best := 0
		for form, n := range s.shown {
			if n > best || n == best && form < shown {
				shown, best = form, n
			}
		}
		x.entries = append(x.entries, topicEntry{key: key, shown: shown, score: s.n})
	}
	slices.SortFunc(x.entries, func(a, b topicEntry) int { return cmp.Compare(a.key, b.key) })
	ranked := slices.Clone(x.entries)
	slices.SortFunc(ranked, byScore)
	for _, e := range ranked {
		if len(x.best) == MaxSuggestions {
			break
		}
		// Words that mostly come before another ("democratic", "direct")
		// describe things rather than name them.
		adjective := !strings.Contains(e.key, " ") && modifies[e.key]*2 > occurs[e.key]
		if len([]rune(e.key)) >= 5 && !adjective && !slices.ContainsFunc(x.best, func(b string) bool { return strings.Contains(strings.ToLower(b), e.key) }) {
			x.best = append(x.best, e.shown)
		}
	}
	x.short = map[string][]string{}
	for _, e := range x.entries {
		r := []rune(e.key)
		for n := 1; n <= 2 && n <= len(r); n++ {
			if p := string(r[:n]); x.short[p] == nil {
				x.short[p] = x.lookup(p, MaxSuggestions)
			}
		}
	}
	return x
}
