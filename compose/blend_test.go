package compose_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/markov"
)

// harbourModel is the model writerFor makes of testdata/harbour.txt,
// trained once for the package on first use: four tests trained it, a
// second of CPU each under -race. The model is shared: do not change it.
var harbourModel = sync.OnceValues(func() (*markov.Model, error) {
	text, err := os.ReadFile(filepath.Join("testdata", "harbour.txt"))
	if err != nil {
		return nil, err
	}
	parsed := corpus.Parse(string(text))
	return markov.Train(parsed.Sentences, markov.TrainOptions{Headings: parsed.Headings, Now: fixedNow})
})

// harbourWriter returns a new Writer of harbourModel.
func harbourWriter(t *testing.T) *compose.Writer {
	t.Helper()
	m, err := harbourModel()
	if err != nil {
		t.Fatal(err)
	}
	return compose.New(m)
}

// TestBlendEnds: a blend with all of the essay writes what the essay's
// Writer writes, byte for byte, and one with none of it what the server's
// does: the draw of sources takes nothing from the text's own draws.
func TestBlendEnds(t *testing.T) {
	t.Parallel()
	server, essay := harbourWriter(t), essayWriter(t)
	for _, tc := range []struct {
		share int
		want  *compose.Writer
	}{{100, essay}, {0, server}, {150, essay}, {-5, server}} {
		b := compose.NewBlend(server, essay, tc.share)
		for seed := uint64(1); seed <= 8; seed++ {
			gt, gb := b.Manifesto(seed, "the lamp", 3)
			wt, wb := tc.want.Manifesto(seed, "the lamp", 3)
			if gt != wt || gb != wb {
				t.Errorf("share %d, seed %d: manifesto\n%s\n%s\nwant\n%s\n%s", tc.share, seed, gt, gb, wt, wb)
			}
			if g, w := b.Squint(seed, "fog"), tc.want.Squint(seed, "fog"); g != w {
				t.Errorf("share %d, seed %d: squint %q, want %q", tc.share, seed, g, w)
			}
			if g, w := b.Glowcloud(seed), tc.want.Glowcloud(seed); g != w {
				t.Errorf("share %d, seed %d: glowcloud %q, want %q", tc.share, seed, g, w)
			}
		}
		if b.ModelID() != server.ModelID() {
			t.Errorf("share %d: ModelID %s, want the server's %s", tc.share, b.ModelID(), server.ModelID())
		}
	}
}

// harbourWords are words of the harbour text the essay never says.
var harbourWords = []string{"morwenna", "lighthouse", "harbour", "lamp", "fishermen", "ledger"}

func saysHarbour(s string) bool {
	s = strings.ToLower(s)
	for _, w := range harbourWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// TestBlendShare: the essay's share is the share of pieces (squints,
// proclamations) and of paragraphs drawn from it, and the same seed gives
// the same text.
func TestBlendShare(t *testing.T) {
	t.Parallel()
	server, essay := harbourWriter(t), essayWriter(t)
	for _, share := range []int{20, 50, 80} {
		b := compose.NewBlend(server, essay, share)
		const n = 400
		fromEssay := 0
		for seed := uint64(0); seed < n; seed++ {
			s := b.Squint(seed, "fog")
			switch s {
			case essay.Squint(seed, "fog"):
				fromEssay++
			case server.Squint(seed, "fog"):
			default:
				t.Fatalf("share %d, seed %d: a squint from neither source: %q", share, seed, s)
			}
			if b.Squint(seed, "fog") != s {
				t.Fatalf("share %d, seed %d: the same seed gave another squint", share, seed)
			}
		}
		if got := 100 * fromEssay / n; got < share-8 || got > share+8 {
			t.Errorf("share %d: %d%% of squints from the essay", share, got)
		}
	}
	// Manifestos mix: some paragraphs carry the server's words, some not.
	b := compose.NewBlend(server, essay, 50)
	mixed := 0
	for seed := uint64(0); seed < 40; seed++ {
		title, body := b.Manifesto(seed, "", 4)
		if t2, b2 := b.Manifesto(seed, "", 4); t2 != title || b2 != body {
			t.Fatalf("seed %d: the same seed gave another manifesto", seed)
		}
		if !strings.HasSuffix(body, compose.Hail) {
			t.Errorf("seed %d: no Hail line: %q", seed, body)
		}
		paras := strings.Split(body, "\n\n")
		server, other := 0, 0
		for _, p := range paras[:len(paras)-1] {
			if saysHarbour(p) {
				server++
			} else {
				other++
			}
		}
		if server > 0 && other > 0 {
			mixed++
		}
	}
	if mixed < 10 {
		t.Errorf("%d of 40 manifestos mix the server's paragraphs with the essay's, want most", mixed)
	}
}

// TestBlendSuggest: the topics of both, the server's first, none twice.
func TestBlendSuggest(t *testing.T) {
	t.Parallel()
	server, essay := harbourWriter(t), essayWriter(t)
	got := compose.NewBlend(server, essay, 50).Suggest("", 25)
	seen := map[string]bool{}
	for _, s := range got {
		if seen[s] {
			t.Errorf("%q offered twice", s)
		}
		seen[s] = true
	}
	first := server.Suggest("", 25)
	if len(first) == 0 || len(got) == 0 || got[0] != first[0] {
		t.Errorf("Suggest = %q, want the server's %q first", got, first)
	}
	if len(got) != 25 {
		t.Errorf("%d suggestions, want 25", len(got))
	}
	if g, w := compose.NewBlend(server, essay, 100).Suggest("an", 5), essay.Suggest("an", 5); strings.Join(g, "|") != strings.Join(w, "|") {
		t.Errorf("share 100: %q, want the essay's %q", g, w)
	}
}
