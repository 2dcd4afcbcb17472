package postag

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// prose's model files are gob streams of a []string (the classes), a
// map[string]string (the tag dictionary) and a map[string]map[string]float64
// (the weights). encoding/gob decodes the weights, 75,000 maps of a few
// floats each, through reflection, a map and a string at a time: most of a
// short training's time, and several times that under the race detector.
// They are read here by hand instead, straight into the Tagger's tables: a
// gob stream is messages of a length and a type id, type definitions (a
// negative id, skipped here) and values (the id of their type), and each
// of these values is a top-level non-struct value, written as a 0 (the
// delta of its one field), then for a slice or a map its length and its
// items, a string as its length and bytes, a float as an unsigned integer
// of the float's bits in reverse byte order. TestGobDecoding checks the
// result against encoding/gob's.

// errGob reports a model file that is not the gob stream expected.
var errGob = errors.New("unexpected gob encoding")

// gobReader reads the one value of a gob stream.
type gobReader struct {
	b   []byte
	err error
}

// newGobReader skips data's type definitions and returns a reader at its
// value, past the field delta that starts it.
func newGobReader(data []byte) *gobReader {
	r := &gobReader{b: data}
	for r.err == nil {
		n := r.uint()
		if r.err != nil || n > uint64(len(r.b)) {
			r.fail()
			break
		}
		msg := r.b[:n]
		rest := r.b[n:]
		r.b = msg
		if id := r.int(); id > 0 {
			if r.uint() != 0 {
				r.fail()
			}
			break
		}
		r.b = rest // a type definition
	}
	return r
}

func (r *gobReader) fail() {
	if r.err == nil {
		r.err = errGob
	}
	r.b = nil
}

// uint reads an unsigned integer: one byte below 128, else the negated
// count of big-endian bytes that follow.
func (r *gobReader) uint() uint64 {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	if c < 0x80 {
		r.b = r.b[1:]
		return uint64(c)
	}
	n := int(-int8(c))
	if n > 8 || len(r.b) < 1+n {
		r.fail()
		return 0
	}
	var u uint64
	for _, x := range r.b[1 : 1+n] {
		u = u<<8 | uint64(x)
	}
	r.b = r.b[1+n:]
	return u
}

// int reads a signed integer: its complement shifted left with the low bit
// set if negative, shifted left otherwise.
func (r *gobReader) int() int64 {
	u := r.uint()
	if u&1 != 0 {
		return ^int64(u >> 1)
	}
	return int64(u >> 1)
}

// count reads a length of at most one item per remaining byte.
func (r *gobReader) count() int {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	return int(n)
}

// bytes reads a string's bytes, without copying them.
func (r *gobReader) bytes() []byte {
	n := r.count()
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *gobReader) float() float64 {
	return math.Float64frombits(bits.ReverseBytes64(r.uint()))
}

// decodeStrings decodes a gob of a []string.
func decodeStrings(data []byte) ([]string, error) {
	r := newGobReader(data)
	out := make([]string, r.count())
	for i := range out {
		out[i] = string(r.bytes())
	}
	return out, r.err
}

// decodeTags decodes a gob of a map[string]string.
func decodeTags(data []byte) (map[string]string, error) {
	r := newGobReader(data)
	n := r.count()
	out := make(map[string]string, n)
	for range n {
		k := string(r.bytes())
		out[k] = string(r.bytes())
	}
	return out, r.err
}

// decodeWeights decodes a gob of a map[string]map[string]float64 into
// each feature's weights of the classes (by index) that have one other
// than 0: all rows in one array, and each feature's span of it.
func decodeWeights(data []byte, index map[string]int) ([]classWeight, map[string]span, error) {
	r := newGobReader(data)
	n := r.count()
	type feature struct{ name, lo, hi int }
	features := make([]feature, 0, n)
	var names []byte
	var all []classWeight
	for range n {
		f := feature{name: len(names), lo: len(all)}
		names = append(names, r.bytes()...)
		for range r.count() {
			c := r.bytes()
			w := r.float()
			if i, ok := index[string(c)]; ok && w != 0 {
				all = append(all, classWeight{i, w})
			}
		}
		f.hi = len(all)
		features = append(features, f)
	}
	if r.err != nil {
		return nil, nil, r.err
	}
	text := string(names)
	out := make(map[string]span, n)
	for i, f := range features {
		end := len(text)
		if i+1 < len(features) {
			end = features[i+1].name
		}
		out[text[f.name:end]] = span{int32(f.lo), int32(f.hi)}
	}
	if len(out) != n {
		return nil, nil, fmt.Errorf("%w: a feature named twice", errGob)
	}
	return all, out, nil
}

// span is a feature's weights: features.weights[lo:hi].
type span struct{ lo, hi int32 }

// features holds the weights of the features prose's featurize names
// ("i-1 tag+i word NN runs": the word before tagged NN, this one "runs"),
// by their kind and the tags or words they name, so that predict finds
// each with no name made for it. Tags are by id: the classes by index,
// then -START- and -START2-.
type features struct {
	weights []classWeight
	bias    span
	// prevTag and prev2Tag are "i-1 tag" and "i-2 tag", by the tag;
	// tagPair is "i tag+i-2 tag" by the two (the one before times the
	// number of tag ids, plus the one before that).
	prevTag, prev2Tag, tagPair []span
	pref1                      map[string]span // "i pref1"
	words                      map[string]*wordFeatures
	suffixes                   map[string]*suffixFeatures
	// other holds what predict never asks for: features of no weight
	// (prose's model has a few), and (none in prose's model) of another
	// kind or of a tag that is no class.
	other map[string]span
	// noWord and noSuffix stand for a word or suffix of no feature.
	noWord   wordFeatures
	noSuffix suffixFeatures
}

// wordFeatures are the features that name one word (normalized): as the
// word tagged ("i word"), the one before it ("i-1 word"), the one before
// that, the one after and the one after that, and as the word tagged after
// a tag ("i-1 tag+i word"), sorted by the tag.
type wordFeatures struct {
	at, prev, prev2, next, next2 span
	afterTags                    []taggedSpan
}

type taggedSpan struct {
	tag int
	span
}

// suffixFeatures are the features that name a suffix: of the word tagged
// (as it is written), of the word before and of the word after (both
// normalized).
type suffixFeatures struct{ at, prev, next span }

// afterTag returns the word's "i-1 tag+i word" feature of tag.
func (w *wordFeatures) afterTag(tag int) span {
	for _, ts := range w.afterTags {
		if ts.tag == tag {
			return ts.span
		}
	}
	return span{}
}

// wordOf returns the features of a word.
func (f *features) wordOf(w string) *wordFeatures {
	if wf := f.words[w]; wf != nil {
		return wf
	}
	return &f.noWord
}

// suffixOf returns the features of a suffix.
func (f *features) suffixOf(s string) *suffixFeatures {
	if sf := f.suffixes[s]; sf != nil {
		return sf
	}
	return &f.noSuffix
}

// Kinds of feature, as prose's featurize names them.
const (
	kindBias       = "bias"
	kindSuffix     = "i suffix "
	kindPref1      = "i pref1 "
	kindPrevTag    = "i-1 tag "
	kindPrev2Tag   = "i-2 tag "
	kindTagPair    = "i tag+i-2 tag "
	kindWord       = "i word "
	kindTagWord    = "i-1 tag+i word "
	kindPrevWord   = "i-1 word "
	kindPrevSuffix = "i-1 suffix "
	kindPrev2Word  = "i-2 word "
	kindNextWord   = "i+1 word "
	kindNextSuffix = "i+1 suffix "
	kindNext2Word  = "i+2 word "
)

// newFeatures sorts the features decodeWeights read (rows of all) by
// their kind and what they name.
func newFeatures(all []classWeight, rows map[string]span, classes []string) features {
	tags := make(map[string]int, len(classes)+2)
	for i, c := range classes {
		tags[c] = i
	}
	tags["-START-"], tags["-START2-"] = len(classes), len(classes)+1
	nt := len(classes) + 2
	f := features{
		weights:  all,
		prevTag:  make([]span, nt),
		prev2Tag: make([]span, nt),
		tagPair:  make([]span, nt*nt),
		pref1:    make(map[string]span),
		words:    make(map[string]*wordFeatures),
		suffixes: make(map[string]*suffixFeatures),
		other:    make(map[string]span),
	}
	word := func(w string) *wordFeatures { return entry(f.words, w) }
	suffix := func(s string) *suffixFeatures { return entry(f.suffixes, s) }
	for name, s := range rows {
		kind, rest := "", ""
		if s.lo == s.hi {
			// No weight: nothing for predict to add.
			f.other[name] = s
			continue
		}
		if name == kindBias {
			f.bias = s
			continue
		}
		for _, k := range []string{kindSuffix, kindPref1, kindPrevTag, kindPrev2Tag, kindTagPair, kindWord, kindTagWord,
			kindPrevWord, kindPrevSuffix, kindPrev2Word, kindNextWord, kindNextSuffix, kindNext2Word} {
			if r, ok := strings.CutPrefix(name, k); ok {
				kind, rest = k, r
				break
			}
		}
		switch kind {
		case kindSuffix:
			suffix(rest).at = s
		case kindPrevSuffix:
			suffix(rest).prev = s
		case kindNextSuffix:
			suffix(rest).next = s
		case kindPref1:
			f.pref1[rest] = s
		case kindWord:
			word(rest).at = s
		case kindPrevWord:
			word(rest).prev = s
		case kindPrev2Word:
			word(rest).prev2 = s
		case kindNextWord:
			word(rest).next = s
		case kindNext2Word:
			word(rest).next2 = s
		case kindPrevTag, kindPrev2Tag:
			t, ok := tags[rest]
			if !ok {
				f.other[name] = s
			} else if kind == kindPrevTag {
				f.prevTag[t] = s
			} else {
				f.prev2Tag[t] = s
			}
		case kindTagPair:
			a, b, _ := strings.Cut(rest, " ")
			ta, okA := tags[a]
			tb, okB := tags[b]
			if !okA || !okB {
				f.other[name] = s
				break
			}
			f.tagPair[ta*nt+tb] = s
		case kindTagWord:
			// The tag has no space: the word is what follows the first.
			a, w, _ := strings.Cut(rest, " ")
			t, ok := tags[a]
			if !ok {
				f.other[name] = s
				break
			}
			wf := word(w)
			wf.afterTags = append(wf.afterTags, taggedSpan{t, s})
		default:
			f.other[name] = s
		}
	}
	for _, wf := range f.words {
		slices.SortFunc(wf.afterTags, func(a, b taggedSpan) int { return a.tag - b.tag })
	}
	return f
}

// entry returns m's value for k, made and added when m has none.
func entry[V any](m map[string]*V, k string) *V {
	v := m[k]
	if v == nil {
		v = new(V)
		m[k] = v
	}
	return v
}
