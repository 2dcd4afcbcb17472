package register

import (
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
	"github.com/glowcloud/glowcloud/internal/discordtest"
)

// CommandSet is what serve registers: the core's definitions, converted.
func CommandSet(guildID string, retrain bool) []*discordgo.ApplicationCommand {
	return CommandSetWith(guildID, retrain, false)
}

// CommandSetWith is CommandSet with /scripture when scripture is set.
func CommandSetWith(guildID string, retrain, scripture bool) []*discordgo.ApplicationCommand {
	return discord.ApplicationCommands(bot.Commands(retrain, scripture), guildID)
}

func payloadJSON(t *testing.T, cmds []*discordgo.ApplicationCommand) []byte {
	t.Helper()
	p, err := commandsPayload(cmds)
	if err != nil {
		t.Fatalf("commandsPayload: %v", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCommandSetValidates(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		guildID   string
		retrain   bool
		scripture bool
		want      []string
	}{
		{"global", "", false, false, []string{"squint", "glowcloud", "manifesto", "quiz", "proclaim", "hush"}},
		{"global with retrain", "", true, false, []string{"squint", "glowcloud", "manifesto", "quiz", "proclaim", "hush", "retrain"}},
		{"global with scripture", "", false, true, []string{"squint", "glowcloud", "manifesto", "quiz", "proclaim", "hush", "scripture"}},
		{"guild", "42", false, false, []string{"squint", "glowcloud", "manifesto", "quiz", "proclaim", "hush"}},
		{"guild with retrain and scripture", "42", true, true, []string{"squint", "glowcloud", "manifesto", "quiz", "proclaim", "hush", "scripture", "retrain"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmds := CommandSetWith(tt.guildID, tt.retrain, tt.scripture)
			var names []string
			for _, c := range cmds {
				names = append(names, c.Name)
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("names = %v, want %v", names, tt.want)
			}
			body := payloadJSON(t, cmds)
			if err := discordtest.CheckCommands(body); err != nil {
				t.Errorf("payload does not validate: %v\n%s", err, body)
			}
			if strings.Contains(string(body), "null") {
				t.Errorf("payload has a null: %s", body)
			}
			for _, c := range cmds {
				global := tt.guildID == ""
				if (c.Contexts != nil) != global || (c.IntegrationTypes != nil) != global {
					t.Errorf("%s: contexts %v, integration_types %v; want them set only globally", c.Name, c.Contexts, c.IntegrationTypes)
				}
			}
		})
	}
}

func TestCommandDefinitions(t *testing.T) {
	t.Parallel()
	byName := map[string]*discordgo.ApplicationCommand{}
	for _, c := range CommandSet("", true) {
		byName[c.Name] = c
	}
	opt := func(cmd, name string) *discordgo.ApplicationCommandOption {
		t.Helper()
		for _, o := range byName[cmd].Options {
			if o.Name == name {
				return o
			}
		}
		t.Fatalf("/%s has no option %q", cmd, name)
		return nil
	}

	thing := opt("squint", "thing")
	if thing.Type != discordgo.ApplicationCommandOptionString || !thing.Required || thing.MinLength == nil || *thing.MinLength != 1 || thing.MaxLength != 100 {
		t.Errorf("/squint thing = %+v, want a required string of 1..100", thing)
	}
	if n := len(byName["glowcloud"].Options); n != 0 {
		t.Errorf("/glowcloud has %d options, want none", n)
	}
	topic := opt("manifesto", "topic")
	if topic.Type != discordgo.ApplicationCommandOptionString || topic.Required || topic.MaxLength != 50 {
		t.Errorf("/manifesto topic = %+v, want an optional string of at most 50", topic)
	}
	paras := opt("manifesto", "paragraphs")
	if paras.Type != discordgo.ApplicationCommandOptionInteger || paras.Required || paras.MinValue == nil || *paras.MinValue != 1 || paras.MaxValue != 5 {
		t.Errorf("/manifesto paragraphs = %+v, want an optional integer 1..5", paras)
	}
	seed := opt("manifesto", "seed")
	if seed.Type != discordgo.ApplicationCommandOptionInteger || seed.Required || seed.MinValue == nil || *seed.MinValue != 0 || seed.MaxValue != 1<<53-1 {
		t.Errorf("/manifesto seed = %+v, want an optional integer 0..2^53-1", seed)
	}
	for _, name := range []string{"squint", "glowcloud", "manifesto"} {
		c := byName[name]
		if c.DefaultMemberPermissions != nil {
			t.Errorf("/%s has default_member_permissions %d, want everyone", name, *c.DefaultMemberPermissions)
		}
		if !slices.Equal(*c.Contexts, []discordgo.InteractionContextType{0, 1, 2}) || !slices.Equal(*c.IntegrationTypes, []discordgo.ApplicationIntegrationType{0, 1}) {
			t.Errorf("/%s contexts %v, integration types %v; want [0 1 2] and [0 1]", name, *c.Contexts, *c.IntegrationTypes)
		}
	}
	rt := byName["retrain"]
	if rt.DefaultMemberPermissions == nil || *rt.DefaultMemberPermissions != 0 || !slices.Equal(*rt.Contexts, []discordgo.InteractionContextType{0}) {
		t.Errorf("/retrain: permissions %v, contexts %v; want admins only (0) in guilds only", rt.DefaultMemberPermissions, rt.Contexts)
	}
	if len(rt.Options) == 0 || rt.Options[0].Name != "scripture" {
		t.Errorf("/retrain options %v, want scripture first", rt.Options)
	}
	for _, o := range rt.Options {
		if o.Type != discordgo.ApplicationCommandOptionAttachment || o.Required {
			t.Errorf("/retrain %s = %+v, want an optional attachment", o.Name, o)
		}
	}
	// default_member_permissions goes out as the string Discord documents.
	if body := payloadJSON(t, []*discordgo.ApplicationCommand{rt}); !strings.Contains(string(body), `"default_member_permissions":"0"`) {
		t.Errorf("retrain payload %s, want default_member_permissions 0", body)
	}
}

// echo returns the commands as Discord would return them from a GET: ids,
// versions, nulls stripped, integration_types defaulted, permissions as a
// string, contexts null where unset.
func echo(t *testing.T, cmds []*discordgo.ApplicationCommand, guild bool) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal(payloadJSON(t, cmds), &out); err != nil {
		t.Fatal(err)
	}
	for i, c := range out {
		c["id"] = "10" + string(rune('0'+i))
		c["application_id"] = "7"
		c["version"] = "99"
		c["nsfw"] = false
		c["dm_permission"] = true
		c["name_localizations"] = nil
		if _, ok := c["default_member_permissions"]; !ok {
			c["default_member_permissions"] = nil
		}
		if _, ok := c["integration_types"]; !ok {
			c["integration_types"] = []any{0}
		}
		if _, ok := c["contexts"]; !ok {
			c["contexts"] = nil
		}
		if guild {
			c["guild_id"] = "42"
		}
		if opts, ok := c["options"].([]any); ok {
			for _, o := range opts {
				o.(map[string]any)["description_localizations"] = nil
			}
		}
	}
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSameCommands(t *testing.T) {
	t.Parallel()
	changed := func(f func(cmds []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand {
		return f(CommandSet("", true))
	}
	for _, tt := range []struct {
		name    string
		current []map[string]any
		want    bool
	}{
		{"discord's echo of the same", echo(t, CommandSet("", true), false), true},
		{"guild echo of the same guild set", nil, true},
		{"reordered", echo(t, changed(func(c []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand {
			slices.Reverse(c)
			return c
		}), false), true},
		{"none registered", []map[string]any{}, false},
		{"one missing", echo(t, CommandSet("", false), false), false},
		{"description changed", echo(t, changed(func(c []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand {
			c[1].Description = "Something else."
			return c
		}), false), false},
		{"option bound changed", echo(t, changed(func(c []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand {
			c[2].Options[1].MaxValue = 6
			return c
		}), false), false},
		{"option made required", echo(t, changed(func(c []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand {
			c[2].Options[0].Required = true
			return c
		}), false), false},
		{"options reordered", echo(t, changed(func(c []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand {
			slices.Reverse(c[2].Options)
			return c
		}), false), false},
		{"permissions dropped", echo(t, changed(func(c []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand {
			c[4].DefaultMemberPermissions = nil // /proclaim
			return c
		}), false), false},
		{"contexts narrowed", echo(t, changed(func(c []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand {
			c[0].Contexts = &[]discordgo.InteractionContextType{0}
			return c
		}), false), false},
		{"user install dropped", echo(t, changed(func(c []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand {
			c[0].IntegrationTypes = nil
			return c
		}), false), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := CommandSet("", true)
			current := tt.current
			if current == nil { // the guild case
				want = CommandSet("42", true)
				current = echo(t, want, true)
			}
			p, err := commandsPayload(want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := sameCommands(p, mustJSON(t, current))
			if err != nil {
				t.Fatalf("sameCommands: %v", err)
			}
			if got != tt.want {
				t.Errorf("sameCommands = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRegisterCommands(t *testing.T) {
	t.Parallel()
	for _, guild := range []string{"", discordtest.DefaultGuildID} {
		t.Run("guild="+guild, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t, discordtest.WithToken("tok"))
			s, err := discordgo.New("Bot tok")
			if err != nil {
				t.Fatal(err)
			}
			s.Client = fake.Client()
			log := slog.New(slog.DiscardHandler)
			ctx := t.Context()

			steps := []struct {
				name    string
				cmds    []*discordgo.ApplicationCommand
				wantPut bool
			}{
				{"first start", CommandSet(guild, false), true},
				{"same again", CommandSet(guild, false), false},
				{"retrain added", CommandSet(guild, true), true},
				{"same again", CommandSet(guild, true), false},
				{"description changed", func() []*discordgo.ApplicationCommand {
					c := CommandSet(guild, true)
					c[0].Description = "Squint harder."
					return c
				}(), true},
			}
			for i, st := range steps {
				put, err := registerCommands(ctx, s, fake.AppID(), guild, st.cmds, log)
				if err != nil {
					t.Fatalf("step %d (%s): %v", i, st.name, err)
				}
				if put != st.wantPut {
					t.Errorf("step %d (%s): put = %v, want %v", i, st.name, put, st.wantPut)
				}
				stored := fake.Commands(guild)
				if len(stored) != len(st.cmds) {
					t.Errorf("step %d (%s): fake has %d commands, want %d", i, st.name, len(stored), len(st.cmds))
				}
			}
			if got := fake.CommandPuts(); got != 3 {
				t.Errorf("CommandPuts = %d, want 3", got)
			}
			if other := map[string]string{"": discordtest.DefaultGuildID, discordtest.DefaultGuildID: ""}[guild]; len(fake.Commands(other)) != 0 {
				t.Errorf("commands registered in the wrong scope %q", other)
			}
		})
	}
}

func BenchmarkSameCommands(b *testing.B) {
	want, err := commandsPayload(CommandSet("", true))
	if err != nil {
		b.Fatal(err)
	}
	current, err := json.Marshal(want)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if same, err := sameCommands(want, current); err != nil || !same {
			b.Fatalf("sameCommands = %v, %v", same, err)
		}
	}
}

// TestAdminCommandDefinitions: /proclaim and /hush are for server admins
// (default_member_permissions "32", Manage Server), in guilds only, for guild
// installs, with /proclaim's subcommands and their typed options, and the
// payload validates against Discord's spec.
func TestAdminCommandDefinitions(t *testing.T) {
	t.Parallel()
	body := payloadJSON(t, CommandSet("", false))
	var cmds []map[string]any
	if err := json.Unmarshal(body, &cmds); err != nil {
		t.Fatal(err)
	}
	byName := map[string]map[string]any{}
	for _, c := range cmds {
		byName[c["name"].(string)] = c
	}
	for _, name := range []string{"proclaim", "hush"} {
		c := byName[name]
		if c == nil {
			t.Fatalf("/%s is not registered", name)
		}
		if c["default_member_permissions"] != "32" {
			t.Errorf("/%s default_member_permissions = %v, want \"32\"", name, c["default_member_permissions"])
		}
		if got, _ := json.Marshal([]any{c["contexts"], c["integration_types"]}); string(got) != "[[0],[0]]" {
			t.Errorf("/%s contexts, integration_types = %s, want [0] and [0]", name, got)
		}
	}
	if m := byName["manifesto"]; m["default_member_permissions"] != nil {
		t.Errorf("/manifesto has default_member_permissions %v, want none", m["default_member_permissions"])
	}
	got, _ := json.Marshal(byName["proclaim"]["options"])
	for _, want := range []string{
		`"name":"start","options":[{`,
		`"name":"every","required":true,"type":3}`,
		`{"channel_types":[0,5],"description":"The channel (default: this one).","name":"channel","required":false,"type":7}`,
		`{"choices":[{"name":"glowcloud","value":"glowcloud"},{"name":"manifesto","value":"manifesto"}],"description":"What to post (default: glowcloud).","name":"kind","required":false,"type":3}`,
		`"name":"stop","options":[{"channel_types":[0,5]`,
		`"name":"list","required":false,"type":1}`,
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("/proclaim options lack %s:\n%s", want, got)
		}
	}
}
