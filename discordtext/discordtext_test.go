package discordtext

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestShow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in, want string
	}{
		{"plain prose", "late capitalism", "late capitalism"},
		{"prose punctuation kept", "Tea, e.g. green; U.S. tea!", "Tea, e.g. green; U.S. tea!"},
		{"masked link", "[Free Nitro](https://evil.example/steam)", `\[Free Nitro\]\(hxxps\://evil․example/steam\)`},
		{"bare link", "http://x.example", `hxxp\://x․example`},
		{"upper-case scheme", "HTTPS://X.EXAMPLE", `HxxPS\://X․EXAMPLE`},
		{"other scheme", "steam://run/1", `steam\://run/1`},
		{"invite without scheme", "discord.gg/abc", "discord․gg/abc"},
		{"heading", "# Big", `\# Big`},
		{"subtext", "-# small", `\-\# small`},
		{"quote", "> quoted", `\> quoted`},
		{"list", "- item", `\- item`},
		{"numbered list", "1. item", `1\. item`},
		{"hyphen inside a word", "anarcho-syndicalism", "anarcho-syndicalism"},
		{"bold and spoiler", "**bold** ||secret||", `\*\*bold\*\* \|\|secret\|\|`},
		{"code", "`rm -rf`", "\\`rm -rf\\`"},
		{"dash and number inside a line kept", "tea - in 1917. Yes", "tea - in 1917. Yes"},
		{"indented list", "  - x", `  \- x`},
		{"indented numbered list", " 12. x", ` 12\. x`},
		{"plus list", "+ x", `\+ x`},
		{"underline strike", "__u__ ~~s~~", `\_\_u\_\_ \~\~s\~\~`},
		{"everyone", "@everyone", "\\@\u200beveryone"},
		{"user mention", "<@123>", "\\<\u200b\\@\u200b123\\>"},
		{"role mention", "<@&5>", "\\<\u200b\\@\u200b&5\\>"},
		{"channel mention", "<#9>", "\\<\u200b\\#9\\>"},
		{"bidi override removed", "abc\u202edcba", "abcdcba"},
		{"isolates removed", "\u2066x\u2069", "x"},
		{"zero-width space removed", "ht\u200btps://a.bc", `hxxps\://a․bc`},
		{"emoji joiner kept", "👩\u200d🔬", "👩\u200d🔬"},
		{"newline flattened", "a\nb", "a b"},
		{"lone backslash", `a\b`, `a\\b`},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"image link", "![x](y)", `\!\[x\]\(y\)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Show(tt.in); got != tt.want {
				t.Errorf("Show(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// unescaped returns s as Discord's markdown parser sees its meaningful
// characters: every backslash-escaped character is replaced by \x01
// (plain text, neither space nor markup), so whatever markup is left in the result would render. It is an
// oracle written apart from escape: it knows only that "\" escapes the
// ASCII punctuation after it.
func unescaped(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] < 0x80 && unicode.IsPunct(rune(s[i+1])) || s[i] == '\\' && i+1 < len(s) && unicode.IsSymbol(rune(s[i+1])) {
			b.WriteByte(1)
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

var (
	liveScheme = regexp.MustCompile(`(?i)[a-z][a-z0-9+.-]*://`)
	liveHost   = regexp.MustCompile(`(?i)[a-z0-9-]\.([a-z0-9-]+)`)
	liveMarkup = regexp.MustCompile("[*_~`|>#\\[\\]()<@]")
	liveLine   = regexp.MustCompile(`^\s*([-+]|\d+\.)`)
)

// checkSafe fails t if out, an output of Show, could render as anything but
// text: a link, markup, a heading, a list, a mention, or a bidi control.
func checkSafe(t *testing.T, in, out string) {
	t.Helper()
	u := unescaped(out)
	if liveScheme.MatchString(u) {
		t.Errorf("Show(%q) = %q holds a live URL scheme", in, out)
	}
	for _, m := range liveHost.FindAllStringSubmatch(u, -1) {
		// A label a link could end in: two characters or more, one a letter.
		if len(m[1]) >= 2 && strings.ContainsFunc(m[1], unicode.IsLetter) {
			t.Errorf("Show(%q) = %q holds a host name %q a client may link", in, out, m[0])
		}
	}
	if m := liveMarkup.FindString(u); m != "" {
		t.Errorf("Show(%q) = %q holds live markup %q", in, out, m)
	}
	if liveLine.MatchString(u) {
		t.Errorf("Show(%q) = %q starts a list", in, out)
	}
	if strings.Contains(out, "@everyone") || strings.Contains(out, "@here") {
		t.Errorf("Show(%q) = %q holds a mass mention", in, out)
	}
	for _, r := range out {
		if r != zwsp && r != '\u200d' && (unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Cc, r)) {
			t.Errorf("Show(%q) = %q holds control character %U", in, out, r)
		}
	}
	if again := Show(out); again != out {
		t.Errorf("Show is not idempotent: Show(%q) = %q, Show of that = %q", in, out, again)
	}
}

func TestShowIsSafe(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"[Free Nitro](https://evil.example/steam)", "<https://a.b>", "@here hi", "\\[x](y)", `\\[x](y)`,
		"-# tiny", "   # spaced heading", "1) x", "www.evil.com", "a.b.c", "ftp://x", "\\@everyone", "x\u200b@everyone",
		"\u202ehttps://x.y", "h\u200dttps://a.bc",
	} {
		checkSafe(t, in, Show(in))
	}
}

func FuzzShow(f *testing.F) {
	for _, s := range []string{"[a](https://b.cd)", "<@1>", "-# x", "\\\\*", "discord.gg/x", "\u202e", "@everyone", "1. x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSafe(t, in, Show(in))
	})
}

// TestShowText: generated prose of several lines keeps its line breaks, and
// every line is as safe as Show makes one (a corpus can hold a heading, a
// quote or a list at the start of any line, a masked link or a mention
// anywhere).
func TestShowText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in, want string
	}{
		{"one line is Show", "[x](https://evil.example)", `\[x\]\(hxxps\://evil․example\)`},
		{"paragraphs kept", "First one.\n\nSecond one.", "First one.\n\nSecond one."},
		{"heading on a later line", "Text.\n# Heading", "Text.\n\\# Heading"},
		{"quote and subtext lines", "> q\n-# s", "\\> q\n\\-\\# s"},
		{"list on a later line", "a\n1. b\n- c", "a\n1\\. b\n\\- c"},
		{"mention and spoiler", "x <@&123>\n||y||", "x \\<\u200b\\@\u200b&123\\>\n\\|\\|y\\|\\|"},
		{"carriage return flattened", "a\r\nb", "a \nb"},
		{"NUL dropped", "a\x00b\nc", "ab\nc"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ShowText(tt.in)
			if got != tt.want {
				t.Errorf("ShowText(%q) = %q, want %q", tt.in, got, tt.want)
			}
			checkSafeText(t, tt.in, got)
		})
	}
}

// checkSafeText fails t if out, an output of ShowText, has another number
// of lines than in, a line that could render, or changes when shown again.
func checkSafeText(t *testing.T, in, out string) {
	t.Helper()
	if got, want := strings.Count(out, "\n"), strings.Count(in, "\n"); got != want {
		t.Errorf("ShowText(%q) = %q has %d line breaks, want %d", in, out, got, want)
	}
	for l := range strings.SplitSeq(out, "\n") {
		checkSafe(t, in, l)
	}
	if again := ShowText(out); again != out {
		t.Errorf("ShowText is not idempotent: ShowText(%q) = %q, ShowText of that = %q", in, out, again)
	}
}

func FuzzShowText(f *testing.F) {
	for _, s := range []string{"a\n# b", "x\n\n> y", "[a](https://b.cd)\n<@1>", "1. x\n- y", "\r\n||s||"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSafeText(t, in, ShowText(in))
	})
}

// TestPlain: Plain shows what Discord displays of shown text: the escapes
// resolved, the zero-width spaces gone, links still defanged.
func TestPlain(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"plain words.", "plain words."},
		{"**bold** and _em_ ||spoiler||", "**bold** and _em_ ||spoiler||"},
		{"# heading", "# heading"},
		{"@everyone and <@123>", "@everyone and <@123>"},
		{`a \ lone backslash and \\ an escaped one`, `a \ lone backslash and \ an escaped one`},
		{"see https://evil.example/x", "see hxxps://evil․example/x"},
		{"- a list\n2. a number", "- a list\n2. a number"},
	} {
		shown := ShowText(tt.in)
		if got := Plain(shown); got != tt.want {
			t.Errorf("Plain(ShowText(%q)) = Plain(%q) = %q, want %q", tt.in, shown, got, tt.want)
		}
	}
}

func FuzzPlain(f *testing.F) {
	for _, s := range []string{"**x**", `\\*`, "@here", "https://a.b", "<@&1>", "1. x", "\u200b@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		shown := Show(s)
		plain := Plain(shown)
		if strings.ContainsRune(plain, '\u200b') {
			t.Fatalf("Plain(%q) = %q keeps a zero-width space", shown, plain)
		}
		// Text with nothing Show changes but escapes (no backslash, link,
		// control or invisible character) is displayed as it was typed.
		if !utf8.ValidString(s) || strings.ContainsAny(s, "\\:.") || strings.ContainsFunc(s, func(r rune) bool {
			return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
		}) {
			return
		}
		if plain != s {
			t.Fatalf("Plain(Show(%q)) = Plain(%q) = %q, want it back", s, shown, plain)
		}
	})
}
