package main

import (
	"context"
	"errors"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/retrain"
)

// retrainer adapts *retrain.Trainer to bot.Retrainer, so that /retrain
// retrains the model serve serves.
type retrainer struct{ t *retrain.Trainer }

// Retrain hands files to the trainer and returns its summary. The trainer's
// errors keep their text (which names the file at fault) and also match the
// bot's sentinels, which decide the reply.
func (r retrainer) Retrain(ctx context.Context, files []bot.TextFile) (string, error) {
	in := make([]retrain.File, len(files))
	for i, f := range files {
		in[i] = retrain.File{Name: f.Name, Data: f.Data}
	}
	res, err := r.t.Retrain(ctx, in)
	if err != nil {
		return "", botError(err)
	}
	return res.Summary(), nil
}

// botError makes err match the bot.Err* sentinel for its kind, if any.
func botError(err error) error {
	var kind error
	switch {
	case errors.Is(err, retrain.ErrBusy):
		kind = bot.ErrRetrainBusy
	case errors.Is(err, retrain.ErrNotText):
		kind = bot.ErrNotText
	case errors.Is(err, corpus.ErrEmpty), errors.Is(err, markov.ErrEmpty):
		kind = bot.ErrEmptyCorpus
	default:
		return err
	}
	return &kindError{err: err, kind: kind}
}

// kindError is err, which also matches kind (errors.Is) without saying so in
// its message.
type kindError struct{ err, kind error }

func (e *kindError) Error() string        { return e.err.Error() }
func (e *kindError) Unwrap() error        { return e.err }
func (e *kindError) Is(target error) bool { return target == e.kind }
