package postag

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/jdkato/prose/v2"
)

func BenchmarkTag(b *testing.B) {
	t, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	s := strings.Fields("The revisioning of this history is crucial to the project of radical democracy, and it's not what they've said.")
	b.ResetTimer()
	for range b.N {
		t.Tag(s)
	}
	b.ReportMetric(float64(len(s)*b.N)/b.Elapsed().Seconds(), "words/s")
}

// TestTagIsProsePredict: Tag, which finds features by kind and word (see
// newFeatures), tags the essay as prose's featurize and predict do, which
// name each feature and sum the weights found by name in the same order
// (the reference below, as Tag was before).
func TestTagIsProsePredict(t *testing.T) {
	t.Parallel()
	tg, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	named, tags := tg.named(), tagNames(tg)
	ref := func(tokens []string) []string {
		var parts []part
		for i, tok := range tokens {
			parts = appendSplit(parts, tok, i)
		}
		ctx := []string{"-START-", "-START2-"}
		for _, p := range parts {
			ctx = append(ctx, normalize(p.text))
		}
		ctx = append(ctx, "-END-", "-END2-")
		out := make([]string, len(tokens))
		p1, p2 := "-START-", "-START2-"
		for i, p := range parts {
			tag, ok := tags[p.text]
			if !ok {
				scores := make([]float64, len(tg.classes))
				add := func(parts ...string) {
					for _, cw := range named[strings.Join(parts, " ")] {
						scores[cw.class] += cw.weight
					}
				}
				suffix := func(s string) string { return s[len(s)-min(len(s), 3):] }
				w, i := p.text, i+2
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
					if scores[c] > scores[best] || scores[c] == scores[best] && tg.classes[c] > tg.classes[best] {
						best = c
					}
				}
				tag = tg.classes[best]
			}
			p2, p1 = p1, tag
			if p.token >= 0 {
				if out[p.token] != "" {
					out[p.token] += "+"
				}
				out[p.token] += tag
			}
		}
		return out
	}
	n := 0
	for _, s := range corpus.Parse(corpus.EssayText()).Sentences {
		got, want := tg.Tag(s), ref(s)
		if !slices.Equal(got, want) {
			t.Fatalf("Tag(%q) = %q, prose's predict tags %q", s, got, want)
		}
		n += len(s)
	}
	if n < 5000 {
		t.Fatalf("tagged %d words of the essay, want more than 5,000", n)
	}
}

// update rewrites testdata/tagger.sha256 (see TestGobDecoding).
var update = flag.Bool("update", false, "rewrite testdata/tagger.sha256 from New's tagger (only without -race)")

// TestGobDecoding: New's own reading of prose's model files gives the
// Tagger that encoding/gob's decoding of them gives (as New made it
// before), and whose digest testdata/tagger.sha256 records. Under the race
// detector, where encoding/gob's reflection takes seconds (more than New
// saves the suite's other packages), the digest alone is checked: the
// plain run ties the record to encoding/gob's decoding. (The Tagger is
// Default's, which New made: one New for the package's tests.)
func TestGobDecoding(t *testing.T) {
	t.Parallel()
	got, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	const record = "testdata/tagger.sha256"
	sum := taggerDigest(got)
	if *update && !raceEnabled {
		if err := os.WriteFile(record, []byte(sum+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	if sum != strings.TrimSpace(string(want)) {
		t.Errorf("New's tagger has digest %s, %s records %s (run go test ./postag -update, without -race, after checking why)", sum, record, strings.TrimSpace(string(want)))
	}
	if raceEnabled {
		return
	}
	var classes []string
	var tags map[string]string
	var weights map[string]map[string]float64
	for _, a := range []struct {
		name string
		v    any
	}{{"classes.gob", &classes}, {"tags.gob", &tags}, {"weights.gob", &weights}} {
		b, err := prose.Asset("model/AveragedPerceptron/" + a.name)
		if err != nil {
			t.Fatal(err)
		}
		if err := gob.NewDecoder(bytes.NewReader(b)).Decode(a.v); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(got.classes, classes) {
		t.Fatalf("classes %q, gob decodes %q", got.classes, classes)
	}
	if !maps.Equal(tagNames(got), tags) {
		t.Errorf("%d tags, gob decodes %d, or they differ", len(got.tagMap), len(tags))
	}
	named := got.named()
	if len(named) != len(weights) {
		t.Errorf("%d features, gob decodes %d", len(named), len(weights))
	}
	index := make(map[string]int, len(classes))
	for i, c := range classes {
		index[c] = i
	}
	if err := sameWeights(named, weights, index); err != nil {
		t.Fatal(err)
	}
}

// tagNames returns a Tagger's tag map with the classes' names.
func tagNames(t *Tagger) map[string]string {
	m := make(map[string]string, len(t.tagMap))
	for w, c := range t.tagMap {
		m[w] = t.classes[c]
	}
	return m
}

// named returns a Tagger's features by the names prose's featurize gives
// them, each with its weights: the map of them New made before it sorted
// them by kind (see newFeatures).
func (t *Tagger) named() map[string][]classWeight {
	tags := append(slices.Clone(t.classes), "-START-", "-START2-")
	out := make(map[string][]classWeight)
	put := func(name string, s span) {
		if s.hi > s.lo {
			out[name] = t.weights[s.lo:s.hi]
		}
	}
	put(kindBias, t.bias)
	for id, tag := range tags {
		put(kindPrevTag+tag, t.prevTag[id])
		put(kindPrev2Tag+tag, t.prev2Tag[id])
		for id2, tag2 := range tags {
			put(kindTagPair+tag+" "+tag2, t.tagPair[id*len(tags)+id2])
		}
	}
	for p, s := range t.pref1 {
		put(kindPref1+p, s)
	}
	for w, wf := range t.words {
		put(kindWord+w, wf.at)
		put(kindPrevWord+w, wf.prev)
		put(kindPrev2Word+w, wf.prev2)
		put(kindNextWord+w, wf.next)
		put(kindNext2Word+w, wf.next2)
		for _, ts := range wf.afterTags {
			put(kindTagWord+tags[ts.tag]+" "+w, ts.span)
		}
	}
	for sfx, sf := range t.suffixes {
		put(kindSuffix+sfx, sf.at)
		put(kindPrevSuffix+sfx, sf.prev)
		put(kindNextSuffix+sfx, sf.next)
	}
	for name, s := range t.other {
		out[name] = t.weights[s.lo:s.hi]
	}
	return out
}

// taggerDigest is a SHA-256 of a Tagger's classes, tag map and weights,
// each in a fixed order.
func taggerDigest(t *Tagger) string {
	// The lines are fmt's "class %q", "tag %q %q" and "feature %q" with
	// " %d:%x" for each weight, written with strconv (what fmt calls for
	// them), which under the race detector takes a fraction of fmt's time.
	h := sha256.New()
	var b []byte
	for _, c := range t.classes {
		b = append(strconv.AppendQuote(append(b[:0], "class "...), c), '\n')
		h.Write(b)
	}
	tags := tagNames(t)
	for _, w := range slices.Sorted(maps.Keys(tags)) {
		b = strconv.AppendQuote(append(b[:0], "tag "...), w)
		b = append(strconv.AppendQuote(append(b, ' '), tags[w]), '\n')
		h.Write(b)
	}
	named := t.named()
	for _, f := range slices.Sorted(maps.Keys(named)) {
		row := slices.Clone(named[f])
		slices.SortFunc(row, func(a, b classWeight) int { return a.class - b.class })
		b = strconv.AppendQuote(append(b[:0], "feature "...), f)
		for _, cw := range row {
			b = strconv.AppendInt(append(b, ' '), int64(cw.class), 10)
			b = strconv.AppendUint(append(b, ':'), math.Float64bits(cw.weight), 16)
		}
		h.Write(append(b, '\n'))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sameWeights reports how a Tagger's weights differ from weights decoded
// by encoding/gob: each feature's row must hold the feature's weights
// other than 0 of the classes in index, once each.
func sameWeights(got map[string][]classWeight, want map[string]map[string]float64, index map[string]int) error {
	n := 0
	for f, ws := range want {
		row, ok := got[f]
		if !ok {
			return fmt.Errorf("feature %q missing", f)
		}
		has := make(map[int]float64, len(row))
		for _, cw := range row {
			has[cw.class] = cw.weight
		}
		k := 0
		for c, w := range ws {
			if i, ok := index[c]; ok && w != 0 {
				k++
				if v, ok := has[i]; !ok || v != w {
					return fmt.Errorf("feature %q: weights %v, gob decodes %v", f, row, ws)
				}
			}
		}
		if k != len(row) || len(has) != len(row) {
			return fmt.Errorf("feature %q: weights %v, gob decodes %v", f, row, ws)
		}
		n += k
	}
	if len(got) != len(want) {
		return fmt.Errorf("%d features, gob decodes %d", len(got), len(want))
	}
	if n == 0 {
		return errors.New("no weights")
	}
	return nil
}

// TestGobStreams: decodeWeights reads what encoding/gob writes, and a
// stream cut anywhere, or not a gob, is an error, not a panic.
func TestGobStreams(t *testing.T) {
	t.Parallel()
	want := map[string]map[string]float64{
		"bias":         {"NN": 1.5, "VB": -0.25, "XX": 3},
		"i word the":   {"DT": 12.75, "NN": 0},
		"i suffix ing": {"VBG": 1e-9, "NN": -math.MaxFloat64},
		"i-1 word " + strings.Repeat("long ", 40): {"NN": math.SmallestNonzeroFloat64},
		"": {},
	}
	index := map[string]int{"NN": 0, "VB": 1, "DT": 2, "VBG": 3}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(want); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	all, rows, err := decodeWeights(data, index)
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string][]classWeight, len(rows))
	for name, s := range rows {
		got[name] = all[s.lo:s.hi]
	}
	if err := sameWeights(got, want, index); err != nil {
		t.Error(err)
	}
	for n := range len(data) {
		if _, _, err := decodeWeights(data[:n], index); !errors.Is(err, errGob) {
			t.Errorf("cut at %d of %d bytes: %v, want errGob", n, len(data), err)
		}
	}
	for _, data := range [][]byte{{0x05}, {0xf0, 1, 2}, {0x03, 0x04, 0x00, 0x01}} {
		if _, _, err := decodeWeights(data, index); !errors.Is(err, errGob) {
			t.Errorf("% x: %v, want errGob", data, err)
		}
	}
}

// TestHasLowerSuffix: hasLowerSuffix agrees with lower-casing first,
// whatever the letters before the clitic.
func TestHasLowerSuffix(t *testing.T) {
	t.Parallel()
	for _, tok := range []string{"DON'T", "don't", "It'S", "İ's", "ſ", "'s", "s", "we'RE", "KELVIN\u212A'd", "x\u212A", "naïve'll", "é'm", "", "n't"} {
		for _, c := range []string{"n't", "'s", "'re", "'ve", "'ll", "'d", "'m"} {
			if got, want := hasLowerSuffix(tok, c), strings.HasSuffix(strings.ToLower(tok), c); got != want {
				t.Errorf("hasLowerSuffix(%q, %q) = %v, want %v", tok, c, got, want)
			}
		}
	}
}

// TestIsDigits: isDigits is strconv.Atoi's verdict.
func TestIsDigits(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "+", "-", "1999", "+199", "-199", "19a9", "١٢٣٤", "0x12", "1_000", " 199", "12345678901234567890", "-"} {
		_, err := strconv.Atoi(s)
		if got := isDigits(s); got != (err == nil) {
			t.Errorf("isDigits(%q) = %v, Atoi's error %v", s, got, err)
		}
	}
}
