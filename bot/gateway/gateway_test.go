package gateway

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// frame encodes one websocket frame as a server (unmasked) or, with a
// key, masked.
func frame(opcode byte, payload []byte, key []byte) []byte {
	b := appendFrameHead(make([]byte, 0, 14+len(payload)), opcode, len(payload), key != nil)
	if key != nil {
		b = append(b, key...)
		masked := bytes.Clone(payload)
		for i := range masked {
			masked[i] ^= key[i%4]
		}
		payload = masked
	}
	return append(b, payload...)
}

// appendFrameHead appends the head of a final frame of n bytes (without
// its mask key) to b.
func appendFrameHead(b []byte, opcode byte, n int, masked bool) []byte {
	b = append(b, 0x80|opcode)
	mask := byte(0)
	if masked {
		mask = 0x80
	}
	switch {
	case n < 126:
		b = append(b, mask|byte(n))
	case n <= 0xffff:
		b = binary.BigEndian.AppendUint16(append(b, mask|126), uint16(n))
	default:
		b = binary.BigEndian.AppendUint64(append(b, mask|127), uint64(n))
	}
	return b
}

func closePayload(code int, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

func TestCloseWatch(t *testing.T) {
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
				var p closeWatch
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
			d := sniffingDialer(base, nil,
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

// BenchmarkCloseWatch measures the close-frame sniffer, which sees every
// byte the gateway sends.
func BenchmarkCloseWatch(b *testing.B) {
	msg := frame(websocket.TextMessage, bytes.Repeat([]byte(`{"op":0,"t":"INTERACTION_CREATE","d":{}}`), 50), nil)
	stream := bytes.Repeat(msg, 20)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		p := closeWatch{r: frameReader{framing: true}}
		for c := stream; len(c) > 0; c = c[min(4096, len(c)):] {
			if _, _, ok := p.feed(c[:min(4096, len(c))]); ok {
				b.Fatal("no close frame in the stream")
			}
		}
	}
}

// TestUnblockOpen: when Run's context ends, unblockOpen (on its own
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
			g := &Gateway{conn: c}
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
