package markov_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

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
// and reports, beside the time, its size, the heap the loaded model keeps
// and the process's peak resident memory (run it alone, with -benchtime 1x,
// for a peak of its own):
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
	var live uint64
	for b.Loop() {
		m = nil
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if m, err = markov.Load(path); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		live = after.HeapAlloc - before.HeapAlloc
	}
	runtime.KeepAlive(m)
	b.ReportMetric(float64(fi.Size())/(1<<20), "file-MiB")
	b.ReportMetric(float64(live)/(1<<20), "live-MiB")
	b.ReportMetric(peakRSS(), "peak-MiB")
}
