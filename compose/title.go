package compose

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/markov"
)

// Where a title comes from: now and then one of the model's own headings
// as it stands; often a heading of the model's with one of its noun
// phrases replaced by the subject; otherwise a form in the Glow Cloud's
// voice, whose other noun phrases come from the model's own text. The
// subject is the topic, or a noun phrase the manifesto itself dwells on.
// A title never says its subject twice, and its verb agrees with it.
const (
	verbatimHeading = 0.05
	headingForm     = 0.45
	// titleTries is how many forms a title tries before it falls back to
	// the subject alone.
	titleTries = 12
	// bankSize is how many of the text's noun phrases titles draw from.
	bankSize = 300
)

// titleIndex is what titles take from a model, built once per Writer.
type titleIndex struct {
	headings []string // headings that can stand as titles
	forms    []form   // the headings as forms, one per noun phrase
	// phrases are the noun phrases the text says at least twice, most
	// said first, as a title shows them ("the working class", "Holmes").
	phrases []string
	// shown and said are each phrase the text says, by its key (lower
	// case, without its determiner): as a title shows it, and how often.
	shown map[string]string
	said  map[string]int
	// names are the words the text writes only capitalised, mid-sentence,
	// and seldom after "the": "holmes", "chiapas" (lower case).
	names map[string]bool
	// plurals are the words in the plural form the text writes in lower
	// case: "robots", "pistols".
	plurals map[string]bool
	// roles tells nouns from verbs and adjectives, by what the text
	// writes before them.
	roles map[string]*role
}

// role counts where the text writes a word: as the head of a noun phrase
// (after a determiner, before punctuation or a preposition), as a verb
// (after a pronoun, "to" or a modal) or as an adjective (after "is",
// "very").
type role struct{ noun, verb, adjective int }

// form is a title with a place for a noun phrase: before + subject +
// after. Other places ("%n") take a noun phrase of the model's text.
type form struct {
	before, after string
	titleCase     bool // its words are capitalised ("Notes on %s at the End of History")
}

// parseForm makes a form of s, whose "%s" is the subject's place.
func parseForm(s string) form {
	before, after, _ := strings.Cut(s, "%s")
	return form{before: before, after: after, titleCase: isTitleCase(strings.ReplaceAll(s, "%s", ""))}
}

// name reports whether the lower-case word w is a name the text knows.
func (x *titleIndex) name(w string) bool { return x.names[w] }

// common reports whether the text writes the lower-case word w in lower
// case (it answers for plural forms only, the ones a name can look like).
func (x *titleIndex) common(w string) bool { return x.plurals[w] }

func buildTitleIndex(m *markov.Model) *titleIndex {
	x := &titleIndex{names: map[string]bool{}, plurals: map[string]bool{}, roles: map[string]*role{}, shown: map[string]string{}, said: map[string]int{}}
	for _, h := range m.Headings() {
		if !titleLike(h) {
			continue
		}
		if strings.ToUpper(h) == h {
			h = titleCase(strings.ToLower(h))
		}
		x.headings = append(x.headings, h)
		x.forms = append(x.forms, headingForms(h)...)
	}
	sentences := m.TrainingSentences()
	type seen struct{ capital, lower, afterThe int }
	words := map[string]*seen{}
	roleOf := func(w string) *role {
		r := x.roles[w]
		if r == nil {
			r = &role{}
			x.roles[strings.Clone(w)] = r
		}
		return r
	}
	for _, s := range sentences {
		toks := tokens(s)
		for i := 1; i < len(toks); i++ {
			lead, core, tail := splitToken(toks[i])
			_, prevCore, prevTail := splitToken(toks[i-1])
			if core == "" || lead != "" {
				continue
			}
			key, prev := strings.ToLower(core), strings.ToLower(prevCore)
			if prevTail == "" {
				switch {
				case verbCues[prev]:
					roleOf(key).verb++
				case adjectiveCues[prev]:
					roleOf(key).adjective++
				case (determiners[prev] && prev != "of" || i >= 2 && determiners[strings.ToLower(toks[i-2])] && strings.ToLower(toks[i-2]) != "of") &&
					(tail != "" || i+1 == len(toks) || phraseEnds[strings.ToLower(toks[i+1])]):
					roleOf(key).noun++
				}
			}
			if endsClause(toks[i-1]) {
				continue
			}
			st := words[key]
			if st == nil {
				st = &seen{}
				words[key] = st
			}
			r, _ := utf8.DecodeRuneInString(core)
			switch {
			case unicode.IsUpper(r):
				st.capital++
				if prev == "the" {
					st.afterThe++
				}
			case unicode.IsLower(r):
				st.lower++
			}
		}
	}
	for w, st := range words {
		if st.capital >= 2 && st.lower == 0 && st.afterThe*4 < st.capital && len(w) > 1 && !strings.ContainsAny(w, "'’") {
			x.names[strings.Clone(w)] = true
		}
		if st.lower > 0 && pluralForm(w) {
			x.plurals[strings.Clone(w)] = true
		}
	}
	counts := x.countPhrases(sentences, nil)
	for _, c := range counts {
		// Clones, so the index does not keep the whole text alive.
		key, shown := strings.Clone(c.key), strings.Clone(c.shown)
		if c.n >= 2 && len(x.phrases) < bankSize {
			x.phrases = append(x.phrases, shown)
		}
		x.shown[key] = shown
		x.said[key] = c.n
	}
	return x
}

// title returns a title for a manifesto about topic (may be empty) whose
// paragraphs are paras: in the style of the model's headings, never a
// quotation, never saying its subject twice.
func (w *Writer) title(rng *rand.Rand, topic string, paras []string) string {
	x := w.titles()
	subject := topic
	if subject == "" {
		if len(x.headings) > 0 && rng.Float64() < verbatimHeading {
			return x.headings[rng.IntN(len(x.headings))]
		}
		if top := x.countPhrases(paras, x.shown); len(top) > 0 && rng.Float64() < 0.6 {
			// What this manifesto says more than the text does.
			slices.SortStableFunc(top, func(a, b phraseCount) int {
				return cmp.Compare(float64(b.n)/math.Sqrt(float64(x.said[b.key])), float64(a.n)/math.Sqrt(float64(x.said[a.key])))
			})
			subject = top[rng.IntN(min(len(top), 8))].shown
		}
	}
	if subject == "" && len(x.phrases) > 0 {
		// Now and then a phrase of the whole text: a pool of sentences
		// said often would otherwise name the same subjects often.
		subject = x.phrases[rng.IntN(min(len(x.phrases), 200))]
	}
	if subject == "" {
		subject = "Everything"
	}
	n := numberOf(subject, x)
	for range titleTries {
		var f form
		if len(x.forms) > 0 && rng.Float64() < headingForm {
			f = x.forms[rng.IntN(len(x.forms))]
		} else {
			f = parseForm(titleForms[rng.IntN(len(titleForms))])
		}
		t, ok := x.fill(rng, f, subject, n)
		if ok && utf8.RuneCountInString(t) <= LongestTitle && !repeatsWord(t) && !slices.ContainsFunc(x.headings, func(h string) bool { return strings.EqualFold(h, t) }) {
			return t
		}
	}
	return capitalise(Clean(subject, LongestTitle))
}

// fill puts subject (of number n) into f, and a noun phrase of the text
// into each of f's other places; a verb right after the subject agrees
// with it. It reports false when f has a place the text has no phrase for.
func (x *titleIndex) fill(rng *rand.Rand, f form, subject string, n number) (string, bool) {
	before, after := f.before, f.after
	for _, part := range []*string{&before, &after} {
		for strings.Contains(*part, "%n") {
			if len(x.phrases) == 0 {
				return "", false
			}
			p := x.phrases[rng.IntN(min(len(x.phrases), 100))]
			if f.titleCase {
				p = titleCase(p)
				if first, rest, ok := strings.Cut(p, " "); ok && smallWords[strings.ToLower(first)] && !opensTitle((*part)[:strings.Index(*part, "%n")]) {
					p = strings.ToLower(first) + " " + rest
				}
			} else if opensTitle((*part)[:strings.Index(*part, "%n")]) && part == &before {
				p = capitalise(p)
			}
			*part = strings.Replace(*part, "%n", p, 1)
		}
	}
	s := subject
	if f.titleCase {
		s = titleCase(s)
	}
	if opensTitle(before) {
		s = capitalise(s)
	} else if first, rest, _ := strings.Cut(s, " "); f.titleCase && smallWords[strings.ToLower(first)] {
		s = strings.ToLower(first) + " " + rest // "Notes on the Masses"
	}
	// The verb after the subject agrees with it: "Robots are Anarchist".
	if rest := strings.TrimLeft(after, " "); len(rest) < len(after) {
		verb, tail, more := strings.Cut(rest, " ")
		if _, ok := verbForms[strings.ToLower(verb)]; ok {
			after = " " + n.inflect(verb)
			if more {
				after += " " + tail
			}
		}
	}
	return before + s + after, true
}

// opensTitle reports whether a place after before opens the title or a
// part of it, so the subject is capitalised there.
func opensTitle(before string) bool {
	b := strings.TrimRight(before, `"“'‘( `)
	return b == "" || strings.HasSuffix(b, ":") || strings.HasSuffix(b, ".") || strings.HasSuffix(b, "!") || strings.HasSuffix(b, "?")
}

// titleLike reports whether a heading reads as a title: two words or
// more, at most LongestTitle characters, not a question, not a line of
// dialogue or a quotation with its source ("“Democracy is very good.” —
// David Graeber"), and not metadata ("Language: English").
func titleLike(h string) bool {
	words := strings.Fields(h)
	if len(words) < 2 || utf8.RuneCountInString(h) > LongestTitle {
		return false
	}
	core := strings.TrimRight(h, `"'”’)`)
	if strings.HasSuffix(core, "?") {
		return false
	}
	if strings.ContainsAny(h, `"“”`) {
		// A quoted term may lead a heading ("“Climate Leninism” as a test
		// case"); a quoted sentence may not, nor a source after a quote.
		if strings.ContainsAny(h, "—–") || strings.HasSuffix(strings.TrimSpace(h), `"`) || strings.HasSuffix(strings.TrimSpace(h), "”") {
			return false
		}
		if q := strings.IndexAny(h, `"“`); q >= 0 {
			inner := h[q+1:]
			if e := strings.IndexAny(inner, `"”`); e >= 0 && strings.ContainsAny(inner[:e], ".!?") {
				return false
			}
		}
	}
	if i := strings.Index(h, ":"); i > 0 && !strings.Contains(h[:i], " ") {
		return false // "Title: ...", "Author: ..."
	}
	if strings.Contains(h, " by ") || strings.Contains(h, "Project Gutenberg") {
		return false // a byline, or an e-book's front matter
	}
	return true
}

// headingForms returns the forms of heading h: one for each noun phrase
// that stands where another noun phrase could (at the start, in a list,
// after a preposition), so that the subject takes the place of a noun
// phrase, never of an adjective or a verb. A phrase that is the head of
// an "of" ("the Turn of the Century") or the whole heading is left.
func headingForms(h string) []form {
	if strings.Contains(h, "%") {
		return nil // the form's own places are the only "%"
	}
	toks := strings.Fields(h)
	title := isTitleCase(h)
	var out []form
	for i := 0; i < len(toks); i++ {
		if !slotStart(toks, i) {
			continue
		}
		j, ok := slotEnd(toks, i)
		if !ok || len(toks)-(j-i+1) < 2 {
			continue
		}
		lead, _, _ := splitToken(toks[i])
		_, _, tail := splitToken(toks[j])
		before := strings.Join(toks[:i], " ")
		if before != "" {
			before += " "
		}
		before += lead
		after := tail
		if j+1 < len(toks) {
			after += " " + strings.Join(toks[j+1:], " ")
		}
		out = append(out, form{before: before, after: after, titleCase: title})
		i = j
	}
	return out
}

// slotStart reports whether a noun phrase that can be replaced may start
// at toks[i]: at the start, after punctuation, or after a conjunction or
// a preposition.
func slotStart(toks []string, i int) bool {
	if i == 0 {
		return true
	}
	if lead, _, _ := splitToken(toks[i]); lead != "" {
		return true
	}
	if _, _, tail := splitToken(toks[i-1]); strings.ContainsAny(tail, ",:;.!") {
		return true
	}
	return phraseBefore[strings.ToLower(toks[i-1])]
}

// slotEnd returns the last token of the noun phrase starting at toks[i]:
// an optional determiner, up to three modifiers, and a noun followed by
// punctuation, the end, or a conjunction, a preposition (not "of") or a
// verb. It reports false when no such phrase starts there.
func slotEnd(toks []string, i int) (int, bool) {
	first := i
	if _, core, _ := splitToken(toks[i]); determiners[strings.ToLower(core)] && strings.ToLower(core) != "of" {
		first = i + 1
	}
	for j := first; j < len(toks) && j <= first+3; j++ {
		lead, core, tail := splitToken(toks[j])
		lower := strings.ToLower(core)
		if core == "" || j > i && lead != "" || !slotWord(core) {
			return 0, false
		}
		endsHere := tail != "" || j+1 == len(toks) || phraseAfter[strings.ToLower(toks[j+1])]
		if !endsHere {
			continue
		}
		if j+1 < len(toks) && strings.EqualFold(toks[j+1], "of") && tail == "" {
			return 0, false // the head of "the Turn of the Century"
		}
		if !nounHead(lower, j > first) {
			return 0, false
		}
		return j, true
	}
	return 0, false
}

// slotWord reports whether a word may be part of a replaceable noun
// phrase: no function word, no verb of being, no roman numeral.
func slotWord(core string) bool {
	lower := strings.ToLower(core)
	if functionWords[lower] && !pronounPhrases[lower] || verbForms[lower] != [3]string{} || lower == "just" {
		return false
	}
	if utf8.RuneCountInString(core) == 1 || strings.Trim(core, "IVXLC") == "" {
		return false
	}
	return true
}

// nounHead reports whether the lower-case word w can head a noun phrase,
// modified (after an adjective) or alone.
func nounHead(w string, modified bool) bool {
	if pronounPhrases[w] {
		return !modified
	}
	if nonHeads[w] || strings.HasSuffix(w, "ly") {
		return false
	}
	for _, suf := range []string{"ive", "ous", "ful", "less", "able", "ible", "ish"} {
		if strings.HasSuffix(w, suf) {
			return false // an adjective: "Impressive", "Famous"
		}
	}
	if !modified && (strings.HasSuffix(w, "ing") || strings.HasSuffix(w, "ed")) {
		return false // a verb, alone: "Impending"
	}
	return true
}

// splitToken splits a token into its leading punctuation, its word and
// its trailing punctuation: `"Climate` is `"`, `Climate`, “”.
func splitToken(t string) (lead, core, tail string) {
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	lo := strings.IndexFunc(t, isWord)
	if lo < 0 {
		return t, "", ""
	}
	hi := strings.LastIndexFunc(t, isWord)
	_, size := utf8.DecodeRuneInString(t[hi:])
	return t[:lo], t[lo : hi+size], t[hi+size:]
}

// tokens splits s at ASCII white space (all a model's text and compose's
// own hold, once normalised): strings.Fields without its slow path for
// text that is not ASCII.
func tokens(s string) []string {
	out := make([]string, 0, strings.Count(s, " ")+1)
	start := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\n', '\t', '\r', '\v', '\f':
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// endsClause reports whether a token ends a sentence or clause, so the
// word after it may be capitalised for that reason alone.
func endsClause(t string) bool {
	return strings.ContainsAny(t[len(t)-1:], ".!?:;\"”—") || strings.HasSuffix(t, "—")
}

// isTitleCase reports whether most words of s longer than three letters,
// after the first, are capitalised.
func isTitleCase(s string) bool {
	caps, all := 0, 0
	for i, t := range strings.Fields(s) {
		_, core, _ := splitToken(t)
		if i == 0 || utf8.RuneCountInString(core) <= 3 {
			continue
		}
		all++
		if r, _ := utf8.DecodeRuneInString(core); unicode.IsUpper(r) {
			caps++
		}
	}
	return all == 0 || caps*2 > all
}

// phraseCount is a noun phrase and how often a text says it.
type phraseCount struct {
	key, shown string // lower case, without its determiner; as a title shows it
	n          int
}

// countPhrases returns the noun phrases of texts, most said first: the
// noun after a determiner, or an adjective and its noun ("the working
// class", "his wife"), an adjective and its noun where the text writes
// them bare ("democratic planning"), and the names the text knows
// ("Holmes", "Irene Adler"). A phrase is shown with the determiner the
// text says it with most (this, that, its: "the"). With known set, only
// its phrases count, shown as it shows them.
func (x *titleIndex) countPhrases(texts []string, known map[string]string) []phraseCount {
	type stat struct {
		n     int
		dets  map[string]int
		shown map[string]int
	}
	stats := map[string]*stat{}
	said := map[string]int{} // with known: only how often
	add := func(shown, det string) {
		key := strings.ToLower(shown)
		if known != nil {
			if known[key] != "" {
				said[key]++
			}
			return
		}
		st := stats[key]
		if st == nil {
			st = &stat{shown: map[string]int{}, dets: map[string]int{}}
			stats[key] = st
		}
		st.n++
		st.shown[shown]++
		if shownDeterminer[det] != "" {
			det = shownDeterminer[det]
		}
		st.dets[det]++
	}
	for _, text := range texts {
		toks := tokens(text)
		for i := 0; i < len(toks); i++ {
			lead, core, tail := splitToken(toks[i])
			lower := strings.ToLower(core)
			if core == "" || tail != "" {
				continue
			}
			if determiners[lower] && lower != "of" {
				if p, k := x.nounPhrase(toks, i+1); p != "" {
					add(p, lower)
					i += k
				}
				continue
			}
			// An adjective and its noun, bare: "democratic planning".
			if i+1 < len(toks) && lead == "" && adjectival(lower) && (i == 0 || phraseBefore[strings.ToLower(toks[i-1])] || endsClause(toks[i-1]) || strings.HasSuffix(toks[i-1], ",")) {
				if l2, c2, t2 := splitToken(toks[i+1]); l2 == "" && c2 != "" && subjectWord(strings.ToLower(c2)) && !adjectival(strings.ToLower(c2)) {
					next := ""
					if i+2 < len(toks) {
						next = strings.ToLower(toks[i+2])
					}
					if (t2 != "" && strings.ContainsAny(t2[:1], ".,;:!?") || next == "" || phraseEnds[next] && next != "of") && x.nounLike(strings.ToLower(c2)) {
						add(strings.ToLower(core[:1])+core[1:]+" "+c2, "")
						i++
						continue
					}
				}
			}
			// A name, mid-sentence: "Holmes", "Irene Adler"; not the
			// second word of a longer one.
			if i > 0 && lead == "" && !endsClause(toks[i-1]) && x.names[lower] && !determiners[strings.ToLower(toks[i-1])] && !(capitalised(toks[i-1]) && i > 1 && !endsClause(toks[i-2])) {
				p := core
				if i+1 < len(toks) && tail == "" {
					if l2, c2, _ := splitToken(toks[i+1]); l2 == "" && c2 != "" && capitalised(c2) && !functionWords[strings.ToLower(c2)] {
						p += " " + c2
						i++
					}
				}
				add(p, "")
			}
		}
	}
	out := make([]phraseCount, 0, len(stats)+len(said))
	for key, n := range said {
		out = append(out, phraseCount{key, known[key], n})
	}
	for key, st := range stats {
		shown := mostSaid(st.shown)
		if det := mostSaid(st.dets); det != "" {
			shown = det + " " + shown
		}
		out = append(out, phraseCount{key, shown, st.n})
	}
	slices.SortFunc(out, func(a, b phraseCount) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.shown, b.shown)) })
	return out
}

// nounPhrase returns the noun phrase of one or two words at toks[i] (after
// a determiner) and how many tokens it took: words that can be a title's
// subject, the last a noun followed by punctuation or a word that ends a
// noun phrase ("the working class is", "the state."), but not "of" (the
// head of a larger phrase: "the rest of"). It returns "" when none.
func (x *titleIndex) nounPhrase(toks []string, i int) (string, int) {
	var words []string
	for j := i; j < len(toks) && j < i+2; j++ {
		lead, core, tail := splitToken(toks[j])
		lower := strings.ToLower(core)
		if lead != "" || core == "" || !subjectWord(lower) || strings.ContainsAny(core, "'’") {
			return "", 0
		}
		words = append(words, core)
		next := ""
		if j+1 < len(toks) {
			next = strings.ToLower(toks[j+1])
		}
		if tail == "" && next != "" && !phraseEnds[next] {
			if r := x.roles[lower]; !x.names[lower] && (pluralForm(lower) || r != nil && r.verb > r.noun+r.adjective) {
				return "", 0 // a verb or a plural cannot modify
			}
			continue
		}
		if tail != "" && !strings.ContainsAny(tail[:1], ".,;:!?)") || tail == "" && next == "of" {
			return "", 0
		}
		if !nounHead(lower, len(words) > 1) || len(words) == 1 && strings.HasSuffix(lower, "ing") || x.notNoun(lower) {
			return "", 0
		}
		return strings.Join(words, " "), len(words)
	}
	return "", 0
}

// mostSaid returns the key of counts with the highest count, the least
// key of those tied.
func mostSaid(counts map[string]int) string {
	best, n := "", 0
	for k, c := range counts {
		if c > n || c == n && k < best {
			best, n = k, c
		}
	}
	return best
}

// shownDeterminer is how a title shows a phrase's determiner: "this
// room" and "its room" are "the room" out of their sentence.
var shownDeterminer = map[string]string{
	"this": "the", "that": "the", "these": "the", "those": "the", "its": "the",
}

// notNoun reports whether the text writes w as a noun less than twice,
// or as a verb or an adjective more often than as a noun: "the questions
// begin." is not a phrase.
func (x *titleIndex) notNoun(w string) bool {
	if x.names[w] {
		return false
	}
	r := x.roles[w]
	return r == nil || r.noun < 2 || r.verb+r.adjective > r.noun
}

// nounLike reports whether w can head a noun phrase the text writes bare.
func (x *titleIndex) nounLike(w string) bool { return nounHead(w, true) && !x.notNoun(w) }

// adjectival reports whether the lower-case word w looks like an
// adjective by its ending: "democratic", "libertarian", "mutual".
func adjectival(w string) bool {
	if w == "" {
		return false
	}
	switch w[len(w)-1] {
	case 'l', 'c', 'n', 'e', 'y', 't':
	default:
		return false
	}
	for _, suf := range []string{"al", "ic", "ian", "ive", "ous", "ary", "ist", "ful"} {
		if strings.HasSuffix(w, suf) && utf8.RuneCountInString(w) > len(suf)+2 {
			return true
		}
	}
	return false
}

// capitalised reports whether token t's word starts with a capital.
func capitalised(t string) bool {
	_, core, _ := splitToken(t)
	r, _ := utf8.DecodeRuneInString(core)
	return unicode.IsUpper(r)
}

// repeatsWord reports whether title says a word twice, counting the
// forms of a word as one ("Robots" and "Robot", "Socialism" and
// "socialist"): a title says its subject once.
func repeatsWord(title string) bool {
	var stems []string
	for _, f := range strings.FieldsFunc(title, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '’' }) {
		w := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(f, "'s"), "’s"))
		if utf8.RuneCountInString(w) < 4 || functionWords[w] {
			continue
		}
		s := stem(w)
		if slices.ContainsFunc(stems, func(t string) bool { return sameStem(s, t) }) {
			return true
		}
		stems = append(stems, s)
	}
	return false
}

// stem strips the endings that make one word of several: plurals, "-ism"
// and "-ist".
func stem(w string) string {
	for _, e := range []struct{ suffix, by string }{
		{"isms", ""}, {"ists", ""}, {"ism", ""}, {"ist", ""}, {"ies", "y"}, {"sses", "ss"}, {"es", "e"}, {"s", ""},
	} {
		if strings.HasSuffix(w, e.suffix) && len(w)-len(e.suffix) >= 3 && !strings.HasSuffix(w, "ss") {
			return strings.TrimSuffix(w, e.suffix) + e.by
		}
	}
	return w
}

// sameStem reports whether stems a and b are one word's: one begins the
// other (at four letters or more), or they share most of their letters
// from the start ("democratic", "democracy").
func sameStem(a, b string) bool {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	short := min(len(a), len(b))
	return n == short && short >= 4 || n >= 6 && n*4 >= short*3
}

// subjectWord reports whether a word can stand in a title's subject: a
// content word, no adverb in "-ly", no contraction, no number, and none of
// the words that are content by length only.
func subjectWord(w string) bool {
	if utf8.RuneCountInString(w) <= 3 || functionWords[w] || stopWords[w] || notSubjects[w] || strings.HasSuffix(w, "ly") || strings.ContainsAny(w, "'’_") {
		return false
	}
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsLetter(r)
}

// determiners come before a noun (or an adjective and a noun).
var determiners = map[string]bool{
	"the": true, "a": true, "an": true, "our": true, "their": true, "its": true, "his": true, "her": true,
	"this": true, "these": true, "those": true, "every": true, "of": true, "my": true, "your": true,
}

var (
	// phraseBefore come right before a noun phrase that can be replaced.
	phraseBefore = set("and or and/or & of at on about against for with without in from by versus vs into beyond after before under over")
	// phraseAfter come right after one: conjunctions, prepositions, verbs.
	phraseAfter = set("and or and/or & at as in on if for with without from to against versus vs is are was were has have")
	// phraseEnds come right after a noun phrase in prose.
	phraseEnds = set("of in on at for with from to by and or but nor is are was were has have had that which who whom whose as than " +
		"into about against will would can could should must may might not upon within without between among through")
	// pronounPhrases are pronouns that stand as a noun phrase alone.
	pronounPhrases = set("everything nothing something anything everyone nobody")
	// verbCues come before a verb; adjectiveCues before an adjective.
	verbCues      = set("i we they he she it you who to will would can could should must may might shall did does do not never")
	adjectiveCues = set("is are was were be been being very so too quite rather")
	// nonHeads are words that end a phrase without being a noun.
	nonHeads = set("today now here there again just very dandy else too also alone")
	// functionWords are never a title's subject: quality.py's stop list,
	// pronouns, auxiliaries, prepositions, conjunctions.
	functionWords = set("the and that this with from have were which their there they them then than what when where while would " +
		"could should about into your just also more most some such only over very been being because other these " +
		"those does will shall upon it's isn't a an or of to in on is it for as at by be are was my our i we you " +
		"he she him her his hers its us me mine yours ours theirs who whom whose if but nor so yet not no can may might " +
		"must had has do did done said says say onto within without among between through during after before under " +
		"against towards toward until unless since though although whether each every either neither both all any " +
		"many much few several one ones own same another anyone someone everyone everything something nothing anything " +
		"here now again even still just ever never always often already perhaps quite rather really indeed thus hence " +
		"how why whatever whoever however therefore let lets like unlike upon across beyond around")
)

// notSubjects are long words that are not things.
var notSubjects = map[string]bool{
	"however": true, "always": true, "less": true, "much": true, "thus": true, "again": true, "even": true,
	"many": true, "never": true, "still": true, "often": true, "rather": true, "perhaps": true, "here": true,
	"though": true, "among": true, "without": true, "within": true, "something": true, "anything": true,
	"everything": true, "nothing": true, "whether": true, "since": true, "until": true, "after": true,
	"before": true, "both": true, "each": true, "same": true, "like": true, "first": true, "last": true,
	"next": true, "whole": true, "kind": true, "sort": true, "part": true, "thing": true, "things": true,
	"already": true, "almost": true, "enough": true, "every": true, "anyone": true, "someone": true,
	"little": true, "great": true, "good": true, "best": true, "better": true, "well": true, "made": true,
	"said": true, "case": true, "fact": true, "time": true, "world": true, "very": true, "point": true,
}

// smallWords stay lower case inside a title.
var smallWords = map[string]bool{
	"a": true, "an": true, "the": true, "and": true, "or": true, "of": true, "in": true, "on": true,
	"at": true, "to": true, "for": true, "by": true, "as": true, "if": true, "is": true,
}

// titleCase capitalises each word of s (each part of a hyphenated one)
// but the small ones (after the first).
func titleCase(s string) string {
	fields := strings.Fields(s)
	for i, f := range fields {
		if i > 0 && smallWords[strings.ToLower(f)] && !strings.ContainsAny(fields[i-1][len(fields[i-1])-1:], ".:!?") {
			fields[i] = strings.ToLower(f)
			continue
		}
		parts := strings.Split(f, "-")
		for j, p := range parts {
			parts[j] = capitalise(p)
		}
		fields[i] = strings.Join(parts, "-")
	}
	return strings.Join(fields, " ")
}
