package serve

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
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/gateway"
	"github.com/glowcloud/glowcloud/bot/metrics"
	"github.com/glowcloud/glowcloud/bot/rest"
	"github.com/glowcloud/glowcloud/discordsig"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/internal/discordtest"
)

// testToken is the bot token the tests use; the fake accepts only it.
const testToken = "NzkyNzE1NDU0MTk2MDg4ODQy.X-hvzA.Ovy4MCQywSkoMRRclStW4xAYK7I"

// waitLimit bounds every wait in these tests; they finish far sooner.
const waitLimit = 30 * time.Second

// testWriter is a deterministic Writer. With block set, every generation
// waits until block is closed, announcing itself on started first.
type testWriter struct {
	started chan struct{} // buffered; may be nil
	block   chan struct{} // may be nil
}

func (w *testWriter) wait() {
	if w.started != nil {
		select {
		case w.started <- struct{}{}:
		default:
		}
	}
	if w.block != nil {
		<-w.block
	}
}

// Suggest offers two topics for any prefix of "rob".
func (w *testWriter) Suggest(prefix string, max int) []string {
	if strings.HasPrefix("rob", strings.ToLower(prefix)) {
		return []string{"robots", "robust planning"}[:min(2, max)]
	}
	return nil
}

func (w *testWriter) Manifesto(seed uint64, topic string, paragraphs int) (string, string) {
	w.wait()
	return "A Manifesto on " + topic, strings.Repeat("The state withers, seen sideways. ", paragraphs) +
		"Hail the singularity! Hail the mighty Glow Cloud!"
}

func (w *testWriter) Squint(seed uint64, thing string) string {
	w.wait()
	return thing + " is anarchist if you squint. @everyone <@1300000000000000004>"
}

func (w *testWriter) Glowcloud(seed uint64) string {
	w.wait()
	return "ALL HAIL THE MIGHTY GLOW CLOUD."
}

func (w *testWriter) ModelID() string { return "test-model" }

func testBot(w bot.Writer) *bot.Bot {
	return bot.New(bot.Config{
		Writer:     func() bot.Writer { return w },
		Logger:     slog.New(slog.DiscardHandler),
		Cooldown:   -1,
		DeferAfter: time.Minute, // the tests want one callback per interaction
		Seed:       func() uint64 { return 42 },
	})
}

// gatewayServe is a Config for the gateway against fake.
func gatewayServe(fake *discordtest.Server, b *bot.Bot) Config {
	return Config{
		Bot:        b,
		Logger:     slog.New(slog.DiscardHandler),
		Token:      testToken,
		HTTPClient: fake.Client(),
		Dialer:     fake.Dialer(),
	}
}

// running is a Run running in the background.
type running struct {
	addr   string // the HTTP address, if any
	cancel context.CancelFunc
	done   chan error
}

// start runs Run and waits for Ready. Cleanup stops it.
func start(t *testing.T, cfg Config) *running {
	t.Helper()
	r := startNoWait(t, cfg)
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	select {
	case r.addr = <-r.readyc:
	case err := <-r.done:
		t.Fatalf("Run returned before it was ready: %v", err)
	case <-ctx.Done():
		t.Fatal("Run never became ready")
	}
	return r.running
}

type startedServe struct {
	*running
	readyc chan string
}

func startNoWait(t *testing.T, cfg Config) startedServe {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	readyc := make(chan string, 1)
	cfg.Ready = func(addr string) { readyc <- addr }
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- Run(ctx, cfg) }()
	t.Cleanup(func() {
		cancel()
		_ = r.wait(t)
	})
	return startedServe{r, readyc}
}

// stop cancels Run and returns its error.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	return r.wait(t)
}

// wait returns Run's error once it has returned.
func (r *running) wait(t *testing.T) error {
	t.Helper()
	select {
	case err, ok := <-r.done:
		if !ok {
			return nil
		}
		close(r.done)
		return err
	case <-time.After(waitLimit):
		t.Fatal("Run did not return")
		return nil
	}
}

func waitCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	t.Cleanup(cancel)
	return ctx
}

// eventually polls cond until it holds or ctx ends.
func eventually(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-tick.C:
		}
	}
}

// command builds an APPLICATION_COMMAND interaction for the fake.
func command(name string, opts ...map[string]any) map[string]any {
	data := map[string]any{"name": name, "type": 1}
	if len(opts) > 0 {
		list := make([]any, len(opts))
		for i, o := range opts {
			list[i] = o
		}
		data["options"] = list
	}
	return map[string]any{"type": 2, "data": data}
}

func opt(name string, typ int, value any) map[string]any {
	return map[string]any{"name": name, "type": typ, "value": value}
}

// assertNoPings checks a callback's allowed_mentions is {"parse": []}.
func assertNoPings(t *testing.T, cb discordtest.Callback) {
	t.Helper()
	am, ok := cb.Data["allowed_mentions"].(map[string]any)
	parse, isList := am["parse"].([]any)
	if !ok || !isList || len(parse) != 0 {
		t.Errorf("allowed_mentions = %v, want {\"parse\": []}; callback %s", cb.Data["allowed_mentions"], cb.Raw)
	}
}

func TestServeGateway(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(testToken), discordtest.WithHeartbeatInterval(300*time.Millisecond))
	start(t, gatewayServe(fake, testBot(&testWriter{})))
	ctx := waitCtx(t)

	id, err := fake.WaitIdentify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const privileged = 1<<1 | 1<<8 | 1<<15
	if id.Token != "Bot "+testToken {
		t.Errorf("IDENTIFY token is not %q", "Bot <token>")
	}
	if id.Intents&privileged != 0 || id.Intents == int(discordgo.IntentsAllWithoutPrivileged) || id.Intents != 0 {
		t.Errorf("IDENTIFY intents = %#x, want 0 (INTERACTION_CREATE needs none)", id.Intents)
	}
	if id.HasShard {
		t.Errorf("IDENTIFY has shard %v, want none for one process", id.Shard)
	}
	if !strings.Contains(id.Query, "v=9") || !strings.Contains(id.Query, "encoding=json") {
		t.Errorf("gateway query %q, want v=9 and encoding=json", id.Query)
	}
	// Heartbeats every 300 ms, each acknowledged; the connection stays up.
	eventually(ctx, t, "heartbeats", func() bool { return fake.Heartbeats() >= 2 })
	if n := fake.Identifies(); n != 1 {
		t.Errorf("%d IDENTIFYs, want 1", n)
	}

	// Commands were registered globally, once.
	if n := fake.CommandPuts(); n != 1 {
		t.Errorf("%d command PUTs, want 1", n)
	}
	var names []string
	for _, c := range fake.Commands("") {
		names = append(names, c["name"].(string))
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"glowcloud", "hush", "manifesto", "proclaim", "quiz", "squint"}) {
		t.Errorf("registered %v, want glowcloud, hush, manifesto, proclaim, quiz, squint", names)
	}

	var sawUA bool
	for _, r := range fake.Requests() {
		ua := r.Header.Get("User-Agent")
		if strings.HasPrefix(r.Path, "/api/") && ua != "" {
			sawUA = true
			if !strings.HasPrefix(ua, "DiscordBot (https://github.com/glowcloud/glowcloud, ") {
				t.Errorf("%s %s: User-Agent %q", r.Method, r.Path, ua)
			}
		}
	}
	if !sawUA {
		t.Error("no REST request carried a User-Agent")
	}

	for _, tt := range []struct {
		name        string
		interaction map[string]any
		want        []string
	}{
		{"squint", command("squint", opt("thing", 3, "the cafeteria")), []string{"the cafeteria is anarchist if you squint"}},
		{"glowcloud", command("glowcloud"), []string{"ALL HAIL THE MIGHTY GLOW CLOUD."}},
		{"manifesto", command("manifesto", opt("topic", 3, "robots"), opt("paragraphs", 4, 2), opt("seed", 4, 7)), []string{"robots", "Hail the singularity! Hail the mighty Glow Cloud!"}},
		{"glowcloud in a DM", func() map[string]any {
			i := command("glowcloud")
			i["user"] = map[string]any{"id": "1300000000000000009", "username": "dm"}
			return i
		}(), []string{"GLOW CLOUD"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cb, err := fake.Interaction(waitCtx(t), tt.interaction)
			if err != nil {
				t.Fatal(err)
			}
			if cb.Type != 4 {
				t.Errorf("callback type %d, want 4; %s", cb.Type, cb.Raw)
			}
			assertNoPings(t, cb)
			for _, w := range tt.want {
				if !strings.Contains(string(cb.Raw), w) {
					t.Errorf("callback %s does not contain %q", cb.Raw, w)
				}
			}
		})
	}
}

// TestServeGatewayAutocomplete: while /manifesto topic is typed, Discord
// sends an autocomplete interaction over the gateway, and the callback is
// type 8 with the model's suggestions (valid by Discord's spec: the fake
// checks every callback).
func TestServeGatewayAutocomplete(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(testToken), discordtest.WithHeartbeatInterval(300*time.Millisecond))
	start(t, gatewayServe(fake, testBot(&testWriter{})))
	ctx := waitCtx(t)
	if _, err := fake.WaitIdentify(ctx); err != nil {
		t.Fatal(err)
	}
	i := command("manifesto", map[string]any{"name": "topic", "type": 3, "value": "Ro", "focused": true})
	i["type"] = 4
	cb, err := fake.Interaction(ctx, i)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Type != 8 {
		t.Fatalf("callback type %d, want 8; %s", cb.Type, cb.Raw)
	}
	choices, _ := cb.Data["choices"].([]any)
	var got []string
	for _, c := range choices {
		m, _ := c.(map[string]any)
		if m["name"] != m["value"] {
			t.Errorf("choice %v: name and value differ", m)
		}
		got = append(got, fmt.Sprint(m["value"]))
	}
	if !slices.Equal(got, []string{"robots", "robust planning"}) {
		t.Errorf("choices %v, want robots, robust planning", got)
	}
}

func TestServeRegistersCommandsOnlyWhenChanged(t *testing.T) {
	t.Parallel()
	for _, guild := range []string{"", discordtest.DefaultGuildID} {
		t.Run("guild="+guild, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t, discordtest.WithToken(testToken))
			for i, st := range []struct {
				retrain  bool
				wantPuts int
				wantCmds int
			}{
				{false, 1, 6}, // first start: PUT (with /quiz, /proclaim and /hush)
				{false, 1, 6}, // same definitions: no PUT
				{true, 2, 7},  // /retrain added: PUT
				{true, 2, 7},  // unchanged again
			} {
				cfg := gatewayServe(fake, testBot(&testWriter{}))
				cfg.GuildID = guild
				cfg.Retrain = st.retrain
				r := start(t, cfg)
				if err := r.stop(t); err != nil {
					t.Fatalf("start %d: Run = %v, want nil", i, err)
				}
				if n := fake.CommandPuts(); n != st.wantPuts {
					t.Errorf("start %d: %d PUTs, want %d", i, n, st.wantPuts)
				}
				if n := len(fake.Commands(guild)); n != st.wantCmds {
					t.Errorf("start %d: %d commands registered, want %d", i, n, st.wantCmds)
				}
			}
			other := discordtest.DefaultGuildID
			if guild != "" {
				other = ""
			}
			if n := len(fake.Commands(other)); n != 0 {
				t.Errorf("%d commands registered in scope %q, want 0", n, other)
			}
		})
	}
}

func TestServeReconnects(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		disrupt    func(ctx context.Context, fake *discordtest.Server) error
		wantResume bool // else a new IDENTIFY
		reconnect  bool // a new connection (counted), not just op 9
	}{
		{"dropped connection", func(_ context.Context, f *discordtest.Server) error { f.DropGateway(); return nil }, true, true},
		{"close 4000", func(_ context.Context, f *discordtest.Server) error { f.CloseGateway(4000); return nil }, true, true},
		{"op 7 reconnect", func(ctx context.Context, f *discordtest.Server) error { return f.Reconnect(ctx) }, true, true},
		{"close 4009 session timed out", func(_ context.Context, f *discordtest.Server) error { f.CloseGateway(4009); return nil }, false, true},
		{"op 9 invalid session", func(ctx context.Context, f *discordtest.Server) error { return f.InvalidSession(ctx, false) }, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t, discordtest.WithToken(testToken))
			// Config.Metrics counts the reconnects, and /metrics serves it.
			m := metrics.New()
			b := bot.New(bot.Config{Writer: func() bot.Writer { return &testWriter{} }, Metrics: m, Cooldown: -1})
			cfg := gatewayServe(fake, b)
			cfg.Metrics = m
			cfg.HTTPAddr = "127.0.0.1:0"
			r := start(t, cfg)
			ctx := waitCtx(t)

			if _, err := fake.Interaction(ctx, command("glowcloud")); err != nil {
				t.Fatalf("before: %v", err)
			}
			if _, err := fake.WaitIdentify(ctx); err != nil {
				t.Fatal(err)
			}
			if err := tt.disrupt(ctx, fake); err != nil {
				t.Fatal(err)
			}
			if tt.wantResume {
				res, err := fake.WaitResume(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !res.Accepted {
					t.Errorf("RESUME of %q not accepted", res.SessionID)
				}
			} else if _, err := fake.WaitIdentify(ctx); err != nil {
				t.Fatal(err)
			}
			cb, err := fake.Interaction(ctx, command("squint", opt("thing", 3, "a toaster")))
			if err != nil {
				t.Fatalf("after: %v", err)
			}
			assertNoPings(t, cb)

			if tt.reconnect {
				eventually(ctx, t, "a counted reconnect", func() bool {
					_, body := get(ctx, t, "http://"+r.addr+"/metrics")
					return strings.Contains(body, "glowcloud_gateway_reconnects_total 1")
				})
			}
			eventually(ctx, t, "healthz to say connected", func() bool {
				code, body := get(ctx, t, "http://"+r.addr+"/healthz")
				return code == http.StatusOK && strings.Contains(body, `"gateway":"connected"`)
			})
			if err := r.stop(t); err != nil {
				t.Errorf("Run = %v, want nil", err)
			}
		})
	}
}

// get fetches url and returns the status and body.
func get(ctx context.Context, t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestServeFatalClose(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		opts       []discordtest.Option
		token      rest.Token
		whileUp    int // close code sent once connected; 0 = none
		wantCode   int
		wantUpOnce bool
	}{
		{"bad token at identify", nil, "not-the-token", 0, 4004, false},
		{"4004 at identify", []discordtest.Option{discordtest.WithCloseOnIdentify(4004)}, testToken, 0, 4004, false},
		{"4013 at identify", []discordtest.Option{discordtest.WithCloseOnIdentify(4013)}, testToken, 0, 4013, false},
		{"4014 while running", nil, testToken, 4014, 4014, true},
		{"4011 while running", nil, testToken, 4011, 4011, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t, append([]discordtest.Option{discordtest.WithToken(testToken)}, tt.opts...)...)
			cfg := gatewayServe(fake, testBot(&testWriter{}))
			cfg.Token = tt.token
			s := startNoWait(t, cfg)
			ctx := waitCtx(t)
			if tt.whileUp != 0 {
				select {
				case <-s.readyc:
				case err := <-s.done:
					t.Fatalf("Run returned before it was ready: %v", err)
				case <-ctx.Done():
					t.Fatal("not ready")
				}
				if _, err := fake.Interaction(ctx, command("glowcloud")); err != nil {
					t.Fatal(err)
				}
				fake.CloseGateway(tt.whileUp)
			}
			err := s.wait(t)
			var fe *gateway.FatalCloseError
			if !errors.As(err, &fe) || fe.Code != tt.wantCode || !errors.Is(err, gateway.ErrFatalClose) {
				t.Fatalf("Run = %v, want a FatalCloseError with code %d", err, tt.wantCode)
			}
			if strings.Contains(err.Error(), string(tt.token)) {
				t.Errorf("the error shows the token: %v", err)
			}
			if n := fake.Identifies(); n != 1 {
				t.Errorf("%d IDENTIFYs, want 1: no retry after a fatal close", n)
			}
			if n := fake.Resumes(); n != 0 {
				t.Errorf("%d RESUMEs, want 0", n)
			}
			select {
			case <-s.readyc:
				if !tt.wantUpOnce {
					t.Error("Ready was called though the gateway never connected")
				}
			default:
			}
		})
	}
}

func TestServeRetriesNonFatalCloseAtIdentify(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(testToken), discordtest.WithIdentifyHook(func(n int, _ discordtest.Identify) discordtest.IdentifyResult {
		if n == 1 {
			return discordtest.IdentifyResult{CloseCode: 4000}
		}
		return discordtest.IdentifyResult{}
	}))
	start(t, gatewayServe(fake, testBot(&testWriter{})))
	ctx := waitCtx(t)
	if _, err := fake.Interaction(ctx, command("glowcloud")); err != nil {
		t.Fatal(err)
	}
	if n := fake.Identifies(); n != 2 {
		t.Errorf("%d IDENTIFYs, want 2", n)
	}
}

func TestServeShutdownFinishesInFlight(t *testing.T) {
	t.Parallel()
	w := &testWriter{started: make(chan struct{}, 1), block: make(chan struct{})}
	fake := discordtest.New(t, discordtest.WithToken(testToken))
	cfg := gatewayServe(fake, testBot(w))
	// What is asserted is that in-flight work finishes, not how soon: on a loaded machine under the
	// race detector, closing the gateway and answering can outlast the default 5 s.
	cfg.ShutdownTimeout = waitLimit
	r := start(t, cfg)
	ctx := waitCtx(t)

	type result struct {
		cb  discordtest.Callback
		err error
	}
	answered := make(chan result, 1)
	go func() {
		cb, err := fake.Interaction(ctx, command("manifesto", opt("topic", 3, "shutdowns")))
		answered <- result{cb, err}
	}()
	select {
	case <-w.started:
	case <-ctx.Done():
		t.Fatal("generation never started")
	}
	r.cancel()
	// The gateway closes first, with the interaction still in flight...
	if err := fake.WaitConnections(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if codes := fake.ClientCloseCodes(); !slices.Contains(codes, 1000) {
		t.Errorf("bot closed with %v, want 1000", codes)
	}
	select {
	case err := <-r.done:
		t.Fatalf("Run returned %v with an interaction in flight", err)
	default:
	}
	// ...and once generation finishes, the reply still goes out.
	close(w.block)
	res := <-answered
	if res.err != nil {
		t.Fatalf("interaction not answered: %v", res.err)
	}
	if res.cb.Type != 4 || !strings.Contains(string(res.cb.Raw), "shutdowns") {
		t.Errorf("callback %d %s, want the manifesto", res.cb.Type, res.cb.Raw)
	}
	assertNoPings(t, res.cb)
	if err := r.wait(t); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
}

func TestServeShutdownTimeout(t *testing.T) {
	t.Parallel()
	w := &testWriter{started: make(chan struct{}, 1), block: make(chan struct{})}
	t.Cleanup(func() { close(w.block) })
	fake := discordtest.New(t, discordtest.WithToken(testToken), discordtest.WithReportOnly())
	cfg := gatewayServe(fake, testBot(w))
	cfg.ShutdownTimeout = 50 * time.Millisecond
	r := start(t, cfg)
	ctx := waitCtx(t)
	go func() { _, _ = fake.Interaction(ctx, command("glowcloud")) }()
	select {
	case <-w.started:
	case <-ctx.Done():
		t.Fatal("generation never started")
	}
	// The generator never finishes; Run gives up on it after the timeout.
	if err := r.stop(t); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
}

func TestServeManyConcurrentInteractions(t *testing.T) {
	t.Parallel()
	const n = 200
	fake := discordtest.New(t, discordtest.WithToken(testToken))
	// The Bot's real deadline handling: it defers after bot.DefaultDeferAfter,
	// so a slow machine gets deferrals and edits, which must all arrive.
	var logs bottest.LogBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", logs.String())
		}
	})
	b := bot.New(bot.Config{Writer: func() bot.Writer { return &testWriter{} }, Cooldown: -1, Logger: log})
	cfg := gatewayServe(fake, b)
	cfg.Logger = log
	// REST over plain HTTP (through the API base rewrite): 200 TLS
	// handshakes with the fake would only measure the fake.
	cfg.HTTPClient, cfg.APIBase = nil, fake.URL()
	start(t, cfg)
	ctx := waitCtx(t)

	cbs := make([]discordtest.Callback, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			cbs[i], errs[i] = fake.Interaction(ctx, command("squint", opt("thing", 3, fmt.Sprintf("thing %d", i))))
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("interaction %d: %v", i, errs[i])
			continue
		}
		cb := cbs[i]
		want := fmt.Sprintf("thing %d is anarchist", i)
		switch cb.Type {
		case 4:
			if !strings.Contains(string(cb.Raw), want) {
				t.Errorf("interaction %d: callback %s lacks %q", i, cb.Raw, want)
			}
			assertNoPings(t, cb)
		case 5: // deferred: the reply comes as an edit
			edit, err := fake.WaitEdit(ctx, cb.Token)
			if err != nil {
				t.Errorf("interaction %d deferred, then: %v", i, err)
			} else if b, _ := json.Marshal(edit); !strings.Contains(string(b), want) {
				t.Errorf("interaction %d: edit %s lacks %q", i, b, want)
			}
		default:
			t.Errorf("interaction %d: callback type %d, want 4 or 5", i, cb.Type)
		}
		// Discord's 3 s is not asserted here, on the wall clock of a loaded
		// machine: bot's TestAnswerManyWithinDeadline holds the deferral
		// logic to it on synctest's clock.
	}
	if got := len(fake.Callbacks()); got != n {
		t.Errorf("%d callbacks, want %d", got, n)
	}
}

func TestServeSharding(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		id, count int
		wantShard bool
		wantPuts  int
	}{
		{0, 1, false, 1},
		{0, 2, true, 1},
		{1, 2, true, 0}, // only shard 0 registers commands
		{3, 4, true, 0},
	} {
		t.Run(fmt.Sprintf("%d of %d", tt.id, tt.count), func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t, discordtest.WithToken(testToken))
			cfg := gatewayServe(fake, testBot(&testWriter{}))
			cfg.ShardID, cfg.ShardCount = tt.id, tt.count
			r := start(t, cfg)
			ctx := waitCtx(t)
			id, err := fake.WaitIdentify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if id.HasShard != tt.wantShard || (tt.wantShard && id.Shard != [2]int{tt.id, tt.count}) {
				t.Errorf("IDENTIFY shard %v (sent: %v), want [%d %d] (sent: %v)", id.Shard, id.HasShard, tt.id, tt.count, tt.wantShard)
			}
			if _, err := fake.Interaction(ctx, command("glowcloud")); err != nil {
				t.Fatal(err)
			}
			if err := r.stop(t); err != nil {
				t.Fatal(err)
			}
			if n := fake.CommandPuts(); n != tt.wantPuts {
				t.Errorf("%d command PUTs, want %d", n, tt.wantPuts)
			}
		})
	}
}

// TestServeAPIBase runs with no injected client or dialer: only APIBase
// points the bot at the fake, so every REST call (and, through GET
// /gateway, the websocket) must go through the origin rewrite.
func TestServeAPIBase(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(testToken))
	cfg := Config{
		Bot:     testBot(&testWriter{}),
		Token:   testToken,
		APIBase: fake.URL(),
	}
	r := start(t, cfg)
	ctx := waitCtx(t)
	cb, err := fake.Interaction(ctx, command("glowcloud"))
	if err != nil {
		t.Fatal(err)
	}
	assertNoPings(t, cb)
	host := strings.TrimPrefix(fake.URL(), "http://")
	var paths []string
	for _, req := range fake.Requests() {
		if req.Host != host {
			t.Errorf("%s %s went to host %q, want %q", req.Method, req.Path, req.Host, host)
		}
		paths = append(paths, req.Method+" "+req.Path)
	}
	for _, want := range []string{
		"GET /api/v9/gateway",
		"PUT /api/v9/applications/" + fake.AppID() + "/commands",
		"POST /api/v9/interactions/" + cb.ID + "/" + cb.Token + "/callback",
	} {
		if !slices.Contains(paths, want) {
			t.Errorf("no request %q among %v", want, paths)
		}
	}
	if err := r.stop(t); err != nil {
		t.Error(err)
	}
}

func TestServeHTTPOnly(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	fake := discordtest.New(t)
	r := start(t, Config{
		Bot:        testBot(&testWriter{}),
		PublicKey:  pub,
		HTTPAddr:   "127.0.0.1:0",
		HTTPClient: fake.Client(),
	})
	ctx := waitCtx(t)

	body := []byte(`{"id":"1","application_id":"2","type":1,"token":"t","version":1}`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+r.addr+"/interactions", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var pong struct{ Type int }
	err = json.NewDecoder(resp.Body).Decode(&pong)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || pong.Type != 1 {
		t.Errorf("PING: %d %+v %v, want 200 {type 1}", resp.StatusCode, pong, err)
	}
	if code, body := get(ctx, t, "http://"+r.addr+"/healthz"); code != 200 {
		t.Errorf("healthz %d %s, want 200", code, body)
	}
	if n := fake.Identifies(); n != 0 {
		t.Errorf("%d IDENTIFYs without a token", n)
	}
	if err := r.stop(t); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
}

func TestServeGatewayWithHealthOnlyHTTP(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(testToken))
	cfg := gatewayServe(fake, testBot(&testWriter{}))
	cfg.HTTPAddr = "127.0.0.1:0"
	r := start(t, cfg)
	ctx := waitCtx(t)
	code, body := get(ctx, t, "http://"+r.addr+"/healthz")
	if code != 200 || !strings.Contains(body, `"gateway":"connected"`) {
		t.Errorf("healthz %d %s, want 200 and the gateway connected", code, body)
	}
	resp, err := http.Post("http://"+r.addr+"/interactions", "application/json", strings.NewReader(`{"type":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /interactions without a public key: %d, want 404", resp.StatusCode)
	}
}

func TestServeConfigErrors(t *testing.T) {
	t.Parallel()
	b := testBot(&testWriter{})
	key, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	placeholder := make(ed25519.PublicKey, ed25519.PublicKeySize) // 64 hex zeros: small order
	for _, tt := range []struct {
		name string
		cfg  Config
		want string
		is   error
	}{
		{"no bot", Config{Token: testToken}, "no Bot", nil},
		{"nothing", Config{Bot: b}, "nothing to serve", errNothingToServe},
		{"key without addr", Config{Bot: b, PublicKey: key}, "nothing to serve", errNothingToServe},
		{"addr without key or token", Config{Bot: b, HTTPAddr: "127.0.0.1:0"}, "nothing to serve", errNothingToServe},
		{"key without addr, with token", Config{Bot: b, Token: testToken, PublicKey: key}, "without an HTTP address", nil},
		{"short key", Config{Bot: b, PublicKey: key[:10], HTTPAddr: "127.0.0.1:0"}, "10 bytes", discordsig.ErrKey},
		{"placeholder key", Config{Bot: b, PublicKey: placeholder, HTTPAddr: "127.0.0.1:0"}, "DISCORD_PUBLIC_KEY", discordsig.ErrKey},
		{"shard out of range", Config{Bot: b, Token: testToken, ShardID: 2, ShardCount: 2}, "must be less than", nil},
		{"shard without count", Config{Bot: b, Token: testToken, ShardID: 1}, "must be less than", nil},
		{"negative shard", Config{Bot: b, Token: testToken, ShardID: -1, ShardCount: 2}, "negative", nil},
		{"bad api base", Config{Bot: b, Token: testToken, APIBase: "proxy:8080"}, "api base", nil},
		{"api base with path", Config{Bot: b, Token: testToken, APIBase: "http://proxy/api"}, "without a path", nil},
		{"negative timeout", Config{Bot: b, Token: testToken, ShutdownTimeout: -time.Second}, "negative shutdown", nil},
		{"bad listen address", Config{Bot: b, PublicKey: key, HTTPAddr: "256.0.0.1:http"}, "listen", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Run(t.Context(), tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run = %v, want an error containing %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Run = %v, want errors.Is %v", err, tt.is)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

// TestServeLogsNoToken runs a gateway through connect, a fatal close and
// shutdown with debug logging, and checks the token never reaches the log.
func TestServeLogsNoToken(t *testing.T) {
	t.Parallel()
	var buf bottest.LogBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	fake := discordtest.New(t, discordtest.WithToken(testToken))
	cfg := gatewayServe(fake, bot.New(bot.Config{Writer: func() bot.Writer { return &testWriter{} }, Logger: log, Cooldown: -1}))
	cfg.Logger = log
	s := startNoWait(t, cfg)
	ctx := waitCtx(t)
	if _, err := fake.Interaction(ctx, command("glowcloud")); err != nil {
		t.Fatal(err)
	}
	fake.CloseGateway(4004)
	if err := s.wait(t); !errors.Is(err, gateway.ErrFatalClose) {
		t.Fatalf("Run = %v, want a fatal close", err)
	}
	out := buf.String()
	if strings.Contains(out, testToken) || strings.Contains(out, testToken[:20]) {
		t.Errorf("the log shows the token:\n%s", out)
	}
	for _, want := range []string{"gateway connected", "interaction", "4004"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q:\n%s", want, out)
		}
	}
}

// TestServeShutdownWhileConnecting cancels Run while discordgo's Open
// waits for a HELLO that never comes: the connection is closed under it,
// and Run returns long before its (generous) shutdown timeout.
func TestServeShutdownWhileConnecting(t *testing.T) {
	t.Parallel()
	accepted := make(chan struct{})
	clientGone := make(chan struct{})
	up := websocket.Upgrader{}
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		close(accepted)
		_, _, _ = c.ReadMessage() // no HELLO; wait for the client to hang up
		close(clientGone)
	}))
	t.Cleanup(silent.Close)

	fake := discordtest.New(t, discordtest.WithToken(testToken))
	cfg := gatewayServe(fake, testBot(&testWriter{}))
	cfg.ShutdownTimeout = 10 * waitLimit
	cfg.Dialer = &websocket.Dialer{NetDialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, silent.Listener.Addr().String())
	}}
	s := startNoWait(t, cfg)
	ctx := waitCtx(t)
	select {
	case <-accepted:
	case <-ctx.Done():
		t.Fatal("the gateway never dialled")
	}
	s.cancel()
	if err := s.wait(t); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	select {
	case <-clientGone:
	case <-ctx.Done():
		t.Error("the connection stayed open")
	}
	select {
	case <-s.readyc:
		t.Error("Ready called without a connection")
	default:
	}
}

// TestServeRegistersWithAppIDBeforeTheGateway: with DISCORD_APP_ID the
// commands are registered over REST at once, even when the gateway never
// comes up (here it refuses the IDENTIFY), and the gateway does not PUT them
// again.
func TestServeRegistersWithAppIDBeforeTheGateway(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		identify  []discordtest.Option
		wantFatal bool
	}{
		{"gateway refused", []discordtest.Option{discordtest.WithCloseOnIdentify(4004)}, true},
		{"gateway up", nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t, append([]discordtest.Option{discordtest.WithToken(testToken)}, tt.identify...)...)
			cfg := gatewayServe(fake, testBot(&testWriter{}))
			cfg.AppID = fake.AppID()
			s := startNoWait(t, cfg)
			if tt.wantFatal {
				if err := s.wait(t); !errors.Is(err, gateway.ErrFatalClose) {
					t.Fatalf("Run = %v, want a fatal close", err)
				}
			} else {
				ctx := waitCtx(t)
				select {
				case <-s.readyc:
				case err := <-s.done:
					t.Fatalf("Run returned before it was ready: %v", err)
				case <-ctx.Done():
					t.Fatal("not ready")
				}
			}
			if got := fake.CommandPuts(); got != 1 {
				t.Errorf("%d command PUTs, want exactly 1", got)
			}
			if got := len(fake.Commands("")); got != len(bot.Commands(false, false)) {
				t.Errorf("%d commands registered, want %d", got, len(bot.Commands(false, false)))
			}
		})
	}
}
