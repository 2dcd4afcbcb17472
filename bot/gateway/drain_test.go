package gateway

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

// restRecorder is Discord's REST in memory: it answers every request and
// records its path.
type restRecorder struct {
	mu    sync.Mutex
	paths []string
}

func (r *restRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.paths = append(r.paths, req.Method+" "+req.URL.Path)
	r.mu.Unlock()
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"id":"1300000000000000009","channel_id":"1"}`)), Request: req}, nil
}

// answered reports how many requests went to interaction id's callback or
// to its webhook (by its token).
func (r *restRecorder) answered(id, token string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, p := range r.paths {
		if strings.Contains(p, "/interactions/"+id+"/") || strings.Contains(p, "/"+token+"/") {
			n++
		}
	}
	return n
}

func glowcloudInteraction(id string) *discordgo.InteractionCreate {
	return &discordgo.InteractionCreate{Interaction: &discordgo.Interaction{
		ID: id, AppID: "1", Type: discordgo.InteractionApplicationCommand, Token: "tok" + id,
		GuildID: "2", ChannelID: "3", Member: &discordgo.Member{User: &discordgo.User{ID: "4"}},
		Data: discordgo.ApplicationCommandInteractionData{ID: "5", Name: "glowcloud"},
	}}
}

// answer hands the gateway the /glowcloud interaction id, as onEvent does.
func answer(g *Gateway, id string) {
	in := glowcloudInteraction(id).Interaction
	g.onInteraction(in, discord.Request(in))
}

// TestDrainWaitsForAnswers: Drain waits for the interactions being
// answered and reports true once they are; one that arrives while it
// drains is not answered; and when Drain's ctx ends first, it cancels what
// is still running and reports false. On synctest's clock.
func TestDrainWaitsForAnswers(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		rest := &restRecorder{}
		var logs lockedLog
		g, err := New(Config{
			Bot:    bottest.NewBot(bot.Config{Writer: func() bot.Writer { return bottest.BlockedWriter{Release: release} }}),
			Log:    slog.New(slog.NewTextHandler(&logs, nil)),
			Token:  "Bot x",
			Client: &http.Client{Transport: rest},
		})
		if err != nil {
			t.Fatal(err)
		}
		answer(g, "10")
		drained := make(chan bool, 1)
		go func() { drained <- g.Drain(t.Context()) }()
		time.Sleep(3 * time.Second) // the answer defers after 2 s, and waits on
		select {
		case <-drained:
			t.Fatal("Drain returned with an interaction still being answered")
		default:
		}
		answer(g, "11")
		close(release)
		if ok := <-drained; !ok {
			t.Error("Drain = false after every answer finished")
		}
		if n := rest.answered("10", "tok10"); n != 2 {
			t.Errorf("the interaction in flight got %d requests, want 2 (a deferral, then its reply)", n)
		}
		synctest.Wait()
		if n := rest.answered("11", "tok11"); n != 0 || !strings.Contains(logs.String(), "not answered") {
			t.Errorf("an interaction arriving while draining got %d requests, want none, and a log line:\n%s", n, logs.String())
		}

		// A Drain that runs out of time cancels the answers.
		stuck := make(chan struct{})
		g, err = New(Config{
			Bot:    bottest.NewBot(bot.Config{Writer: func() bot.Writer { return bottest.BlockedWriter{Release: stuck} }}),
			Token:  "Bot x",
			Client: &http.Client{Transport: rest},
		})
		if err != nil {
			t.Fatal(err)
		}
		answer(g, "12")
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()
		if g.Drain(ctx) {
			t.Error("Drain = true with an answer still stuck")
		}
		if took := time.Since(start); took != 5*time.Second {
			t.Errorf("Drain took %v, want its 5 s", took)
		}
		close(stuck)
	})
}
