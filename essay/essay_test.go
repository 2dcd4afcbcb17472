package essay_test

import (
	"bytes"
	"flag"
	"sync"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/essay"
	"github.com/glowcloud/glowcloud/internal/golden"
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

var update = flag.Bool("update", false, "write essay.model again from the embedded essay")

// TestEmbeddedModelIsCurrent: the embedded model file is what training the
// embedded essay gives now, byte for byte.
func TestEmbeddedModelIsCurrent(t *testing.T) {
	m, err := essay.Train()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := m.Encode(&b); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "essay.model", b.Bytes(), *update, "go test ./essay -update")
	loaded, err := essay.Model()
	if err != nil {
		t.Fatal(err)
	}
	if loaded.ID() != m.ID() || len(loaded.Pool()) != len(m.Pool()) {
		t.Fatalf("the embedded model (%s, %d pooled) is not the trained one (%s, %d)", loaded.ID(), len(loaded.Pool()), m.ID(), len(m.Pool()))
	}
}
