package compose_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/essay"
	"github.com/glowcloud/glowcloud/internal/golden"
	"github.com/glowcloud/glowcloud/limits"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/quality"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func fixedNow() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func writerFor(t testing.TB, text string) *compose.Writer {
	t.Helper()
	parsed := corpus.Parse(text)
	m, err := markov.Train(parsed.Sentences, markov.TrainOptions{Headings: parsed.Headings, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	return compose.New(m)
}

// essayWriter returns a new Writer of the embedded essay's model (what
// training the essay gives; essay.TestEmbeddedModelIsCurrent keeps it so):
// decoded once, where training it took seconds a test under -race.
func essayWriter(t testing.TB) *compose.Writer {
	t.Helper()
	m, err := essay.Model()
	if err != nil {
		t.Fatal(err)
	}
	return compose.New(m)
}

// TestGolden pins determinism: the same seed and model give the same bytes.
// Run `go test ./compose -update` to rewrite testdata/tiny.golden after an
// intended change.
func TestGolden(t *testing.T) {
	t.Parallel()
	tiny, err := os.ReadFile(filepath.Join("testdata", "tiny.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, w := range []*compose.Writer{writerFor(t, string(tiny)), essayWriter(t)} {
		title, body := w.Manifesto(42, "workers", 2)
		fmt.Fprintf(&b, "== manifesto 42 workers 2 (model %s)\n%s\n\n%s\n", w.ModelID(), title, body)
		fmt.Fprintf(&b, "== squint 7 late capitalism\n%s\n", w.Squint(7, "late capitalism"))
		fmt.Fprintf(&b, "== glowcloud 3\n%s\n", w.Glowcloud(3))
	}
	golden.Check(t, filepath.Join("testdata", "tiny.golden"), []byte(b.String()), *update, "go test ./compose -update")
}

func TestManifestoShape(t *testing.T) {
	t.Parallel()
	w := essayWriter(t)
	for seed := range uint64(200) {
		paragraphs := int(seed%5) + 1
		title, body := w.Manifesto(seed, "", paragraphs)
		if title == "" || utf8.RuneCountInString(title) > 256 || strings.Contains(title, "\n") {
			t.Errorf("seed %d: bad title %q", seed, title)
		}
		if n := utf8.RuneCountInString(body); n > 4096 {
			t.Errorf("seed %d: body of %d characters exceeds an embed description", seed, n)
		}
		if !strings.HasSuffix(body, "\n\n"+compose.Hail) {
			t.Errorf("seed %d: body does not close with the hail: %q", seed, body[max(0, len(body)-80):])
		}
		if got := len(strings.Split(body, "\n\n")) - 1; got != paragraphs {
			t.Errorf("seed %d: %d paragraphs, want %d", seed, got, paragraphs)
		}
		if strings.Contains(body, "  ") {
			t.Errorf("seed %d: doubled space", seed)
		}
	}
	// Out-of-range paragraph counts are clamped.
	if _, body := w.Manifesto(1, "", 99); len(strings.Split(body, "\n\n"))-1 != limits.MaxParagraphs {
		t.Error("99 paragraphs not clamped to 5")
	}
}

func TestManifestoTopic(t *testing.T) {
	t.Parallel()
	w := essayWriter(t)
	for _, tt := range []struct {
		topic string
		min   int // of 20 manifestos, how many must mention it
	}{
		{"anarchism", 18},
		{"robots", 20}, // known once: steered, or spliced in the title at least
		{"zxqvbn", 20}, // unknown: spliced in
		{"Glow Cloud", 18},
	} {
		hits := 0
		for seed := range uint64(20) {
			title, body := w.Manifesto(seed, tt.topic, 2)
			first := strings.ToLower(strings.Fields(tt.topic)[0])
			if strings.Contains(strings.ToLower(body), first) {
				hits++
			}
			if !strings.Contains(strings.ToLower(title), first) {
				t.Errorf("topic %q: title %q does not name it", tt.topic, title)
			}
		}
		if hits < tt.min {
			t.Errorf("topic %q in %d of 20 bodies, want at least %d", tt.topic, hits, tt.min)
		}
	}
}

func TestSquint(t *testing.T) {
	t.Parallel()
	w := essayWriter(t)
	for _, tt := range []struct{ thing, opening string }{
		{"capitalism", "Capitalism is Anarchist if you squint."},
		{"  late   capitalism!  ", "Late capitalism is Anarchist if you squint."},
		{"tea", "Tea is Anarchist if you squint."},
		{"", "Everything is Anarchist if you squint."},
		{strings.Repeat("long ", 40), "Long long"},
	} {
		for seed := range uint64(10) {
			s := w.Squint(seed, tt.thing)
			if !strings.HasPrefix(s, tt.opening) {
				t.Errorf("Squint(%d, %q) = %q, want it to open %q", seed, tt.thing, s, tt.opening)
			}
			if n := utf8.RuneCountInString(s); n > compose.MaxShort {
				t.Errorf("squint of %d characters", n)
			}
			if strings.Count(s, ".")+strings.Count(s, "!")+strings.Count(s, "?") < 3 {
				t.Errorf("Squint(%d, %q) = %q: want the opening and at least two sentences", seed, tt.thing, s)
			}
		}
	}
}

func TestGlowcloud(t *testing.T) {
	t.Parallel()
	w := essayWriter(t)
	seen := map[string]bool{}
	for seed := range uint64(100) {
		s := w.Glowcloud(seed)
		seen[s] = true
		if n := utf8.RuneCountInString(s); n > compose.MaxShort || n < 40 {
			t.Errorf("seed %d: proclamation of %d characters", seed, n)
		}
		if !strings.Contains(strings.ToLower(s), "hail") {
			t.Errorf("seed %d: no hail in %q", seed, s)
		}
	}
	// The pool of edits holds some 200 sentences: two proclamations of a
	// hundred may meet.
	if len(seen) < 97 {
		t.Errorf("%d distinct proclamations of 100", len(seen))
	}
}

func TestDeterministicAndConcurrent(t *testing.T) {
	t.Parallel()
	w := essayWriter(t)
	want := make([]string, 20)
	for i := range want {
		title, body := w.Manifesto(uint64(i), "planning", 3)
		want[i] = title + body + w.Squint(uint64(i), "tea") + w.Glowcloud(uint64(i))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range want {
				i := (i + g) % len(want)
				title, body := w.Manifesto(uint64(i), "planning", 3)
				if got := title + body + w.Squint(uint64(i), "tea") + w.Glowcloud(uint64(i)); got != want[i] {
					t.Errorf("seed %d differs between goroutines", i)
				}
			}
		})
	}
	wg.Wait()
	// A fresh model from the same essay says the same.
	if title, body := essayWriter(t).Manifesto(3, "planning", 3); title+body != want[3][:len(title)+len(body)] {
		t.Error("a retrained model says something else for the same seed")
	}
}

func TestClean(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		max  int
		want string
	}{
		{"  tea  party ", 50, "tea party"},
		{"robots!!!", 50, "robots"},
		{"a\x00b\u200bc\td", 50, "a b c d"},
		{"one two three four", 10, "one two"},
		{"abcdefghijkl", 5, "abcde"},
		{"\xff\xfeok", 50, "ok"},
		{"", 50, ""},
	} {
		if got := compose.Clean(tt.in, tt.max); got != tt.want {
			t.Errorf("Clean(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func BenchmarkManifesto(b *testing.B) {
	w := essayWriter(b)
	b.ReportAllocs()
	seed := uint64(0)
	for b.Loop() {
		seed++
		w.Manifesto(seed, "", 5)
	}
}

// BenchmarkManifesto3 times the manifesto of the targets (three
// paragraphs on the essay) and reports its median and 99th percentile.
func BenchmarkManifesto3(b *testing.B) {
	w := essayWriter(b)
	w.Manifesto(0, "", 3) // builds the copy index
	b.ReportAllocs()
	seed := uint64(0)
	var d []time.Duration
	for b.Loop() {
		seed++
		t0 := time.Now()
		w.Manifesto(seed, "", 3)
		d = append(d, time.Since(t0))
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "median-ns/op")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds()), "p99-ns/op")
}

func BenchmarkSquint(b *testing.B) {
	w := essayWriter(b)
	b.ReportAllocs()
	seed := uint64(0)
	for b.Loop() {
		seed++
		w.Squint(seed, "late capitalism")
	}
}

func BenchmarkGlowcloud(b *testing.B) {
	w := essayWriter(b)
	b.ReportAllocs()
	seed := uint64(0)
	for b.Loop() {
		seed++
		w.Glowcloud(seed)
	}
}

// TestNothingSaidTwice: no text repeats a run of five words in another of
// its sentences (issue 8: `squint "late capitalism"` said "not only to
// capitalism but the state" twice for seeds 1 and 2).
func TestNothingSaidTwice(t *testing.T) {
	t.Parallel()
	w := essayWriter(t)
	for seed := range uint64(200) {
		_, body := w.Manifesto(seed, "planning", 5)
		for name, text := range map[string]string{
			"squint":    w.Squint(seed, "late capitalism"),
			"glowcloud": w.Glowcloud(seed),
			"manifesto": body,
		} {
			if quality.Repeats5(quality.SplitSentences(text)) {
				t.Errorf("%s %d says a 5-word run twice: %q", name, seed, text)
			}
		}
	}
}

// TestTypographyFollowsTheCorpus: a model of a corpus set with curly quotes
// (the essay) writes them and never a straight one, in every kind of
// piece and in the sentences the quiz shows; a model of a plainly set
// corpus keeps its quotes plain. (Readers told the essay's paragraphs from
// generated ones by their straight apostrophes.)
func TestTypographyFollowsTheCorpus(t *testing.T) {
	t.Parallel()
	essayW := essayWriter(t)
	curly := 0
	for seed := range uint64(40) {
		title, body := essayW.Manifesto(seed, "", 3)
		text := title + "\n" + body + "\n" + essayW.Squint(seed, "the workers' state") + "\n" + essayW.Glowcloud(seed)
		if strings.ContainsAny(text, `'"`) {
			t.Fatalf("seed %d: a straight quote in the essay's text:\n%s", seed, text)
		}
		curly += strings.Count(text, "’")
	}
	if curly == 0 {
		t.Error("no apostrophe in 40 seeds of the essay's pieces: the test cannot tell")
	}
	real, generated := essayW.Sentences()
	for _, s := range append(real, generated...) {
		if strings.ContainsAny(s, `'"`) {
			t.Fatalf("a straight quote in a sentence the quiz may show: %q", s)
		}
	}
	plain := writerFor(t, "It's the workers' state, and we've built it. They don't know it's ours yet. "+
		"The council said \"no\" to the plan. We'll plan it anyway, for it's ours.")
	real, _ = plain.Sentences()
	joined := strings.Join(real, " ")
	if !strings.Contains(joined, "It's") || strings.ContainsAny(joined, "’“”") {
		t.Errorf("a plain corpus's sentences, typeset: %q", joined)
	}
}

// TestNoPieceOpensReferringBack: the first sentence of a piece never opens
// by pointing back at something ("This remained the case…", "Based on
// those experiences, she…"): there is nothing before it. The essay's pool
// has dozens of such sentences, which blind readers marked where they
// opened a paragraph.
func TestNoPieceOpensReferringBack(t *testing.T) {
	t.Parallel()
	w := essayWriter(t)
	back := regexp.MustCompile(`(?i)^(?:(?:but|and|yet|so|indeed|still|then),?\s+)*(?:\S+\s+){0,3}?(?:this|these|those|that|such|latter|former|she|her|he|his|him|they|their|them)\b`)
	for seed := range uint64(300) {
		_, body := w.Manifesto(seed, "", 1)
		if first := strings.SplitN(body, "\n\n", 2)[0]; back.MatchString(first) {
			t.Errorf("seed %d opens by referring back: %.80q", seed, first)
		}
	}
}
