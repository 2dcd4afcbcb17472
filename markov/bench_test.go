package markov_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/internal/sharedfiles"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/mb-14/gomarkov"
)

// Benchmarks compare this package with raw gomarkov on the same input in
// the same run. The larger corpora live in ../shared/corpora beside the
// repository (or $GLOWCLOUD_SHARED/corpora); benchmarks that need them skip
// with a message when they are absent.
//
//	go test -run '^$' -bench . -benchmem ./markov

func corpusFile(b *testing.B, name string) string {
	b.Helper()
	p := sharedfiles.Path("corpora/" + name)
	if p == "" {
		b.Skipf("%s not found", sharedfiles.Where("corpora/"+name))
	}
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	return string(data)
}

type benchCorpus struct {
	name string
	text func(*testing.B) string
}

var benchCorpora = []benchCorpus{
	{"essay", func(*testing.B) string { return corpus.EssayText() }},
	{"sherlock", func(b *testing.B) string { return corpusFile(b, "sherlock.txt") }},
	{"mid5", func(b *testing.B) string { return corpusFile(b, "mid5.txt") }},
}

// BenchmarkTrain times what `glowcloud train` does in memory: split the text
// into sentences and train the model (with its sampling tables and novelty
// index).
func BenchmarkTrain(b *testing.B) {
	for _, c := range benchCorpora {
		b.Run(c.name, func(b *testing.B) {
			text := c.text(b)
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				t := corpus.Parse(text)
				if _, err := markov.Train(t.Sentences, markov.TrainOptions{Headings: t.Headings}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGomarkovTrain is the baseline: the same sentence splitting, then
// raw gomarkov.Chain.Add.
func BenchmarkGomarkovTrain(b *testing.B) {
	for _, c := range benchCorpora {
		b.Run(c.name, func(b *testing.B) {
			text := c.text(b)
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				t := corpus.Parse(text)
				chain := gomarkov.NewChain(markov.DefaultOrder)
				for _, s := range t.Sentences {
					chain.Add(s)
				}
			}
		})
	}
}

var trained sync.Map // corpus name -> *trainedCorpus

type trainedCorpus struct {
	m     *markov.Model
	chain *gomarkov.Chain
}

func train(b *testing.B, c benchCorpus) *trainedCorpus {
	if v, ok := trained.Load(c.name); ok {
		return v.(*trainedCorpus)
	}
	t := corpus.Parse(c.text(b))
	m, err := markov.Train(t.Sentences, markov.TrainOptions{})
	if err != nil {
		b.Fatal(err)
	}
	chain := gomarkov.NewChain(markov.DefaultOrder)
	for _, s := range t.Sentences {
		chain.Add(s)
	}
	tc := &trainedCorpus{m, chain}
	trained.Store(c.name, tc)
	return tc
}

// reportMedian adds the median of per-call durations as a metric.
func reportMedian(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "median-ns/op")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds()), "p99-ns/op")
}

// BenchmarkSentence times one accepted sentence: readable, novel (the
// overlap test) and, where the chain allows, not near-certain.
func BenchmarkSentence(b *testing.B) {
	for _, c := range benchCorpora {
		b.Run(c.name, func(b *testing.B) {
			m := train(b, c).m
			rng := rand.New(rand.NewPCG(1, 2))
			var d []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				t0 := time.Now()
				if _, err := m.Sentence(rng, markov.Options{}); err != nil {
					b.Fatal(err)
				}
				d = append(d, time.Since(t0))
			}
			reportMedian(b, d)
		})
	}
}

// BenchmarkSentenceTopic times a sentence steered through a common word.
func BenchmarkSentenceTopic(b *testing.B) {
	for _, c := range benchCorpora {
		b.Run(c.name, func(b *testing.B) {
			m := train(b, c).m
			rng := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Sentence(rng, markov.Options{Topic: []string{"the"}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGomarkovSentence is the baseline: raw gomarkov walking the same
// chain from the start to the end marker with GenerateDeterministic, with
// no novelty test at all.
func BenchmarkGomarkovSentence(b *testing.B) {
	for _, c := range benchCorpora {
		b.Run(c.name, func(b *testing.B) {
			chain := train(b, c).chain
			rng := rand.New(rand.NewPCG(1, 2))
			prng := intn{rng}
			var d []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				t0 := time.Now()
				state := gomarkov.NGram{gomarkov.StartToken, gomarkov.StartToken}
				for range markov.MaxWords {
					next, err := chain.GenerateDeterministic(state, prng)
					if err != nil {
						b.Fatal(err)
					}
					if next == gomarkov.EndToken {
						break
					}
					state = gomarkov.NGram{state[1], next}
				}
				d = append(d, time.Since(t0))
			}
			reportMedian(b, d)
		})
	}
}

type intn struct{ r *rand.Rand }

func (p intn) Intn(n int) int { return p.r.IntN(n) }

// BenchmarkLoad times reading a saved model back.
func BenchmarkLoad(b *testing.B) {
	for _, c := range benchCorpora {
		b.Run(c.name, func(b *testing.B) {
			m := train(b, c).m
			path := filepath.Join(b.TempDir(), "m.model")
			if err := m.Save(path); err != nil {
				b.Fatal(err)
			}
			fi, _ := os.Stat(path)
			b.SetBytes(fi.Size())
			b.ReportAllocs()
			for b.Loop() {
				if _, err := markov.Load(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
