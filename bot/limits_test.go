package bot_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/bot"
)

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
	if got.Buttons[2].Emoji != "" || got.Buttons[2].Label != "Hail again" {
		t.Errorf("button with an overlong emoji = %+v", got.Buttons[2])
	}
	if again := bot.LimitReply(got); !reflect.DeepEqual(again, got) {
		t.Errorf("LimitReply is not idempotent")
	}
	if len(in.Embeds[0].Title) != 300 {
		t.Errorf("LimitReply changed its argument")
	}
}
