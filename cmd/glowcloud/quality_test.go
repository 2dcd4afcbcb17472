package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/quality"
)

// TestQualityMeasuresManifestos checks that `glowcloud quality` measures
// exactly what `glowcloud manifesto -n` prints, with the reference's
// perplexity only when -ref is given.
func TestQualityMeasuresManifestos(t *testing.T) {
	t.Parallel()
	ref := filepath.Join(t.TempDir(), "ref.txt")
	if err := os.WriteFile(ref, []byte(corpus.EssayText()), 0o644); err != nil {
		t.Fatal(err)
	}
	text := glowcloud(t, nil, "", "manifesto", "-seed", "7", "-n", "12", "-paragraphs", "2")
	if text.code != 0 {
		t.Fatalf("manifesto: %+v", text)
	}
	want := quality.Measure(quality.Pieces(text.stdout), true,
		quality.NewCorpus(quality.SplitSentences(corpus.EssayText())), quality.NewLM(corpus.EssayText())).Rounded()
	for _, tt := range []struct {
		name string
		args []string
		ppl  bool
	}{
		{"with ref", []string{"-ref", ref}, true},
		{"without ref", nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := glowcloud(t, nil, "", append([]string{"quality", "-json", "-seed", "7", "-n", "12", "-paragraphs", "2"}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("quality: %+v", r)
			}
			var got quality.Report
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("%v in %q", err, r.stdout)
			}
			w := want
			if !tt.ppl {
				w.PPL = 0
			}
			if got != w {
				t.Errorf("quality -json = %+v\nwant %+v", got, w)
			}
		})
	}
	t.Run("table", func(t *testing.T) {
		t.Parallel()
		r := glowcloud(t, nil, "", "quality", "-n", "3")
		for _, m := range []string{"repeat5", "copy8", "copy12", "distinct-3", "self-BLEU-4", "cohesion", "unbalanced"} {
			if !strings.Contains(r.stdout, m) {
				t.Errorf("table lacks %s:\n%s", m, r.stdout)
			}
		}
		if strings.Contains(r.stdout, "ppl") {
			t.Errorf("ppl without -ref:\n%s", r.stdout)
		}
	})
	t.Run("usage", func(t *testing.T) {
		t.Parallel()
		for _, args := range [][]string{{"quality", "-n", "0"}, {"quality", "extra"}, {"quality", "-paragraphs", "9"}} {
			if r := glowcloud(t, nil, "", args...); r.code != 2 {
				t.Errorf("%q: exit %d, want 2", args, r.code)
			}
		}
	})
}
