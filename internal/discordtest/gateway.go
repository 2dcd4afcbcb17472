package discordtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway close codes the fake sends on its own (Discord's numbers).
const (
	closeUnknownOpcode  = 4001
	closeDecodeError    = 4002
	closeNotAuth        = 4003
	closeAuthFailed     = 4004
	closeAlreadyAuth    = 4005
	closeInvalidVersion = 4012
	maxGatewayPayload   = 4096
	writeTimeout        = 5 * time.Second
	closeGrace          = 10 * time.Second // how long CloseGateway leaves the bot to answer its close frame
	eventLogLimit       = 1000             // events kept per session for RESUME replays
)

// Identify is an IDENTIFY (op 2) payload the bot sent.
type Identify struct {
	Token    string          // as sent (discordgo sends "Bot <token>")
	Intents  int             // gateway intents bitset
	Shard    [2]int          // [shard_id, num_shards]; [0, 1] when the bot sent none
	HasShard bool            // whether the bot sent "shard"
	Compress bool            // the "compress" field
	Query    string          // the websocket URL's query, e.g. "v=9&encoding=json"
	Raw      json.RawMessage // the whole "d" object
}

// Resume is a RESUME (op 6) payload the bot sent.
type Resume struct {
	Token     string
	SessionID string
	Seq       int64
	Accepted  bool // whether the fake knew the session and answered RESUMED
}

type session struct {
	id     string
	seq    int64
	events [][]byte // encoded dispatches with their sequence numbers, for replay
	seqs   []int64
	shard  [2]int
}

type gwConn struct {
	ws    *websocket.Conn
	wmu   sync.Mutex // serialises writes (gorilla allows one concurrent writer)
	query string
	sess  *session // guarded by Server.mu; set once IDENTIFY or RESUME succeeded
	// closed is set, under Server.mu, before the fake sends its close frame: a close frame the bot
	// sends afterwards only completes the closing handshake the fake started (RFC 6455 §5.5.1).
	closed bool
	done   chan struct{} // closed when the connection's reading goroutine has finished
}

func (c *gwConn) writeJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode gateway payload: %w", err)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(b)
}

func (c *gwConn) writeLocked(b []byte) error {
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		return fmt.Errorf("write gateway payload: %w", err)
	}
	return nil
}

// closeWith sends a close frame with code on c and closes the connection.
func (s *Server) closeWith(c *gwConn, code int, reason string) {
	s.mu.Lock()
	c.closed = true
	s.mu.Unlock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(writeTimeout))
	c.ws.Close()
}

type gatewayFrame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  *string         `json:"t"`
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		http.Error(w, "closing", http.StatusServiceUnavailable)
		return
	}
	s.gwWG.Add(1)
	s.mu.Unlock()
	defer s.gwWG.Done()

	ws, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade already answered
	}
	c := &gwConn{ws: ws, query: r.URL.RawQuery, done: make(chan struct{})}
	s.mu.Lock()
	s.conns[c] = struct{}{}
	closing := s.closing
	s.broadcastLocked()
	s.mu.Unlock()
	defer func() {
		ws.Close()
		close(c.done)
		s.mu.Lock()
		delete(s.conns, c)
		if s.live == c {
			s.live = nil
		}
		s.broadcastLocked()
		s.mu.Unlock()
	}()
	if closing {
		return
	}
	if v := r.URL.Query().Get("v"); v != "" && v != "9" && v != "10" {
		s.closeWith(c, closeInvalidVersion, "Invalid API version")
		return
	}
	s.mu.Lock()
	s.connCount++
	n := s.connCount
	s.mu.Unlock()
	var hello HelloResult
	if s.opts.helloHook != nil {
		hello = s.opts.helloHook(n)
	}
	switch {
	case hello.Silent:
	case hello.Raw != nil:
		c.wmu.Lock()
		err := c.writeLocked(hello.Raw)
		c.wmu.Unlock()
		if err != nil {
			return
		}
	default:
		if err := c.writeJSON(map[string]any{"op": 10, "s": nil, "t": nil,
			"d": map[string]any{"heartbeat_interval": s.opts.heartbeat.Milliseconds()}}); err != nil {
			return
		}
	}
	for {
		mt, msg, err := ws.ReadMessage()
		if err != nil {
			s.clientClosed(c, err)
			return
		}
		if len(msg) > maxGatewayPayload {
			s.closeWith(c, closeDecodeError, "Payload too large")
			return
		}
		var f gatewayFrame
		if mt != websocket.TextMessage || json.Unmarshal(msg, &f) != nil {
			s.closeWith(c, closeDecodeError, "Error while decoding payload")
			return
		}
		switch f.Op {
		case 1: // heartbeat
			s.mu.Lock()
			s.heartbeats++
			s.broadcastLocked()
			s.mu.Unlock()
			if !s.opts.noHeartbeatAck {
				if c.writeJSON(map[string]any{"op": 11, "d": nil, "s": nil, "t": nil}) != nil {
					return
				}
			}
		case 2: // identify
			if s.authed(c) {
				s.closeWith(c, closeAlreadyAuth, "Already authenticated")
				return
			}
			if err := s.identify(c, f.D); err != nil {
				return
			}
		case 6: // resume
			if s.authed(c) {
				s.closeWith(c, closeAlreadyAuth, "Already authenticated")
				return
			}
			if err := s.resume(c, f.D); err != nil {
				return
			}
		case 3, 4, 8, 31: // presence, voice state, request members, request soundboard sounds
			if !s.authed(c) {
				s.closeWith(c, closeNotAuth, "Not authenticated")
				return
			}
		default:
			s.closeWith(c, closeUnknownOpcode, "Unknown opcode")
			return
		}
	}
}

// authed reports whether c completed IDENTIFY or RESUME (and was not sent op 9 since).
func (s *Server) authed(c *gwConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return c.sess != nil
}

// clientClosed records the close code the bot sent, if any. As on Discord, closing with 1000 or 1001
// ends the session, so it cannot be resumed; but not when the fake had closed the connection first
// (CloseGateway, or a close code of its own): the bot's close frame then merely answers the fake's,
// whatever its code (discordgo answers every close with 1000), and the session outlives the
// connection as Discord's close code says (4000 is resumable, 4009 is not).
func (s *Server) clientClosed(c *gwConn, err error) {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clientCloses = append(s.clientCloses, ce.Code)
	if c.sess != nil && !c.closed && (ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseGoingAway) {
		delete(s.sessions, c.sess.id)
	}
	s.broadcastLocked()
}

// ClientCloseCodes returns the close codes of the close frames the bot sent, oldest first.
func (s *Server) ClientCloseCodes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.clientCloses)
}

func (s *Server) tokenOK(token string) bool {
	if s.opts.token == "" {
		return token != ""
	}
	return strings.TrimPrefix(token, "Bot ") == s.opts.token
}

// identify handles op 2. An error means the connection is finished.
func (s *Server) identify(c *gwConn, raw json.RawMessage) error {
	var d struct {
		Token    string  `json:"token"`
		Intents  *int    `json:"intents"`
		Shard    *[2]int `json:"shard"`
		Compress bool    `json:"compress"`
	}
	if json.Unmarshal(raw, &d) != nil || d.Intents == nil {
		s.closeWith(c, closeDecodeError, "Error while decoding payload")
		return fmt.Errorf("bad identify")
	}
	id := Identify{Token: d.Token, Intents: *d.Intents, Shard: [2]int{0, 1}, Compress: d.Compress, Query: c.query, Raw: slices.Clone(raw)}
	if d.Shard != nil {
		id.Shard, id.HasShard = *d.Shard, true
	}
	s.mu.Lock()
	s.identifies = append(s.identifies, id)
	n := len(s.identifies)
	s.broadcastLocked()
	s.mu.Unlock()

	var res IdentifyResult
	if s.opts.identifyHook != nil {
		res = s.opts.identifyHook(n, id)
	}
	switch {
	case res.CloseCode != 0:
		s.closeWith(c, res.CloseCode, "Closed by fake discord")
		return fmt.Errorf("closed with %d", res.CloseCode)
	case !s.tokenOK(d.Token):
		s.closeWith(c, closeAuthFailed, "Authentication failed.")
		return fmt.Errorf("authentication failed")
	case id.Shard[1] < 1 || id.Shard[0] < 0 || id.Shard[0] >= id.Shard[1]:
		s.closeWith(c, 4010, "Invalid shard.")
		return fmt.Errorf("invalid shard")
	case res.InvalidSession:
		return c.writeJSON(map[string]any{"op": 9, "d": false, "s": nil, "t": nil})
	case res.Silent:
		return nil
	}

	c.wmu.Lock()
	defer c.wmu.Unlock()
	s.mu.Lock()
	sess := &session{id: "fake-session-" + s.snowflakeLocked(), seq: 1, shard: id.Shard}
	s.sessions[sess.id] = sess
	s.mu.Unlock()
	ready := map[string]any{
		"v":                       9,
		"session_id":              sess.id,
		"session_type":            "normal",
		"resume_gateway_url":      s.GatewayURL(),
		"user":                    s.botUser(),
		"application":             map[string]any{"id": s.opts.appID, "flags": 0},
		"guilds":                  []any{},
		"private_channels":        []any{},
		"relationships":           []any{},
		"user_settings":           map[string]any{},
		"presences":               []any{},
		"geo_ordered_rtc_regions": []any{"us-east"},
	}
	if id.HasShard {
		ready["shard"] = id.Shard
	}
	b, err := json.Marshal(map[string]any{"op": 0, "s": 1, "t": "READY", "d": ready})
	if err != nil {
		return fmt.Errorf("encode ready: %w", err)
	}
	// Mark the connection ready before writing READY (we hold c.wmu, so no dispatch can overtake it):
	// once the bot has READY, Connected and Dispatch must see the connection.
	s.setLive(c, sess)
	return c.writeLocked(b)
}

// setLive records that c completed IDENTIFY or RESUME of sess.
func (s *Server) setLive(c *gwConn, sess *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.sess = sess
	s.live = c
	s.broadcastLocked()
}

// resume handles op 6. An error means the connection is finished.
func (s *Server) resume(c *gwConn, raw json.RawMessage) error {
	var d struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if json.Unmarshal(raw, &d) != nil {
		s.closeWith(c, closeDecodeError, "Error while decoding payload")
		return fmt.Errorf("bad resume")
	}
	if !s.tokenOK(d.Token) {
		s.closeWith(c, closeAuthFailed, "Authentication failed.")
		return fmt.Errorf("authentication failed")
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	s.mu.Lock()
	sess := s.sessions[d.SessionID]
	s.resumes = append(s.resumes, Resume{Token: d.Token, SessionID: d.SessionID, Seq: d.Seq, Accepted: sess != nil})
	s.broadcastLocked()
	if sess == nil {
		s.mu.Unlock()
		return c.writeLocked([]byte(`{"op":9,"d":false,"s":null,"t":null}`))
	}
	// Replay the dispatches the bot missed, then RESUMED.
	var replay [][]byte
	for i, q := range sess.seqs {
		if q > d.Seq {
			replay = append(replay, sess.events[i])
		}
	}
	sess.seq++
	resumed, err := json.Marshal(map[string]any{"op": 0, "s": sess.seq, "t": "RESUMED", "d": map[string]any{}})
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("encode resumed: %w", err)
	}
	s.setLive(c, sess)
	for _, b := range replay {
		if err := c.writeLocked(b); err != nil {
			return err
		}
	}
	return c.writeLocked(resumed)
}

// liveConn waits until a connection has completed IDENTIFY or RESUME.
func (s *Server) liveConn(ctx context.Context) (*gwConn, error) {
	var c *gwConn
	err := s.waitFor(ctx, "a ready gateway connection", func() bool {
		c = s.live
		return c != nil
	})
	return c, err
}

// Dispatch sends a DISPATCH (op 0) with event name and data (any JSON-encodable value) on the live
// gateway connection, waiting (until ctx ends) for the bot to have connected and identified.
// The event is kept in the session, so a RESUME after a lost connection replays it.
func (s *Server) Dispatch(ctx context.Context, event string, data any) error {
	return s.dispatch(ctx, event, data, nil)
}

// dispatch is Dispatch with a hook called just before the frame is written.
func (s *Server) dispatch(ctx context.Context, event string, data any, before func()) error {
	d, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("dispatch %s: encode: %w", event, err)
	}
	for {
		c, err := s.liveConn(ctx)
		if err != nil {
			return fmt.Errorf("dispatch %s: %w", event, err)
		}
		c.wmu.Lock()
		s.mu.Lock()
		sess := c.sess
		if sess == nil { // op 9 or a close raced with us: wait for the next ready connection
			s.mu.Unlock()
			c.wmu.Unlock()
			continue
		}
		sess.seq++
		b, err := json.Marshal(map[string]any{"op": 0, "s": sess.seq, "t": event, "d": json.RawMessage(d)})
		if err == nil {
			sess.events = append(sess.events, b)
			sess.seqs = append(sess.seqs, sess.seq)
			if len(sess.events) > eventLogLimit {
				sess.events, sess.seqs = sess.events[1:], sess.seqs[1:]
			}
		}
		s.mu.Unlock()
		if err == nil {
			if before != nil {
				before()
			}
			err = c.writeLocked(b)
		}
		c.wmu.Unlock()
		if err != nil {
			return fmt.Errorf("dispatch %s: %w", event, err)
		}
		return nil
	}
}

// Send writes a raw gateway payload (e.g. {"op":7,"d":null} to ask for a reconnect) on the live connection.
func (s *Server) Send(ctx context.Context, payload any) error {
	c, err := s.liveConn(ctx)
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	if err := c.writeJSON(payload); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// Reconnect sends op 7 (Reconnect) on the live connection.
func (s *Server) Reconnect(ctx context.Context) error {
	return s.Send(ctx, map[string]any{"op": 7, "d": nil, "s": nil, "t": nil})
}

// InvalidSession sends op 9 (Invalid Session) with d=resumable on the live connection.
// Unless resumable, the session is forgotten, so a later RESUME of it fails.
func (s *Server) InvalidSession(ctx context.Context, resumable bool) error {
	c, err := s.liveConn(ctx)
	if err != nil {
		return fmt.Errorf("invalid session: %w", err)
	}
	s.mu.Lock()
	if !resumable && c.sess != nil {
		delete(s.sessions, c.sess.id)
	}
	c.sess = nil // the bot must IDENTIFY (or RESUME) again on this connection
	if s.live == c {
		s.live = nil
	}
	s.broadcastLocked()
	s.mu.Unlock()
	if err := c.writeJSON(map[string]any{"op": 9, "d": resumable, "s": nil, "t": nil}); err != nil {
		return fmt.Errorf("invalid session: %w", err)
	}
	return nil
}

// openConns returns every open gateway connection.
func (s *Server) openConns() []*gwConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*gwConn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

// CloseGateway sends a close frame with code (e.g. 4000 unknown error, 4004 authentication failed,
// 4014 disallowed intents) on every open gateway connection and closes them.
// After a fatal code (4004, 4010-4014) or 4007/4009 the sessions can no longer be resumed;
// after any other code they can, whatever close frame the bot answers with.
//
// As Discord (and RFC 6455 §7.1.1) does, the fake then waits for the bot's close frame in answer, so
// ClientCloseCodes lists it, before it closes the TCP connection; it stops waiting after 10s. CloseGateway
// does not wait for that: the connection may still be open, though not Connected, when it returns
// (WaitConnections waits for it to close).
func (s *Server) CloseGateway(code int) {
	for _, c := range s.openConns() {
		s.mu.Lock()
		if c.sess != nil && (code == 4004 || code == 4007 || code == 4009 || (code >= 4010 && code <= 4014)) {
			delete(s.sessions, c.sess.id)
		}
		c.closed = true
		s.unliveLocked(c)
		closing := s.closing
		if !closing {
			s.gwWG.Add(1)
		}
		s.mu.Unlock()
		c.wmu.Lock()
		_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, "Closed by fake discord"), time.Now().Add(writeTimeout))
		c.wmu.Unlock()
		if closing { // the fake is shutting down: no handshake
			c.ws.Close()
			continue
		}
		go func() {
			defer s.gwWG.Done()
			t := time.NewTimer(closeGrace)
			defer t.Stop()
			select {
			case <-c.done: // the reading goroutine saw the bot's close frame (or an error) and closed
			case <-t.C:
			}
			c.ws.Close()
		}()
	}
}

// DropGateway closes every open gateway connection's TCP connection without a close frame.
// Sessions stay resumable.
func (s *Server) DropGateway() {
	for _, c := range s.openConns() {
		s.mu.Lock()
		c.closed = true
		s.unliveLocked(c)
		s.mu.Unlock()
		c.ws.Close()
	}
}

// unliveLocked stops Dispatch from choosing c, which is about to close.
func (s *Server) unliveLocked(c *gwConn) {
	if s.live == c {
		s.live = nil
		s.broadcastLocked()
	}
}

// Connected reports whether a gateway connection has completed IDENTIFY or RESUME and is still open.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live != nil
}

// WaitConnections waits until exactly n gateway connections are open (0 to wait for the bot to disconnect).
func (s *Server) WaitConnections(ctx context.Context, n int) error {
	return s.waitFor(ctx, fmt.Sprintf("%d gateway connections", n), func() bool { return len(s.conns) == n })
}

// WaitIdentify returns the next IDENTIFY not yet returned by an earlier call, waiting for it if needed.
// The first call returns the first IDENTIFY ever received, the second call the second, and so on.
func (s *Server) WaitIdentify(ctx context.Context) (Identify, error) {
	var id Identify
	err := s.waitFor(ctx, "IDENTIFY", func() bool {
		if s.idCursor < len(s.identifies) {
			id = s.identifies[s.idCursor]
			s.idCursor++
			return true
		}
		return false
	})
	return id, err
}

// WaitResume returns the next RESUME not yet returned by an earlier call, waiting for it if needed.
func (s *Server) WaitResume(ctx context.Context) (Resume, error) {
	var r Resume
	err := s.waitFor(ctx, "RESUME", func() bool {
		if s.resCursor < len(s.resumes) {
			r = s.resumes[s.resCursor]
			s.resCursor++
			return true
		}
		return false
	})
	return r, err
}

// Identifies returns how many IDENTIFYs the gateway received.
func (s *Server) Identifies() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.identifies)
}

// Resumes returns how many RESUMEs the gateway received.
func (s *Server) Resumes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.resumes)
}

// WaitHeartbeats waits until the gateway has received at least n heartbeats (op 1) in total.
func (s *Server) WaitHeartbeats(ctx context.Context, n int) error {
	return s.waitFor(ctx, fmt.Sprintf("%d heartbeats", n), func() bool { return s.heartbeats >= n })
}

// Heartbeats returns how many heartbeats (op 1) the gateway received.
func (s *Server) Heartbeats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heartbeats
}
