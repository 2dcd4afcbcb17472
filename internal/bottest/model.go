package bottest

import (
	"strings"
	"sync"
	"testing"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/essay"
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

// EssayWriter returns the embedded essay's Writer, one for the test
// process: a Writer builds its indexes on first use (its pool, topics and
// titles), a third of a second under -race, which each test would pay
// again. A Writer is safe for concurrent use.
func EssayWriter(t testing.TB) *compose.Writer {
	t.Helper()
	w, err := essayWriter()
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// essayWriter is write-once, like essay.Model's model.
var essayWriter = sync.OnceValues(func() (*compose.Writer, error) {
	m, err := essay.Model()
	if err != nil {
		return nil, err
	}
	return compose.New(m), nil
})
