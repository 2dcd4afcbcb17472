package discordtest_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/internal/discordtest"
)

// goodResponse is a complete, valid interaction response built with discordgo's own types.
func goodResponse() *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content:         "Socialism is anarchist if you squint.",
			AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
			Embeds: []*discordgo.MessageEmbed{{
				Title:       "A Manifesto",
				Description: "Hail the singularity! Hail the mighty Glow Cloud!",
				Color:       0x7f00ff,
				Footer:      &discordgo.MessageEmbedFooter{Text: "seed 42"},
				Fields:      []*discordgo.MessageEmbedField{{Name: "topic", Value: "robots", Inline: true}},
			}},
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.Button{Label: "Another", Style: discordgo.SecondaryButton, CustomID: "again:manifesto:42"},
				discordgo.Button{Label: "Source", Style: discordgo.LinkButton, URL: "https://example.org/essay"},
			}}},
		},
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestValidateJSONAcceptsDiscordgoBodies(t *testing.T) {
	t.Parallel()
	edit := "edited"
	for _, tt := range []struct {
		name, ref string
		body      any
	}{
		{"message with embed and button", "create_interaction_response", goodResponse()},
		{"same by schema pointer", "#/components/schemas/CreateMessageInteractionCallbackRequest", goodResponse()},
		{"deferred ephemeral", "create_interaction_response", &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
		}},
		{"update message", "create_interaction_response", &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseUpdateMessage,
			Data: &discordgo.InteractionResponseData{Content: "x", AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}},
		}},
		{"pong", "create_interaction_response", &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}},
		{"edit original", "update_original_webhook_message", &discordgo.WebhookEdit{Content: &edit,
			AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}}},
		{"follow-up", "execute_webhook", &discordgo.WebhookParams{Content: "more", Flags: discordgo.MessageFlagsEphemeral}},
		{"commands", "bulk_set_application_commands", []*discordgo.ApplicationCommand{{
			Name: "manifesto", Description: "Write one", DefaultMemberPermissions: new(int64(discordgo.PermissionManageGuild)),
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "seed", Description: "Seed", MinValue: new(0.0), MaxValue: 9007199254740991},
				{Type: discordgo.ApplicationCommandOptionAttachment, Name: "file", Description: "Training text"},
			},
		}}},
		{"string for integer (spec README convention)", "#/components/schemas/Int53Type", "12345"},
		{"snowflake", "SnowflakeType", "1300000000000000001"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := discordtest.ValidateJSON(tt.ref, mustJSON(t, tt.body)); err != nil {
				t.Errorf("ValidateJSON(%s) = %v, want nil", tt.ref, err)
			}
		})
	}
}

func TestValidateJSONRejectsViolations(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 2001)
	for _, tt := range []struct {
		name, ref, body string
		want            string // substring of the error
	}{
		{"content over 2000", "create_interaction_response", `{"type":4,"data":{"content":"` + long + `"}}`, "/data/content: 2001 characters, want at most 2000"},
		{"content is a number", "create_interaction_response", `{"type":4,"data":{"content":5}}`, "/data/content: got number 5, want string or null"},
		{"missing type", "create_interaction_response", `{"data":{"content":"x"}}`, `missing required property "type"`},
		{"unknown callback type", "create_interaction_response", `{"type":3}`, "/type"},
		{"too many embeds", "create_interaction_response", `{"type":4,"data":{"embeds":[{},{},{},{},{},{},{},{},{},{},{}]}}`, "/data/embeds: 11 items, want at most 10"},
		{"embed title over 256", "create_interaction_response", `{"type":4,"data":{"embeds":[{"title":"` + strings.Repeat("t", 257) + `"}]}}`, "/data/embeds/0/title: 257 characters"},
		{"button without style", "create_interaction_response", `{"type":4,"data":{"components":[{"type":1,"components":[{"type":2,"custom_id":"a","label":"x"}]}]}}`, `missing required property "style"`},
		{"custom_id over 100", "create_interaction_response", `{"type":4,"data":{"components":[{"type":1,"components":[{"type":2,"style":1,"custom_id":"` + strings.Repeat("c", 101) + `"}]}]}}`, "custom_id: 101 characters"},
		{"six buttons in a row", "create_interaction_response", `{"type":4,"data":{"components":[{"type":1,"components":[` + strings.TrimSuffix(strings.Repeat(`{"type":2,"style":1,"custom_id":"a","label":"x"},`, 6), ",") + `]}]}}`, "6 items, want at most 5"},
		{"bad mention type", "create_interaction_response", `{"type":4,"data":{"content":"x","allowed_mentions":{"parse":["channels"]}}}`, "/data/allowed_mentions/parse/0"},
		{"edit content over 2000", "update_original_webhook_message", `{"content":"` + long + `"}`, "/content: 2001 characters"},
		{"command name too long", "bulk_set_application_commands", `[{"name":"` + strings.Repeat("n", 33) + `","description":"d"}]`, "/0/name: 33 characters, want at most 32"},
		{"26 options", "bulk_set_application_commands", `[{"name":"n","description":"d","options":[` + strings.TrimSuffix(strings.Repeat(`{"type":3,"name":"o","description":"d"},`, 26), ",") + `]}]`, "/0/options: 26 items, want at most 25"},
		{"option without description", "bulk_set_application_commands", `[{"name":"n","description":"d","options":[{"type":3,"name":"o"}]}]`, `missing required property "description"`},
		{"integer out of range", "#/components/schemas/Int53Type", `9007199254740992`, "more than the maximum"},
		{"fraction for integer", "#/components/schemas/Int53Type", `1.5`, "want integer"},
		{"non-numeric string for integer", "#/components/schemas/Int53Type", `"12a"`, "want integer"},
		{"snowflake with letters", "SnowflakeType", `"12a"`, "does not match"},
		{"not JSON", "create_interaction_response", `{"type":`, "decode JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := discordtest.ValidateJSON(tt.ref, []byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ValidateJSON(%s) = %v, want an error containing %q", tt.ref, err, tt.want)
			}
		})
	}
}

func TestValidateJSONUnknownRef(t *testing.T) {
	t.Parallel()
	for _, ref := range []string{"no_such_operation", "#/components/schemas/Nope", "NopeSchema"} {
		if err := discordtest.ValidateJSON(ref, []byte(`{}`)); err == nil {
			t.Errorf("ValidateJSON(%q) = nil, want an error", ref)
		}
	}
}

func TestSchemaErrorListsEveryProblem(t *testing.T) {
	t.Parallel()
	err := discordtest.ValidateJSON("update_original_webhook_message",
		[]byte(`{"content":"`+strings.Repeat("x", 2001)+`","embeds":[{"description":"`+strings.Repeat("d", 4097)+`"}]}`))
	var se *discordtest.SchemaError
	if !errors.As(err, &se) || len(se.Problems) != 2 {
		t.Fatalf("err = %v, want a *SchemaError with 2 problems", err)
	}
}

func TestCheckInteractionResponse(t *testing.T) {
	t.Parallel()
	none := `"allowed_mentions":{"parse":[]}`
	for _, tt := range []struct {
		name, body string
		want       string // "" = valid
	}{
		{"valid discordgo response", string(mustJSON(t, goodResponse())), ""},
		{"inline pong", `{"type":1}`, ""},
		{"deferred", `{"type":5,"data":{"flags":64}}`, ""},
		{"no allowed_mentions", `{"type":4,"data":{"content":"hi"}}`, "allowed_mentions: missing"},
		{"null parse (nil Go slice)", `{"type":4,"data":{"content":"hi","allowed_mentions":{"parse":null}}}`, "allowed_mentions/parse: null"},
		{"parse everyone", `{"type":4,"data":{"content":"hi","allowed_mentions":{"parse":["everyone"]}}}`, `allowed_mentions/parse: ["everyone"]`},
		{"allowed users", `{"type":4,"data":{"content":"hi","allowed_mentions":{"parse":[],"users":["1"]}}}`, "allowed_mentions/users"},
		{"empty message", `{"type":4,"data":{"content":"",` + none + `}}`, "empty message"},
		{"no data at all", `{"type":4}`, "empty message"},
		{"bad flags", `{"type":4,"data":{"content":"x","flags":2,` + none + `}}`, "/data/flags"},
		{"deferred with content", `{"type":5,"data":{"content":"x"}}`, "Discord ignores content"},
		{"duplicate custom_id", `{"type":4,"data":{"content":"x",` + none + `,"components":[{"type":1,"components":[{"type":2,"style":1,"custom_id":"a","label":"1"},{"type":2,"style":1,"custom_id":"a","label":"2"}]}]}}`, `custom_id "a" is also used`},
		{"link button with custom_id", `{"type":4,"data":{"content":"x",` + none + `,"components":[{"type":1,"components":[{"type":2,"style":5,"custom_id":"a","url":"https://x.org","label":"1"}]}]}}`, "link button"},
		{"button without label", `{"type":4,"data":{"content":"x",` + none + `,"components":[{"type":1,"components":[{"type":2,"style":1,"custom_id":"a"}]}]}}`, "label or an emoji"},
		{"six action rows", `{"type":4,"data":{"content":"x",` + none + `,"components":[` + strings.TrimSuffix(strings.Repeat(`{"type":1,"components":[{"type":2,"style":5,"url":"https://x.org","label":"1"}]},`, 6), ",") + `]}}`, "6 action rows"},
		{"embeds over 6000", `{"type":4,"data":{` + none + `,"embeds":[{"description":"` + strings.Repeat("d", 4000) + `"},{"description":"` + strings.Repeat("d", 2001) + `"}]}}`, "6001 characters across embeds"},
		{"content over 2000 (schema)", `{"type":4,"data":{"content":"` + strings.Repeat("a", 2001) + `",` + none + `}}`, "2001 characters"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := discordtest.CheckInteractionResponse([]byte(tt.body))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckInteractionResponse = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("CheckInteractionResponse = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestCheckWebhookEditAndFollowup(t *testing.T) {
	t.Parallel()
	if err := discordtest.CheckWebhookEdit([]byte(`{"content":"done","allowed_mentions":{"parse":[]}}`)); err != nil {
		t.Errorf("valid edit: %v", err)
	}
	if err := discordtest.CheckWebhookEdit([]byte(`{"components":[]}`)); err != nil {
		t.Errorf("removing components needs no allowed_mentions: %v", err)
	}
	if err := discordtest.CheckWebhookEdit([]byte(`{"content":"done"}`)); err == nil {
		t.Error("edit without allowed_mentions accepted")
	}
	if err := discordtest.CheckWebhookEdit([]byte(`{"content":"done","flags":64,"allowed_mentions":{"parse":[]}}`)); err == nil {
		t.Error("edit setting EPHEMERAL accepted")
	}
	if err := discordtest.CheckFollowup([]byte(`{"content":"","allowed_mentions":{"parse":[]}}`)); err == nil {
		t.Error("empty follow-up accepted")
	}
	if err := discordtest.CheckFollowup([]byte(`{"content":"more","flags":64,"allowed_mentions":{"parse":[]}}`)); err != nil {
		t.Errorf("valid follow-up: %v", err)
	}
}

func TestCheckCommands(t *testing.T) {
	t.Parallel()
	opt := func(name string, required bool) string {
		return `{"type":3,"name":"` + name + `","description":"d","required":` + map[bool]string{true: "true", false: "false"}[required] + `}`
	}
	for _, tt := range []struct {
		name, body string
		want       string
	}{
		{"valid", `[{"name":"squint","description":"Squint","options":[` + opt("thing", true) + `]},{"name":"Glow Cloud","type":3}]`, ""},
		{"unicode name", `[{"name":"манифест","description":"d"},{"name":"घोषणा","description":"d"}]`, ""},
		{"upper case", `[{"name":"Squint","description":"d"}]`, "must be lower case"},
		{"space in name", `[{"name":"glow cloud","description":"d"}]`, "does not match"},
		{"empty description", `[{"name":"squint","description":""}]`, "want 1-100"},
		{"missing description", `[{"name":"squint"}]`, "want 1-100"},
		{"description on a user command", `[{"name":"Squint at","type":2,"description":"d"}]`, "must be empty"},
		{"required after optional", `[{"name":"x","description":"d","options":[` + opt("a", false) + `,` + opt("b", true) + `]}]`, "required options must come before"},
		{"duplicate option", `[{"name":"x","description":"d","options":[` + opt("a", false) + `,` + opt("a", false) + `]}]`, "used twice"},
		{"duplicate command", `[{"name":"x","description":"d"},{"name":"x","description":"e"}]`, "duplicates command 0"},
		{"choices with autocomplete", `[{"name":"x","description":"d","options":[{"type":3,"name":"a","description":"d","autocomplete":true,"choices":[{"name":"n","value":"v"}]}]}]`, "cannot both be set"},
		{"choice value type", `[{"name":"x","description":"d","options":[{"type":4,"name":"a","description":"d","choices":[{"name":"n","value":"v"}]}]}]`, `value: got string "v", want integer`},
		{"min above max", `[{"name":"x","description":"d","options":[{"type":4,"name":"a","description":"d","min_value":5,"max_value":1}]}]`, "min_value 5 is more than max_value 1"},
		{"mixed subcommands", `[{"name":"x","description":"d","options":[{"type":1,"name":"s","description":"d"},` + opt("a", false) + `]}]`, "cannot be mixed"},
		{"over 8000 chars", `[{"name":"x","description":"d","options":[` + strings.TrimSuffix(strings.Repeat(`{"type":3,"name":"o","description":"`+strings.Repeat("d", 100)+`","choices":[`+strings.TrimSuffix(strings.Repeat(`{"name":"`+strings.Repeat("n", 100)+`","value":"`+strings.Repeat("v", 100)+`"},`, 25), ",")+`]},`, 2), ",") + `]}]`, "want at most 8000"},
		{"schema still applies", `[{"name":"x","description":"d","options":[{"type":3,"name":"a"}]}]`, `missing required property "description"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := discordtest.CheckCommands([]byte(tt.body))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckCommands = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("CheckCommands = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func BenchmarkValidateInteractionResponse(b *testing.B) {
	body := mustJSON(b, goodResponse())
	if err := discordtest.CheckInteractionResponse(body); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := discordtest.CheckInteractionResponse(body); err != nil {
			b.Fatal(err)
		}
	}
}
