package bottest

import (
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/markov"
)

// HostileModel returns the writer of a real model trained, as glowcloud
// train or /retrain would, on the essay's first half and HostileScripture:
// the text it generates repeats the upload's markup (masked links,
// mentions, spoilers; its headings become titles). Half the essay is prose
// enough to write from and trains in a third of the whole's time under
// -race; it also leaves the upload a larger share of what is written.
func HostileModel(t testing.TB) *compose.Writer {
	t.Helper()
	essay := corpus.EssayText()
	half := len(essay) / 2
	half += strings.Index(essay[half:], "\n\n") // between paragraphs
	text := corpus.Parse(essay[:half] + "\n\n" + HostileScripture)
	lines := text.Lines
	for _, s := range text.Sentences {
		lines = append(lines, strings.Join(s, " "))
	}
	m, err := markov.TrainLines(lines, markov.TrainOptions{Headings: text.Headings})
	if err != nil {
		t.Fatalf("train on the hostile scripture: %v", err)
	}
	return compose.New(m)
}
