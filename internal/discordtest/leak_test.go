package discordtest_test

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/internal/discordtest"
)

// fakeGoroutines returns the stacks of goroutines running the fake's code or its servers and clients.
func fakeGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "discordtest.(*Server)") || strings.Contains(g, "net/http/httptest") ||
			strings.Contains(g, "net/http.(*persistConn)") || strings.Contains(g, "net/http.(*conn).serve") {
			out = append(out, g)
		}
	}
	return out
}

// TestNoGoroutineLeak is deliberately not parallel: it counts goroutines, so it runs while the
// parallel tests are paused (they call t.Parallel before starting a fake).
func TestNoGoroutineLeak(t *testing.T) {
	if g := fakeGoroutines(); len(g) != 0 {
		t.Skipf("another fake is running: %d goroutines", len(g))
	}
	t.Run("use", func(t *testing.T) {
		ctx := testContext(t)
		fake := discordtest.New(t)
		c := dial(t, fake, fake.GatewayURL()) // left open: the fake must close it
		c.identify()
		if err := fake.Dispatch(ctx, "GUILD_CREATE", map[string]any{"id": "1"}); err != nil {
			t.Fatal(err)
		}
		s, err := discordgo.New("Bot x")
		if err != nil {
			t.Fatal(err)
		}
		s.Client = fake.Client()
		if _, err := s.Gateway(); err != nil {
			t.Fatal(err)
		}
		if status, _ := do(t, fake.Client(), "GET", "https://discord.com/nope", "", ""); status != 404 {
			t.Fatalf("status %d", status)
		}
		if len(fakeGoroutines()) == 0 { // the detector must see a running fake, or the test proves nothing
			t.Fatal("fakeGoroutines sees nothing while a fake runs")
		}
	})
	// Closed connections end their goroutines asynchronously: poll, with a deadline.
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		g := fakeGoroutines()
		if len(g) == 0 {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%d goroutines left after the fake closed:\n%s", len(g), strings.Join(g, "\n\n"))
		}
	}
}

func TestInteractionDeadline(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	fake := discordtest.New(t, discordtest.WithInteractionDeadline(time.Nanosecond), discordtest.WithReportOnly())
	s := newSession(t, fake, "tok")
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		})
		var rest *discordgo.RESTError
		if !(errors.As(err, &rest) && rest.Message != nil && rest.Message.Code == discordgo.ErrCodeUnknownInteraction) {
			t.Errorf("late InteractionRespond = %v, want Unknown interaction (10062)", err)
		}
	})
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cb, err := fake.Interaction(ctx, map[string]any{})
	if err == nil || cb.Err == nil || cb.Latency <= 0 {
		t.Errorf("Interaction = %+v, %v; want a rejected late callback", cb, err)
	}
}
