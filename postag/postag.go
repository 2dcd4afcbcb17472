// Package postag tags words with their parts of speech (Penn Treebank
// tags), so the generator can tell where a sentence may be joined to
// another. It runs the averaged perceptron of github.com/jdkato/prose/v2
// (Honnibal's tagger, with the weights prose ships) on glowcloud's own
// tokens: prose's own pipeline re-tokenises text with regular expressions
// and decodes its models on every document, which tags about 18,000 words a
// second; this one tags well over ten times that.
package postag

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/jdkato/prose/v2"
)

// Tagger tags sentences. It is immutable once made and safe for concurrent
// use.
type Tagger struct {
	classes []string
	// tagMap holds the words the training data tagged one way nearly always.
	tagMap map[string]string
	// weights maps a feature to its weight for each class (by index).
	weights map[string][]classWeight
}

type classWeight struct {
	class  int
	weight float64
}

// Default returns the tagger with prose's weights, decoded on first use
// (about half a second) and shared after.
var Default = sync.OnceValues(New)

// New decodes prose's averaged-perceptron weights into a new Tagger.
func New() (*Tagger, error) {
	asset := func(name string) ([]byte, error) {
		b, err := prose.Asset("model/AveragedPerceptron/" + name)
		if err != nil {
			return nil, fmt.Errorf("postag: %w", err)
		}
		return b, nil
	}
	decode := func(name string, f func([]byte) error) error {
		b, err := asset(name)
		if err != nil {
			return err
		}
		if err := f(b); err != nil {
			return fmt.Errorf("postag: decode %s: %w", name, err)
		}
		return nil
	}
	t := &Tagger{}
	index := make(map[string]int)
	err := decode("classes.gob", func(b []byte) (err error) {
		t.classes, err = decodeStrings(b)
		for i, c := range t.classes {
			index[c] = i
		}
		return err
	})
	if err == nil {
		err = decode("tags.gob", func(b []byte) (err error) {
			t.tagMap, err = decodeTags(b)
			return err
		})
	}
	if err == nil {
		err = decode("weights.gob", func(b []byte) (err error) {
			t.weights, err = decodeWeights(b, index)
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Tag returns one tag for each whitespace-free token of a sentence (a word
// with its punctuation attached, as corpus splits them): the tags of the
// token's words joined by "+" ("it's" gives "PRP+VBZ", "don't" "VBP+RB"),
// or "" for a token of punctuation alone.
func (t *Tagger) Tag(tokens []string) []string {
	parts := make([]part, 0, 2*len(tokens)+4)
	for i, tok := range tokens {
		// The tagger was trained on text whose punctuation stands apart:
		// "Chiapas," is a name after a comma, and without the comma it
		// reads as a verb after "to".
		parts = appendSplit(parts, tok, i)
	}
	ctx := make([]string, len(parts)+4)
	ctx[0], ctx[1] = "-START-", "-START2-"
	for i, p := range parts {
		ctx[i+2] = normalize(p.text)
	}
	ctx[len(ctx)-2], ctx[len(ctx)-1] = "-END-", "-END2-"
	out := make([]string, len(tokens))
	p1, p2 := "-START-", "-START2-"
	scores := make([]float64, len(t.classes))
	var buf []byte
	for i, p := range parts {
		tag, ok := t.tagMap[p.text]
		if !ok {
			tag, buf = t.predict(scores, buf, i, ctx, p.text, p1, p2)
		}
		if p.token < 0 {
			p2, p1 = p1, tag
			continue
		}
		if out[p.token] != "" {
			out[p.token] += "+"
		}
		out[p.token] += tag
		p2, p1 = p1, tag
	}
	return out
}

// predict is prose's featurize and predict, with the scores in a slice
// and each feature's name built in one reused buffer (a map looked up by
// string(bytes) does not copy them).
func (t *Tagger) predict(scores []float64, buf []byte, i int, ctx []string, w, p1, p2 string) (string, []byte) {
	clear(scores)
	i += 2
	add := func(parts ...string) {
		buf = buf[:0]
		for k, p := range parts {
			if k > 0 {
				buf = append(buf, ' ')
			}
			buf = append(buf, p...)
		}
		for _, cw := range t.weights[string(buf)] {
			scores[cw.class] += cw.weight
		}
	}
	suffix := func(s string) string { return s[len(s)-min(len(s), 3):] }
	add("bias")
	add("i suffix", suffix(w))
	add("i pref1", w[:1])
	add("i-1 tag", p1)
	add("i-2 tag", p2)
	add("i tag+i-2 tag", p1, p2)
	add("i word", ctx[i])
	add("i-1 tag+i word", p1, ctx[i])
	add("i-1 word", ctx[i-1])
	add("i-1 suffix", suffix(ctx[i-1]))
	add("i-2 word", ctx[i-2])
	add("i+1 word", ctx[i+1])
	add("i+1 suffix", suffix(ctx[i+1]))
	add("i+2 word", ctx[i+2])
	best := 0
	for c := range scores {
		// Ties go to the class named last, as prose's do.
		if scores[c] > scores[best] || scores[c] == scores[best] && t.classes[c] > t.classes[best] {
			best = c
		}
	}
	return t.classes[best], buf
}

// normalize is prose's word normalisation for features.
func normalize(w string) string {
	switch {
	case strings.Contains(w, "-") && w[0] != '-':
		return "!HYPHEN"
	case len(w) == 4 && isDigits(w):
		return "!YEAR"
	case w[0] >= '0' && w[0] <= '9':
		return "!DIGITS"
	}
	return strings.ToLower(w)
}

// isDigits reports whether strconv.Atoi reads s (a sign, then digits), for
// the short words normalize asks about (no overflow), without the error
// Atoi makes of every other word.
func isDigits(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" || len(s) > 18 {
		_, err := strconv.Atoi(s)
		return err == nil
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// A part is what the tagger reads: a word, or a mark of punctuation seen
// as context but given no tag (token -1).
type part struct {
	text  string
	token int
}

// appendSplit appends token i's parts: the punctuation before its words,
// its words (see appendWords) and the punctuation after them, each mark as
// the Penn Treebank writes it (quotes as “ and ”, dashes as --).
func appendSplit(parts []part, tok string, i int) []part {
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	start := strings.IndexFunc(tok, isWord)
	if start < 0 {
		return appendMarks(parts, tok, true)
	}
	end := strings.LastIndexFunc(tok, isWord)
	_, size := utf8.DecodeRuneInString(tok[end:])
	end += size
	// A clitic's apostrophe and a closing "'s" belong to the words.
	parts = appendMarks(parts, tok[:start], true)
	parts = appendWords(parts, tok, i)
	return appendMarks(parts, tok[end:], false)
}

// appendMarks appends a run of punctuation as the marks the tagger was
// trained on: one mark each, a run of full stops as one.
func appendMarks(parts []part, s string, opening bool) []part {
	start := len(parts)
	for j, r := range s {
		var m string
		switch r {
		case '"', '“', '”':
			m = "''"
			if opening {
				m = "``"
			}
		case '\'', '‘', '’':
			m = "'"
		case '—', '–':
			m = "--"
		case '…':
			m = "..."
		case utf8.RuneError:
			m = string(r)
		default:
			_, size := utf8.DecodeRuneInString(s[j:])
			m = s[j : j+size] // the rune, without a copy
		}
		if n := len(parts); n > start && m == "." && (parts[n-1].text == "." || parts[n-1].text == "...") {
			parts[n-1].text = "..."
			continue
		}
		parts = append(parts, part{m, -1})
	}
	return parts
}

// appendWords appends the words the tagger sees in token i: punctuation
// around it dropped, and a clitic split off as Penn Treebank does ("it's"
// → "it", "'s"; "don't" → "do", "n't").
func appendWords(parts []part, tok string, i int) []part {
	tok = strings.TrimFunc(tok, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if tok == "" {
		return parts
	}
	tok = strings.ReplaceAll(tok, "\u2019", "'")
	for _, c := range []string{"n't", "'s", "'re", "'ve", "'ll", "'d", "'m"} {
		if hasLowerSuffix(tok, c) && len(tok) > len(c) {
			cut := len(tok) - len(c)
			if r, _ := utf8.DecodeLastRuneInString(tok[:cut]); unicode.IsLetter(r) {
				return append(parts, part{tok[:cut], i}, part{tok[cut:], i})
			}
		}
	}
	return append(parts, part{tok, i})
}

// hasLowerSuffix reports whether tok lower-cased ends in the ASCII clitic
// c, as strings.HasSuffix(strings.ToLower(tok), c) does without making the
// lower-cased copy: no rune but an ASCII letter lower-cases to one of a
// clitic's letters, so they are tok's last bytes.
func hasLowerSuffix(tok, c string) bool {
	if len(tok) < len(c) {
		return false
	}
	end := tok[len(tok)-len(c):]
	for i := range len(c) {
		b := end[i]
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if b != c[i] {
			return false
		}
	}
	return true
}
