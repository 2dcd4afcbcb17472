package gateway

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gorilla/websocket"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/internal/discordtest"
)

// pipeGateway is a Discord gateway in memory (net.Pipe), so that a gateway
// can run inside a synctest bubble on its clock: REST's GET /gateway is a
// canned answer, and each dial gets a websocket upgrade and then what hello
// says (nil: nothing at all).
type pipeGateway struct {
	hello []byte // sent as the first text frame; nil = a gateway that never says HELLO

	mu    sync.Mutex
	dials []time.Time
	conns []net.Conn
}

func (p *pipeGateway) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"url":"ws://gateway.fake"}`)), Request: r}, nil
}

func (p *pipeGateway) dial(context.Context, string, string) (net.Conn, error) {
	client, server := net.Pipe()
	p.mu.Lock()
	p.dials = append(p.dials, time.Now())
	p.conns = append(p.conns, server)
	p.mu.Unlock()
	go p.serve(server)
	return client, nil
}

// serve answers the websocket upgrade, sends hello if any, and then reads
// (IDENTIFY, heartbeats) until the bot hangs up.
func (p *pipeGateway) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	key := ""
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		if k, ok := strings.CutPrefix(strings.ToLower(line), "sec-websocket-key:"); ok {
			key = strings.TrimSpace(line[len(line)-len(k):])
		}
		if line == "\r\n" {
			break
		}
	}
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n"
	if _, err := c.Write([]byte(resp)); err != nil {
		return
	}
	if p.hello != nil {
		if _, err := c.Write(frame(websocket.TextMessage, p.hello, nil)); err != nil {
			return
		}
	}
	_, _ = io.Copy(io.Discard, br)
}

func (p *pipeGateway) dialTimes() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.dials...)
}

// lockedLog is a log destination safe for concurrent writes.
type lockedLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSilentGatewayGivesUp: a gateway that accepts the websocket but never
// sends HELLO is given up after 20 s, and one that sends HELLO but never
// READY after 60 s more; each time the connection is closed, logged, and
// another dialled after the backoff (1 s). Issue 11, finding 5:
// the old code waited for ever on one dial with no log line. On synctest's
// clock with the production timeouts.
func TestSilentGatewayGivesUp(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		hello   []byte
		giveUp  time.Duration
		wantLog string
	}{
		{"no HELLO", nil, DefaultHelloTimeout, "no HELLO"},
		{"no READY", []byte(`{"op":10,"s":null,"t":null,"d":{"heartbeat_interval":41250}}`), DefaultReadyTimeout, "no READY"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				pg := &pipeGateway{hello: tt.hello}
				var logs lockedLog
				g, err := New(Config{
					Bot:    bot.New(bot.Config{}),
					Log:    slog.New(slog.NewTextHandler(&logs, nil)),
					Token:  "Bot x",
					Client: &http.Client{Transport: pg},
					Dialer: &websocket.Dialer{NetDialContext: pg.dial},
				})
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(t.Context())
				start := time.Now()
				done := make(chan error, 1)
				go func() { done <- g.Run(ctx, func() { t.Error("connected to a silent gateway") }) }()

				time.Sleep(tt.giveUp + 2*time.Second)
				synctest.Wait()
				// The first dial at once; the second after giving up and a
				// backoff of 1 s.
				dials := pg.dialTimes()
				if len(dials) != 2 || dials[0] != start || dials[1].Sub(start) != tt.giveUp+time.Second {
					t.Errorf("dials at %v after the start; want 0s and %v", offsets(dials, start), tt.giveUp+time.Second)
				}
				if !strings.Contains(logs.String(), tt.wantLog) || !strings.Contains(logs.String(), "retrying") {
					t.Errorf("log does not say it gave up (%q) and is retrying:\n%s", tt.wantLog, logs.String())
				}
				cancel()
				if err := <-done; err != nil {
					t.Errorf("Run = %v, want nil", err)
				}
			})
		})
	}
}

func offsets(ts []time.Time, start time.Time) []time.Duration {
	out := make([]time.Duration, len(ts))
	for i, t := range ts {
		out[i] = t.Sub(start)
	}
	return out
}

// TestHostileHello runs the gateway against the fake Discord, whose first
// connection misbehaves and whose second is fine: each misbehaviour is
// refused (or waited out, with short injected timeouts), logged, and the
// gateway connects on the second connection. A HELLO with a heartbeat
// interval that is not positive crashed the old code (discordgo panics in
// time.NewTicker); one of 2^63 ms overflowed into the same panic.
func TestHostileHello(t *testing.T) {
	t.Parallel()
	hello := func(interval string) discordtest.HelloResult {
		return discordtest.HelloResult{Raw: []byte(`{"op":10,"s":null,"t":null,"d":{"heartbeat_interval":` + interval + `}}`)}
	}
	for _, tt := range []struct {
		name       string
		hello      discordtest.HelloResult
		silentOnce bool // the first IDENTIFY gets no READY
		wantLog    string
		identifies int // IDENTIFYs the fake sees, the good connection's included
	}{
		{"interval 0", hello("0"), false, "heartbeat_interval", 1},
		{"negative interval", hello("-41250"), false, "heartbeat_interval", 1},
		{"overflowing interval", hello("9223372036854775807"), false, "heartbeat_interval", 1},
		{"fractional interval", hello("41250.5"), false, "heartbeat_interval", 1},
		{"interval as text", hello(`"41250"`), false, "heartbeat_interval", 1},
		{"no interval", discordtest.HelloResult{Raw: []byte(`{"op":10,"d":{}}`)}, false, "heartbeat_interval", 1},
		{"not a HELLO", discordtest.HelloResult{Raw: []byte(`{"op":0,"s":1,"t":"READY","d":{}}`)}, false, "not a HELLO", 1},
		{"not JSON", discordtest.HelloResult{Raw: []byte(`hello?`)}, false, "not JSON", 1},
		{"oversized HELLO", discordtest.HelloResult{Raw: []byte(`{"op":10,"d":{"heartbeat_interval":41250,"x":"` + strings.Repeat("x", 64<<10) + `"}}`)}, false, "first frame of", 1},
		{"silent", discordtest.HelloResult{Silent: true}, false, "no HELLO", 1},
		{"no READY", discordtest.HelloResult{}, true, "no READY", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t,
				discordtest.WithHelloHook(func(n int) discordtest.HelloResult {
					if n == 1 {
						return tt.hello
					}
					return discordtest.HelloResult{}
				}),
				discordtest.WithIdentifyHook(func(n int, _ discordtest.Identify) discordtest.IdentifyResult {
					return discordtest.IdentifyResult{Silent: tt.silentOnce && n == 1}
				}))
			var logs lockedLog
			g, err := New(Config{
				Bot:          bot.New(bot.Config{}),
				Log:          slog.New(slog.NewTextHandler(&logs, nil)),
				Token:        "test-token",
				Client:       fake.Client(),
				Dialer:       fake.Dialer(),
				HelloTimeout: 300 * time.Millisecond,
				ReadyTimeout: 300 * time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			connected := make(chan struct{})
			done := make(chan error, 1)
			go func() { done <- g.Run(ctx, func() { close(connected) }) }()
			select {
			case <-connected:
			case err := <-done:
				t.Fatalf("Run = %v before connecting; log:\n%s", err, logs.String())
			case <-time.After(30 * time.Second):
				t.Fatalf("never connected; log:\n%s", logs.String())
			}
			if got := fake.Identifies(); got != tt.identifies {
				t.Errorf("%d IDENTIFYs, want %d", got, tt.identifies)
			}
			if !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("log does not mention %q:\n%s", tt.wantLog, logs.String())
			}
			if len(logs.String()) > 8<<10 {
				t.Errorf("%d bytes of log for one refused connection", len(logs.String()))
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run = %v, want nil", err)
			}
		})
	}
}

// TestCheckHello holds checkHello to what discordgo can take.
func TestCheckHello(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		payload string
		ok      bool
	}{
		{`{"op":10,"s":null,"t":null,"d":{"heartbeat_interval":41250}}`, true},
		{`{"op":10,"d":{"heartbeat_interval":1}}`, true},
		{`{"op":10,"d":{"heartbeat_interval":3600000}}`, true},
		{`{"op":10,"d":{"heartbeat_interval":3600001}}`, false},
		{`{"op":10,"d":{"heartbeat_interval":0}}`, false},
		{`{"op":10,"d":{"heartbeat_interval":-1}}`, false},
		{`{"op":10,"d":{"heartbeat_interval":1e3}}`, false},
		{`{"op":10,"d":{"heartbeat_interval":null}}`, false},
		{`{"op":10}`, false},
		{`{"d":{"heartbeat_interval":41250}}`, false},
		{`{"op":11,"d":{"heartbeat_interval":41250}}`, false},
		{`[]`, false},
	} {
		if err := checkHello(websocket.TextMessage, []byte(tt.payload)); (err == nil) != tt.ok {
			t.Errorf("checkHello(%s) = %v, want ok %v", tt.payload, err, tt.ok)
		}
	}
}

// FuzzHelloGate feeds arbitrary bytes from the gateway through a guard: it
// never panics, holds back at most maxPreHello bytes, and releases the
// bytes after the upgrade only when their first data frame is a HELLO
// checkHello accepts.
func FuzzHelloGate(f *testing.F) {
	upgrade := "HTTP/1.1 101 Switching Protocols\r\n\r\n"
	f.Add([]byte(upgrade), []byte(`{"op":10,"d":{"heartbeat_interval":41250}}`), byte(websocket.TextMessage))
	f.Add([]byte(upgrade), []byte(`{"op":10,"d":{"heartbeat_interval":0}}`), byte(websocket.TextMessage))
	f.Add([]byte("HTTP/1.1 101\r\n"), []byte(`x`), byte(websocket.PingMessage))
	f.Fuzz(func(t *testing.T, head, payload []byte, opcode byte) {
		stream := append(append([]byte(nil), head...), frame(opcode&0x0f, payload, nil)...)
		g := &helloGate{log: slog.New(slog.DiscardHandler), timer: time.NewTimer(time.Hour), readyTimeout: time.Hour}
		defer g.timer.Stop()
		err := g.feed(stream)
		if len(g.held) > maxPreHello+len(stream) {
			t.Fatalf("held %d bytes", len(g.held))
		}
		if err == nil && g.state == gateOpen {
			if cerr := checkHello(opcode&0x0f, payload); opcode&0x08 == 0 && cerr != nil {
				t.Fatalf("released a first frame checkHello refuses: %v", cerr)
			}
		}
		g.mu.Lock()
		if g.timer != nil {
			g.timer.Stop()
		}
		g.mu.Unlock()
	})
}
