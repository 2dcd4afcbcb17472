// Command glowcloud writes parody manifestos with a Markov chain trained on
// the satirical essay "Socialism is Anarchist if you squint", and serves
// them to Discord as the slash commands /squint, /glowcloud and /manifesto.
//
// Usage:
//
//	glowcloud manifesto [-topic WORD] [-paragraphs 1..5] [-seed N] [-n N] [-model FILE]
//	glowcloud squint [-seed N] [-n N] [-model FILE] THING...
//	glowcloud glowcloud [-seed N] [-n N] [-model FILE]
//	glowcloud train [-order N] -o FILE PATH...
//	glowcloud inspect [-model FILE] [-seed N]
//	glowcloud quality [-model FILE] [-n N] [-seed N] [-paragraphs N] [-ref FILE] [-corpus FILE] [-json]
//	glowcloud quality -text FILE|- [-json]
//	glowcloud serve [flags]
//	glowcloud console [-model FILE] [-speed N] [-proclaim-min DURATION] [-quiz-seconds N]
//	glowcloud healthcheck [-addr HOST:PORT] [-timeout DURATION]
//	glowcloud db [-database DATABASE] backup FILE | check | migrate
//	glowcloud publish [-database DATABASE] -model FILE | -rollback
//	glowcloud quiz stats [-guild ID] [-database DATABASE]
//	glowcloud scripture list [-guild ID] | export -guild ID DIR | forget -guild ID [-yes]
//	glowcloud version
//
// Flags may come before, between or after the other words of a command
// line; "--" ends them. Seeds are whole numbers from 0 to 2^53-1, as
// /manifesto seed: takes.
//
// Without -model (or GLOWCLOUD_MODEL) the essay embedded in the binary is
// the model. GLOWCLOUD_MODEL_MAX (a size such as 512MiB; default 256MiB)
// bounds the model files every command loads. The same -seed and model give the same text on every run; -n N
// prints N pieces separated by a line holding only "---", with seeds seed,
// seed+1, ...
//
// serve is configured by environment variables (see README.md):
// DISCORD_TOKEN, DISCORD_APP_ID, DISCORD_GUILD_ID, DISCORD_PUBLIC_KEY,
// GLOWCLOUD_HTTP_ADDR, GLOWCLOUD_MODEL, DISCORD_API_BASE, SHARD_ID,
// SHARD_COUNT, GLOWCLOUD_OPERATORS, GLOWCLOUD_CORPUS_DIR, GLOWCLOUD_LOG_FORMAT,
// GLOWCLOUD_COOLDOWN, GLOWCLOUD_MODEL_MAX, GLOWCLOUD_DATABASE,
// GLOWCLOUD_PROCLAIM_MIN and GLOWCLOUD_QUIZ_SECONDS; each has a flag of its own but DISCORD_TOKEN
// (serve -h lists them).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/glowcloud/glowcloud/proclaim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := environment{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		setMemoryLimit: debug.SetMemoryLimit}
	err := env.run(ctx, os.Args[1:])
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr and returns the process's exit status:
// 0 for success or -h, 2 for a usage error, 1 for anything else.
func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		if ue.msg != "" {
			fmt.Fprintln(stderr, "glowcloud:", ue.msg)
		}
		return 2
	default:
		fmt.Fprintln(stderr, "glowcloud:", err)
		return 1
	}
}

// usageError is a command line the program cannot make sense of; it exits 2.
// The usage has already been printed when msg is empty.
type usageError struct{ msg string }

func (e *usageError) Error() string {
	if e.msg == "" {
		return "usage error"
	}
	return e.msg
}

const usage = `glowcloud — parody manifestos from a Markov chain, and the Discord bot that posts them.

Usage:
  glowcloud manifesto [-topic WORD] [-paragraphs 1..5] [-seed N] [-n N] [-model FILE]
  glowcloud squint [-seed N] [-n N] [-model FILE] THING...
  glowcloud glowcloud [-seed N] [-n N] [-model FILE]
  glowcloud train [-order N] -o FILE PATH...      (PATH: file, directory of .txt/.md, or - for stdin)
  glowcloud inspect [-model FILE] [-seed N]
  glowcloud quality [-model FILE] [-n N] [-seed N] [-paragraphs N] [-ref FILE]   (how good the text is)
  glowcloud quality -text FILE|-                  (clause faults of given text, a paragraph a line)
  glowcloud serve [flags]                         (configured by environment; see README.md)
  glowcloud console [-model FILE] [-speed N]      (try the bot's commands without Discord)
  glowcloud healthcheck [-addr HOST:PORT] [-timeout DURATION]
  glowcloud db backup FILE | db check | db migrate   (GLOWCLOUD_DATABASE or -database: an online copy;
                                                   a check that changes nothing; the schema upgrade)
  glowcloud publish -model FILE | -rollback       (the model every serve on GLOWCLOUD_DATABASE serves)
  glowcloud quiz stats [-guild ID]                (how often /quiz players took the Glow Cloud for a person)
  glowcloud scripture list [-guild ID]            (servers' own texts in GLOWCLOUD_DATABASE; see README.md)
  glowcloud scripture export -guild ID DIR        (a copy of a server's texts, one file each)
  glowcloud scripture forget -guild ID [-yes]     (delete a server's texts, model and blend)
  glowcloud version

Flags may come before or after the other words; -- ends them.
Run 'glowcloud COMMAND -h' for a command's flags.
`

// run is the whole program: main only hands it the process's environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return environment{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}.run(ctx, args)
}

// run runs the subcommand args name in env.
func (env environment) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(env.stderr, usage)
		return &usageError{}
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "manifesto", "squint", "glowcloud":
		return env.runWrite(ctx, cmd, rest)
	case "train":
		return env.runTrain(rest)
	case "inspect":
		return env.runInspect(ctx, rest)
	case "quality":
		return env.runQuality(ctx, rest)
	case "serve":
		return env.runServe(ctx, rest)
	case "console":
		return env.runConsole(ctx, rest)
	case "healthcheck":
		return env.runHealthcheck(ctx, rest)
	case "db":
		return env.runDB(ctx, rest)
	case "publish":
		return env.runPublish(ctx, rest)
	case "quiz":
		return env.runQuiz(ctx, rest)
	case "scripture":
		return env.runScripture(ctx, rest)
	case "version":
		return env.runVersion(rest)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(env.stdout, usage)
		return nil
	default:
		fmt.Fprint(env.stderr, usage)
		return &usageError{msg: fmt.Sprintf("unknown command %q", cmd)}
	}
}

// environment is what the process gives a subcommand.
type environment struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
	// ready, if set, is told serve's HTTP address once serve is up (tests).
	ready func(httpAddr string)
	// reload, if set, stands in for SIGHUP: each value reloads the model
	// (tests, which must not signal their whole process).
	reload <-chan os.Signal
	// watchEvery, if not 0, is how often serve looks at GLOWCLOUD_MODEL
	// (tests); 0 means watchInterval.
	watchEvery time.Duration
	// publishEvery, if not 0, is how often serve asks the database for a
	// newly published model (tests); 0 means the Watcher's default (2 s).
	publishEvery time.Duration
	// clock, if set, is the time of serve's scheduled proclamations: the
	// Runner's and the admin commands' (tests, which step it); nil means
	// the real time.
	clock proclaim.Clock
	// quizClock, if set, is the time of serve's /quiz rounds: when they end
	// and when the Runner reveals them (tests, which step it apart from
	// the proclamations'); nil means the real time.
	quizClock proclaim.Clock
	// scriptureLease, if not 0, is the lease of a training serve claims
	// (tests, which kill a trainer and must not wait out the minute); 0
	// means scripture.DefaultLease.
	scriptureLease time.Duration
	// scripturePoll, if not 0, is how often serve's trainer looks for
	// scripture to train when it has none (tests, which wait for a
	// replica to take over a training and must not wait out 2 s polls); 0
	// means scripture.DefaultPoll.
	scripturePoll time.Duration
	// setMemoryLimit is debug.SetMemoryLimit in a process of its own (main,
	// the tests' serve processes), where serve may keep a soft memory
	// limit (see memoryLimit); nil in a test's own process, whose limit is
	// not serve's to set.
	setMemoryLimit func(int64) int64
}

// flags returns a FlagSet for a subcommand that reports to stderr.
func (e environment) flags(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: glowcloud %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, turning flag errors into usage errors (exit 2). Flags
// may come before, between or after the positional words, which fs.Args
// then returns in their order (see interleave).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(interleave(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{} // the flag package has printed the problem and usage
	}
	return nil
}

// interleave is the one owner of "flags may come after words": it returns
// args with every flag of fs (and its value) moved before the positional
// words, which follow a "--", so that the flag package, which stops at the
// first word, sees them all: `squint the violin -seed 4` parses as
// `squint -seed 4 -- the violin`. A "--" in args ends the flags: what
// follows is words however it looks (`squint -- -seed`); a lone "-" is a
// word (stdin). A word that looks like a flag fs does not know is left
// among the flags, for Parse to report.
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, words []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			words = append(words, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			words = append(words, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if strings.Contains(name, "=") {
			continue // -name=value
		}
		f := fs.Lookup(name)
		if f == nil {
			continue // -h, or unknown: Parse says which
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i]) // the value, whatever it looks like
		}
	}
	return append(append(flags, "--"), words...)
}
