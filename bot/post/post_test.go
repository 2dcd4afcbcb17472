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
	"github.com/glowcloud/glowcloud/internal/sqlitetest"
	"github.com/glowcloud/glowcloud/proclaim"
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

func writer() *post.Writer { return post.NewWriter(func() bot.Writer { return bottest.Writer{} }, "") }

// TestWriter: a post is what the commands reply: the /glowcloud embed, or a
// manifesto on the topic, with the "Hail again" button that repeats it.
func TestWriter(t *testing.T) {
	t.Parallel()
	w := writer()
	g := w.Write(context.Background(), "", bot.CmdGlowcloud, "", 7)
	if len(g.Embeds) != 1 || g.Embeds[0].Title != "ALL HAIL THE GLOW CLOUD" || g.Embeds[0].Description != "ALL HAIL. seed=7" ||
		len(g.Buttons) != 1 || g.Buttons[0].Label != "Hail again" || g.Buttons[0].CustomID != "gc1|g" {
		t.Errorf("glowcloud post %+v", g)
	}
	m := w.Write(context.Background(), "", bot.CmdManifesto, "tea", 8)
	if len(m.Embeds) != 1 || !strings.Contains(m.Embeds[0].Footer, "/manifesto topic:tea seed:8") ||
		len(m.Buttons) != 1 || m.Buttons[0].CustomID != "gc1|m|3|tea" {
		t.Errorf("manifesto post %+v", m)
	}
	if got := post.NewWriter(func() bot.Writer { return nil }, "").Write(context.Background(), "", bot.CmdGlowcloud, "", 1); got.Content == "" {
		t.Errorf("a post without a generator is empty, which Discord refuses")
	}
}

// TestPostShare: with a public URL a post carries a "Share" link button to
// its page, and Discord's spec takes it.
func TestPostShare(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(string(token)))
	msg := post.NewWriter(func() bot.Writer { return bottest.Writer{} }, "https://glow.example").Write(context.Background(), "", bot.CmdManifesto, "tea", 8)
	if len(msg.Buttons) != 2 || msg.Buttons[1].Label != "Share" || !strings.HasPrefix(msg.Buttons[1].URL, "https://glow.example/m/") {
		t.Fatalf("buttons %+v, want Hail again and a Share link", msg.Buttons)
	}
	if err := newPoster(t, fake).Post(t.Context(), "501", msg); err != nil {
		t.Fatal(err) // the fake refuses a body its spec does not take
	}
	got := fake.ChannelMessages("501")
	if len(got) != 1 {
		t.Fatalf("channel 501 has %d messages, want 1", len(got))
	}
	if body, _ := json.Marshal(got[0]["components"]); !strings.Contains(string(body), `"style":5`) || !strings.Contains(string(body), `"url":"https://glow.example/m/`) {
		t.Errorf("components %s lack the link button", body)
	}
}

// TestPoster: a post reaches the channel, valid against Discord's spec with
// allowed_mentions parse []; Discord's refusals come back as PostErrors
// with status, code and retry_after.
func TestPoster(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(string(token)))
	p := newPoster(t, fake)
	msg := writer().Write(context.Background(), "", bot.CmdManifesto, "tea", 8)
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
	db := sqlitetest.Memory(t)
	const guild = "10"
	now := time.Now().Truncate(time.Millisecond)
	for _, ch := range []string{"701", "702", "703", "704"} {
		if _, err := db.PutSchedule(t.Context(), proclaim.Schedule{
			GuildID: guild, ChannelID: ch, Every: time.Hour, Kind: bot.CmdGlowcloud,
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
	var (
		scheds []proclaim.Schedule
		err    error
	)
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

// TestScheduledPostsInert: the scheduled-post REST path (the Runner, this
// Writer and Poster, a real store, the fake Discord) posts nothing that
// renders: not the topic an admin typed with /proclaim start (a masked
// link, a spoiler, a role mention, a NUL), not one an older release stored
// raw, not what the model learned (a fake whose every text is markup, and
// a real model trained on an upload full of it); and the post's Hail again
// button keeps the topic. The old code stored the topic raw, posted it
// rendered in the title, body and footer, and its button lost it
// ("gc1|m|3|").
func TestScheduledPostsInert(t *testing.T) {
	t.Parallel()
	hostile := bottest.HostileModel(t)
	for _, tt := range []struct {
		name string
		w    bot.Writer
	}{
		{"essay-like writer", bottest.Writer{}},
		{"markup writer", bottest.MarkupWriter{}},
		{"hostile model", hostile},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t, discordtest.WithToken(string(token)))
			db := sqlitetest.Memory(t)
			const guild = "10"
			start := time.Now().Add(-time.Hour)
			cm := proclaim.NewCommands(db, time.Hour, func() time.Time { return start })
			admin := bot.Caller{GuildID: guild, ChannelID: "801", UserID: "1", Permissions: "32"}
			for ch, kind := range map[string]string{"801": bot.CmdManifesto, "802": bot.CmdGlowcloud} {
				if _, err := cm.Start(t.Context(), admin, bot.StartOptions{Every: "1h", Channel: ch, Kind: kind, Topic: bottest.HostileTopic}); err != nil {
					t.Fatal(err)
				}
			}
			// A topic an older release stored as typed.
			now := time.Now().Truncate(time.Millisecond)
			if _, err := db.PutSchedule(t.Context(), proclaim.Schedule{
				GuildID: guild, ChannelID: "803", Every: time.Hour, Kind: bot.CmdManifesto, Topic: "[Free Nitro](https://evil.example) <@&1>",
				NextAt: now.Add(-time.Millisecond), CreatedBy: "1", CreatedAt: now,
			}, proclaim.MaxPerGuild); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			w := post.NewWriter(func() bot.Writer { return tt.w }, "")
			r := proclaim.NewRunner(db, w, newPoster(t, fake), proclaim.RunnerConfig{Poll: 20 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
			done := make(chan error, 1)
			go func() { done <- r.Run(ctx) }()
			defer func() { cancel(); <-done }()
			wctx, wcancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer wcancel()
			for _, ch := range []string{"801", "802", "803"} {
				msgs, err := fake.WaitChannelMessages(wctx, ch, 1)
				if err != nil {
					t.Fatal(err)
				}
				if err := bottest.Inert(msgs[0]); err != nil {
					t.Errorf("the post in %s renders:\n%v", ch, err)
				}
				id := customID(t, msgs[0])
				if ch != "802" && (!strings.HasPrefix(id, "gc1|m|3|") || len(id) == len("gc1|m|3|")) {
					t.Errorf("the post in %s has button %q: the topic is lost", ch, id)
				}
			}
		})
	}
}

// customID is the custom_id of a message's first button.
func customID(t *testing.T, msg map[string]any) string {
	t.Helper()
	rows, _ := msg["components"].([]any)
	if len(rows) == 0 {
		t.Fatalf("no button in %v", msg)
	}
	buttons, _ := rows[0].(map[string]any)["components"].([]any)
	if len(buttons) == 0 {
		t.Fatalf("no button in %v", msg)
	}
	id, _ := buttons[0].(map[string]any)["custom_id"].(string)
	return id
}

// TestEditor: a reveal edits the interaction's message through its
// webhook, with no bot token, in a body Discord's spec takes; Discord's
// refusals come back as *proclaim.PostError (404 to give up, 429 and 5xx to
// retry), and no error ever quotes the interaction's token.
func TestEditor(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	client, err := rest.Client(nil, fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	ed := post.NewEditor(client, rest.UserAgent("test"))
	i := fake.FillInteraction(map[string]any{"data": map[string]any{"name": "quiz", "type": 1}})
	tok := i["token"].(string)
	r := bot.Reply{Content: "**It was real**.", Buttons: []bot.Button{
		{Label: "Real", CustomID: bot.QuizVoteID("ABCDEFGHIJKLMNOPQRSTUVWXY2", true), Disabled: true},
		{Label: "Play again", CustomID: bot.QuizPlayAgainID},
	}}
	if err := ed.Edit(t.Context(), fake.AppID(), tok, r); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	edits := fake.Edits(tok)
	if len(edits) != 1 || edits[0]["content"] != "**It was real**." {
		t.Fatalf("edits %v", edits)
	}
	raw, _ := json.Marshal(edits[0])
	if !strings.Contains(string(raw), `"disabled":true`) || !strings.Contains(string(raw), `"allowed_mentions":{"parse":[]`) {
		t.Errorf("edit body %s", raw)
	}
	for _, tc := range []struct {
		status int
		body   string
	}{
		{404, `{"message":"Unknown Webhook","code":10015}`},
		{429, `{"message":"You are being rate limited.","retry_after":0.5,"global":false}`},
		{500, `{"message":"500: Internal Server Error","code":0}`},
	} {
		fake.FailNext("PATCH", "/api/v9/webhooks/", tc.status, tc.body)
		err := ed.Edit(t.Context(), fake.AppID(), tok, r)
		var pe *proclaim.PostError
		if !errors.As(err, &pe) || pe.Status != tc.status {
			t.Errorf("a %d: %v, want a PostError with the status", tc.status, err)
		}
		if err != nil && strings.Contains(err.Error(), tok) {
			t.Errorf("the error quotes the token: %v", err)
		}
	}
	// Nothing listens: the network error names the URL, without the token.
	down, err := rest.Client(nil, "http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	err = post.NewEditor(down, "test").Edit(t.Context(), fake.AppID(), tok, r)
	if err == nil || strings.Contains(err.Error(), tok) || !strings.Contains(err.Error(), "webhooks") {
		t.Errorf("a network error %v: want one naming the webhook, not the token", err)
	}
}

// ownWriter is a server's own Writer.
type ownWriter struct{ bottest.Writer }

func (ownWriter) Glowcloud(uint64) string { return "THE SERVER'S OWN HAIL" }
func (ownWriter) ModelID() string         { return "own1" }

// TestWriterForGuild: a server's posts come from the Writer ForGuild gives
// for it, without a Share link; other servers' from the essay's, with it.
func TestWriterForGuild(t *testing.T) {
	t.Parallel()
	w := post.NewWriter(func() bot.Writer { return bottest.Writer{} }, "https://glow.example").
		ForGuild(func(_ context.Context, guildID string) bot.Writer {
			if guildID == "g1" {
				return ownWriter{}
			}
			return nil
		})
	for _, guild := range []string{"g1", "g2"} {
		r := w.Write(t.Context(), guild, bot.CmdGlowcloud, "", 3)
		own := guild == "g1"
		if got := len(r.Embeds) == 1 && r.Embeds[0].Description == "THE SERVER'S OWN HAIL"; got != own {
			t.Errorf("guild %s: %+v, from its own writer %v", guild, r.Embeds, got)
		}
		if share := len(r.Buttons) == 2; share == own {
			t.Errorf("guild %s: buttons %+v", guild, r.Buttons)
		}
	}
}
