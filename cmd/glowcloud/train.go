package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"time"

	"github.com/glowcloud/glowcloud/atomicfile"
	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/quality"
)

// runTrain trains a model from files, directories and stdin, and writes it
// atomically.
func (e environment) runTrain(args []string) error {
	fs := e.flags("train", "[-order N] -o FILE PATH...")
	order := fs.Int("order", markov.DefaultOrder, fmt.Sprintf("`N` words per chain state, 1 to %d: 1 is wilder, 3 keeps closer to the text", markov.MaxOrder))
	out := fs.String("o", "", "model `FILE` to write (required); replaced atomically")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *out == "":
		fs.Usage()
		return &usageError{msg: "train: -o FILE is required"}
	case fs.NArg() == 0:
		fs.Usage()
		return &usageError{msg: "train: give at least one PATH (a file, a directory, or - for stdin)"}
	case *order < 1 || *order > markov.MaxOrder:
		return &usageError{msg: fmt.Sprintf("train: -order %d: must be 1 to %d", *order, markov.MaxOrder)}
	}
	// Refuse an output that must not be replaced (a device, a FIFO, a
	// directory) or cannot be written (a folder that is not there, or not
	// ours) before reading anything, not after a long training.
	if err := atomicfile.Check(*out); err != nil {
		return fmt.Errorf("train -o: %w", err)
	}
	start := time.Now()
	prog := newProgress(e.stderr, isTerminal(e.stderr), time.Now)
	text, err := corpus.Read(fs.Args(), corpus.ReadOptions{
		Stdin:    e.stdin,
		Skipped:  func(path, why string) { fmt.Fprintf(e.stderr, "glowcloud: skipping %s: %s\n", path, why) },
		Progress: prog.report,
		Compact:  true,
	})
	prog.done()
	if err != nil {
		return err
	}
	if e.getenv("GOMEMLIMIT") == "" && e.getenv("GOGC") == "" {
		// The operator's own settings win; else training's own.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(markov.TrainMemoryLimit(text.Bytes, int64(text.Words()))))
	}
	m, err := markov.TrainLines(text.Lines, markov.TrainOptions{
		Order:       *order,
		Headings:    text.Headings,
		CurlyQuotes: text.CurlyQuotes(),
	})
	if err != nil {
		return err
	}
	// The quality summary needs only the model, which never changes: it is
	// measured on the other core while the model is saved.
	summary := make(chan quality.Report, 1)
	go func() {
		summary <- quality.Measure(quality.Pieces(compose.New(m).Manifestos(qualitySeed, trainQualityN, "", 3)), true, quality.NewCorpus(text.Lines), nil)
	}()
	if err := m.Save(*out); err != nil {
		<-summary
		return err
	}
	meta := m.Meta()
	fmt.Fprintf(e.stderr, "glowcloud: learned %s, %s, %d distinct words, %d states, %d transitions, %s from %s\n",
		plural(meta.Sentences, "sentence"), plural(meta.Words, "word"), meta.Vocabulary, meta.States, meta.Transitions,
		plural(len(text.Headings), "heading"), byteSize(text.Bytes))
	for _, line := range text.Report() {
		fmt.Fprintf(e.stderr, "glowcloud: %s\n", line)
	}
	fmt.Fprintf(e.stderr, "glowcloud: wrote %s (model %s, order %d) in %s, peak memory %s\n",
		*out, m.ID(), meta.Order, time.Since(start).Round(time.Millisecond), byteSize(int64(peakMemory())))
	fmt.Fprintf(e.stderr, "glowcloud: quality of %d manifestos: %s (see 'glowcloud quality')\n", trainQualityN, <-summary)
	if w := tooSmall(m.Forks(), meta); w != "" {
		fmt.Fprintf(e.stderr, "glowcloud: warning: %s\n", w)
	}
	return nil
}

// tooSmall says, for a model with fewer forks than markov.MinForks, that
// its text is too small to write novel text: the figure, what its output
// will do, and what to do about it; "" for a model that is large enough.
func tooSmall(forks int, meta markov.Meta) string {
	if forks >= markov.MinForks {
		return ""
	}
	var w strings.Builder
	fmt.Fprintf(&w, "this text is too small to write new text: %s and %s give its chain %s where a sentence can go on in more than one way (%d are needed; the embedded essay's %s give %d). ",
		plural(meta.Sentences, "sentence"), plural(meta.Words, "word"), plural(forks, "place"), markov.MinForks, essayWords, essayForks)
	if forks == 0 {
		w.WriteString("Every sentence it could write is one of its own, which glowcloud never repeats: its manifestos will fall silent. ")
	} else {
		w.WriteString("Its manifestos will repeat its own sentences with a few words changed, repeat themselves, and fall silent where they run out. ")
	}
	w.WriteString("Train on more text: a few thousand words of prose")
	if meta.Order > 1 {
		fmt.Fprintf(&w, ", or a lower -order than %d (fewer words to a state: more such places, wilder text)", meta.Order)
	}
	w.WriteString(".")
	return w.String()
}

// essayWords and essayForks are the embedded essay's size and forks at the
// default order, for comparison (TestTooSmallNamesTheEssay keeps them
// true).
const (
	essayWords = "6,080 words"
	essayForks = 413
)

// plural says n things: "1 sentence", "2 sentences".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// qualitySeed is the first seed of the manifestos measured by train and by
// quality's default.
const qualitySeed = 100

// trainQualityN is how many manifestos train measures: enough for the
// medians over sets of 100 sentences (about 12 sentences a manifesto),
// quick even on a large model.
const trainQualityN = 50

// progress reports reading progress on stderr: an updating line on a
// terminal, a plain line every few seconds otherwise. Small inputs stay
// quiet.
type progress struct {
	w        io.Writer
	terminal bool
	now      func() time.Time
	start    time.Time
	last     time.Time
	shown    bool
}

func newProgress(w io.Writer, terminal bool, now func() time.Time) *progress {
	start := now()
	return &progress{w: w, terminal: terminal, now: now, start: start, last: start}
}

// progressMin is the input size below which no progress is shown.
const progressMin = 4 << 20

func (p *progress) report(pr corpus.Progress) {
	if pr.Total >= 0 && pr.Total < progressMin && !p.shown {
		return
	}
	now := p.now()
	every := 5 * time.Second
	if p.terminal {
		every = 200 * time.Millisecond
	}
	if now.Sub(p.last) < every && (pr.Total < 0 || pr.Done < pr.Total) {
		return
	}
	p.last = now
	p.shown = true
	elapsed := now.Sub(p.start).Seconds()
	rate := float64(pr.Done) / max(elapsed, 1e-9)
	line := fmt.Sprintf("reading: %s", byteSize(pr.Done))
	if pr.Total > 0 {
		eta := time.Duration(float64(pr.Total-pr.Done) / max(rate, 1) * float64(time.Second)).Round(time.Second)
		line += fmt.Sprintf(" of %s (%.0f%%)", byteSize(pr.Total), 100*float64(pr.Done)/float64(pr.Total))
		line += fmt.Sprintf(", %d sentences, %s/s, ETA %s", pr.Sentences, byteSize(int64(rate)), eta)
	} else {
		line += fmt.Sprintf(", %d sentences, %s/s", pr.Sentences, byteSize(int64(rate)))
	}
	if p.terminal {
		fmt.Fprintf(p.w, "\r\033[Kglowcloud: %s", line)
	} else {
		fmt.Fprintf(p.w, "glowcloud: %s\n", line)
	}
}

func (p *progress) done() {
	if p.terminal && p.shown {
		fmt.Fprintln(p.w)
	}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// peakMemory returns the process's peak resident memory where the OS says
// (Linux's VmHWM), else the most memory the Go runtime has asked the OS for.
func peakMemory() uint64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.Lines(string(b)) {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				var kb uint64
				if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err == nil && kb > 0 {
					return kb << 10
				}
			}
		}
	}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// byteSize formats n bytes for people.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
