package bot

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// The gateway transport: one discordgo session per process (or shard) that
// receives INTERACTION_CREATE over Discord's websocket and answers through
// REST.
//
// discordgo v0.29.0 reconnects forever, on every close code, fatal ones
// included. The gateway therefore turns its reconnect loop off
// (ShouldReconnectOnError) and runs its own: on each Disconnect event it
// looks at the close code Discord sent — read off the wire by a wrapper
// around the websocket's net.Conn, installed through the session's own
// Dialer, so nothing is global — and either reconnects (discordgo resumes
// when it has a session id) or ends Serve with a *FatalCloseError.

// interactionLifetime bounds the work on one interaction: its token stops
// working after 15 minutes, so nothing useful can be sent later.
const interactionLifetime = 15 * time.Minute

// Reconnect backoff after a failed attempt: doubling from minBackoff up to
// maxBackoff. The first attempt after a disconnect is immediate.
const (
	minBackoff = time.Second
	maxBackoff = 2 * time.Minute
)

// ErrFatalClose is matched (errors.Is) by every *FatalCloseError.
var ErrFatalClose = errors.New("fatal gateway close")

// FatalCloseError reports that Discord closed the gateway with a code after
// which reconnecting cannot help (4004 bad token, 4010/4011 sharding, 4012
// API version, 4013/4014 intents). Serve returns it instead of retrying,
// which would burn the daily IDENTIFY budget.
type FatalCloseError struct {
	Code   int    // the websocket close code, e.g. 4004
	Reason string // the close frame's reason text, as Discord sent it
}

// fatalCloseHints explains each fatal close code to the operator.
var fatalCloseHints = map[int]string{
	4004: "authentication failed: check the bot token (DISCORD_TOKEN)",
	4010: "invalid shard: check SHARD_ID and SHARD_COUNT",
	4011: "sharding required: set SHARD_COUNT",
	4012: "invalid gateway API version",
	4013: "invalid intents",
	4014: "disallowed intents: enable the intent in the developer portal or stop requesting it",
}

// Error describes the close and what to fix.
func (e *FatalCloseError) Error() string {
	msg := fmt.Sprintf("gateway closed with fatal code %d", e.Code)
	if h := fatalCloseHints[e.Code]; h != "" {
		msg += " (" + h + ")"
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// Is makes errors.Is(err, ErrFatalClose) true.
func (e *FatalCloseError) Is(target error) bool { return target == ErrFatalClose }

// isFatalClose reports whether Discord's close code forbids reconnecting.
func isFatalClose(code int) bool {
	_, ok := fatalCloseHints[code]
	return ok
}

// gatewayState is the connection's state, for /healthz and logs.
type gatewayState int32

const (
	stateConnecting gatewayState = iota
	stateConnected
	stateResuming
	stateDisconnected
	stateStopped
)

func (s gatewayState) String() string {
	switch s {
	case stateConnecting:
		return "connecting"
	case stateConnected:
		return "connected"
	case stateResuming:
		return "resuming"
	case stateDisconnected:
		return "disconnected"
	case stateStopped:
		return "stopped"
	}
	return "unknown"
}

// gatewayConfig is what newGateway needs; Serve fills it from ServeConfig.
type gatewayConfig struct {
	bot        *Bot
	metrics    *Metrics
	log        *slog.Logger
	token      Token
	client     *http.Client // REST, already redirected to the API base
	dialer     *websocket.Dialer
	userAgent  string
	shardID    int
	shardCount int
	appID      string // "" = take it from READY
	guildID    string
	commands   []*discordgo.ApplicationCommand // nil = do not register
}

// gateway owns one discordgo session and the interactions it is answering.
type gateway struct {
	s        *discordgo.Session
	bot      *Bot
	metrics  *Metrics
	log      *slog.Logger
	guildID  string
	commands []*discordgo.ApplicationCommand
	shard    [2]int

	state      atomic.Int32 // a gatewayState
	reconnects atomic.Int64
	wake       chan struct{} // a Disconnect happened; capacity 1

	mu        sync.Mutex
	appID     string   // configured, or from READY
	closeCode int      // the last close frame Discord sent; 0 = none
	closeText string   // its reason
	conn      net.Conn // the current websocket's connection, to unblock Open on shutdown
	draining  bool     // shutting down: no new interactions

	inflight    sync.WaitGroup
	answerCtx   context.Context // outlives Serve's ctx, so in-flight replies finish
	stopAnswers context.CancelFunc
}

// newGateway builds the session; nothing connects until run.
func newGateway(cfg gatewayConfig) (*gateway, error) {
	s, err := discordgo.New(cfg.token.authorization())
	if err != nil {
		return nil, fmt.Errorf("new discord session: %w", err)
	}
	g := &gateway{
		s:        s,
		bot:      cfg.bot,
		metrics:  cfg.metrics,
		log:      cfg.log,
		guildID:  cfg.guildID,
		commands: cfg.commands,
		shard:    [2]int{cfg.shardID, max(cfg.shardCount, 1)},
		appID:    cfg.appID,
		wake:     make(chan struct{}, 1),
	}
	g.answerCtx, g.stopAnswers = context.WithCancel(context.Background())

	// INTERACTION_CREATE is sent whatever the intents, so the bot asks for
	// none: no privileged intent to be approved, and no GUILD_CREATE burst
	// per guild at each connect (discordgo.New asks for every
	// non-privileged intent).
	s.Identify.Intents = discordgo.IntentsNone
	s.StateEnabled = false
	s.ShouldReconnectOnError = false // run() reconnects, and stops on fatal codes
	s.SyncEvents = true              // handlers run in order; onInteraction spawns the goroutine itself
	s.LogLevel = discordgo.LogWarning
	s.UserAgent = cfg.userAgent
	s.Client = cfg.client
	s.Dialer = sniffingDialer(cfg.dialer, g.sawConn, g.sawClose)
	if cfg.shardCount > 1 {
		s.ShardID, s.ShardCount = cfg.shardID, cfg.shardCount
	}

	s.AddHandler(g.onConnect)
	s.AddHandler(g.onDisconnect)
	s.AddHandler(g.onResumed)
	s.AddHandler(g.onReady)
	s.AddHandler(g.onInteraction)
	return g, nil
}

func (g *gateway) setState(s gatewayState) { g.state.Store(int32(s)) }

// noteState sets s unless the gateway has stopped, which is final.
func (g *gateway) noteState(s gatewayState) {
	for {
		old := g.state.Load()
		if gatewayState(old) == stateStopped || g.state.CompareAndSwap(old, int32(s)) {
			return
		}
	}
}

func (g *gateway) currentState() gatewayState { return gatewayState(g.state.Load()) }

// health reports for /healthz: healthy only while connected.
func (g *gateway) health() (bool, map[string]any) {
	st := g.currentState()
	return st == stateConnected, map[string]any{
		"gateway":    st.String(),
		"shard":      g.shard[0],
		"shards":     g.shard[1],
		"reconnects": g.reconnects.Load(),
	}
}

// Event handlers. With SyncEvents they run on discordgo's reading goroutine
// (onConnect and onReady even inside Open, with the session locked), so they
// only record and signal; none calls the session itself.

func (g *gateway) onConnect(*discordgo.Session, *discordgo.Connect) { g.noteState(stateConnected) }

func (g *gateway) onResumed(*discordgo.Session, *discordgo.Resumed) {
	g.log.Debug("gateway session resumed")
}

func (g *gateway) onDisconnect(*discordgo.Session, *discordgo.Disconnect) {
	g.noteState(stateDisconnected)
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

func (g *gateway) onReady(_ *discordgo.Session, r *discordgo.Ready) {
	id := ""
	switch {
	case r.Application != nil && r.Application.ID != "":
		id = r.Application.ID
	case r.User != nil:
		id = r.User.ID
	}
	g.mu.Lock()
	if g.appID == "" {
		g.appID = id
	}
	g.mu.Unlock()
}

// onInteraction answers each interaction on its own goroutine, tracked so a
// shutdown can let it finish.
func (g *gateway) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	if ic == nil || ic.Interaction == nil {
		return
	}
	g.mu.Lock()
	if g.draining {
		g.mu.Unlock()
		g.log.Warn("interaction arrived while shutting down; not answered", "interaction", ic.ID)
		return
	}
	g.inflight.Add(1)
	g.mu.Unlock()
	go func() {
		defer g.inflight.Done()
		defer func() {
			if v := recover(); v != nil {
				g.log.Error("interaction panic", "interaction", ic.ID, "panic", v, "stack", string(debug.Stack()))
			}
		}()
		ctx, cancel := context.WithTimeout(g.answerCtx, interactionLifetime)
		defer cancel()
		// Answer logs the outcome, errors included.
		_ = g.bot.Answer(ctx, RequestFromInteraction(ic.Interaction), gatewayResponder{s: g.s, i: ic.Interaction})
	}()
}

// sawConn records the websocket's connection as it is dialled.
func (g *gateway) sawConn(c net.Conn) {
	g.mu.Lock()
	g.conn = c
	g.mu.Unlock()
}

// sawClose records a close frame Discord sent.
func (g *gateway) sawClose(code int, text string) {
	g.mu.Lock()
	g.closeCode, g.closeText = code, text
	g.mu.Unlock()
}

// lastClose returns the last close frame seen and forgets it.
func (g *gateway) lastClose() (int, string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	code, text := g.closeCode, g.closeText
	g.closeCode, g.closeText = 0, ""
	return code, text
}

// fatal returns a *FatalCloseError when openErr, or the close frame seen
// since the last call, carries a fatal code; it also reports the code seen.
func (g *gateway) fatal(openErr error) (*FatalCloseError, int) {
	code, text := g.lastClose()
	var ce *websocket.CloseError
	if errors.As(openErr, &ce) {
		code, text = ce.Code, ce.Text
	}
	if isFatalClose(code) {
		return &FatalCloseError{Code: code, Reason: text}, code
	}
	return nil, code
}

// run connects and keeps the session connected until ctx ends (then it
// closes the session and returns nil) or Discord closes it with a fatal code
// (then it returns a *FatalCloseError). connected is called once, after the
// first connect and command registration.
func (g *gateway) run(ctx context.Context, connected func()) error {
	stop := context.AfterFunc(ctx, g.unblockOpen)
	defer stop()
	defer g.close()

	if _, err := g.connect(ctx, stateConnecting); err != nil || ctx.Err() != nil {
		return err
	}
	g.log.Info("gateway connected", "shard", g.shard)
	g.registerCommands(ctx)
	connected()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-g.wake:
		}
		fe, code := g.fatal(nil)
		if fe != nil {
			return fe
		}
		g.log.Warn("gateway disconnected; reconnecting", "close_code", code)
		opened, err := g.connect(ctx, stateResuming)
		if err != nil || ctx.Err() != nil {
			return err
		}
		if opened {
			g.reconnects.Add(1)
			g.metrics.GatewayReconnect()
			g.log.Info("gateway reconnected", "shard", g.shard)
		}
	}
}

// connect opens the session (discordgo identifies, or resumes when it has a
// session), retrying with backoff, until it is open, ctx ends (nil) or
// Discord refuses with a fatal close code (a *FatalCloseError). It reports
// whether it opened a new connection; false means one was already open.
func (g *gateway) connect(ctx context.Context, st gatewayState) (bool, error) {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		g.noteState(st)
		g.lastClose()
		err := g.s.Open()
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, discordgo.ErrWSAlreadyOpen):
			// A stale wake-up: the connection is still (or again) up.
			g.noteState(stateConnected)
			return false, nil
		case ctx.Err() != nil:
			return false, nil
		}
		if fe, _ := g.fatal(err); fe != nil {
			return false, fe
		}
		backoff = min(max(2*backoff, minBackoff), maxBackoff)
		g.log.Warn("gateway connect failed; retrying", "err", err, "retry_in", backoff)
		if !sleepCtx(ctx, backoff) {
			return false, nil
		}
	}
	return false, nil
}

// registerCommands registers the commands once, if this gateway should.
func (g *gateway) registerCommands(ctx context.Context) {
	if g.commands == nil {
		return
	}
	g.mu.Lock()
	appID := g.appID
	g.mu.Unlock()
	registerNow(ctx, g.s, appID, g.guildID, g.commands, g.log)
}

// unblockOpen closes the websocket's connection if Open is still waiting
// on Discord when ctx ends; once connected, close() ends things cleanly.
// It runs on its own goroutine, so run may already have returned and
// close() be closing the session (stateStopped): dropping the connection
// under it would replace its close frame (1000: the bot goes offline at
// once) with a bare TCP close.
func (g *gateway) unblockOpen() {
	if st := g.currentState(); st == stateConnected || st == stateStopped {
		return
	}
	g.mu.Lock()
	c := g.conn
	g.mu.Unlock()
	if c != nil {
		_ = c.Close()
	}
}

// close closes the session (close code 1000: the bot goes offline at once).
func (g *gateway) close() {
	g.setState(stateStopped)
	if err := g.s.Close(); err != nil {
		g.log.Warn("close gateway", "err", err)
	}
}

// drain stops accepting interactions and waits for those in flight until
// ctx ends, when it cancels them. It reports whether all finished.
func (g *gateway) drain(ctx context.Context) bool {
	g.mu.Lock()
	g.draining = true
	g.mu.Unlock()
	done := make(chan struct{})
	go func() {
		g.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
		g.stopAnswers()
		return true
	case <-ctx.Done():
		g.stopAnswers()
		return false
	}
}

// sleepCtx waits d or until ctx ends; it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// gatewayResponder delivers Answer's reply to an interaction received over
// the gateway, through REST.
type gatewayResponder struct {
	s *discordgo.Session
	i *discordgo.Interaction
}

// Respond sends the initial response (callback type 4, or 7 for an update).
func (r gatewayResponder) Respond(ctx context.Context, rep Reply) error {
	err := r.s.InteractionRespond(r.i, ResponseFromReply(rep), discordgo.WithContext(ctx))
	return r.redact(err)
}

// Defer sends callback type 5, ephemeral when asked.
func (r gatewayResponder) Defer(ctx context.Context, ephemeral bool) error {
	err := r.s.InteractionRespond(r.i, DeferredResponse(ephemeral), discordgo.WithContext(ctx))
	return r.redact(err)
}

// Edit replaces the deferred response.
func (r gatewayResponder) Edit(ctx context.Context, rep Reply) error {
	_, err := r.s.InteractionResponseEdit(r.i, WebhookEditFromReply(rep), discordgo.WithContext(ctx))
	return r.redact(err)
}

// redact keeps the interaction token, which is part of the callback and
// webhook URLs that net/http puts in its errors, out of error messages.
func (r gatewayResponder) redact(err error) error {
	if err == nil || r.i.Token == "" {
		return err
	}
	return redactedError{err: err, secret: r.i.Token}
}

// redactedError replaces a secret in an error's message; Unwrap still gives
// the original.
type redactedError struct {
	err    error
	secret string
}

func (e redactedError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.secret, redacted)
}

func (e redactedError) Unwrap() error { return e.err }

// sniffingDialer returns a copy of base (nil = websocket.DefaultDialer)
// whose connections report themselves to onConn and every close frame
// Discord sends to onClose. For wss:// it does the TLS handshake itself
// (NetDialTLSContext), so it reads the frames in clear. The copy does not
// use an HTTP proxy: gorilla would run NetDialTLSContext against the proxy.
func sniffingDialer(base *websocket.Dialer, onConn func(net.Conn), onClose func(code int, text string)) *websocket.Dialer {
	if base == nil {
		base = websocket.DefaultDialer
	}
	d := *base
	plain := d.NetDialContext
	if plain == nil && d.NetDial != nil {
		netDial := d.NetDial
		plain = func(_ context.Context, network, addr string) (net.Conn, error) { return netDial(network, addr) }
	}
	if plain == nil {
		var nd net.Dialer
		plain = nd.DialContext
	}
	wrap := func(c net.Conn, err error) (net.Conn, error) {
		if err != nil {
			return nil, err
		}
		sc := &closeSniffer{Conn: c, onClose: onClose}
		onConn(sc)
		return sc, nil
	}
	d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return wrap(plain(ctx, network, addr))
	}
	tlsDial := base.NetDialTLSContext
	if tlsDial == nil {
		tlsConfig := base.TLSClientConfig
		tlsDial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			raw, err := plain(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			cfg := &tls.Config{}
			if tlsConfig != nil {
				cfg = tlsConfig.Clone()
			}
			if cfg.ServerName == "" {
				host, _, err := net.SplitHostPort(addr)
				if err != nil {
					host = addr
				}
				cfg.ServerName = host
			}
			tc := tls.Client(raw, cfg)
			if err := tc.HandshakeContext(ctx); err != nil {
				_ = raw.Close()
				return nil, fmt.Errorf("tls handshake with %s: %w", addr, err)
			}
			return tc, nil
		}
	}
	d.NetDialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return wrap(tlsDial(ctx, network, addr))
	}
	d.Proxy = nil
	return &d
}

// closeSniffer is a client websocket's net.Conn that watches the bytes read
// for a close frame from the server and reports its code and reason.
type closeSniffer struct {
	net.Conn
	onClose func(code int, text string)
	p       frameParser // only Read touches it; gorilla reads from one goroutine at a time
}

// Read reads from the connection and feeds what it read to the parser.
func (c *closeSniffer) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		if code, text, ok := c.p.feed(b[:n]); ok {
			c.onClose(code, text)
		}
	}
	return n, err
}

// frameParser follows a server-to-client websocket byte stream: first the
// HTTP upgrade response, then frames (RFC 6455 §5.2). It stops at the first
// close frame.
type frameParser struct {
	upgraded bool     // the HTTP response's headers are past
	crlf     int      // bytes of "\r\n\r\n" matched so far
	hdr      [14]byte // the frame header being read
	hn       int      // bytes of it read
	left     uint64   // payload bytes of the current frame still to come
	isClose  bool     // the current frame is a close frame
	masked   bool
	key      [4]byte
	payload  []byte // a close frame's payload (at most 125 bytes)
	done     bool
}

// feed consumes b; it returns the close code and reason when b completes a
// close frame (1005, "no status", for a close frame without a code).
func (p *frameParser) feed(b []byte) (code int, text string, ok bool) {
	for len(b) > 0 && !p.done {
		switch {
		case !p.upgraded:
			const end = "\r\n\r\n"
			i := 0
			for i < len(b) && !p.upgraded {
				switch {
				case b[i] == end[p.crlf]:
					p.crlf++
				case b[i] == '\r':
					p.crlf = 1
				default:
					p.crlf = 0
				}
				p.upgraded = p.crlf == len(end)
				i++
			}
			b = b[i:]
		case p.left > 0:
			n := min(uint64(len(b)), p.left)
			if p.isClose && len(p.payload) < 125 {
				p.payload = append(p.payload, b[:min(n, uint64(125-len(p.payload)))]...)
			}
			p.left -= n
			b = b[n:]
			if p.left == 0 && p.isClose {
				return p.closed()
			}
		default:
			p.hdr[p.hn] = b[0]
			p.hn++
			b = b[1:]
			if p.hn < 2 {
				continue
			}
			need := 2
			switch p.hdr[1] & 0x7f {
			case 126:
				need += 2
			case 127:
				need += 8
			}
			p.masked = p.hdr[1]&0x80 != 0
			if p.masked {
				need += 4
			}
			if p.hn < need {
				continue
			}
			var length uint64
			switch l := p.hdr[1] & 0x7f; l {
			case 126:
				length = uint64(binary.BigEndian.Uint16(p.hdr[2:4]))
			case 127:
				length = binary.BigEndian.Uint64(p.hdr[2:10])
			default:
				length = uint64(l)
			}
			if p.masked {
				copy(p.key[:], p.hdr[need-4:need])
			}
			p.isClose = p.hdr[0]&0x0f == websocket.CloseMessage
			p.left = length
			p.hn = 0
			if p.isClose && length == 0 {
				return p.closed()
			}
		}
	}
	return 0, "", false
}

func (p *frameParser) closed() (int, string, bool) {
	p.done = true
	if p.masked {
		for i := range p.payload {
			p.payload[i] ^= p.key[i%4]
		}
	}
	if len(p.payload) < 2 {
		return websocket.CloseNoStatusReceived, "", true
	}
	return int(binary.BigEndian.Uint16(p.payload)), string(p.payload[2:]), true
}

// restClient returns the HTTP client for Discord's REST API: base (nil = a
// client with discordgo's 20 s timeout) with every https://discord.com
// request sent to apiBase's origin instead, paths unchanged, when apiBase is
// set. Webhook edits and the gateway URL lookup go through it too.
func restClient(base *http.Client, apiBase string) (*http.Client, error) {
	if base == nil {
		base = &http.Client{Timeout: 20 * time.Second}
	}
	if apiBase == "" {
		return base, nil
	}
	u, err := parseAPIBase(apiBase)
	if err != nil {
		return nil, err
	}
	c := *base
	next := base.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = &rewriteTransport{next: next, scheme: u.Scheme, host: u.Host}
	return &c, nil
}

// parseAPIBase checks that s is an http(s) origin: a scheme and a host, no
// path beyond "/", no query.
func parseAPIBase(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("api base %q: %w", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("api base %q: scheme must be http or https", s)
	case u.Host == "":
		return nil, fmt.Errorf("api base %q: no host", s)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.User != nil:
		return nil, fmt.Errorf("api base %q: must be an origin like https://proxy.example:8080, without a path", s)
	}
	return u, nil
}

// rewriteTransport sends requests for https://discord.com to another origin.
type rewriteTransport struct {
	next         http.RoundTripper
	scheme, host string
}

// RoundTrip rewrites the request's origin when it is Discord's.
func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" || (req.URL.Host != "discord.com" && req.URL.Host != "discord.com:443") {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host = t.scheme, t.host
	r.Host = ""
	return t.next.RoundTrip(r)
}

// DiscordgoLogger returns a function to assign to discordgo.Logger, so that
// discordgo's own messages go to l (with component=discordgo) instead of
// the standard log package. discordgo.Logger is a package variable: assign it
// once, in main, before Serve; Serve itself never touches it, since tests run
// many sessions in parallel. Serve's sessions pass on errors and warnings
// only, never discordgo's debug messages (one of which prints the IDENTIFY
// payload, token included).
func DiscordgoLogger(l *slog.Logger) func(msgL, caller int, format string, a ...any) {
	l = l.With("component", "discordgo")
	return func(msgL, _ int, format string, a ...any) {
		level := slog.LevelDebug
		switch msgL {
		case discordgo.LogError:
			level = slog.LevelError
		case discordgo.LogWarning:
			level = slog.LevelWarn
		case discordgo.LogInformational:
			level = slog.LevelInfo
		}
		l.Log(context.Background(), level, strings.TrimSpace(fmt.Sprintf(format, a...)))
	}
}
