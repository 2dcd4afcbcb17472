package discord_test

import (
	"reflect"
	"testing"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
)

// TestRequestSubcommand: /proclaim start's options arrive nested in the
// subcommand option (type 1); the request names the subcommand and holds
// its options, the channel option (type 7) as the channel id, and the
// member's permissions as Discord's decimal string.
func TestRequestSubcommand(t *testing.T) {
	t.Parallel()
	i := decodeInteraction(t, `{"id":"1","application_id":"2","type":2,"token":"T","guild_id":"10","channel_id":"20",
		"member":{"user":{"id":"30"},"permissions":"2248473465835105"},
		"data":{"id":"9","name":"proclaim","type":1,"options":[{"name":"start","type":1,"options":[
			{"name":"every","type":3,"value":"2s"},{"name":"channel","type":7,"value":"99"}]}]}}`)
	got := discord.Request(i)
	want := bot.Request{Kind: bot.KindCommand, ID: "1", Token: "T", AppID: "2", Command: "proclaim", Subcommand: "start",
		Options: map[string]any{"every": "2s", "channel": "99"}, UserID: "30", GuildID: "10", ChannelID: "20",
		Permissions: "2248473465835105"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	i = decodeInteraction(t, `{"id":"1","type":2,"token":"T","guild_id":"10","member":{"user":{"id":"30"},"permissions":"0"},
		"data":{"name":"proclaim","type":1,"options":[{"name":"list","type":1}]}}`)
	if got := discord.Request(i); got.Subcommand != "list" || got.Options != nil || got.Permissions != "" {
		t.Errorf("/proclaim list: %+v, want subcommand list, no options, no permissions", got)
	}
}
