package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/dustin/go-humanize"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/essay"
	"github.com/glowcloud/glowcloud/limits"
	"github.com/glowcloud/glowcloud/markov"
)

// seedFlag is a -seed flag that remembers whether it was set. Seeds are
// those /manifesto seed: takes (limits.MaxSeed, 2^53-1 at most), so that a
// seed from the command line can be typed into Discord and back.
type seedFlag struct {
	v   uint64
	set bool
}

func (s *seedFlag) String() string { return strconv.FormatUint(s.v, 10) }

func (s *seedFlag) Set(v string) error {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n > limits.MaxSeed {
		return fmt.Errorf("not a seed (a whole number from 0 to %d)", uint64(limits.MaxSeed))
	}
	s.v, s.set = n, true
	return nil
}

// checkSeeds checks that the n seeds from first on (first, first+1, ...)
// all lie in the seed range.
func checkSeeds(first uint64, n int) error {
	if n > 0 && first+uint64(n-1) > limits.MaxSeed {
		return &usageError{msg: fmt.Sprintf("-seed %d -n %d: the seeds would run past %d, the largest seed", first, n, uint64(limits.MaxSeed))}
	}
	return nil
}

// runWrite runs manifesto, squint and glowcloud.
func (e environment) runWrite(ctx context.Context, cmd string, args []string) error {
	var argsUsage string
	switch cmd {
	case "manifesto":
		argsUsage = "[-topic WORD] [-paragraphs 1..5] [-seed N] [-n N] [-model FILE]"
	case "squint":
		argsUsage = "[-seed N] [-n N] [-model FILE] THING..."
	default:
		argsUsage = "[-seed N] [-n N] [-model FILE]"
	}
	fs := e.flags(cmd, argsUsage)
	var seed seedFlag
	fs.Var(&seed, "seed", "random seed `N`, 0 to 2^53-1: the same seed and model give the same text (unset: a random seed, printed on stderr)")
	n := fs.Int("n", 1, "print `N` pieces (1 to 1000) with seeds N, N+1, ..., separated by lines holding only ---")
	modelPath := e.modelFlag(fs)
	var topic *string
	var paragraphs *int
	if cmd == "manifesto" {
		topic = fs.String("topic", "", "a `WORD` (or a few) to steer the manifesto towards")
		paragraphs = fs.Int("paragraphs", limits.DefParagraphs, fmt.Sprintf("`N` paragraphs, %d to %d", limits.MinParagraphs, limits.MaxParagraphs))
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	thing := strings.Join(fs.Args(), " ")
	switch {
	case *n < 1 || *n > 1000:
		return &usageError{msg: fmt.Sprintf("-n %d: must be 1 to 1000", *n)}
	case paragraphs != nil && (*paragraphs < limits.MinParagraphs || *paragraphs > limits.MaxParagraphs):
		return &usageError{msg: fmt.Sprintf("-paragraphs %d: must be %d to %d", *paragraphs, limits.MinParagraphs, limits.MaxParagraphs)}
	case cmd == "squint" && strings.TrimSpace(thing) == "":
		fs.Usage()
		return &usageError{msg: "squint: what should I squint at? e.g. glowcloud squint capitalism"}
	case cmd != "squint" && fs.NArg() > 0:
		fs.Usage()
		return &usageError{msg: fmt.Sprintf("%s: unexpected argument %q", cmd, fs.Arg(0))}
	}
	if err := checkSeeds(seed.v, *n); err != nil {
		return err
	}
	m, err := e.loadModel(ctx, *modelPath)
	if err != nil {
		return err
	}
	w := writerOf(m)
	if !seed.set {
		seed.v = min(limits.RandomSeed(), limits.MaxSeed-uint64(*n-1)) // every seed of -n in range
		fmt.Fprintf(e.stderr, "glowcloud: seed %d (pass -seed %d to get this text again)\n", seed.v, seed.v)
	}
	if cmd == "manifesto" {
		_, err = fmt.Fprint(e.stdout, w.Manifestos(seed.v, *n, *topic, *paragraphs))
		return err
	}
	var out strings.Builder
	for i := 0; i < *n; i++ {
		if i > 0 {
			out.WriteString("---\n")
		}
		s := seed.v + uint64(i)
		switch cmd {
		case "squint":
			fmt.Fprintf(&out, "%s\n", w.Squint(s, thing))
		default:
			fmt.Fprintf(&out, "%s\n", w.Glowcloud(s))
		}
	}
	_, err = fmt.Fprint(e.stdout, out.String())
	return err
}

// modelFlag defines -model on fs, defaulting to GLOWCLOUD_MODEL.
func (e environment) modelFlag(fs *flag.FlagSet) *string {
	return fs.String("model", e.getenv("GLOWCLOUD_MODEL"), "model `FILE` from 'glowcloud train' ($GLOWCLOUD_MODEL; unset: the embedded essay)")
}

// loadModel loads the model file at path within GLOWCLOUD_MODEL_MAX, or
// gives the embedded essay's model when path is empty. It gives up when
// ctx is done (SIGTERM, Ctrl-C).
func (e environment) loadModel(ctx context.Context, path string) (*markov.Model, error) {
	l, err := modelLoader(e.getenv("GLOWCLOUD_MODEL_MAX"))
	if err != nil {
		return nil, err
	}
	return loadModel(ctx, l, path)
}

// writerOf returns a Writer over m: the process's one Writer of the
// embedded essay when m is its model (essay.Model's own), else a new one.
func writerOf(m *markov.Model) *compose.Writer {
	if em, err := essay.Model(); err == nil && m == em {
		return essayWriter()
	}
	return compose.New(m)
}

// essayWriter is the Writer of the embedded essay's model, made once per
// process and shared as essay.Model shares the model: like it, the one
// piece of package-level state here, a value derived from constants. A
// Writer builds its indexes on first use (its pool, topics and titles; the
// essay's balance comes learned, see compose's essay.balance): a twentieth
// of a second, a third under -race, which every command over the essay run
// again in one process (serve's console, the tests) paid again. A Writer is
// safe for concurrent use.
var essayWriter = sync.OnceValue(func() *compose.Writer {
	m, _ := essay.Model() // writerOf asks only once essay.Model has given its model
	return compose.New(m)
})

// loadModel loads the model file at path with l, or gives the embedded
// essay's model when path is empty. Every model file a command reads goes
// through markov's Loader, with its checks and memory budget.
func loadModel(ctx context.Context, l markov.Loader, path string) (*markov.Model, error) {
	if path == "" {
		return essay.Model()
	}
	m, err := l.LoadContext(ctx, path)
	if errors.Is(err, markov.ErrTooLarge) {
		return nil, fmt.Errorf("%w (GLOWCLOUD_MODEL_MAX sets the limit)", err)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// modelLoader returns the loader GLOWCLOUD_MODEL_MAX (the value v) asks
// for: a size such as 512MB, or empty for markov.DefaultMaxModel.
func modelLoader(v string) (markov.Loader, error) {
	if strings.TrimSpace(v) == "" {
		return markov.Loader{}, nil
	}
	n, err := parseByteSize(v)
	if err != nil {
		return markov.Loader{}, &usageError{msg: fmt.Sprintf("GLOWCLOUD_MODEL_MAX=%q: %v", v, err)}
	}
	return markov.Loader{MaxBytes: n}, nil
}

// parseByteSize parses a size in bytes as go-humanize reads one: a number
// with an optional unit, SI or binary as written (512MB is 512,000,000 bytes,
// 512MiB is 536,870,912; K, M, G and T alone are SI), in any case. It must
// be more than 0 and fit an int64.
func parseByteSize(v string) (int64, error) {
	n, err := humanize.ParseBytes(strings.TrimSpace(v))
	if err != nil || n == 0 || n > math.MaxInt64 {
		return 0, errors.New("want a size such as 512MiB, 2GB or 300000000")
	}
	return int64(n), nil
}
