package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/limits"
	"github.com/glowcloud/glowcloud/quality"
	"github.com/glowcloud/glowcloud/quality/fluency"
)

// runQuality prints the quality metrics of N manifestos of a model, or
// the fluency figure of given text (-text).
func (e environment) runQuality(ctx context.Context, args []string) error {
	fs := e.flags("quality", "[-model FILE] [-n N] [-seed N] [-paragraphs N] [-ref FILE] [-corpus FILE] [-json] | -text FILE|- [-json]")
	textPath := fs.String("text", "", "score the clause faults of this `FILE` instead (one paragraph a line; - for stdin)")
	modelPath := e.modelFlag(fs)
	n := fs.Int("n", 300, "measure `N` manifestos, 1 to 10000")
	seed := seedFlag{v: qualitySeed}
	fs.Var(&seed, "seed", "random seed `N` of the first manifesto (the others follow: N+1, N+2, ...)")
	paragraphs := fs.Int("paragraphs", limits.DefParagraphs, fmt.Sprintf("`N` paragraphs a manifesto, %d to %d", limits.MinParagraphs, limits.MaxParagraphs))
	ref := fs.String("ref", "", "reference `FILE` for ppl, perplexity under its Kneser-Ney trigram model: a few MB of prose (README.md says where to get some); no ppl without it")
	corpusPath := fs.String("corpus", "", "training text `FILE` for the copy metrics (unset: the model's own sentences, or the embedded essay)")
	asJSON := fs.Bool("json", false, "print one JSON line, as quality.py does")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return &usageError{msg: fmt.Sprintf("quality: unexpected argument %q", fs.Arg(0))}
	case *n < 1 || *n > 10000:
		return &usageError{msg: fmt.Sprintf("quality: -n %d: must be 1 to 10000", *n)}
	case *paragraphs < limits.MinParagraphs || *paragraphs > limits.MaxParagraphs:
		return &usageError{msg: fmt.Sprintf("quality: -paragraphs %d: must be %d to %d", *paragraphs, limits.MinParagraphs, limits.MaxParagraphs)}
	}
	if *textPath != "" {
		return e.scoreText(*textPath, *asJSON)
	}
	if err := checkSeeds(seed.v, *n); err != nil {
		return err
	}
	m, err := e.loadModel(ctx, *modelPath)
	if err != nil {
		return err
	}
	var sents []string
	switch {
	case *corpusPath != "":
		data, err := os.ReadFile(*corpusPath)
		if err != nil {
			return fmt.Errorf("quality: read corpus: %w", err)
		}
		sents = quality.SplitSentences(strings.ToValidUTF8(string(data), "\uFFFD"))
	case *modelPath == "":
		sents = quality.SplitSentences(corpus.EssayText())
	default:
		sents = m.TrainingSentences()
	}
	var lm *quality.LM
	if *ref != "" {
		data, err := os.ReadFile(*ref)
		if err != nil {
			return fmt.Errorf("quality: read reference: %w", err)
		}
		lm = quality.NewLM(strings.ToValidUTF8(string(data), "\uFFFD"))
	}
	w := writerOf(m)
	out := w.Manifestos(seed.v, *n, "", *paragraphs)
	r := quality.Measure(quality.Pieces(out), true, quality.NewCorpus(sents), lm)
	if *asJSON {
		b, err := json.Marshal(r.Rounded())
		if err != nil {
			return fmt.Errorf("quality: %w", err)
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d manifestos (seeds %d..%d, %d paragraphs), %d sentences, model %s\n\n",
		r.Pieces, seed.v, seed.v+uint64(*n)-1, *paragraphs, r.Sentences, w.ModelID())
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\tvalue\twhat it means")
	fmt.Fprintf(tw, "repeat5\t%.3f\tpieces in which two sentences share a 5-word run (lower is better)\n", r.Repeat5)
	fmt.Fprintf(tw, "copy8\t%.3f\tsentences holding a run of >= 8 words copied from the corpus (lower is better)\n", r.Copy8)
	fmt.Fprintf(tw, "copy12\t%.3f\tsentences holding a run of >= 12 words copied from the corpus (lower is better)\n", r.Copy12)
	fmt.Fprintf(tw, "distinct-3\t%.3f\tdistinct word 3-grams in sets of 100 sentences (higher is more varied)\n", r.Distinct3)
	fmt.Fprintf(tw, "self-BLEU-4\t%.3f\thow much sentences resemble each other (lower is more varied)\n", r.SelfBLEU4)
	fmt.Fprintf(tw, "cohesion\t%.3f\tneighbouring sentences sharing a content word (higher hangs together)\n", r.Cohesion)
	fmt.Fprintf(tw, "unbalanced\t%.3f\tsentences with an odd quote or unmatched bracket (should be 0)\n", r.Unbalanced)
	fmt.Fprintf(tw, "clause-faults\t%.3f\tverbs run together or clauses without a verb, per sentence (fluency: essay 0.16, word salad 0.5+)\n", r.ClauseFaults)
	if lm != nil {
		fmt.Fprintf(tw, "ppl\t%.1f\tperplexity under the reference's trigram model (fluency; word salad ~7000)\n", r.PPL)
	}
	tw.Flush()
	if t := r.Trouble(); len(t) > 0 {
		fmt.Fprintf(&b, "\ntrouble:\n  %s\n", strings.Join(t, "\n  "))
	}
	_, err = fmt.Fprint(e.stdout, b.String())
	return err
}

// maxTextBytes bounds the text quality -text reads.
const maxTextBytes = 64 << 20

// scoreText prints the clause faults of each paragraph (line) of a file or
// stdin, and of all of them, as a table or as JSON lines.
func (e environment) scoreText(path string, asJSON bool) error {
	var r io.Reader = e.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("quality: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxTextBytes+1))
	if err != nil {
		return fmt.Errorf("quality: read %s: %w", path, err)
	}
	if len(data) > maxTextBytes {
		return fmt.Errorf("quality: %s is larger than %d MiB", path, maxTextBytes>>20)
	}
	lex := fluency.Default()
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	if !asJSON {
		fmt.Fprintln(tw, "line\tsentences\tfaults\tper sentence\tworst sentence")
	}
	var total fluency.Score
	paragraphs := 0
	for i, line := range strings.Split(strings.ToValidUTF8(string(data), "\uFFFD"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		paragraphs++
		s := lex.Read(line)
		total.Sentences += s.Sentences
		total.Faults += s.Faults
		if asJSON {
			j, err := json.Marshal(textScore{Line: i + 1, Sentences: s.Sentences, Faults: s.Faults, ClauseFaults: s.PerSentence(), Worst: s.Worst})
			if err != nil {
				return fmt.Errorf("quality: %w", err)
			}
			b.Write(j)
			b.WriteByte('\n')
			continue
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%.3f\t%s\n", i+1, s.Sentences, s.Faults, s.PerSentence(), s.Worst)
	}
	if asJSON {
		j, err := json.Marshal(textScore{Sentences: total.Sentences, Faults: total.Faults, ClauseFaults: total.PerSentence(), Paragraphs: paragraphs})
		if err != nil {
			return fmt.Errorf("quality: %w", err)
		}
		b.Write(j)
		b.WriteByte('\n')
	} else {
		tw.Flush()
		fmt.Fprintf(&b, "\n%d paragraphs, %d sentences: %.3f clause faults per sentence (the essay 0.16; word salad 0.5 and up)\n",
			paragraphs, total.Sentences, total.PerSentence())
	}
	_, err = fmt.Fprint(e.stdout, b.String())
	return err
}

// textScore is one JSON line of quality -text -json: a paragraph (Line
// set) or, last, all of them (Paragraphs set).
type textScore struct {
	Line         int     `json:"line,omitempty"`
	Paragraphs   int     `json:"paragraphs,omitempty"`
	Sentences    int     `json:"sentences"`
	Faults       int     `json:"faults"`
	ClauseFaults float64 `json:"clause_faults"`
	Worst        string  `json:"worst,omitempty"`
}
