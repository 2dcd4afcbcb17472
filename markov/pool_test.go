package markov_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/markov"
)

// The oracle for these tests is the training text itself, read with
// strings.Fields: it shares no code with how the pool is built.

// rewordVocabulary is what an edit may say that the corpus need not: the
// other form of a contraction, a relative pronoun, a conjunction or one of
// a few adverbs and verbs said either way ("it's" ↔ "it is", "which" ↔
// "that", "though" ↔ "although", "start" ↔ "begin").
var rewordVocabulary = strings.Fields(`am is are was were do does did has have had will would could should not
	cannot can't won't don't doesn't didn't isn't aren't wasn't weren't hasn't haven't hadn't wouldn't couldn't
	shouldn't it's that's there's what's he's she's i'm we're they're you're i'll we'll you'll they'll i'd we'd
	they'd you'd i've we've they've you've it i we they you he she that which though although while toward towards
	among anybody anyone everybody everyone somebody someone frequently often nearly almost mostly largely begin
	began begun beginning begins start started starting starts like such as and where in to of must maybe perhaps
	yet one another each other`)

// TestPoolSentencesAreEdits: every pooled sentence says only the corpus's
// words (a capital letter moved aside) and those a rewording may put in,
// starts as a sentence starts and ends as one ends, and much of it is a
// run of some training sentence (an edit, not a new sentence made of loose
// words): at least a third of its words lie in runs of three or more that
// the training text says.
func TestPoolSentencesAreEdits(t *testing.T) {
	t.Parallel()
	m, _ := essay(t)
	pool := m.Pool()
	if len(pool) < 120 {
		t.Fatalf("%d pooled sentences from the essay, want at least 120", len(pool))
	}
	fold := func(w string) string {
		return strings.ToLower(strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }))
	}
	words, tri := map[string]bool{}, map[[3]string]bool{}
	for _, w := range rewordVocabulary {
		words[w] = true
	}
	for _, s := range m.TrainingSentences() {
		w := strings.Fields(s)
		for i := range w {
			words[fold(w[i])] = true
			if i >= 2 {
				tri[[3]string{fold(w[i-2]), fold(w[i-1]), fold(w[i])}] = true
			}
		}
	}
	for _, p := range pool {
		w := strings.Fields(p.Text)
		r, _ := utf8.DecodeRuneInString(strings.TrimLeft(w[0], "\"“'‘("))
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) {
			t.Errorf("%q does not start with a capital", p.Text)
		}
		if end := strings.TrimRight(w[len(w)-1], "\"”’')"); !strings.ContainsAny(end[len(end)-1:], ".!?") {
			t.Errorf("%q does not end as a sentence ends", p.Text)
		}
		covered := make([]bool, len(w))
		for i := range w {
			if !words[fold(w[i])] {
				t.Errorf("%q: %q is not a word of the corpus", p.Text, w[i])
			}
			if i >= 2 && tri[[3]string{fold(w[i-2]), fold(w[i-1]), fold(w[i])}] {
				covered[i-2], covered[i-1], covered[i] = true, true, true
			}
		}
		n := 0
		for _, c := range covered {
			if c {
				n++
			}
		}
		if 3*n < len(w) {
			t.Errorf("%q: only %d of %d words in runs the corpus says", p.Text, n, len(w))
		}
	}
}

// TestPoolNovel: no pooled sentence is a training sentence, or shares a
// run of more than 15 words with one (markovify's limit), or copies most
// of one; checked by brute force over every pair.
func TestPoolNovel(t *testing.T) {
	t.Parallel()
	m, _ := essay(t)
	var training [][]string
	whole := map[string]bool{}
	for _, s := range m.TrainingSentences() {
		training = append(training, strings.Fields(s))
		whole[s] = true
	}
	for _, p := range m.Pool() {
		if whole[p.Text] {
			t.Errorf("pooled sentence %q is a training sentence", p.Text)
			continue
		}
		w := strings.Fields(p.Text)
		run := 0
		for _, s := range training {
			run = max(run, longestCommonRun(w, s))
		}
		if run > 15 {
			t.Errorf("%q copies a run of %d of its %d words", p.Text, run, len(w))
		}
	}
}

func longestCommonRun(a, b []string) int {
	best := 0
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
				best = max(best, cur[j+1])
			} else {
				cur[j+1] = 0
			}
		}
		prev, cur = cur, prev
	}
	return best
}

// TestPoolDeterministic: the same corpus curates the same pool, and a
// saved model gives it back.
func TestPoolDeterministic(t *testing.T) {
	t.Parallel()
	a, b := trainedEssay(t, 0), trainedEssay(t, 1)
	if !slices.Equal(a.Pool(), b.Pool()) {
		t.Fatal("two trainings of the essay curated different pools")
	}
	path := filepath.Join(t.TempDir(), "essay.model")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	c, err := markov.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Pool(), c.Pool()) || c.ID() != a.ID() {
		t.Fatal("the pool did not survive Save and Load")
	}
	var buf bytes.Buffer
	if err := c.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	first := a.Pool()[0]
	edited := bytes.Replace(buf.Bytes(), []byte(fmt.Sprintf(`"%d %d %s`, first.From, first.To, first.Text[:10])), []byte(fmt.Sprintf(`"%d %d %s`, first.From, first.To, "GlowCloud!")), 1)
	if bytes.Equal(edited, buf.Bytes()) {
		t.Fatal("the test could not find the first pooled sentence in the file")
	}
	if _, err := markov.Decode(bytes.NewReader(edited)); err == nil {
		t.Fatal("a model whose pooled sentence was edited loaded")
	}
}

// TestPoolSmallCorpus: a corpus too small to join or swap anything has an
// empty pool (compose then walks the chain), never an error.
func TestPoolSmallCorpus(t *testing.T) {
	t.Parallel()
	text := corpus.Parse("The Glow Cloud flies over the town. The town fears the Glow Cloud.")
	m, err := markov.Train(text.Sentences, markov.TrainOptions{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.Pool()); n != 0 {
		t.Fatalf("%d pooled sentences from two", n)
	}
}
