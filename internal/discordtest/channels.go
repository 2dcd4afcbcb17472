package discordtest

import (
	"context"
	"net/http"
	"strconv"
)

// channelState is the fake's record of channel messages (POST /channels/{id}/messages), guarded by
// Server.mu.
type channelState struct {
	posts map[string][]map[string]any // accepted bodies by channel id
	fail  map[string]channelFailure   // channels that refuse posts, by id
}

type channelFailure struct{ status, code int }

// CheckChannelMessage checks a POST /channels/{id}/messages body: the OpenAPI schema (create_message),
// Discord's message rules (including non-empty; no ephemeral flag in a channel) and the allowed_mentions
// policy.
func CheckChannelMessage(body []byte) error { return checkChannelMessage(body, 0) }

func checkChannelMessage(body []byte, files int) error {
	v, err := validateBody("create_message", body)
	if err != nil {
		return err
	}
	m, _ := v.(map[string]any)
	return ruleErr("channel message", messageProblems(m, "", messageRules{
		requireBody: true, files: files, flags: flagSuppressEmbeds | flagSuppressNotify | flagComponentsV2,
	}))
}

// FailChannel makes every post to channelID answer status with Discord's error code until
// FailChannel(channelID, 0, 0): 403 with 50001 (Missing Access) or 50013 (Missing Permissions), 404 with
// 10003 (Unknown Channel), ... For a single failure, such as a 429, use FailNext with the channel's path.
func (s *Server) FailChannel(channelID string, status, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.channels.fail == nil {
		s.channels.fail = map[string]channelFailure{}
	}
	if status == 0 {
		delete(s.channels.fail, channelID)
		return
	}
	s.channels.fail[channelID] = channelFailure{status, code}
}

// ChannelMessages returns the bodies of the accepted posts to channelID, oldest first.
func (s *Server) ChannelMessages(channelID string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneJSON(s.channels.posts[channelID])
}

// WaitChannelMessages waits until channelID has at least n accepted posts and returns them.
func (s *Server) WaitChannelMessages(ctx context.Context, channelID string, n int) ([]map[string]any, error) {
	var got []map[string]any
	err := s.waitFor(ctx, strconv.Itoa(n)+" messages in channel "+channelID, func() bool {
		if len(s.channels.posts[channelID]) >= n {
			got = cloneJSON(s.channels.posts[channelID])
			return true
		}
		return false
	})
	return got, err
}

var channelErrors = map[int]string{
	50001: "Missing Access",
	50013: "Missing Permissions",
	10003: "Unknown Channel",
}

func (s *Server) handleChannelMessage(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	channel := r.PathValue("channel")
	s.mu.Lock()
	f, failing := s.channels.fail[channel]
	s.mu.Unlock()
	if failing {
		msg := channelErrors[f.code]
		if msg == "" {
			msg = http.StatusText(f.status)
		}
		writeError(w, f.status, f.code, msg)
		return
	}
	data, ok := s.readChecked(w, r, checkChannelMessage)
	if !ok {
		return
	}
	s.mu.Lock()
	if s.channels.posts == nil {
		s.channels.posts = map[string][]map[string]any{}
	}
	s.channels.posts[channel] = append(s.channels.posts[channel], data)
	m := s.messageLocked(nil, data)
	m["type"], m["channel_id"] = 0, channel
	delete(m, "webhook_id")
	out := cloneJSON(m)
	s.recordLocked(w, http.StatusOK)
	s.broadcastLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}
