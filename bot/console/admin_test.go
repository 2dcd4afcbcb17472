package console_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/console"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

// recAdmin records what the console's admin commands carry.
type recAdmin struct{ calls []string }

func (a *recAdmin) rec(s string) (string, error) {
	a.calls = append(a.calls, s)
	return "ok: " + s, nil
}

func (a *recAdmin) Start(_ context.Context, c bot.Caller, o bot.StartOptions) (string, error) {
	return a.rec(fmt.Sprintf("start %s %s %s every=%s kind=%s topic=%s", c.GuildID, c.ChannelID, c.Permissions, o.Every, o.Kind, o.Topic))
}
func (a *recAdmin) Stop(_ context.Context, c bot.Caller, ch string) (string, error) {
	return a.rec("stop " + c.Permissions + " " + ch)
}
func (a *recAdmin) List(_ context.Context, c bot.Caller) (string, error) {
	return a.rec("list " + c.Permissions)
}
func (a *recAdmin) Hush(_ context.Context, c bot.Caller, f string) (string, error) {
	return a.rec("hush " + c.Permissions + " " + f)
}

// TestConsoleAdmin: /proclaim's first word is its subcommand (and the
// first required option may go without its name), the console's user is the
// server's admin until "as member", and a post handed to the Poster is
// printed with its channel.
func TestConsoleAdmin(t *testing.T) {
	t.Parallel()
	admin := &recAdmin{}
	b := bottest.NewBot(bot.Config{Admin: admin})
	script := strings.Join([]string{
		"/proclaim",
		"/proclaim start 6h kind:manifesto topic:rent",
		"/proclaim list",
		"as member",
		"/hush for:off",
		"as admin",
		"/proclaim stop channel:42",
	}, "\n")
	var out strings.Builder
	if err := console.RunWith(t.Context(), b, strings.NewReader(script), &out, console.Options{}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"start " + console.ConsoleGuild + " " + console.ConsoleChannel + " 32 every=6h kind=manifesto topic=rent",
		"list 32",
		"hush 0 off",
		"stop 32 42",
	}
	if strings.Join(admin.calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(admin.calls, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range []string{"Use /proclaim start, /proclaim stop, /proclaim list.", "You are a member without Manage Server now"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, out.String())
		}
	}
}

// TestConsolePoster: the Poster's posts show between the replies, with the
// channel they went to.
func TestConsolePoster(t *testing.T) {
	t.Parallel()
	p := console.NewPoster()
	now := func() time.Time { return time.Unix(3600, 0) }
	in, feed := io.Pipe()
	var out syncBuilder
	done := make(chan error, 1)
	go func() {
		done <- console.RunWith(t.Context(), bottest.NewBot(bot.Config{}), in, &out, console.Options{Posts: p, Now: now, Speed: 60})
	}()
	if err := p.Post(t.Context(), "77", bot.Reply{Content: "hail <t:0:R>, since <t:0:t>"}); err != nil {
		t.Fatal(err)
	}
	feed.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := "── the Glow Cloud posts in #77 at " + now().Format("15:04:05") + " on the console clock ──\n" +
		"hail an hour ago on the console clock (1 min real), since " + time.Unix(0, 0).Format("15:04") + " on the console clock\n"
	if got := out.String(); !strings.Contains(got, want) {
		t.Errorf("output %q, want the post with its channel and its times on the console's clock:\n%s", got, want)
	}
}
