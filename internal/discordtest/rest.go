package discordtest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"time"
)

// maxBody bounds what the fake reads from one request (Discord's default upload limit plus room for JSON).
const maxBody = 11 << 20

// statusRecorder remembers the status a handler wrote, and records the request (see Requests) before
// any byte of the answer can reach the client: at the handler's first WriteHeader or Write, or earlier,
// together with the state change the request caused (recordLocked), so that whatever a test observes
// of that change (WaitCallback, WaitEdit, ...) implies the request is already listed.
type statusRecorder struct {
	http.ResponseWriter
	s         *Server
	req       Request // the request to record; Status is filled in when recorded
	recorded  bool    // only the handler's goroutine reads or writes it
	status    int
	unhandled bool // set by handleRoot
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
		r.s.mu.Lock()
		if r.s.recordLocked(r, code) {
			r.s.broadcastLocked()
		}
		r.s.mu.Unlock()
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	api := func(method, path string, h http.HandlerFunc) {
		for _, v := range []string{"v9", "v10"} {
			mux.HandleFunc(method+" /api/"+v+path, h)
		}
	}
	api("GET", "/gateway", s.handleGateway)
	api("GET", "/gateway/bot", s.handleGatewayBot)
	api("GET", "/applications/{app}/commands", s.handleListCommands)
	api("PUT", "/applications/{app}/commands", s.handlePutCommands)
	api("POST", "/applications/{app}/commands", s.handlePostCommand)
	api("GET", "/applications/{app}/commands/{cmd}", s.handleGetCommand)
	api("DELETE", "/applications/{app}/commands/{cmd}", s.handleDeleteCommand)
	api("GET", "/applications/{app}/guilds/{guild}/commands", s.handleListCommands)
	api("PUT", "/applications/{app}/guilds/{guild}/commands", s.handlePutCommands)
	api("POST", "/applications/{app}/guilds/{guild}/commands", s.handlePostCommand)
	api("GET", "/applications/{app}/guilds/{guild}/commands/{cmd}", s.handleGetCommand)
	api("DELETE", "/applications/{app}/guilds/{guild}/commands/{cmd}", s.handleDeleteCommand)
	api("POST", "/interactions/{id}/{token}/callback", s.handleCallback)
	api("GET", "/webhooks/{app}/{token}/messages/{msg}", s.handleGetMessage)
	api("PATCH", "/webhooks/{app}/{token}/messages/{msg}", s.handleEditMessage)
	api("DELETE", "/webhooks/{app}/{token}/messages/{msg}", s.handleDeleteMessage)
	api("POST", "/webhooks/{app}/{token}", s.handleFollowup)
	api("POST", "/channels/{channel}/messages", s.handleChannelMessage)
	mux.HandleFunc("GET /attachments/", s.handleFile)
	mux.HandleFunc("/", s.handleRoot)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isUpgrade(r) {
			s.record(r, nil, http.StatusSwitchingProtocols, false)
			s.serveGateway(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			s.record(r, body, http.StatusRequestEntityTooLarge, false)
			writeError(w, http.StatusRequestEntityTooLarge, 40005, "Request entity too large")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if f, ok := s.takeFailure(r); ok {
			s.record(r, body, f.status, false)
			w.Header().Set("Content-Type", "application/json")
			if f.status == http.StatusTooManyRequests {
				w.Header().Set("X-RateLimit-Limit", "5")
				w.Header().Set("X-RateLimit-Remaining", "0")
				w.Header().Set("X-RateLimit-Reset-After", "0.010")
				w.Header().Set("X-RateLimit-Scope", "user")
			}
			w.WriteHeader(f.status)
			_, _ = io.WriteString(w, f.body)
			return
		}
		rec := &statusRecorder{ResponseWriter: w, s: s, req: newRequest(r, body)}
		mux.ServeHTTP(rec, r)
		if !rec.recorded { // the handler wrote nothing: net/http answers 200
			s.mu.Lock()
			s.recordLocked(rec, http.StatusOK)
			s.broadcastLocked()
			s.mu.Unlock()
		}
	})
}

func isUpgrade(r *http.Request) bool {
	return headerHas(r.Header, "Connection", "upgrade") && headerHas(r.Header, "Upgrade", "websocket")
}

func headerHas(h http.Header, key, token string) bool {
	for _, v := range h.Values(key) {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}

func (s *Server) takeFailure(r *http.Request) (failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.failures {
		if (f.method == "" || f.method == r.Method) && strings.HasPrefix(r.URL.Path, f.prefix) {
			s.failures = slices.Delete(s.failures, i, i+1)
			return f, true
		}
	}
	return failure{}, false
}

// newRequest is the record of r, its Authorization redacted; Status is left for the caller.
func newRequest(r *http.Request, body []byte) Request {
	h := r.Header.Clone()
	if a := h.Get("Authorization"); a != "" {
		scheme, _, _ := strings.Cut(a, " ")
		h.Set("Authorization", scheme+" [redacted]")
	}
	return Request{
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.Query(),
		Host:   r.Host,
		Header: h,
		Body:   body,
		At:     time.Now(),
	}
}

// record records r, answered with status, for a request not served through a statusRecorder.
func (s *Server) record(r *http.Request, body []byte, status int, unhandled bool) {
	req := newRequest(r, body)
	req.Status = status
	s.mu.Lock()
	s.requests = append(s.requests, req)
	if unhandled {
		s.unhandled = append(s.unhandled, req)
	}
	s.broadcastLocked()
	s.mu.Unlock()
}

// recordLocked records the request w serves, answered with status, unless it already is (or w is not a
// statusRecorder). Handlers call it, with s.mu held, in the critical section that makes the request's
// effect visible (a callback, an edit, ...), so a test that sees the effect also sees the request.
// It reports whether it recorded; the caller broadcasts.
func (s *Server) recordLocked(w http.ResponseWriter, status int) bool {
	rec, ok := w.(*statusRecorder)
	if !ok || rec.recorded {
		return false
	}
	rec.recorded = true
	rec.req.Status = status
	s.requests = append(s.requests, rec.req)
	if rec.unhandled || status == http.StatusMethodNotAllowed {
		s.unhandled = append(s.unhandled, rec.req)
	}
	return true
}

func (s *Server) handleRoot(w http.ResponseWriter, r *http.Request) {
	if rec, ok := w.(*statusRecorder); ok {
		rec.unhandled = true
	}
	writeError(w, http.StatusNotFound, 0, "404: Not Found")
}

// authorized checks the bot token on routes that need one, answering 401 when it is wrong.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	a := r.Header.Get("Authorization")
	ok := strings.HasPrefix(a, "Bot ") && len(a) > len("Bot ")
	if s.opts.token != "" {
		ok = a == "Bot "+s.opts.token
	}
	if !ok {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
	}
	return ok
}

// appMatches checks the {app} path value against the fake's application id.
func (s *Server) appMatches(w http.ResponseWriter, r *http.Request, status, code int, msg string) bool {
	if app := r.PathValue("app"); app != s.opts.appID {
		s.violation(fmt.Errorf("%s %s: application id %q, want %q", r.Method, r.URL.Path, app, s.opts.appID))
		writeError(w, status, code, msg)
		return false
	}
	return true
}

func (s *Server) handleGateway(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"url": s.GatewayURL()})
}

func (s *Server) handleGatewayBot(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"url":    s.GatewayURL(),
		"shards": s.opts.shards,
		"session_start_limit": map[string]any{
			"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1,
		},
	})
}

func (s *Server) handleFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f, ok := s.files[r.URL.EscapedPath()]
	if !ok {
		f, ok = s.files[r.URL.Path]
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "This content is no longer available.", http.StatusNotFound)
		return
	}
	if f.contentType != "" {
		w.Header().Set("Content-Type", f.contentType)
	}
	_, _ = w.Write(f.body)
}

// readPayload returns the JSON payload of a request: the body, or the payload_json part of a multipart body.
// files counts the multipart file parts.
func readPayload(r *http.Request) (payload []byte, files int, err error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		b, err := io.ReadAll(r.Body)
		return b, 0, err
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, files, fmt.Errorf("read multipart: %w", err)
		}
		if p.FormName() == "payload_json" {
			if payload, err = io.ReadAll(p); err != nil {
				return nil, files, fmt.Errorf("read payload_json: %w", err)
			}
		} else if p.FileName() != "" {
			files++
		}
	}
	if payload == nil {
		payload = []byte("{}")
	}
	return payload, files, nil
}

// invalidBody answers Discord's "Invalid Form Body" and records a violation.
func (s *Server) invalidBody(w http.ResponseWriter, r *http.Request, err error) {
	s.violation(fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, err))
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"code":    50035,
		"message": "Invalid Form Body",
		"errors":  map[string]any{"_errors": []any{map[string]any{"code": "BASE_TYPE_INVALID", "message": err.Error()}}},
	})
}
