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
	// rank orders the classes by name, for prose's tie-break.
	rank []int
	// tagMap holds the words the training data tagged one way nearly
	// always, with the class (by index) it tagged them.
	tagMap map[string]int
	// features holds the weights of each feature of prose's featurize.
	features
}

type classWeight struct {
	class  int
	weight float64
}

// maxClasses is the most classes a Tagger has room for: predict sums
// their scores in an array of its own, which the race detector need not
// watch.
const maxClasses = 64

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
		if err == nil && len(t.classes) > maxClasses {
			err = fmt.Errorf("%d classes, room for %d", len(t.classes), maxClasses)
		}
		return err
	})
	if err == nil {
		err = decode("tags.gob", func(b []byte) error {
			tags, err := decodeTags(b)
			if err != nil {
				return err
			}
			t.tagMap = make(map[string]int, len(tags))
			for w, tag := range tags {
				c, ok := index[tag]
				if !ok {
					return fmt.Errorf("%w: word %q tagged %q, no class", errGob, w, tag)
				}
				t.tagMap[w] = c
			}
			return nil
		})
	}
	if err == nil {
		err = decode("weights.gob", func(b []byte) error {
			all, rows, err := decodeWeights(b, index)
			if err == nil {
				t.features = newFeatures(all, rows, t.classes)
			}
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	t.rank = make([]int, len(t.classes))
	for i := range t.classes {
		for j := range t.classes {
			if t.classes[j] < t.classes[i] {
				t.rank[i]++
			}
		}
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
	// The tags before, by id: a class, or the two that start a sentence.
	p1, p2 := len(t.classes), len(t.classes)+1
	var near neighbours
	for i, p := range parts {
		c, ok := t.tagMap[p.text]
		if !ok {
			c = t.predict(&near, i, ctx, p.text, p1, p2)
		}
		p2, p1 = p1, c
		if p.token < 0 {
			continue
		}
		if out[p.token] != "" {
			out[p.token] += "+"
		}
		out[p.token] += t.classes[c]
	}
	return out
}

// neighbours holds the features of the words around the one predict
// tags (ctx[i-2:i+3], i as predict has it), looked up once for each word
// of a sentence rather than once for each of the words it is a neighbour
// of.
type neighbours struct {
	at    int // ctx's index of word[0]
	valid int // how many of word hold their word's features
	word  [5]*wordFeatures
	// suffix holds the features of the suffixes of the words before and
	// after.
	suffix [5]*suffixFeatures
}

// predict is prose's featurize and predict: the features' weights
// summed in prose's order of features, the classes' scores in an array
// (see maxClasses), the weights found by the feature's kind and its words
// rather than by a name made for each (see features).
func (t *Tagger) predict(near *neighbours, i int, ctx []string, w string, p1, p2 int) int {
	i += 2
	t.slide(near, i-2, ctx)
	var scores [maxClasses]float64
	add := func(s span) {
		// By index: a range over 16-byte items steps a pointer, which
		// the race detector's pointer checks (checkptr) look up at
		// every step.
		for k := s.lo; k < s.hi; k++ {
			scores[t.weights[k].class] += t.weights[k].weight
		}
	}
	nt := len(t.classes) + 2
	add(t.bias)
	add(t.suffixOf(w[len(w)-min(len(w), 3):]).at)
	add(t.pref1[w[:1]])
	add(t.prevTag[p1])
	add(t.prev2Tag[p2])
	add(t.tagPair[p1*nt+p2])
	wf := near.word[2]
	add(wf.at)
	add(wf.afterTag(p1))
	add(near.word[1].prev)
	add(near.suffix[1].prev)
	add(near.word[0].prev2)
	add(near.word[3].next)
	add(near.suffix[3].next)
	add(near.word[4].next2)
	best := 0
	for c := range len(t.classes) {
		// Ties go to the class named last, as prose's do.
		if scores[c] > scores[best] || scores[c] == scores[best] && t.rank[c] > t.rank[best] {
			best = c
		}
	}
	return best
}

// slide moves near to ctx[at:at+5], keeping the features it holds of
// words still in it.
func (t *Tagger) slide(near *neighbours, at int, ctx []string) {
	if d := at - near.at; d > 0 && d < near.valid {
		copy(near.word[:], near.word[d:near.valid])
		copy(near.suffix[:], near.suffix[d:near.valid])
		near.valid -= d
	} else if d != 0 {
		near.valid = 0
	}
	near.at = at
	for k := near.valid; k < len(near.word); k++ {
		w := ctx[at+k]
		near.word[k] = t.wordOf(w)
		near.suffix[k] = t.suffixOf(w[len(w)-min(len(w), 3):])
	}
	near.valid = len(near.word)
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
