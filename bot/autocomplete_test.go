package bot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

func autocompleteReq(command, option, typed string) bot.Request {
	return bot.Request{Kind: bot.KindAutocomplete, UserID: "7", Command: command, Focused: option, Options: map[string]any{option: typed}}
}

func TestAutocomplete(t *testing.T) {
	t.Parallel()
	b := bottest.NewBot(bot.Config{})
	for _, tt := range []struct {
		name string
		req  bot.Request
		want []string
	}{
		{"topic by prefix, any case", autocompleteReq(bot.CmdManifesto, "topic", "ro"), []string{"robots", "robust planning", "Rojava"}},
		{"empty prefix: the best", autocompleteReq(bot.CmdManifesto, "topic", ""), bottest.Topics},
		{"thing", autocompleteReq(bot.CmdSquint, "thing", "THE "), []string{"the tea party"}},
		{"no match", autocompleteReq(bot.CmdManifesto, "topic", "xyz"), []string{}},
		{"an option without autocomplete", autocompleteReq(bot.CmdManifesto, "paragraphs", "r"), []string{}},
		{"an unknown command", autocompleteReq("overthrow", "topic", "ro"), []string{}},
		{"a value that is not text", bot.Request{Kind: bot.KindAutocomplete, Command: bot.CmdManifesto, Focused: "topic", Options: map[string]any{"topic": 5.0}}, bottest.Topics},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := b.Handle(t.Context(), tt.req)
			if !r.Autocomplete || r.Content != "" || len(r.Embeds) != 0 || len(r.Buttons) != 0 {
				t.Fatalf("Handle = %+v, want an autocomplete answer alone", r)
			}
			if r.Choices == nil || !slices.Equal(r.Choices, tt.want) {
				t.Errorf("choices %q, want %q", r.Choices, tt.want)
			}
		})
	}
}

// TestAutocompleteHasNoCooldown: Discord asks on every keystroke, so
// suggestions never meet the cooldown, nor use it up.
func TestAutocompleteHasNoCooldown(t *testing.T) {
	t.Parallel()
	b := bottest.NewBot(bot.Config{Cooldown: time.Hour})
	for range 10 {
		if r := b.Handle(t.Context(), autocompleteReq(bot.CmdManifesto, "topic", "r")); len(r.Choices) == 0 {
			t.Fatalf("a later keystroke got %+v", r)
		}
	}
	r := b.Handle(t.Context(), bot.Request{Kind: bot.KindCommand, UserID: "7", Command: bot.CmdGlowcloud})
	if r.Ephemeral {
		t.Errorf("the command after typing met the cooldown: %q", r.Content)
	}
}

// manyWriter suggests more, and longer, than Discord takes.
type manyWriter struct{ bottest.Writer }

func (manyWriter) Suggest(string, int) []string {
	var out []string
	out = append(out, strings.Repeat("x", bot.MaxChoice+1), "", "dup", "dup", "bad\xff")
	for i := range 40 {
		out = append(out, fmt.Sprintf("topic %d", i))
	}
	return out
}

func TestAutocompleteLimits(t *testing.T) {
	t.Parallel()
	b := bottest.NewBot(bot.Config{Writer: func() bot.Writer { return manyWriter{} }})
	r := b.Handle(t.Context(), autocompleteReq(bot.CmdManifesto, "topic", ""))
	if len(r.Choices) != bot.MaxChoices {
		t.Fatalf("%d choices, want %d", len(r.Choices), bot.MaxChoices)
	}
	if r.Choices[0] != "dup" || r.Choices[1] != "topic 0" {
		t.Errorf("choices start %q: the too long, empty, invalid and repeated ones must go", r.Choices[:3])
	}
}

// noSuggestions is a Writer that cannot suggest.
type noSuggestions struct{ bot.Writer }

func TestAutocompleteWithoutSuggester(t *testing.T) {
	t.Parallel()
	b := bottest.NewBot(bot.Config{Writer: func() bot.Writer { return noSuggestions{bottest.Writer{}} }})
	r := b.Handle(t.Context(), autocompleteReq(bot.CmdManifesto, "topic", "ro"))
	if !r.Autocomplete || r.Choices == nil || len(r.Choices) != 0 {
		t.Errorf("Handle = %+v, want an empty autocomplete answer", r)
	}
}

// TestAutocompleteDoesNotWaitForALoad: a server's Writer that takes longer
// than Discord waits for an autocomplete (a large scripture loading) is
// waited for 1.5 s at most; the answer then comes from what WriterFor
// gives up with (the Service gives the essay's Writer).
func TestAutocompleteDoesNotWaitForALoad(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var waited time.Duration
		b := bottest.NewBot(bot.Config{WriterFor: func(ctx context.Context, guildID string) bot.Writer {
			start := time.Now()
			<-ctx.Done() // the load that never ends in time
			waited = time.Since(start)
			return bottest.Writer{}
		}})
		req := autocompleteReq(bot.CmdManifesto, "topic", "ro")
		req.GuildID = "1300000000000000555"
		r := b.Handle(t.Context(), req)
		if waited != 1500*time.Millisecond {
			t.Errorf("waited %v for the server's Writer, want 1.5s", waited)
		}
		if !slices.Equal(r.Choices, []string{"robots", "robust planning", "Rojava"}) {
			t.Errorf("choices %q, want the essay's", r.Choices)
		}
	})
}
