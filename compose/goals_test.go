package compose_test

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/essay"
	"github.com/glowcloud/glowcloud/internal/sharedfiles"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/quality"
)

// The guards on generated text, measured as ../shared/tools/quality.py
// measures them (the quality package agrees with it to the digit), on the
// 300 manifestos of `glowcloud manifesto -seed 100 -n 300 -paragraphs 3`.
// They are guards, not the judge: the blind reading in docs/readings is.
// The quality package shares no code with compose or markov's generation.

// corpusPath finds a corpus in ../shared/corpora beside the repository (or
// $GLOWCLOUD_SHARED/corpora), as the benchmarks do; "" when it is absent.
func corpusPath(name string) string { return sharedfiles.Path("corpora/" + name) }

// mid5LM is the reference trigram model for ppl, built once for the tests
// that need it; nil when mid5.txt is absent. It takes seconds under -race:
// the goals tests start it first thing, beside their own work.
var mid5LM = sync.OnceValue(func() *quality.LM {
	p := corpusPath("mid5.txt")
	if p == "" {
		return nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	return quality.NewLM(strings.ToValidUTF8(string(b), "\uFFFD"))
})

// measured is 300 manifestos of a model and what quality.py would say of
// them.
type measured struct {
	report quality.Report
	titles []string
	bodies []string
}

func measure(t *testing.T, w *compose.Writer, corpusText string) measured {
	t.Helper()
	var m measured
	var b strings.Builder
	for i := range 300 {
		title, body := w.Manifesto(100+uint64(i), "", 3)
		m.titles = append(m.titles, title)
		m.bodies = append(m.bodies, body)
		if i > 0 {
			b.WriteString("---\n")
		}
		b.WriteString(title + "\n\n" + body + "\n")
	}
	if got := w.Manifestos(100, 300, "", 3); got != b.String() {
		t.Fatal("Manifestos differs from Manifesto seed by seed")
	}
	m.report = quality.Measure(quality.Pieces(b.String()), true, quality.NewCorpus(quality.SplitSentences(corpusText)), mid5LM())
	t.Logf("quality: %v", m.report)
	return m
}

// isQuotation reports whether a title is a quotation, an epigraph or a line
// of dialogue: it opens with a quote that closes at its end or before a
// source, or it asks a question.
func isQuotation(title string) bool {
	t := strings.TrimSpace(title)
	open := strings.HasPrefix(t, `"`) || strings.HasPrefix(t, "“")
	closes := strings.HasSuffix(t, `"`) || strings.HasSuffix(t, "”")
	return (open && closes) || strings.Contains(t, `" —`) || strings.Contains(t, "” —") ||
		strings.HasSuffix(strings.TrimRight(t, `"”`), "?") || strings.Contains(t, `."`) || strings.Contains(t, ".”")
}

func checkTitles(t *testing.T, m measured, headings []string) {
	t.Helper()
	isHeading := map[string]bool{}
	for _, h := range headings {
		isHeading[strings.ToLower(h)] = true // "THE RED-HEADED LEAGUE" is said title-cased
	}
	distinct := map[string]bool{}
	verbatim := 0
	for _, title := range m.titles {
		distinct[title] = true
		if isHeading[strings.ToLower(title)] {
			verbatim++
		}
		if isQuotation(title) {
			t.Errorf("title %q is a quotation", title)
		}
		if title == "" || strings.ContainsAny(title, "\n%") || len([]rune(title)) > compose.LongestTitle {
			t.Errorf("bad title %q", title)
		}
	}
	if len(distinct) < 250 {
		t.Errorf("%d distinct titles in 300 manifestos, want >= 250", len(distinct))
	}
	if verbatim > 30 {
		t.Errorf("%d of 300 titles are verbatim headings, want <= 30", verbatim)
	}
	t.Logf("titles: %d distinct, %d verbatim headings", len(distinct), verbatim)
}

// checkKept checks what must hold of every manifesto: no sentence copied
// whole from the corpus or sharing more than 15 words in a row with it
// (markovify's limit; checked by brute force over every pair), a share of
// distinct sentences, the hail, Discord's limits.
func checkKept(t *testing.T, m measured, training []string, minDistinct float64) {
	t.Helper()
	copied := map[string]bool{}
	runs := map[string]bool{} // every run of 16 words of the corpus
	for _, s := range training {
		w := quality.Words(s)
		copied[strings.Join(w, " ")] = true
		for i := 0; i+16 <= len(w); i++ {
			runs[strings.Join(w[i:i+16], " ")] = true
		}
	}
	all, distinct := 0, map[string]bool{}
	for i, body := range m.bodies {
		if !strings.HasSuffix(body, "\n\n"+compose.Hail) || len([]rune(body)) > compose.MaxManifesto {
			t.Errorf("manifesto %d: no hail or too long", i)
		}
		for _, s := range quality.SplitSentences(strings.TrimSuffix(body, compose.Hail)) {
			all++
			if distinct[s] {
				continue
			}
			distinct[s] = true
			w := quality.Words(s)
			if copied[strings.Join(w, " ")] {
				t.Errorf("manifesto %d copies a sentence whole: %q", i, s)
			}
			for k := 0; k+16 <= len(w); k++ {
				if runs[strings.Join(w[k:k+16], " ")] {
					t.Errorf("manifesto %d: %q shares 16 words in a row with the corpus", i, s)
					break
				}
			}
		}
	}
	if float64(len(distinct)) < minDistinct*float64(all) {
		t.Errorf("%d distinct sentences of %d, want >= %.0f %%", len(distinct), all, 100*minDistinct)
	}
	t.Logf("%d distinct sentences of %d", len(distinct), all)
}

// checkOpenings checks the text's tics: no two sentences of a manifesto
// open with the same three words, and no three-word opening starts more
// than share of all sentences.
func checkOpenings(t *testing.T, m measured, share float64) {
	t.Helper()
	count, all := map[string]int{}, 0
	for i, body := range m.bodies {
		seen := map[string]bool{}
		for _, s := range quality.SplitSentences(strings.TrimSuffix(body, compose.Hail)) {
			w := quality.Words(s)
			if len(w) < 3 {
				continue
			}
			o := strings.Join(w[:3], " ")
			if seen[o] {
				t.Errorf("manifesto %d: two sentences open with %q", i, o)
			}
			seen[o] = true
			count[o]++
			all++
		}
	}
	top, n := "", 0
	for o, c := range count {
		if c > n {
			top, n = o, c
		}
	}
	if float64(n) > share*float64(all) {
		t.Errorf("%q opens %d of %d sentences (%.1f %%), want <= %.1f %%", top, n, all, 100*float64(n)/float64(all), 100*share)
	}
	t.Logf("commonest opening %q: %d of %d sentences", top, n, all)
}

func TestEssayGoals(t *testing.T) {
	t.Parallel()
	go mid5LM() // built beside the generation below rather than after it
	model, err := essay.Model()
	if err != nil {
		t.Fatal(err)
	}
	m := measure(t, compose.New(model), corpus.EssayText())
	r := m.report
	for _, g := range []struct {
		name      string
		got, goal float64
		atMost    bool
	}{
		{"repeat5", r.Repeat5, 0.10, true},
		{"copy12", r.Copy12, 0.35, true}, // markovify's figure on the essay: 0.33
		// The goal is 0.75, and is not met. The curated pool (blind
		// readers: fluency 4.2-4.8, against 1.0 for the walk) is made from
		// the 69 of the essay's 190 sentences that free edits and
		// rewordings can say anew without copying more than 15 words in a
		// row; it reaches 0.46-0.49. This floor keeps it from sliding; see
		// BENCHMARKS.md.
		{"distinct-3", r.Distinct3, 0.40, false},
		{"cohesion", r.Cohesion, 0.30, false},
		{"unbalanced", r.Unbalanced, 0, true},
	} {
		if g.atMost && g.got > g.goal || !g.atMost && g.got < g.goal {
			t.Errorf("%s = %.3f, goal %s %.2f", g.name, g.got, map[bool]string{true: "<=", false: ">="}[g.atMost], g.goal)
		}
	}
	if mid5LM() == nil {
		t.Log(sharedfiles.Where("corpora/mid5.txt") + " not found: ppl not checked")
	} else if r.PPL > 2050 {
		t.Errorf("ppl = %.1f, goal <= 2050", r.PPL)
	}
	checkTitles(t, m, model.Headings())
	// Distinct sentences fell from 12 % to under 4 % when nouns stopped
	// being swapped (readers: 2.7 with the swaps, 3.8 without, readings h
	// and i): a source sentence has fewer variants, though more sources
	// are used.
	checkKept(t, m, model.TrainingSentences(), 0.03)
	// The essay's own commonest, "From Rojava to", opens 3.6 % of its
	// sentences.
	checkOpenings(t, m, 0.036)
	checkSpread(t, m, model.Pool(), 0.045)
	checkConnectives(t, m)
	checkNoLateTurns(t, m, model.Pool())
	// 85 % with paragraphs opening where the corpus goes on (81 % without).
	checkFollowing(t, m, model.Pool(), 0.84)
}

// pooledSources is the oracle of the checks below: it reads each body's
// paragraphs with quality's splitter and finds each sentence among the
// pool's texts (its quotes set plain), giving the corpus sentence it was
// made from, or -1 for a sentence not from the pool.
func pooledSources(m measured, pool []markov.PoolSentence) [][]int32 {
	from := make(map[string]int32, len(pool))
	for _, p := range pool {
		from[p.Text] = p.From
	}
	plain := strings.NewReplacer("’", "'", "‘", "'", "“", "\"", "”", "\"")
	var paras [][]int32
	for _, body := range m.bodies {
		for _, para := range strings.Split(strings.TrimSuffix(body, compose.Hail), "\n\n") {
			var srcs []int32
			for _, s := range quality.SplitSentences(para) {
				f, ok := from[plain.Replace(s)]
				if !ok {
					f = -1
				}
				srcs = append(srcs, f)
			}
			paras = append(paras, srcs)
		}
	}
	return paras
}

// following counts the pooled sentences from a paragraph's (first+1)th on
// whose sentence before is pooled too, and how many of them follow the
// corpus's order: each from one of the eight corpus sentences after the one
// before it.
func following(paras [][]int32, first int) (pairs, follow int) {
	for _, srcs := range paras {
		for k := max(first, 1); k < len(srcs); k++ {
			a, b := srcs[k-1], srcs[k]
			if a < 0 || b < 0 {
				continue
			}
			pairs++
			if d := b - a; d >= 1 && d <= 8 {
				follow++
			}
		}
	}
	return pairs, follow
}

// checkNoLateTurns checks that a paragraph's fourth and fifth sentences
// carry the corpus's argument on: where the argument runs out, the
// paragraph ends rather than turning to something else.
func checkNoLateTurns(t *testing.T, m measured, pool []markov.PoolSentence) {
	t.Helper()
	late, follow := following(pooledSources(m, pool), 3)
	if turns := late - follow; turns > 0 {
		t.Errorf("%d of %d late sentences of a paragraph turn away from the corpus's argument, want none", turns, late)
	}
	t.Logf("%d late sentences, %d turns", late, late-follow)
}

// checkFollowing checks that at least share of the pairs of neighbouring
// sentences in a paragraph follow the corpus's order.
func checkFollowing(t *testing.T, m measured, pool []markov.PoolSentence, share float64) {
	t.Helper()
	pairs, follow := following(pooledSources(m, pool), 1)
	if float64(follow) < share*float64(pairs) {
		t.Errorf("%d of %d neighbouring sentences follow the corpus's order, want at least %.0f %%", follow, pairs, 100*share)
	}
	t.Logf("%d of %d neighbouring sentences follow the corpus's order", follow, pairs)
}

// checkSpread checks that no sentence of the corpus is said, in any of its
// pooled forms, in more than share of the manifestos' sentences: following
// the corpus's argument gathered pieces into a few sentences (one in 6 %
// of all), and readers saw them again and again.
func checkSpread(t *testing.T, m measured, pool []markov.PoolSentence, share float64) {
	t.Helper()
	count, all := map[int32]int{}, 0
	for _, srcs := range pooledSources(m, pool) {
		for _, f := range srcs {
			if f >= 0 {
				count[f]++
			}
			all++
		}
	}
	top, n := int32(-1), 0
	for f, c := range count {
		if c > n {
			top, n = f, c
		}
	}
	if float64(n) > share*float64(all) {
		t.Errorf("corpus sentence %d is said in %d of %d sentences (%.1f %%), want <= %.1f %%", top, n, all, 100*float64(n)/float64(all), 100*share)
	}
	t.Logf("commonest corpus sentence %d: %d of %d sentences; %d corpus sentences said", top, n, all, len(count))
}

// checkConnectives checks that no manifesto opens with "And" or "But",
// and that few paragraphs say more than one sentence so (a reading of
// twelve paragraphs found seven of sixteen sentences opening so).
func checkConnectives(t *testing.T, m measured) {
	t.Helper()
	opens := func(s string) bool {
		w := quality.Words(s)
		return len(w) > 0 && (w[0] == "and" || w[0] == "but")
	}
	twice, paragraphs := 0, 0
	for i, body := range m.bodies {
		for k, para := range strings.Split(strings.TrimSuffix(body, compose.Hail), "\n\n") {
			n := 0
			for j, s := range quality.SplitSentences(para) {
				if opens(s) {
					n++
					if j == 0 && k == 0 {
						t.Errorf("manifesto %d opens with %q", i, s)
					}
				}
			}
			paragraphs++
			if n > 1 {
				twice++
			}
		}
	}
	if 10*twice > paragraphs {
		t.Errorf("%d of %d paragraphs open two sentences with And or But, want at most a tenth", twice, paragraphs)
	}
	t.Logf("%d of %d paragraphs open two sentences with And or But", twice, paragraphs)
}

// TestSherlockGoals holds the method to a corpus it was not tuned on: no
// figure worse than before issue 8 by more than 0.02 (ppl 10 %), cohesion
// at least 0.10, unbalanced at most 0.01, and the title goals.
func TestSherlockGoals(t *testing.T) {
	t.Parallel()
	path := corpusPath("sherlock.txt")
	if path == "" {
		t.Skip(sharedfiles.Where("corpora/sherlock.txt") + " not found")
	}
	go mid5LM() // built beside the training below rather than after it
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	parsed := corpus.Parse(text)
	model, err := markov.Train(parsed.Sentences, markov.TrainOptions{Headings: parsed.Headings, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	m := measure(t, compose.New(model), text)
	r := m.report
	// Before the curated pool (word salad to a blind reader, fluency 1.8):
	// distinct-3 0.970, copy12 0, repeat5 0, unbalanced 0. The pool read
	// 3.2 with distinct-3 0.94; without the edits readers tell (swapped
	// adjectives, possessives and determiners, connectives put in) it
	// reads 3.83 (reading l) at 0.89: copy12 is held to the guard every
	// model is (0.35), distinct-3 to 0.88 (see BENCHMARKS.md).
	for _, g := range []struct {
		name      string
		got, goal float64
		atMost    bool
	}{
		{"distinct-3", r.Distinct3, 0.88, false},
		{"copy12", r.Copy12, 0.35, true},
		{"repeat5", r.Repeat5, 0.01, true},
		{"cohesion", r.Cohesion, 0.10, false},
		{"unbalanced", r.Unbalanced, 0.0, true},
	} {
		if g.atMost && g.got > g.goal || !g.atMost && g.got < g.goal {
			t.Errorf("%s = %.3f, goal %s %.3f", g.name, g.got, map[bool]string{true: "<=", false: ">="}[g.atMost], g.goal)
		}
	}
	if mid5LM() != nil && r.PPL > 223*1.10 {
		t.Errorf("ppl = %.1f, goal <= %.1f", r.PPL, 223*1.10)
	}
	checkTitles(t, m, parsed.Headings)
	// 46 % before the edits readers tell were left out (reading l: fluency
	// 3.83, was 3.25); 20 % after, joins left out too.
	checkKept(t, m, model.TrainingSentences(), 0.19)
	checkOpenings(t, m, 0.036)
}

// TestTitlesWithoutHeadings: a model trained on text with no headings
// still gets varied titles.
func TestTitlesWithoutHeadings(t *testing.T) {
	t.Parallel()
	parsed := corpus.Parse(corpus.EssayText())
	model, err := markov.Train(parsed.Sentences, markov.TrainOptions{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	w := compose.New(model)
	var m measured
	for i := range 300 {
		title, _ := w.Manifesto(100+uint64(i), "", 3)
		m.titles = append(m.titles, title)
	}
	checkTitles(t, m, nil)
}

// TestTitleHeadings: the essay's epigraph and sherlock-like dialogue never
// become titles, however often a heading is drawn.
func TestTitleHeadings(t *testing.T) {
	t.Parallel()
	text := "The workers of the world unite at last. The workers plan the economy together. Democratic planning needs no masters at all. " +
		"The masters of the economy fear democratic planning. Every worker plans the world of tomorrow.\n"
	parsed := corpus.Parse(text)
	// The corpus no longer files dialogue and metadata lines as headings;
	// a model file may still hold them.
	parsed.Headings = []string{"\"Democracy is very good.\" — David Graeber", "\"Your French gold?\"", "\"The Coroner: What do you mean?", "Language: English"}
	model, err := markov.Train(parsed.Sentences, markov.TrainOptions{Headings: parsed.Headings, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	w := compose.New(model)
	for seed := range uint64(300) {
		title, _ := w.Manifesto(seed, "", 1)
		for _, h := range parsed.Headings {
			if strings.Contains(title, strings.Trim(h, `"`)) || strings.Contains(title, "Graeber") || strings.Contains(title, "English") {
				t.Fatalf("seed %d: title %q comes from the heading %q", seed, title, h)
			}
		}
	}
}
