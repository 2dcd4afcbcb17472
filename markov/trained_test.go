package markov_test

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/internal/sharedfiles"
	"github.com/glowcloud/glowcloud/markov"
)

// TestTrainedModelsLoad: a model that `glowcloud train` wrote always
// loads. The budget of 3× the file once refused the model of the 600 KB
// sherlock corpus (a 3.3 MB file, 2.5–2.9× at its peak). Each corpus of
// the shapes shipped — the essay, always; sherlock and mid5 (5.4 MB, a
// 30 MB model) when ../shared/corpora holds them — is trained as train
// trains it (corpus.Read, compact, TrainLines), saved, and loaded by the
// zero Loader.
//
// Without -race (.ci/run runs it so) the load's peak heap, sampled at
// GOGC=5, must also be within the budget, and the loader's estimate of it
// (what it refuses on) is logged beside it. mid5 takes half a minute to
// train: it is skipped with -short and under -race (which changes nothing
// the test looks at, only the time).
func TestTrainedModelsLoad(t *testing.T) {
	if raceEnabled {
		// Nothing is measured (see below): train beside the other tests.
		t.Parallel()
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name, path string
		slow       bool
	}{
		{"essay", essayFile, false},
		{"sherlock", sharedfiles.Path("corpora/sherlock.txt"), false},
		{"mid5", sharedfiles.Path("corpora/mid5.txt"), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.path == "" {
				t.Skip(sharedfiles.Where("corpora/"+c.name+".txt") + " not found")
			}
			if c.slow && (testing.Short() || raceEnabled) {
				t.Skip("trains for half a minute: run without -short and without -race (.ci/run does)")
			}
			// The essay's training is the package's second (see
			// essayTrainings), shared with the tests of training.
			trained, err := essayTrainings[1]()
			if c.name != "essay" {
				trained, err = trainLikeTheCommand(c.path, nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, c.name+".model")
			if err := trained.Save(path); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := markov.Load(path); err != nil {
				t.Fatalf("a model train wrote (%d bytes) does not load: %v", fi.Size(), err)
			}
			if raceEnabled {
				return
			}
			_, estimate, err := markov.LoadCharged(path)
			if err != nil {
				t.Fatal(err)
			}
			defer debug.SetGCPercent(debug.SetGCPercent(5))
			runtime.GC()
			base := heapObjects()
			stop, peakc := samplePeakHeap()
			m, err := markov.Load(path)
			close(stop)
			peak := <-peakc - base
			runtime.KeepAlive(m)
			if err != nil {
				t.Fatal(err)
			}
			budget := max(markov.MemoryFactor*fi.Size(), markov.MinBudget)
			size := float64(fi.Size())
			t.Logf("file %.1f MiB: estimate %.1f MiB (%.2f×), peak heap %.1f MiB (%.2f×), budget %.1f MiB",
				size/(1<<20), float64(estimate)/(1<<20), float64(estimate)/size, float64(peak)/(1<<20), float64(peak)/size, float64(budget)/(1<<20))
			if int64(peak) > budget {
				t.Errorf("the load took %d bytes at its peak, over its budget of %d", peak, budget)
			}
		})
	}
}

// trainLikeTheCommand returns the model `glowcloud train corpusPath`
// saves (the command's own tests check that it does so), its clock now
// (time.Now when nil).
func trainLikeTheCommand(corpusPath string, now func() time.Time) (*markov.Model, error) {
	text, err := corpus.Read([]string{corpusPath}, corpus.ReadOptions{Compact: true})
	if err != nil {
		return nil, err
	}
	return markov.TrainLines(text.Lines, markov.TrainOptions{Headings: text.Headings, Now: now})
}
