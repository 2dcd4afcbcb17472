package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Cleaning chat and Markdown: what a line of a chat log or a .md file holds
// that is not prose is taken out before the line is learned — links keep
// their text, while URLs, mentions and emoji codes go entirely (the bot must
// never say a link or a mention), and emphasis marks go, keeping their
// words. Each removal is counted in Text.Cleaned.

// cleanInline removes the constructs of a line that span several tokens or
// sit inside one: Markdown links and images, autolinks, and Discord's
// bracketed mentions, channels, custom emoji, time stamps and command
// mentions.
func cleanInline(line string, c *Cleaned) string {
	if strings.Contains(line, "](") {
		line = cleanLinks(line, c)
	}
	if strings.IndexByte(line, '<') >= 0 {
		line = cleanAngles(line, c)
	}
	return line
}

// cleanLinks replaces each Markdown link "[text](address)" with its text
// and removes each image "![alt](address)".
func cleanLinks(line string, c *Cleaned) string {
	var b strings.Builder
	for {
		mid := strings.Index(line, "](")
		if mid < 0 {
			break
		}
		open := strings.LastIndexByte(line[:mid], '[')
		end := strings.IndexByte(line[mid+2:], ')')
		if open < 0 || end < 0 || strings.IndexByte(line[open+1:mid], ']') >= 0 {
			// Not a link: keep up to and including the "](".
			b.WriteString(line[:mid+2])
			line = line[mid+2:]
			continue
		}
		end += mid + 2
		image := open > 0 && line[open-1] == '!'
		if image {
			b.WriteString(line[:open-1])
		} else {
			b.WriteString(line[:open])
			b.WriteString(line[open+1 : mid])
		}
		c[CleanLink]++
		line = line[end+1:]
	}
	if b.Len() == 0 {
		return line
	}
	b.WriteString(line)
	return b.String()
}

// cleanAngles removes Discord's bracketed forms — <@123>, <@!123>, <@&1>
// (mentions), <#1> (channels), <:name:1> and <a:name:1> (custom emoji),
// <t:1:R> (time stamps), </cmd:1> (command mentions), <id:browse> — and
// autolinks (<https://…>). Other angle brackets stay.
func cleanAngles(line string, c *Cleaned) string {
	var b strings.Builder
	changed := false
	for {
		i := strings.IndexByte(line, '<')
		if i < 0 || i+1 >= len(line) {
			break
		}
		j := strings.IndexByte(line[i+1:], '>')
		if j < 0 {
			break
		}
		inner := line[i+1 : i+1+j]
		kind := angleKind(inner)
		if kind < 0 {
			b.WriteString(line[:i+1])
			line = line[i+1:]
			continue
		}
		c[kind]++
		changed = true
		b.WriteString(line[:i])
		b.WriteByte(' ')
		line = line[i+2+j:]
	}
	if !changed {
		return b.String() + line
	}
	b.WriteString(line)
	return b.String()
}

// angleKind says what the inside of <…> is: a Clean kind to count its
// removal under, or -1 for text to keep.
func angleKind(inner string) Clean {
	if inner == "" || len(inner) > 200 {
		return -1
	}
	switch {
	case strings.Contains(inner, "://") && strings.IndexFunc(inner, unicode.IsSpace) < 0:
		return CleanURL
	case inner[0] == '@' || inner[0] == '#':
		if len(inner) > 1 && strings.IndexFunc(inner, unicode.IsSpace) < 0 {
			return CleanMention
		}
	case inner[0] == ':' || strings.HasPrefix(inner, "a:"):
		if strings.Count(inner, ":") >= 2 && strings.IndexFunc(inner, unicode.IsSpace) < 0 {
			return CleanEmoji
		}
	case strings.HasPrefix(inner, "t:") || strings.HasPrefix(inner, "id:"):
		if strings.IndexFunc(inner, unicode.IsSpace) < 0 {
			return CleanMention
		}
	case inner[0] == '/':
		if strings.IndexByte(inner, ':') > 0 {
			return CleanMention
		}
	}
	return -1
}

// openers and closers are the marks a word may carry before and after its
// letters.
const (
	openers = `"'([`
	closers = `"')]`
)

// appendTokens appends the tokens of a cleaned line to dst: URLs, mentions,
// e-mail addresses, emoji codes and emoticons removed, Markdown marks at the
// edges of words removed, a lone "i" capitalised, and words run together
// after a full stop or a closing quote ("dragons."From) split. It reports
// whether the line's last word was removed whole: a message that ended on
// a link or an emoji ended there.
func appendTokens(dst []string, line string, c *Cleaned) ([]string, bool) {
	first := len(dst)
	gone := false
	for raw := range strings.FieldsSeq(line) {
		w := cleanToken(raw, c)
		gone = w == "" || w == lostWord
		if w == "" {
			// A comma or a full stop after a mention or an emoji stays.
			if tail := raw[len(strings.TrimRight(raw, ",.;!?")):]; tail != "" && len(dst) > first && dst[len(dst)-1] != lostWord && !endsWithMark(dst[len(dst)-1]) {
				dst[len(dst)-1] += tail
			}
			continue
		}
		if w == lostWord && (len(dst) == first || dst[len(dst)-1] == lostWord || endsWithMark(dst[len(dst)-1])) {
			continue // a link after a pause loses no word of the sentence
		}
		if w == "i" || (len(w) > 2 && w[0] == 'i' && w[1] == '\'' && isLowerWord(w[2:])) {
			w = "I" + w[1:]
			c[CleanCapital]++
		}
		for {
			i := runTogether(w)
			if i < 0 {
				break
			}
			c[CleanSpace]++
			dst = append(dst, w[:i])
			w = w[i:]
		}
		dst = append(dst, w)
	}
	return dst, gone
}

// endsWithMark reports whether w ends in punctuation.
func endsWithMark(w string) bool {
	return w != "" && strings.IndexByte(".,;:!?)\"'", w[len(w)-1]) >= 0
}

func isLowerWord(s string) bool {
	for _, r := range s {
		if !unicode.IsLower(r) {
			return false
		}
	}
	return s != ""
}

// lostWord stands where a URL was taken out of the middle of a sentence
// ("they're at https://…"): what is left has lost a word, and is dropped as
// damaged. (No token of the input holds a NUL: Normalize removes them.)
const lostWord = "\x00"

// cleanToken returns w without what is not prose, "" when nothing of it
// is, or lostWord for a URL.
func cleanToken(w string, c *Cleaned) string {
	if plainToken(w) {
		return w // the common case: a word of prose
	}
	if strings.ContainsAny(w, "*_~|`") {
		// Marks first: "**@everyone**" is a mention.
		if w = stripMarks(w, c); w == "" {
			return ""
		}
	}
	if strings.Contains(w, "://") || strings.HasPrefix(strings.TrimLeft(w, openers), "www.") {
		c[CleanURL]++
		return lostWord
	}
	if at := strings.IndexByte(w, '@'); at >= 0 {
		core := strings.TrimLeft(w, openers)
		if strings.HasPrefix(core, "@") && len(core) > 1 {
			c[CleanMention]++
			return ""
		}
		if at > 0 && strings.IndexByte(w[at:], '.') > 0 {
			c[CleanMention]++ // an e-mail address
			return ""
		}
	}
	if emoticons[w] || isShortcode(w) {
		c[CleanEmoji]++
		return ""
	}
	return w
}

// plainToken reports whether w can hold none of what cleanToken removes: no
// mark, no @, no colon or slash (links, shortcodes), none of the other
// marks emoticons are made of, and no "www." start.
func plainToken(w string) bool {
	for i := 0; i < len(w); i++ {
		switch w[i] {
		case '*', '_', '~', '|', '`', '@', ':', '/', ';', '=', '<', '^', '\\':
			return false
		}
	}
	i := 0
	for i < len(w) && strings.IndexByte(openers, w[i]) >= 0 {
		i++
	}
	return !strings.HasPrefix(w[i:], "www.") && w != "xD" && w != "XD"
}

// emoticons are the faces chat writes with punctuation.
var emoticons = map[string]bool{
	":)": true, ":-)": true, ":(": true, ":-(": true, ":D": true, ":-D": true, ":P": true, ":-P": true,
	":p": true, ";)": true, ";-)": true, ":/": true, ":-/": true, ":o": true, ":O": true, ":3": true,
	"<3": true, "xD": true, "XD": true, ":')": true, ":'(": true, "^^": true, "^_^": true, "o/": true,
	"\\o/": true, ":|": true, "D:": true, "=)": true, "=(": true, "=D": true, ":]": true, ":[": true,
}

// isShortcode reports whether w is an emoji shortcode or several
// (":smile:", ":+1::tada:"), perhaps followed by punctuation.
func isShortcode(w string) bool {
	w = strings.TrimRight(w, ".,;!?")
	if len(w) < 3 || w[0] != ':' || w[len(w)-1] != ':' {
		return false
	}
	letters := false
	for _, code := range strings.Split(w[1:len(w)-1], "::") {
		if code == "" {
			return false
		}
		for i := 0; i < len(code); i++ {
			switch ch := code[i]; {
			case ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z':
				letters = true
			case ch >= '0' && ch <= '9' || ch == '_' || ch == '+' || ch == '-':
			default:
				return false
			}
		}
	}
	return letters
}

// marks are the Markdown emphasis marks, longest first.
var marks = []string{"**", "__", "~~", "||", "*", "_", "`"}

// stripMarks removes Markdown emphasis marks from the edges of a word —
// after its opening quotes and brackets, before its closing punctuation —
// keeping the word: "**bold**", "_lover_,", "(_A" and "~~strike~~". Marks
// inside a word (snake_case) stay.
func stripMarks(w string, c *Cleaned) string {
	lead := len(w) - len(strings.TrimLeft(w, openers))
	head, body := w[:lead], w[lead:]
	for stripped := true; stripped; {
		stripped = false
		for _, m := range marks {
			if strings.HasPrefix(body, m) {
				body = body[len(m):]
				c[CleanMarkup]++
				stripped = true
				break
			}
		}
	}
	core := strings.TrimRight(body, `"').,;:!?]`)
	tail := body[len(core):]
	for stripped := true; stripped; {
		stripped = false
		for _, m := range marks {
			if strings.HasSuffix(core, m) {
				core = core[:len(core)-len(m)]
				c[CleanMarkup]++
				stripped = true
				break
			}
		}
	}
	if core == "" && strings.Trim(tail, `"')]`) == "" {
		return ""
	}
	if core == "" && head == "" {
		// Only punctuation was left ("**:"): keep it, the sentence may need it.
		return tail
	}
	// A backtick inside a word marks code: drop the marks, keep the code.
	if strings.IndexByte(core, '`') >= 0 {
		core = strings.ReplaceAll(core, "`", "")
		c[CleanMarkup]++
	}
	return head + core + tail
}

// runTogether returns where a word that runs two sentences together
// should be split — after a full stop, question or exclamation mark and any
// closing quotes or brackets, before a capitalised word, as in
// `dragons."From` or "indeed...But" — or -1. The part before must hold a
// lower-case letter and the part after start a word with a capital followed
// by lower case, so "U.S.Army", "3.5" and "B.C." stay whole.
func runTogether(w string) int {
	for i := 1; i < len(w); i++ {
		if w[i] != '.' && w[i] != '!' && w[i] != '?' {
			continue
		}
		j := i + 1
		for j < len(w) && strings.IndexByte(`.!?"')]`, w[j]) >= 0 {
			j++
		}
		if j >= len(w) {
			return -1
		}
		r, size := utf8.DecodeRuneInString(w[j:])
		if !unicode.IsUpper(r) || strings.IndexFunc(w[j+size:], unicode.IsLower) < 0 {
			i = j - 1
			continue
		}
		if strings.IndexFunc(w[:i], unicode.IsLower) < 0 {
			i = j - 1
			continue
		}
		return j
	}
	return -1
}

// capitalise returns the sentence's first token with its first letter (after
// opening quotes and brackets) in upper case, and whether it changed.
func capitalise(w string) (string, bool) {
	lead := len(w) - len(strings.TrimLeft(w, openers))
	r, size := utf8.DecodeRuneInString(w[lead:])
	up := unicode.ToTitle(r)
	if !unicode.IsLower(r) || up == r {
		return w, false // a capital, or a letter with none
	}
	return w[:lead] + string(up) + w[lead+size:], true
}
