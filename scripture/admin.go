package scripture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/glowcloud/glowcloud/atomicfile"
	"github.com/glowcloud/glowcloud/bot"
)

// The operator's side of scripture (`glowcloud scripture list|export|forget`):
// what a server keeps, a copy of its texts, and deleting all of it, read
// straight from the database without Discord.

// ErrNotConfirmed is what Forget returns when it was not told to delete
// (the operator did not pass -yes): it has said what it would delete and
// deleted nothing.
var ErrNotConfirmed = errors.New("nothing deleted: run it again with -yes to delete it")

// List writes what the database keeps of scripture to w: with guildID "",
// one line per server that has some; else that server's model, blend and
// each of its texts (name, size, who added it and when, sentences learned).
func List(ctx context.Context, st Store, guildID string, w io.Writer) error {
	if guildID == "" {
		gs, err := st.ScriptureGuilds(ctx)
		if err != nil {
			return err
		}
		if len(gs) == 0 {
			_, err := fmt.Fprintln(w, "no server has scripture")
			return err
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SERVER\tTEXTS\tBYTES\tMODEL\tESSAY\tUPDATED")
		for _, g := range gs {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d %%\t%s\n", printable(g.GuildID), g.Texts, bot.ByteSize(g.Bytes), stateWord(g), g.Essay, stamp(g.UpdatedAt))
		}
		return tw.Flush()
	}
	g, err := st.ScriptureGuild(ctx, guildID)
	if err != nil {
		return err
	}
	if g.State == StateNone && g.Texts == 0 {
		_, err := fmt.Fprintf(w, "server %s has no scripture\n", guildID)
		return err
	}
	texts, err := st.Texts(ctx, guildID, false)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "server %s: %s, %s; the essay's share of the blend %d %%\n", guildID, plural(g.Texts, "text"), bot.ByteSize(g.Bytes), g.Essay)
	fmt.Fprintf(&b, "model: %s", stateWord(g))
	if g.ModelVersion != 0 {
		fmt.Fprintf(&b, " (version %d, %s)", g.ModelVersion, bot.ByteSize(g.ModelBytes))
	}
	fmt.Fprintf(&b, ", updated %s\n", stamp(g.UpdatedAt))
	if g.State == StateFailed && g.Error != "" {
		fmt.Fprintf(&b, "failed: %s\n", printable(g.Error))
	}
	if g.Summary != "" {
		fmt.Fprintf(&b, "learned: %s\n", printable(g.Summary))
	}
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nNAME\tSIZE\tADDED BY\tADDED\tSENTENCES")
	for _, t := range texts {
		learned := "not yet trained"
		if t.Sentences >= 0 {
			learned = fmt.Sprint(t.Sentences)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", printable(t.Name), bot.ByteSize(t.Size), printable(t.AddedBy), stamp(t.AddedAt), learned)
	}
	tw.Flush()
	_, err = io.WriteString(w, b.String())
	return err
}

// Export writes each of the server's texts, as uploaded, into dir (made if
// missing, mode 0700) as NAME.txt, each file replaced atomically
// (atomicfile) with mode 0600: the texts are the server's, not everyone's
// on the machine. It replaces no file that exists already: it checks
// every name first and writes nothing if one is taken. It returns the
// paths written, in the order the texts were added.
func Export(ctx context.Context, st Store, guildID, dir string) ([]string, error) {
	texts, err := st.Texts(ctx, guildID, true)
	if err != nil {
		return nil, err
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("server %s: %w", guildID, ErrNone)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	names := FileNames(texts)
	paths := make([]string, len(texts))
	for i, n := range names {
		paths[i] = filepath.Join(dir, n)
		if _, err := os.Lstat(paths[i]); err == nil {
			return nil, fmt.Errorf("export: %s exists already; export into a new or empty directory", paths[i])
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("export: %w", err)
		}
	}
	for i, t := range texts {
		if err := atomicfile.Write(paths[i], 0o600, func(w io.Writer) error {
			_, err := w.Write(t.Data)
			return err
		}); err != nil {
			return paths[:i], fmt.Errorf("export %s: %w", t.Name, err)
		}
	}
	return paths, nil
}

// FileNames returns the file name each text is exported under: its name
// and ".txt". Names as CleanName makes them hold no separator, dot or
// control character, so they stay inside the directory; a name that is not
// such (a database edited by hand) becomes "text-N", N its place. Names
// equal but for case (one file on a case-insensitive file system) get
// "-2", "-3", ... so no text overwrites another.
func FileNames(texts []Text) []string {
	out := make([]string, len(texts))
	taken := make(map[string]bool, len(texts))
	for i, t := range texts {
		base := t.Name
		if !validUTF8Name(base) {
			base = fmt.Sprintf("text-%d", i+1)
		}
		name := base + ".txt"
		for n := 2; taken[strings.ToLower(name)]; n++ {
			name = fmt.Sprintf("%s-%d.txt", base, n)
		}
		taken[strings.ToLower(name)] = true
		out[i] = name
	}
	return out
}

// Forget deletes every row of the server's scripture (its texts, model,
// blend and training job) when yes; either way it first writes to w what
// that is. Without yes it deletes nothing and returns ErrNotConfirmed. A
// server without scripture is told so, and is no error.
func Forget(ctx context.Context, st Store, guildID string, yes bool, w io.Writer) error {
	g, err := st.ScriptureGuild(ctx, guildID)
	if err != nil {
		return err
	}
	if g.State == StateNone && g.Texts == 0 {
		_, err := fmt.Fprintf(w, "server %s has no scripture: nothing to delete\n", guildID)
		return err
	}
	what := fmt.Sprintf("%s (%s)", plural(g.Texts, "text"), bot.ByteSize(g.Bytes))
	if g.ModelVersion != 0 {
		what += fmt.Sprintf(", its trained model (%s)", bot.ByteSize(g.ModelBytes))
	}
	what += " and its blend"
	if !yes {
		if _, err := fmt.Fprintf(w, "would delete the scripture of server %s: %s\n", guildID, what); err != nil {
			return err
		}
		return ErrNotConfirmed
	}
	n, err := st.ForgetGuild(ctx, guildID)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "deleted the scripture of server %s: %s, its model and its blend\n", guildID, plural(n, "text"))
	return err
}

// stateWord names a server's model state for an operator.
func stateWord(g Guild) string {
	switch g.State {
	case StateNone:
		return "none"
	case StateFailed:
		return "failed"
	}
	return string(g.State)
}

// stamp is a time as an operator reads it: UTC, to the second.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// printable makes s safe to print on a terminal: control and format
// characters (an escape sequence, a bidirectional override) become U+FFFD.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return '\uFFFD'
		}
		return r
	}, s)
}
