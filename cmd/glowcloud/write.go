package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/essay"
	"github.com/glowcloud/glowcloud/markov"
)

// seedFlag is a -seed flag that remembers whether it was set.
type seedFlag struct {
	v   uint64
	set bool
}

func (s *seedFlag) String() string { return strconv.FormatUint(s.v, 10) }

func (s *seedFlag) Set(v string) error {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return fmt.Errorf("not a seed (a whole number from 0 to %d)", uint64(1<<64-1))
	}
	s.v, s.set = n, true
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
	fs.Var(&seed, "seed", "random seed: the same seed and model give the same text (default: a random seed, printed to stderr)")
	n := fs.Int("n", 1, "how many pieces to print, separated by a line `---`")
	modelPath := fs.String("model", e.getenv("GLOWCLOUD_MODEL"), "model `file` from 'glowcloud train' (default: $GLOWCLOUD_MODEL, else the embedded essay)")
	var topic *string
	var paragraphs *int
	if cmd == "manifesto" {
		topic = fs.String("topic", "", "a `word` (or a few) to steer the manifesto towards")
		paragraphs = fs.Int("paragraphs", 3, "number of paragraphs, 1 to 5")
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	thing := strings.Join(fs.Args(), " ")
	switch {
	case *n < 1 || *n > 1000:
		return &usageError{msg: fmt.Sprintf("-n %d: must be 1 to 1000", *n)}
	case paragraphs != nil && (*paragraphs < 1 || *paragraphs > compose.MaxParagraphs):
		return &usageError{msg: fmt.Sprintf("-paragraphs %d: must be 1 to %d", *paragraphs, compose.MaxParagraphs)}
	case cmd == "squint" && strings.TrimSpace(thing) == "":
		fs.Usage()
		return &usageError{msg: "squint: what should I squint at? e.g. glowcloud squint capitalism"}
	case cmd != "squint" && fs.NArg() > 0:
		fs.Usage()
		return &usageError{msg: fmt.Sprintf("%s: unexpected argument %q", cmd, fs.Arg(0))}
	}
	m, err := e.loadModel(ctx, *modelPath)
	if err != nil {
		return err
	}
	w := compose.New(m)
	if !seed.set {
		seed.v = compose.RandomSeed()
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

// parseByteSize parses a size in bytes with an optional unit: K, M, G or T,
// each a power of 1024 (KB, KiB, MB, MiB ... mean the same), or B.
func parseByteSize(v string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	num := strings.TrimRightFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' || r == ' ' })
	unit := strings.TrimSpace(s[len(num):])
	shift := 0
	switch strings.TrimSuffix(strings.TrimSuffix(unit, "B"), "I") {
	case "":
		if unit != "" && unit != "B" {
			return 0, errors.New("want a size such as 512MB, 2GiB or 300000000")
		}
	case "K":
		shift = 10
	case "M":
		shift = 20
	case "G":
		shift = 30
	case "T":
		shift = 40
	default:
		return 0, errors.New("want a size such as 512MB, 2GiB or 300000000")
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64>>shift {
		return 0, errors.New("want a size such as 512MB, 2GiB or 300000000")
	}
	return n << shift, nil
}
