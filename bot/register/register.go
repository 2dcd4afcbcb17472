// Package register makes Discord's slash commands match glowcloud's: one
// bulk overwrite, skipped when the commands Discord has already match.
package register

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// timeout bounds one registration: the GET and the PUT.
const timeout = time.Minute

// Commands makes the application's commands (global, or the guild's when
// guildID is set) equal to cmds, logs what it did, and reports whether the
// commands are now registered (put, or found unchanged). s needs the bot's
// token (rest.Session).
func Commands(ctx context.Context, s *discordgo.Session, appID, guildID string, cmds []*discordgo.ApplicationCommand, log *slog.Logger) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	scope := "global"
	if guildID != "" {
		scope = "guild " + guildID
	}
	put, err := registerCommands(ctx, s, appID, guildID, cmds, log)
	switch {
	case err != nil:
		log.Error("slash commands not registered", "scope", scope, "err", err)
		return false
	case put:
		log.Info("slash commands registered", "scope", scope, "count", len(cmds))
	default:
		log.Info("slash commands unchanged", "scope", scope, "count", len(cmds))
	}
	return true
}

// registerCommands makes the application's commands (global, or the guild's
// when guildID is set) equal to cmds with one bulk overwrite (PUT), skipped
// when Discord already has the same definitions. It reports whether it PUT.
// A failed GET is logged and followed by the PUT anyway.
func registerCommands(ctx context.Context, s *discordgo.Session, appID, guildID string, cmds []*discordgo.ApplicationCommand, log *slog.Logger) (bool, error) {
	if appID == "" {
		return false, fmt.Errorf("register commands: no application id")
	}
	want, err := commandsPayload(cmds)
	if err != nil {
		return false, fmt.Errorf("register commands: %w", err)
	}
	endpoint := discordgo.EndpointApplicationGlobalCommands(appID)
	if guildID != "" {
		endpoint = discordgo.EndpointApplicationGuildCommands(appID, guildID)
	}
	current, err := s.RequestWithBucketID("GET", endpoint, nil, "GET "+endpoint, discordgo.WithContext(ctx))
	if err != nil {
		log.Warn("get registered commands; overwriting them", "err", err)
	} else if same, err := sameCommands(want, current); err != nil {
		log.Warn("compare registered commands; overwriting them", "err", err)
	} else if same {
		return false, nil
	}
	if _, err := s.RequestWithBucketID("PUT", endpoint, want, endpoint, discordgo.WithContext(ctx)); err != nil {
		return false, fmt.Errorf("register commands: bulk overwrite: %w", err)
	}
	return true, nil
}

// commandsPayload encodes cmds as the JSON array Discord's bulk overwrite
// takes. discordgo marshals nil Options, Choices and ChannelTypes as null;
// the payload drops the nulls. default_member_permissions stays the decimal
// string Discord documents (and every library sends).
func commandsPayload(cmds []*discordgo.ApplicationCommand) ([]map[string]any, error) {
	raw, err := json.Marshal(cmds)
	if err != nil {
		return nil, fmt.Errorf("encode commands: %w", err)
	}
	var out []map[string]any
	if err := decodeJSON(raw, &out); err != nil {
		return nil, fmt.Errorf("decode commands: %w", err)
	}
	for _, c := range out {
		dropNulls(c)
	}
	if out == nil {
		out = []map[string]any{}
	}
	return out, nil
}

func decodeJSON(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return d.Decode(v)
}

// dropNulls removes null members, and "autocomplete": false (which not every
// option type takes), from m and from every object nested in it.
func dropNulls(m map[string]any) {
	for k, v := range m {
		switch v := v.(type) {
		case nil:
			delete(m, k)
		case bool:
			if k == "autocomplete" && !v {
				delete(m, k)
			}
		case map[string]any:
			dropNulls(v)
		case []any:
			for _, e := range v {
				if o, ok := e.(map[string]any); ok {
					dropNulls(o)
				}
			}
		}
	}
}

// sameCommands reports whether the commands Discord returned (current, the
// JSON of a GET) match want in every field that the bot sets: type, name,
// description, default_member_permissions, contexts, integration_types and
// the options, deeply. Ids, versions, localizations and Discord's defaults
// (null contexts, integration_types [0], required false) do not count.
func sameCommands(want []map[string]any, current []byte) (bool, error) {
	var got []map[string]any
	if err := decodeJSON(current, &got); err != nil {
		return false, fmt.Errorf("decode registered commands: %w", err)
	}
	a, err := canonicalCommands(want)
	if err != nil {
		return false, err
	}
	b, err := canonicalCommands(got)
	if err != nil {
		return false, err
	}
	return bytes.Equal(a, b), nil
}

// canonicalCommands renders commands in a form where equal definitions give
// equal bytes: only the fields that matter, defaults filled in, sorted by
// type and name.
func canonicalCommands(cmds []map[string]any) ([]byte, error) {
	type command struct {
		Type         int64    `json:"type"`
		Name         string   `json:"name"`
		Description  string   `json:"description"`
		Permissions  *string  `json:"default_member_permissions"`
		Contexts     []int64  `json:"contexts"`
		Integrations []int64  `json:"integration_types"`
		Options      []option `json:"options"`
	}
	out := make([]command, 0, len(cmds))
	for _, c := range cmds {
		cc := command{
			Type:         intOr(c["type"], int64(discordgo.ChatApplicationCommand)),
			Name:         str(c["name"]),
			Description:  str(c["description"]),
			Contexts:     intSet(c["contexts"], 0, 1, 2),
			Integrations: intSet(c["integration_types"], 0),
			Options:      canonicalOptions(c["options"]),
		}
		if p := c["default_member_permissions"]; p != nil {
			s := fmt.Sprint(p)
			cc.Permissions = &s
		}
		out = append(out, cc)
	}
	slices.SortFunc(out, func(a, b command) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Name, b.Name))
	})
	return json.Marshal(out)
}

// option is the canonical form of an application command option.
type option struct {
	Type         int64    `json:"type"`
	Name         string   `json:"name"`
	Description  string   `json:"description"`
	Required     bool     `json:"required"`
	Autocomplete bool     `json:"autocomplete"`
	MinLength    *string  `json:"min_length"`
	MaxLength    *string  `json:"max_length"`
	MinValue     *string  `json:"min_value"`
	MaxValue     *string  `json:"max_value"`
	ChannelTypes []int64  `json:"channel_types"`
	Choices      []choice `json:"choices"`
	Options      []option `json:"options"`
}

type choice struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// canonicalOptions keeps the options' order: Discord shows them as given.
func canonicalOptions(v any) []option {
	list, _ := v.([]any)
	var out []option
	for _, e := range list {
		o, ok := e.(map[string]any)
		if !ok {
			continue
		}
		co := option{
			Type:         intOr(o["type"], 0),
			Name:         str(o["name"]),
			Description:  str(o["description"]),
			Required:     o["required"] == true,
			Autocomplete: o["autocomplete"] == true,
			MinLength:    number(o["min_length"]),
			MaxLength:    number(o["max_length"]),
			MinValue:     number(o["min_value"]),
			MaxValue:     number(o["max_value"]),
			ChannelTypes: intSet(o["channel_types"]),
			Options:      canonicalOptions(o["options"]),
		}
		if cs, ok := o["choices"].([]any); ok {
			for _, c := range cs {
				if m, ok := c.(map[string]any); ok {
					co.Choices = append(co.Choices, choice{Name: str(m["name"]), Value: fmt.Sprint(m["value"])})
				}
			}
		}
		out = append(out, co)
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// number renders a JSON number (or a numeric string) canonically, so 5, 5.0
// and "5" compare equal; anything else is nil.
func number(v any) *string {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = string(v)
	case string:
		s = v
	default:
		return nil
	}
	if x, err := strconv.ParseFloat(s, 64); err == nil {
		s = strconv.FormatFloat(x, 'f', -1, 64)
	}
	return &s
}

func intOr(v any, def int64) int64 {
	if p := number(v); p != nil {
		if x, err := strconv.ParseInt(*p, 10, 64); err == nil {
			return x
		}
	}
	return def
}

// intSet returns the sorted integers of a JSON array, or def when v is
// absent or null.
func intSet(v any, def ...int64) []int64 {
	list, ok := v.([]any)
	if !ok {
		return def
	}
	out := make([]int64, 0, len(list))
	for _, e := range list {
		out = append(out, intOr(e, -1))
	}
	slices.Sort(out)
	return out
}
