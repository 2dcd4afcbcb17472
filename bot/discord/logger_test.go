package discord_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
	"github.com/glowcloud/glowcloud/bot/gateway"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/internal/discordtest"
)

// TestLoggerClipsPayloads: the formats discordgo v0.29.0 puts raw gateway
// payloads into are logged by type and size, and any other long argument is
// clipped (issue 11, finding 5: a 32 MiB event went to the log in full).
func TestLoggerClipsPayloads(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("A", 1<<20)
	for _, tt := range []struct {
		name   string
		format string
		args   []any
		want   []string
	}{
		{"unknown event", "unknown event: Op: %d, Seq: %d, Type: %s, Data: %s", []any{0, int64(7), "HOSTILE_THING", big},
			[]string{"type=HOSTILE_THING", "bytes=1048576", "op=0", "seq=7"}},
		{"unknown op", "unknown Op: %d, Seq: %d, Type: %s, Data: %s, message: %s", []any{42, int64(0), "", big, big + "xx"},
			[]string{"op=42", "bytes=1048578"}},
		{"huge type", "unknown event: Op: %d, Seq: %d, Type: %s, Data: %s", []any{0, int64(1), big, "{}"},
			[]string{"(1048576 bytes)"}},
		{"event value", "Expected READY/RESUMED, instead got:\n%#v\n", []any{&discordgo.Event{Operation: 0, Type: "X", RawData: []byte(big)}},
			[]string{"event op 0 seq 0 type X (1048576 bytes)"}},
		{"long error", "error unmarshalling %s event, %s", []any{"READY", strings.Repeat("e", 5000)},
			[]string{"(5000 bytes)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			discord.Logger(slog.New(slog.NewTextHandler(&buf, nil)))(discordgo.LogWarning, 2, tt.format, tt.args...)
			got := buf.String()
			if len(got) > 4<<10 {
				t.Errorf("%d bytes logged", len(got))
			}
			if strings.Contains(got, strings.Repeat("A", 300)) {
				t.Errorf("the payload was logged verbatim")
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("log %.300q lacks %q", got, w)
				}
			}
		})
	}
}

// TestUnknownEventNotLogged sends a 4 MiB event of a type discordgo does
// not know over the fake gateway (a larger one than gateway.MaxMessage is
// refused before discordgo sees it: TestGiantMessageRefused), to a gateway whose discordgo logs through
// Logger, as serve's does: the log says the type and size, in a few hundred
// bytes, and the bot stays connected.
//
// Not parallel: it sets discordgo.Logger, a package variable, before the
// package's parallel tests run, and leaves it set (none of them runs a
// session, and discordgo's goroutines may still log after the test ends).
func TestUnknownEventNotLogged(t *testing.T) {
	var logs bottest.LogBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	discordgo.Logger = discord.Logger(log)

	fake := discordtest.New(t)
	g, err := gateway.New(gateway.Config{Bot: bot.New(bot.Config{}), Log: log, Token: "test-token",
		Client: fake.Client(), Dialer: fake.Dialer()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	connected := make(chan struct{})
	done := make(chan error, 1)
	runCtx, stop := context.WithCancel(ctx)
	go func() { done <- g.Run(runCtx, func() { close(connected) }) }()
	select {
	case <-connected:
	case err := <-done:
		t.Fatalf("Run = %v", err)
	case <-ctx.Done():
		t.Fatal("never connected")
	}
	const size = gateway.MaxMessage / 2
	if err := fake.Dispatch(ctx, "HOSTILE_THING", map[string]string{"x": strings.Repeat("A", size)}); err != nil {
		t.Fatal(err)
	}
	// A dispatch after it shows the big one has been read and logged.
	if _, err := fake.Interaction(ctx, map[string]any{"data": map[string]any{"name": "glowcloud"}}); err != nil {
		t.Fatal(err)
	}
	got := logs.String()
	if !strings.Contains(got, "type=HOSTILE_THING") || !strings.Contains(got, "bytes=") {
		t.Errorf("the unknown event is not logged by type and size:\n%.2000s", got)
	}
	if len(got) > 16<<10 || strings.Contains(got, strings.Repeat("A", 300)) {
		t.Errorf("%d bytes of log, the payload in them: %v", len(got), strings.Contains(got, strings.Repeat("A", 300)))
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
}
