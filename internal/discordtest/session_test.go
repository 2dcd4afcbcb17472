package discordtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/glowcloud/glowcloud/internal/discordtest"
)

// newSession wires a discordgo session to fake, as the package doc describes.
func newSession(t *testing.T, fake *discordtest.Server, token string) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot " + token)
	if err != nil {
		t.Fatalf("discordgo.New: %v", err)
	}
	s.Client = fake.Client()
	s.Dialer = fake.Dialer()
	s.Identify.Intents = discordgo.IntentsGuilds
	s.Identify.Compress = false
	s.StateEnabled = false
	s.ShouldReconnectOnError = false
	s.LogLevel = -1
	return s
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSessionInteractionRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	fake := discordtest.New(t)
	s := newSession(t, fake, "secret-token")

	ready := make(chan *discordgo.Ready, 1)
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { ready <- r })
	got := make(chan *discordgo.Interaction, 1)
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		got <- ic.Interaction
		err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content:         "tea is anarchist if you squint",
				AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
				Flags:           discordgo.MessageFlagsEphemeral,
			},
		})
		if err != nil {
			t.Errorf("InteractionRespond: %v", err)
		}
	})
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })

	select {
	case r := <-ready:
		if r.Application == nil || r.Application.ID != discordtest.DefaultAppID {
			t.Errorf("READY application = %+v, want id %s", r.Application, discordtest.DefaultAppID)
		}
		if r.User == nil || !r.User.Bot {
			t.Errorf("READY user = %+v, want a bot", r.User)
		}
	case <-ctx.Done():
		t.Fatal("no READY")
	}
	id, err := fake.WaitIdentify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id.Token != "Bot secret-token" || id.Intents != int(discordgo.IntentsGuilds) || id.Shard != [2]int{0, 1} || id.HasShard {
		t.Errorf("IDENTIFY = %+v, want token, guild intent, no shard", id)
	}
	if id.Query != "v=9&encoding=json" {
		t.Errorf("gateway query = %q", id.Query)
	}

	cb, err := fake.Interaction(ctx, map[string]any{
		"data": map[string]any{"name": "squint", "options": []any{
			map[string]any{"name": "thing", "type": 3, "value": "tea"},
		}},
	})
	if err != nil {
		t.Fatalf("Interaction: %v", err)
	}
	if cb.Type != 4 || cb.Data["content"] != "tea is anarchist if you squint" || cb.Data["flags"] != float64(64) {
		t.Errorf("callback = type %d data %v", cb.Type, cb.Data)
	}
	am, _ := cb.Data["allowed_mentions"].(map[string]any)
	if parse, ok := am["parse"].([]any); !ok || len(parse) != 0 {
		t.Errorf("allowed_mentions = %v, want parse []", cb.Data["allowed_mentions"])
	}
	if cb.Latency <= 0 {
		t.Errorf("Latency = %v, want > 0", cb.Latency)
	}

	ic := <-got
	if ic.Type != discordgo.InteractionApplicationCommand || ic.GuildID != discordtest.DefaultGuildID ||
		ic.Member == nil || ic.Member.User == nil || ic.Member.User.ID != discordtest.DefaultUserID ||
		ic.AppID != discordtest.DefaultAppID || ic.Token == "" || ic.Version != 1 {
		t.Errorf("interaction = %+v", ic)
	}
	data := ic.ApplicationCommandData()
	if data.Name != "squint" || len(data.Options) != 1 || data.Options[0].StringValue() != "tea" {
		t.Errorf("command data = %+v", data)
	}
	if v := fake.Violations(); len(v) != 0 {
		t.Errorf("violations: %v", v)
	}
}

func TestSessionDeferThenEdit(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	fake := discordtest.New(t)
	s := newSession(t, fake, "tok")
	none := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		if err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		}); err != nil {
			t.Errorf("defer: %v", err)
			return
		}
		content := "the Glow Cloud has spoken"
		m, err := s.InteractionResponseEdit(ic.Interaction, &discordgo.WebhookEdit{Content: &content, AllowedMentions: none})
		if err != nil {
			t.Errorf("edit: %v", err)
			return
		}
		if m.Content != content || m.Author == nil || !m.Author.Bot {
			t.Errorf("edited message = %+v", m)
		}
		f, err := s.FollowupMessageCreate(ic.Interaction, true, &discordgo.WebhookParams{Content: "and again", AllowedMentions: none})
		if err != nil || f.ID == "" {
			t.Errorf("follow-up: %v, %+v", err, f)
			return
		}
		again := "and again, edited"
		if f2, err := s.FollowupMessageEdit(ic.Interaction, f.ID, &discordgo.WebhookEdit{Content: &again, AllowedMentions: none}); err != nil || f2.ID != f.ID || f2.Content != again {
			t.Errorf("follow-up edit: %v, %+v", err, f2)
		}
		if err := s.FollowupMessageDelete(ic.Interaction, f.ID); err != nil {
			t.Errorf("follow-up delete: %v", err)
		}
	})
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })

	cb, err := fake.Interaction(ctx, map[string]any{"data": map[string]any{"name": "glowcloud"}})
	if err != nil {
		t.Fatal(err)
	}
	if cb.Type != 5 {
		t.Errorf("callback type = %d, want 5", cb.Type)
	}
	edit, err := fake.WaitEdit(ctx, cb.Token)
	if err != nil {
		t.Fatal(err)
	}
	if edit["content"] != "the Glow Cloud has spoken" {
		t.Errorf("edit = %v", edit)
	}
	if _, err := fake.WaitRequest(ctx, func(r discordtest.Request) bool {
		return r.Method == "POST" && r.Path == "/api/v9/webhooks/"+discordtest.DefaultAppID+"/"+cb.Token && r.Status == 200
	}); err != nil {
		t.Fatal(err)
	}
	if f := fake.Followups(cb.Token); len(f) != 1 || f[0]["content"] != "and again" {
		t.Errorf("follow-ups = %v", f)
	}
	if _, err := fake.WaitRequest(ctx, func(r discordtest.Request) bool { return r.Method == "DELETE" && r.Status == 204 }); err != nil {
		t.Fatal(err)
	}
	status, body := do(t, fake.Client(), "GET", "https://discord.com/api/v9/webhooks/"+discordtest.DefaultAppID+"/"+cb.Token+"/messages/@original", "", "")
	var orig discordgo.Message
	if err := json.Unmarshal([]byte(body), &orig); status != 200 || err != nil {
		t.Fatalf("GET @original = %d %s (%v)", status, body, err)
	}
	if orig.Content != "the Glow Cloud has spoken" || orig.Flags&discordgo.MessageFlagsLoading != 0 || orig.EditedTimestamp == nil {
		t.Errorf("@original after the edit = %+v", orig)
	}
}

func TestSessionBulkOverwrite(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	s := newSession(t, fake, "tok")
	minLen := 1
	cmds := []*discordgo.ApplicationCommand{
		{Name: "squint", Description: "Squint at a thing until it looks anarchist", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "thing", Description: "What to squint at", Required: true, MinLength: &minLen, MaxLength: 100},
		}},
		{Name: "manifesto", Description: "Write a manifesto", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "topic", Description: "Topic"},
			{Type: discordgo.ApplicationCommandOptionInteger, Name: "paragraphs", Description: "How many", MinValue: new(1.0), MaxValue: 5},
		}},
	}
	for _, guild := range []string{"", discordtest.DefaultGuildID} {
		got, err := s.ApplicationCommandBulkOverwrite(discordtest.DefaultAppID, guild, cmds)
		if err != nil {
			t.Fatalf("bulk overwrite (guild %q): %v", guild, err)
		}
		if len(got) != 2 || got[0].ID == "" || got[0].Name != "squint" || got[1].Options[1].MaxValue != 5 {
			t.Errorf("echo = %+v", got)
		}
		again, err := s.ApplicationCommandBulkOverwrite(discordtest.DefaultAppID, guild, cmds)
		if err != nil {
			t.Fatal(err)
		}
		if again[0].ID != got[0].ID {
			t.Errorf("ids changed on overwrite: %s -> %s", got[0].ID, again[0].ID)
		}
		listed, err := s.ApplicationCommands(discordtest.DefaultAppID, guild)
		if err != nil || len(listed) != 2 || listed[1].Name != "manifesto" {
			t.Errorf("list = %+v, %v", listed, err)
		}
		if stored := fake.Commands(guild); len(stored) != 2 || stored[0]["name"] != "squint" {
			t.Errorf("Commands(%q) = %v", guild, stored)
		}
	}
	if n := fake.CommandPuts(); n != 4 {
		t.Errorf("CommandPuts = %d, want 4", n)
	}
	// Registered commands give filled interactions their id.
	i := fake.FillInteraction(map[string]any{"data": map[string]any{"name": "manifesto"}})
	if id := i["data"].(map[string]any)["id"]; id != fake.Commands(discordtest.DefaultGuildID)[1]["id"] {
		t.Errorf("interaction data id = %v, want the guild command's", id)
	}
}

func TestSessionInvalidCommandRejected(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithReportOnly())
	s := newSession(t, fake, "tok")
	_, err := s.ApplicationCommandBulkOverwrite(discordtest.DefaultAppID, "", []*discordgo.ApplicationCommand{
		{Name: "Squint", Description: "upper case is not allowed"},
	})
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Response.StatusCode != 400 || rest.Message == nil || rest.Message.Code != 50035 {
		t.Fatalf("err = %v, want a 400 REST error with code 50035", err)
	}
	if v := fake.Violations(); len(v) != 1 {
		t.Errorf("violations = %v, want 1", v)
	}
	if fake.CommandPuts() != 0 || len(fake.Commands("")) != 0 {
		t.Errorf("an invalid overwrite was stored")
	}
}

func TestSessionOpenFailsOnClose4004(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts []discordtest.Option
	}{
		{"hook", []discordtest.Option{discordtest.WithCloseOnIdentify(4004)}},
		{"wrong token", []discordtest.Option{discordtest.WithToken("right")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t, tt.opts...)
			s := newSession(t, fake, "wrong")
			err := s.Open()
			t.Cleanup(func() { s.Close() })
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != 4004 {
				t.Fatalf("Open = %v, want close 4004", err)
			}
			if fake.Identifies() != 1 {
				t.Errorf("Identifies = %d, want 1", fake.Identifies())
			}
		})
	}
}

func TestSessionResumeAfterDrop(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	fake := discordtest.New(t)
	s := newSession(t, fake, "tok")
	s.ShouldReconnectOnError = true
	resumed := make(chan struct{}, 1)
	s.AddHandler(func(*discordgo.Session, *discordgo.Resumed) { resumed <- struct{}{} })
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := fake.WaitIdentify(ctx); err != nil {
		t.Fatal(err)
	}
	// discordgo sends its first heartbeat right after Open. If the drop made that write fail too,
	// its heartbeat and listen goroutines would both reconnect, racing inside discordgo.
	if err := fake.WaitHeartbeats(ctx, 1); err != nil {
		t.Fatal(err)
	}
	fake.DropGateway()
	r, err := fake.WaitResume(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Accepted || r.Seq != 1 || r.SessionID == "" {
		t.Errorf("RESUME = %+v, want accepted at seq 1", r)
	}
	select {
	case <-resumed:
	case <-ctx.Done():
		t.Fatal("no RESUMED")
	}
	if fake.Identifies() != 1 || fake.Resumes() != 1 {
		t.Errorf("identifies %d resumes %d, want 1 and 1", fake.Identifies(), fake.Resumes())
	}
}
