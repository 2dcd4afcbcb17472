// Package essay is the model of the essay embedded in the binary
// (corpus.EssayText): what glowcloud generates from when no model file is
// given, and what serve falls back to when its file is missing or bad.
//
// It is its own package, rather than part of corpus (which the bot's core
// imports and so must not pull in markov) or of the command (which should
// hold no domain work), because it needs both the text and the trainer.
package essay

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"
	"time"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/markov"
)

// date stamps the essay's model (the essay is dated 2022-03-31), so that
// its id and envelope are the same on every run and machine.
func date() time.Time { return time.Date(2022, 3, 31, 0, 0, 0, 0, time.UTC) }

// Model returns the embedded essay's model. It is decoded from the model
// file embedded beside this package (essay.model, trained by Train) on the
// first call and shared by every later one: a markov.Model never changes
// once made and is safe for concurrent use. Training it at every start
// would cost a second (tagging the essay and curating its pool), ten times
// that under the race detector; decoding costs a few milliseconds.
func Model() (*markov.Model, error) { return model() }

// Train trains the essay's model from the embedded text, as `glowcloud
// train` would, stamped with the essay's date: what essay.model holds
// (TestEmbeddedModelIsCurrent checks it; `go test ./essay -update` writes
// it again after a change to training).
func Train() (*markov.Model, error) {
	t := corpus.Parse(corpus.EssayText())
	m, err := markov.Train(t.Sentences, markov.TrainOptions{Headings: t.Headings, Now: date, CurlyQuotes: t.CurlyQuotes()})
	if err != nil {
		return nil, fmt.Errorf("train embedded essay: %w", err)
	}
	return m, nil
}

//go:embed essay.model
var file []byte

// model is write-once: the only package-level state here, kept because it
// holds a value derived from constants (see Model).
var model = sync.OnceValues(func() (*markov.Model, error) {
	m, err := markov.Decode(bytes.NewReader(file))
	if err != nil {
		return nil, fmt.Errorf("embedded essay model: %w", err)
	}
	return m, nil
})
