package markov_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/mb-14/gomarkov"
)

// peakRSS returns the process's peak resident memory in MiB (Linux), or 0.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(rest), "%f kB", &kb)
			return kb / 1024
		}
	}
	return 0
}

// benchFile is the corpus named by $GLOWCLOUD_BENCH_FILE: the file-level
// training benchmarks below measure throughput and peak memory on it. Run
// each alone, in its own process, so the peak is its own:
//
//	GLOWCLOUD_BENCH_FILE=/tmp/c50.txt go test -run '^$' -bench 'TrainFile$' -benchtime 1x ./markov
//	GLOWCLOUD_BENCH_FILE=/tmp/c50.txt go test -run '^$' -bench 'GomarkovTrainFile$' -benchtime 1x ./markov
func benchFile(b *testing.B) string {
	path := os.Getenv("GLOWCLOUD_BENCH_FILE")
	if path == "" {
		b.Skip("set GLOWCLOUD_BENCH_FILE to a corpus to measure training throughput and peak memory on it")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return string(data)
}

// BenchmarkTrainFile: sentence splitting (with duplicate paragraphs dropped)
// and training, as `glowcloud train` does in memory.
func BenchmarkTrainFile(b *testing.B) {
	text := benchFile(b)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		t := corpus.Parse(text)
		if _, err := markov.Train(t.Sentences, markov.TrainOptions{Headings: t.Headings}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(peakRSS(), "peak-MiB")
}

// BenchmarkGomarkovTrainFile: the baseline for `glowcloud train`, raw
// gomarkov on whitespace tokens of each line of the file (no sentence
// splitting worth the name): Chain.Add, MarshalJSON, and the bytes written
// to a file. Compare it with the whole command in the same session:
//
//	/usr/bin/time -f '%e s %M KB' glowcloud train -o /tmp/m.model FILE
func BenchmarkGomarkovTrainFile(b *testing.B) {
	text := benchFile(b)
	out := filepath.Join(b.TempDir(), "gomarkov.json")
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		chain := gomarkov.NewChain(markov.DefaultOrder)
		for line := range strings.Lines(text) {
			if words := strings.Fields(line); len(words) > 0 {
				chain.Add(words)
			}
		}
		data, err := chain.MarshalJSON()
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(peakRSS(), "peak-MiB")
}

// BenchmarkLoadFile loads the model file named by $GLOWCLOUD_BENCH_MODEL
// and reports, beside the time, its size, the heap the loaded model keeps,
// the peak heap during the load (sampled every 200µs) and the process's
// peak resident memory, each also per byte of the file (run it alone, with
// -benchtime 1x, for a peak of its own):
//
//	go run ./cmd/glowcloud train -o /tmp/mid5.model ../shared/corpora/mid5.txt
//	GLOWCLOUD_BENCH_MODEL=/tmp/mid5.model go test -run '^$' -bench 'LoadFile$' -benchtime 1x ./markov
func BenchmarkLoadFile(b *testing.B) {
	path := os.Getenv("GLOWCLOUD_BENCH_MODEL")
	if path == "" {
		b.Skip("set GLOWCLOUD_BENCH_MODEL to a model file to measure loading it")
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	var m *markov.Model
	var live, peak uint64
	for b.Loop() {
		m = nil
		runtime.GC()
		base := heapObjects()
		stop, peakc := samplePeakHeap()
		if m, err = markov.Load(path); err != nil {
			b.Fatal(err)
		}
		close(stop)
		peak = max(peak, <-peakc-base)
		runtime.GC()
		live = heapObjects() - base
	}
	runtime.KeepAlive(m)
	size := float64(fi.Size())
	rss := peakRSS()
	b.ReportMetric(size/(1<<20), "file-MiB")
	b.ReportMetric(float64(live)/(1<<20), "live-MiB")
	b.ReportMetric(float64(live)/size, "live-B/file-B")
	b.ReportMetric(float64(peak)/(1<<20), "peakheap-MiB")
	b.ReportMetric(float64(peak)/size, "peakheap-B/file-B")
	b.ReportMetric(rss, "peak-MiB")
	b.ReportMetric(rss*(1<<20)/size, "peak-B/file-B")
}

// heapObjects is the heap in live and not yet swept objects, in bytes.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// samplePeakHeap samples heapObjects until stop is closed, then sends the
// largest value seen.
func samplePeakHeap() (stop chan struct{}, peak chan uint64) {
	stop, peak = make(chan struct{}), make(chan uint64, 1)
	go func() {
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		most := heapObjects()
		for {
			select {
			case <-stop:
				peak <- max(most, heapObjects())
				return
			case <-t.C:
				most = max(most, heapObjects())
			}
		}
	}()
	return stop, peak
}
