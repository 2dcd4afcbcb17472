package postag

import (
	"bytes"
	"encoding/gob"
	"errors"
	"maps"
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

// TestGobDecoding: New's own reading of prose's model files gives the
// Tagger that encoding/gob's decoding of them gives (as New made it
// before).
func TestGobDecoding(t *testing.T) {
	t.Parallel()
	got, err := New()
	if err != nil {
		t.Fatal(err)
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
		t.Errorf("classes %q, gob decodes %q", got.classes, classes)
	}
	if !maps.Equal(got.tagMap, tags) {
		t.Errorf("%d tags, gob decodes %d, or they differ", len(got.tagMap), len(tags))
	}
	if len(got.weights) != len(weights) {
		t.Errorf("%d features, gob decodes %d", len(got.weights), len(weights))
	}
	n := 0
	for f, ws := range weights {
		row, ok := got.weights[f]
		if !ok {
			t.Fatalf("feature %q missing", f)
		}
		want := make(map[int]float64)
		for c, w := range ws {
			if i := slices.Index(classes, c); i >= 0 && w != 0 {
				want[i] = w
			}
		}
		have := make(map[int]float64)
		for _, cw := range row {
			have[cw.class] = cw.weight
		}
		if len(have) != len(row) || !maps.Equal(have, want) {
			t.Fatalf("feature %q: weights %v, gob decodes %v", f, row, ws)
		}
		n += len(row)
	}
	if n == 0 {
		t.Error("no weights")
	}
}

// TestGobErrors: a truncated or foreign stream is an error, not a panic.
func TestGobErrors(t *testing.T) {
	t.Parallel()
	b, err := prose.Asset("model/AveragedPerceptron/weights.gob")
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range [][]byte{nil, {0x05}, b[:len(b)/2], {0xf0, 1, 2}} {
		if _, err := decodeWeights(data, map[string]int{"NN": 0}); !errors.Is(err, errGob) {
			t.Errorf("% x…: %v, want errGob", data[:min(len(data), 8)], err)
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
