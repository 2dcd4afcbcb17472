package corpus

import (
	"hash/fnv"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// typography maps typographic characters onto plain ones a Markov chain can
// count as one: curly quotes become straight, spaced dashes become an em
// dash, ellipses three dots, odd spaces a plain space, and invisible
// characters nothing.
var typography = strings.NewReplacer(
	"\r\n", "\n", "\r", "\n",
	"\ufeff", "", "\u200b", "", "\u200c", "", "\u200d", "", "\u2060", "", "\u00ad", "",
	"\u00a0", " ", "\u2009", " ", "\u202f", " ", "\u2002", " ", "\u2003", " ", "\t", " ",
	"\u2018", "'", "\u2019", "'", "\u201a", "'", "\u201b", "'", "\u2032", "'",
	"\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u201f", `"`, "\u2033", `"`, "\u00ab", `"`, "\u00bb", `"`,
	" \u2013 ", " \u2014 ", " \u2014 ", " \u2014 ", " -- ", " \u2014 ", "--", " \u2014 ",
	"\u2013", "-", "\u2014", " \u2014 ", "\u2012", "-", "\u2010", "-", "\u2011", "-",
	"\u2026", "...",
)

// Normalize returns s with typography made plain (see the package doc),
// invalid UTF-8 and control characters removed, and line ends made "\n".
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	s = typography.Replace(s)
	if strings.IndexFunc(s, isControl) >= 0 {
		s = strings.Map(func(r rune) rune {
			if isControl(r) {
				return -1
			}
			return r
		}, s)
	}
	return s
}

func isControl(r rune) bool {
	return r != '\n' && (unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Cf, r))
}

// parser accumulates sentences and headings into a Text, dropping exact
// duplicate paragraphs across everything it is given.
type parser struct {
	t    *Text
	seen map[uint64]struct{}
	// progress, when set, is called about every progressEvery bytes of
	// normalised input with the bytes of the current document done so far.
	progress func(done int64)
	// compact files sentences as Lines instead of Sentences.
	compact bool
}

const progressEvery = 1 << 20

func newParser(t *Text) *parser { return &parser{t: t, seen: make(map[uint64]struct{})} }

// add parses one document, or a piece of one that ends at a paragraph
// boundary; rawBytes is the input's size before decoding.
func (p *parser) add(raw string, rawBytes int64) {
	p.t.Bytes += rawBytes
	text := Normalize(raw)
	total, last := len(text), 0
	for len(text) > 0 {
		var para string
		para, text = nextParagraph(text)
		p.paragraph(para)
		if done := total - len(text); p.progress != nil && done-last >= progressEvery {
			last = done
			// Normalisation changes lengths a little; scale back to raw bytes.
			p.progress(int64(float64(done) / float64(total) * float64(rawBytes)))
		}
	}
}

// nextParagraph returns the lines up to the next blank line, and the rest.
func nextParagraph(s string) (para, rest string) {
	start := 0
	// Skip leading blank lines.
	for start < len(s) {
		end := strings.IndexByte(s[start:], '\n')
		line := s[start:]
		if end >= 0 {
			line = s[start : start+end]
		}
		if strings.TrimSpace(line) != "" {
			break
		}
		if end < 0 {
			return "", ""
		}
		start += end + 1
	}
	i := start
	for i < len(s) {
		end := strings.IndexByte(s[i:], '\n')
		if end < 0 {
			return s[start:], ""
		}
		next := i + end + 1
		// A blank line (only spaces) ends the paragraph.
		j := next
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j >= len(s) || s[j] == '\n' {
			return s[start : i+end], s[next:]
		}
		i = next
	}
	return s[start:], ""
}

// paragraph files one paragraph as a heading or as prose sentences.
func (p *parser) paragraph(para string) {
	para = strings.TrimSpace(para)
	if para == "" {
		return
	}
	// A Markdown heading line is a paragraph of its own even when no blank
	// line separates it from the text around it.
	if !strings.Contains(para, "#") {
		// The common case: no heading line to split off.
	} else if lines := strings.Split(para, "\n"); len(lines) > 1 && slices.ContainsFunc(lines, isMarkdownHeading) {
		start := 0
		for i, l := range lines {
			if isMarkdownHeading(l) {
				p.paragraph(strings.Join(lines[start:i], "\n"))
				p.paragraph(l)
				start = i + 1
			}
		}
		p.paragraph(strings.Join(lines[start:], "\n"))
		return
	}
	p.t.Paragraphs++
	h := fnv.New64a()
	h.Write([]byte(para))
	sum := h.Sum64()
	if _, dup := p.seen[sum]; dup {
		p.t.Duplicates++
		return
	}
	p.seen[sum] = struct{}{}

	para, markdownHeading := stripMarkdown(para)
	if markdownHeading || isHeading(para) {
		if h := strings.Join(strings.Fields(para), " "); h != "" && utf8.RuneCountInString(h) <= 200 {
			p.t.Headings = append(p.t.Headings, h)
		}
		return
	}
	words := strings.Fields(para)
	start := 0
	for i, w := range words {
		if i+1 < len(words) && !endsSentence(w, words[i+1]) {
			continue
		}
		if s := cleanSentence(words[start : i+1]); s != nil && damaged(s) {
			p.t.Damaged++
		} else if s != nil {
			if p.compact {
				p.t.Lines = append(p.t.Lines, strings.Join(s, " "))
			} else {
				p.t.Sentences = append(p.t.Sentences, s)
			}
		}
		start = i + 1
	}
}

// isMarkdownHeading reports whether line is a Markdown ATX heading
// ("# Title", "## Title"), not a "#1" or a "#hashtag".
func isMarkdownHeading(line string) bool {
	line = strings.TrimLeft(line, " ")
	rest := strings.TrimLeft(line, "#")
	return len(rest) < len(line) && (rest == "" || rest[0] == ' ')
}

// stripMarkdown removes the Markdown a .md file would add around prose:
// heading hashes (reporting a heading), block quotes, list markers, and
// emphasis and code marks.
func stripMarkdown(para string) (string, bool) {
	if isMarkdownHeading(para) && !strings.Contains(para, "\n") {
		return strings.TrimSpace(strings.TrimLeft(para, "#")), true
	}
	if !strings.ContainsAny(para, "*`>-") {
		return para, false
	}
	lines := strings.Split(para, "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		for _, prefix := range []string{"> ", "- ", "* ", "+ "} {
			l = strings.TrimPrefix(l, prefix)
		}
		lines[i] = l
	}
	para = strings.Join(lines, "\n")
	para = strings.NewReplacer("**", "", "__", "", "`", "").Replace(para)
	return para, false
}

// isHeading reports whether a paragraph is a heading: one short line that
// starts with a capital and does not read as a finished sentence.
func isHeading(para string) bool {
	if strings.Contains(para, "\n") {
		return false
	}
	words := strings.Fields(para)
	if len(words) == 0 || len(words) > 14 {
		return false
	}
	first, _ := utf8.DecodeRuneInString(strings.TrimLeft(para, `"'(`))
	if !unicode.IsUpper(first) {
		return false
	}
	last := strings.TrimRight(words[len(words)-1], `"')]~*_`)
	if last == "" {
		return false
	}
	switch last[len(last)-1] {
	case '.', ',', ';', ':':
		return false
	case '!', '?':
		// "Everything Is Just Dandy!" is a title; "Are you quite sure?" is
		// a line of dialogue.
		if !titleCased(words) {
			return false
		}
	}
	for i := 0; i+1 < len(words); i++ {
		if endsSentence(words[i], words[i+1]) {
			return false
		}
	}
	return true
}

// titleCased reports whether most words longer than three letters start
// with a capital.
func titleCased(words []string) bool {
	long, upper := 0, 0
	for _, w := range words {
		w = strings.TrimLeft(w, `"'(`)
		if utf8.RuneCountInString(w) <= 3 {
			continue
		}
		long++
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) {
			upper++
		}
	}
	return long > 0 && upper*2 > long
}

// abbreviations never end a sentence even before a capitalised word.
var abbreviations = map[string]bool{
	"mr.": true, "mrs.": true, "ms.": true, "dr.": true, "prof.": true, "st.": true,
	"jr.": true, "sr.": true, "vs.": true, "cf.": true, "no.": true, "fig.": true,
	"mt.": true, "col.": true, "gen.": true, "capt.": true, "lt.": true, "sgt.": true,
	"rev.": true, "hon.": true, "gov.": true, "sen.": true, "rep.": true, "messrs.": true,
	"mme.": true, "mlle.": true, "approx.": true, "dept.": true, "est.": true, "vol.": true,
	"ch.": true, "pp.": true, "p.": true, "op.": true, "ed.": true, "eds.": true,
}

// endsSentence reports whether word ends a sentence, given the word after it.
// Abbreviations ("e.g.", "Dr."), initials ("C.") and dotted acronyms
// ("U.S.", "D.S.A.") do not; a terminal mark followed by a word that starts
// in lower case does not either.
func endsSentence(word, next string) bool {
	core := strings.TrimRight(word, `"')]*~`)
	if core == "" {
		return false
	}
	switch core[len(core)-1] {
	case '!', '?':
	case '.':
		if isAbbreviation(core) {
			return false
		}
	default:
		return false
	}
	r, _ := utf8.DecodeRuneInString(strings.TrimLeft(next, `"'([*`))
	return unicode.IsUpper(r) || unicode.IsDigit(r)
}

// isAbbreviation reports whether w (ending in '.') is an abbreviation, an
// initial or a dotted acronym rather than the end of a sentence.
func isAbbreviation(w string) bool {
	w = strings.TrimLeft(w, `"'([`)
	if abbreviations[strings.ToLower(w)] {
		return true
	}
	if strings.HasSuffix(w, "...") {
		return false
	}
	// "C." (an initial), "U.S.", "e.g.", "D.S.A.": letters each followed by a dot.
	body := w
	letters := 0
	for body != "" {
		r, size := utf8.DecodeRuneInString(body)
		if !unicode.IsLetter(r) || len(body) < size+1 || body[size] != '.' {
			return false
		}
		letters++
		body = body[size+1:]
	}
	if letters == 1 {
		r, _ := utf8.DecodeRuneInString(w)
		return unicode.IsUpper(r) // a lower-case "a." ends a sentence
	}
	return true
}

// cleanSentence returns the sentence's tokens, or nil for a fragment that is
// not a sentence: fewer than three words, no letters, no capital start or no
// terminal punctuation.
func cleanSentence(words []string) []string {
	if len(words) < 3 {
		return nil
	}
	last := strings.TrimRight(words[len(words)-1], "~*#_")
	if last == "" {
		return nil
	}
	core := strings.TrimRight(last, `"')]`)
	if core == "" || !strings.ContainsRune(".!?", rune(core[len(core)-1])) {
		return nil
	}
	first, _ := utf8.DecodeRuneInString(strings.TrimLeft(words[0], `"'([`))
	if !unicode.IsUpper(first) && !unicode.IsDigit(first) {
		return nil
	}
	letters := 0
	for _, w := range words {
		if strings.IndexFunc(w, unicode.IsLetter) >= 0 {
			letters++
		}
	}
	if letters < 2 {
		return nil
	}
	out := make([]string, len(words))
	copy(out, words)
	out[len(out)-1] = last
	return out
}

// damaged reports whether a sentence has lost words on the way to us, so
// that learning it would teach the chain the damage: a possessive with no
// owner ("That's where 's lack of knowledge"), a comma or other mark
// standing alone where a word was ("Whereas , insists"), or brackets or
// quotes with nothing inside ("()", `""`).
func damaged(words []string) bool {
	for _, w := range words {
		// A possessive ending with nothing before it.
		if rest, ok := strings.CutPrefix(strings.TrimLeft(w, `"([`), "'s"); ok && strings.IndexFunc(rest, unicode.IsLetter) < 0 {
			return true
		}
		if strings.Trim(w, ",;:") == "" {
			return true
		}
		switch strings.Trim(w, ".,;:!?") {
		case "()", "[]", `""`, "''":
			return true
		}
	}
	return false
}
