package corpus_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/glowcloud/glowcloud/corpus"
)

// sharedCorpus is the path of a corpus in ../shared/corpora beside the
// repository or a worktree of it (or $GLOWCLOUD_CORPORA), or "" when it is
// not there.
func sharedCorpus(name string) string {
	for _, d := range []string{os.Getenv("GLOWCLOUD_CORPORA"), "../../shared/corpora", "../../../shared/corpora"} {
		if d == "" {
			continue
		}
		if p := filepath.Join(d, name); fileExists(p) {
			return p
		}
	}
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// BenchmarkRead reads, cleans and splits a corpus as train does. It
// measures mid5 (5.4 MB of novels and plays) when ../shared/corpora holds
// it, else the essay.
func BenchmarkRead(b *testing.B) {
	path := sharedCorpus("mid5.txt")
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
