package bot

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// frame encodes one websocket frame as a server (unmasked) or, with a
// key, masked.
func frame(opcode byte, payload []byte, key []byte) []byte {
	var b bytes.Buffer
	b.WriteByte(0x80 | opcode)
	mask := byte(0)
	if key != nil {
		mask = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		b.WriteByte(mask | byte(n))
	case n <= 0xffff:
		b.WriteByte(mask | 126)
		_ = binary.Write(&b, binary.BigEndian, uint16(n))
	default:
		b.WriteByte(mask | 127)
		_ = binary.Write(&b, binary.BigEndian, uint64(n))
	}
	if key != nil {
		b.Write(key)
		masked := bytes.Clone(payload)
		for i := range masked {
			masked[i] ^= key[i%4]
		}
		payload = masked
	}
	b.Write(payload)
	return b.Bytes()
}

func closePayload(code int, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

func TestFrameParser(t *testing.T) {
	t.Parallel()
	upgrade := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n"
	hello := frame(websocket.TextMessage, []byte(`{"op":10,"d":{"heartbeat_interval":45000}}`), nil)
	// A payload of 126..65535 bytes that looks like a close frame and a
	// CRLF pair inside, to catch a parser that scans rather than counts.
	medium := frame(websocket.TextMessage, bytes.Repeat([]byte("\x88\x02\x0f\xa4\r\n\r\n"), 40), nil)
	large := frame(websocket.BinaryMessage, bytes.Repeat([]byte{0x88}, 70000), nil)
	ping := frame(websocket.PingMessage, []byte("hi"), nil)

	for _, tt := range []struct {
		name     string
		stream   []byte
		wantCode int
		wantText string
		wantOK   bool
	}{
		{"close after hello", cat(upgrade, hello, frame(websocket.CloseMessage, closePayload(4004, "Authentication failed."), nil)), 4004, "Authentication failed.", true},
		{"close after long frames", cat(upgrade, hello, medium, ping, large, frame(websocket.CloseMessage, closePayload(4014, "Disallowed intent(s)."), nil)), 4014, "Disallowed intent(s).", true},
		{"masked close", cat(upgrade, frame(websocket.CloseMessage, closePayload(4000, "oops"), []byte{1, 2, 3, 4})), 4000, "oops", true},
		{"close without code", cat(upgrade, frame(websocket.CloseMessage, nil, nil)), websocket.CloseNoStatusReceived, "", true},
		{"no close", cat(upgrade, hello, medium, large), 0, "", false},
		{"close code in the upgrade response", cat("HTTP/1.1 101 OK\r\nX-Junk: \x88\x02\x0f\xa4\r\n\r\n", hello), 0, "", false},
	} {
		for _, chunk := range []int{1, 2, 3, 7, 64, 4096, len(tt.stream)} {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				var p frameParser
				var (
					code  int
					text  string
					ok    bool
					calls int
				)
				for b := tt.stream; len(b) > 0; {
					n := min(chunk, len(b))
					if c, s, k := p.feed(b[:n]); k {
						code, text, ok = c, s, k
						calls++
					}
					b = b[n:]
				}
				if code != tt.wantCode || text != tt.wantText || ok != tt.wantOK || calls > 1 {
					t.Errorf("chunks of %d: got (%d, %q, %v) %d times, want (%d, %q, %v) once",
						chunk, code, text, ok, calls, tt.wantCode, tt.wantText, tt.wantOK)
				}
			})
		}
	}
}

func cat(head string, frames ...[]byte) []byte {
	return append([]byte(head), bytes.Join(frames, nil)...)
}

// closingServer upgrades, sends a text message, then closes with code.
func closingServer(t *testing.T, code int, reason string, useTLS bool) *httptest.Server {
	t.Helper()
	up := websocket.Upgrader{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("x"), 5000))
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(5*time.Second))
		_, _, _ = c.ReadMessage() // wait for the client to go
	})
	var srv *httptest.Server
	if useTLS {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(srv.Close)
	return srv
}

func TestSniffingDialer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		tls    bool
		custom bool // the base dialer brings its own NetDialContext
	}{
		{"ws", false, false},
		{"wss", true, false},
		{"ws custom dial", false, true},
		{"wss custom dial", true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := closingServer(t, 4013, "Invalid intent(s).", tt.tls)
			base := &websocket.Dialer{HandshakeTimeout: 10 * time.Second}
			url := "ws" + strings.TrimPrefix(srv.URL, "http")
			if tt.tls {
				pool := x509.NewCertPool()
				pool.AddCert(srv.Certificate())
				base.TLSClientConfig = &tls.Config{RootCAs: pool, ServerName: "example.com"}
			}
			var dialled bool
			if tt.custom {
				// Dial the server whatever the URL says, as the fake
				// Discord's dialer does.
				addr := srv.Listener.Addr().String()
				base.NetDialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
					dialled = true
					var d net.Dialer
					return d.DialContext(ctx, network, addr)
				}
				url = strings.Replace(url, srv.Listener.Addr().String(), "gateway.discord.gg:1234", 1)
			}
			var (
				mu    sync.Mutex
				conns []net.Conn
				codes []int
				texts []string
			)
			d := sniffingDialer(base,
				func(c net.Conn) { mu.Lock(); conns = append(conns, c); mu.Unlock() },
				func(code int, text string) {
					mu.Lock()
					codes = append(codes, code)
					texts = append(texts, text)
					mu.Unlock()
				})
			c, _, err := d.Dial(url, nil)
			if err != nil {
				t.Fatalf("dial %s: %v", url, err)
			}
			defer c.Close()
			if _, _, err := c.ReadMessage(); err != nil {
				t.Fatalf("first message: %v", err)
			}
			_, _, err = c.ReadMessage()
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != 4013 {
				t.Fatalf("second read: %v, want close 4013", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(codes) != 1 || codes[0] != 4013 || texts[0] != "Invalid intent(s)." {
				t.Errorf("sniffed %v %q, want [4013] [Invalid intent(s).]", codes, texts)
			}
			if len(conns) != 1 {
				t.Errorf("onConn called %d times, want 1", len(conns))
			}
			if tt.custom && !dialled {
				t.Error("the base dialer's NetDialContext was not used")
			}
			if base.NetDialTLSContext != nil || (base.NetDialContext != nil) != tt.custom {
				t.Error("sniffingDialer changed the base dialer")
			}
		})
	}
}

// recordingTransport records requests and answers 200.
type recordingTransport struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.reqs = append(rt.reqs, r)
	rt.mu.Unlock()
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("{}")), Request: r, Header: http.Header{}}, nil
}

func TestRESTClientRewritesDiscord(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in, want, wantHost string
	}{
		{"api", "https://discord.com/api/v9/applications/1/commands?with_localizations=true", "http://127.0.0.1:8080/api/v9/applications/1/commands?with_localizations=true", "127.0.0.1:8080"},
		{"webhook edit", "https://discord.com/api/v9/webhooks/1/tok/messages/@original", "http://127.0.0.1:8080/api/v9/webhooks/1/tok/messages/@original", "127.0.0.1:8080"},
		{"explicit port", "https://discord.com:443/api/v9/gateway", "http://127.0.0.1:8080/api/v9/gateway", "127.0.0.1:8080"},
		{"cdn untouched", "https://cdn.discordapp.com/attachments/1/2/a.txt", "https://cdn.discordapp.com/attachments/1/2/a.txt", "cdn.discordapp.com"},
		{"plain http untouched", "http://discord.com/api/v9/gateway", "http://discord.com/api/v9/gateway", "discord.com"},
		{"lookalike untouched", "https://discord.com.evil.example/api", "https://discord.com.evil.example/api", "discord.com.evil.example"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rt := &recordingTransport{}
			c, err := restClient(&http.Client{Transport: rt}, "http://127.0.0.1:8080")
			if err != nil {
				t.Fatal(err)
			}
			req, err := http.NewRequest("PATCH", tt.in, strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if len(rt.reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(rt.reqs))
			}
			got := rt.reqs[0]
			if got.URL.String() != tt.want || got.URL.Host != tt.wantHost || (got.Host != "" && got.Host != tt.wantHost) {
				t.Errorf("sent %s (Host %q), want %s", got.URL, got.Host, tt.want)
			}
			if req.URL.String() != tt.in {
				t.Errorf("the caller's request changed to %s", req.URL)
			}
			if got.Method != "PATCH" {
				t.Errorf("method %s, want PATCH", got.Method)
			}
		})
	}
}

func TestRESTClientDefaults(t *testing.T) {
	t.Parallel()
	base := &http.Client{Timeout: time.Second}
	if c, err := restClient(base, ""); err != nil || c != base {
		t.Errorf("restClient(base, \"\") = %v, %v; want base unchanged", c, err)
	}
	c, err := restClient(nil, "")
	if err != nil || c == nil || c.Timeout == 0 {
		t.Errorf("restClient(nil, \"\") = %+v, %v; want a client with a timeout", c, err)
	}
	c, err = restClient(base, "https://proxy.example:9000/")
	if err != nil {
		t.Fatal(err)
	}
	if c == base || base.Transport != nil || c.Timeout != time.Second {
		t.Errorf("restClient changed the base client or lost its timeout")
	}
}

func TestParseAPIBase(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"http://127.0.0.1:8080", true},
		{"https://proxy.example", true},
		{"https://proxy.example/", true},
		{"127.0.0.1:8080", false},
		{"ftp://proxy.example", false},
		{"http://", false},
		{"http://proxy.example/api/v9", false},
		{"http://proxy.example?x=1", false},
		{"http://user:pw@proxy.example", false},
		{"http://[::1", false},
	} {
		_, err := parseAPIBase(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parseAPIBase(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

func TestFatalCloseError(t *testing.T) {
	t.Parallel()
	for code := 4000; code <= 4014; code++ {
		want := code == 4004 || code >= 4010
		if got := isFatalClose(code); got != want {
			t.Errorf("isFatalClose(%d) = %v, want %v", code, got, want)
		}
	}
	for _, code := range []int{1000, 1001, 1006, 1012, 4007, 4009} {
		if isFatalClose(code) {
			t.Errorf("isFatalClose(%d) = true, want false", code)
		}
	}
	var err error = &FatalCloseError{Code: 4014, Reason: "Disallowed intent(s)."}
	wrapped := errors.Join(errors.New("other"), err)
	var fe *FatalCloseError
	if !errors.Is(wrapped, ErrFatalClose) || !errors.As(wrapped, &fe) || fe.Code != 4014 {
		t.Errorf("errors.Is/As failed on %v", wrapped)
	}
	if msg := err.Error(); !strings.Contains(msg, "4014") || !strings.Contains(msg, "intent") {
		t.Errorf("Error() = %q, want the code and a hint", msg)
	}
}

func TestRedactedError(t *testing.T) {
	t.Parallel()
	inner := &net.OpError{Op: "dial", Err: errors.New("refused")}
	r := redactedError{err: errors.Join(errors.New(`Post "https://discord.com/api/v9/interactions/1/SECRET-TOKEN/callback"`), inner), secret: "SECRET-TOKEN"}
	if strings.Contains(r.Error(), "SECRET-TOKEN") || !strings.Contains(r.Error(), redacted) {
		t.Errorf("Error() = %q, want the token redacted", r.Error())
	}
	var oe *net.OpError
	if !errors.As(r, &oe) {
		t.Error("redactedError does not unwrap")
	}
}

func TestDiscordgoLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logf := DiscordgoLogger(slog.New(slog.NewTextHandler(&buf, nil)))
	logf(discordgo.LogWarning, 2, "error reading from gateway %s websocket, %s\n", "ws://x", "close 4000")
	logf(discordgo.LogDebug, 2, "not shown")
	got := buf.String()
	for _, want := range []string{"level=WARN", "component=discordgo", `msg="error reading from gateway ws://x websocket, close 4000"`} {
		if !strings.Contains(got, want) {
			t.Errorf("log %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "not shown") {
		t.Errorf("debug message logged at the default level: %q", got)
	}
}

// BenchmarkFrameParser measures the close-frame sniffer, which sees every
// byte the gateway sends.
func BenchmarkFrameParser(b *testing.B) {
	msg := frame(websocket.TextMessage, bytes.Repeat([]byte(`{"op":0,"t":"INTERACTION_CREATE","d":{}}`), 50), nil)
	stream := bytes.Repeat(msg, 20)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		p := frameParser{upgraded: true}
		for c := stream; len(c) > 0; c = c[min(4096, len(c)):] {
			if _, _, ok := p.feed(c[:min(4096, len(c))]); ok {
				b.Fatal("no close frame in the stream")
			}
		}
	}
}

// TestUnblockOpen: when Serve's context ends, unblockOpen (on its own
// goroutine) closes the connection only while Open may be waiting on it;
// once the gateway is connected, or close() is already closing the session
// with 1000, dropping the connection would lose that close frame.
func TestUnblockOpen(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		state      gatewayState
		wantClosed bool
	}{
		{stateConnecting, true},
		{stateResuming, true},
		{stateDisconnected, true},
		{stateConnected, false},
		{stateStopped, false},
	} {
		t.Run(tt.state.String(), func(t *testing.T) {
			t.Parallel()
			c, peer := net.Pipe()
			t.Cleanup(func() { c.Close(); peer.Close() })
			g := &gateway{conn: c}
			g.setState(tt.state)
			g.unblockOpen()
			// net.Pipe is synchronous: a write succeeds only into an open
			// connection whose peer reads it.
			go func() { _, _ = io.Copy(io.Discard, peer) }()
			_, err := c.Write([]byte("x"))
			if closed := errors.Is(err, io.ErrClosedPipe); closed != tt.wantClosed {
				t.Errorf("state %v: connection closed = %v (write: %v), want %v", tt.state, closed, err, tt.wantClosed)
			}
		})
	}
}
