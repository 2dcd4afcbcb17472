package quality_test

import (
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/quality"
)

// FuzzPieces feeds arbitrary text (generated output and corpora are outside
// input) through the splitter, the tokenisers and Measure: no panic, and
// every sentence has at least four words and no line break.
func FuzzPieces(f *testing.F) {
	f.Add("Title\n\nOne two three four. Five six seven eight!\n---\nT\n\n“Nine ten eleven twelve?” (x")
	f.Add("a.\u00a0B c d e. \xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		pieces := quality.Pieces(s)
		for _, p := range pieces {
			for _, x := range p {
				if len(strings.Fields(x)) < 4 || strings.Contains(x, "\n") {
					t.Fatalf("bad sentence %q", x)
				}
			}
		}
		quality.Measure(pieces, true, quality.NewCorpus(quality.SplitSentences(s)), quality.NewLM(s))
		quality.Measure([][]string{quality.Lines(s)}, false, nil, nil)
	})
}
