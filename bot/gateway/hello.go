package gateway

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// discordgo v0.29.0 waits for ever for a HELLO that never comes, and for a
// READY that never comes after it (its Open reads with no deadline), and
// panics in time.NewTicker on a HELLO whose heartbeat_interval is not
// positive. helloGate, a net.Conn under the websocket, is the cure: it holds
// back everything after the HTTP upgrade until the first data frame is
// complete and judged, and hands it to discordgo only when it is a HELLO
// with a sane heartbeat_interval; and it closes the connection when no
// HELLO arrives within HelloTimeout, or no READY/RESUMED within
// ReadyTimeout of the HELLO (the gateway's handlers call ready). discordgo's
// Open then fails, and Run reconnects with backoff.

// Defaults for Config.HelloTimeout and Config.ReadyTimeout. Discord sends
// HELLO at once and READY (or RESUMED) within a second or two of the
// IDENTIFY (or RESUME) that follows it; a gateway silent for 30 s after its
// HELLO is given up, on a first connection and a reconnect alike, so the
// bot is back within about 31 s (it was 61 s).
const (
	DefaultHelloTimeout = 20 * time.Second
	DefaultReadyTimeout = 30 * time.Second
)

// Bounds on what comes before and in the HELLO: Discord's is ~60 bytes.
const (
	maxPreHello        = 8 << 10 // bytes held back before the HELLO is judged
	maxHello           = 4 << 10 // the HELLO frame's payload
	maxHeartbeatMillis = int64(time.Hour / time.Millisecond)
)

// MaxMessage bounds a gateway message after the HELLO (the sum of its
// frames). discordgo reads a whole message into memory, and then decodes
// it twice over: a 32 MiB frame cost 262 MB that stayed with the process.
// A message announcing more is refused from its frame header, before its
// payload is read, and the connection is closed (and dialled again).
// Discord's largest for a bot without privileged intents is a
// GUILD_CREATE of a large server (channels, roles, emojis, threads), some
// hundreds of KiB; the sessions ask for no compression, so frames are the
// JSON itself.
const MaxMessage = 8 << 20

var errHugeMessage = errors.New("gateway sent a message over the size limit")

// Errors a guarded connection's reads end with. They reach discordgo's
// Open, which returns them, and so the reconnect loop's log line.
var (
	errNoHello   = errors.New("gateway sent no HELLO in time")
	errNoReady   = errors.New("gateway sent no READY or RESUMED in time")
	errBadHello  = errors.New("gateway HELLO refused")
	errPreHello  = errors.New("gateway sent too much before its HELLO")
	errWeirdConn = errors.New("gateway sent a frame a server must not send first")
)

// gateState is where a helloGate is.
type gateState int

const (
	gateUpgrading gateState = iota // the HTTP upgrade response passes through
	gateHolding                    // bytes are held until the first data frame is judged
	gateOpen                       // HELLO passed: bytes pass through
)

// helloGate guards one gateway connection; see above. Read is called from
// one goroutine at a time (gorilla's reader); the timers run on their own.
type helloGate struct {
	net.Conn
	log          *slog.Logger
	helloTimeout time.Duration
	readyTimeout time.Duration

	// Read's own state.
	state   gateState
	r       frameReader // the stream, from the upgrade response on
	held    []byte      // bytes after the upgrade response, until the HELLO is judged
	hello   []byte      // the first data frame's payload so far
	msg     uint64      // after the HELLO: bytes of the current data message so far
	out     []byte      // bytes released but not yet returned by Read
	readErr error       // an error the connection returned with bytes still to hand out

	mu        sync.Mutex
	failure   error       // why the gate closed the connection; Read returns it
	timer     *time.Timer // the HELLO's, then the READY's
	helloSeen bool
	isReady   bool
}

// newHelloGate guards c, starting the HELLO clock.
func newHelloGate(c net.Conn, log *slog.Logger, helloTimeout, readyTimeout time.Duration) *helloGate {
	g := &helloGate{Conn: c, log: log, helloTimeout: helloTimeout, readyTimeout: readyTimeout}
	g.mu.Lock()
	g.timer = time.AfterFunc(helloTimeout, func() { g.expire(errNoHello, helloTimeout) })
	g.mu.Unlock()
	return g
}

// expire closes the connection because what it waited for did not come.
func (g *helloGate) expire(why error, after time.Duration) {
	g.mu.Lock()
	if g.failure != nil || (why == errNoHello && g.helloSeen) || (why == errNoReady && g.isReady) {
		g.mu.Unlock()
		return
	}
	g.failure = fmt.Errorf("%w (%v): closing to reconnect", why, after)
	g.mu.Unlock()
	g.log.Warn("gateway silent; closing the connection to reconnect", "err", why, "waited", after)
	_ = g.Conn.Close()
}

// refuse closes the connection because of what the gateway sent.
func (g *helloGate) refuse(err error) error {
	g.mu.Lock()
	if g.failure == nil {
		g.failure = err
	}
	err = g.failure
	g.timer.Stop()
	g.mu.Unlock()
	g.log.Warn("gateway connection refused; reconnecting", "err", err)
	_ = g.Conn.Close()
	return err
}

// ready stops the READY clock: the gateway said READY or RESUMED.
func (g *helloGate) ready() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.isReady = true
	if g.timer != nil {
		g.timer.Stop()
	}
}

// Close stops the clocks and closes the connection.
func (g *helloGate) Close() error {
	g.mu.Lock()
	g.timer.Stop()
	g.mu.Unlock()
	return g.Conn.Close()
}

func (g *helloGate) failed() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.failure
}

// Read returns the connection's bytes once they may pass.
func (g *helloGate) Read(b []byte) (int, error) {
	for {
		if len(g.out) > 0 {
			n := copy(b, g.out)
			g.out = g.out[n:]
			return n, nil
		}
		if err := g.failed(); err != nil {
			return 0, err
		}
		if g.readErr != nil {
			return 0, g.readErr
		}
		if g.state == gateOpen {
			n, err := g.Conn.Read(b)
			if n > 0 {
				if ferr := g.follow(b[:n]); ferr != nil {
					return 0, g.refuse(ferr)
				}
			}
			if err != nil {
				if f := g.failed(); f != nil {
					return n, f
				}
			}
			return n, err
		}
		n, err := g.Conn.Read(b)
		if n > 0 {
			if ferr := g.feed(b[:n]); ferr != nil {
				return 0, g.refuse(ferr)
			}
		}
		if err != nil {
			g.readErr = err
		}
	}
}

// feed takes bytes read while the HELLO is not yet judged: the upgrade
// response passes, what follows is held until the HELLO is judged, and
// then released with the rest of b.
func (g *helloGate) feed(b []byte) error {
	for len(b) > 0 {
		n, ev := g.r.next(b)
		switch g.state {
		case gateHolding:
			g.held = append(g.held, b[:n]...)
			if len(g.held) > maxPreHello {
				return fmt.Errorf("%w: %d bytes", errPreHello, len(g.held))
			}
		default:
			g.out = append(g.out, b[:n]...)
		}
		if err := g.see(ev, b[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// follow watches bytes passing after the HELLO.
func (g *helloGate) follow(b []byte) error {
	for len(b) > 0 {
		n, ev := g.r.next(b)
		if err := g.see(ev, b[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// see judges what the frame reader found in chunk. Before the HELLO,
// control frames pass, the first data frame must be a sane HELLO, and
// masked frames (which a server never sends) are refused; after it, a data
// message may not grow past MaxMessage, which its frame header shows
// before its payload is read.
func (g *helloGate) see(ev frameEvent, chunk []byte) error {
	h := g.r.hdr
	switch {
	case ev == frameUpgraded:
		g.state = gateHolding
		return nil
	case ev == frameStart && g.state == gateOpen:
		if h.isControl() {
			return nil
		}
		if h.opcode != 0 { // a new message; 0 continues one
			g.msg = 0
		}
		if h.length > MaxMessage || g.msg+h.length > MaxMessage {
			return fmt.Errorf("%w: a message of %d bytes or more (at most %d)", errHugeMessage, g.msg+h.length, MaxMessage)
		}
		g.msg += h.length
		return nil
	case g.state != gateHolding:
		return nil
	case ev == frameStart:
		if h.masked {
			return fmt.Errorf("%w: a masked frame", errWeirdConn)
		}
		if h.length > maxHello || (h.isControl() && h.length > 125) {
			return fmt.Errorf("%w: a first frame of %d bytes, where a HELLO takes under %d", errBadHello, h.length, maxHello)
		}
		if !h.isControl() && (!h.fin || (h.opcode != websocket.TextMessage && h.opcode != websocket.BinaryMessage)) {
			return fmt.Errorf("%w: a fragmented or continuation frame", errBadHello)
		}
	case ev == framePayload && !h.isControl():
		g.hello = append(g.hello, chunk...)
	}
	if h.isControl() || ev == frameMore || !g.r.frameEnded() {
		return nil
	}
	if err := checkHello(h.opcode, g.hello); err != nil {
		return err
	}
	g.hello = nil
	g.out = append(g.out, g.held...)
	g.held = nil
	g.state = gateOpen
	g.mu.Lock()
	g.helloSeen = true
	if g.failure == nil {
		g.timer.Stop()
		g.timer = time.AfterFunc(g.readyTimeout, func() { g.expire(errNoReady, g.readyTimeout) })
	}
	g.mu.Unlock()
	return nil
}

// checkHello accepts a HELLO (op 10) whose heartbeat_interval is a whole
// number of milliseconds, positive and at most an hour: discordgo panics on
// one that is not positive, and multiplies it by a million.
func checkHello(opcode byte, payload []byte) error {
	if opcode == websocket.BinaryMessage { // zlib, as discordgo reads binary frames
		z, err := zlib.NewReader(bytes.NewReader(payload))
		if err != nil {
			return fmt.Errorf("%w: undecodable compressed frame", errBadHello)
		}
		payload, err = io.ReadAll(io.LimitReader(z, maxHello+1))
		if err != nil || len(payload) > maxHello {
			return fmt.Errorf("%w: undecodable compressed frame", errBadHello)
		}
	}
	var hello struct {
		Op *int `json:"op"`
		D  struct {
			HeartbeatInterval json.Number `json:"heartbeat_interval"`
		} `json:"d"`
	}
	if err := json.Unmarshal(payload, &hello); err != nil {
		return fmt.Errorf("%w: not JSON", errBadHello)
	}
	if hello.Op == nil || *hello.Op != 10 {
		return fmt.Errorf("%w: the first payload is not a HELLO (op 10)", errBadHello)
	}
	ms, err := hello.D.HeartbeatInterval.Int64()
	if err != nil || ms <= 0 || ms > maxHeartbeatMillis {
		return fmt.Errorf("%w: heartbeat_interval %q ms; want a whole number from 1 to %d", errBadHello, clipString(string(hello.D.HeartbeatInterval), 32), maxHeartbeatMillis)
	}
	return nil
}

// clipString shortens s to at most n bytes, at a character boundary, for a log.
func clipString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
