package compose

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// typeset gives a text the typography of printed prose: straight quotes
// become curly ones, rune for rune (lengths in characters are unchanged).
// corpus.Normalize makes every quote straight so that the chain counts
// "it's" and "it’s" as one word; the essay is set with curly quotes, and
// blind readers told generated paragraphs from its own by their straight
// apostrophes (readings t01 and tB2, 7 Dec 2026), so a model of a corpus
// set so writes so (Writer.typeset). An apostrophe inside or
// at the end of a word, or before a digit ("’90s"), is ’; a quote opening
// a word (at the start, after a space, a dash or an opening bracket or
// quote) is ‘ or “; any other is ’ or ”.
func typeset(s string) string {
	if !strings.ContainsAny(s, `'"`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	prev := ' '
	for i, r := range s {
		switch r {
		case '\'', '"':
			next, _ := utf8.DecodeRuneInString(s[i+1:])
			opens := opensQuote(prev)
			switch {
			case r == '\'' && (unicode.IsLetter(prev) || unicode.IsDigit(prev) || unicode.IsDigit(next)):
				r = '’'
			case r == '\'' && opens:
				r = '‘'
			case r == '\'':
				r = '’'
			case opens:
				r = '“'
			default:
				r = '”'
			}
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// opensQuote reports whether a quote after r opens a quotation.
func opensQuote(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("([{—–-/“‘", r)
}

// typeset sets s as the Writer's corpus was set: with curly quotes when it
// had them (markov.Meta.CurlyQuotes), else as it is.
func (w *Writer) typeset(s string) string {
	if !w.m.Meta().CurlyQuotes {
		return s
	}
	return typeset(s)
}
