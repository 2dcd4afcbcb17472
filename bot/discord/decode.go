package discord

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/bot"
)

// maxPermissionDigits bounds member.permissions: Discord's permission set
// is a decimal string, today about 50 bits (16 digits); 200 digits leave it
// room to grow and bound what is read.
const maxPermissionDigits = 200

// Interaction decodes an interaction from its JSON (the body of an HTTP
// interaction, the data of a gateway INTERACTION_CREATE) into discordgo's
// type and the core's request. member.permissions is kept as the decimal
// string Discord sends, however large: discordgo reads it into an int64,
// and a permission set with a bit past the 63rd failed the whole
// interaction (400 over HTTP; over the gateway it vanished), though the
// README promised it is read as a big integer. Such an interaction is
// decoded with the field left out of discordgo's copy.
func Interaction(raw []byte) (*discordgo.Interaction, bot.Request, error) {
	perms, overflow := rawPermissions(raw)
	if overflow {
		fixed, err := withoutPermissions(raw)
		if err != nil {
			return nil, bot.Request{}, err
		}
		raw = fixed
	}
	var in discordgo.Interaction
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, bot.Request{}, err
	}
	req := Request(&in)
	if perms != "" {
		req.Permissions = perms
	}
	return &in, req, nil
}

// rawPermissions returns member.permissions of an interaction's JSON when
// it is a decimal string, and whether it overflows an int64.
func rawPermissions(raw []byte) (perms string, overflow bool) {
	var p struct {
		Member *struct {
			Permissions json.RawMessage `json:"permissions"`
		} `json:"member"`
	}
	if json.Unmarshal(raw, &p) != nil || p.Member == nil {
		return "", false
	}
	var s string
	if json.Unmarshal(p.Member.Permissions, &s) != nil || s == "" || len(s) > maxPermissionDigits || strings.Trim(s, "0123456789") != "" {
		return "", false
	}
	_, err := strconv.ParseInt(s, 10, 64)
	return s, err != nil
}

// withoutPermissions returns raw with member.permissions taken out.
func withoutPermissions(raw []byte) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, err
	}
	var member map[string]json.RawMessage
	if err := json.Unmarshal(top["member"], &member); err != nil {
		return nil, fmt.Errorf("member: %w", err)
	}
	delete(member, "permissions")
	m, err := json.Marshal(member)
	if err != nil {
		return nil, err
	}
	top["member"] = m
	return json.Marshal(top)
}
