package httpapi_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
	"github.com/glowcloud/glowcloud/bot/httpapi"
	"github.com/glowcloud/glowcloud/bot/metrics"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/internal/discordtest"
)

// coreHTTP is an HTTP endpoint under test with its signing key and fakes.
type coreHTTP struct {
	bot     *bot.Bot
	priv    ed25519.PrivateKey
	now     time.Time
	handler *httpapi.Handler
	fake    *discordtest.Server
	metrics *metrics.Metrics
}

// newCoreHTTP returns the HTTP endpoint of a Bot configured by cfg, with a
// fresh signing key and a fake Discord for its follow-ups.
//
// Unless cfg sets DeferAfter, answers are deferred only after a minute, so
// that these tests, on a loaded machine and under the race detector, get
// every answer inline whatever the wall clock does; TestHTTPDeadline holds
// the endpoint to Discord's 3 s on synctest's clock instead.
func newCoreHTTP(t testing.TB, cfg bot.Config, health func() (bool, map[string]any)) *coreHTTP {
	t.Helper()
	if cfg.DeferAfter == 0 {
		cfg.DeferAfter = time.Minute
	}
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	fake := discordtest.New(t)
	followups, err := discordgo.New("")
	if err != nil {
		t.Fatal(err)
	}
	followups.Client = fake.Client()
	h := &coreHTTP{priv: priv, now: time.Unix(1_780_000_000, 0), fake: fake, metrics: metrics.New()}
	cfg.Metrics = h.metrics
	h.bot = bottest.NewBot(cfg)
	h.handler = httpapi.New(h.bot, httpapi.Config{
		PublicKey: pub,
		Followups: followups,
		Health:    health,
		Metrics:   h.metrics.Handler(),
		Recorder:  h.metrics,
		Log:       cfg.Logger,
		Now:       func() time.Time { return h.now },
	})
	return h
}

// signed returns a POST /interactions request signed at ts.
func (h *coreHTTP) signed(body []byte, ts time.Time) *http.Request {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	sig := ed25519.Sign(h.priv, append([]byte(stamp), body...))
	r := httptest.NewRequest(http.MethodPost, "/interactions", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	r.Header.Set("X-Signature-Timestamp", stamp)
	return r
}

func (h *coreHTTP) serve(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, r)
	return rec
}

// interaction returns the JSON of a realistic interaction built from i.
func (h *coreHTTP) interaction(t testing.TB, i map[string]any) []byte {
	t.Helper()
	body, err := json.Marshal(h.fake.FillInteraction(i))
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func command(name string, opts ...any) map[string]any {
	var options []any
	for i := 0; i+1 < len(opts); i += 2 {
		typ := 3
		if _, ok := opts[i+1].(string); !ok {
			typ = 4
		}
		options = append(options, map[string]any{"name": opts[i], "type": typ, "value": opts[i+1]})
	}
	data := map[string]any{"name": name}
	if options != nil {
		data["options"] = options
	}
	return map[string]any{"type": 2, "data": data}
}

// autocomplete is the interaction Discord sends while option is typed.
func autocomplete(name, option, typed string) map[string]any {
	i := command(name, option, typed)
	i["type"] = 4
	opts := i["data"].(map[string]any)["options"].([]any)
	opts[0].(map[string]any)["focused"] = true
	return i
}

func button(customID string) map[string]any {
	return map[string]any{"type": 3, "data": map[string]any{"custom_id": customID, "component_type": 2}}
}

// decodeResponse checks an interaction response body against Discord's
// schema and rules and decodes it.
func decodeResponse(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	body := rec.Body.Bytes()
	if err := discordtest.CheckInteractionResponse(body); err != nil {
		t.Errorf("response %s is invalid: %v", body, err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestHTTPInteractions(t *testing.T) {
	t.Parallel()
	type check func(t *testing.T, resp map[string]any)
	wantType := func(typ float64) check {
		return func(t *testing.T, resp map[string]any) {
			if resp["type"] != typ {
				t.Errorf("type = %v, want %v", resp["type"], typ)
			}
		}
	}
	ephemeralSaying := func(s string) check {
		return func(t *testing.T, resp map[string]any) {
			data, _ := resp["data"].(map[string]any)
			if data["flags"] != float64(64) || !strings.Contains(fmt.Sprint(data["content"]), s) {
				t.Errorf("want an ephemeral %q, got %v", s, resp)
			}
		}
	}
	containing := func(s ...string) check {
		return func(t *testing.T, resp map[string]any) {
			body, _ := json.Marshal(resp)
			for _, w := range s {
				if !strings.Contains(string(body), w) {
					t.Errorf("response %s lacks %s", body, w)
				}
			}
		}
	}
	choices := func(want ...string) check {
		return func(t *testing.T, resp map[string]any) {
			data, _ := resp["data"].(map[string]any)
			list, _ := data["choices"].([]any)
			var got []string
			for _, c := range list {
				m, _ := c.(map[string]any)
				got = append(got, fmt.Sprint(m["value"]))
			}
			if !slices.Equal(got, want) {
				t.Errorf("choices %v, want %v", got, want)
			}
		}
	}
	for _, tt := range []struct {
		name   string
		i      map[string]any
		checks []check
	}{
		{"ping", map[string]any{"type": 1}, []check{func(t *testing.T, resp map[string]any) {
			if len(resp) != 1 || resp["type"] != float64(1) {
				t.Errorf(`PING answer = %v, want {"type":1}`, resp)
			}
		}}},
		{"manifesto", command("manifesto", "topic", "robots", "paragraphs", 2, "seed", 12345), []check{wantType(4), containing(
			`"title":"Manifesto of robots"`, `seed=12345 topic=robots paragraphs=2`,
			`"footer":{"text":"seed 12345 · model 3fa2c9e1 · /manifesto topic:robots paragraphs:2 seed:12345 to summon it again"}`,
			`"custom_id":"gc1|m|2|robots"`, `"allowed_mentions":{"parse":[]`)}},
		{"squint", command("squint", "thing", "the tea party"), []check{wantType(4), containing("the tea party is anarchist", `"custom_id":"gc1|s|the tea party"`)}},
		{"glowcloud", command("glowcloud"), []check{wantType(4), containing("ALL HAIL.")}},
		{"button", button("gc1|m|5|rent"), []check{wantType(4), containing("topic=rent paragraphs=5")}},
		{"garbled button", button("gc1|m|five|rent"), []check{wantType(4), ephemeralSaying("faded")}},
		{"unknown command", command("overthrow"), []check{wantType(4), ephemeralSaying("does not know that command")}},
		{"bad option", command("manifesto", "paragraphs", 99), []check{wantType(4), ephemeralSaying("from 1 to 5")}},
		{"option of the wrong type", command("squint", "thing", 12), []check{wantType(4), ephemeralSaying("thing must be text")}},
		{"modal submit", map[string]any{"type": 5, "data": map[string]any{"custom_id": "m", "components": []any{}}}, []check{wantType(4), ephemeralSaying("only answers")}},
		{"unknown type", map[string]any{"type": 99}, []check{wantType(4), ephemeralSaying("only answers")}},
		{"autocomplete topic", autocomplete("manifesto", "topic", "RO"), []check{wantType(8), choices("robots", "robust planning", "Rojava")}},
		{"autocomplete thing", autocomplete("squint", "thing", "the"), []check{wantType(8), choices("the tea party")}},
		{"autocomplete, nothing matches", autocomplete("manifesto", "topic", "zz"), []check{wantType(8), choices()}},
		{"autocomplete of an option that has none", autocomplete("manifesto", "paragraphs", "2"), []check{wantType(8), choices()}},
		{"DM", map[string]any{"type": 2, "user": map[string]any{"id": "42"}, "data": map[string]any{"name": "glowcloud"}}, []check{wantType(4), containing("ALL HAIL.")}},
		{"mentions", command("manifesto", "topic", "@everyone <@123> <@&456>"), []check{wantType(4),
			containing(`"allowed_mentions":{"parse":[]`, "@\u200beveryone"),
			func(t *testing.T, resp map[string]any) {
				data, _ := resp["data"].(map[string]any)
				shown, _ := json.Marshal([]any{data["content"], data["embeds"]}) // not the custom_id
				if strings.Contains(string(shown), "@everyone") {
					t.Errorf("@everyone not neutralised: %s", shown)
				}
			}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newCoreHTTP(t, bot.Config{}, nil)
			resp := decodeResponse(t, h.serve(h.signed(h.interaction(t, tt.i), h.now)))
			for _, c := range tt.checks {
				c(t, resp)
			}
		})
	}
}

func TestHTTPRejects(t *testing.T) {
	t.Parallel()
	h := newCoreHTTP(t, bot.Config{}, nil)
	ping := h.interaction(t, map[string]any{"type": 1})
	_, otherKey, _ := ed25519.GenerateKey(nil)

	for _, tt := range []struct {
		name   string
		req    func() *http.Request
		status int
		reason string // of glowcloud_http_rejected_total
	}{
		{"valid", func() *http.Request { return h.signed(ping, h.now) }, 200, ""},
		{"4 minutes old", func() *http.Request { return h.signed(ping, h.now.Add(-4*time.Minute)) }, 200, ""},
		{"4 minutes ahead", func() *http.Request { return h.signed(ping, h.now.Add(4*time.Minute)) }, 200, ""},
		{"stale", func() *http.Request { return h.signed(ping, h.now.Add(-6*time.Minute)) }, 401, "stale"},
		{"future", func() *http.Request { return h.signed(ping, h.now.Add(6*time.Minute)) }, 401, "stale"},
		{"wrong key", func() *http.Request {
			r := h.signed(ping, h.now)
			stamp := r.Header.Get("X-Signature-Timestamp")
			r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(otherKey, append([]byte(stamp), ping...))))
			return r
		}, 401, "signature"},
		{"missing signature", func() *http.Request {
			r := h.signed(ping, h.now)
			r.Header.Del("X-Signature-Ed25519")
			return r
		}, 401, "signature"},
		{"missing timestamp", func() *http.Request {
			r := h.signed(ping, h.now)
			r.Header.Del("X-Signature-Timestamp")
			return r
		}, 401, "signature"},
		{"signature not hex", func() *http.Request {
			r := h.signed(ping, h.now)
			r.Header.Set("X-Signature-Ed25519", "zz"+r.Header.Get("X-Signature-Ed25519")[2:])
			return r
		}, 401, "signature"},
		{"short signature", func() *http.Request {
			r := h.signed(ping, h.now)
			r.Header.Set("X-Signature-Ed25519", r.Header.Get("X-Signature-Ed25519")[:64])
			return r
		}, 401, "signature"},
		{"timestamp changed", func() *http.Request {
			r := h.signed(ping, h.now)
			r.Header.Set("X-Signature-Timestamp", strconv.FormatInt(h.now.Unix()+1, 10))
			return r
		}, 401, "signature"},
		{"body changed", func() *http.Request {
			r := h.signed(ping, h.now)
			r.Body = io.NopCloser(bytes.NewReader(bytes.Replace(ping, []byte(`"type":1`), []byte(`"type":2`), 1)))
			return r
		}, 401, "signature"},
		{"malformed JSON", func() *http.Request { return h.signed([]byte(`{"type":`), h.now) }, 400, "malformed"},
		{"not an object", func() *http.Request { return h.signed([]byte(`[1,2]`), h.now) }, 400, "malformed"},
		{"command without data", func() *http.Request { return h.signed([]byte(`{"type":2}`), h.now) }, 400, "malformed"},
		{"too large", func() *http.Request {
			return h.signed(append(append([]byte(`{"type":1,"x":"`), bytes.Repeat([]byte("a"), 256<<10)...), `"}`...), h.now)
		}, 413, "too_large"},
		{"GET", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/interactions", nil) }, 405, ""},
		{"PUT", func() *http.Request {
			return httptest.NewRequest(http.MethodPut, "/interactions", bytes.NewReader(ping))
		}, 405, ""},
		{"other path", func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "/interactionz", bytes.NewReader(ping))
		}, 404, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the rejection counter is shared.
			before := scrape(t, h.metrics)
			rec := h.serve(tt.req())
			if rec.Code != tt.status {
				t.Errorf("status = %d, want %d (%s)", rec.Code, tt.status, rec.Body)
			}
			if tt.status == 405 && rec.Header().Get("Allow") == "" {
				t.Errorf("405 without Allow")
			}
			if tt.reason != "" {
				metric := `glowcloud_http_rejected_total{reason="` + tt.reason + `"}`
				if counter(t, scrape(t, h.metrics), metric) != counter(t, before, metric)+1 {
					t.Errorf("%s not incremented", metric)
				}
			}
		})
	}
}

// counter returns a metric's value in a scrape (0 if absent).
func counter(t *testing.T, scraped, metric string) float64 {
	t.Helper()
	for line := range strings.Lines(scraped) {
		if v, ok := strings.CutPrefix(line, metric+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	return 0
}

// TestHTTPDeferred: a slow reply gets a type 5 answer inline, then the
// real reply arrives as a PATCH of @original at (fake) Discord.
func TestHTTPDeferred(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	h := newCoreHTTP(t, bot.Config{
		Writer:     func() bot.Writer { return bottest.BlockedWriter{Release: release} },
		DeferAfter: time.Millisecond,
	}, nil)
	body := h.interaction(t, command("glowcloud"))
	var in struct{ Token string }
	if err := json.Unmarshal(body, &in); err != nil {
		t.Fatal(err)
	}
	resp := decodeResponse(t, h.serve(h.signed(body, h.now)))
	if resp["type"] != float64(5) {
		t.Fatalf("inline answer = %v, want type 5", resp)
	}
	close(release)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	edit, err := h.fake.WaitEdit(ctx, in.Token)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(edit); !strings.Contains(string(b), "ALL HAIL. seed=1000") || !strings.Contains(string(b), `"allowed_mentions":{"parse":[]`) {
		t.Errorf("edit = %s", b)
	}
	if v := h.fake.Violations(); len(v) > 0 {
		t.Errorf("fake Discord saw violations: %v", v)
	}
}

func TestHTTPPanicRecovered(t *testing.T) {
	t.Parallel()
	h := newCoreHTTP(t, bot.Config{Writer: func() bot.Writer { return bottest.PanicWriter{} }}, nil)
	resp := decodeResponse(t, h.serve(h.signed(h.interaction(t, command("manifesto")), h.now)))
	data, _ := resp["data"].(map[string]any)
	if data["flags"] != float64(64) || !strings.Contains(fmt.Sprint(data["content"]), "Something went wrong") {
		t.Errorf("panic answered with %v", resp)
	}
}

func TestHTTPHealthAndMetrics(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	healthy := true
	h := newCoreHTTP(t, bot.Config{}, func() (bool, map[string]any) {
		mu.Lock()
		defer mu.Unlock()
		return healthy, map[string]any{"gateway": "connected", "status": "overridden?"}
	})
	get := func(path string) *httptest.ResponseRecorder {
		return h.serve(httptest.NewRequest(http.MethodGet, path, nil))
	}
	for _, tt := range []struct {
		healthy bool
		status  int
		want    string
	}{
		{true, 200, `{"gateway":"connected","status":"ok"}`},
		{false, 503, `{"gateway":"connected","status":"unhealthy"}`},
	} {
		mu.Lock()
		healthy = tt.healthy
		mu.Unlock()
		rec := get("/healthz")
		if rec.Code != tt.status || strings.TrimSpace(rec.Body.String()) != tt.want || rec.Header().Get("Content-Type") != "application/json" {
			t.Errorf("GET /healthz = %d %s, want %d %s", rec.Code, rec.Body, tt.status, tt.want)
		}
	}
	h.serve(h.signed(h.interaction(t, command("glowcloud")), h.now))
	// The answer is written as soon as it is ready; Answer records the
	// metrics right after, as the Bot's background work.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := h.handler.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	rec := get("/metrics")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `glowcloud_interactions_total{command="glowcloud",outcome="ok"} 1`) {
		t.Errorf("GET /metrics = %d\n%s", rec.Code, rec.Body)
	}
	if rec := h.serve(httptest.NewRequest(http.MethodPost, "/healthz", nil)); rec.Code != 405 {
		t.Errorf("POST /healthz = %d", rec.Code)
	}
}

func TestHTTPDefaultHealth(t *testing.T) {
	t.Parallel()
	h := newCoreHTTP(t, bot.Config{}, nil)
	rec := h.serve(httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"status":"ok"}` {
		t.Errorf("GET /healthz = %d %s", rec.Code, rec.Body)
	}
}

// TestHTTPConcurrent sends 200 signed requests at once to a real server.
func TestHTTPConcurrent(t *testing.T) {
	t.Parallel()
	// Every answer must come inline (newCoreHTTP defers only after a
	// minute), and right: its own topic, never another request's.
	h := newCoreHTTP(t, bot.Config{Cooldown: 3 * time.Second}, nil)
	srv := httptest.NewServer(h.handler)
	defer srv.Close()

	const n = 200
	bodies := make([][]byte, n)
	for k := range n {
		in := command("manifesto", "topic", fmt.Sprint("t", k))
		in["member"] = map[string]any{"user": map[string]any{"id": fmt.Sprint(1000 + k)}}
		bodies[k] = h.interaction(t, in)
	}
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for k := range n {
		wg.Go(func() {
			r := h.signed(bodies[k], h.now)
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/interactions", r.Body)
			req.Header = r.Header
			resp, err := srv.Client().Do(req)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			switch {
			case resp.StatusCode != 200:
				errs <- fmt.Errorf("request %d: %d %s", k, resp.StatusCode, body)
			case !bytes.Contains(body, []byte(fmt.Sprintf("topic=t%d paragraphs", k))):
				errs <- fmt.Errorf("request %d: %s", k, body)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// FuzzDecodeInteraction feeds raw bodies through decoding, conversion and
// Handle: nothing panics, and every reply and payload is within limits.
func FuzzDecodeInteraction(f *testing.F) {
	fake := discordtest.New(f)
	for _, i := range []map[string]any{
		{"type": 1},
		command("manifesto", "topic", "robots", "paragraphs", 2, "seed", 12345),
		command("squint", "thing", "@everyone"),
		command("glowcloud"),
		command("manifesto", "paragraphs", 2.5),
		button("gc1|m|3|robots"),
		button("gc1|s|" + strings.Repeat("x", 94)),
		{"type": 4, "data": map[string]any{"name": "manifesto"}},
	} {
		body, _ := json.Marshal(fake.FillInteraction(i))
		f.Add(body)
	}
	f.Add([]byte(`{"type":2,"data":{"name":"squint","options":[{"name":"thing","value":{"a":1}}]}}`))
	f.Add([]byte(`{"type":3,"data":{"custom_id":7}}`))
	f.Add([]byte(`null`))
	b := bottest.NewBot(bot.Config{Writer: func() bot.Writer { return bottest.HostileWriter{} }})
	f.Fuzz(func(t *testing.T, body []byte) {
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			return
		}
		req := discord.Request(&i)
		r := b.Handle(context.Background(), req)
		if err := bottest.CheckLimits(r); err != nil {
			t.Fatalf("reply to %s breaks limits: %v", body, err)
		}
		resp, err := json.Marshal(discord.Response(r))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(resp, []byte(`"allowed_mentions":{"parse":[]`)) {
			t.Fatalf("response without parse []: %s", resp)
		}
	})
}

// BenchmarkHTTPEndToEnd measures signed /manifesto interactions over
// loopback: the client signs each request, the server verifies, decodes,
// handles and answers. It reports requests per second and the p99 latency.
func BenchmarkHTTPEndToEnd(b *testing.B) {
	h := newCoreHTTP(b, bot.Config{Cooldown: -1, Logger: slog.New(slog.DiscardHandler)}, nil)
	h.now = time.Now()
	srv := httptest.NewServer(h.handler)
	defer srv.Close()
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	body := h.interaction(b, command("manifesto", "topic", "robots", "paragraphs", 3))

	var mu sync.Mutex
	var lat []time.Duration
	b.ReportAllocs()
	b.SetParallelism(4) // 8 requests in flight on 2 cores
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			t0 := time.Now()
			r := h.signed(body, t0)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/interactions", r.Body)
			req.Header = r.Header
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
			local = append(local, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

func TestNewHTTPServer(t *testing.T) {
	t.Parallel()
	h := http.NotFoundHandler()
	s := httpapi.NewServer("127.0.0.1:0", h)
	if s.Addr != "127.0.0.1:0" || s.Handler == nil {
		t.Errorf("server = %+v", s)
	}
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": s.ReadHeaderTimeout, "ReadTimeout": s.ReadTimeout,
		"WriteTimeout": s.WriteTimeout, "IdleTimeout": s.IdleTimeout,
	} {
		// Discord waits 3 s for an inline answer; a write timeout below
		// that would cut answers off.
		if d < 3*time.Second || d > 5*time.Minute {
			t.Errorf("%s = %v", name, d)
		}
	}
	if s.MaxHeaderBytes <= 0 || s.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes = %d", s.MaxHeaderBytes)
	}
}

// coreLogLines sends each log line it is written.
type coreLogLines chan string

func (c coreLogLines) Write(p []byte) (int, error) { c <- string(p); return len(p), nil }

// coreDeadTransport fails every request, as an unreachable Discord would.
type coreDeadTransport struct{}

func (coreDeadTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("connection refused")
}

// TestHTTPDeferredEditFails: a failed edit is logged without the token,
// which net/http's errors quote in the URL.
func TestHTTPDeferredEditFails(t *testing.T) {
	t.Parallel()
	pub, priv, _ := ed25519.GenerateKey(nil)
	followups, _ := discordgo.New("")
	followups.Client = &http.Client{Transport: coreDeadTransport{}}
	logs := make(coreLogLines, 16)
	release := make(chan struct{})
	h := &coreHTTP{priv: priv, now: time.Unix(1_780_000_000, 0)}
	h.handler = httpapi.New(bottest.NewBot(bot.Config{
		Writer:     func() bot.Writer { return bottest.BlockedWriter{Release: release} },
		DeferAfter: time.Millisecond,
		Logger:     slog.New(slog.NewTextHandler(logs, nil)),
	}), httpapi.Config{PublicKey: pub, Followups: followups, Now: func() time.Time { return h.now }})

	const token = "SECRET-INTERACTION-TOKEN"
	body := []byte(`{"id":"1","application_id":"2","type":2,"token":"` + token + `","member":{"user":{"id":"3"}},"data":{"name":"glowcloud","type":1}}`)
	if resp := decodeResponse(t, h.serve(h.signed(body, h.now))); resp["type"] != float64(5) {
		t.Fatalf("inline answer = %v, want type 5", resp)
	}
	close(release)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var all strings.Builder
	for !strings.Contains(all.String(), "msg=interaction ") {
		select {
		case l := <-logs:
			all.WriteString(l)
		case <-ctx.Done():
			t.Fatalf("no interaction log line; logged:\n%s", all.String())
		}
	}
	if !strings.Contains(all.String(), "outcome=error") || !strings.Contains(all.String(), "connection refused") {
		t.Errorf("failed edit not logged as an error:\n%s", all.String())
	}
	if strings.Contains(all.String(), token) {
		t.Errorf("the token was logged:\n%s", all.String())
	}
}

// scrape returns what m serves on /metrics.
func scrape(t testing.TB, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// signedRequest is POST /interactions with body signed by priv at ts.
func signedRequest(priv ed25519.PrivateKey, body []byte, ts time.Time) *http.Request {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	r := httptest.NewRequest(http.MethodPost, "/interactions", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(stamp), body...))))
	r.Header.Set("X-Signature-Timestamp", stamp)
	return r
}

// TestHTTPHandlerWithoutValidKey: without a usable public key every
// interaction gets 401 (ed25519.Verify would panic on it), never an answer.
func TestHTTPHandlerWithoutValidKey(t *testing.T) {
	t.Parallel()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":"1","application_id":"2","type":1,"token":"t","version":1}`)
	for _, tt := range []struct {
		name string
		key  ed25519.PublicKey
	}{
		{"nil", nil},
		{"empty", ed25519.PublicKey{}},
		{"short", ed25519.PublicKey(make([]byte, 31))},
		{"long", ed25519.PublicKey(make([]byte, 33))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bottest.LogBuffer
			b := bot.New(bot.Config{})
			h := httpapi.New(b, httpapi.Config{PublicKey: tt.key, Log: slog.New(slog.NewTextHandler(&logs, nil))})
			if logged := strings.Contains(logs.String(), "no valid public key"); logged != (len(tt.key) != 0) {
				t.Errorf("logged at construction: %q; want a line only for a key of the wrong size", logs.String())
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, signedRequest(priv, body, time.Now()))
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("status %d %s, want 401", rec.Code, rec.Body)
			}
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			if rec.Code != http.StatusOK {
				t.Errorf("healthz %d, want 200", rec.Code)
			}
		})
	}
}

// smallOrder are the encodings of the eight Ed25519 points of small order
// (libsodium's blocklist).
var smallOrder = []string{
	"0100000000000000000000000000000000000000000000000000000000000000",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0000000000000000000000000000000000000000000000000000000000000080",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
}

// TestHTTPPlaceholderKeyForgesNothing: with a placeholder key (64 hex zeros:
// a point of small order) a signature with R of small order and S = 0
// verifies under crypto/ed25519 for any message, so the endpoint must not
// use such a key at all (issue 11, finding 2). Every forgery gets 401 and
// the bot never answers.
func TestHTTPPlaceholderKeyForgesNothing(t *testing.T) {
	t.Parallel()
	for _, keyHex := range smallOrder {
		key, _ := hex.DecodeString(keyHex)
		t.Run(keyHex[:8], func(t *testing.T) {
			t.Parallel()
			var logs bottest.LogBuffer
			h := httpapi.New(bot.New(bot.Config{}), httpapi.Config{PublicKey: key, Log: slog.New(slog.NewTextHandler(&logs, nil))})
			if !strings.Contains(logs.String(), "no valid public key") {
				t.Errorf("no log line for a small-order key: %q", logs.String())
			}
			body := []byte(`{"id":"1","application_id":"2","type":1,"token":"t","version":1}`)
			stamp := strconv.FormatInt(time.Now().Unix(), 10)
			for _, r := range smallOrder {
				sig := r + strings.Repeat("00", 32)
				req := httptest.NewRequest(http.MethodPost, "/interactions", bytes.NewReader(body))
				req.Header.Set("X-Signature-Ed25519", sig)
				req.Header.Set("X-Signature-Timestamp", stamp)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusUnauthorized {
					t.Errorf("forged signature R=%s…, S=0: status %d %s, want 401", r[:8], rec.Code, rec.Body)
				}
			}
		})
	}
}

// TestHTTPDeferredEditWaited: Wait waits for a reply the endpoint edits in
// after deferring, which outlives the request's handler.
func TestHTTPDeferredEditWaited(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	followups, err := discordgo.New("")
	if err != nil {
		t.Fatal(err)
	}
	followups.Client = fake.Client()
	release := make(chan struct{})
	b := bot.New(bot.Config{
		Writer:     func() bot.Writer { return bottest.BlockedWriter{Release: release} },
		Logger:     slog.New(slog.DiscardHandler),
		DeferAfter: time.Millisecond,
	})
	full := fake.FillInteraction(command("glowcloud"))
	body, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h := httpapi.New(b, httpapi.Config{PublicKey: pub, Followups: followups})
	h.ServeHTTP(rec, signedRequest(priv, body, time.Now()))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"type":5`) {
		t.Fatalf("inline answer %d %s, want a deferral", rec.Code, rec.Body)
	}
	close(release)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := h.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if edits := fake.Edits(full["token"].(string)); len(edits) != 1 || !strings.Contains(fmt.Sprint(edits[0]), "GLOW CLOUD") {
		t.Errorf("edits once Wait returned: %v, want the proclamation", edits)
	}
}

// patchRecorder is an http.RoundTripper that answers every request 200 and
// counts the PATCHes of @original, in memory: no network inside a synctest
// bubble.
type patchRecorder struct {
	mu      sync.Mutex
	patches map[string]int // by interaction token
}

func (p *patchRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPatch && strings.HasSuffix(r.URL.Path, "/messages/@original") {
		parts := strings.Split(r.URL.Path, "/")
		p.mu.Lock()
		p.patches[parts[len(parts)-3]]++
		p.mu.Unlock()
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"id":"1","channel_id":"2"}`)), Request: r}, nil
}

// TestHTTPDeadline: 64 signed interactions at once, their generation taking
// anything from nothing to 13 minutes, each get their HTTP response within
// Discord's 3 s: the reply inline when ready before DefaultDeferAfter, else
// a deferral, with the reply PATCHed in once ready (Wait waits for it). On
// synctest's clock: the handler runs in memory, so a loaded machine or the
// race detector cannot make it pass or fail.
func TestHTTPDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		delays := []time.Duration{0, time.Second, bot.DefaultDeferAfter - time.Nanosecond,
			bot.DefaultDeferAfter + time.Nanosecond, 10 * time.Second, 13 * time.Minute}
		pub, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		patches := &patchRecorder{patches: map[string]int{}}
		followups, err := discordgo.New("")
		if err != nil {
			t.Fatal(err)
		}
		followups.Client = &http.Client{Transport: patches}
		const n = 64
		now := time.Now()
		var wg sync.WaitGroup
		handlers := make([]*httpapi.Handler, n)
		recs := make([]*httptest.ResponseRecorder, n)
		took := make([]time.Duration, n)
		for i := range n {
			delay := delays[i%len(delays)]
			b := bottest.NewBot(bot.Config{Writer: func() bot.Writer { return bottest.SlowWriter{Delay: delay} }})
			handlers[i] = httpapi.New(b, httpapi.Config{PublicKey: pub, Followups: followups})
			body := []byte(fmt.Sprintf(`{"id":"%d","application_id":"2","type":2,"token":"tok%d","version":1,`+
				`"member":{"user":{"id":"3"}},"data":{"name":"manifesto","type":1,"options":[{"name":"topic","type":3,"value":"t%d"}]}}`, i, i, i))
			req := signedRequest(priv, body, now)
			recs[i] = httptest.NewRecorder()
			wg.Go(func() {
				start := time.Now()
				handlers[i].ServeHTTP(recs[i], req)
				took[i] = time.Since(start)
			})
		}
		wg.Wait()
		for i := range n {
			delay := delays[i%len(delays)]
			if took[i] >= 3*time.Second {
				t.Errorf("interaction %d (generation %v): answered after %v, want within 3s", i, delay, took[i])
			}
			resp := decodeResponse(t, recs[i])
			deferred := delay >= bot.DefaultDeferAfter
			if want := map[bool]float64{false: 4, true: 5}[deferred]; resp["type"] != want {
				t.Errorf("interaction %d (generation %v): response type %v, want %v", i, delay, resp["type"], want)
			}
			if !deferred && !strings.Contains(recs[i].Body.String(), fmt.Sprintf("topic=t%d ", i)) {
				t.Errorf("interaction %d: inline reply %s is not its own", i, recs[i].Body)
			}
		}
		for i, h := range handlers {
			if err := h.Wait(t.Context()); err != nil {
				t.Errorf("interaction %d: Wait = %v", i, err)
			}
		}
		for i := range n {
			deferred := delays[i%len(delays)] >= bot.DefaultDeferAfter
			if got, want := patches.patches[fmt.Sprint("tok", i)], map[bool]int{false: 0, true: 1}[deferred]; got != want {
				t.Errorf("interaction %d: %d edits of @original, want %d", i, got, want)
			}
		}
	})
}

// TestHTTPHugePermissions: an interaction whose member.permissions has a
// bit past the 63rd is answered, its permissions passed on as Discord sent
// them (read as a big integer, as the README says). The old endpoint
// refused it with 400 before the bot saw it (discordgo reads an int64).
func TestHTTPHugePermissions(t *testing.T) {
	t.Parallel()
	h := newCoreHTTP(t, bot.Config{Admin: bottest.EchoAdmin{}}, nil)
	i := map[string]any{"type": 2, "data": map[string]any{"name": "proclaim", "options": []any{
		map[string]any{"name": "list", "type": 1},
	}}, "member": map[string]any{"permissions": bottest.HugePermissions}}
	reply := decodeResponse(t, h.serve(h.signed(h.interaction(t, i), h.now)))
	data, _ := reply["data"].(map[string]any)
	if got, _ := data["content"].(string); got != "permissions "+bottest.HugePermissions {
		t.Errorf("reply %v; want the permissions passed on whole", reply)
	}
}
