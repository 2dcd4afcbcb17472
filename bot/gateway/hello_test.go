package gateway

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gorilla/websocket"

	"github.com/glowcloud/glowcloud/bot"
)

// pipeGateway is a Discord gateway in memory (net.Pipe), so that a gateway
// can run inside a synctest bubble on its clock: REST's GET /gateway is a
// canned answer, and each dial gets a websocket upgrade and then what its
// script says.
type pipeGateway struct {
	// script says what dial n (from 1) gets.
	script func(n int) pipeScript

	mu         sync.Mutex
	dials      []time.Time
	identifies int
}

// pipeScript is what one connection to a pipeGateway does.
type pipeScript struct {
	hello []byte // sent as the first text frame; nil = a gateway that never says HELLO
	ready bool   // answer an IDENTIFY with READY
}

func (p *pipeGateway) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"url":"ws://gateway.fake"}`)), Request: r}, nil
}

func (p *pipeGateway) dial(context.Context, string, string) (net.Conn, error) {
	client, server := net.Pipe()
	p.mu.Lock()
	p.dials = append(p.dials, time.Now())
	sc := p.script(len(p.dials))
	p.mu.Unlock()
	go p.serve(server, sc)
	return client, nil
}

// serve answers the websocket upgrade, sends the script's HELLO if any, and
// then reads frames (IDENTIFY, heartbeats, close) until the bot hangs up,
// answering an IDENTIFY with READY when the script says so and a heartbeat
// with its ACK. Writes go through their own goroutine: a pipe has no
// buffer, and the bot may be writing while the gateway does.
func (p *pipeGateway) serve(c net.Conn, sc pipeScript) {
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
	out := make(chan []byte, 8)
	defer close(out)
	go func() {
		for b := range out {
			if _, err := c.Write(b); err != nil {
				c.Close()
			}
		}
	}()
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	out <- []byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n")
	if sc.hello != nil {
		out <- frame(websocket.TextMessage, sc.hello, nil)
	}
	for {
		// A close frame is not answered: the gateway waits for the bot
		// to hang up. (Hanging up first would wake discordgo's reader
		// while its Close holds the session's lock for a second, and a
		// goroutine waiting on a mutex stops synctest's clock.)
		op, payload, err := readClientFrame(br)
		if err != nil {
			return
		}
		if op == websocket.CloseMessage {
			continue
		}
		var msg struct{ Op int }
		if json.Unmarshal(payload, &msg) != nil {
			continue
		}
		switch msg.Op {
		case 2: // IDENTIFY
			p.mu.Lock()
			p.identifies++
			p.mu.Unlock()
			if sc.ready {
				out <- frame(websocket.TextMessage, []byte(`{"op":0,"s":1,"t":"READY","d":{"v":10,"session_id":"pipe","resume_gateway_url":"ws://gateway.fake","user":{"id":"1","username":"glowcloud","bot":true},"application":{"id":"1"},"guilds":[]}}`), nil)
			}
		case 1: // heartbeat
			out <- frame(websocket.TextMessage, []byte(`{"op":11}`), nil)
		}
	}
}

// readClientFrame reads one masked frame a client sent (RFC 6455 §5.2),
// through the gateway's own frame reader, and returns its opcode and
// unmasked payload.
func readClientFrame(br *bufio.Reader) (opcode byte, payload []byte, err error) {
	r := frameReader{framing: true}
	for ev := frameMore; ev != frameStart; {
		c, err := br.ReadByte()
		if err != nil {
			return 0, nil, err
		}
		_, ev = r.next([]byte{c})
	}
	h := r.hdr
	if h.length > 1<<20 {
		return 0, nil, fmt.Errorf("client frame of %d bytes", h.length)
	}
	payload = make([]byte, h.length)
	if _, err := io.ReadFull(br, payload); err != nil {
		return 0, nil, err
	}
	h.unmask(payload, 0)
	return h.opcode, payload, nil
}

func (p *pipeGateway) dialTimes() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.dials...)
}

func (p *pipeGateway) identified() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.identifies
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
// READY after 30 s more; each time the connection is closed, logged, and
// another dialled after the backoff (1 s). Issue 11, finding 5: the old
// code waited for ever on one dial with no log line; then it gave up on a
// missing READY only after 60 s (redialling at 61 s; the goal is 35 s at
// most). On synctest's clock with the production timeouts.
func TestSilentGatewayGivesUp(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		hello   []byte
		giveUp  time.Duration
		most    time.Duration // the redial comes no later
		wantLog string
	}{
		{"no HELLO", nil, DefaultHelloTimeout, 21 * time.Second, "no HELLO"},
		{"no READY", []byte(`{"op":10,"s":null,"t":null,"d":{"heartbeat_interval":41250}}`), DefaultReadyTimeout, 31 * time.Second, "no READY"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				pg := &pipeGateway{script: func(int) pipeScript { return pipeScript{hello: tt.hello} }}
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
				if len(dials) == 2 && dials[1].Sub(start) > tt.most {
					t.Errorf("redialled %v after the start; want %v at most", dials[1].Sub(start), tt.most)
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

// TestHostileHello runs the gateway against a gateway in memory whose
// first connection misbehaves and whose second is fine: each misbehaviour is
// refused (or waited out, with the production timeouts on synctest's
// clock), logged, and the gateway connects on the second connection. A
// HELLO with a heartbeat interval that is not positive crashed the old code
// (discordgo panics in time.NewTicker); one of 2^63 ms overflowed into the
// same panic. A refused HELLO costs no IDENTIFY.
func TestHostileHello(t *testing.T) {
	t.Parallel()
	good := []byte(`{"op":10,"s":null,"t":null,"d":{"heartbeat_interval":41250}}`)
	hello := func(interval string) []byte {
		return []byte(`{"op":10,"s":null,"t":null,"d":{"heartbeat_interval":` + interval + `}}`)
	}
	for _, tt := range []struct {
		name       string
		first      pipeScript // the first connection; the others are good
		wantLog    string
		identifies int // IDENTIFYs the gateway sees, the good connection's included
	}{
		{"interval 0", pipeScript{hello: hello("0")}, "heartbeat_interval", 1},
		{"negative interval", pipeScript{hello: hello("-41250")}, "heartbeat_interval", 1},
		{"overflowing interval", pipeScript{hello: hello("9223372036854775807")}, "heartbeat_interval", 1},
		{"fractional interval", pipeScript{hello: hello("41250.5")}, "heartbeat_interval", 1},
		{"interval as text", pipeScript{hello: hello(`"41250"`)}, "heartbeat_interval", 1},
		{"no interval", pipeScript{hello: []byte(`{"op":10,"d":{}}`)}, "heartbeat_interval", 1},
		{"not a HELLO", pipeScript{hello: []byte(`{"op":0,"s":1,"t":"READY","d":{}}`)}, "not a HELLO", 1},
		{"not JSON", pipeScript{hello: []byte(`hello?`)}, "not JSON", 1},
		{"oversized HELLO", pipeScript{hello: []byte(`{"op":10,"d":{"heartbeat_interval":41250,"x":"` + strings.Repeat("x", 64<<10) + `"}}`)}, "first frame of", 1},
		{"silent", pipeScript{}, "no HELLO", 1},
		{"no READY", pipeScript{hello: good}, "no READY", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				pg := &pipeGateway{script: func(n int) pipeScript {
					if n == 1 {
						return tt.first
					}
					return pipeScript{hello: good, ready: true}
				}}
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
				connected := make(chan struct{})
				done := make(chan error, 1)
				go func() { done <- g.Run(ctx, func() { close(connected) }) }()
				select {
				case <-connected:
				case err := <-done:
					t.Fatalf("Run = %v before connecting; log:\n%s", err, logs.String())
				case <-time.After(5 * time.Minute):
					t.Fatalf("never connected; log:\n%s", logs.String())
				}
				if got := pg.identified(); got != tt.identifies {
					t.Errorf("%d IDENTIFYs, want %d", got, tt.identifies)
				}
				if n := len(pg.dialTimes()); n != 2 {
					t.Errorf("%d connections, want 2: the bad one and the good one", n)
				}
				if !strings.Contains(logs.String(), tt.wantLog) {
					t.Errorf("log does not mention %q:\n%s", tt.wantLog, logs.String())
				}
				if len(logs.String()) > 8<<10 {
					t.Errorf("%d bytes of log for one refused connection", len(logs.String()))
				}
				// Let discordgo's heartbeat settle first: its Close sleeps a
				// second holding the session's lock, and a goroutine waiting
				// on that lock would stop the bubble's clock.
				synctest.Wait()
				cancel()
				if err := <-done; err != nil {
					t.Errorf("Run = %v, want nil", err)
				}
			})
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

// TestGiantMessageRefused: a gateway message announcing more than
// MaxMessage is refused from its frame header, before its payload is
// read: the gate closes the connection (the gateway then dials again, as
// for every refusal) having passed on little of it. discordgo reads a
// whole message into memory: a 32 MiB frame cost the old bot 262 MB that
// it kept. Messages up to the limit, in one frame or several, pass.
func TestGiantMessageRefused(t *testing.T) {
	t.Parallel()
	hello := frame(websocket.TextMessage, []byte(`{"op":10,"s":null,"t":null,"d":{"heartbeat_interval":41250}}`), nil)
	// The frames are made as they are written (n spaces after a head):
	// building a 32 MiB frame whole cost more than reading it.
	spaceFrame := func(fin bool, opcode byte, n int) func() io.Reader {
		return func() io.Reader {
			head := appendFrameHead(nil, opcode, n, false)
			if !fin {
				head[0] &^= 0x80
			}
			return io.MultiReader(bytes.NewReader(head), io.LimitReader(spaces{}, int64(n)))
		}
	}
	for _, tt := range []struct {
		name   string
		after  []func() io.Reader // frames after the HELLO
		refuse bool
	}{
		{"a message at the limit", []func() io.Reader{spaceFrame(true, websocket.TextMessage, MaxMessage)}, false},
		{"a 32 MiB message", []func() io.Reader{spaceFrame(true, websocket.TextMessage, 32<<20)}, true},
		{"two halves and a byte, in fragments", []func() io.Reader{
			spaceFrame(false, websocket.TextMessage, MaxMessage/2), spaceFrame(false, 0, MaxMessage/2), spaceFrame(true, 0, 1),
		}, true},
		{"two messages of half the limit each", []func() io.Reader{
			spaceFrame(true, websocket.TextMessage, MaxMessage/2), spaceFrame(true, websocket.BinaryMessage, MaxMessage/2),
		}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, server := net.Pipe()
			g := newHelloGate(client, slog.New(slog.DiscardHandler), time.Minute, time.Minute)
			defer g.Close()
			var written atomic.Int64
			go func() {
				defer server.Close()
				parts := []io.Reader{strings.NewReader("HTTP/1.1 101 Switching Protocols\r\n\r\n"), bytes.NewReader(hello)}
				for _, f := range tt.after {
					parts = append(parts, f())
				}
				stream := io.MultiReader(parts...)
				chunk := make([]byte, 4096)
				for {
					k, rerr := io.ReadFull(stream, chunk)
					if k == 0 {
						return
					}
					n, err := server.Write(chunk[:k])
					written.Add(int64(n))
					if err != nil || rerr != nil {
						return
					}
				}
			}()
			var read int64
			buf := make([]byte, 8192)
			var err error
			for err == nil {
				var n int
				n, err = g.Read(buf)
				read += int64(n)
			}
			if got := errors.Is(err, errHugeMessage); got != tt.refuse {
				t.Fatalf("read %d bytes, then %v; want refused %v", read, err, tt.refuse)
			}
			if tt.refuse && read > MaxMessage+64<<10 {
				t.Errorf("passed on %d bytes before refusing", read)
			}
			if !tt.refuse && err != io.EOF && !errors.Is(err, io.ErrClosedPipe) {
				t.Errorf("ended with %v", err)
			}
		})
	}
}

// spaces reads as endless spaces.
type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}
