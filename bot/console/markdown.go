package console

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// renderer shows a message's text as a Discord client would: markdown
// rendered (on a terminal with ANSI styles, elsewhere as the bare text),
// backslash escapes resolved, mentions and timestamps written out, and the
// zero-width spaces that keep "@everyone" inert dropped, since they show as
// nothing in Discord but as a gap on some terminals.
type renderer struct {
	ansi bool             // style with ANSI escapes (a terminal)
	now  func() time.Time // the console's clock, for relative times
	// clock, if not empty, follows every absolute time ("on the console
	// clock"): the console's clock may run faster than the wall's.
	clock string
	// speed, when over 1, is how much faster than the wall the console's
	// clock runs: a relative time then also says its real length ("in 20
	// minutes on the console clock (20 s real)").
	speed float64
}

// ANSI styles: each opens and closes one attribute, so they nest.
var (
	styleBold      = [2]string{"\x1b[1m", "\x1b[22m"}
	styleItalic    = [2]string{"\x1b[3m", "\x1b[23m"}
	styleUnderline = [2]string{"\x1b[4m", "\x1b[24m"}
	styleStrike    = [2]string{"\x1b[9m", "\x1b[29m"}
	styleDim       = [2]string{"\x1b[2m", "\x1b[22m"}
	styleReverse   = [2]string{"\x1b[7m", "\x1b[27m"}
	styleMention   = [2]string{"\x1b[1;34m", "\x1b[22;39m"}
	styleCode      = [2]string{"\x1b[36m", "\x1b[39m"}
)

func (r renderer) style(s string, st [2]string) string {
	if !r.ansi || s == "" {
		return s
	}
	return st[0] + s + st[1]
}

// text renders a whole message body, line by line: headings ("# ", "## ",
// "### "), subtext ("-# "), quotes ("> ", and ">>> " for the rest of the
// message), list items ("- ", "* ") and code blocks, each line's inline
// markdown within.
func (r renderer) text(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	quoteRest := false
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.HasPrefix(line, "```") {
			// A code block: shown as it is, up to the closing fence.
			j := i + 1
			for j < len(lines) && !strings.HasPrefix(lines[j], "```") {
				j++
			}
			for _, l := range lines[i+1 : min(j, len(lines))] {
				out = append(out, "  "+r.style(l, styleCode))
			}
			i = j
			continue
		}
		quote := quoteRest
		switch {
		case strings.HasPrefix(line, ">>> "):
			quoteRest, quote, line = true, true, line[4:]
		case strings.HasPrefix(line, "> "):
			quote, line = true, line[2:]
		}
		switch {
		case strings.HasPrefix(line, "# "), strings.HasPrefix(line, "## "), strings.HasPrefix(line, "### "):
			line = r.style(r.inline(strings.TrimLeft(line, "#")[1:]), styleBold)
		case strings.HasPrefix(line, "-# "):
			line = r.style(r.inline(line[3:]), styleDim)
		case strings.HasPrefix(line, "- "), strings.HasPrefix(line, "* "):
			line = "• " + r.inline(line[2:])
		default:
			line = r.inline(line)
		}
		if quote {
			line = "▎ " + line
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// spans are the paired delimiters of inline markdown, longest first.
var spans = []struct {
	delim string
	style [2]string
}{
	{"**", styleBold},
	{"__", styleUnderline},
	{"~~", styleStrike},
	{"||", styleReverse}, // a spoiler: Discord hides it until clicked
	{"*", styleItalic},
	{"_", styleItalic},
}

// tag finds Discord's markup for a mention, a channel or a timestamp at the
// start of a string.
var tag = regexp.MustCompile(`^<(@!?|@&|#)([0-9A-Za-z_-]+)>|^<t:(-?\d+)(?::([tTdDfFR]))?>`)

// inline renders one line's inline markdown.
func (r renderer) inline(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			next, n := utf8.DecodeRuneInString(s[i+1:])
			if escapable(next) {
				b.WriteString(r.plain(string(next)))
				i += 1 + n
				continue
			}
		}
		if c == '`' {
			if j := strings.IndexByte(s[i+1:], '`'); j > 0 {
				b.WriteString(r.style(s[i+1:i+1+j], styleCode))
				i += j + 2
				continue
			}
		}
		if c == '<' {
			if m := tag.FindStringSubmatch(s[i:]); m != nil {
				b.WriteString(r.tag(m))
				i += len(m[0])
				continue
			}
		}
		if done := r.span(&b, s, &i); done {
			continue
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		b.WriteString(r.plain(s[i : i+n]))
		i += n
	}
	return b.String()
}

// span renders a delimited span (bold, italic, ...) starting at s[*i], if
// one does, and moves *i past it.
func (r renderer) span(b *strings.Builder, s string, i *int) bool {
	for _, sp := range spans {
		d := sp.delim
		if !strings.HasPrefix(s[*i:], d) {
			continue
		}
		start := *i + len(d)
		end := closing(s, start, d)
		if end <= start {
			continue
		}
		inner := s[start:end]
		if len(d) == 1 {
			// A single * or _ opens only before a non-space and closes
			// after one; _ only at word edges (snake_case stays as it is).
			if strings.TrimSpace(inner) != inner {
				continue
			}
			if d == "_" && (wordBefore(s, *i) || wordAfter(s, end+1)) {
				continue
			}
		}
		b.WriteString(r.style(r.inline(inner), sp.style))
		*i = end + len(d)
		return true
	}
	return false
}

// closing returns where delimiter d closes in s from from on, skipping
// escaped characters, or -1.
func closing(s string, from int, d string) int {
	for j := from; j < len(s); j++ {
		if s[j] == '\\' {
			j++
			continue
		}
		if strings.HasPrefix(s[j:], d) {
			// "**" inside a "*" span belongs to the inner span.
			if len(d) == 1 && strings.HasPrefix(s[j:], d+d) {
				if k := closing(s, j+2, d+d); k > 0 {
					j = k + 1
					continue
				}
			}
			return j
		}
	}
	return -1
}

func wordBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return i > 0 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

func wordAfter(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[min(i, len(s)):])
	return i < len(s) && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// escapable reports whether a backslash before r shows r literally: any
// ASCII punctuation or symbol, as in Discord.
func escapable(r rune) bool {
	return r < utf8.RuneSelf && (unicode.IsPunct(r) || unicode.IsSymbol(r))
}

// plain writes literal text: zero-width spaces (which the bot puts in
// "@everyone" and links to keep them inert) show as nothing.
func (r renderer) plain(s string) string {
	return strings.ReplaceAll(s, "\u200b", "")
}

// tag renders a mention, a channel or a timestamp (m from the tag regexp).
func (r renderer) tag(m []string) string {
	switch m[1] {
	case "@", "@!":
		if m[2] == consoleUser {
			return r.style("@you", styleMention)
		}
		if memberName.MatchString(m[2]) { // a member the console made up
			return r.style("@"+m[2], styleMention)
		}
		return r.style("@user "+m[2], styleMention)
	case "@&":
		return r.style("@role "+m[2], styleMention)
	case "#":
		if m[2] == ConsoleChannel {
			return r.style("#"+consoleChannelName, styleMention)
		}
		return r.style("#"+m[2], styleMention)
	}
	n, err := strconv.ParseInt(m[3], 10, 64)
	if err != nil {
		return m[0]
	}
	return r.style(r.when(time.Unix(n, 0), m[4]), styleCode)
}

// when writes a timestamp in one of Discord's styles (f when empty), on
// the console's clock.
func (r renderer) when(t time.Time, style string) string {
	if style == "R" {
		d := t.Sub(r.clockNow())
		s := relative(d)
		if r.speed > 1 && r.clock != "" {
			s += " " + r.clock + " (" + realLength(time.Duration(float64(d)/r.speed)) + " real)"
		}
		return s
	}
	var s string
	switch style {
	case "t":
		s = t.Format("15:04")
	case "T":
		s = t.Format("15:04:05")
	case "d":
		s = t.Format("2006-01-02")
	case "D":
		s = t.Format("2 January 2006")
	case "F":
		s = t.Format("Monday, 2 January 2006 15:04")
	default: // f
		s = t.Format("2 January 2006 15:04")
	}
	if r.clock != "" {
		s += " " + r.clock
	}
	return s
}

func (r renderer) clockNow() time.Time {
	if r.now == nil {
		return time.Now()
	}
	return r.now()
}

// relative writes d from now as Discord does: "in 2 hours", "5 minutes
// ago", "in a few seconds".
func relative(d time.Duration) string {
	future := d >= 0
	if !future {
		d = -d
	}
	var s string
	switch {
	case d < 45*time.Second:
		s = "a few seconds"
	case d < 90*time.Second:
		s = "a minute"
	case d < 45*time.Minute:
		s = fmt.Sprintf("%d minutes", int((d+30*time.Second)/time.Minute))
	case d < 90*time.Minute:
		s = "an hour"
	case d < 22*time.Hour:
		s = fmt.Sprintf("%d hours", int((d+30*time.Minute)/time.Hour))
	case d < 36*time.Hour:
		s = "a day"
	default:
		s = fmt.Sprintf("%d days", int((d+12*time.Hour)/(24*time.Hour)))
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// realLength writes the length of d, either way, as a person reads a
// short span: "20 s", "3 min", "2.5 h".
func realLength(d time.Duration) string {
	d = d.Abs()
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
	}
	return strconv.FormatFloat(d.Hours(), 'f', 1, 64) + " h"
}
