// Package postag tags words with their parts of speech (Penn Treebank
// tags), so the generator can tell where a sentence may be joined to
// another. It runs the averaged perceptron of github.com/jdkato/prose/v2
// (Honnibal's tagger, with the weights prose ships) on glowcloud's own
// tokens: prose's own pipeline re-tokenises text with regular expressions
// and decodes its models on every document, which tags about 18,000 words a
// second; this one tags well over ten times that.
package postag

import (
	"bytes"
	"encoding/gob"
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
	var classes []string
	var tags map[string]string
	var weights map[string]map[string]float64
	for _, a := range []struct {
		name string
		v    any
	}{{"classes.gob", &classes}, {"tags.gob", &tags}, {"weights.gob", &weights}} {
		b, err := prose.Asset("model/AveragedPerceptron/" + a.name)
		if err != nil {
			return nil, fmt.Errorf("postag: %w", err)
		}
		if err := gob.NewDecoder(bytes.NewReader(b)).Decode(a.v); err != nil {
			return nil, fmt.Errorf("postag: decode %s: %w", a.name, err)
		}
	}
	index := make(map[string]int, len(classes))
	for i, c := range classes {
		index[c] = i
	}
	t := &Tagger{classes: classes, tagMap: tags, weights: make(map[string][]classWeight, len(weights))}
	for f, ws := range weights {
		row := make([]classWeight, 0, len(ws))
		for c, w := range ws {
			if i, ok := index[c]; ok && w != 0 {
				row = append(row, classWeight{i, w})
			}
		}
		t.weights[f] = row
	}
	return t, nil
}

// Tag returns one tag for each whitespace-free token of a sentence (a word
// with its punctuation attached, as corpus splits them): the tags of the
// token's words joined by "+" ("it's" gives "PRP+VBZ", "don't" "VBP+RB"),
// or "" for a token of punctuation alone.
func (t *Tagger) Tag(tokens []string) []string {
	type part struct {
		text  string
		token int // -1: punctuation, seen as context but given no tag
	}
	parts := make([]part, 0, 2*len(tokens)+4)
	for i, tok := range tokens {
		// The tagger was trained on text whose punctuation stands apart:
		// "Chiapas," is a name after a comma, and without the comma it
		// reads as a verb after "to".
		lead, ws, trail := split(tok)
		for _, p := range lead {
			parts = append(parts, part{p, -1})
		}
		for _, w := range ws {
			parts = append(parts, part{w, i})
		}
		for _, p := range trail {
			parts = append(parts, part{p, -1})
		}
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

func isDigits(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// split splits a token into the punctuation before its words, its words
// (see words) and the punctuation after them, each mark as the Penn
// Treebank writes it (quotes as “ and ”, dashes as --).
func split(tok string) (lead, ws, trail []string) {
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	start := strings.IndexFunc(tok, isWord)
	if start < 0 {
		return marks(tok, true), nil, nil
	}
	end := strings.LastIndexFunc(tok, isWord)
	_, size := utf8.DecodeRuneInString(tok[end:])
	end += size
	// A clitic's apostrophe and a closing "'s" belong to the words.
	return marks(tok[:start], true), words(tok), marks(tok[end:], false)
}

// marks turns a run of punctuation into the tokens the tagger was trained
// on: one mark each, a run of full stops as one.
func marks(s string, opening bool) []string {
	var out []string
	for _, r := range s {
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
		default:
			m = string(r)
		}
		if n := len(out); n > 0 && m == "." && (out[n-1] == "." || out[n-1] == "...") {
			out[n-1] = "..."
			continue
		}
		out = append(out, m)
	}
	return out
}

// words splits a token into the words the tagger sees: punctuation around
// it dropped, and a clitic split off as Penn Treebank does ("it's" → "it",
// "'s"; "don't" → "do", "n't").
func words(tok string) []string {
	tok = strings.TrimFunc(tok, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if tok == "" {
		return nil
	}
	tok = strings.ReplaceAll(tok, "\u2019", "'")
	lower := strings.ToLower(tok)
	for _, c := range []string{"n't", "'s", "'re", "'ve", "'ll", "'d", "'m"} {
		if strings.HasSuffix(lower, c) && len(tok) > len(c) {
			cut := len(tok) - len(c)
			if r, _ := utf8.DecodeLastRuneInString(tok[:cut]); unicode.IsLetter(r) {
				return []string{tok[:cut], tok[cut:]}
			}
		}
	}
	return []string{tok}
}
