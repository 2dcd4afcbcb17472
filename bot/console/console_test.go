package console_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/console"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

func TestConsole(t *testing.T) {
	t.Parallel()
	script := strings.Join([]string{
		"/manifesto topic:robots paragraphs:2",
		"press",
		"",
		"/squint thing:tea party at 5:30",
		"/glowcloud",
		"/manifesto paragraphs:9",
		"/squint tea",
		"again",
		"quit",
		"/glowcloud",
	}, "\n")
	var out strings.Builder
	b := bottest.NewBot(bot.Config{Cooldown: 0}) // the console ignores the default cooldown
	if err := console.Run(t.Context(), b, strings.NewReader(script), &out); err != nil {
		t.Fatal(err)
	}
	const want = `┃ Manifesto of robots
┃ ───────────────────
┃ seed=1000 topic=robots paragraphs=2. Hail the singularity! Hail the mighty Glow Cloud!
┃
┃ seed 1000 · model 3fa2c9e1 · /manifesto topic:robots paragraphs:2 seed:1000 to summon it again
[🔁 Hail again]

┃ Manifesto of robots
┃ ───────────────────
┃ seed=1001 topic=robots paragraphs=2. Hail the singularity! Hail the mighty Glow Cloud!
┃
┃ seed 1001 · model 3fa2c9e1 · /manifesto topic:robots paragraphs:2 seed:1001 to summon it again
[🔁 Hail again]

┃ Squinting at “tea party at 5:30”
┃ ────────────────────────────────
┃ tea party at 5:30 is anarchist if you squint. seed=1002
┃
┃ seed 1002 · model 3fa2c9e1
[🔁 Hail again]

┃ ALL HAIL THE GLOW CLOUD
┃ ───────────────────────
┃ ALL HAIL. seed=1003
┃
┃ seed 1003 · model 3fa2c9e1
[🔁 Hail again]

paragraphs must be a whole number from 1 to 5. The revolution is concise.
(only you can see this)

┃ Squinting at “tea”
┃ ──────────────────
┃ tea is anarchist if you squint. seed=1004
┃
┃ seed 1004 · model 3fa2c9e1
[🔁 Hail again]

┃ Squinting at “tea”
┃ ──────────────────
┃ tea is anarchist if you squint. seed=1005
┃
┃ seed 1005 · model 3fa2c9e1
[🔁 Hail again]

`
	if got := out.String(); got != want {
		t.Errorf("console printed:\n%s\nwant:\n%s", got, want)
	}
}

func TestConsoleCommands(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in string
		want     []string
	}{
		{"help", "help", []string{"/manifesto [topic:WORDS]", "press"}},
		{"press first", "press", []string{"no button to press yet"}},
		{"unknown command", "/retrain", []string{"does not know that command", "(only you can see this)"}},
		{"unknown option", "/glowcloud loud:yes", []string{`/glowcloud has no option “loud”`}},
		{"no slash", "squint thing:x", []string{"x is anarchist"}},
		{"first required option unnamed", "/squint capitalism", []string{"Squinting at “capitalism”", "capitalism is anarchist"}},
		{"unnamed value of several words", "/squint the tea party", []string{"the tea party is anarchist"}},
		{"required option missing", "/squint", []string{"/squint needs thing", "/squint thing:WORDS"}},
		{"required option empty", "/squint thing:", []string{"what to squint at"}},
		{"no required option to take the text", "/manifesto robots", []string{"Options look like name:value"}},
		{"unnamed, then named", "/squint tea thing:cake", []string{"cake is anarchist"}},
		{"seed", "/manifesto seed:42 topic: the robot uprising ", []string{"seed=42 topic=the robot uprising paragraphs=3"}},
		{"bad number", "/manifesto seed:forty-two", []string{"seed must be a whole number"}},
		{"EOF without quit", "/glowcloud", []string{"ALL HAIL."}},
		{"complete a topic", "complete /manifesto topic:ro", []string{"Suggestions:\n  • robots\n  • robust planning\n  • Rojava"}},
		{"complete the first option unnamed", "complete /squint the", []string{"Suggestions:\n  • the tea party"}},
		{"complete with nothing typed", "complete /manifesto", []string{"• robots", "• Rojava"}},
		{"complete: nothing matches", "complete /manifesto topic:zz", []string{"(no suggestions)"}},
		{"complete an unknown command", "complete /overthrow x:y", []string{"complete /manifesto topic:WORDS"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			if err := console.Run(t.Context(), bottest.NewBot(bot.Config{}), strings.NewReader(tt.in), &out); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestConsoleStopsOnCancel(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe() // never written: a reader that blocks, like an idle terminal
	defer pw.Close()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- console.Run(ctx, bottest.NewBot(bot.Config{}), pr, io.Discard) }()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Console after cancel = %v, want nil", err)
	}
}

type coreFailWriter struct{}

func (coreFailWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestConsoleErrors(t *testing.T) {
	t.Parallel()
	b := bottest.NewBot(bot.Config{})
	if err := console.Run(t.Context(), b, strings.NewReader("/glowcloud"), coreFailWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write failure: err = %v", err)
	}
	r := io.MultiReader(strings.NewReader("/glowcloud\n"), iotest.ErrReader(errors.New("tty gone")))
	if err := console.Run(t.Context(), b, r, io.Discard); err == nil || !strings.Contains(err.Error(), "tty gone") {
		t.Errorf("read failure: err = %v", err)
	}
}

// TestConsoleShowsWhatDiscordShows: the console renders a reply as a
// Discord user would see it. The bot's escapes (which keep what a user
// typed from rendering) show as the characters they escape, not as
// backslashes; "@everyone" shows without the zero-width space that keeps it
// inert; the bot's own markdown is rendered; mentions and timestamps are
// written out, on the console's clock. (They all showed raw.)
func TestConsoleShowsWhatDiscordShows(t *testing.T) {
	t.Parallel()
	admin := &fixedAdmin{reply: "- <#" + console.ConsoleChannel + "> every 1h: **paused**, since <t:7200:R> (<t:7200:f>)\nHushed by <@console>."}
	b := bottest.NewBot(bot.Config{Admin: admin})
	in := "/squint @everyone **bold** ||spoiler|| https://evil.example/x\n/proclaim list\n"
	var out strings.Builder
	now := func() time.Time { return time.Unix(3600, 0) }
	if err := console.RunWith(t.Context(), b, strings.NewReader(in), &out, console.Options{Now: now, Speed: 60}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"┃ Squinting at “@everyone **bold** ||spoiler|| hxxps://evil․example/x”\n",
		"• #general every 1h: paused, since in an hour on the console clock (1 min real) (" + time.Unix(7200, 0).Format("2 January 2006 15:04") + " on the console clock)\nHushed by @you.\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	for _, raw := range []string{`\*`, `\@`, "\u200b", "<@", "<#", "<t:", "**paused**"} {
		if strings.Contains(out.String(), raw) {
			t.Errorf("output shows %q raw:\n%s", raw, out.String())
		}
	}
}

// fixedAdmin answers every admin command with reply.
type fixedAdmin struct{ reply string }

func (a *fixedAdmin) Start(context.Context, bot.Caller, bot.StartOptions) (string, error) {
	return a.reply, nil
}
func (a *fixedAdmin) Stop(context.Context, bot.Caller, string) (string, error) { return a.reply, nil }
func (a *fixedAdmin) List(context.Context, bot.Caller) (string, error)         { return a.reply, nil }
func (a *fixedAdmin) Hush(_ context.Context, _ bot.Caller, f string) (string, error) {
	return "hush for:" + f, nil
}

// TestConsoleBareText: the text before any option goes to the option that
// takes it, whatever it holds: a URL is not an option ("/squint has no
// option https"), and /hush off is /hush for:off, as help offers.
func TestConsoleBareText(t *testing.T) {
	t.Parallel()
	b := bottest.NewBot(bot.Config{Admin: &fixedAdmin{}})
	for _, tt := range []struct{ in, want string }{
		{"/squint https://example.com/a", "Squinting at “hxxps://example․com/a”"},
		{"/squint thing:tea time: now", "Squinting at “tea time: now”"},
		{"/hush off", "hush for:off"},
		{"/hush for:2h", "hush for:2h"},
	} {
		var out strings.Builder
		if err := console.Run(t.Context(), b, strings.NewReader(tt.in), &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("%s printed\n%s\nwant %q", tt.in, out.String(), tt.want)
		}
	}
}
