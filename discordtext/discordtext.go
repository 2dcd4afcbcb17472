// Package discordtext makes text safe to show in a Discord message under the
// bot's name: shown, never rendered. It is the one owner of that rule, for
// the two kinds of text the bot posts: what a user typed ([Show], one line)
// and what the bot generated from a model ([ShowText], lines kept), since a
// model repeats whatever its corpus held: the essay, an operator's upload,
// a server's own.
//
// Discord renders markdown (bold, headings, "-#" subtext, quotes, lists,
// code, spoilers, masked links "[text](url)"), turns URLs into live links,
// and turns "<@id>", "<@&id>", "<#id>", "@everyone" and "@here" into
// mentions. allowed_mentions stops a mention from pinging, but not from
// rendering, and nothing stops a link. [Show] neutralises all of them, so a
// user cannot make the bot post a phishing link, a heading or a mention.
package discordtext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// zwsp is a zero-width space: it breaks "@everyone", "<@id>" and the like
// without changing how the text reads.
const zwsp = '\u200b'

// special are the characters Discord markdown gives a meaning to. Each is
// shown literally when a backslash stands before it.
const special = "\\*_~`|>#[]()-+.:!<@"

// Show returns s made safe to show in a Discord message: markdown is
// escaped with backslashes, links are defanged (their scheme is broken,
// "https" becomes "hxxps", and the dots of a host name become "․" so no
// client links them), bidirectional and other invisible control characters
// are removed, and mentions get a zero-width space so they read as text.
// Invalid UTF-8 becomes U+FFFD.
//
// Show is idempotent: Show(Show(s)) == Show(s), so text may pass through it
// at every way in (a command option, a button's stored text) without being
// escaped twice.
func Show(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = dropControls(s)
	s = defang(s)
	return escape(s)
}

// ShowText returns s, text of one or more lines (generated prose: a
// manifesto's paragraphs), made safe as [Show] makes a line: each line
// separately, so the line breaks stay and a line can start no heading,
// quote, subtext or list. Only "\n" breaks a line: other line breaks
// become spaces, as in Show. ShowText is idempotent, and ShowText(s) ==
// Show(s) for s of one line.
func ShowText(s string) string {
	if !strings.Contains(s, "\n") {
		return Show(s)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Show(l)
	}
	return strings.Join(lines, "\n")
}

// dropControls removes control and format characters (bidi overrides and
// isolates, zero-width spaces and marks other than ZWJ, which emoji
// sequences need; escape puts back the zero-width spaces it places) and turns line breaks and
// tabs into spaces: option values are one line.
func dropControls(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r == '\u200d': // zero-width joiner: part of emoji
			return r
		case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r):
			return -1
		case r == '\u2028' || r == '\u2029': // line and paragraph separators
			return ' '
		}
		return r
	}, s)
}

// defang breaks every URL scheme ("https://" → "hxxps://", "ftp://" →
// "fxp://"; escape then puts a backslash before the ":" of any "://") and the dots of anything that looks like a host name, so
// that no client makes a link of it (Discord links bare "discord.gg/…"
// invites too).
func defang(s string) string {
	if !strings.ContainsAny(s, ":.") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == ':' && strings.HasPrefix(s[i:], "://"):
			// The scheme is what precedes, back to a non-scheme character.
			out := b.String()
			j := len(out)
			for j > 0 && isSchemeByte(out[j-1]) {
				j--
			}
			scheme := strings.ToLower(out[j:])
			if strings.HasPrefix(scheme, "http") || strings.HasPrefix(scheme, "ftp") {
				// hxxp, hxxps, fxp: the usual defanging, readable by people.
				b.Reset()
				b.WriteString(out[:j])
				b.WriteString(swapTT(out[j:]))
			}
			b.WriteByte(':') // escape puts a backslash before it: "\://"
			i++
			continue
		case r == '.' && i > 0 && i+1 < len(s) && isHostByte(s[i-1]) && hostLabelFollows(s[i+1:]):
			b.WriteString("․") // U+2024 ONE DOT LEADER: reads as a dot, links as nothing
			i += n
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}

// swapTT defangs a scheme people read: "http" → "hxxp", "https" → "hxxps",
// "ftp" → "fxp" (case kept as far as it goes).
func swapTT(scheme string) string {
	lower := strings.ToLower(scheme)
	switch {
	case strings.HasPrefix(lower, "http"):
		return scheme[:1] + "xx" + scheme[3:]
	case strings.HasPrefix(lower, "ftp"):
		return scheme[:1] + "x" + scheme[2:]
	}
	return scheme
}

func isSchemeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'
}

func isHostByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

// hostLabelFollows reports whether s starts with a host label a link could
// end in: two or more letters, digits or hyphens, at least one a letter
// ("gg", "example", "co"; not "g" of "e.g." nor "5" of "3.5").
func hostLabelFollows(s string) bool {
	n, letters := 0, 0
	for n < len(s) && isHostByte(s[n]) {
		if c := s[n]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			letters++
		}
		n++
	}
	return n >= 2 && letters > 0
}

// escape puts a backslash before every markdown character that is not
// already escaped, and a zero-width space after every "@" and "<" that has
// none, so it is idempotent: a backslash and the special character after it
// are kept as a pair, a lone backslash is escaped itself.
func escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\':
			if i+1 < len(s) && strings.IndexByte(special, s[i+1]) >= 0 {
				b.WriteByte('\\')
				b.WriteByte(s[i+1])
				i += 2
				if c := s[i-1]; c == '@' || c == '<' {
					i += ensureZWSP(&b, s[i:])
				}
				continue
			}
			b.WriteString(`\\`)
		case r == '@' || r == '<':
			b.WriteByte('\\')
			b.WriteRune(r)
			i += n
			i += ensureZWSP(&b, s[i:])
			continue
		case r < utf8.RuneSelf && strings.IndexByte(special, byte(r)) >= 0 && needsEscape(s, i):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// ensureZWSP writes a zero-width space and reports how many bytes of rest
// it stood for: an existing one is taken over rather than doubled.
func ensureZWSP(b *strings.Builder, rest string) int {
	b.WriteRune(zwsp)
	if r, n := utf8.DecodeRuneInString(rest); r == zwsp {
		return n
	}
	return 0
}

// needsEscape reports whether the special character at s[i] has to be
// escaped. The characters that are markdown everywhere always are; ".",
// ":", "!", "+" and "-" only where they could start a list, subtext or a
// link (so ordinary prose keeps its full stops and dashes): "-" and "+" at
// the start of the line, "." after the digits that start it, ":" always
// before "/", "!" before "[". Show makes one line, so the start of s is the
// only start of a line; ShowText shows each line apart.
func needsEscape(s string, i int) bool {
	switch s[i] {
	case '-', '+':
		return lineStart(s[:i])
	case '.':
		j := i
		for j > 0 && s[j-1] >= '0' && s[j-1] <= '9' {
			j--
		}
		return j < i && lineStart(s[:j])
	case ':':
		return i+1 < len(s) && s[i+1] == '/'
	case '!':
		return i+1 < len(s) && s[i+1] == '['
	}
	return true
}

// lineStart reports whether what follows prefix starts its line as a
// markdown block sees it: prefix holds nothing but space and the invisible
// joiners a client might skip.
func lineStart(prefix string) bool {
	for _, r := range prefix {
		if !unicode.IsSpace(r) && r != zwsp && r != '\u200d' {
			return false
		}
	}
	return true
}

// Plain returns text that [Show] or [ShowText] made as a Discord client
// displays it: each backslash escape resolved to the character it shows and
// the zero-width spaces that keep mentions inert dropped. Links stay
// defanged. It is for showing the bot's words outside Discord (a web page,
// where an HTML template escapes them), word for word as Discord shows
// them; its result must never be posted to Discord, where it would render.
// Show(Plain(Show(s))) == Show(s).
func Plain(s string) string {
	if !strings.ContainsAny(s, "\\\u200b") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\' && i+1 < len(s) && strings.IndexByte(special, s[i+1]) >= 0:
			b.WriteByte(s[i+1])
			i += 2
			continue
		case r == zwsp:
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
