package discord_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/internal/discordtest"
)

func assertNoMentions(t *testing.T, am *discordgo.MessageAllowedMentions) {
	t.Helper()
	if am == nil || am.Parse == nil || len(am.Parse) != 0 || len(am.Users) != 0 || len(am.Roles) != 0 {
		t.Errorf("allowed_mentions = %+v, want parse []", am)
	}
}

func decodeInteraction(t testing.TB, raw string) *discordgo.Interaction {
	t.Helper()
	var i discordgo.Interaction
	if err := json.Unmarshal([]byte(raw), &i); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return &i
}

func TestRequest(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		raw  string
		want bot.Request
	}{
		{"guild command", `{"id":"I1","application_id":"A","type":2,"token":"T","guild_id":"G","channel_id":"C","locale":"en-GB",
			"member":{"user":{"id":"U"}},"data":{"id":"CMD","name":"manifesto","type":1,
			"options":[{"name":"topic","type":3,"value":"robots"},{"name":"paragraphs","type":4,"value":2},{"name":"seed","type":4,"value":9007199254740991}]}}`,
			bot.Request{Kind: bot.KindCommand, ID: "I1", Token: "T", AppID: "A", GuildID: "G", ChannelID: "C", Locale: "en-GB", UserID: "U",
				Command: "manifesto", Options: map[string]any{"topic": "robots", "paragraphs": float64(2), "seed": float64(9007199254740991)}}},
		{"DM command", `{"id":"I2","type":2,"user":{"id":"DMU"},"data":{"name":"glowcloud","type":1}}`,
			bot.Request{Kind: bot.KindCommand, ID: "I2", UserID: "DMU", Command: "glowcloud"}},
		{"command with attachment", `{"id":"I3","type":2,"member":{"user":{"id":"U"}},"data":{"name":"retrain","type":1,
			"options":[{"name":"scripture","type":11,"value":"AT1"}],
			"resolved":{"attachments":{"AT1":{"id":"AT1","filename":"essay.txt","content_type":"text/plain","size":1234,"url":"https://cdn.example/essay.txt"}}}}}`,
			bot.Request{Kind: bot.KindCommand, ID: "I3", UserID: "U", Command: "retrain", Options: map[string]any{"scripture": "AT1"},
				Attachments: map[string]bot.Attachment{"AT1": {ID: "AT1", Filename: "essay.txt", ContentType: "text/plain", Size: 1234, URL: "https://cdn.example/essay.txt"}}}},
		{"button", `{"id":"I4","type":3,"member":{"user":{"id":"U"}},"message":{"id":"M"},"data":{"custom_id":"gc1|g","component_type":2}}`,
			bot.Request{Kind: bot.KindComponent, ID: "I4", UserID: "U", CustomID: "gc1|g"}},
		{"ping", `{"id":"I5","type":1}`, bot.Request{Kind: bot.KindPing, ID: "I5"}},
		{"autocomplete", `{"id":"I6","type":4,"data":{"name":"manifesto","type":1,"options":[{"name":"topic","type":3,"value":"ro","focused":true}]}}`,
			bot.Request{Kind: bot.KindAutocomplete, ID: "I6", Command: "manifesto", Focused: "topic", Options: map[string]any{"topic": "ro"}}},
		{"autocomplete of a subcommand's option", `{"id":"I11","type":4,"guild_id":"G","member":{"user":{"id":"U"},"permissions":"32"},"data":{"name":"scripture","type":1,
			"options":[{"name":"remove","type":1,"options":[{"name":"name","type":3,"value":"lo","focused":true}]}]}}`,
			bot.Request{Kind: bot.KindAutocomplete, ID: "I11", GuildID: "G", UserID: "U", Permissions: "32", Command: "scripture", Subcommand: "remove", Focused: "name", Options: map[string]any{"name": "lo"}}},
		{"modal submit", `{"id":"I7","type":5,"data":{"custom_id":"x","components":[]}}`, bot.Request{Kind: bot.KindUnknown, ID: "I7"}},
		{"user context menu", `{"id":"I8","type":2,"data":{"name":"squint","type":2,"target_id":"U9"}}`, bot.Request{Kind: bot.KindUnknown, ID: "I8"}},
		{"unknown type", `{"id":"I9","type":42,"data":{"whatever":1}}`, bot.Request{Kind: bot.KindUnknown, ID: "I9"}},
		{"null option", `{"id":"I10","type":2,"data":{"name":"squint","options":[null,{"name":"thing","type":3,"value":"x"}]}}`,
			bot.Request{Kind: bot.KindCommand, ID: "I10", Command: "squint", Options: map[string]any{"thing": "x"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := discord.Request(decodeInteraction(t, tt.raw))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
	t.Run("nil", func(t *testing.T) {
		t.Parallel()
		if got := discord.Request(nil); !reflect.DeepEqual(got, bot.Request{}) {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("data of the wrong type never panics", func(t *testing.T) {
		t.Parallel()
		for _, i := range []*discordgo.Interaction{
			{Type: discordgo.InteractionApplicationCommand},
			{Type: discordgo.InteractionApplicationCommand, Data: discordgo.MessageComponentInteractionData{CustomID: "x"}},
			{Type: discordgo.InteractionMessageComponent, Data: discordgo.ApplicationCommandInteractionData{Name: "x"}},
			{Type: discordgo.InteractionMessageComponent},
		} {
			if got := discord.Request(i); got.Kind != bot.KindUnknown {
				t.Errorf("%+v: Kind = %v", i, got.Kind)
			}
		}
	})
}

func TestResponse(t *testing.T) {
	t.Parallel()
	b := bottest.NewBot(bot.Config{})
	for _, tt := range []struct {
		name     string
		reply    bot.Reply
		wantType discordgo.InteractionResponseType
		want     string // JSON fragment
	}{
		{"manifesto", b.Handle(t.Context(), bottest.Command("manifesto", map[string]any{"topic": "robots", "seed": float64(12345)})), 4,
			`"embeds":[{"title":"Manifesto of robots","description":"seed=12345 topic=robots paragraphs=3. Hail the singularity! Hail the mighty Glow Cloud!","color":`},
		{"button", b.Handle(t.Context(), bottest.Command("glowcloud", nil)), 4,
			`"components":[{"components":[{"label":"Hail again","style":1,"disabled":false,"emoji":{"name":"🔁"},"custom_id":"gc1|g","type":2}],"type":1}]`},
		{"share", bottest.NewBot(bot.Config{PublicURL: "https://glow.example"}).Handle(t.Context(), bottest.Command("glowcloud", nil)), 4,
			`{"label":"Share","style":5,"disabled":false,"url":"https://glow.example/m/`},
		{"error", b.Handle(t.Context(), bottest.Command("nope", nil)), 4, `"embeds":[],"allowed_mentions":{"parse":[],"replied_user":false},"flags":64`},
		{"update", bot.Reply{Content: "hi", Update: true}, 7, `"content":"hi","components":[],"embeds":[]`},
		{"empty", bot.Reply{}, 4, `"content":"The Glow Cloud has nothing to say."`},
		{"mentions", bot.Reply{Content: "@everyone <@1> <@&2> @here"}, 4, "\"content\":\"@\u200beveryone \\u003c@1\\u003e \\u003c@\\u00262\\u003e @\u200bhere\""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := discord.Response(tt.reply)
			if resp.Type != tt.wantType {
				t.Errorf("type = %d, want %d", resp.Type, tt.wantType)
			}
			assertNoMentions(t, resp.Data.AllowedMentions)
			body, err := json.Marshal(resp)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(body), tt.want) {
				t.Errorf("body %s\nlacks %s", body, tt.want)
			}
			if !strings.Contains(string(body), `"allowed_mentions":{"parse":[],`) {
				t.Errorf("body %s lacks allowed_mentions parse []", body)
			}
			if err := discordtest.CheckInteractionResponse(body); err != nil {
				t.Errorf("invalid interaction response %s: %v", body, err)
			}

			edit := discord.WebhookEdit(tt.reply)
			assertNoMentions(t, edit.AllowedMentions)
			ebody, err := json.Marshal(edit)
			if err != nil {
				t.Fatal(err)
			}
			if err := discordtest.CheckWebhookEdit(ebody); err != nil {
				t.Errorf("invalid webhook edit %s: %v", ebody, err)
			}
		})
	}
}

func TestDeferred(t *testing.T) {
	t.Parallel()
	for _, eph := range []bool{false, true} {
		resp := discord.Deferred(eph)
		if resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
			t.Errorf("type = %d, want 5", resp.Type)
		}
		if got := resp.Data.Flags&discordgo.MessageFlagsEphemeral != 0; got != eph {
			t.Errorf("ephemeral flag = %v, want %v", got, eph)
		}
		assertNoMentions(t, resp.Data.AllowedMentions)
		body, _ := json.Marshal(resp)
		if err := discordtest.CheckInteractionResponse(body); err != nil {
			t.Errorf("invalid deferred response %s: %v", body, err)
		}
	}
}

func TestLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logf := discord.Logger(slog.New(slog.NewTextHandler(&buf, nil)))
	logf(discordgo.LogWarning, 2, "error reading from gateway %s websocket, %s\n", "ws://x", "close 4000")
	logf(discordgo.LogDebug, 2, "not shown")
	got := buf.String()
	for _, want := range []string{"level=WARN", "component=discordgo", `msg="error reading from gateway ws://x websocket, close 4000"`} {
		if !strings.Contains(got, want) {
			t.Errorf("log %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "not shown") {
		t.Errorf("debug message logged at the default level: %q", got)
	}
}

func ExampleApplicationCommands() {
	for _, c := range discord.ApplicationCommands(bot.Commands(true, true), "") {
		fmt.Printf("/%s", c.Name)
		for _, o := range c.Options {
			fmt.Printf(" %s:%s", o.Name, strings.ToLower(o.Type.String()))
		}
		fmt.Println()
	}
	// Output:
	// /squint thing:string
	// /glowcloud
	// /manifesto topic:string paragraphs:integer seed:integer
	// /quiz action:string
	// /proclaim start:subcommand stop:subcommand list:subcommand
	// /hush for:string
	// /scripture add:subcommand list:subcommand remove:subcommand forget:subcommand blend:subcommand
	// /retrain scripture:attachment apocrypha:attachment pamphlet:attachment
}
