package post_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/post"
	"github.com/glowcloud/glowcloud/bot/rest"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/internal/discordtest"
	"github.com/glowcloud/glowcloud/proclaim"
	"github.com/glowcloud/glowcloud/sqlite"
)

const token = rest.Token("NzkyNzE1NDU0MTk2MDg4ODQy.X-hvzA.Ovy4MCQywSkoMRRclStW4xAYK7I")

func newPoster(t *testing.T, fake *discordtest.Server) *post.Poster {
	t.Helper()
	client, err := rest.Client(nil, fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	return post.NewPoster(client, rest.UserAgent("test"), token)
}

func writer() *post.Writer { return post.NewWriter(func() bot.Writer { return bottest.Writer{} }) }

// TestKindsAgree: the kind values the core registers as choices are the
// ones proclaim stores.
func TestKindsAgree(t *testing.T) {
	t.Parallel()
	if bot.PostGlowcloud != string(proclaim.KindGlowcloud) || bot.PostManifesto != string(proclaim.KindManifesto) {
		t.Errorf("bot kinds %q %q, proclaim kinds %q %q", bot.PostGlowcloud, bot.PostManifesto, proclaim.KindGlowcloud, proclaim.KindManifesto)
	}
}

// TestWriter: a post is what the commands reply: the /glowcloud embed, or a
// manifesto on the topic, with the "Hail again" button that repeats it.
func TestWriter(t *testing.T) {
	t.Parallel()
	w := writer()
	g := w.Write(proclaim.KindGlowcloud, "", 7)
	if len(g.Embeds) != 1 || g.Embeds[0].Title != "ALL HAIL THE GLOW CLOUD" || g.Embeds[0].Description != "ALL HAIL. seed=7" ||
		len(g.Buttons) != 1 || g.Buttons[0].Label != "Hail again" || g.Buttons[0].CustomID != "gc1|g" {
		t.Errorf("glowcloud post %+v", g)
	}
	m := w.Write(proclaim.KindManifesto, "tea", 8)
	if len(m.Embeds) != 1 || !strings.Contains(m.Embeds[0].Footer, "/manifesto topic:tea seed:8") ||
		len(m.Buttons) != 1 || m.Buttons[0].CustomID != "gc1|m|3|tea" {
		t.Errorf("manifesto post %+v", m)
	}
	if got := post.NewWriter(func() bot.Writer { return nil }).Write(proclaim.KindGlowcloud, "", 1); got.Content == "" {
		t.Errorf("a post without a generator is empty, which Discord refuses")
	}
}

// TestPoster: a post reaches the channel, valid against Discord's spec with
// allowed_mentions parse []; Discord's refusals come back as PostErrors
// with status, code and retry_after.
func TestPoster(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(string(token)))
	p := newPoster(t, fake)
	msg := writer().Write(proclaim.KindManifesto, "tea", 8)
	if err := p.Post(t.Context(), "500", msg); err != nil {
		t.Fatal(err)
	}
	got := fake.ChannelMessages("500")
	if len(got) != 1 {
		t.Fatalf("channel 500 has %d messages, want 1", len(got))
	}
	if am, _ := json.Marshal(got[0]["allowed_mentions"]); !strings.HasPrefix(string(am), `{"parse":[]`) {
		t.Errorf("allowed_mentions %s", am)
	}
	for _, tt := range []struct {
		name string
		set  func(channel string)
		want proclaim.PostError
	}{
		{"missing access", func(c string) { fake.FailChannel(c, 403, 50001) }, proclaim.PostError{Status: 403, Code: 50001, Message: "Missing Access"}},
		{"missing permissions", func(c string) { fake.FailChannel(c, 403, 50013) }, proclaim.PostError{Status: 403, Code: 50013, Message: "Missing Permissions"}},
		{"unknown channel", func(c string) { fake.FailChannel(c, 404, 10003) }, proclaim.PostError{Status: 404, Code: 10003, Message: "Unknown Channel"}},
		{"rate limited", func(c string) {
			fake.FailNext("POST", "/api/v9/channels/"+c+"/messages", 429, `{"message":"You are being rate limited.","retry_after":1.5,"global":false}`)
		}, proclaim.PostError{Status: 429, Message: "You are being rate limited.", RetryAfter: 1500 * time.Millisecond}},
		{"outage", func(c string) {
			fake.FailNext("POST", "/api/v9/channels/"+c+"/messages", 500, `{"message":"500: Internal Server Error","code":0}`)
		}, proclaim.PostError{Status: 500, Message: "500: Internal Server Error"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			channel := "6" + strings.Repeat("0", len(tt.name)) // one channel per case
			tt.set(channel)
			err := p.Post(t.Context(), channel, msg)
			var pe *proclaim.PostError
			if !errors.As(err, &pe) || *pe != tt.want {
				t.Fatalf("Post: %v (%#v), want %+v", err, pe, tt.want)
			}
		})
	}
	if err := post.PostError(errors.New("dial tcp: refused")); err == nil || errors.As(err, new(*proclaim.PostError)) {
		t.Errorf("a network error became %v", err)
	}
}

// TestRunnerAgainstFakeDiscord runs proclaim's Runner with this Poster, a
// real (in-memory) SQLite store and the fake Discord: a channel that
// answers 403 or 404 pauses its schedule with the reason /proclaim list
// shows, after one try; one that answers 429 once is posted after
// retry_after; the others post.
func TestRunnerAgainstFakeDiscord(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(string(token)))
	db, err := sqlite.OpenMemory(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	const guild = "10"
	now := time.Now().Truncate(time.Millisecond)
	for _, ch := range []string{"701", "702", "703", "704"} {
		if _, err := db.PutSchedule(t.Context(), proclaim.Schedule{
			GuildID: guild, ChannelID: ch, Every: time.Hour, Kind: proclaim.KindGlowcloud,
			NextAt: now.Add(-time.Millisecond), CreatedBy: "1", CreatedAt: now,
		}, proclaim.MaxPerGuild); err != nil {
			t.Fatal(err)
		}
	}
	fake.FailChannel("701", http.StatusForbidden, 50013)
	fake.FailChannel("702", http.StatusNotFound, 10003)
	fake.FailNext("POST", "/api/v9/channels/703/messages", 429, `{"message":"You are being rate limited.","retry_after":0.2,"global":false}`)

	ctx, cancel := context.WithCancel(t.Context())
	r := proclaim.NewRunner(db, writer(), newPoster(t, fake), proclaim.RunnerConfig{Poll: 20 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	wctx, wcancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer wcancel()
	for _, ch := range []string{"703", "704"} {
		if _, err := fake.WaitChannelMessages(wctx, ch, 1); err != nil {
			t.Fatal(err)
		}
	}
	// The pauses are recorded after Discord answered: wait for them.
	var scheds []proclaim.Schedule
	for {
		if scheds, err = db.Schedules(t.Context(), guild); err != nil {
			t.Fatal(err)
		}
		if scheds[0].Paused != "" && scheds[1].Paused != "" && scheds[2].LastResult != "" && scheds[3].LastResult != "" {
			break
		}
		select {
		case <-wctx.Done():
			t.Fatalf("schedules not finished: %+v", scheds)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"lacks the permission", "no longer exists"} {
		if s := scheds[i]; !strings.Contains(s.Paused, want) {
			t.Errorf("channel %s paused %q, want it to say %q", s.ChannelID, s.Paused, want)
		}
	}
	for _, s := range scheds[2:] {
		if s.Paused != "" || s.LastResult != "posted" {
			t.Errorf("channel %s: paused %q, last %q; want posted", s.ChannelID, s.Paused, s.LastResult)
		}
	}
	// One try each at the refusing channels, two at the rate-limited one.
	tries := map[string]int{}
	for _, req := range fake.Requests() {
		if strings.HasPrefix(req.Path, "/api/v9/channels/") {
			tries[strings.Split(req.Path, "/")[4]]++
		}
	}
	if tries["701"] != 1 || tries["702"] != 1 || tries["703"] != 2 || tries["704"] != 1 {
		t.Errorf("posts per channel %v, want 701:1 702:1 703:2 704:1", tries)
	}
}
