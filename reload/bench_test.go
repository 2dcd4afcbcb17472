package reload_test

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/reload"
)

// BenchmarkReloadUnderLoad reloads a model file while four goroutines keep
// writing manifestos from whatever the holder serves, as interactions would.
// It reports the reload time (load and swap) and the p99 manifesto latency
// with no reload running and while reloads run, and fails if any
// manifesto fails: every eighth one is checked against the manifesto the
// trained model itself writes for that seed (the file reloaded holds the
// same model, so they must be equal). ../shared/corpora/mid5.txt is used
// when present.
func BenchmarkReloadUnderLoad(b *testing.B) {
	text := corpus.EssayText()
	name := "essay"
	if data, err := os.ReadFile("../../shared/corpora/mid5.txt"); err == nil {
		text, name = string(data), "mid5"
	}
	b.Run(name, func(b *testing.B) {
		parsed := corpus.Parse(text)
		m, err := markov.Train(parsed.Sentences, markov.TrainOptions{Headings: parsed.Headings})
		if err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(b.TempDir(), "m.model")
		if err := m.Save(path); err != nil {
			b.Fatal(err)
		}
		load := func(p string) (*compose.Writer, error) {
			m, err := markov.Load(p)
			if err != nil {
				return nil, err
			}
			return compose.New(m), nil
		}
		ref := compose.New(m)
		h := reload.New(compose.New(m), path, load, nil)

		var reloading atomic.Bool
		var mu sync.Mutex
		var quiet, during []time.Duration
		var failed atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i, seed := 0, uint64(g); ; i, seed = i+1, seed+4 {
					select {
					case <-stop:
						return
					default:
					}
					busy := reloading.Load()
					t0 := time.Now()
					title, body := h.Current().Manifesto(seed, "", 3)
					d := time.Since(t0)
					if i%8 == 0 {
						if wantTitle, wantBody := ref.Manifesto(seed, "", 3); title != wantTitle || body != wantBody {
							failed.Add(1)
						}
					}
					mu.Lock()
					if busy {
						during = append(during, d)
					} else {
						quiet = append(quiet, d)
					}
					mu.Unlock()
				}
			})
		}
		// A quiet second first, for the baseline latency.
		<-time.After(time.Second)
		var reloads []time.Duration
		for b.Loop() {
			reloading.Store(true)
			t0 := time.Now()
			if err := h.Reload(); err != nil {
				b.Fatal(err)
			}
			reloads = append(reloads, time.Since(t0))
			reloading.Store(false)
		}
		close(stop)
		wg.Wait()
		if failed.Load() > 0 {
			b.Fatalf("%d manifestos failed during reloads", failed.Load())
		}
		p := func(d []time.Duration, q float64) float64 {
			if len(d) == 0 {
				return 0
			}
			slices.Sort(d)
			return float64(d[int(float64(len(d)-1)*q)].Microseconds())
		}
		b.ReportMetric(p(reloads, 0.5)/1000, "reload-ms")
		b.ReportMetric(p(quiet, 0.99), "p99-quiet-µs")
		b.ReportMetric(p(during, 0.99), "p99-reloading-µs")
		b.ReportMetric(float64(len(during)), "manifestos-during-reloads")
	})
}
