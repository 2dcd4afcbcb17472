package fluency

import (
	"strings"
	"unicode"
)

// token is one word (lower case) or mark of a sentence.
type token struct {
	w    string
	word bool
}

// marks rewrites the marks this package does not read (quotes, brackets)
// away and the dashes to one "--"; curly apostrophes become straight.
var marks = strings.NewReplacer("’", "'", "‘", "'", "“", "", "”", "", "\"", "",
	"—", " -- ", "–", " -- ", "--", " -- ", "…", " . ", "(", " ", ")", " ", "[", " ", "]", " ",
	"_", " ", "*", " ", "\r", " ")

// sentences splits text into sentences of tokens: a sentence ends at . ! or
// ? followed by a capital, a digit, a mark or the end of the text. Words are
// letters and digits, joined by an inner apostrophe or hyphen ("don't",
// "anti-authoritarian"); quotes and brackets are dropped.
func sentences(text string) [][]token {
	rs := []rune(marks.Replace(text))
	n := len(rs)
	var out [][]token
	var cur []token
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
	}
	alnum := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	for i := 0; i < n; {
		c := rs[i]
		switch {
		case alnum(c):
			j := i
			for j < n {
				if alnum(rs[j]) {
					j++
					continue
				}
				joiner := rs[j] == '\'' || rs[j] == '-' || rs[j] == '.' && j+1 < n && unicode.IsDigit(rs[j+1]) && unicode.IsDigit(rs[j-1])
				if joiner && j+1 < n && alnum(rs[j+1]) {
					j++
					continue
				}
				break
			}
			cur = append(cur, token{w: strings.ToLower(string(rs[i:j])), word: true})
			i = j
		case c == '.' || c == '!' || c == '?':
			j := i
			for j < n && (rs[j] == '.' || rs[j] == '!' || rs[j] == '?') {
				j++
			}
			if c == '.' && len(cur) > 0 && cur[len(cur)-1].word && abbreviation(cur[len(cur)-1].w) {
				i = j
				continue
			}
			cur = append(cur, token{w: string(c)})
			k := j
			for k < n && (unicode.IsSpace(rs[k]) || rs[k] == '\'') {
				k++
			}
			if k >= n || unicode.IsUpper(rs[k]) || unicode.IsDigit(rs[k]) || j < n && unicode.IsSpace(rs[j]) && !unicode.IsLower(rs[k]) {
				flush()
			}
			i = j
		case c == ',' || c == ';' || c == ':':
			cur = append(cur, token{w: string(c)})
			i++
		case c == '-':
			for i < n && rs[i] == '-' {
				i++
			}
			cur = append(cur, token{w: "--"})
		default:
			i++
		}
	}
	flush()
	return out
}

// abbreviation reports whether a word before a full stop is a title or an
// initial ("Mr.", "J."), which does not end a sentence.
func abbreviation(w string) bool {
	switch w {
	case "mr", "mrs", "dr", "st", "messrs", "vs", "etc", "e.g", "i.e", "ms", "jr", "sr", "prof", "rev":
		return true
	}
	r := []rune(w)
	return len(r) == 1 && w != "i" && w != "a"
}
