package essay_test

import (
	"sync"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/essay"
	"github.com/glowcloud/glowcloud/markov"
)

// TestModel: the essay's model is trained once and shared, by concurrent
// callers too, and it is the model of the embedded text, stamped with the
// essay's date.
func TestModel(t *testing.T) {
	t.Parallel()
	var (
		wg  sync.WaitGroup
		got [4]*markov.Model
	)
	for i := range got {
		wg.Go(func() {
			m, err := essay.Model()
			if err != nil {
				t.Error(err)
			}
			got[i] = m
		})
	}
	wg.Wait()
	for _, m := range got[1:] {
		if m != got[0] {
			t.Fatal("two calls trained two models")
		}
	}
	m := got[0]
	if want := time.Date(2022, 3, 31, 0, 0, 0, 0, time.UTC); !m.Meta().TrainedAt.Equal(want) {
		t.Errorf("trained at %v, want the essay's date %v", m.Meta().TrainedAt, want)
	}
	text := corpus.Parse(corpus.EssayText())
	if want := len(text.Sentences); m.Meta().Sentences != want {
		t.Errorf("%d sentences learned, want the essay's %d", m.Meta().Sentences, want)
	}
}
