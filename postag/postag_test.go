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

// update rewrites testdata/tagger.sha256 (see TestGobDecoding).
var update = flag.Bool("update", false, "rewrite testdata/tagger.sha256 from New's tagger (only without -race)")

// TestGobDecoding: New's own reading of prose's model files gives the
// Tagger that encoding/gob's decoding of them gives (as New made it
// before), and whose digest testdata/tagger.sha256 records. Under the race
// detector, where encoding/gob's reflection takes seconds (more than New
// saves the suite's other packages), the digest alone is checked: the
// plain run ties the record to encoding/gob's decoding.
func TestGobDecoding(t *testing.T) {
	t.Parallel()
	got, err := New()
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
	if !maps.Equal(got.tagMap, tags) {
		t.Errorf("%d tags, gob decodes %d, or they differ", len(got.tagMap), len(tags))
	}
	if len(got.weights) != len(weights) {
		t.Errorf("%d features, gob decodes %d", len(got.weights), len(weights))
	}
	index := make(map[string]int, len(classes))
	for i, c := range classes {
		index[c] = i
	}
	if err := sameWeights(got.weights, weights, index); err != nil {
		t.Fatal(err)
	}
}

// taggerDigest is a SHA-256 of a Tagger's classes, tag map and weights,
// each in a fixed order.
func taggerDigest(t *Tagger) string {
	h := sha256.New()
	for _, c := range t.classes {
		fmt.Fprintf(h, "class %q\n", c)
	}
	for _, w := range slices.Sorted(maps.Keys(t.tagMap)) {
		fmt.Fprintf(h, "tag %q %q\n", w, t.tagMap[w])
	}
	for _, f := range slices.Sorted(maps.Keys(t.weights)) {
		row := slices.Clone(t.weights[f])
		slices.SortFunc(row, func(a, b classWeight) int { return a.class - b.class })
		fmt.Fprintf(h, "feature %q", f)
		for _, cw := range row {
			fmt.Fprintf(h, " %d:%x", cw.class, math.Float64bits(cw.weight))
		}
		h.Write([]byte{'\n'})
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
	got, err := decodeWeights(data, index)
	if err != nil {
		t.Fatal(err)
	}
	if err := sameWeights(got, want, index); err != nil {
		t.Error(err)
	}
	for n := range len(data) {
		if _, err := decodeWeights(data[:n], index); !errors.Is(err, errGob) {
			t.Errorf("cut at %d of %d bytes: %v, want errGob", n, len(data), err)
		}
	}
	for _, data := range [][]byte{{0x05}, {0xf0, 1, 2}, {0x03, 0x04, 0x00, 0x01}} {
		if _, err := decodeWeights(data, index); !errors.Is(err, errGob) {
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
