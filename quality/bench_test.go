package quality_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/quality"
	"github.com/glowcloud/glowcloud/quality/fluency"
)

// BenchmarkScoring scores the 48 paragraphs of the calibration reading:
// the clause-fault figure beside the guard metrics (Measure with copy
// index) and the trigram perplexity, as the baseline in the same run.
func BenchmarkScoring(b *testing.B) {
	data, err := os.ReadFile("fluency/testdata/panel-2026-12-07/samples.md")
	if err != nil {
		b.Fatal(err)
	}
	var paragraphs []string
	for _, p := range regexp.MustCompile(`(?m)^## S\d+\s*$`).Split(string(data), -1)[1:] {
		paragraphs = append(paragraphs, strings.TrimSpace(p))
	}
	var sents []string
	for _, p := range paragraphs {
		sents = append(sents, quality.SplitSentences(p)...)
	}
	essay := corpus.EssayText()
	c := quality.NewCorpus(quality.SplitSentences(essay))
	lm := quality.NewLM(essay)
	lex := fluency.Default()
	b.Run("clause-faults", func(b *testing.B) {
		for b.Loop() {
			for _, p := range paragraphs {
				lex.Read(p)
			}
		}
	})
	b.Run("guards", func(b *testing.B) {
		for b.Loop() {
			quality.Measure([][]string{sents}, false, c, nil)
		}
	})
	b.Run("ppl", func(b *testing.B) {
		for b.Loop() {
			lm.Perplexity(sents)
		}
	})
}

// BenchmarkLoadTable is the one-time cost of parsing the embedded table.
func BenchmarkLoadTable(b *testing.B) {
	data, err := os.ReadFile("fluency/table.txt")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := fluency.ParseTable(string(data)); err != nil {
			b.Fatal(err)
		}
	}
}
