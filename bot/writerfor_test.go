package bot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

// guildWriter is a server's own Writer: its texts and suggestions name it.
type guildWriter struct{ bottest.Writer }

func (guildWriter) Glowcloud(seed uint64) string { return fmt.Sprintf("GUILD HAIL. seed=%d", seed) }
func (guildWriter) Manifesto(seed uint64, topic string, paragraphs int) (string, string) {
	return "Guild manifesto of " + topic, fmt.Sprintf("GUILD seed=%d topic=%s", seed, topic)
}
func (guildWriter) Squint(seed uint64, thing string) string { return "GUILD squints at " + thing }
func (guildWriter) ModelID() string                         { return "guild77" }
func (guildWriter) Suggest(string, int) []string            { return []string{"lore"} }

// quizWriter records the Writer a round was played with.
type quizWriter struct {
	fakeQuiz
	got chan bot.Writer
}

func (q *quizWriter) Play(_ context.Context, _ bot.Player, w bot.Writer) (bot.Reply, error) {
	q.got <- w
	return bot.Reply{Content: "round"}, nil
}

// TestWriterFor: every generating path asks Config.WriterFor for the
// server's Writer (the commands, the "Hail again" button, autocomplete,
// /quiz): the server with its own gets it, and its pieces carry no Share
// link; other servers and DMs get the essay's, with the link; a nil
// Writer from WriterFor falls back to the essay's.
func TestWriterFor(t *testing.T) {
	t.Parallel()
	q := &quizWriter{got: make(chan bot.Writer, 1)}
	b := bottest.NewBot(bot.Config{
		PublicURL: "https://glow.example",
		Cooldown:  -1,
		Quiz:      q,
		WriterFor: func(_ context.Context, guildID string) bot.Writer {
			if guildID == "g1" {
				return guildWriter{}
			}
			return nil
		},
	})
	in := func(guild string, r bot.Request) bot.Request {
		r.GuildID, r.UserID, r.ChannelID = guild, "u1", "c1"
		return r
	}
	for _, guild := range []string{"g1", "g2", ""} {
		own := guild == "g1"
		for _, req := range []bot.Request{
			bottest.Command(bot.CmdGlowcloud, nil),
			bottest.Command(bot.CmdManifesto, map[string]any{"topic": "tea"}),
			bottest.Command(bot.CmdSquint, map[string]any{"thing": "tea"}),
			{Kind: bot.KindComponent, CustomID: "gc1|m|3|tea"},
		} {
			r := b.Handle(t.Context(), in(guild, req))
			if len(r.Embeds) != 1 {
				t.Fatalf("guild %q %s: %+v", guild, req.Command+req.CustomID, r)
			}
			text := r.Embeds[0].Title + r.Embeds[0].Description + r.Embeds[0].Footer
			if got := strings.Contains(text, "GUILD") || strings.Contains(text, "Guild"); got != own {
				t.Errorf("guild %q %s: %q from the server's writer: %v, want %v", guild, req.Command+req.CustomID, text, got, own)
			}
			if got := strings.Contains(r.Embeds[0].Footer, "guild77"); got != own {
				t.Errorf("guild %q: footer %q", guild, r.Embeds[0].Footer)
			}
			share := slices.ContainsFunc(r.Buttons, func(b bot.Button) bool { return b.URL != "" })
			if share == own {
				t.Errorf("guild %q %s: a Share link %v, want %v", guild, req.Command+req.CustomID, share, !own)
			}
		}
		ac := b.Handle(t.Context(), in(guild, bot.Request{Kind: bot.KindAutocomplete, Command: bot.CmdManifesto, Focused: "topic", Options: map[string]any{"topic": ""}}))
		if got := slices.Equal(ac.Choices, []string{"lore"}); got != own {
			t.Errorf("guild %q: autocomplete %q", guild, ac.Choices)
		}
		b.Handle(t.Context(), in(guild, bottest.Command(bot.CmdQuiz, nil)))
		if _, got := (<-q.got).(guildWriter); got != own {
			t.Errorf("guild %q: /quiz played with the server's writer %v, want %v", guild, got, own)
		}
	}
}
