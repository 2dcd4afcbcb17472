package markov_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/markov"
)

// TestLoadMemoryFollowsFileSize: a loaded model once kept its whole file
// (its chain bodies, for Encode) beside the tables built from it, 3.5× the
// file for a 5 MB corpus. What a loaded model keeps must stay well under
// the file's size plus the tables: the bound fails if the file's bytes are
// kept again. Not parallel: it measures the heap.
func TestLoadMemoryFollowsFileSize(t *testing.T) {
	m, _ := essay(t)
	path := filepath.Join(t.TempDir(), "essay.model")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got, err := markov.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(got)
	live := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	ratio := live / float64(fi.Size())
	t.Logf("file %d bytes, the loaded model keeps %.0f bytes (%.2f× the file)", fi.Size(), live, ratio)
	if ratio > maxLiveRatio {
		t.Errorf("a loaded model keeps %.2f× its file's size, want at most %.1f×", ratio, maxLiveRatio)
	}
}

// maxLiveRatio is generous for the essay's small model, whose fixed costs
// (maps, slice headers) weigh more per byte than a large one's: it keeps
// 2.7× its file (the model of the 5 MB mid5 corpus 1.7×, BENCHMARKS.md);
// keeping the file's bytes as well made it 4.6×.
const maxLiveRatio = 3.5

// TestEncodeLoadedModelChecksItsFile: a loaded model reads its chain
// bodies back from its file to be saved again, and refuses, writing
// nothing, when that file no longer holds them.
func TestEncodeLoadedModelChecksItsFile(t *testing.T) {
	t.Parallel()
	m, _ := essay(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "essay.model")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := markov.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		change func() error
	}{
		{"a byte of a chain flipped", func() error {
			b := bytes.Clone(want)
			i := bytes.LastIndex(b, []byte(`":1`)) + 2
			b[i] = '2'
			return os.WriteFile(path, b, 0o644)
		}},
		{"another model", func() error {
			other, err := markov.Train([][]string{strings.Fields("The Glow Cloud sees all.")}, markov.TrainOptions{})
			if err != nil {
				return err
			}
			return other.Save(path)
		}},
		{"gone", func() error { return os.Remove(path) }},
		{"a directory", func() error {
			if err := os.Remove(path); err != nil {
				return err
			}
			return os.Mkdir(path, 0o755)
		}},
	} {
		if err := os.RemoveAll(path); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := got.Encode(&b); err != nil || !bytes.Equal(b.Bytes(), want) {
			t.Fatalf("%s: before the change, Encode = %v, %d bytes, want the file's %d", tt.name, err, b.Len(), len(want))
		}
		if err := tt.change(); err != nil {
			t.Fatal(err)
		}
		b.Reset()
		if err := got.Encode(&b); err == nil || b.Len() > 0 {
			t.Errorf("%s: Encode = %v having written %d bytes, want an error and nothing written", tt.name, err, b.Len())
		}
		out := filepath.Join(dir, "copy.model")
		if err := got.Save(out); err == nil {
			t.Errorf("%s: Save succeeded", tt.name)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: Save left %s behind (%v)", tt.name, out, err)
		}
	}
}

// TestCostBoundsLive: a model's Cost, what its load charged, is at least
// what the decoded model keeps live beside its file's bytes, and not so far
// above it that a cache charging it would hold a fraction of what it
// could. Not parallel: it measures the heap.
func TestCostBoundsLive(t *testing.T) {
	m, _ := essay(t)
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got, err := markov.Loader{}.DecodeBytes(t.Context(), data)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(got)
	live := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("file %d bytes; the decoded model keeps %d bytes more, its Cost is %d (%.2f× that)", len(data), live, got.Cost(), float64(got.Cost())/float64(live))
	if got.Cost() < live || got.Cost() > 4*live {
		t.Errorf("Cost %d, the model keeps %d: want between 1 and 4 times it", got.Cost(), live)
	}
}
