package serve

import (
	"testing"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/internal/discordtest"
)

// TestGatewayUserTextShown: /squint thing:[Free Nitro](https://evil.example/steam)
// over the gateway gets a callback with no live link, markup or mention,
// content and embeds alike, and pressing its Hail again button reposts
// nothing live either (issue 11, finding 6).
func TestGatewayUserTextShown(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	start(t, gatewayServe(fake, bottest.NewBot(bot.Config{DeferAfter: waitLimit})))
	ctx := waitCtx(t)
	for _, thing := range []string{bottest.MaskedLink, bottest.Heading, bottest.BidiName} {
		cb, err := fake.Interaction(ctx, command("squint", opt("thing", 3, thing)))
		if err != nil {
			t.Fatal(err)
		}
		if err := bottest.Inert(cb.Data); err != nil {
			t.Errorf("/squint thing:%s renders it:\n%v", thing, err)
		}
		assertNoPings(t, cb)
		rows, _ := cb.Data["components"].([]any)
		if len(rows) == 0 {
			t.Fatalf("no button: %s", cb.Raw)
		}
		buttons, _ := rows[0].(map[string]any)["components"].([]any)
		id, _ := buttons[0].(map[string]any)["custom_id"].(string)
		again, err := fake.Interaction(ctx, map[string]any{"type": 3, "data": map[string]any{"custom_id": id, "component_type": 2}})
		if err != nil {
			t.Fatal(err)
		}
		if again.Type != 4 || again.Data["flags"] != nil && int(again.Data["flags"].(float64))&64 != 0 {
			t.Errorf("Hail again: callback %s; want a public message", again.Raw)
		}
		if err := bottest.Inert(again.Data); err != nil {
			t.Errorf("Hail again after /squint thing:%s reposts it rendered:\n%v", thing, err)
		}
	}
}
