package compose_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/essay"
	"github.com/glowcloud/glowcloud/internal/sharedfiles"
	"github.com/glowcloud/glowcloud/limits"
)

func TestSuggest(t *testing.T) {
	t.Parallel()
	model, err := essay.Model()
	if err != nil {
		t.Fatal(err)
	}
	w := compose.New(model)
	for _, tt := range []struct {
		prefix string
		max    int
		want   []string // must be among the suggestions
		none   bool
	}{
		{prefix: "", max: 25, want: []string{"socialism", "Rojava"}},
		{prefix: "dem", max: 25, want: []string{"democracy", "democratic socialism"}},
		{prefix: "  DEM ", max: 25, want: []string{"democracy"}},
		{prefix: "rob", max: 25, want: []string{"robots"}},
		{prefix: "plan", max: 3, want: []string{"planning"}},
		{prefix: "s", max: 0},
		{prefix: "zzzq", max: 25, none: true},
		{prefix: "the", max: 25}, // a stop word is no topic, but "theory" may be
	} {
		got := w.Suggest(tt.prefix, tt.max)
		limit := tt.max
		if limit <= 0 {
			limit = compose.MaxSuggestions
		}
		if len(got) > limit || (tt.none != (len(got) == 0)) {
			t.Errorf("Suggest(%q, %d) = %q: %d suggestions", tt.prefix, tt.max, got, len(got))
		}
		p := strings.ToLower(strings.TrimSpace(tt.prefix))
		for _, s := range got {
			if !strings.HasPrefix(strings.ToLower(s), p) || len(s) > limits.MaxTopic || compose.Clean(s, limits.MaxTopic) != s {
				t.Errorf("Suggest(%q) offers %q", tt.prefix, s)
			}
			if strings.ToLower(s) == "the" {
				t.Errorf("Suggest(%q) offers a stop word", tt.prefix)
			}
			for _, word := range strings.Fields(s) {
				if model.Steerable(word) == 0 {
					t.Errorf("Suggest(%q) offers %q: the model cannot steer through %q", tt.prefix, s, word)
				}
			}
		}
		for _, s := range tt.want {
			if !slices.Contains(got, s) {
				t.Errorf("Suggest(%q, %d) = %q, want %q among them", tt.prefix, tt.max, got, s)
			}
		}
		if !slices.Equal(got, w.Suggest(tt.prefix, tt.max)) {
			t.Errorf("Suggest(%q) is not deterministic", tt.prefix)
		}
	}
	// Best first: a narrower prefix's first is at most as common as a
	// wider one's, and a short list is the head of a long one.
	if a, b := w.Suggest("dem", 3), w.Suggest("dem", 25); !slices.Equal(a, b[:3]) {
		t.Errorf("Suggest(dem, 3) = %q, not the head of %q", a, b)
	}
}

// TestSuggestedTopicsAppear: a manifesto on a suggested topic says the
// topic in its body at least 95 % of the time, over every suggestion for
// several prefixes.
func TestSuggestedTopicsAppear(t *testing.T) {
	t.Parallel()
	w := essayWriter(t)
	total, hits := 0, 0
	for _, prefix := range []string{"", "a", "dem", "plan", "rob", "s", "cl", "w"} {
		for i, topic := range w.Suggest(prefix, compose.MaxSuggestions) {
			_, body := w.Manifesto(uint64(1000+total), topic, 1+i%3)
			total++
			if strings.Contains(strings.ToLower(body), strings.ToLower(topic)) {
				hits++
			} else {
				t.Logf("topic %q not in %q", topic, body)
			}
		}
	}
	if total < 100 || hits*100 < total*95 {
		t.Errorf("suggested topic in the body in %d of %d manifestos, want >= 95 %%", hits, total)
	}
}

// BenchmarkSuggest times Suggest (after the index is built, as a loaded
// model's first autocomplete builds it) on the essay and mid5, reporting
// the median and 99th percentile over a spread of prefixes.
func BenchmarkSuggest(b *testing.B) {
	for _, name := range []string{"essay", "mid5"} {
		b.Run(name, func(b *testing.B) {
			text := corpus.EssayText()
			if name != "essay" {
				p := corpusPath("mid5.txt")
				if p == "" {
					b.Skip(sharedfiles.Where("corpora/mid5.txt") + " not found")
				}
				data, err := os.ReadFile(p)
				if err != nil {
					b.Fatal(err)
				}
				text = string(data)
			}
			w := writerFor(b, text)
			t0 := time.Now()
			w.Suggest("", 1)
			index := time.Since(t0)
			prefixes := []string{"", "a", "s", "t", "th", "dem", "plan", "rob", "Sher", "zz", "c", "m"}
			var d []time.Duration
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				t0 := time.Now()
				w.Suggest(prefixes[i%len(prefixes)], compose.MaxSuggestions)
				d = append(d, time.Since(t0))
				i++
			}
			slices.Sort(d)
			b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "median-ns/op")
			b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds()), "p99-ns/op")
			b.ReportMetric(float64(index.Milliseconds()), "index-ms")
		})
	}
}

// FuzzSuggest feeds Suggest what a user might type: never more than asked
// or 25, each a topic that passes Clean whole and starts with the prefix.
func FuzzSuggest(f *testing.F) {
	w := essayWriter(f)
	for _, s := range []string{"", "dem", "  PLAN  ", "\x00rob", "ß", "democratic s", "\xff"} {
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, prefix string, max int) {
		got := w.Suggest(prefix, max)
		if len(got) > compose.MaxSuggestions || (max > 0 && len(got) > max) {
			t.Fatalf("Suggest(%q, %d): %d suggestions", prefix, max, len(got))
		}
		p := strings.ToLower(compose.Clean(prefix, limits.MaxTopic))
		for _, s := range got {
			if !strings.HasPrefix(strings.ToLower(s), p) || compose.Clean(s, limits.MaxTopic) != s || len(s) > 100 {
				t.Fatalf("Suggest(%q) offers %q", prefix, s)
			}
		}
	})
}

// TestWarmBesideWriting: Warm may run while texts are written (the race
// detector watches), and changes no text.
func TestWarmBesideWriting(t *testing.T) {
	t.Parallel()
	cold, warm := essayWriter(t), essayWriter(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		warm.Warm()
		warm.Warm()
	}()
	for seed := range uint64(5) {
		_, a := cold.Manifesto(seed, "", 2)
		_, b := warm.Manifesto(seed, "", 2)
		if a != b {
			t.Fatalf("seed %d: a warmed writer wrote another text", seed)
		}
		if !slices.Equal(cold.Suggest("d", 5), warm.Suggest("d", 5)) {
			t.Fatal("a warmed writer suggests otherwise")
		}
	}
	<-done
}
