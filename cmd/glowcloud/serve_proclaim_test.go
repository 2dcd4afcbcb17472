package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/internal/discordtest"
)

const (
	proclaimToken = "NzkyNzE1NDU0MTk2MDg4ODQy.X-hvzA.Ovy4MCQywSkoMRRclStW4xAYK7I"
	// adminPermissions is the fake's member permissions plus Manage Server.
	adminPermissions  = "2248473465835105"
	memberPermissions = "2248473465835073" // the fake's default: no Manage Server
)

// adminCommand is a signed interaction of /proclaim SUB or /hush (sub ""),
// filled in by the fake as Discord would send it, from a member with perms.
func adminCommand(fake *discordtest.Server, perms, sub string, opts map[string]string) string {
	var options []any
	for k, v := range opts {
		typ := 3
		if k == "channel" {
			typ = 7
		}
		options = append(options, map[string]any{"name": k, "type": typ, "value": v})
	}
	data := map[string]any{"name": "hush", "type": 1, "options": options}
	if sub != "" {
		data = map[string]any{"name": "proclaim", "type": 1, "options": []any{
			map[string]any{"name": sub, "type": 1, "options": options}}}
	}
	i := fake.FillInteraction(map[string]any{"data": data, "member": map[string]any{"permissions": perms}})
	b, err := json.Marshal(i)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// answer posts a signed interaction to serve and returns the content of its
// inline reply, which must be ephemeral and valid against Discord's spec.
func answer(t *testing.T, base string, priv ed25519.PrivateKey, body string) string {
	t.Helper()
	code, resp := signedPost(t, base, priv, body)
	if code != http.StatusOK {
		t.Fatalf("interaction answered %d: %s", code, resp)
	}
	if err := discordtest.CheckInteractionResponse([]byte(resp)); err != nil {
		t.Errorf("reply does not validate: %v\n%s", err, resp)
	}
	var cb struct {
		Type int
		Data struct {
			Content string
			Flags   int
		}
	}
	if err := json.Unmarshal([]byte(resp), &cb); err != nil {
		t.Fatal(err)
	}
	if cb.Type != 4 || cb.Data.Flags&64 == 0 {
		t.Errorf("reply %s, want an ephemeral message (type 4, flags 64)", resp)
	}
	return cb.Data.Content
}

// wait waits d of real time: the acceptance test counts posts over
// real seconds, since serve takes no injected clock.
func wait(d time.Duration) { <-time.After(d) }

// metric returns the value of a sample in serve's /metrics, 0 if absent.
func metric(t *testing.T, base, sample string) float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile("(?m)^" + regexp.QuoteMeta(sample) + ` (\S+)$`).FindSubmatch(b)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}

// TestServeProclaimEndToEnd is issue 9's acceptance test: serve with the
// HTTP interactions endpoint and a token, REST pointed at a fake Discord and
// GLOWCLOUD_PROCLAIM_MIN=1s. A member without Manage Server is refused and
// nothing is stored; an admin's /proclaim start every:2s gives 10 ± 1 posts
// in 20 s, each valid against Discord's spec (the fake checks them) and
// dressed as /glowcloud is; /hush for:1h stops them, for:off brings them
// back, /proclaim stop ends them. It takes about 35 s of real time.
func TestServeProclaimEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("waits ~35 s of real time for a schedule to fire: run without -short")
	}
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(proclaimToken))
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, map[string]string{
		"DISCORD_TOKEN":          proclaimToken,
		"DISCORD_PUBLIC_KEY":     hex.EncodeToString(pub),
		"GLOWCLOUD_HTTP_ADDR":    "127.0.0.1:0",
		"DISCORD_API_BASE":       fake.URL(),
		"GLOWCLOUD_PROCLAIM_MIN": "1s",
		"GLOWCLOUD_DATABASE":     filepath.Join(t.TempDir(), "glowcloud.db"),
		"GLOWCLOUD_LOG_FORMAT":   "json",
	})
	defer srv.stop(t)
	base := srv.base
	channel := discordtest.DefaultChannelID
	posts := func() int { return len(fake.ChannelMessages(channel)) }

	var registered map[string]any
	for _, c := range fake.Commands("") {
		if c["name"] == "proclaim" {
			registered = c
		}
	}
	if registered == nil || registered["default_member_permissions"] != "32" {
		t.Fatalf("/proclaim registered as %v, want default_member_permissions \"32\"", registered)
	}

	// A member without Manage Server, whom the server let use the command.
	got := answer(t, base, priv, adminCommand(fake, memberPermissions, "start", map[string]string{"every": "2s"}))
	if !strings.Contains(got, "Only members with the Manage Server permission") {
		t.Errorf("a member without Manage Server got %q, want a polite refusal", got)
	}
	got = answer(t, base, priv, adminCommand(fake, adminPermissions, "list", nil))
	if !strings.Contains(got, "No proclamations are scheduled") {
		t.Fatalf("after the refusal, /proclaim list says %q: something was stored", got)
	}
	if got := answer(t, base, priv, adminCommand(fake, adminPermissions, "start", map[string]string{"every": "500ms"})); !strings.Contains(got, "shorter than 1s") {
		t.Errorf("every:500ms below GLOWCLOUD_PROCLAIM_MIN=1s: %q", got)
	}

	// Ten posts in twenty seconds.
	got = answer(t, base, priv, adminCommand(fake, adminPermissions, "start", map[string]string{"every": "2s"}))
	start := time.Now()
	if !strings.Contains(got, "every 2s") || !strings.Contains(got, "<#"+channel+">") {
		t.Fatalf("/proclaim start every:2s: %q", got)
	}
	wait(time.Until(start.Add(20 * time.Second)))
	n := posts()
	var at []string
	for _, r := range fake.Requests() {
		if strings.Contains(r.Path, "/channels/") {
			at = append(at, r.At.Sub(start).Round(10*time.Millisecond).String())
		}
	}
	// The tenth slot falls due at +20 s itself, so 9 or 10 are counted.
	t.Logf("%d posts in 20 s, at +%s", n, strings.Join(at, " +"))
	if n < 9 || n > 11 {
		t.Errorf("%d posts in 20 s at every:2s, want 10 ± 1", n)
	}
	for i, m := range fake.ChannelMessages(channel) {
		raw, _ := json.Marshal(m)
		if err := discordtest.CheckChannelMessage(raw); err != nil {
			t.Errorf("post %d: %v", i, err)
		}
		if s := string(raw); !strings.Contains(s, `"allowed_mentions":{"parse":[]`) ||
			!strings.Contains(s, "ALL HAIL THE GLOW CLOUD") || !strings.Contains(s, `"label":"Hail again"`) {
			t.Errorf("post %d is not a /glowcloud reply with its button and no mentions: %.300s", i, s)
		}
	}

	// Hushed: nothing more.
	got = answer(t, base, priv, adminCommand(fake, adminPermissions, "", map[string]string{"for": "1h"}))
	if !strings.Contains(got, "Hushed for 1h") {
		t.Errorf("/hush for:1h: %q", got)
	}
	wait(300 * time.Millisecond) // a post claimed before the hush lands
	hushed := posts()
	wait(5 * time.Second)
	if n := posts(); n != hushed {
		t.Errorf("%d posts while hushed for 5 s, want none", n-hushed)
	}
	if list := answer(t, base, priv, adminCommand(fake, adminPermissions, "list", nil)); !strings.Contains(list, "Hushed until") {
		t.Errorf("/proclaim list does not show the hush: %q", list)
	}

	// Unhushed: they come back.
	if got := answer(t, base, priv, adminCommand(fake, adminPermissions, "", map[string]string{"for": "off"})); !strings.Contains(got, "hush is lifted") {
		t.Errorf("/hush for:off: %q", got)
	}
	wait(4500 * time.Millisecond)
	if n := posts(); n < hushed+1 {
		t.Errorf("no posts in 4.5 s after /hush for:off")
	}

	// Stopped: they end.
	if got := answer(t, base, priv, adminCommand(fake, adminPermissions, "stop", nil)); !strings.Contains(got, "have stopped") {
		t.Errorf("/proclaim stop: %q", got)
	}
	wait(300 * time.Millisecond)
	stopped := posts()
	wait(4500 * time.Millisecond)
	if n := posts(); n != stopped {
		t.Errorf("%d posts after /proclaim stop, want none", n-stopped)
	}
	t.Logf("posts: %d in the first 20 s, %d in all", n, stopped)

	if p := metric(t, base, `glowcloud_proclamations_total{result="posted"}`); int(p) != stopped {
		t.Errorf("glowcloud_proclamations_total{result=\"posted\"} = %v, want %d", p, stopped)
	}
	if h := metric(t, base, `glowcloud_proclamations_total{result="hushed"}`); h < 2 {
		t.Errorf("glowcloud_proclamations_total{result=\"hushed\"} = %v, want at least 2", h)
	}
	if unhandled := fake.Unhandled(); len(unhandled) > 0 {
		t.Errorf("serve made %d requests the fake does not know, first %s %s", len(unhandled), unhandled[0].Method, unhandled[0].Path)
	}
}

// TestServeRefusesNewerDatabase: a database from a newer glowcloud stops
// serve at start with an error that says so, and is left as it was.
func TestServeRefusesNewerDatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "glowcloud.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	env := map[string]string{
		"DISCORD_PUBLIC_KEY":  hex.EncodeToString(pub),
		"GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0",
		"GLOWCLOUD_DATABASE":  path,
	}
	var stderr syncBuffer
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second) // a serve that starts returns nil then
	defer cancel()
	err = run(ctx, []string{"serve"}, func(k string) string { return env[k] }, nil, io.Discard, &stderr)
	if code := exitCode(err, &stderr); code != 1 || !strings.Contains(stderr.String(), "database is from a newer glowcloud") ||
		!strings.Contains(stderr.String(), "schema version is 99") {
		t.Errorf("exit %d, stderr %q; want 1 and the newer database named", code, stderr.String())
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Errorf("the refused database was changed")
	}
}
