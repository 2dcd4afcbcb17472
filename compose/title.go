package compose

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Where a title comes from: now and then one of the model's own headings,
// more often a heading of the model's with one of its words replaced by
// the subject, otherwise a form in the Glow Cloud's voice. The subject is
// the topic, or a word or phrase the manifesto itself dwells on.
const (
	verbatimHeading = 0.05
	headingForm     = 0.40
)

// title returns a title for a manifesto about topic (may be empty) whose
// sentences' words are said: in the style of the model's headings, never
// a quotation.
func (w *Writer) title(rng *rand.Rand, topic string, said [][]string) string {
	heads := w.titleHeadings()
	subject := titleCase(topic)
	if subject == "" {
		if len(heads) > 0 && rng.Float64() < verbatimHeading {
			return heads[rng.IntN(len(heads))]
		}
		subject = bodySubject(rng, said)
	}
	if subject == "" {
		subject = subjects[rng.IntN(len(subjects))]
	}
	form := titleForms[rng.IntN(len(titleForms))]
	if len(heads) > 0 && rng.Float64() < headingForm {
		if f, ok := headingTemplate(rng, heads[rng.IntN(len(heads))]); ok {
			form = f
		}
	}
	t := strings.Replace(form, "%s", subject, 1)
	if utf8.RuneCountInString(t) > LongestTitle {
		t = Capitalise(Clean(subject, LongestTitle))
	}
	return t
}

// titleHeadings returns the model's headings that can stand as titles:
// not quotations, epigraphs, dialogue or a file's metadata; headings in
// capitals are title-cased.
func (w *Writer) titleHeadings() []string {
	var out []string
	for _, h := range w.m.Headings() {
		if !titleLike(h) {
			continue
		}
		if strings.ToUpper(h) == h {
			h = titleCase(strings.ToLower(h))
		}
		out = append(out, h)
	}
	return out
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

// headingTemplate makes a form of heading h: its first or last
// capitalised content word (not an "-ing" word) becomes the subject's
// place.
func headingTemplate(rng *rand.Rand, h string) (string, bool) {
	if strings.Contains(h, "%") {
		return "", false // the form's own place is the only "%"
	}
	fields := strings.Fields(h)
	var at []int
	for i, f := range fields {
		lo := strings.IndexFunc(f, unicode.IsLetter)
		if lo < 0 {
			continue
		}
		r, _ := utf8.DecodeRuneInString(f[lo:])
		ws := textWords(f)
		if unicode.IsUpper(r) && len(ws) == 1 && isContent(ws[0]) && !stopWords[ws[0]] && !strings.HasSuffix(ws[0], "ing") {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return "", false
	}
	i := at[0]
	if rng.IntN(2) == 0 {
		i = at[len(at)-1]
	}
	f := fields[i]
	lo := strings.IndexFunc(f, unicode.IsLetter)
	hi := strings.LastIndexFunc(f, unicode.IsLetter)
	fields[i] = f[:lo] + "%s" + f[hi+1:]
	return strings.Join(fields, " "), true
}

// bodySubject returns a word or two-word phrase the sentences dwell on,
// title-cased: the words after a determiner ("the", "a", "our", "of", ...)
// are the nouns, or an adjective and its noun, and the most repeated of
// them are drawn from.
func bodySubject(rng *rand.Rand, said [][]string) string {
	type count struct {
		phrase string
		n      int
	}
	counts, phrases := map[string]int{}, map[string]int{}
	for _, ws := range said {
		{
			for i := 1; i < len(ws); i++ {
				if !determiners[ws[i-1]] || !subjectWord(ws[i]) {
					continue
				}
				counts[ws[i]]++
				if i+1 < len(ws) && subjectWord(ws[i+1]) && !strings.HasSuffix(ws[i+1], "ed") {
					phrases[ws[i]+" "+ws[i+1]]++
				}
			}
		}
	}
	for p, n := range phrases {
		if n >= 2 { // said twice, it is a phrase: it says more than a word
			counts[p] = 2 * n
		}
	}
	var top []count
	for p, n := range counts {
		top = append(top, count{p, n})
	}
	slices.SortFunc(top, func(a, b count) int {
		return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.phrase, b.phrase))
	})
	if len(top) == 0 {
		return ""
	}
	top = top[:min(len(top), 6)]
	return titleCase(top[rng.IntN(len(top))].phrase)
}

// determiners come before a noun (or an adjective and a noun).
var determiners = map[string]bool{
	"the": true, "a": true, "an": true, "our": true, "their": true, "its": true, "his": true, "her": true,
	"this": true, "these": true, "those": true, "every": true, "of": true, "my": true, "your": true,
}

// subjectWord reports whether a word can stand in a title's subject: a
// content word, no adverb in "-ly", no contraction, no number, and none of
// the words that are content by length only.
func subjectWord(w string) bool {
	if !isContent(w) || stopWords[w] || notSubjects[w] || strings.HasSuffix(w, "ly") || strings.ContainsAny(w, "'’_") {
		return false
	}
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsLetter(r)
}

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

// titleCase capitalises each word of s but the small ones (after the first).
func titleCase(s string) string {
	fields := strings.Fields(s)
	for i, f := range fields {
		if i > 0 && smallWords[strings.ToLower(f)] && !strings.ContainsAny(fields[i-1][len(fields[i-1])-1:], ".:!?") {
			fields[i] = strings.ToLower(f)
			continue
		}
		fields[i] = Capitalise(f)
	}
	return strings.Join(fields, " ")
}
