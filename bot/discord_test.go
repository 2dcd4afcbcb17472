package bot_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/bot"
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

func TestRequestFromInteraction(t *testing.T) {
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
			bot.Request{Kind: bot.KindUnknown, ID: "I6"}},
		{"modal submit", `{"id":"I7","type":5,"data":{"custom_id":"x","components":[]}}`, bot.Request{Kind: bot.KindUnknown, ID: "I7"}},
		{"user context menu", `{"id":"I8","type":2,"data":{"name":"squint","type":2,"target_id":"U9"}}`, bot.Request{Kind: bot.KindUnknown, ID: "I8"}},
		{"unknown type", `{"id":"I9","type":42,"data":{"whatever":1}}`, bot.Request{Kind: bot.KindUnknown, ID: "I9"}},
		{"null option", `{"id":"I10","type":2,"data":{"name":"squint","options":[null,{"name":"thing","type":3,"value":"x"}]}}`,
			bot.Request{Kind: bot.KindCommand, ID: "I10", Command: "squint", Options: map[string]any{"thing": "x"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := bot.RequestFromInteraction(decodeInteraction(t, tt.raw))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
	t.Run("nil", func(t *testing.T) {
		t.Parallel()
		if got := bot.RequestFromInteraction(nil); !reflect.DeepEqual(got, bot.Request{}) {
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
			if got := bot.RequestFromInteraction(i); got.Kind != bot.KindUnknown {
				t.Errorf("%+v: Kind = %v", i, got.Kind)
			}
		}
	})
}

func TestResponseFromReply(t *testing.T) {
	t.Parallel()
	b := newCoreBot(bot.Config{})
	for _, tt := range []struct {
		name     string
		reply    bot.Reply
		wantType discordgo.InteractionResponseType
		want     string // JSON fragment
	}{
		{"manifesto", b.Handle(t.Context(), cmd("manifesto", map[string]any{"topic": "robots", "seed": float64(12345)})), 4,
			`"embeds":[{"title":"Manifesto of robots","description":"seed=12345 topic=robots paragraphs=3. Hail the singularity! Hail the mighty Glow Cloud!","color":`},
		{"button", b.Handle(t.Context(), cmd("glowcloud", nil)), 4,
			`"components":[{"components":[{"label":"Hail again","style":1,"disabled":false,"emoji":{"name":"🔁"},"custom_id":"gc1|g","type":2}],"type":1}]`},
		{"error", b.Handle(t.Context(), cmd("nope", nil)), 4, `"embeds":[],"allowed_mentions":{"parse":[],"replied_user":false},"flags":64`},
		{"update", bot.Reply{Content: "hi", Update: true}, 7, `"content":"hi","components":[],"embeds":[]`},
		{"empty", bot.Reply{}, 4, `"content":"The Glow Cloud has nothing to say."`},
		{"mentions", bot.Reply{Content: "@everyone <@1> <@&2> @here"}, 4, "\"content\":\"@\u200beveryone \\u003c@1\\u003e \\u003c@\\u00262\\u003e @\u200bhere\""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := bot.ResponseFromReply(tt.reply)
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

			edit := bot.WebhookEditFromReply(tt.reply)
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

func TestDeferredResponse(t *testing.T) {
	t.Parallel()
	for _, eph := range []bool{false, true} {
		resp := bot.DeferredResponse(eph)
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

func TestLimitReply(t *testing.T) {
	t.Parallel()
	id100 := strings.Repeat("i", 100)
	in := bot.Reply{
		Content: strings.Repeat("é", 2500),
		Embeds: []bot.Embed{
			{Title: strings.Repeat("T", 300), Description: strings.Repeat("😀", 3000), Footer: strings.Repeat("f", 3000), Color: -5},
			{}, // empty: dropped
			{Title: "second", Description: strings.Repeat("d", 4096), Color: 1 << 30},
		},
		Buttons: []bot.Button{
			{Label: strings.Repeat("L", 100), CustomID: id100},
			{Label: "too long id", CustomID: id100 + "x"},
			{Label: "no id"},
			{CustomID: "b3"},
			{CustomID: "b4", Emoji: strings.Repeat("🔁", 20)},
			{CustomID: "b5"}, {CustomID: "b6"}, {CustomID: "b7"},
		},
	}
	got := bot.LimitReply(in)
	if err := checkLimits(got); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(got.Content, "…") || len([]rune(got.Content)) != 2000 {
		t.Errorf("content: %d runes, suffix %q", len([]rune(got.Content)), got.Content[len(got.Content)-3:])
	}
	if len(got.Embeds) != 2 || got.Embeds[1].Title != "second" {
		t.Fatalf("embeds = %d (%+v)", len(got.Embeds), got.Embeds)
	}
	if c := got.Embeds[0].Color; c != 0 {
		t.Errorf("negative colour became %x", c)
	}
	if c := got.Embeds[1].Color; c != 0xFFFFFF {
		t.Errorf("big colour became %x", c)
	}
	// The total of 6000 is reached by cutting descriptions from the last.
	if d := got.Embeds[1].Description; d != "" {
		t.Errorf("second description kept %d bytes", len(d))
	}
	if d := got.Embeds[0].Description; len([]rune(d)) != 1845 || !strings.HasSuffix(d, "😀…") {
		t.Errorf("first description: %d runes", len([]rune(d)))
	}
	// A 😀 is two UTF-16 units: 4096 units hold 2047 of them and the "…".
	one := bot.LimitReply(bot.Reply{Embeds: []bot.Embed{{Description: strings.Repeat("😀", 3000)}}})
	if d := one.Embeds[0].Description; len([]rune(d)) != 2048 || !strings.HasSuffix(d, "😀…") {
		t.Errorf("description: %d runes", len([]rune(d)))
	}
	var ids []string
	for _, b := range got.Buttons {
		ids = append(ids, b.CustomID)
	}
	if want := []string{id100, "b3", "b4", "b5", "b6"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("button ids = %q, want %q", ids, want)
	}
	if got.Buttons[2].Emoji != "" || got.Buttons[2].Label != bot.HailAgainLabel {
		t.Errorf("button with an overlong emoji = %+v", got.Buttons[2])
	}
	if again := bot.LimitReply(got); !reflect.DeepEqual(again, got) {
		t.Errorf("LimitReply is not idempotent")
	}
	if len(in.Embeds[0].Title) != 300 {
		t.Errorf("LimitReply changed its argument")
	}
}
