package corpus_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/internal/sharedfiles"
)

// BenchmarkRead reads, cleans and splits a corpus as train does. It
// measures mid5 (5.4 MB of novels and plays) when ../shared/corpora holds
// it (see sharedfiles), else the essay.
func BenchmarkRead(b *testing.B) {
	path := sharedfiles.Path("corpora/mid5.txt")
	if path == "" {
		path = filepath.Join(b.TempDir(), corpus.EssayName)
		if err := os.WriteFile(path, []byte(corpus.EssayText()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := corpus.Read([]string{path}, corpus.ReadOptions{Compact: true}); err != nil {
			b.Fatal(err)
		}
	}
}
