package discordtest

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Default identifiers the fake uses when an option or an interaction does not set them.
const (
	DefaultAppID     = "1300000000000000001" // application id, also the bot user's id unless WithBotUserID
	DefaultGuildID   = "1300000000000000002" // guild of filled-in interactions
	DefaultChannelID = "1300000000000000003" // channel of filled-in interactions
	DefaultUserID    = "1300000000000000004" // user who invokes filled-in interactions
)

// Server is an in-process fake of Discord's REST API and gateway.
// Create it with New; it is closed by the test's Cleanup.
// All methods are safe for concurrent use.
type Server struct {
	tb    testing.TB
	opts  options
	plain *httptest.Server // http:// origin (URL, gateway ws://)
	tlsrv *httptest.Server // https:// origin that discord.com requests are dialled to
	tr    *http.Transport  // shared by every Client()
	up    websocket.Upgrader

	gwWG sync.WaitGroup // gateway connection goroutines

	mu          sync.Mutex
	closing     bool
	changed     chan struct{} // closed and replaced on every state change
	nextID      uint64
	requests    []Request
	unhandled   []Request
	violations  []error
	failures    []failure
	commands    map[string][]map[string]any // by guild id; "" = global
	commandPuts int
	byID        map[string]*interaction // interactions by id
	byToken     map[string]*interaction // interactions by token
	callbacks   []Callback
	firstCB     map[string]int              // index in callbacks of each interaction's first callback, by id
	edits       map[string][]map[string]any // PATCH @original bodies by token
	followups   map[string][]map[string]any // POST webhook bodies by token
	files       map[string]servedFile       // by URL path
	channels    channelState                // POST /channels/{id}/messages

	// gateway state, guarded by mu
	conns        map[*gwConn]struct{}
	connCount    int     // gateway connections ever accepted
	live         *gwConn // the latest connection that completed IDENTIFY or RESUME
	sessions     map[string]*session
	identifies   []Identify
	resumes      []Resume
	idCursor     int
	resCursor    int
	heartbeats   int
	clientCloses []int
}

// Request is one HTTP request the fake received.
type Request struct {
	Method string
	Path   string // URL path, e.g. /api/v9/interactions/1/tok/callback
	Query  url.Values
	Host   string      // the Host the client addressed, e.g. discord.com
	Header http.Header // Authorization values are replaced by their scheme plus " [redacted]"
	Body   []byte      // for multipart bodies, the raw multipart bytes
	Status int         // status the fake answered with (101 for a gateway upgrade)
	At     time.Time
}

type servedFile struct {
	body        []byte
	contentType string
}

type failure struct {
	method, prefix string
	status         int
	body           string
}

type options struct {
	appID, botUserID string
	token            string
	heartbeat        time.Duration
	noHeartbeatAck   bool
	identifyHook     func(n int, id Identify) IdentifyResult
	helloHook        func(n int) HelloResult
	reportOnly       bool
	shards           int
	deadline         time.Duration
}

// Option configures New.
type Option func(*options)

// WithAppID sets the application id reported in READY and expected in REST paths. Default DefaultAppID.
func WithAppID(id string) Option { return func(o *options) { o.appID = id } }

// WithBotUserID sets the bot user's id reported in READY. Default: the application id.
func WithBotUserID(id string) Option { return func(o *options) { o.botUserID = id } }

// WithToken makes the fake check the bot token: IDENTIFY and RESUME with another token are closed with 4004,
// and authenticated REST routes (commands, /gateway/bot) answer 401 unless Authorization is "Bot "+token.
// By default any non-empty token is accepted.
func WithToken(token string) Option { return func(o *options) { o.token = token } }

// WithHeartbeatInterval sets the heartbeat_interval sent in HELLO. Default 45s, so heartbeats do not flood tests.
func WithHeartbeatInterval(d time.Duration) Option { return func(o *options) { o.heartbeat = d } }

// WithoutHeartbeatAck makes the gateway ignore heartbeats (no op 11), to simulate a zombied connection.
func WithoutHeartbeatAck() Option { return func(o *options) { o.noHeartbeatAck = true } }

// WithIdentifyHook decides how each IDENTIFY is answered. n counts IDENTIFYs from 1 across all connections.
// The zero IdentifyResult means READY.
func WithIdentifyHook(hook func(n int, id Identify) IdentifyResult) Option {
	return func(o *options) { o.identifyHook = hook }
}

// WithCloseOnIdentify answers every IDENTIFY with a close frame carrying code (e.g. 4004 for a bad token).
func WithCloseOnIdentify(code int) Option {
	return WithIdentifyHook(func(int, Identify) IdentifyResult { return IdentifyResult{CloseCode: code} })
}

// WithReportOnly records violations (see Violations) without failing the test, for tests that send bad payloads on purpose.
func WithReportOnly() Option { return func(o *options) { o.reportOnly = true } }

// WithShards sets the shard count /gateway/bot recommends. Default 1.
func WithShards(n int) Option { return func(o *options) { o.shards = n } }

// WithInteractionDeadline makes the fake reject, as Discord does (404, code 10062 "Unknown interaction"),
// a callback that arrives more than d after Interaction dispatched it. Discord's deadline is 3s;
// by default the fake does not enforce one (Callback.Latency records the delay either way).
func WithInteractionDeadline(d time.Duration) Option { return func(o *options) { o.deadline = d } }

// IdentifyResult is how the fake answers an IDENTIFY (see WithIdentifyHook).
type IdentifyResult struct {
	CloseCode      int  // when non-zero, send a close frame with this code and drop the connection
	InvalidSession bool // when true (and CloseCode is 0), send op 9 with d=false instead of READY
	// Silent (when CloseCode is 0 and InvalidSession false) records the IDENTIFY and answers
	// nothing: a gateway that never sends READY.
	Silent bool
}

// WithHelloHook decides what each gateway connection gets instead of the usual HELLO. n counts
// connections from 1. The zero HelloResult means the usual HELLO.
func WithHelloHook(hook func(n int) HelloResult) Option {
	return func(o *options) { o.helloHook = hook }
}

// HelloResult is what the fake sends when a gateway connection opens (see WithHelloHook).
type HelloResult struct {
	// Silent sends nothing: the connection is accepted and waits for a HELLO that never comes.
	Silent bool
	// Raw, when not nil, is sent as the first text frame instead of HELLO, byte for byte
	// (e.g. a HELLO whose heartbeat_interval is 0 or negative).
	Raw []byte
}

// New starts a fake Discord and registers its shutdown with tb.Cleanup.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	o := options{appID: DefaultAppID, heartbeat: 45 * time.Second, shards: 1}
	for _, opt := range opts {
		opt(&o)
	}
	if o.botUserID == "" {
		o.botUserID = o.appID
	}
	s := &Server{
		tb:        tb,
		opts:      o,
		changed:   make(chan struct{}),
		nextID:    1300000000000001000,
		commands:  map[string][]map[string]any{},
		byID:      map[string]*interaction{},
		byToken:   map[string]*interaction{},
		firstCB:   map[string]int{},
		edits:     map[string][]map[string]any{},
		followups: map[string][]map[string]any{},
		files:     map[string]servedFile{},
		conns:     map[*gwConn]struct{}{},
		sessions:  map[string]*session{},
		up:        websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
	}
	h := s.routes()
	// Assigned before they serve: a client may connect at once (one of an
	// earlier test, to a port reused), and its handler reads s.plain.
	s.plain = httptest.NewUnstartedServer(h)
	s.tlsrv = httptest.NewUnstartedServer(h)
	s.plain.Start()
	s.tlsrv.StartTLS()
	s.tr = &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", s.plain.Listener.Addr().String())
		},
		DialTLSContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			var d net.Dialer
			c, err := d.DialContext(ctx, "tcp", s.tlsrv.Listener.Addr().String())
			if err != nil {
				return nil, err
			}
			host, _, _ := net.SplitHostPort(addr)
			tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true, ServerName: host}) //nolint:gosec // test server
			if err := tc.HandshakeContext(ctx); err != nil {
				c.Close()
				return nil, err
			}
			return tc, nil
		},
		MaxIdleConnsPerHost: 32,
		IdleConnTimeout:     30 * time.Second,
	}
	tb.Cleanup(s.close)
	return s
}

func (s *Server) close() {
	s.mu.Lock()
	s.closing = true
	s.broadcastLocked() // waiters give up
	conns := slices.Collect(maps.Keys(s.conns))
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.Close()
	}
	s.gwWG.Wait()
	s.plain.Close()
	s.tlsrv.Close()
	s.tr.CloseIdleConnections()
}

// Client returns an HTTP client that sends every request to the fake, whatever its host:
// https://discord.com/api/v9/... (discordgo's fixed endpoints), https://cdn.discordapp.com/..., or URL().
// The path is unchanged. TLS certificates are not verified.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: s.tr, Timeout: 20 * time.Second}
}

// Dialer returns a websocket dialer that connects to the fake gateway whatever the URL's host
// (ws:// to the plain listener, wss:// on port 443 to the TLS one, certificates not verified).
func (s *Server) Dialer() *websocket.Dialer {
	return &websocket.Dialer{
		NetDialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			target := s.plain.Listener.Addr().String()
			if _, port, _ := net.SplitHostPort(addr); port == "443" {
				target = s.tlsrv.Listener.Addr().String()
			}
			var d net.Dialer
			return d.DialContext(ctx, "tcp", target)
		},
		TLSClientConfig:  &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // test server
		HandshakeTimeout: 10 * time.Second,
	}
}

// URL returns the fake's plain http origin (e.g. http://127.0.0.1:PORT), usable as DISCORD_API_BASE with any client.
func (s *Server) URL() string { return s.plain.URL }

// GatewayURL returns the ws:// URL that GET /api/v9/gateway reports.
func (s *Server) GatewayURL() string { return "ws" + strings.TrimPrefix(s.plain.URL, "http") }

// AppID returns the application id the fake expects.
func (s *Server) AppID() string { return s.opts.appID }

// broadcastLocked wakes every waiter; s.mu must be held.
func (s *Server) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor blocks until cond (called with s.mu held) reports true, ctx ends, or the server closes.
func (s *Server) waitFor(ctx context.Context, what string, cond func() bool) error {
	for {
		s.mu.Lock()
		if cond() {
			s.mu.Unlock()
			return nil
		}
		if s.closing {
			s.mu.Unlock()
			return fmt.Errorf("wait for %s: fake discord closed", what)
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %w", what, ctx.Err())
		}
	}
}

func (s *Server) snowflakeLocked() string {
	s.nextID++
	return strconv.FormatUint(s.nextID, 10)
}

// violation records a broken Discord rule or project policy and, unless WithReportOnly, fails the test.
func (s *Server) violation(err error) {
	s.mu.Lock()
	report := s.violationLocked(err)
	s.broadcastLocked()
	s.mu.Unlock()
	if report {
		s.tb.Errorf("discordtest: %v", err)
	}
}

// violationLocked records err with s.mu held and reports whether the caller must fail the test with it
// (after unlocking). The caller broadcasts.
func (s *Server) violationLocked(err error) bool {
	s.violations = append(s.violations, err)
	return !s.opts.reportOnly && !s.closing
}

// Violations returns every rule violation seen so far (invalid payloads, wrong application id, ...).
func (s *Server) Violations() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// Requests returns (copies of) every HTTP request received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneRequests(s.requests)
}

// Unhandled returns the requests that matched no route (answered 404 or 405). The fake does not fail the test for them.
func (s *Server) Unhandled() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneRequests(s.unhandled)
}

func cloneRequests(rs []Request) []Request {
	out := make([]Request, len(rs))
	for i, r := range rs {
		out[i] = r.clone()
	}
	return out
}

func (r Request) clone() Request {
	r.Query = maps.Clone(r.Query)
	r.Header = r.Header.Clone()
	r.Body = slices.Clone(r.Body)
	return r
}

// WaitRequest returns the first request received (before or after the call) for which match reports true.
func (s *Server) WaitRequest(ctx context.Context, match func(Request) bool) (Request, error) {
	var got Request
	seen := 0
	err := s.waitFor(ctx, "request", func() bool {
		for ; seen < len(s.requests); seen++ {
			if match(s.requests[seen].clone()) {
				got = s.requests[seen].clone()
				return true
			}
		}
		return false
	})
	return got, err
}

// FailNext makes the next request whose method matches (empty = any) and whose path starts with pathPrefix
// get status and body instead of its normal answer (e.g. 429 with {"retry_after":0.01,"global":false}, or 500).
// Calls queue up.
func (s *Server) FailNext(method, pathPrefix string, status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{method: method, prefix: pathPrefix, status: status, body: body})
}

// Commands returns the application commands stored for guildID ("" = global), as Discord would echo them.
func (s *Server) Commands(guildID string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneJSON(s.commands[guildID])
}

// SetCommands stores commands for guildID ("" = global) as if an earlier run had registered them;
// ids, application_id and version are filled in when missing.
func (s *Server) SetCommands(guildID string, cmds []map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.storeCommandsLocked(guildID, cloneJSON(cmds))
}

// CommandPuts returns how many bulk overwrites (PUT .../commands, global or guild) the fake accepted.
func (s *Server) CommandPuts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commandPuts
}

// Edits returns the bodies of the accepted PATCH .../messages/@original requests for an interaction token, oldest first.
func (s *Server) Edits(token string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneJSON(s.edits[token])
}

// WaitEdit returns the first accepted PATCH .../messages/@original body for token, waiting for it if needed.
func (s *Server) WaitEdit(ctx context.Context, token string) (map[string]any, error) {
	var got map[string]any
	err := s.waitFor(ctx, "edit of @original", func() bool {
		if e := s.edits[token]; len(e) > 0 {
			got = cloneJSON(e[0])
			return true
		}
		return false
	})
	return got, err
}

// Followups returns the bodies of the accepted POST /webhooks/{app}/{token} requests for token, oldest first.
func (s *Server) Followups(token string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneJSON(s.followups[token])
}

// Callbacks returns (copies of) every accepted or rejected interaction callback, in arrival order.
func (s *Server) Callbacks() []Callback {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Callback, len(s.callbacks))
	for i, c := range s.callbacks {
		out[i] = c.clone()
	}
	return out
}

// ServeFile serves body at a new attachment URL and returns it. The URL is on the plain origin
// (http://127.0.0.1:PORT/attachments/...), so any client can fetch it; the same path is also served
// under https://cdn.discordapp.com through Client().
func (s *Server) ServeFile(name string, body []byte, contentType string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := "/attachments/" + DefaultChannelID + "/" + s.snowflakeLocked() + "/" + url.PathEscape(name)
	s.files[p] = servedFile{body: slices.Clone(body), contentType: contentType}
	return s.plain.URL + p
}

// Attachment serves body like ServeFile and returns a Discord attachment object for it
// (id, filename, size, url, proxy_url, content_type), ready for an interaction's data.resolved.attachments.
func (s *Server) Attachment(name string, body []byte, contentType string) map[string]any {
	u := s.ServeFile(name, body, contentType)
	id := u[strings.LastIndex(u[:strings.LastIndex(u, "/")], "/")+1 : strings.LastIndex(u, "/")]
	return map[string]any{
		"id":           id,
		"filename":     name,
		"size":         len(body),
		"url":          u,
		"proxy_url":    u,
		"content_type": contentType,
		"ephemeral":    true,
	}
}

// cloneJSON deep-copies JSON-shaped data (maps, slices, scalars).
func cloneJSON[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("discordtest: clone: %v", err)) // only JSON-shaped data is stored
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("discordtest: clone: %v", err))
	}
	return out
}

// writeJSON answers status with v encoded as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers status with Discord's JSON error body {"code":code,"message":msg}.
func writeError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg})
}
