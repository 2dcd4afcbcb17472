package quality

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// isWord is Python's \w: letters, digits and numbers of any script, and "_".
func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord(byte(r))
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

func asciiWord(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' }

// scan walks s (already lower-cased) as quality.py's two patterns do:
// \w+(?:['’]\w+)? for words and, when punct is set, [^\w\s] for single
// marks. It calls f with each token.
func scan(s string, punct bool, f func(string)) {
	i := 0
	for i < len(s) {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case isWord(r):
			j := i + size
			for j < len(s) {
				if c := s[j]; c < utf8.RuneSelf {
					if !asciiWord(c) {
						break
					}
					j++
					continue
				}
				r, n := utf8.DecodeRuneInString(s[j:])
				if !isWord(r) {
					break
				}
				j += n
			}
			// An apostrophe and more word characters belong to the word, once.
			if j < len(s) {
				if r, n := utf8.DecodeRuneInString(s[j:]); isApostrophe(r) {
					k := j + n
					for k < len(s) {
						r, n := utf8.DecodeRuneInString(s[k:])
						if !isWord(r) {
							break
						}
						k += n
					}
					if k > j+n {
						j = k
					}
				}
			}
			f(s[i:j])
			i = j
		case unicode.IsSpace(r):
			i += size
		default:
			if punct {
				f(s[i : i+size])
			}
			i += size
		}
	}
}

// Tokens returns quality.py's toks(s): the lower-cased words and single
// punctuation marks of s.
func Tokens(s string) []string {
	var out []string
	scan(strings.ToLower(s), true, func(t string) { out = append(out, t) })
	return out
}

// Words returns quality.py's words(s): the lower-cased words of s, an
// apostrophe joining at most two parts ("don't", "holmes’s").
func Words(s string) []string { return appendWords(nil, s) }

// appendWords appends the Words of s to dst. Words already in lower case
// are not copied.
func appendWords(dst []string, s string) []string {
	// Case mapping is rune by rune and keeps letters letters, so lowering
	// each word is lowering the text.
	scan(s, false, func(t string) {
		for i := 0; i < len(t); i++ {
			if c := t[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
				t = strings.ToLower(t)
				break
			}
		}
		dst = append(dst, t)
	})
	return dst
}

// collapse is re.sub(r'\s+', ' ', text).
func collapse(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	space := false
	for _, r := range text {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

func isCloser(r rune) bool { return strings.ContainsRune(`"”’')`, r) }
func isOpener(r rune) bool { return strings.ContainsRune(`"“‘'(`, r) }

// SplitSentences is quality.py's split_sentences: whitespace collapsed, a
// break after . ! or ? (and one closing quote or bracket) and a space
// before an ASCII capital (after one opening quote or bracket), and only
// pieces of at least four words kept.
func SplitSentences(text string) []string {
	text = collapse(text)
	var out []string
	keep := func(s string) {
		s = strings.TrimSpace(s)
		if len(strings.Fields(s)) >= 4 {
			out = append(out, s)
		}
	}
	start := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		if r, n := utf8.DecodeRuneInString(text[j:]); n > 0 && isCloser(r) && j+n < len(text) && text[j+n] == ' ' {
			j += n
		}
		if j >= len(text) || text[j] != ' ' {
			continue
		}
		k := j + 1
		if r, n := utf8.DecodeRuneInString(text[k:]); n > 0 && isOpener(r) {
			k += n
		}
		if k < len(text) && text[k] >= 'A' && text[k] <= 'Z' {
			keep(text[start:j])
			start = j + 1
			i = j
		}
	}
	keep(text[start:])
	return out
}

// Pieces reads generated text as quality.py --pieces does: pieces separated
// by a line "---", each piece's first line (its title) and every line
// holding "Glow Cloud!" dropped, the rest split into sentences.
func Pieces(out string) [][]string {
	var pieces [][]string
	for _, p := range strings.Split(out, "\n---\n") {
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(p), "\n") {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) < 2 {
			continue
		}
		var body []string
		for _, l := range lines[1:] {
			if !strings.Contains(l, "Glow Cloud!") {
				body = append(body, l)
			}
		}
		pieces = append(pieces, SplitSentences(strings.Join(body, " ")))
	}
	return pieces
}

// Lines reads generated text as quality.py without --pieces does: one
// sentence a line, lines of fewer than four words dropped.
func Lines(out string) []string {
	var sents []string
	for _, l := range strings.Split(out, "\n") {
		if len(strings.Fields(l)) >= 4 {
			sents = append(sents, strings.TrimSpace(l))
		}
	}
	return sents
}

// stop is quality.py's STOP list.
var stop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("the and that this with from have were which their there they them then than what when where while would " +
		"could should about into your just also more most some such only over very been being because other these " +
		"those does will shall upon it's isn't") {
		m[w] = true
	}
	return m
}()

// contentWords returns quality.py's content(s): the words of s longer
// than three letters that are not on its stop list.
func contentWords(s string) []string {
	var out []string
	for _, w := range Words(s) {
		if isContent(w) {
			out = append(out, w)
		}
	}
	return out
}

// isContent reports whether the lower-case word w counts as a content word
// for cohesion: longer than three letters and not on quality.py's stop list.
func isContent(w string) bool { return utf8.RuneCountInString(w) > 3 && !stop[w] }

// balanced reports whether s has an even number of double quotes (straight
// or curly) and as many closing as opening round and square brackets.
func balanced(s string) bool {
	q := strings.Count(s, `"`) + strings.Count(s, "“") + strings.Count(s, "”")
	return q%2 == 0 && strings.Count(s, "(") == strings.Count(s, ")") && strings.Count(s, "[") == strings.Count(s, "]")
}
