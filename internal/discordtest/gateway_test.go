package discordtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/glowcloud/glowcloud/internal/discordtest"
)

// wsClient is a bare gateway client, to drive the fake frame by frame.
type wsClient struct {
	t     *testing.T
	conn  *websocket.Conn
	hello string // the HELLO frame's d
}

type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  *string         `json:"t"`
}

func dial(t *testing.T, fake *discordtest.Server, url string) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, _, err := fake.Dialer().DialContext(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &wsClient{t: t, conn: conn}
	f := c.read()
	if f.Op != 10 {
		t.Fatalf("first frame = op %d %s, want HELLO", f.Op, f.D)
	}
	c.hello = string(f.D)
	return c
}

func (c *wsClient) send(v string) {
	c.t.Helper()
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(v)); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *wsClient) read() frame {
	c.t.Helper()
	f, err := c.tryRead()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return f
}

func (c *wsClient) tryRead() (frame, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	mt, b, err := c.conn.ReadMessage()
	if err != nil {
		return frame{}, err
	}
	if mt != websocket.TextMessage {
		c.t.Fatalf("message type %d, want text", mt)
	}
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		c.t.Fatalf("decode %s: %v", b, err)
	}
	return f, nil
}

// closeCode reads until the connection ends and returns the close code (1006 if it ended without a close frame).
func (c *wsClient) closeCode() int {
	c.t.Helper()
	for {
		_, err := c.tryRead()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		return 0
	}
}

const identify = `{"op":2,"d":{"token":"Bot t","intents":1,"properties":{"os":"linux"}}}`

func (c *wsClient) identify() (sessionID string) {
	c.t.Helper()
	c.send(identify)
	f := c.read()
	if f.Op != 0 || f.T == nil || *f.T != "READY" || f.S == nil || *f.S != 1 {
		c.t.Fatalf("answer to IDENTIFY = %+v, want READY with s=1", f)
	}
	var d struct {
		SessionID string `json:"session_id"`
	}
	_ = json.Unmarshal(f.D, &d)
	return d.SessionID
}

func TestGatewayURLFromREST(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	resp, err := fake.Client().Get("https://discord.com/api/v9/gateway")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var g struct{ URL string }
	if err := json.NewDecoder(resp.Body).Decode(&g); err != nil {
		t.Fatal(err)
	}
	if g.URL != fake.GatewayURL() || !strings.HasPrefix(g.URL, "ws://127.0.0.1:") {
		t.Errorf("gateway url = %q, want %q", g.URL, fake.GatewayURL())
	}
	// Any host reaches the fake gateway through Dialer, ws:// and wss:// alike.
	for _, u := range []string{g.URL + "/?v=9&encoding=json", "wss://gateway.discord.gg/?v=10&encoding=json"} {
		dial(t, fake, u).identify()
	}
	if n := fake.Identifies(); n != 2 {
		t.Errorf("Identifies = %d, want 2", n)
	}
}

func TestGatewayHeartbeat(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	c := dial(t, fake, fake.GatewayURL())
	if c.hello != `{"heartbeat_interval":45000}` {
		t.Errorf("HELLO d = %s, want the default interval 45000", c.hello)
	}
	c.send(`{"op":1,"d":null}`) // allowed before IDENTIFY
	if f := c.read(); f.Op != 11 {
		t.Errorf("answer to heartbeat = op %d, want 11", f.Op)
	}
	c.identify()
	c.send(`{"op":1,"d":1}`)
	if f := c.read(); f.Op != 11 {
		t.Errorf("answer to heartbeat = op %d, want 11", f.Op)
	}
	if n := fake.Heartbeats(); n != 2 {
		t.Errorf("Heartbeats = %d, want 2", n)
	}
}

func TestGatewayWithoutHeartbeatAck(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithoutHeartbeatAck(), discordtest.WithHeartbeatInterval(time.Second))
	c := dial(t, fake, fake.GatewayURL())
	if c.hello != `{"heartbeat_interval":1000}` {
		t.Errorf("HELLO d = %s, want interval 1000", c.hello)
	}
	c.send(`{"op":1,"d":null}`)
	c.identify() // fails if an op 11 came first
	if n := fake.Heartbeats(); n != 1 {
		t.Errorf("Heartbeats = %d, want 1", n)
	}
}

func TestGatewayCloseCodes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		opts   []discordtest.Option
		frames []string
		want   int
	}{
		{"unknown opcode", nil, []string{`{"op":42,"d":null}`}, 4001},
		{"not JSON", nil, []string{`{op`}, 4002},
		{"too large", nil, []string{`{"op":1,"d":"` + strings.Repeat("x", 4100) + `"}`}, 4002},
		{"presence before identify", nil, []string{`{"op":3,"d":{}}`}, 4003},
		{"identify twice", nil, []string{identify, identify}, 4005},
		{"bad token", []discordtest.Option{discordtest.WithToken("good")}, []string{identify}, 4004},
		{"invalid shard", nil, []string{`{"op":2,"d":{"token":"t","intents":0,"shard":[2,2]}}`}, 4010},
		{"hook", []discordtest.Option{discordtest.WithCloseOnIdentify(4014)}, []string{identify}, 4014},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t, tt.opts...)
			c := dial(t, fake, fake.GatewayURL())
			for _, f := range tt.frames {
				c.send(f)
			}
			if got := c.closeCode(); got != tt.want {
				t.Errorf("close code = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestGatewayInvalidSessionHook(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithIdentifyHook(func(n int, id discordtest.Identify) discordtest.IdentifyResult {
		return discordtest.IdentifyResult{InvalidSession: n == 1}
	}))
	c := dial(t, fake, fake.GatewayURL())
	c.send(identify)
	if f := c.read(); f.Op != 9 || string(f.D) != "false" {
		t.Fatalf("answer to first IDENTIFY = op %d d %s, want op 9 false", f.Op, f.D)
	}
	c.identify() // the second one gets READY on the same connection
	if !fake.Connected() {
		t.Error("Connected = false after READY")
	}
}

func TestGatewayDispatchSequenceAndResumeReplay(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	fake := discordtest.New(t)

	// Dispatch waits for a ready connection.
	done := make(chan error, 1)
	go func() { done <- fake.Dispatch(ctx, "GUILD_CREATE", map[string]any{"id": "1"}) }()
	c := dial(t, fake, fake.GatewayURL())
	session := c.identify()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if f := c.read(); f.T == nil || *f.T != "GUILD_CREATE" || *f.S != 2 {
		t.Fatalf("dispatch = %+v, want GUILD_CREATE s=2", f)
	}
	if err := fake.Dispatch(ctx, "A", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if err := fake.Dispatch(ctx, "B", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	fake.DropGateway()                                                 // the client "missed" A (s=3) and B (s=4)
	if code := c.closeCode(); code != websocket.CloseAbnormalClosure { // gorilla's code for "no close frame"
		t.Errorf("DropGateway: close code %d, want 1006 (no close frame)", code)
	}
	if err := fake.WaitConnections(ctx, 0); err != nil {
		t.Fatal(err)
	}

	c2 := dial(t, fake, fake.GatewayURL())
	c2.send(`{"op":6,"d":{"token":"Bot t","session_id":"` + session + `","seq":2}}`)
	for _, want := range []string{"A", "B", "RESUMED"} {
		if f := c2.read(); f.T == nil || *f.T != want {
			t.Fatalf("after RESUME got %+v, want %s", f, want)
		}
	}
	r, err := fake.WaitResume(ctx)
	if err != nil || !r.Accepted || r.SessionID != session || r.Seq != 2 {
		t.Errorf("WaitResume = %+v, %v", r, err)
	}
	if err := fake.Dispatch(ctx, "C", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if f := c2.read(); *f.T != "C" || *f.S != 6 {
		t.Errorf("after resume got %s s=%d, want C s=6", *f.T, *f.S)
	}

	// A session closed with 1000 by the client cannot be resumed.
	if err := c2.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(1000, "")); err != nil {
		t.Fatal(err)
	}
	c2.closeCode()
	if err := fake.WaitConnections(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if codes := fake.ClientCloseCodes(); len(codes) != 1 || codes[0] != 1000 {
		t.Errorf("ClientCloseCodes = %v, want [1000]", codes)
	}
	c3 := dial(t, fake, fake.GatewayURL())
	c3.send(`{"op":6,"d":{"token":"Bot t","session_id":"` + session + `","seq":6}}`)
	if f := c3.read(); f.Op != 9 || string(f.D) != "false" {
		t.Errorf("RESUME of a closed session = op %d d %s, want op 9 false", f.Op, f.D)
	}
	if r, err := fake.WaitResume(ctx); err != nil || r.Accepted {
		t.Errorf("second WaitResume = %+v, %v, want not accepted", r, err)
	}
}

// TestGatewayCloseHandshake closes the gateway as Discord does, with the bot answering like discordgo
// (its close frame always says 1000): the fake waits for that answer, lists it, and still lets the
// session resume unless its own close code ended it.
func TestGatewayCloseHandshake(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		code      int
		resumable bool
	}{
		{4000, true},
		{4008, true},
		{4009, false},
	} {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t)
			fake := discordtest.New(t)
			c := dial(t, fake, fake.GatewayURL())
			session := c.identify()
			c.conn.SetCloseHandler(func(int, string) error {
				return c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1000, ""), time.Now().Add(5*time.Second))
			})
			fake.CloseGateway(tt.code)
			if fake.Connected() {
				t.Error("Connected right after CloseGateway")
			}
			if code := c.closeCode(); code != tt.code {
				t.Errorf("close code = %d, want %d", code, tt.code)
			}
			if err := fake.WaitConnections(ctx, 0); err != nil {
				t.Fatal(err)
			}
			if codes := fake.ClientCloseCodes(); !slices.Equal(codes, []int{1000}) {
				t.Errorf("ClientCloseCodes = %v, want [1000]: the fake waits for the bot's answer", codes)
			}

			c2 := dial(t, fake, fake.GatewayURL())
			c2.send(`{"op":6,"d":{"token":"Bot t","session_id":"` + session + `","seq":1}}`)
			f := c2.read()
			switch {
			case tt.resumable && (f.T == nil || *f.T != "RESUMED"):
				t.Errorf("RESUME after close %d = %+v, want RESUMED", tt.code, f)
			case !tt.resumable && (f.Op != 9 || string(f.D) != "false"):
				t.Errorf("RESUME after close %d = op %d d %s, want op 9 false", tt.code, f.Op, f.D)
			}
			if r, err := fake.WaitResume(ctx); err != nil || r.Accepted != tt.resumable {
				t.Errorf("WaitResume = %+v, %v, want Accepted %v", r, err, tt.resumable)
			}
		})
	}
}

func TestGatewayCloseGatewayAndInvalidSession(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	fake := discordtest.New(t)
	c := dial(t, fake, fake.GatewayURL())
	c.identify()
	if err := fake.InvalidSession(ctx, false); err != nil {
		t.Fatal(err)
	}
	if f := c.read(); f.Op != 9 || string(f.D) != "false" {
		t.Fatalf("got op %d d %s, want op 9 false", f.Op, f.D)
	}
	if fake.Connected() {
		t.Error("Connected after op 9")
	}
	c.identify() // re-identifying on the same connection is allowed after op 9
	if err := fake.Reconnect(ctx); err != nil {
		t.Fatal(err)
	}
	if f := c.read(); f.Op != 7 {
		t.Fatalf("got op %d, want 7", f.Op)
	}
	fake.CloseGateway(4000)
	if code := c.closeCode(); code != 4000 {
		t.Errorf("close code = %d, want 4000", code)
	}
	ctx2, cancel := context.WithCancel(ctx)
	cancel()
	if err := fake.Dispatch(ctx2, "X", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Dispatch without a connection = %v, want context.Canceled", err)
	}
}

// TestGatewayHelloHook: the first connection gets nothing, the second a raw
// HELLO, the third the usual one; and a silent IDENTIFY gets no READY.
func TestGatewayHelloHook(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t,
		discordtest.WithHelloHook(func(n int) discordtest.HelloResult {
			switch n {
			case 1:
				return discordtest.HelloResult{Silent: true}
			case 2:
				return discordtest.HelloResult{Raw: []byte(`{"op":10,"d":{"heartbeat_interval":0}}`)}
			}
			return discordtest.HelloResult{}
		}),
		discordtest.WithIdentifyHook(func(n int, _ discordtest.Identify) discordtest.IdentifyResult {
			return discordtest.IdentifyResult{Silent: n == 1}
		}))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	silent, _, err := fake.Dialer().DialContext(ctx, fake.GatewayURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	_ = silent.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, b, err := silent.ReadMessage(); err == nil {
		t.Errorf("a silent connection sent %s", b)
	}

	c := dial(t, fake, fake.GatewayURL())
	if c.hello != `{"heartbeat_interval":0}` {
		t.Errorf("raw HELLO's d = %s", c.hello)
	}
	c.send(identify)
	_ = c.conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, b, err := c.conn.ReadMessage(); err == nil {
		t.Errorf("a silent IDENTIFY was answered %s", b)
	}
	if _, err := fake.WaitIdentify(ctx); err != nil {
		t.Fatal(err)
	}

	third := dial(t, fake, fake.GatewayURL())
	if !strings.Contains(third.hello, "heartbeat_interval") {
		t.Errorf("usual HELLO's d = %s", third.hello)
	}
	third.identify()
}
