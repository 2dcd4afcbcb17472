// Package httpapi is the bot's HTTP endpoint: POST /interactions, checked
// against Discord's Ed25519 signature and answered through the core, beside
// GET /healthz and GET /metrics for operators.
package httpapi

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
	"github.com/glowcloud/glowcloud/bot/rest"
	"github.com/glowcloud/glowcloud/discordsig"
	"github.com/glowcloud/glowcloud/internal/jobs"
)

// maxInteractionBody caps the body of POST /interactions. The largest
// interactions Discord sends are button presses, which embed the whole
// message the button is on: up to 2000 characters of content and 6000 of
// embeds, which JSON escapes to at most 6 bytes per UTF-16 unit (~48 KB),
// plus mentions, attachments and components; and slash commands with
// resolved users, members (a member can list 250 roles) and attachments
// (~1 KB each, signed CDN URLs included). That is well under 128 KB; 256 KiB
// leaves room for Discord adding fields, while still refusing junk before
// verifying a signature over it.
const maxInteractionBody = 256 << 10

// Unverified bodies: what a request that has passed the header checks but
// not yet the signature may cost. Headers are free to forge (any 128 hex
// digits and the current time pass), so the bytes buffered for such bodies
// are bounded across all connections (Config.UnverifiedBytes). They are
// paid for as they arrive, not as declared: a request that declares 256 KiB
// and sends nothing holds nothing (64 such requests once held the whole
// budget and every signed request got 503). A request waits up to bodyWait
// for room for its first bytes, then gets 503; room for more of a body it
// must find at once, or it is refused and lets go of what it held, so
// bodies half read cannot wait on each other while holding the budget.
// Discord's bodies are a few KiB and arrive with their headers, so they
// never wait in practice; bodyReadTimeout frees what a client that trickles
// its body holds.
const (
	defaultUnverifiedBytes = 8 << 20 // 32 maximal bodies, or ~2,000 typical ones
	bodyWait               = time.Second
	bodyReadTimeout        = time.Second
	bodyChunk              = 4 << 10 // read at a time, before it is paid for
)

// followupTimeout bounds the work left after an HTTP handler has returned a
// deferred response: the generation and the PATCH of @original. Discord's
// interaction token lives 15 minutes.
const followupTimeout = 14 * time.Minute

// Config configures the HTTP endpoint.
type Config struct {
	// PublicKey is the application's Ed25519 public key; requests not signed
	// by it get 401. A key discordsig.ParsePublicKey refuses (the wrong
	// size, off the curve, of small order: a placeholder that would verify
	// forged signatures) is not used: every interaction gets 401.
	PublicKey ed25519.PublicKey
	// Followups is the REST client that edits @original after a deferred
	// response. Webhook calls need no token, so discordgo.New("") will do;
	// tests point its Client at a fake Discord. Nil means deferred replies
	// are never delivered (and logged as errors).
	Followups *discordgo.Session
	// Health reports readiness for GET /healthz; nil means always healthy.
	// The detail is added to the JSON body.
	Health func() (healthy bool, detail map[string]any)
	// Metrics serves GET /metrics; nil answers 404.
	Metrics http.Handler
	// Recorder counts the requests refused before reaching the bot; nil
	// records nothing.
	Recorder Recorder
	// Log receives what goes wrong; nil discards.
	Log *slog.Logger
	// Now is the clock for the timestamp window; nil means time.Now.
	Now func() time.Time
	// UnverifiedBytes bounds the bytes of request bodies read but not yet
	// verified, across all requests; 0 means 8 MiB. A request that cannot
	// reserve its body's size within a second gets 503.
	UnverifiedBytes int64
}

// Recorder counts what the endpoint refuses; *metrics.Metrics is one.
type Recorder interface {
	// HTTPRejected counts a request refused before reaching the bot: reason
	// is signature, stale, too_large, malformed or busy (no room to buffer
	// its body).
	HTTPRejected(reason string)
}

type noRecorder struct{}

func (noRecorder) HTTPRejected(string) {}

// Handler serves Discord's HTTP interactions and the operator endpoints.
// It is safe for concurrent use.
type Handler struct {
	mux          *http.ServeMux
	interactions *interactionsHandler
}

// ServeHTTP serves one request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Wait waits until the replies being edited in after a deferral (which
// outlive the request that deferred them) are delivered. If ctx ends first,
// Wait cancels them and returns an error wrapping ctx's. The server's
// Shutdown, which waits for handlers, does not wait for these: call Wait
// after it.
func (h *Handler) Wait(ctx context.Context) error { return h.interactions.followups.Wait(ctx) }

// Running reports how many deferred replies are still being edited in.
func (h *Handler) Running() int { return h.interactions.followups.Running() }

// New returns the endpoint of b:
//
//	POST /interactions  Ed25519-verified interactions; other methods get 405
//	GET  /healthz       {"status":"ok"|"unhealthy", ...detail}: 200 or 503
//	GET  /metrics       cfg.Metrics (404 without)
//
// Requests without a valid, fresh signature get 401 (Discord sends invalid
// signatures on purpose to check this), and so does every request when
// cfg.PublicKey is not an Ed25519 public key; a verified body that is not JSON
// gets 400; every verified interaction gets 200: PING a PONG, anything else
// an interaction response, polite and ephemeral for what the bot cannot do.
// Panics are recovered, never a 500.
func New(b *bot.Bot, cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Recorder == nil {
		cfg.Recorder = noRecorder{}
	}
	if cfg.Metrics == nil {
		cfg.Metrics = http.NotFoundHandler()
	}
	if cfg.UnverifiedBytes <= 0 {
		cfg.UnverifiedBytes = defaultUnverifiedBytes
	}
	log := cfg.Log.With("component", "http")
	// Without a key (serve's health-only endpoint) every interaction gets
	// 401 quietly; a key that cannot be trusted is a mistake worth a line.
	var key ed25519.PublicKey
	if len(cfg.PublicKey) != 0 {
		k, err := discordsig.ParsePublicKey(hex.EncodeToString(cfg.PublicKey))
		if err != nil {
			log.Error("the HTTP interactions endpoint has no valid public key: every interaction will get 401", "err", err)
		}
		key = k
	}
	ih := &interactionsHandler{bot: b, cfg: cfg, key: key, log: log, followups: jobs.New(log),
		unverified: newBudget(cfg.UnverifiedBytes)}
	mux := http.NewServeMux()
	mux.Handle("POST /interactions", ih)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		healthy, detail := true, map[string]any(nil)
		if cfg.Health != nil {
			healthy, detail = cfg.Health()
		}
		body := make(map[string]any, len(detail)+1)
		for k, v := range detail {
			body[k] = v
		}
		body["status"] = "ok"
		status := http.StatusOK
		if !healthy {
			body["status"], status = "unhealthy", http.StatusServiceUnavailable
		}
		writeJSON(w, status, body)
	})
	mux.Handle("GET /metrics", cfg.Metrics)
	return &Handler{mux: mux, interactions: ih}
}

// NewServer returns a server for h with timeouts that suit interactions
// (Discord waits 3 s for an answer) and scrapes, so slow or idle clients
// cannot hold connections forever.
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10, // Discord's headers take ~1 KiB; each connection may buffer this much
	}
}

type interactionsHandler struct {
	bot       *bot.Bot
	cfg       Config
	key       ed25519.PublicKey // nil: no usable key, every interaction gets 401
	log       *slog.Logger
	followups *jobs.Group // Answers that outlive the request: deferred replies
	// unverified bounds the bytes of bodies read but not yet verified.
	unverified *budget
}

func (h *interactionsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	wrote := false
	defer func() {
		if v := recover(); v != nil {
			h.log.LogAttrs(r.Context(), slog.LevelError, "interactions handler panic",
				slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
			if !wrote {
				writeResponse(w, discord.Response(bot.Apology()))
			}
		}
	}()

	// Everything that can be judged without the body is judged first, so
	// that a request that can never verify costs no body read at all.
	if h.key == nil {
		h.reject(w, r, "signature", http.StatusUnauthorized, errNoKey)
		wrote = true
		return
	}
	signed, err := discordsig.CheckHeaders(r.Header, h.cfg.Now())
	if err != nil {
		reason := "signature"
		if errors.Is(err, discordsig.ErrStale) {
			reason = "stale"
		}
		h.reject(w, r, reason, http.StatusUnauthorized, err)
		wrote = true
		return
	}
	body, status, reason, err := h.readBody(w, r, signed)
	if err != nil {
		h.reject(w, r, reason, status, err)
		wrote = true
		return
	}
	in, req, err := discord.Interaction(body)
	if err != nil {
		h.reject(w, r, "malformed", http.StatusBadRequest, err)
		wrote = true
		return
	}
	if in.Type == discordgo.InteractionPing {
		writeResponse(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		wrote = true
		return
	}

	rs := &httpResponder{first: make(chan []byte, 1), followups: h.cfg.Followups, appID: req.AppID, token: req.Token}
	// Answer outlives this handler when it defers: the edit follows after
	// the deferred response is written. So it runs as tracked background
	// work (Wait, which serve's shutdown calls, waits for it), on a context
	// that is not cancelled when the client hangs up.
	done := make(chan struct{})
	h.followups.Go(r.Context(), followupTimeout, func(ctx context.Context) {
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				h.log.LogAttrs(ctx, slog.LevelError, "answer panic",
					slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
			}
		}()
		if err := h.bot.Answer(ctx, req, rs); err != nil {
			h.log.LogAttrs(ctx, slog.LevelWarn, "answer failed", slog.String("err", err.Error()))
		}
	})

	select {
	case first := <-rs.first:
		writeJSONBody(w, http.StatusOK, first)
	case <-done:
		// Answer ended without a response (it had an error, already logged).
		select {
		case first := <-rs.first:
			writeJSONBody(w, http.StatusOK, first)
		default:
			writeResponse(w, discord.Response(bot.Apology()))
		}
	case <-r.Context().Done():
		// The client is gone; Answer finishes on its own.
	}
	wrote = true
}

// readBody reads the body of a request whose headers passed, paying for
// its bytes from the budget for unverified bodies as they arrive, and
// verifies its signature. On failure it returns the status, the rejection
// reason and the cause.
func (h *interactionsHandler) readBody(w http.ResponseWriter, r *http.Request, signed discordsig.Signed) ([]byte, int, string, error) {
	limit := r.ContentLength
	switch {
	case limit > maxInteractionBody:
		return nil, http.StatusRequestEntityTooLarge, "too_large", fmt.Errorf("Content-Length %d over %d", limit, maxInteractionBody)
	case limit < 0: // chunked: read one byte past the cap to see it is over
		limit = maxInteractionBody + 1
	}
	// A body must follow its headers promptly; the deadline is lifted once
	// it is read, since the request's context ends if a pending read of the
	// connection times out.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(bodyReadTimeout)) // unsupported by recorders: fine
	var (
		body  []byte // its capacity is what is held of the budget
		chunk = make([]byte, bodyChunk)
		err   error
	)
	defer func() { h.unverified.release(int64(cap(body))) }()
	for int64(len(body)) < limit {
		var k int
		k, err = r.Body.Read(chunk[:min(int64(len(chunk)), limit-int64(len(body)))])
		if need := len(body) + k; need > cap(body) {
			// 4×: little garbage on the way to 256 KiB. More of a body
			// must find room now, or never.
			grown := min(max(4*cap(body), need, bodyChunk), int(limit))
			wait := time.Duration(0)
			if cap(body) == 0 {
				wait = bodyWait
			}
			if !h.unverified.acquireWithin(r.Context(), int64(grown-cap(body)), wait) {
				w.Header().Set("Retry-After", "1")
				return nil, http.StatusServiceUnavailable, "busy", errors.New("no room to buffer an unverified body")
			}
			body = append(make([]byte, 0, grown), body...)
		}
		body = append(body, chunk[:k]...)
		if err != nil {
			break
		}
	}
	if err == io.EOF {
		err = nil
	}
	if err == nil {
		// Lifted only for a body read whole: after a failed read, the
		// passed deadline makes net/http's drain of the rest fail at once,
		// and it closes the connection rather than wait on the client.
		_ = rc.SetReadDeadline(time.Time{})
	}
	switch {
	case err != nil:
		return nil, http.StatusBadRequest, "malformed", fmt.Errorf("read body: %w", err)
	case r.ContentLength < 0 && len(body) > maxInteractionBody:
		return nil, http.StatusRequestEntityTooLarge, "too_large", &http.MaxBytesError{Limit: maxInteractionBody}
	case int64(len(body)) < r.ContentLength:
		return nil, http.StatusBadRequest, "malformed", fmt.Errorf("read body: %w", io.ErrUnexpectedEOF)
	case r.ContentLength >= 0:
		// Read on to the end, so that net/http watches the connection
		// (and ends r.Context() if the client hangs up while we answer).
		if n, eerr := r.Body.Read(make([]byte, 1)); n > 0 || eerr != io.EOF {
			return nil, http.StatusRequestEntityTooLarge, "too_large", &http.MaxBytesError{Limit: r.ContentLength}
		}
	}
	if err := signed.Verify(h.key, body); err != nil {
		return nil, http.StatusUnauthorized, "signature", err
	}
	return body, 0, "", nil
}

// errNoKey is the cause logged when no usable public key is configured.
var errNoKey = errors.New("no valid public key configured")

func (h *interactionsHandler) reject(w http.ResponseWriter, r *http.Request, reason string, status int, err error) {
	h.cfg.Recorder.HTTPRejected(reason)
	// The body may be unread: do not spend time reading it to keep the
	// connection, which a probe or an attacker holds.
	w.Header().Set("Connection", "close")
	// Discord probes with bad signatures routinely: debug, not warn.
	h.log.LogAttrs(r.Context(), slog.LevelDebug, "interaction rejected",
		slog.String("reason", reason), slog.Int("status", status),
		slog.String("remote", r.RemoteAddr), slog.String("err", err.Error()))
	http.Error(w, http.StatusText(status), status)
}

// httpResponder answers inline, in the HTTP response the handler is
// waiting to write, and edits deferred replies through the REST API.
type httpResponder struct {
	first     chan []byte // the one inline response body; buffered 1
	followups *discordgo.Session
	appID     string
	token     string
}

func (rs *httpResponder) send(resp *discordgo.InteractionResponse) error {
	body, err := json.Marshal(resp)
	if err != nil {
		return fmt.Errorf("encode interaction response: %w", err)
	}
	select {
	case rs.first <- body:
		return nil
	default:
		return errAlreadyResponded
	}
}

// Respond hands the response to the waiting handler.
func (rs *httpResponder) Respond(_ context.Context, r bot.Reply) error {
	return rs.send(discord.Response(r))
}

// Defer hands the deferral to the waiting handler.
func (rs *httpResponder) Defer(_ context.Context, ephemeral bool) error {
	return rs.send(discord.Deferred(ephemeral))
}

// Edit edits the deferred reply through the REST API.
func (rs *httpResponder) Edit(ctx context.Context, r bot.Reply) error {
	if rs.followups == nil {
		return errors.New("no followup session configured")
	}
	_, err := rs.followups.InteractionResponseEdit(
		&discordgo.Interaction{AppID: rs.appID, Token: rs.token},
		discord.WebhookEdit(r),
		discordgo.WithContext(ctx))
	if err != nil {
		// discordgo's errors can quote the URL, which holds the token.
		return fmt.Errorf("PATCH @original: %w", rest.Redact(err, rs.token))
	}
	return nil
}

// errAlreadyResponded is returned by a Responder asked to respond twice.
var errAlreadyResponded = errors.New("interaction already answered")

func writeResponse(w http.ResponseWriter, resp *discordgo.InteractionResponse) {
	body, err := json.Marshal(resp)
	if err != nil { // cannot happen with our types; never a 500 all the same
		body = []byte(`{"type":4,"data":{"content":"Something went wrong inside the Glow Cloud.","flags":64,"allowed_mentions":{"parse":[]}}}`)
	}
	writeJSONBody(w, http.StatusOK, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		body, _ = json.Marshal(map[string]string{"status": "unhealthy", "error": "encode health detail"})
		status = http.StatusServiceUnavailable
	}
	writeJSONBody(w, status, body)
}

func writeJSONBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
