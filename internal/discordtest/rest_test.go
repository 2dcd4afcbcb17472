package discordtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/internal/discordtest"
)

func do(t *testing.T, c *http.Client, method, url, auth, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestRESTUnknownRouteAndRecording(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	status, _ := do(t, fake.Client(), "GET", "https://discord.com/api/v9/users/@me", "Bot very-secret", "")
	if status != http.StatusNotFound {
		t.Errorf("unknown route status = %d, want 404", status)
	}
	u := fake.Unhandled()
	if len(u) != 1 || u[0].Path != "/api/v9/users/@me" || u[0].Host != "discord.com" {
		t.Fatalf("Unhandled = %+v", u)
	}
	if a := u[0].Header.Get("Authorization"); a != "Bot [redacted]" {
		t.Errorf("recorded Authorization = %q, want it redacted", a)
	}
	if len(fake.Violations()) != 0 {
		t.Errorf("an unknown route counted as a violation")
	}
	// The plain origin works with any client, for DISCORD_API_BASE.
	status, body := do(t, http.DefaultClient, "GET", fake.URL()+"/api/v9/gateway", "", "")
	if status != 200 || !strings.Contains(body, fake.GatewayURL()) {
		t.Errorf("GET %s/api/v9/gateway = %d %s", fake.URL(), status, body)
	}
	if reqs := fake.Requests(); len(reqs) != 2 || reqs[1].Status != 200 {
		t.Errorf("Requests = %+v, want 2 with the second answered 200", reqs)
	}
}

func TestRESTAuthorization(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken("good"))
	url := "https://discord.com/api/v9/applications/" + discordtest.DefaultAppID + "/commands"
	for _, tt := range []struct {
		auth string
		want int
	}{
		{"", 401}, {"Bot bad", 401}, {"Bearer good", 401}, {"Bot good", 200},
	} {
		if status, _ := do(t, fake.Client(), "GET", url, tt.auth, ""); status != tt.want {
			t.Errorf("GET commands with %q = %d, want %d", tt.auth, status, tt.want)
		}
	}
	status, body := do(t, fake.Client(), "GET", "https://discord.com/api/v9/gateway/bot", "Bot good", "")
	if status != 200 || !strings.Contains(body, `"max_concurrency":1`) {
		t.Errorf("GET /gateway/bot = %d %s", status, body)
	}
}

func TestRESTWrongApplicationID(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithReportOnly())
	status, body := do(t, fake.Client(), "PUT", "https://discord.com/api/v9/applications/999/commands", "Bot x", "[]")
	if status != http.StatusForbidden || !strings.Contains(body, "20012") {
		t.Errorf("PUT with a foreign app id = %d %s, want 403 code 20012", status, body)
	}
	status, _ = do(t, fake.Client(), "PATCH", "https://discord.com/api/v9/webhooks/999/tok/messages/@original", "", `{"content":"x","allowed_mentions":{"parse":[]}}`)
	if status != http.StatusNotFound {
		t.Errorf("PATCH with a foreign app id = %d, want 404", status)
	}
	if v := fake.Violations(); len(v) != 2 {
		t.Errorf("Violations = %v, want 2", v)
	}
}

func TestRESTFailNext(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	s, err := discordgo.New("Bot x")
	if err != nil {
		t.Fatal(err)
	}
	s.Client = fake.Client()
	fake.FailNext("GET", "/api/v9/gateway", http.StatusTooManyRequests, `{"message":"You are being rate limited.","retry_after":0.01,"global":false}`)
	gw, err := s.Gateway() // discordgo waits retry_after and retries
	if err != nil || !strings.HasPrefix(gw, fake.GatewayURL()) {
		t.Errorf("Gateway after a 429 = %q, %v", gw, err)
	}
	fake.FailNext("", "/api/v9/gateway", http.StatusInternalServerError, `{"message":"boom","code":0}`)
	if _, err := s.Gateway(); err == nil {
		t.Error("Gateway after a 500 = nil error")
	}
	if n := len(fake.Requests()); n != 3 {
		t.Errorf("requests = %d, want 3", n)
	}
}

func TestRESTServeFile(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	u := fake.ServeFile("corpus part 1.txt", []byte("the glow cloud"), "text/plain; charset=utf-8")
	if !strings.HasPrefix(u, fake.URL()+"/attachments/") {
		t.Fatalf("url = %q", u)
	}
	for _, tt := range []struct {
		client *http.Client
		url    string
	}{
		{http.DefaultClient, u},
		{fake.Client(), "https://cdn.discordapp.com" + strings.TrimPrefix(u, fake.URL())},
	} {
		status, body := do(t, tt.client, "GET", tt.url, "", "")
		if status != 200 || body != "the glow cloud" {
			t.Errorf("GET %s = %d %q", tt.url, status, body)
		}
	}
	if status, _ := do(t, http.DefaultClient, "GET", fake.URL()+"/attachments/1/2/missing.txt", "", ""); status != 404 {
		t.Errorf("missing file status = %d, want 404", status)
	}
	a := fake.Attachment("more.md", []byte("# hail"), "text/markdown")
	if a["filename"] != "more.md" || a["size"] != 6 || a["url"] == "" {
		t.Errorf("Attachment = %v", a)
	}
	var att discordgo.MessageAttachment
	if err := json.Unmarshal(mustJSON(t, a), &att); err != nil || att.URL == "" || att.Size != 6 {
		t.Errorf("attachment does not decode as discordgo.MessageAttachment: %+v, %v", att, err)
	}
}

func TestRESTCallbackRules(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithReportOnly())
	c := fake.Client()
	i := fake.FillInteraction(map[string]any{"data": map[string]any{"name": "squint"}})
	id, token := i["id"].(string), i["token"].(string)
	cbURL := "https://discord.com/api/v9/interactions/" + id + "/"
	good := `{"type":4,"data":{"content":"hi","allowed_mentions":{"parse":[]}}}`

	if status, body := do(t, c, "POST", cbURL+"wrong-token/callback", "", good); status != 401 || !strings.Contains(body, "50027") {
		t.Errorf("wrong token = %d %s, want 401 50027", status, body)
	}
	if status, body := do(t, c, "POST", cbURL+token+"/callback", "", `{"type":8,"data":{"choices":[]}}`); status != 400 || !strings.Contains(body, "50035") {
		t.Errorf("autocomplete result for a command = %d %s, want 400", status, body)
	}
	if status, _ := do(t, c, "POST", cbURL+token+"/callback", "", good); status != 204 {
		t.Errorf("good callback = %d, want 204", status)
	}
	if status, body := do(t, c, "POST", cbURL+token+"/callback", "", good); status != 400 || !strings.Contains(body, "40060") {
		t.Errorf("second callback = %d %s, want 400 40060", status, body)
	}
	status, body := do(t, c, "GET", "https://discord.com/api/v9/webhooks/"+discordtest.DefaultAppID+"/"+token+"/messages/@original", "", "")
	if status != 200 || !strings.Contains(body, `"content":"hi"`) {
		t.Errorf("GET @original = %d %s", status, body)
	}
	cbs := fake.Callbacks()
	if len(cbs) != 4 || cbs[2].Err != nil || cbs[0].Err == nil || cbs[1].Err == nil || cbs[3].Err == nil {
		t.Errorf("Callbacks = %+v, want 4 with only the third accepted", cbs)
	}
	if n := len(fake.Violations()); n != 3 {
		t.Errorf("Violations = %d, want 3", n)
	}
}

func TestRESTMultipartCallback(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	s, err := discordgo.New("Bot x")
	if err != nil {
		t.Fatal(err)
	}
	s.Client = fake.Client()
	i := fake.FillInteraction(map[string]any{"data": map[string]any{"name": "manifesto"}})
	var ic discordgo.Interaction
	if err := json.Unmarshal(mustJSON(t, i), &ic); err != nil {
		t.Fatal(err)
	}
	err = s.InteractionRespond(&ic, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content:         "attached",
			AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
			Files:           []*discordgo.File{{Name: "manifesto.txt", ContentType: "text/plain", Reader: bytes.NewReader([]byte("hail"))}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	cbs := fake.Callbacks()
	if len(cbs) != 1 || cbs[0].Files != 1 || cbs[0].Data["content"] != "attached" {
		t.Errorf("Callbacks = %+v", cbs)
	}
}

func TestFillInteractionDecodes(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	for _, tt := range []struct {
		name  string
		in    map[string]any
		check func(*discordgo.Interaction) bool
	}{
		{"command in guild", map[string]any{}, func(i *discordgo.Interaction) bool {
			return i.Type == discordgo.InteractionApplicationCommand && i.Member.User.ID == discordtest.DefaultUserID &&
				i.ApplicationCommandData().Name == "glowcloud" && i.AuthorizingIntegrationOwners[0] == discordtest.DefaultGuildID
		}},
		{"command in DM", map[string]any{"user": map[string]any{"id": "42"}}, func(i *discordgo.Interaction) bool {
			return i.Member == nil && i.User.ID == "42" && i.User.Username == "squinter" && i.GuildID == "" &&
				i.Context == discordgo.InteractionContextBotDM
		}},
		{"member override keeps defaults", map[string]any{"member": map[string]any{"user": map[string]any{"id": "7"}, "permissions": "32"}}, func(i *discordgo.Interaction) bool {
			return i.Member.User.ID == "7" && i.Member.User.Username == "squinter" && i.Member.Permissions == 32
		}},
		{"button", map[string]any{"type": 3, "data": map[string]any{"custom_id": "again:squint:1"}}, func(i *discordgo.Interaction) bool {
			return i.MessageComponentData().CustomID == "again:squint:1" && i.Message != nil && i.Message.Author.Bot
		}},
		{"autocomplete", map[string]any{"type": 4, "data": map[string]any{"name": "manifesto"}}, func(i *discordgo.Interaction) bool {
			return i.ApplicationCommandData().Name == "manifesto"
		}},
		{"modal submit", map[string]any{"type": 5, "data": map[string]any{"custom_id": "m"}}, func(i *discordgo.Interaction) bool {
			return i.ModalSubmitData().CustomID == "m"
		}},
		{"ping", map[string]any{"type": 1}, func(i *discordgo.Interaction) bool {
			return i.Type == discordgo.InteractionPing && i.Member == nil && i.Token != ""
		}},
		{"given ids win", map[string]any{"id": "55", "token": "tok55", "guild_id": "66"}, func(i *discordgo.Interaction) bool {
			return i.ID == "55" && i.Token == "tok55" && i.GuildID == "66" && i.AuthorizingIntegrationOwners[0] == "66"
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := fake.FillInteraction(tt.in)
			var i discordgo.Interaction
			if err := json.Unmarshal(mustJSON(t, m), &i); err != nil {
				t.Fatalf("decode %v: %v", m, err)
			}
			if i.ID == "" || i.AppID != discordtest.DefaultAppID || i.Version != 1 || !tt.check(&i) {
				t.Errorf("interaction = %+v", i)
			}
		})
	}
}

// TestRESTEffectImpliesRequest checks that once a wait sees a request's effect (WaitCallback,
// WaitEdit), Requests already lists that request with its status, and Violations its violation:
// the fake records them together, before it answers.
func TestRESTEffectImpliesRequest(t *testing.T) {
	t.Parallel()
	const n = 40
	ctx := testContext(t)
	fake := discordtest.New(t, discordtest.WithReportOnly())
	c := fake.Client()
	good := `{"type":5,"data":{"flags":0}}`
	bad := `{"type":4,"data":{"content":"no allowed_mentions"}}`
	edit := `{"content":"hi","allowed_mentions":{"parse":[]}}`
	has := func(method, path string, status int) bool {
		for _, r := range fake.Requests() {
			if r.Method == method && r.Path == path && r.Status == status {
				return true
			}
		}
		return false
	}
	for i := range n {
		in := fake.FillInteraction(map[string]any{"data": map[string]any{"name": "squint"}})
		id, token := in["id"].(string), in["token"].(string)
		cbPath := "/api/v9/interactions/" + id + "/" + token + "/callback"
		editPath := "/api/v9/webhooks/" + discordtest.DefaultAppID + "/" + token + "/messages/@original"
		body, wantStatus := good, http.StatusNoContent
		if i%2 == 1 {
			body, wantStatus = bad, http.StatusBadRequest
		}
		violations := len(fake.Violations())
		sent := make(chan struct{})
		go func() {
			defer close(sent)
			// Errors show up below as a missing callback or edit.
			_, _ = doQuiet(c, "POST", "https://discord.com"+cbPath, body)
			if wantStatus == http.StatusNoContent {
				_, _ = doQuiet(c, "PATCH", "https://discord.com"+editPath, edit)
			}
		}()
		_, err := fake.WaitCallback(ctx, id)
		if (err != nil) != (wantStatus != http.StatusNoContent) {
			t.Fatalf("interaction %d: WaitCallback = %v", i, err)
		}
		if !has("POST", cbPath, wantStatus) {
			t.Errorf("interaction %d: WaitCallback returned, but Requests lacks the callback answered %d", i, wantStatus)
		}
		if err != nil && len(fake.Violations()) <= violations {
			t.Errorf("interaction %d: callback rejected (%v), but Violations lacks it", i, err)
		}
		if wantStatus == http.StatusNoContent {
			if _, err := fake.WaitEdit(ctx, token); err != nil {
				t.Fatal(err)
			}
			if !has("PATCH", editPath, http.StatusOK) {
				t.Errorf("interaction %d: WaitEdit returned, but Requests lacks the edit", i)
			}
		}
		<-sent
	}
}

// doQuiet is do for goroutines other than the test's: it returns errors instead of failing.
func doQuiet(c *http.Client, method, url, body string) (int, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}
