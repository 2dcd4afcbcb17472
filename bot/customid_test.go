package bot

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/limits"
)

func TestCustomIDEncode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		act  action
		want string
	}{
		{"manifesto", action{command: CmdManifesto, paragraphs: 3, topic: "robots"}, "gc1|m|3|robots"},
		{"manifesto no topic", action{command: CmdManifesto, paragraphs: 1}, "gc1|m|1|"},
		{"manifesto pipes", action{command: CmdManifesto, paragraphs: 5, topic: `a\|b\|\|c`}, `gc1|m|5|a\|b\|\|c`},
		{"squint shown text cut between escapes", action{command: CmdSquint, thing: strings.Repeat(`\[`, 50)}, "gc1|s|" + strings.Repeat(`\[`, 47)},
		{"squint shown text never cut in an escape", action{command: CmdSquint, thing: "x" + strings.Repeat(`\[`, 50)}, "gc1|s|x" + strings.Repeat(`\[`, 46)},
		{"squint mention keeps its zero-width space", action{command: CmdSquint, thing: strings.Repeat("x", 91) + "\\@\u200beveryone"}, "gc1|s|" + strings.Repeat("x", 91)},
		{"seed is not kept", action{command: CmdManifesto, paragraphs: 2, topic: "x", seed: 42, hasSeed: true}, "gc1|m|2|x"},
		{"squint", action{command: CmdSquint, thing: "tea party"}, "gc1|s|tea party"},
		{"glowcloud", action{command: CmdGlowcloud}, "gc1|g"},
		{"squint cut at a word", action{command: CmdSquint, thing: strings.Repeat("abcdefghi ", 10)[:99] + "z"},
			"gc1|s|" + strings.TrimSpace(strings.Repeat("abcdefghi ", 9))},
		{"squint cut right before a space", action{command: CmdSquint, thing: strings.Repeat("x", 94) + " yz"}, "gc1|s|" + strings.Repeat("x", 94)},
		{"squint one long word", action{command: CmdSquint, thing: strings.Repeat("w", 100)}, "gc1|s|" + strings.Repeat("w", 94)},
		{"squint multibyte word", action{command: CmdSquint, thing: strings.Repeat("é", 100)}, "gc1|s|" + strings.Repeat("é", 47)},
		{"squint emoji word", action{command: CmdSquint, thing: strings.Repeat("🎉", 30)}, "gc1|s|" + strings.Repeat("🎉", 23)},
		{"topic multibyte", action{command: CmdManifesto, paragraphs: 3, topic: strings.Repeat("日本 ", 16) + "日本"},
			"gc1|m|3|" + strings.TrimSpace(strings.Repeat("日本 ", 13))},
		{"unknown", action{command: "nope"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := encodeCustomID(tt.act)
			if got != tt.want {
				t.Errorf("encode = %q (%d bytes)\nwant     %q", got, len(got), tt.want)
			}
			if len(got) > MaxCustomID {
				t.Errorf("%d bytes", len(got))
			}
		})
	}
}

func TestCustomIDDecode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		id   string
		want action
		ok   bool
	}{
		{"gc1|m|3|robots", action{command: CmdManifesto, paragraphs: 3, topic: "robots"}, true},
		{"gc1|m|1|", action{command: CmdManifesto, paragraphs: 1}, true},
		{`gc1|m|5|a\|b`, action{command: CmdManifesto, paragraphs: 5, topic: `a\|b`}, true},
		{"gc1|m|5|a|b", action{}, false}, // not shown: "|" unescaped
		{"gc1|s|[Free Nitro](https://evil.example/steam)", action{}, false},
		{"gc1|s|@everyone", action{}, false},
		{"gc1|s|\\@\u200beveryone", action{command: CmdSquint, thing: "\\@\u200beveryone"}, true},
		{"gc1|s|x", action{command: CmdSquint, thing: "x"}, true},
		{`gc1|s|\|`, action{command: CmdSquint, thing: `\|`}, true},
		{"gc1|s||", action{}, false},
		{"gc1|g", action{command: CmdGlowcloud}, true},

		{"", action{}, false},
		{"gc1", action{}, false},
		{"gc1|", action{}, false},
		{"gc2|g", action{}, false},
		{"GC1|g", action{}, false},
		{"gc1|g|", action{}, false},
		{"gc1|g|x", action{}, false},
		{"gc1|x", action{}, false},
		{"gc1|m", action{}, false},
		{"gc1|m|3", action{}, false},
		{"gc1|m|0|x", action{}, false},
		{"gc1|m|6|x", action{}, false},
		{"gc1|m|03|x", action{}, false},
		{"gc1|m|+3|x", action{}, false},
		{"gc1|m||x", action{}, false},
		{"gc1|m|3| padded", action{}, false},
		{"gc1|m|3|" + strings.Repeat("t", 51), action{command: CmdManifesto, paragraphs: 3, topic: strings.Repeat("t", 51)}, true}, // shown topics may be longer than typed ones
		{"gc1|s|", action{}, false},
		{"gc1|s| x", action{}, false},
		{"gc1|s|x ", action{}, false},
		{"gc1|s|\xff", action{}, false},
		{"gc1|s|" + strings.Repeat("s", 95), action{}, false}, // 101 bytes
		{"gc1|s|" + strings.Repeat("s", 94), action{command: CmdSquint, thing: strings.Repeat("s", 94)}, true},
		{"squint", action{}, false},
		{"gc1 |g", action{}, false},
	} {
		t.Run(fmt.Sprintf("%q", tt.id), func(t *testing.T) {
			t.Parallel()
			got, err := decodeCustomID(tt.id)
			if (err == nil) != tt.ok {
				t.Fatalf("decode err = %v, want ok %v", err, tt.ok)
			}
			if got != tt.want {
				t.Errorf("decode = %+v, want %+v", got, tt.want)
			}
			if tt.ok {
				if again := encodeCustomID(got); again != tt.id {
					t.Errorf("re-encoded as %q", again)
				}
			}
		})
	}
}

// FuzzCustomID checks that decoding never panics and accepts only canonical
// ids, and that any valid options encode to an id that decodes to them (with
// the free text cut as documented).
func FuzzCustomID(f *testing.F) {
	for _, s := range []string{"gc1|m|3|robots", "gc1|s|tea party", "gc1|g", "gc1|m|5|", "gc1|s|a|b", "gc2|g", "", "\xff"} {
		f.Add(s, "tea party", uint8(3))
	}
	f.Add("gc1|m|1|x", strings.Repeat("日本 ", 40), uint8(1))
	f.Add("x", strings.Repeat("🎉", 100), uint8(5))
	f.Fuzz(func(t *testing.T, id, text string, p uint8) {
		if act, err := decodeCustomID(id); err == nil {
			if again := encodeCustomID(act); again != id {
				t.Errorf("decode(%q) = %+v, which encodes as %q", id, act, again)
			}
			// A button never brings back text that could render.
			if !isShown(act.thing) || !isShown(act.topic) {
				t.Errorf("decode(%q) = %+v: text not shown", id, act)
			}
		}

		paragraphs := limits.MinParagraphs + int(p)%(limits.MaxParagraphs-limits.MinParagraphs+1)
		var acts []action
		if thing, err := validThing(text); err == nil {
			acts = append(acts, action{command: CmdSquint, thing: thing})
		}
		if topic, err := ShownTopic(text); err == nil {
			acts = append(acts, action{command: CmdManifesto, paragraphs: paragraphs, topic: topic})
		}
		acts = append(acts, action{command: CmdGlowcloud})
		for _, act := range acts {
			id := encodeCustomID(act)
			if id == "" || len(id) > MaxCustomID || !utf8.ValidString(id) {
				t.Fatalf("encode(%+v) = %q (%d bytes)", act, id, len(id))
			}
			got, err := decodeCustomID(id)
			if err != nil {
				t.Fatalf("decode(encode(%+v)) = %q: %v", act, id, err)
			}
			if got.command != act.command || got.paragraphs != act.paragraphs {
				t.Fatalf("round trip %+v -> %q -> %+v", act, id, got)
			}
			// The free text survives whole, or as a prefix cut at a
			// word boundary (or inside an overlong word).
			for _, pair := range [][2]string{{act.thing, got.thing}, {act.topic, got.topic}} {
				orig, back := pair[0], pair[1]
				if !strings.HasPrefix(orig, back) || (orig != "" && back == "") {
					t.Fatalf("round trip lost text: %q -> %q", orig, back)
				}
			}
		}
	})
}

func TestQuizCustomID(t *testing.T) {
	t.Parallel()
	const round = "ABCDEFGHIJKLMNOPQRSTUVWXY2"
	for _, tt := range []struct {
		id   string
		want quizPress
		ok   bool
	}{
		{"gc1|q", quizPress{}, true},
		{"gc1|q|" + round + "|r", quizPress{round: round, real: true}, true},
		{"gc1|q|" + round + "|g", quizPress{round: round}, true},
		{"gc1|q|", quizPress{}, false},
		{"gc1|q|" + round, quizPress{}, false},
		{"gc1|q|" + round + "|x", quizPress{}, false},
		{"gc1|q|" + round + "|r|", quizPress{}, false},
		{"gc1|q|" + strings.ToLower(round) + "|r", quizPress{}, false},
		{"gc1|q|" + round[:25] + "|r", quizPress{}, false},
		{"gc1|q|" + round + "8|r", quizPress{}, false},
		{"gc1|q|" + round[:25] + "1|r", quizPress{}, false},
		{"gc2|q", quizPress{}, false},
	} {
		got, err := decodeQuizID(tt.id)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("decodeQuizID(%q) = %+v, %v; want %+v, ok %v", tt.id, got, err, tt.want, tt.ok)
		}
		if !isQuizCustomID(tt.id) && tt.ok {
			t.Errorf("isQuizCustomID(%q) = false", tt.id)
		}
		if _, err := decodeCustomID(tt.id); err == nil {
			t.Errorf("decodeCustomID(%q) takes a quiz id for a Hail again button", tt.id)
		}
	}
	for _, real := range []bool{true, false} {
		id := QuizVoteID(round, real)
		if got, err := decodeQuizID(id); err != nil || got != (quizPress{round, real}) || len(id) > MaxCustomID {
			t.Errorf("QuizVoteID(%v) = %q, decoded %+v, %v", real, id, got, err)
		}
	}
}

// FuzzQuizCustomID: decoding a quiz button's id never panics and accepts
// only what QuizVoteID and QuizPlayAgainID make.
func FuzzQuizCustomID(f *testing.F) {
	for _, s := range []string{"gc1|q", "gc1|q|ABCDEFGHIJKLMNOPQRSTUVWXY2|r", "gc1|q|ABCDEFGHIJKLMNOPQRSTUVWXY2|g", "gc1|q|", "gc1|q|a|r", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		p, err := decodeQuizID(id)
		if err != nil {
			return
		}
		again := QuizPlayAgainID
		if p.round != "" {
			again = QuizVoteID(p.round, p.real)
		}
		if again != id {
			t.Errorf("decodeQuizID(%q) = %+v, which encodes as %q", id, p, again)
		}
	})
}

// FuzzForgetID: decoding a /scripture forget button's id never panics and
// accepts only what forgetID makes.
func FuzzForgetID(f *testing.F) {
	for _, s := range []string{"gc1|sf|1765108800", "gc1|sk|0", "gc1|sf|", "gc1|sf|01", "gc1|sf|-1", "gc1|sk|1e9", "gc1|sf|99999999999999999999", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		confirm, at, err := decodeForgetID(id)
		if err != nil {
			return
		}
		if again := forgetID(confirm, at); again != id || len(id) > MaxCustomID || !isScriptureCustomID(id) {
			t.Errorf("decodeForgetID(%q) = %v %v, which encodes as %q", id, confirm, at, again)
		}
	})
}
