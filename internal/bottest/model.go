package bottest

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/essay"
	"github.com/glowcloud/glowcloud/markov"
)

// HostileModel returns the writer of a real model trained, as glowcloud
// train or /retrain would, on the essay's first half and HostileScripture:
// the text it generates repeats the upload's markup (masked links,
// mentions, spoilers; its headings become titles). It is the model
// TrainHostile gives, decoded from hostile.model (which
// TestHostileModelIsCurrent checks is current): training it cost every
// package that asks for it a second or more under -race. One Writer serves
// the test process; a Writer is safe for concurrent use.
func HostileModel(t testing.TB) *compose.Writer {
	t.Helper()
	w, err := hostileWriter()
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TrainHostile trains HostileModel's model: on the essay's first half and
// HostileScripture, stamped with a fixed date so that its bytes are the
// same on every run. Half the essay is prose enough to write from and
// trains in a third of the whole's time under -race; it also leaves the
// upload a larger share of what is written.
func TrainHostile() (*markov.Model, error) {
	essay := corpus.EssayText()
	half := len(essay) / 2
	half += strings.Index(essay[half:], "\n\n") // between paragraphs
	text := corpus.Parse(essay[:half] + "\n\n" + HostileScripture)
	lines := text.Lines
	for _, s := range text.Sentences {
		lines = append(lines, strings.Join(s, " "))
	}
	m, err := markov.TrainLines(lines, markov.TrainOptions{
		Headings: text.Headings,
		Now:      func() time.Time { return time.Date(2022, 3, 31, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		return nil, fmt.Errorf("train on the hostile scripture: %w", err)
	}
	return m, nil
}

// hostileFile is TrainHostile's model, encoded (go test
// ./internal/bottest -update writes it again).
//
//go:embed hostile.model
var hostileFile []byte

// hostileWriter is write-once, like essayWriter.
var hostileWriter = sync.OnceValues(func() (*compose.Writer, error) {
	m, err := markov.Decode(bytes.NewReader(hostileFile))
	if err != nil {
		return nil, fmt.Errorf("hostile.model: %w", err)
	}
	return compose.New(m), nil
})

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
