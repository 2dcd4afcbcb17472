package serve

import (
	"log/slog"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/internal/discordtest"
)

// TestGatewayUserTextShown: /squint thing:[Free Nitro](https://evil.example/steam)
// over the gateway gets a callback with no live link, markup or mention,
// content and embeds alike, and pressing its Hail again button reposts
// nothing live either (issue 11, finding 6).
func TestGatewayUserTextShown(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	start(t, gatewayServe(fake, bottest.NewBot(bot.Config{DeferAfter: waitLimit})))
	ctx := waitCtx(t)
	for _, thing := range []string{bottest.MaskedLink, bottest.Heading, bottest.BidiName} {
		cb, err := fake.Interaction(ctx, command("squint", opt("thing", 3, thing)))
		if err != nil {
			t.Fatal(err)
		}
		if err := bottest.Inert(cb.Data); err != nil {
			t.Errorf("/squint thing:%s renders it:\n%v", thing, err)
		}
		assertNoPings(t, cb)
		rows, _ := cb.Data["components"].([]any)
		if len(rows) == 0 {
			t.Fatalf("no button: %s", cb.Raw)
		}
		buttons, _ := rows[0].(map[string]any)["components"].([]any)
		id, _ := buttons[0].(map[string]any)["custom_id"].(string)
		again, err := fake.Interaction(ctx, map[string]any{"type": 3, "data": map[string]any{"custom_id": id, "component_type": 2}})
		if err != nil {
			t.Fatal(err)
		}
		if again.Type != 4 || again.Data["flags"] != nil && int(again.Data["flags"].(float64))&64 != 0 {
			t.Errorf("Hail again: callback %s; want a public message", again.Raw)
		}
		if err := bottest.Inert(again.Data); err != nil {
			t.Errorf("Hail again after /squint thing:%s reposts it rendered:\n%v", thing, err)
		}
	}
}

// gatedWriter is w whose texts come only once release is closed: the
// reply is deferred and edited in over REST.
type gatedWriter struct {
	bot.Writer
	release <-chan struct{}
}

func (g gatedWriter) Glowcloud(seed uint64) string {
	<-g.release
	return g.Writer.Glowcloud(seed)
}

// TestGatewayGeneratedTextInert: over the gateway, whatever the model
// learned (a fake whose every text is markup, and a real model trained on
// the essay and an upload full of links, mentions, spoilers and headings),
// every string of every payload is inert: the callback, the Hail again
// repost, the deferred reply's edit. The old code posted the model's text
// as it came.
func TestGatewayGeneratedTextInert(t *testing.T) {
	t.Parallel()
	hostile := bottest.HostileModel(t)
	commands := []map[string]any{
		command("manifesto", opt("topic", 3, "workers"), opt("seed", 4, 7)),
		command("manifesto", opt("topic", 3, "state"), opt("seed", 4, 8)),
		command("squint", opt("thing", 3, "council")),
		command("glowcloud"),
	}
	for _, tt := range []struct {
		name string
		w    bot.Writer
	}{
		{"markup writer", bottest.MarkupWriter{}},
		{"hostile model", hostile},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t)
			start(t, gatewayServe(fake, testBot(tt.w)))
			ctx := waitCtx(t)
			for round := range 5 {
				for _, cmd := range commands {
					cb, err := fake.Interaction(ctx, cmd)
					if err != nil {
						t.Fatal(err)
					}
					if err := bottest.Inert(cb.Data); err != nil {
						t.Errorf("round %d, %v renders generated text:\n%v", round, cmd["data"], err)
					}
					rows, _ := cb.Data["components"].([]any)
					if len(rows) == 0 {
						t.Fatalf("no button: %s", cb.Raw)
					}
					buttons, _ := rows[0].(map[string]any)["components"].([]any)
					id, _ := buttons[0].(map[string]any)["custom_id"].(string)
					again, err := fake.Interaction(ctx, map[string]any{"type": 3, "data": map[string]any{"custom_id": id, "component_type": 2}})
					if err != nil {
						t.Fatal(err)
					}
					if err := bottest.Inert(again.Data); err != nil {
						t.Errorf("round %d, Hail again after %v renders generated text:\n%v", round, cmd["data"], err)
					}
				}
			}
		})
	}
	t.Run("deferred edit", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		fake := discordtest.New(t)
		start(t, gatewayServe(fake, bot.New(bot.Config{
			Writer:     func() bot.Writer { return gatedWriter{bottest.MarkupWriter{}, release} },
			Logger:     slog.New(slog.DiscardHandler),
			Cooldown:   -1,
			DeferAfter: time.Millisecond,
		})))
		ctx := waitCtx(t)
		full := fake.FillInteraction(command("glowcloud"))
		cb, err := fake.Interaction(ctx, full)
		if err != nil {
			t.Fatal(err)
		}
		if cb.Type != 5 {
			t.Fatalf("callback %s, want a deferral", cb.Raw)
		}
		close(release)
		edit, err := fake.WaitEdit(ctx, full["token"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if err := bottest.Inert(edit); err != nil {
			t.Errorf("deferred edit renders generated text:\n%v", err)
		}
	})
}

// TestGatewayHugePermissions: over the gateway, an interaction whose
// member.permissions has a bit past the 63rd is answered with its
// permissions passed on whole. discordgo's InteractionCreate is empty for
// it (it reads an int64), and the old gateway, which answered from that,
// never answered it.
func TestGatewayHugePermissions(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	start(t, gatewayServe(fake, bot.New(bot.Config{
		Writer:     func() bot.Writer { return bottest.Writer{} },
		Logger:     slog.New(slog.DiscardHandler),
		Admin:      bottest.EchoAdmin{},
		DeferAfter: time.Minute,
	})))
	cb, err := fake.Interaction(waitCtx(t), map[string]any{"type": 2, "data": map[string]any{"name": "proclaim", "options": []any{
		map[string]any{"name": "list", "type": 1},
	}}, "member": map[string]any{"permissions": bottest.HugePermissions}})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := cb.Data["content"].(string); got != "permissions "+bottest.HugePermissions {
		t.Errorf("callback %s; want the permissions passed on whole", cb.Raw)
	}
}
