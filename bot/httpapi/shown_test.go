package httpapi_test

import (
	"testing"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

// customIDOf returns the custom_id of a response's first button.
func customIDOf(t *testing.T, data map[string]any) string {
	t.Helper()
	rows, _ := data["components"].([]any)
	if len(rows) == 0 {
		t.Fatalf("no button in %v", data)
	}
	row, _ := rows[0].(map[string]any)
	buttons, _ := row["components"].([]any)
	if len(buttons) == 0 {
		t.Fatalf("no button in %v", data)
	}
	b, _ := buttons[0].(map[string]any)
	id, _ := b["custom_id"].(string)
	if id == "" {
		t.Fatalf("no custom_id in %v", b)
	}
	return id
}

// TestHTTPUserTextShown: /squint thing:[Free Nitro](https://evil.example/steam)
// (and a heading with mentions, and a bidi override) over HTTP gives a reply
// with no live link, markup or mention, content and embeds alike, whose
// button stores the text shown, and pressing it reposts nothing live
// either. Issue 11, finding 6: the old code posted the masked link live in
// the embed, and the button reposted it.
func TestHTTPUserTextShown(t *testing.T) {
	t.Parallel()
	h := newCoreHTTP(t, bot.Config{}, nil)
	for _, tt := range []struct {
		name string
		cmd  map[string]any
	}{
		{"squint masked link", command("squint", "thing", bottest.MaskedLink)},
		{"squint heading", command("squint", "thing", bottest.Heading)},
		{"squint bidi", command("squint", "thing", bottest.BidiName)},
		{"manifesto topic masked link", command("manifesto", "topic", "[x](https://evil.example)")},
		{"manifesto topic mention", command("manifesto", "topic", "<@&123> @here")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reply := decodeResponse(t, h.serve(h.signed(h.interaction(t, tt.cmd), h.now)))
			data, _ := reply["data"].(map[string]any)
			if err := bottest.Inert(data); err != nil {
				t.Errorf("reply renders user text:\n%v", err)
			}
			id := customIDOf(t, data)
			if len(id) > bot.MaxCustomID {
				t.Errorf("custom_id of %d bytes", len(id))
			}
			again := decodeResponse(t, h.serve(h.signed(h.interaction(t, button(id)), h.now)))
			againData, _ := again["data"].(map[string]any)
			if err := bottest.Inert(againData); err != nil {
				t.Errorf("Hail again reposts user text rendered:\n%v", err)
			}
			if eph, _ := againData["flags"].(float64); int(eph)&64 != 0 {
				t.Errorf("Hail again answered ephemerally (a refused button?): %v", againData)
			}
		})
	}
}
