// Package gateway is the bot's connection to Discord's gateway: one
// discordgo session that receives INTERACTION_CREATE over the websocket and
// answers through REST, with the reconnect loop, fatal close codes and
// close-frame sniffing dialer that discordgo lacks.
package gateway

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
	"github.com/glowcloud/glowcloud/bot/register"
	"github.com/glowcloud/glowcloud/bot/rest"
	"github.com/glowcloud/glowcloud/internal/jobs"
)

// One discordgo session per process (or shard).
//
// discordgo v0.29.0 reconnects forever, on every close code, fatal ones
// included. The gateway therefore turns its reconnect loop off
// (ShouldReconnectOnError) and runs its own: on each Disconnect event it
// looks at the close code Discord sent — read off the wire by a wrapper
// around the websocket's net.Conn, installed through the session's own
// Dialer, so nothing is global — and either reconnects (discordgo resumes
// when it has a session id) or ends Run with a *FatalCloseError.

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
// API version, 4013/4014 intents). Run returns it instead of retrying,
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

// Config configures a Gateway.
type Config struct {
	Bot     *bot.Bot
	Metrics Recorder     // nil records nothing
	Log     *slog.Logger // nil discards
	Token   rest.Token
	// Client is the REST client, already redirected to the API base
	// (rest.Client); nil means discordgo's default.
	Client    *http.Client
	Dialer    *websocket.Dialer // nil = websocket.DefaultDialer
	UserAgent string
	// ShardID and ShardCount make the session one shard of several
	// (ShardCount > 1).
	ShardID, ShardCount int
	AppID               string // "" = take it from READY
	GuildID             string
	// Commands, if not nil, are registered once connected (when the
	// application id is known).
	Commands []*discordgo.ApplicationCommand
	// HelloTimeout is how long a new connection may wait for the gateway's
	// HELLO, and ReadyTimeout how long after it for READY or RESUMED, before
	// the connection is closed and another tried (with backoff); 0 means
	// DefaultHelloTimeout and DefaultReadyTimeout.
	HelloTimeout, ReadyTimeout time.Duration
}

// Recorder counts what the gateway does; *metrics.Metrics is one.
type Recorder interface {
	// GatewayReconnect counts a connection re-established after a disconnect.
	GatewayReconnect()
}

type noRecorder struct{}

func (noRecorder) GatewayReconnect() {}

// Gateway owns one discordgo session and the interactions it is answering.
// Its methods are safe for concurrent use.
type Gateway struct {
	s        *discordgo.Session
	bot      *bot.Bot
	metrics  Recorder
	log      *slog.Logger
	guildID  string
	commands []*discordgo.ApplicationCommand
	shard    [2]int

	state      atomic.Int32 // a gatewayState
	reconnects atomic.Int64
	wake       chan struct{} // a Disconnect happened; capacity 1

	mu        sync.Mutex
	appID     string     // configured, or from READY
	closeCode int        // the last close frame Discord sent; 0 = none
	closeText string     // its reason
	conn      net.Conn   // the current websocket's connection, to unblock Open on shutdown
	gate      *helloGate // the current connection's guard, told when READY comes

	// answers are the interactions being answered. They outlive Run's
	// ctx, so that replies in flight at a shutdown finish; Drain waits for
	// them, and cancels them when its ctx ends first.
	answers *jobs.Group
}

// New builds the session; nothing connects until Run.
func New(cfg Config) (*Gateway, error) {
	s, err := discordgo.New(cfg.Token.Authorization())
	if err != nil {
		return nil, fmt.Errorf("new discord session: %w", err)
	}
	g := &Gateway{
		s:        s,
		bot:      cfg.Bot,
		metrics:  cfg.Metrics,
		log:      cfg.Log,
		guildID:  cfg.GuildID,
		commands: cfg.Commands,
		shard:    [2]int{cfg.ShardID, max(cfg.ShardCount, 1)},
		appID:    cfg.AppID,
		wake:     make(chan struct{}, 1),
	}
	if g.metrics == nil {
		g.metrics = noRecorder{}
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	g.answers = jobs.New(g.log)

	// INTERACTION_CREATE is sent whatever the intents, so the bot asks for
	// none: no privileged intent to be approved, and no GUILD_CREATE burst
	// per guild at each connect (discordgo.New asks for every
	// non-privileged intent).
	s.Identify.Intents = discordgo.IntentsNone
	// Uncompressed: a frame's size is its message's (see MaxMessage); a
	// zlib frame could inflate a thousandfold in discordgo's reader.
	s.Compress, s.Identify.Compress = false, false
	s.StateEnabled = false
	s.ShouldReconnectOnError = false // Run reconnects, and stops on fatal codes
	s.SyncEvents = true              // handlers run in order; onInteraction spawns the goroutine itself
	s.LogLevel = discordgo.LogWarning
	s.UserAgent = cfg.UserAgent
	if cfg.Client != nil {
		s.Client = cfg.Client
	}
	helloTimeout, readyTimeout := cfg.HelloTimeout, cfg.ReadyTimeout
	if helloTimeout <= 0 {
		helloTimeout = DefaultHelloTimeout
	}
	if readyTimeout <= 0 {
		readyTimeout = DefaultReadyTimeout
	}
	guard := func(c net.Conn) net.Conn {
		gate := newHelloGate(c, g.log, helloTimeout, readyTimeout)
		g.mu.Lock()
		g.gate = gate
		g.mu.Unlock()
		return gate
	}
	s.Dialer = sniffingDialer(cfg.Dialer, guard, g.sawConn, g.sawClose)
	if cfg.ShardCount > 1 {
		s.ShardID, s.ShardCount = cfg.ShardID, cfg.ShardCount
	}

	s.AddHandler(g.onConnect)
	s.AddHandler(g.onDisconnect)
	s.AddHandler(g.onResumed)
	s.AddHandler(g.onReady)
	s.AddHandler(g.onEvent)
	return g, nil
}

func (g *Gateway) setState(s gatewayState) { g.state.Store(int32(s)) }

// noteState sets s unless the gateway has stopped, which is final.
func (g *Gateway) noteState(s gatewayState) {
	for {
		old := g.state.Load()
		if gatewayState(old) == stateStopped || g.state.CompareAndSwap(old, int32(s)) {
			return
		}
	}
}

func (g *Gateway) currentState() gatewayState { return gatewayState(g.state.Load()) }

// Session returns the gateway's discordgo session, which the HTTP endpoint
// may share for its follow-ups.
func (g *Gateway) Session() *discordgo.Session { return g.s }

// Health reports for /healthz: healthy only while connected, with the
// connection's state, shard and reconnect count.
func (g *Gateway) Health() (bool, map[string]any) {
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

func (g *Gateway) onConnect(*discordgo.Session, *discordgo.Connect) { g.noteState(stateConnected) }

func (g *Gateway) onResumed(*discordgo.Session, *discordgo.Resumed) {
	g.connReady()
	g.log.Debug("gateway session resumed")
}

// connReady tells the current connection's guard that READY or RESUMED
// came, so it stops waiting for it.
func (g *Gateway) connReady() {
	g.mu.Lock()
	gate := g.gate
	g.mu.Unlock()
	if gate != nil {
		gate.ready()
	}
}

func (g *Gateway) onDisconnect(*discordgo.Session, *discordgo.Disconnect) {
	g.noteState(stateDisconnected)
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

func (g *Gateway) onReady(_ *discordgo.Session, r *discordgo.Ready) {
	g.connReady()
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

// onEvent answers each INTERACTION_CREATE, decoded from the event's own
// bytes by the decoder the HTTP endpoint uses (discord.Interaction), not
// from discordgo's InteractionCreate, which is empty when a field does not
// fit discordgo's types (a permission set past 63 bits).
func (g *Gateway) onEvent(_ *discordgo.Session, e *discordgo.Event) {
	if e == nil || e.Type != "INTERACTION_CREATE" {
		return
	}
	in, req, err := discord.Interaction(e.RawData)
	if err != nil {
		g.log.Warn("an interaction that does not decode; not answered", "err", err, "bytes", len(e.RawData))
		return
	}
	g.onInteraction(in, req)
}

// onInteraction answers an interaction on its own goroutine, tracked so a
// shutdown can let it finish; once Drain has begun, it is not answered.
func (g *Gateway) onInteraction(in *discordgo.Interaction, req bot.Request) {
	ic := &discordgo.InteractionCreate{Interaction: in}
	started := g.answers.Go(context.Background(), interactionLifetime, func(ctx context.Context) {
		defer func() {
			if v := recover(); v != nil {
				g.log.Error("interaction panic", "interaction", ic.ID, "panic", v, "stack", string(debug.Stack()))
			}
		}()
		// Answer logs the outcome, errors included.
		_ = g.bot.Answer(ctx, req, responder{s: g.s, i: ic.Interaction})
	})
	if !started {
		g.log.Warn("interaction arrived while shutting down; not answered", "interaction", ic.ID)
	}
}

// sawConn records the websocket's connection as it is dialled.
func (g *Gateway) sawConn(c net.Conn) {
	g.mu.Lock()
	g.conn = c
	g.mu.Unlock()
}

// sawClose records a close frame Discord sent.
func (g *Gateway) sawClose(code int, text string) {
	g.mu.Lock()
	g.closeCode, g.closeText = code, text
	g.mu.Unlock()
}

// lastClose returns the last close frame seen and forgets it.
func (g *Gateway) lastClose() (int, string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	code, text := g.closeCode, g.closeText
	g.closeCode, g.closeText = 0, ""
	return code, text
}

// fatal returns a *FatalCloseError when openErr, or the close frame seen
// since the last call, carries a fatal code; it also reports the code seen.
func (g *Gateway) fatal(openErr error) (*FatalCloseError, int) {
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

// Run connects and keeps the session connected until ctx ends (then it
// closes the session and returns nil) or Discord closes it with a fatal code
// (then it returns a *FatalCloseError). connected is called once, after the
// first connect and command registration. Run once per Gateway.
func (g *Gateway) Run(ctx context.Context, connected func()) error {
	// When ctx ends, unblockOpen frees an Open still waiting on Discord.
	// Its goroutine is joined before Run returns (the defers run in
	// reverse: close the session, stop the watcher, wait for it).
	var watch sync.WaitGroup
	stopWatch := make(chan struct{})
	watch.Go(func() {
		select {
		case <-ctx.Done():
			g.unblockOpen()
		case <-stopWatch:
		}
	})
	defer watch.Wait()
	defer close(stopWatch)
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
func (g *Gateway) connect(ctx context.Context, st gatewayState) (bool, error) {
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
func (g *Gateway) registerCommands(ctx context.Context) {
	if g.commands == nil {
		return
	}
	g.mu.Lock()
	appID := g.appID
	g.mu.Unlock()
	register.Commands(ctx, g.s, appID, g.guildID, g.commands, g.log)
}

// unblockOpen closes the websocket's connection if Open is still waiting
// on Discord when ctx ends; once connected, close() ends things cleanly.
// It runs on its own goroutine, so Run may already have returned and
// close() be closing the session (stateStopped): dropping the connection
// under it would replace its close frame (1000: the bot goes offline at
// once) with a bare TCP close.
func (g *Gateway) unblockOpen() {
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
func (g *Gateway) close() {
	g.setState(stateStopped)
	if err := g.s.Close(); err != nil {
		g.log.Warn("close gateway", "err", err)
	}
}

// Drain stops accepting interactions and waits for those in flight until
// ctx ends, when it cancels them. It reports whether all finished.
func (g *Gateway) Drain(ctx context.Context) bool {
	return g.answers.Drain(ctx) == nil
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

// responder delivers Answer's reply to an interaction received over the
// gateway, through REST.
type responder struct {
	s *discordgo.Session
	i *discordgo.Interaction
}

// Respond sends the initial response (callback type 4, or 7 for an update).
// Errors never quote the interaction token (rest.Redact), which is part of
// the callback and webhook URLs that net/http puts in its errors.
func (r responder) Respond(ctx context.Context, rep bot.Reply) error {
	err := r.s.InteractionRespond(r.i, discord.Response(rep), discordgo.WithContext(ctx))
	return rest.Redact(err, r.i.Token)
}

// Defer sends callback type 5, ephemeral when asked.
func (r responder) Defer(ctx context.Context, ephemeral bool) error {
	err := r.s.InteractionRespond(r.i, discord.Deferred(ephemeral), discordgo.WithContext(ctx))
	return rest.Redact(err, r.i.Token)
}

// Edit replaces the deferred response.
func (r responder) Edit(ctx context.Context, rep bot.Reply) error {
	_, err := r.s.InteractionResponseEdit(r.i, discord.WebhookEdit(rep), discordgo.WithContext(ctx))
	return rest.Redact(err, r.i.Token)
}

// sniffingDialer returns a copy of base (nil = websocket.DefaultDialer)
// whose connections are wrapped by guard (if not nil; a helloGate), and
// report themselves to onConn and every close frame Discord sends to
// onClose. For wss:// it does the TLS handshake itself
// (NetDialTLSContext), so it reads the frames in clear. The copy does not
// use an HTTP proxy: gorilla would run NetDialTLSContext against the proxy.
func sniffingDialer(base *websocket.Dialer, guard func(net.Conn) net.Conn, onConn func(net.Conn), onClose func(code int, text string)) *websocket.Dialer {
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
		if guard != nil {
			c = guard(c)
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
	w       closeWatch // only Read touches it; gorilla reads from one goroutine at a time
}

// Read reads from the connection and feeds what it read to the watch.
func (c *closeSniffer) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		if code, text, ok := c.w.feed(b[:n]); ok {
			c.onClose(code, text)
		}
	}
	return n, err
}

// closeWatch follows a server-to-client websocket stream (the HTTP upgrade
// response, then frames) and stops at the first close frame.
type closeWatch struct {
	r       frameReader
	payload []byte // the close frame's payload so far (at most 125 bytes)
	done    bool
}

// feed consumes b; it returns the close code and reason when b completes a
// close frame (1005, "no status", for a close frame without a code).
func (w *closeWatch) feed(b []byte) (code int, text string, ok bool) {
	for len(b) > 0 && !w.done {
		n, ev := w.r.next(b)
		chunk := b[:n]
		b = b[n:]
		if ev != frameStart && ev != framePayload || w.r.hdr.opcode != websocket.CloseMessage {
			continue
		}
		if ev == framePayload && len(w.payload) < 125 {
			w.payload = append(w.payload, chunk[:min(len(chunk), 125-len(w.payload))]...)
		}
		if w.r.frameEnded() {
			return w.closed()
		}
	}
	return 0, "", false
}

func (w *closeWatch) closed() (int, string, bool) {
	w.done = true
	w.r.hdr.unmask(w.payload, 0)
	if len(w.payload) < 2 {
		return websocket.CloseNoStatusReceived, "", true
	}
	return int(binary.BigEndian.Uint16(w.payload)), string(w.payload[2:]), true
}
