package httpapi_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

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

// gatedWriter is w whose texts come only once release is closed: the
// reply is deferred and edited in.
type gatedWriter struct {
	bot.Writer
	release <-chan struct{}
}

func (g gatedWriter) Manifesto(seed uint64, topic string, paragraphs int) (string, string) {
	<-g.release
	return g.Writer.Manifesto(seed, topic, paragraphs)
}

func (g gatedWriter) Squint(seed uint64, thing string) string {
	<-g.release
	return g.Writer.Squint(seed, thing)
}

func (g gatedWriter) Glowcloud(seed uint64) string {
	<-g.release
	return g.Writer.Glowcloud(seed)
}

// generating are the interactions that post generated text, as sent over
// HTTP: manifestos on topics the hostile scripture talks about (and one it
// does not), squints, proclamations, with seeds for the manifestos.
func generating(n int) []map[string]any {
	topics := []string{"workers", "state", "revolution", "council", "tea"}
	var out []map[string]any
	for i := range n {
		switch i % 3 {
		case 0:
			out = append(out, command("manifesto", "topic", topics[i%len(topics)], "seed", float64(i)))
		case 1:
			out = append(out, command("squint", "thing", topics[i%len(topics)]))
		default:
			out = append(out, command("glowcloud"))
		}
	}
	return out
}

// TestHTTPGeneratedTextInert: whatever the model learned (a fake whose
// every text is markup, and a real model trained on the essay and an
// upload full of masked links, mentions, spoilers and headings), every
// string of every payload the bot sends over HTTP is inert: the inline
// reply, the Hail again button's repost, the deferred reply's edit, the
// autocomplete choices. The old code posted the model's text as it came:
// 3 masked links and 9 role mentions in 90 replies.
func TestHTTPGeneratedTextInert(t *testing.T) {
	t.Parallel()
	hostile := bottest.HostileModel(t)
	// The oracle can fail: the real model does repeat the upload's markup.
	rendered := 0
	for i := range 30 {
		title, body := hostile.Manifesto(uint64(i), "workers", 3)
		if bottest.Inert(map[string]any{"t": title, "b": body, "s": hostile.Squint(uint64(i), "state"), "g": hostile.Glowcloud(uint64(i))}) != nil {
			rendered++
		}
	}
	if rendered == 0 {
		t.Fatal("the hostile model's raw text renders nothing: the test proves nothing")
	}
	for _, tt := range []struct {
		name string
		w    bot.Writer
	}{
		{"markup writer", bottest.MarkupWriter{}},
		{"hostile model", hostile},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newCoreHTTP(t, bot.Config{Writer: func() bot.Writer { return tt.w }, Cooldown: -1}, nil)
			for _, cmd := range generating(45) {
				data := decodeResponse(t, h.serve(h.signed(h.interaction(t, cmd), h.now)))["data"].(map[string]any)
				if err := bottest.Inert(data); err != nil {
					t.Errorf("%v: reply renders generated text:\n%v", cmd["data"], err)
				}
				again := decodeResponse(t, h.serve(h.signed(h.interaction(t, button(customIDOf(t, data))), h.now)))["data"].(map[string]any)
				if err := bottest.Inert(again); err != nil {
					t.Errorf("%v: Hail again renders generated text:\n%v", cmd["data"], err)
				}
			}
			for _, typed := range []string{"", "w", "[", "<"} {
				for _, c := range []string{"manifesto", "squint"} {
					opt := map[string]string{"manifesto": "topic", "squint": "thing"}[c]
					r := decodeResponse(t, h.serve(h.signed(h.interaction(t, autocomplete(c, opt, typed)), h.now)))
					if err := bottest.Inert(r); err != nil {
						t.Errorf("autocomplete of %s %q renders generated text:\n%v", c, typed, err)
					}
				}
			}
		})
	}
	t.Run("deferred edit", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		h := newCoreHTTP(t, bot.Config{
			Writer:     func() bot.Writer { return gatedWriter{bottest.MarkupWriter{}, release} },
			Cooldown:   -1,
			DeferAfter: time.Millisecond,
		}, nil)
		var tokens []string
		for _, cmd := range generating(3) {
			full := h.fake.FillInteraction(cmd)
			body, err := json.Marshal(full)
			if err != nil {
				t.Fatal(err)
			}
			if r := decodeResponse(t, h.serve(h.signed(body, h.now))); r["type"] != float64(5) {
				t.Fatalf("%v answered %v, want a deferral", cmd["data"], r)
			}
			tokens = append(tokens, full["token"].(string))
		}
		close(release)
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		for _, tok := range tokens {
			edit, err := h.fake.WaitEdit(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			if err := bottest.Inert(edit); err != nil {
				t.Errorf("deferred edit renders generated text:\n%v", err)
			}
		}
	})
}
