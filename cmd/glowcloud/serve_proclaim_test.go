package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// wait waits d of real time: the replicas' acceptance tests count posts
// over real seconds, since their serve processes share no clock.
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

// TestServeProclaimEndToEnd: serve with the HTTP interactions endpoint and
// a token, REST pointed at a fake Discord, GLOWCLOUD_PROCLAIM_MIN=1s, and
// its proclamations on a clock the test steps (steppedClock). A member
// without Manage Server is refused and nothing is stored; an admin's
// /proclaim start every:2s gives exactly 10 posts in 20 s of that clock,
// each valid against Discord's spec (the fake checks them) and dressed as
// /glowcloud is; /hush for:1h stops them, for:off brings them back,
// /proclaim stop ends them. Stepping the clock, rather than counting posts
// over real seconds, makes the counts exact and the test take a second.
func TestServeProclaimEndToEnd(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(proclaimToken))
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := newSteppedClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	srv := startServeWith(t, map[string]string{
		"DISCORD_TOKEN":          proclaimToken,
		"DISCORD_PUBLIC_KEY":     hex.EncodeToString(pub),
		"GLOWCLOUD_HTTP_ADDR":    "127.0.0.1:0",
		"DISCORD_API_BASE":       fake.URL(),
		"GLOWCLOUD_PROCLAIM_MIN": "1s",
		"GLOWCLOUD_DATABASE":     filepath.Join(t.TempDir(), "glowcloud.db"),
		"GLOWCLOUD_LOG_FORMAT":   "json",
	}, func(e *environment) { e.clock = clock })
	defer srv.stop(t)
	base := srv.base
	channel := discordtest.DefaultChannelID
	posts := func() int { return len(fake.ChannelMessages(channel)) }
	// awaitPosts waits (real time) for the posts of the slots just handled.
	awaitPosts := func(want int, what string) {
		t.Helper()
		until(t, func() bool { return posts() >= want }, func() string { return fmt.Sprintf("%s: %d posts, want %d", what, posts(), want) })
	}

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

	// Ten posts in twenty seconds, one a slot.
	got = answer(t, base, priv, adminCommand(fake, adminPermissions, "start", map[string]string{"every": "2s"}))
	if !strings.Contains(got, "every 2s") || !strings.Contains(got, "<#"+channel+">") {
		t.Fatalf("/proclaim start every:2s: %q", got)
	}
	clock.advance(t, 1900*time.Millisecond)
	if n := posts(); n != 0 {
		t.Errorf("%d posts before the first slot is due", n)
	}
	clock.advance(t, 100*time.Millisecond)
	awaitPosts(1, "the first slot")
	for i := 2; i <= 10; i++ {
		clock.advance(t, 2*time.Second)
		awaitPosts(i, "slot "+strconv.Itoa(i))
	}
	if n := posts(); n != 10 {
		t.Errorf("%d posts in 20 s at every:2s, want 10", n)
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

	// Hushed: each slot is skipped, and counted as hushed.
	got = answer(t, base, priv, adminCommand(fake, adminPermissions, "", map[string]string{"for": "1h"}))
	if !strings.Contains(got, "Hushed for 1h") {
		t.Errorf("/hush for:1h: %q", got)
	}
	hushedMetric := `glowcloud_proclamations_total{result="hushed"}`
	for i := 1; i <= 3; i++ {
		clock.advance(t, 2*time.Second)
		until(t, func() bool { return metric(t, base, hushedMetric) >= float64(i) }, func() string {
			return fmt.Sprintf("hushed slot %d: %s is %v", i, hushedMetric, metric(t, base, hushedMetric))
		})
	}
	if n := posts(); n != 10 {
		t.Errorf("%d posts while hushed for 6 s, want none", n-10)
	}
	if list := answer(t, base, priv, adminCommand(fake, adminPermissions, "list", nil)); !strings.Contains(list, "Hushed until") {
		t.Errorf("/proclaim list does not show the hush: %q", list)
	}

	// Unhushed: they come back.
	if got := answer(t, base, priv, adminCommand(fake, adminPermissions, "", map[string]string{"for": "off"})); !strings.Contains(got, "hush is lifted") {
		t.Errorf("/hush for:off: %q", got)
	}
	for i := 1; i <= 2; i++ {
		clock.advance(t, 2*time.Second)
		awaitPosts(10+i, "after /hush for:off")
	}

	// Stopped: they end.
	if got := answer(t, base, priv, adminCommand(fake, adminPermissions, "stop", nil)); !strings.Contains(got, "have stopped") {
		t.Errorf("/proclaim stop: %q", got)
	}
	clock.advance(t, 4*time.Second)
	if n := posts(); n != 12 {
		t.Errorf("%d posts after /proclaim stop, want none", n-12)
	}

	if p := metric(t, base, `glowcloud_proclamations_total{result="posted"}`); p != 12 {
		t.Errorf("glowcloud_proclamations_total{result=\"posted\"} = %v, want 12", p)
	}
	if h := metric(t, base, hushedMetric); h != 3 {
		t.Errorf("%s = %v, want 3", hushedMetric, h)
	}
	if unhandled := fake.Unhandled(); len(unhandled) > 0 {
		t.Errorf("serve made %d requests the fake does not know, first %s %s", len(unhandled), unhandled[0].Method, unhandled[0].Path)
	}
}

// until waits, in real time, up to 10 s for cond, and else fails the test
// with what() says.
func until(t *testing.T, cond func() bool, what func() string) {
	t.Helper()
	for start := time.Now(); !cond(); <-time.After(5 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatal(what())
		}
	}
}

// steppedClock is serve's proclamation clock in TestServeProclaimEndToEnd.
// Its time moves only when the test advances it, from one pending After to
// the next, so the Runner polls at every instant it asked for and no other:
// what fires is a matter of the schedule, not of how busy the machine is.
type steppedClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []clockWaiter
}

type clockWaiter struct {
	at time.Time
	c  chan time.Time
}

func newSteppedClock(start time.Time) *steppedClock { return &steppedClock{now: start} }

// Now returns the clock's time.
func (c *steppedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After fires when the clock has been advanced d past now.
func (c *steppedClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, clockWaiter{c.now.Add(d), ch})
	return ch
}

// armed reports whether something waits for a time after now: the Runner,
// once it has finished its poll at now.
func (c *steppedClock) armed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.ContainsFunc(c.waiters, func(w clockWaiter) bool { return w.at.After(c.now) })
}

// advance moves the clock d forward, stopping at each pending After on
// the way to fire it and waiting (real time) until the Runner waits again,
// so that every poll it asked for happens, at its time.
func (c *steppedClock) advance(t *testing.T, d time.Duration) {
	t.Helper()
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		until(t, c.armed, func() string { return "nothing waits on the proclamations' clock" })
		c.mu.Lock()
		next := slices.MinFunc(c.waiters, func(a, b clockWaiter) int { return a.at.Compare(b.at) }).at
		if next.After(end) {
			c.now = end
			c.mu.Unlock()
			return
		}
		c.now = next
		c.waiters = slices.DeleteFunc(c.waiters, func(w clockWaiter) bool {
			if w.at.After(next) {
				return false
			}
			w.c <- next
			return true
		})
		c.mu.Unlock()
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
