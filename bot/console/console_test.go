package console_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

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
