package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/retrain"
)

// The adapter is what /retrain calls: a real Trainer learns the essay plus
// a new text, writes a model that loads, and swaps it in.
func TestRetrainerLearns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "essay.txt"), []byte(corpus.EssayText()), 0o644); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(t.TempDir(), "glowcloud.model")
	var swapped *markov.Model
	r := retrainer{&retrain.Trainer{Dir: dir, ModelPath: model, Swap: func(m *markov.Model) { swapped = m }}}

	// First the directory as it is: the essay alone.
	before, err := r.Retrain(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(before, "no new files") || swapped == nil || swapped.Knows("xylophonists") {
		t.Fatalf("retrain of the essay alone: %q (swapped %v)", before, swapped != nil)
	}
	essaySentences := swapped.Meta().Sentences

	const scripture = "The xylophonists of the night shift seize the means of percussion. " +
		"Every xylophonist is an anarchist if you squint at the mallets. " +
		"The Glow Cloud hears the xylophonists and approves."
	summary, err := r.Retrain(t.Context(), []bot.TextFile{{Name: "night shift.md", Data: []byte(scripture)}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(summary, "added night-shift-") || !strings.Contains(summary, ".md") || !strings.Contains(summary, "learned") {
		t.Errorf("summary %q does not say what it learned", summary)
	}
	if swapped == nil || !swapped.Knows("xylophonists") || swapped.Meta().Sentences <= essaySentences {
		t.Fatalf("the swapped model did not learn the new text")
	}
	if !strings.Contains(summary, swapped.ID()) {
		t.Errorf("summary %q does not name the model %s", summary, swapped.ID())
	}
	loaded, err := markov.Load(model)
	if err != nil {
		t.Fatalf("the model file does not load: %v", err)
	}
	if loaded.ID() != swapped.ID() || !loaded.Knows("xylophonists") {
		t.Errorf("the model file is %s, want the swapped %s", loaded.ID(), swapped.ID())
	}
	names, err := filepath.Glob(filepath.Join(dir, "night-shift-*.md"))
	if err != nil || len(names) != 1 {
		t.Errorf("corpus files %v (%v), want the new scripture added once", names, err)
	}
}

// The trainer's errors reach the bot as its sentinels, with their own text.
func TestRetrainerErrors(t *testing.T) {
	t.Parallel()
	t.Run("empty corpus", func(t *testing.T) {
		t.Parallel()
		// A directory with text but no sentence (an empty one is seeded
		// with the essay).
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := retrainer{&retrain.Trainer{Dir: dir}}
		_, err := r.Retrain(t.Context(), nil)
		if !errors.Is(err, bot.ErrEmptyCorpus) || !errors.Is(err, corpus.ErrEmpty) {
			t.Errorf("err = %v, want bot.ErrEmptyCorpus and corpus.ErrEmpty", err)
		}
	})
	t.Run("not text", func(t *testing.T) {
		t.Parallel()
		r := retrainer{&retrain.Trainer{Dir: t.TempDir()}}
		_, err := r.Retrain(t.Context(), []bot.TextFile{{Name: "sigil.png", Data: []byte("\x89PNG\r\n")}})
		if !errors.Is(err, bot.ErrNotText) || !strings.Contains(err.Error(), "sigil.png") || strings.Count(err.Error(), "not a text file") != 1 {
			t.Errorf("err = %v, want bot.ErrNotText naming the file once", err)
		}
	})
	t.Run("busy", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "essay.txt"), []byte(corpus.EssayText()), 0o644); err != nil {
			t.Fatal(err)
		}
		var r retrainer
		var nested error
		// Swap runs while the trainer holds its lock: a retrain from
		// there is one too many.
		r = retrainer{&retrain.Trainer{Dir: dir, Swap: func(*markov.Model) { _, nested = r.Retrain(t.Context(), nil) }}}
		if _, err := r.Retrain(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		if !errors.Is(nested, bot.ErrRetrainBusy) || !errors.Is(nested, retrain.ErrBusy) {
			t.Errorf("nested retrain: %v, want bot.ErrRetrainBusy", nested)
		}
	})
	t.Run("other errors pass through", func(t *testing.T) {
		t.Parallel()
		r := retrainer{&retrain.Trainer{}}
		_, err := r.Retrain(t.Context(), nil)
		if !errors.Is(err, retrain.ErrDisabled) || errors.Is(err, bot.ErrEmptyCorpus) || errors.Is(err, bot.ErrRetrainBusy) || errors.Is(err, bot.ErrNotText) {
			t.Errorf("err = %v, want retrain.ErrDisabled only", err)
		}
	})
}
