package bottest

import (
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/markov"
)

// HostileModel returns the writer of a real model trained, as glowcloud
// train or /retrain would, on the essay and HostileScripture: the text it
// generates repeats the upload's markup (masked links, mentions, spoilers;
// its headings become titles).
func HostileModel(t testing.TB) *compose.Writer {
	t.Helper()
	text := corpus.Parse(corpus.EssayText() + "\n\n" + HostileScripture)
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
