package discord_test

import (
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/bot/discord"
)

// TestInteractionPermissions: member.permissions is passed on as Discord
// sent it, an int64 or larger; what is not a decimal string is dropped.
func TestInteractionPermissions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ perms, want string }{
		{`"32"`, "32"},
		{`"9223372036854775807"`, "9223372036854775807"},
		{`"18446744073709551648"`, "18446744073709551648"},
		{`"` + strings.Repeat("9", 150) + `"`, strings.Repeat("9", 150)},
		{`"-1"`, ""},
		{`"0x20"`, ""},
		{`32`, ""},
	} {
		raw := `{"type":2,"id":"1","token":"t","guild_id":"2","member":{"user":{"id":"3"},"permissions":` + tt.perms + `},"data":{"id":"4","name":"proclaim","type":1}}`
		_, req, err := discord.Interaction([]byte(raw))
		if tt.want != "" && err != nil {
			t.Errorf("permissions %s: %v", tt.perms, err)
			continue
		}
		if err == nil && (req.Permissions != tt.want || req.Command != "proclaim" || req.UserID != "3") {
			t.Errorf("permissions %s: request %+v, want permissions %q", tt.perms, req, tt.want)
		}
	}
}

func FuzzInteraction(f *testing.F) {
	f.Add([]byte(`{"type":2,"member":{"permissions":"18446744073709551648"},"data":{"name":"proclaim"}}`))
	f.Add([]byte(`{"type":1}`))
	f.Add([]byte(`{"type":3,"data":{"custom_id":"gc1|g","component_type":2}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, req, err := discord.Interaction(raw)
		if err == nil && strings.Trim(req.Permissions, "0123456789") != "" {
			t.Errorf("permissions %q are not a decimal number", req.Permissions)
		}
	})
}

// TestInteractionContext: a DM with the bot (context 1) is a BotDM; a
// group DM (2) and a server (0) are not; a button's custom_id comes
// through.
func TestInteractionContext(t *testing.T) {
	t.Parallel()
	for ctx, want := range map[string]bool{`1`: true, `2`: false, `0`: false} {
		raw := `{"type":3,"id":"1","token":"t","context":` + ctx + `,"channel_id":"5","user":{"id":"3"},"data":{"component_type":2,"custom_id":"gc1|q"}}`
		_, req, err := discord.Interaction([]byte(raw))
		if err != nil || req.BotDM != want || req.CustomID != "gc1|q" || req.UserID != "3" {
			t.Errorf("context %s: %+v, %v; want BotDM %v", ctx, req, err, want)
		}
	}
}
