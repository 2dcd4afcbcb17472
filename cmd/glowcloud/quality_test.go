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
		for _, m := range []string{"repeat5", "copy8", "copy12", "distinct-3", "self-BLEU-4", "cohesion", "unbalanced", "clause-faults"} {
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

// TestQualityScoresText checks quality -text: one paragraph a line, from a
// file or stdin, with a clause-fault count that follows the sentences.
func TestQualityScoresText(t *testing.T) {
	t.Parallel()
	text := "The state has led them down one of the movement was action. It was a vision.\n\nWe must first remember the methods which worked best.\n"
	file := filepath.Join(t.TempDir(), "text.txt")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, stdin string
		args        []string
	}{
		{"file", "", []string{"quality", "-text", file, "-json"}},
		{"stdin", text, []string{"quality", "-json", "-text", "-"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := glowcloud(t, nil, tt.stdin, tt.args...)
			if r.code != 0 {
				t.Fatalf("%+v", r)
			}
			var got []map[string]any
			for _, l := range lines(r.stdout) {
				var m map[string]any
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatalf("%v in %q", err, l)
				}
				got = append(got, m)
			}
			// Line 1: two sentences, the first runs two verbs together; line 3: none.
			if len(got) != 3 || got[0]["line"] != 1.0 || got[0]["sentences"] != 2.0 || got[0]["faults"] != 1.0 ||
				got[1]["line"] != 3.0 || got[1]["faults"] != 0.0 || got[2]["paragraphs"] != 2.0 || got[2]["clause_faults"] != 1.0/3 {
				t.Errorf("quality -text -json:\n%s", r.stdout)
			}
		})
	}
	t.Run("table", func(t *testing.T) {
		t.Parallel()
		r := glowcloud(t, nil, text, "quality", "-text", "-")
		if r.code != 0 || !strings.Contains(r.stdout, "2 paragraphs, 3 sentences: 0.333 clause faults per sentence") {
			t.Errorf("%+v", r)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		t.Parallel()
		if r := glowcloud(t, nil, "", "quality", "-text", filepath.Join(t.TempDir(), "none")); r.code != 1 || !strings.Contains(r.stderr, "none") {
			t.Errorf("%+v", r)
		}
	})
}
