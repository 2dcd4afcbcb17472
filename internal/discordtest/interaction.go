package discordtest

import (
	"context"
	"fmt"
	"time"
)

// Permissions the fake gives invoking members and the app (a typical non-admin set, as a decimal string).
const defaultPermissions = "2248473465835073"

// FillInteraction returns a full, realistic interaction object (as Discord sends it in INTERACTION_CREATE
// or an HTTP POST) built from the fields in i, which win over the defaults; nested objects are merged.
// Missing fields are filled: id, application_id, token, version, type (2, APPLICATION_COMMAND),
// locale, app_permissions, entitlements, context, authorizing_integration_owners, and
//   - in a guild (the default): guild_id, guild, channel_id, channel, member (with user), guild_locale;
//   - in a DM (when i has "user" but neither "member" nor "guild_id"): channel and user;
//   - data: for commands (types 2 and 4) id, name ("glowcloud" if absent) and type 1; the id is the one the
//     fake stored for that command name, if any; for components (type 3) component_type 2 and a message.
//
// The fake remembers the interaction's id and token, so its callback and webhook calls are checked against them.
func (s *Server) FillInteraction(i map[string]any) map[string]any {
	in := cloneJSON(i)
	if in == nil {
		in = map[string]any{}
	}
	typ := 2
	if t, ok := in["type"].(float64); ok {
		typ = int(t)
	}
	dm := in["user"] != nil && in["member"] == nil && in["guild_id"] == nil
	gid := stringOr(in["guild_id"], DefaultGuildID)
	cid := stringOr(in["channel_id"], DefaultChannelID)

	s.mu.Lock()
	id := stringOr(in["id"], s.snowflakeLocked())
	token := stringOr(in["token"], "aW50ZXJhY3Rpb246"+id+":ZmFrZS1kaXNjb3JkLWludGVyYWN0aW9uLXRva2Vu")
	def := map[string]any{
		"id":                    id,
		"application_id":        s.opts.appID,
		"type":                  typ,
		"token":                 token,
		"version":               1,
		"locale":                "en-US",
		"app_permissions":       defaultPermissions,
		"entitlements":          []any{},
		"attachment_size_limit": 10 << 20,
	}
	if typ != 1 { // PING carries nothing else
		user := map[string]any{
			"id": DefaultUserID, "username": "squinter", "discriminator": "0", "global_name": "Squinter",
			"avatar": nil, "public_flags": 0, "flags": 0, "avatar_decoration_data": nil, "collectibles": nil, "primary_guild": nil,
		}
		if dm {
			def["context"] = 1
			def["authorizing_integration_owners"] = map[string]any{"0": "0"}
			def["channel_id"] = cid
			def["channel"] = map[string]any{"id": cid, "type": 1, "flags": 0, "last_message_id": nil, "recipients": []any{user}}
			def["user"] = user
		} else {
			def["context"] = 0
			def["authorizing_integration_owners"] = map[string]any{"0": gid}
			def["guild_id"] = gid
			def["guild"] = map[string]any{"id": gid, "locale": "en-US", "features": []any{}}
			def["guild_locale"] = "en-US"
			def["channel_id"] = cid
			def["channel"] = map[string]any{
				"id": cid, "type": 0, "guild_id": gid, "name": "general", "position": 0, "flags": 0, "nsfw": false,
				"parent_id": nil, "topic": nil, "last_message_id": nil, "rate_limit_per_user": 0, "permissions": defaultPermissions,
			}
			def["member"] = map[string]any{
				"user": user, "roles": []any{}, "permissions": defaultPermissions, "joined_at": "2024-01-01T00:00:00.000000+00:00",
				"nick": nil, "avatar": nil, "banner": nil, "deaf": false, "mute": false, "flags": 0, "pending": false,
				"premium_since": nil, "communication_disabled_until": nil, "unusual_dm_activity_until": nil,
			}
		}
		switch typ {
		case 2, 4:
			data, _ := in["data"].(map[string]any)
			name := stringOr(data["name"], "glowcloud")
			ctype := 1.0
			if t, ok := data["type"].(float64); ok {
				ctype = t
			}
			d := map[string]any{"name": name, "type": ctype, "id": s.snowflakeLocked()}
			for _, g := range []string{gid, ""} {
				if dm && g != "" {
					continue
				}
				if c := s.commandLocked(g, name, ctype); c != nil {
					d["id"] = c["id"]
					if g != "" {
						d["guild_id"] = g
					}
					break
				}
			}
			def["data"] = d
		case 3:
			def["data"] = map[string]any{"component_type": 2, "custom_id": ""}
			msg := s.messageLocked(nil, map[string]any{"channel_id": cid})
			if !dm {
				msg["guild_id"] = gid
			}
			def["message"] = msg
		case 5:
			def["data"] = map[string]any{"custom_id": "", "components": []any{}}
		}
	}
	out := merge(cloneJSON(def), in)
	if old := s.byID[id]; old == nil || old.token != token {
		rec := &interaction{id: id, token: token, typ: typ}
		s.byID[id] = rec
		s.byToken[token] = rec
	}
	s.mu.Unlock()
	return out
}

func (s *Server) commandLocked(guild, name string, typ float64) map[string]any {
	for _, c := range s.commands[guild] {
		if c["name"] == name && commandType(c) == typ {
			return c
		}
	}
	return nil
}

func stringOr(v any, def string) string {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return def
}

// merge returns base with over applied on top: objects are merged recursively, anything else in over wins.
func merge(base, over map[string]any) map[string]any {
	for k, v := range over {
		bm, ok1 := base[k].(map[string]any)
		om, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			base[k] = merge(bm, om)
			continue
		}
		base[k] = v
	}
	return base
}

// Interaction fills i in (see FillInteraction), dispatches it as INTERACTION_CREATE on the live gateway
// connection (waiting for the bot to connect if needed), and waits for the bot's callback POST for it.
// It returns the callback, and an error if ctx ended first or the fake rejected the callback
// (then Callback.Err says why and the test has already been failed unless WithReportOnly).
func (s *Server) Interaction(ctx context.Context, i map[string]any) (Callback, error) {
	full := s.FillInteraction(i)
	id, _ := full["id"].(string)
	err := s.dispatch(ctx, "INTERACTION_CREATE", full, func() {
		s.mu.Lock()
		if in := s.byID[id]; in != nil {
			in.dispatched = time.Now()
		}
		s.mu.Unlock()
	})
	if err != nil {
		return Callback{}, fmt.Errorf("interaction %s: %w", id, err)
	}
	return s.WaitCallback(ctx, id)
}

// WaitCallback returns the first callback the bot POSTed for interaction id, waiting for it if needed.
// The error is non-nil if ctx ended first or the fake rejected the callback.
func (s *Server) WaitCallback(ctx context.Context, id string) (Callback, error) {
	var cb Callback
	err := s.waitFor(ctx, "callback for interaction "+id, func() bool {
		// An index, not a scan: a test may wait for hundreds of interactions at once, and every
		// request wakes every waiter.
		i, ok := s.firstCB[id]
		if ok {
			cb = s.callbacks[i].clone()
		}
		return ok
	})
	if err != nil {
		return Callback{}, err
	}
	if cb.Err != nil {
		return cb, fmt.Errorf("callback for interaction %s rejected: %w", id, cb.Err)
	}
	return cb, nil
}
