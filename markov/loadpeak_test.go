package markov_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"

	"github.com/glowcloud/glowcloud/markov"
)

// TestLoadPeakMemory: a model file of N bytes loads within MemoryFactor×N
// of memory, or MinBudget if that is more, or is refused having spent no
// more, however it was built: files honest in every count and checksum,
// each made of the part of the format that costs most memory per byte
// (empty corpus sentences, spool names, a fan-out, chains of states,
// headings, corpus words), and the essay's model. The old loader took
// 6–16× these files' sizes, as the crafted files of the attack did (37 M
// empty sentences in 259 MB took 2.32 GB).
//
// Both halves of the rule are tried. The budget per byte: files of 3 MiB
// at several densities (padded with spaces, which cost nothing), so some
// load and some are refused, read by a loader whose floor is 8 MiB instead
// of MinBudget (which would let every one of them through: files big
// enough for 3× to pass MinBudget take too long to build and measure
// here). The floor: files of 10 MiB at full density, read by the zero
// Loader; several would cost more than MinBudget (up to 83 MiB).
//
// The peak heap is sampled at GOGC=5, so it is what is live, not the
// collector's headroom (which GOMEMLIMIT bounds). Not parallel: it
// measures the heap.
func TestLoadPeakMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("measures the heap: run without -short and without -race (.ci/run does)")
	}
	const (
		small      = 3 << 20
		smallFloor = 8 << 20
		large      = 10 << 20
	)
	dir := t.TempDir()
	type file struct {
		name   string
		loader markov.Loader
		floor  int64
	}
	var files []file
	write := func(f file, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, f.name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	for _, pad := range []int{0, small, 3 * small} {
		for name, data := range markov.ExpensiveModels(small, pad) {
			write(file{fmt.Sprintf("%s, padded %d MiB", name, pad>>20), markov.LoaderWithFloor(smallFloor), smallFloor}, data)
		}
	}
	for name, data := range markov.ExpensiveModels(large, 0) {
		write(file{fmt.Sprintf("%s, %d MiB", name, large>>20), markov.Loader{}, markov.MinBudget}, data)
	}
	m, _ := essay(t)
	var essay bytes.Buffer
	if err := m.Encode(&essay); err != nil {
		t.Fatal(err)
	}
	write(file{"the essay", markov.Loader{}, markov.MinBudget}, essay.Bytes())
	slices.SortFunc(files, func(a, b file) int { return cmpString(a.name, b.name) })
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	loaded, refused := map[int64]int{}, map[int64]int{}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		base := heapObjects()
		stop, peakc := samplePeakHeap()
		got, err := f.loader.Load(path)
		close(stop)
		peak := <-peakc - base
		runtime.KeepAlive(got)
		got = nil
		budget := max(markov.MemoryFactor*fi.Size(), f.floor)
		switch {
		case err == nil:
			loaded[f.floor]++
		case errors.Is(err, markov.ErrTooCostly) || errors.Is(err, markov.ErrFormat):
			refused[f.floor]++
		default:
			t.Errorf("%s: %v", f.name, err)
		}
		t.Logf("%-40s %5.1f MiB: peak %5.1f MiB (%.2f×) of a budget of %3d MiB, err %v", f.name, float64(fi.Size())/(1<<20),
			float64(peak)/(1<<20), float64(peak)/float64(fi.Size()), budget>>20, err != nil)
		if int64(peak) > budget {
			t.Errorf("%s (%d bytes) took %d bytes at its peak, over its budget of %d (%.2f× the file); err = %v",
				f.name, fi.Size(), peak, budget, float64(peak)/float64(fi.Size()), err)
		}
	}
	for _, floor := range []int64{smallFloor, markov.MinBudget} {
		if loaded[floor] < 2 || refused[floor] < 3 {
			t.Errorf("with a floor of %d MiB, %d files loaded and %d were refused: the files do not reach both sides of the budget",
				floor>>20, loaded[floor], refused[floor])
		}
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestLoadContextStops: a load whose context is done gives up with the
// context's error, for a file, the bytes of one, and ReadFile alike; with
// a live context, the three agree on the model.
func TestLoadContextStops(t *testing.T) {
	t.Parallel()
	m, _ := essay(t)
	path := filepath.Join(t.TempDir(), "essay.model")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var l markov.Loader
	done, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := l.LoadContext(done, path); !errors.Is(err, context.Canceled) {
		t.Errorf("LoadContext after cancel = %v", err)
	}
	if _, err := l.DecodeBytes(done, data); !errors.Is(err, context.Canceled) {
		t.Errorf("DecodeBytes after cancel = %v", err)
	}
	if _, err := l.ReadFile(done, path); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadFile after cancel = %v", err)
	}
	a, err := l.LoadContext(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.DecodeBytes(t.Context(), data)
	if err != nil {
		t.Fatal(err)
	}
	read, err := l.ReadFile(t.Context(), path)
	if err != nil || !bytes.Equal(read, data) {
		t.Fatalf("ReadFile = %d bytes, %v; want the file's %d", len(read), err, len(data))
	}
	if a.ID() != m.ID() || b.ID() != m.ID() {
		t.Errorf("ids %s, %s; want %s", a.ID(), b.ID(), m.ID())
	}
}

// TestWriteExpensiveModels writes the files of ExpensiveModels to the
// directory $GLOWCLOUD_WRITE_EXPENSIVE, each of about
// $GLOWCLOUD_EXPENSIVE_SIZE bytes (default 100 MB), to try the loader's
// budget on the built binary:
//
//	GLOWCLOUD_WRITE_EXPENSIVE=/tmp/exp go test -run TestWriteExpensiveModels ./markov
//	/usr/bin/time -f '%e s %M KB' glowcloud inspect -model '/tmp/exp/spool names.model'
func TestWriteExpensiveModels(t *testing.T) {
	dir := os.Getenv("GLOWCLOUD_WRITE_EXPENSIVE")
	if dir == "" {
		t.Skip("set GLOWCLOUD_WRITE_EXPENSIVE to a directory to write the crafted files to")
	}
	size := 100_000_000
	if v := os.Getenv("GLOWCLOUD_EXPENSIVE_SIZE"); v != "" {
		if _, err := fmt.Sscan(v, &size); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range markov.ExpensiveModels(size, 0) {
		path := filepath.Join(dir, name+".model")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes", path, len(data))
	}
}
