package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// interaction is what the fake knows about one interaction it dispatched or filled in.
type interaction struct {
	id, token  string
	typ        int
	dispatched time.Time
	acked      bool
	original   map[string]any            // the @original message, once a type 4/5 callback or an edit created it
	messages   map[string]map[string]any // follow-up messages by id
}

// Callback is an interaction response the bot POSTed to /interactions/{id}/{token}/callback.
type Callback struct {
	ID, Token string         // from the URL path
	Type      int            // callback type: 4 message, 5 deferred, 6 deferred update, 7 update, ...
	Data      map[string]any // the decoded "data" object (numbers are float64); nil when absent or null
	Raw       []byte         // the JSON body (payload_json for multipart requests)
	Files     int            // multipart file parts
	At        time.Time      // when the fake received it
	Latency   time.Duration  // At minus the time the fake dispatched the interaction; 0 if it did not
	Err       error          // non-nil when the fake rejected the callback (invalid body, token, or double acknowledgement)
}

func (c Callback) clone() Callback {
	c.Data = cloneJSON(c.Data)
	c.Raw = slices.Clone(c.Raw)
	return c
}

func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) {
	id, token := r.PathValue("id"), r.PathValue("token")
	payload, files, err := readPayload(r)
	cb := Callback{ID: id, Token: token, Raw: payload, Files: files, At: time.Now()}
	var plain struct {
		Type int            `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err == nil {
		err = json.Unmarshal(payload, &plain)
	}
	cb.Type, cb.Data = plain.Type, plain.Data

	s.mu.Lock()
	in := s.byID[id]
	typ := 0
	if in != nil {
		typ = in.typ
		if !in.dispatched.IsZero() {
			cb.Latency = cb.At.Sub(in.dispatched)
		}
	}
	s.mu.Unlock()

	status, code, msg := http.StatusNoContent, 0, ""
	switch {
	case err != nil:
		status, code, msg = http.StatusBadRequest, 50109, "The request body contains invalid JSON."
		err = fmt.Errorf("POST %s: %w", r.URL.Path, err)
	case in != nil && in.token != token:
		status, code, msg = http.StatusUnauthorized, 50027, "Invalid Webhook Token"
		err = fmt.Errorf("POST %s: token does not match interaction %s", r.URL.Path, id)
	case s.opts.deadline > 0 && cb.Latency > s.opts.deadline:
		status, code, msg = http.StatusNotFound, 10062, "Unknown interaction"
		err = fmt.Errorf("POST %s: callback %v after the interaction was dispatched, deadline %v", r.URL.Path, cb.Latency, s.opts.deadline)
	default:
		if verr := checkCallback(payload, files, typ); verr != nil {
			status, code, msg = http.StatusBadRequest, 50035, "Invalid Form Body"
			err = fmt.Errorf("POST %s: %w", r.URL.Path, verr)
		}
	}

	s.mu.Lock()
	if err == nil {
		if in == nil { // not dispatched by the fake (e.g. HTTP-mode tests): learn it now
			in = &interaction{id: id, token: token}
			s.byID[id] = in
			s.byToken[token] = in
		}
		if in.acked {
			status, code, msg = http.StatusBadRequest, 40060, "Interaction has already been acknowledged."
			err = fmt.Errorf("POST %s: interaction %s already acknowledged", r.URL.Path, id)
		} else {
			in.acked = true
			switch plain.Type {
			case 4:
				in.original = s.messageLocked(in, plain.Data)
			case 5:
				in.original = s.messageLocked(in, map[string]any{"content": "", "flags": float64(flagsOf(plain.Data) | 128)}) // LOADING
			}
		}
	}
	cb.Err = err
	if _, seen := s.firstCB[id]; !seen {
		s.firstCB[id] = len(s.callbacks)
	}
	s.callbacks = append(s.callbacks, cb)
	// The callback, its request and its violation become visible together: WaitCallback implies them.
	s.recordLocked(w, status)
	report := err != nil && s.violationLocked(err)
	s.broadcastLocked()
	s.mu.Unlock()

	if report {
		s.tb.Errorf("discordtest: %v", err)
	}
	if err != nil {
		writeError(w, status, code, msg)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func flagsOf(data map[string]any) int {
	f, _ := data["flags"].(float64)
	return int(f)
}

// webhookInteraction returns the interaction for a webhook token, learning unknown tokens
// (the bot may have received the interaction over HTTP, which the fake does not see).
func (s *Server) webhookInteractionLocked(token string) *interaction {
	in := s.byToken[token]
	if in == nil {
		in = &interaction{id: s.snowflakeLocked(), token: token}
		s.byToken[token] = in
	}
	return in
}

// messageLocked builds the message object Discord returns for a bot reply.
func (s *Server) messageLocked(_ *interaction, data map[string]any) map[string]any {
	m := map[string]any{
		"id":               s.snowflakeLocked(),
		"type":             20, // CHAT_INPUT_COMMAND
		"channel_id":       DefaultChannelID,
		"content":          "",
		"author":           s.botUser(),
		"attachments":      []any{},
		"embeds":           []any{},
		"components":       []any{},
		"mentions":         []any{},
		"mention_roles":    []any{},
		"mention_everyone": false,
		"pinned":           false,
		"tts":              false,
		"flags":            0,
		"timestamp":        time.Now().UTC().Format(time.RFC3339Nano),
		"edited_timestamp": nil,
		"webhook_id":       s.opts.appID,
		"application_id":   s.opts.appID,
	}
	for k, v := range data {
		if v != nil && k != "allowed_mentions" {
			m[k] = v
		}
	}
	return m
}

func (s *Server) botUser() map[string]any {
	return map[string]any{
		"id": s.opts.botUserID, "username": "glowcloud", "discriminator": "0000", "global_name": nil,
		"avatar": nil, "bot": true, "flags": 0, "public_flags": 0,
	}
}

// message returns the stored message msg ("@original" or a message id) of in, or nil.
func (in *interaction) message(msg string) map[string]any {
	if in == nil {
		return nil
	}
	if msg == "@original" || (in.original != nil && in.original["id"] == msg) {
		return in.original
	}
	return in.messages[msg]
}

func (s *Server) handleGetMessage(w http.ResponseWriter, r *http.Request) {
	if !s.appMatches(w, r, http.StatusNotFound, 10015, "Unknown Webhook") {
		return
	}
	s.mu.Lock()
	m := cloneJSON(s.byToken[r.PathValue("token")].message(r.PathValue("msg")))
	s.mu.Unlock()
	if m == nil {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) handleDeleteMessage(w http.ResponseWriter, r *http.Request) {
	if !s.appMatches(w, r, http.StatusNotFound, 10015, "Unknown Webhook") {
		return
	}
	s.mu.Lock()
	in := s.byToken[r.PathValue("token")]
	m := in.message(r.PathValue("msg"))
	if m != nil {
		if id, _ := m["id"].(string); in.original != nil && in.original["id"] == id {
			in.original = nil
		} else {
			delete(in.messages, id)
		}
		s.recordLocked(w, http.StatusNoContent)
		s.broadcastLocked()
	}
	s.mu.Unlock()
	if m == nil {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleEditMessage(w http.ResponseWriter, r *http.Request) {
	if !s.appMatches(w, r, http.StatusNotFound, 10015, "Unknown Webhook") {
		return
	}
	token, msg := r.PathValue("token"), r.PathValue("msg")
	data, ok := s.readChecked(w, r, checkEdit)
	if !ok {
		return
	}
	s.mu.Lock()
	in := s.webhookInteractionLocked(token)
	m := in.message(msg)
	if msg == "@original" {
		s.edits[token] = append(s.edits[token], data)
		if m == nil { // e.g. the bot deferred inline over HTTP, which the fake did not see
			in.original = s.messageLocked(in, nil)
			m = in.original
		}
	}
	if m != nil {
		for k, v := range data {
			if k != "allowed_mentions" && k != "attachments" {
				m[k] = v
			}
		}
		if f, ok := m["flags"].(float64); ok {
			m["flags"] = float64(int(f) &^ 128) // no longer LOADING
		}
		m["edited_timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
		m = cloneJSON(m)
		s.recordLocked(w, http.StatusOK)
	}
	s.broadcastLocked()
	s.mu.Unlock()
	if m == nil {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) handleFollowup(w http.ResponseWriter, r *http.Request) {
	if !s.appMatches(w, r, http.StatusNotFound, 10015, "Unknown Webhook") {
		return
	}
	token := r.PathValue("token")
	data, ok := s.readChecked(w, r, checkFollowup)
	if !ok {
		return
	}
	s.mu.Lock()
	in := s.webhookInteractionLocked(token)
	s.followups[token] = append(s.followups[token], data)
	m := s.messageLocked(in, data)
	if in.messages == nil {
		in.messages = map[string]map[string]any{}
	}
	in.messages[m["id"].(string)] = m
	out := cloneJSON(m)
	s.recordLocked(w, http.StatusOK)
	s.broadcastLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// ---- application commands ----

func (s *Server) handleListCommands(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) || !s.appMatches(w, r, http.StatusForbidden, 20012, "You are not authorized to perform this action on this application") {
		return
	}
	writeJSON(w, http.StatusOK, s.Commands(r.PathValue("guild")))
}

func (s *Server) handleGetCommand(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) || !s.appMatches(w, r, http.StatusForbidden, 20012, "You are not authorized to perform this action on this application") {
		return
	}
	for _, c := range s.Commands(r.PathValue("guild")) {
		if c["id"] == r.PathValue("cmd") {
			writeJSON(w, http.StatusOK, c)
			return
		}
	}
	writeError(w, http.StatusNotFound, 10063, "Unknown application command")
}

func (s *Server) handleDeleteCommand(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) || !s.appMatches(w, r, http.StatusForbidden, 20012, "You are not authorized to perform this action on this application") {
		return
	}
	guild := r.PathValue("guild")
	s.mu.Lock()
	cmds := s.commands[guild]
	i := slices.IndexFunc(cmds, func(c map[string]any) bool { return c["id"] == r.PathValue("cmd") })
	if i >= 0 {
		s.commands[guild] = slices.Delete(slices.Clone(cmds), i, i+1)
		s.recordLocked(w, http.StatusNoContent)
		s.broadcastLocked()
	}
	s.mu.Unlock()
	if i < 0 {
		writeError(w, http.StatusNotFound, 10063, "Unknown application command")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handlePutCommands(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) || !s.appMatches(w, r, http.StatusForbidden, 20012, "You are not authorized to perform this action on this application") {
		return
	}
	payload, _, err := readPayload(r)
	if err == nil {
		err = CheckCommands(payload)
	}
	var cmds []map[string]any
	if err == nil {
		err = json.Unmarshal(payload, &cmds)
	}
	if err != nil {
		s.invalidBody(w, r, err)
		return
	}
	guild := r.PathValue("guild")
	s.mu.Lock()
	s.commandPuts++
	s.storeCommandsLocked(guild, cmds)
	out := cloneJSON(s.commands[guild])
	s.recordLocked(w, http.StatusOK)
	s.broadcastLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handlePostCommand(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) || !s.appMatches(w, r, http.StatusForbidden, 20012, "You are not authorized to perform this action on this application") {
		return
	}
	payload, _, err := readPayload(r)
	if err == nil {
		err = checkCommand(payload)
	}
	var cmd map[string]any
	if err == nil {
		err = json.Unmarshal(payload, &cmd)
	}
	if err != nil {
		s.invalidBody(w, r, err)
		return
	}
	guild := r.PathValue("guild")
	s.mu.Lock()
	cmds := slices.Clone(s.commands[guild])
	replaced := false
	for i, c := range cmds {
		if c["name"] == cmd["name"] && commandType(c) == commandType(cmd) {
			cmds[i] = cmd
			replaced = true
		}
	}
	if !replaced {
		cmds = append(cmds, cmd)
	}
	s.storeCommandsLocked(guild, cmds)
	var out map[string]any
	for _, c := range s.commands[guild] {
		if c["name"] == cmd["name"] && commandType(c) == commandType(cmd) {
			out = cloneJSON(c)
		}
	}
	status := http.StatusCreated
	if replaced {
		status = http.StatusOK
	}
	s.recordLocked(w, status)
	s.broadcastLocked()
	s.mu.Unlock()
	writeJSON(w, status, out)
}

func commandType(c map[string]any) float64 {
	if t, ok := c["type"].(float64); ok {
		return t
	}
	return 1
}

// storeCommandsLocked replaces guild's commands with cmds, keeping the ids of commands that
// already existed (same name and type) as Discord does, and filling the fields Discord adds.
func (s *Server) storeCommandsLocked(guild string, cmds []map[string]any) {
	old := s.commands[guild]
	out := make([]map[string]any, 0, len(cmds))
	for _, c := range cmds {
		c = stripNulls(c).(map[string]any)
		c["type"] = commandType(c)
		if _, ok := c["id"]; !ok {
			c["id"] = s.snowflakeLocked()
			for _, o := range old {
				if o["name"] == c["name"] && commandType(o) == c["type"] {
					c["id"] = o["id"]
				}
			}
		}
		c["application_id"] = s.opts.appID
		c["version"] = s.snowflakeLocked()
		if _, ok := c["description"]; !ok {
			c["description"] = ""
		}
		if _, ok := c["default_member_permissions"]; !ok {
			c["default_member_permissions"] = nil
		}
		if _, ok := c["nsfw"]; !ok {
			c["nsfw"] = false
		}
		if guild != "" {
			c["guild_id"] = guild
		} else {
			if _, ok := c["integration_types"]; !ok {
				c["integration_types"] = []any{0.0}
			}
			if _, ok := c["contexts"]; !ok {
				c["contexts"] = nil // Discord's quirk: unset contexts come back null
			}
		}
		out = append(out, c)
	}
	s.commands[guild] = out
}

// stripNulls removes null object members recursively, as Discord omits unset fields in what it returns.
func stripNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			if e != nil {
				m[k] = stripNulls(e)
			}
		}
		return m
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = stripNulls(e)
		}
		return out
	}
	return v
}

// readChecked reads a webhook request's JSON body (plain or multipart),
// checks it with check, and decodes it; on failure it has answered 400.
func (s *Server) readChecked(w http.ResponseWriter, r *http.Request, check func(body []byte, files int) error) (map[string]any, bool) {
	payload, files, err := readPayload(r)
	if err == nil {
		err = check(payload, files)
	}
	var data map[string]any
	if err == nil {
		err = json.Unmarshal(payload, &data)
	}
	if err != nil {
		s.invalidBody(w, r, err)
		return nil, false
	}
	return data, true
}
