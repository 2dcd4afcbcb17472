package corpus

import (
	"hash/fnv"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// plainTypography maps typographic characters onto plain ones a Markov
// chain can count as one: curly quotes become straight, spaced dashes
// become an em dash, ellipses three dots, odd spaces a plain space, and
// invisible characters nothing. It is the strings.Replacer
//
//	"\r\n" → "\n", "\r" → "\n",
//	U+FEFF, U+200B, U+200C, U+200D, U+2060, U+00AD → "",
//	U+00A0, U+2009, U+202F, U+2002, U+2003, "\t" → " ",
//	‘ ’ ‚ ‛ ′ → "'",  “ ” „ ‟ ″ « » → `"`,
//	" – ", " — ", " -- ", "--" → " — ",
//	"–" → "-", "—" → " — ", U+2012, U+2010, U+2011 → "-", "…" → "...",
//
// written out (TestPlainTypography and FuzzPlainTypography hold it to that
// Replacer): every key holds one of the bytes \r \t - 0xC2 0xE2 0xEF,
// which it finds with strings.IndexByte, where the Replacer looked each
// byte of the text up in its trie. s must be valid UTF-8.
func plainTypography(s string) string {
	const triggers = "\r\t-\xc2\xe2\xef"
	var next [len(triggers)]int // next[k]: where triggers[k] next occurs at or after pos, -1 if nowhere
	for k := range next {
		next[k] = -2 // not looked for yet
	}
	var b strings.Builder
	done, pos := 0, 0 // s[:done] is in b (or unchanged); no key starts in s[done:pos] (but see the space keys)
	for pos < len(s) {
		j := len(s)
		for k := range next {
			if next[k] != -1 && next[k] < pos {
				next[k] = strings.IndexByte(s[pos:], triggers[k])
				if next[k] >= 0 {
					next[k] += pos
				}
			}
			if next[k] >= 0 && next[k] < j {
				j = next[k]
			}
		}
		if j == len(s) {
			break
		}
		// A space key (" – ", " — ", " -- ") starts at the space before j,
		// which the Replacer tried before j.
		if c := s[j]; (c == '-' || c == 0xe2) && j-1 >= pos && s[j-1] == ' ' {
			if rest := s[j-1:]; strings.HasPrefix(rest, " \u2013 ") || strings.HasPrefix(rest, " \u2014 ") || strings.HasPrefix(rest, " -- ") {
				n := len(" -- ")
				if rest[1] == 0xe2 {
					n = len(" \u2014 ")
				}
				b.WriteString(s[done : j-1])
				b.WriteString(" \u2014 ")
				done, pos = j-1+n, j-1+n
				continue
			}
		}
		repl, n := typographyAt(s[j:])
		if n == 0 {
			pos = j + 1
			continue
		}
		b.WriteString(s[done:j])
		b.WriteString(repl)
		done, pos = j+n, j+n
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// typographyAt returns what plainTypography puts for the key other than a
// space key at the start of s, and the key's length; 0 when none is there.
func typographyAt(s string) (string, int) {
	switch s[0] {
	case '\r':
		if len(s) > 1 && s[1] == '\n' {
			return "\n", 2
		}
		return "\n", 1
	case '\t':
		return " ", 1
	case '-':
		if len(s) > 1 && s[1] == '-' {
			return " \u2014 ", 2
		}
		return "", 0
	}
	r, n := utf8.DecodeRuneInString(s)
	switch r {
	case '\ufeff', '\u200b', '\u200c', '\u200d', '\u2060', '\u00ad':
		return "", n
	case '\u00a0', '\u2009', '\u202f', '\u2002', '\u2003':
		return " ", n
	case '\u2018', '\u2019', '\u201a', '\u201b', '\u2032':
		return "'", n
	case '\u201c', '\u201d', '\u201e', '\u201f', '\u2033', '\u00ab', '\u00bb':
		return `"`, n
	case '\u2013', '\u2012', '\u2010', '\u2011':
		return "-", n
	case '\u2014':
		return " \u2014 ", n
	case '\u2026':
		return "...", n
	}
	return "", 0
}

// Normalize returns s with typography made plain (see the package doc),
// invalid UTF-8 and control characters removed, and line ends made "\n".
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	s = plainTypography(s)
	if hasControl(s) {
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

// hasControl reports whether valid UTF-8 s holds a rune isControl
// removes: strings.IndexFunc(s, isControl) >= 0 with ASCII, nearly all of
// any input, tested a byte at a time (its controls are those below a space
// and DEL) rather than through the Unicode tables.
func hasControl(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c < ' ' && c != '\n' || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if isControl(r) {
			return true
		}
		i += n
	}
	return false
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

	// State of the current input, reset by begin.
	fresh     bool // nothing of the input parsed yet
	gutenberg bool // the input is a Project Gutenberg book
	skipping  bool // inside a Project Gutenberg header or footer
	inCode    bool // inside a fenced Markdown code block
	afterBy   bool // the last paragraph was a lone "by": a name follows

	// Scratch for lines.
	words    []string
	lineEnds []int
	lineGone []bool
}

const progressEvery = 1 << 20

func newParser(t *Text) *parser {
	p := &parser{t: t, seen: make(map[uint64]struct{})}
	p.begin()
	return p
}

// begin starts a new input: a file's header, code block or byline does
// not run into the next file.
func (p *parser) begin() {
	p.fresh, p.gutenberg, p.skipping, p.inCode, p.afterBy = true, false, false, false, false
}

// add parses one document, or a piece of one that ends at a paragraph
// boundary; rawBytes is the input's size before decoding.
func (p *parser) add(raw string, rawBytes int64) {
	p.t.Bytes += rawBytes
	p.t.curly += strings.Count(raw, "\u2019") + strings.Count(raw, "\u2018") + strings.Count(raw, "\u201c") + strings.Count(raw, "\u201d")
	p.t.straight += strings.Count(raw, "'") + strings.Count(raw, `"`)
	text := Normalize(raw)
	if p.fresh {
		// A Project Gutenberg book: skip its header, up to the START
		// marker (see paragraph for the footer).
		p.fresh = false
		head := text[:min(len(text), gutenbergHead)]
		p.skipping = hasGutenbergStart(head)
		p.gutenberg = p.skipping
	}
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

// paragraph files one paragraph as a heading or as prose sentences, or
// drops it (counting why).
func (p *parser) paragraph(para string) {
	para = strings.TrimSpace(para)
	if para == "" {
		return
	}
	if p.dropGutenberg(para) {
		return
	}
	if p.inCode || hasFence(para) {
		p.code(para)
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
		p.t.Dropped[DropDuplicate]++
		return
	}
	p.seen[sum] = struct{}{}

	afterBy := p.afterBy
	p.afterBy = false
	para, markdownHeading := stripMarkdown(para)
	if markdownHeading {
		p.heading(para)
		return
	}
	if !strings.Contains(para, "\n") {
		switch {
		case metadataLine(para):
			p.t.Dropped[DropMetadata]++
			p.afterBy = strings.EqualFold(para, "by")
			return
		case isChapter(para):
			p.heading(para)
			return
		case hasInlineLabel(para):
			// A speech, however short: "THE CALLS: Wait, my love!"
			p.lines([]string{para})
			return
		case afterBy && isHeading(para):
			// The author's name under a "by".
			p.t.Dropped[DropMetadata]++
			return
		case isHeading(para):
			p.heading(para)
			return
		}
		p.lines([]string{para})
		return
	}
	lines := strings.Split(para, "\n")
	contents := 0
	for _, l := range lines {
		if contentsLine(l) {
			contents++
		}
	}
	if contents*2 >= len(lines) {
		p.t.Dropped[DropContents] += len(lines)
		return
	}
	p.lines(lines)
}

// dropGutenberg drops a paragraph of a Project Gutenberg header, footer or
// licence, and reports whether it did: in a Gutenberg book, the header up
// to the START marker, everything from the END marker on, and any other
// paragraph that speaks of Project Gutenberg (its credits, its web site).
func (p *parser) dropGutenberg(para string) bool {
	if p.skipping {
		p.t.Dropped[DropGutenberg]++
		for l := range strings.Lines(para) {
			if start, _ := gutenbergMarker(l); start {
				p.skipping = false
				break
			}
		}
		return true
	}
	if para[0] == '*' || para[0] == 'E' {
		if _, end := gutenbergMarker(firstLine(para)); end {
			p.skipping = true
			p.t.Dropped[DropGutenberg]++
			return true
		}
	}
	if p.gutenberg && mentionsGutenberg(para) {
		p.t.Dropped[DropGutenberg]++
		return true
	}
	return false
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// hasFence reports whether a line of para starts or ends a fenced code
// block.
func hasFence(para string) bool {
	if !strings.Contains(para, "```") && !strings.Contains(para, "~~~") {
		return false
	}
	for l := range strings.Lines(para) {
		if isFence(l) {
			return true
		}
	}
	return false
}

func isFence(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")
}

// code drops the lines of fenced Markdown code blocks (```, ~~~) from a
// paragraph, and parses what is outside them.
func (p *parser) code(para string) {
	var outside []string
	flush := func() {
		if len(outside) > 0 {
			p.paragraph(strings.Join(outside, "\n"))
			outside = outside[:0]
		}
	}
	for l := range strings.Lines(para) {
		l = strings.TrimRight(l, "\n")
		if isFence(l) {
			p.t.Dropped[DropCode]++
			if !p.inCode {
				flush()
			}
			p.inCode = !p.inCode
			continue
		}
		if p.inCode {
			p.t.Dropped[DropCode]++
			continue
		}
		outside = append(outside, l)
	}
	flush()
}

// heading files a heading, cleaned: links, mentions and marks removed, a
// chapter number taken off ("CHAPTER XII. The Trial" is "The Trial"), and
// capitals made title case. A heading that was only a chapter number is
// dropped.
func (p *parser) heading(h string) {
	words, _ := appendTokens(p.words[:0], cleanInline(h, &p.t.Cleaned), &p.t.Cleaned)
	p.words = words[:0]
	h = strings.Join(words, " ")
	if rest, ok := chapterLabel(h); ok {
		if rest == "" {
			p.t.Dropped[DropContents]++
			return
		}
		h = strings.TrimSpace(strings.TrimSuffix(rest, "."))
		if h == "" {
			p.t.Dropped[DropContents]++
			return
		}
	}
	h = titleCase(h)
	if h != "" && utf8.RuneCountInString(h) <= 200 {
		p.t.Headings = append(p.t.Headings, h)
	}
}

// lines learns the sentences of a paragraph's lines. Dates, bylines and
// metadata lines are dropped; a play's speaker labels and chat time stamps
// are taken off; the rest is cleaned (see appendTokens) and split into
// sentences. In a paragraph of chat (see lineBroken) each line is a
// message and ends a sentence; otherwise the lines are prose wrapped to a
// width, and are joined. A sentence that ends a line without final
// punctuation gets a full stop.
func (p *parser) lines(lines []string) {
	c := &p.t.Cleaned
	play := false
	kept := lines[:0]
	indented := false
	for i, l := range lines {
		if i > 0 && strings.HasPrefix(l, "  ") {
			indented = true // verse, a letter's address: not chat
		}
		l = strings.TrimSpace(l)
		switch {
		case l == "":
			continue
		case i == 0 && len(lines) > 1 && speakerLabel(l):
			c[CleanLabel]++
			play = true
			continue
		case metadataLine(l):
			p.t.Dropped[DropMetadata]++
			continue
		}
		if rest, ok := inlineLabel(l); ok {
			c[CleanLabel]++
			l = rest
		}
		l = trimListNumber(l)
		if l != "" {
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		return
	}
	// Clean each line, and see whether they are chat (see lineBroken) by
	// what is left of them.
	words := p.words[:0]
	ends := p.lineEnds[:0] // the end of each line's words in words
	gone := p.lineGone[:0] // whether each line's last word was removed
	for _, l := range kept {
		var g bool
		words, g = appendTokens(words, cleanInline(l, c), c)
		ends, gone = append(ends, len(words)), append(gone, g)
	}
	chat := len(kept) > 1 && !play && !indented && lineBroken(words, ends)
	p.words, p.lineEnds, p.lineGone = words[:0], ends[:0], gone[:0]
	start, line := 0, 0
	for i, w := range words {
		for line < len(ends) && ends[line] <= i {
			line++
		}
		// Whether words[i] ends its line, and the line ends a sentence.
		lineEnd := i+1 == ends[line] && (line == len(ends)-1 || chat && (gone[line] || !continues(w)))
		if !lineEnd && (i+1 >= len(words) || !endsAt(w, words[i+1], chat)) {
			continue
		}
		p.sentence(words[start : i+1])
		start = i + 1
	}
}

// sentence learns one sentence, or counts why it was dropped.
func (p *parser) sentence(words []string) {
	s, why := cleanSentence(words, &p.t.Cleaned)
	switch {
	case slices.ContainsFunc(words, func(w string) bool { return strings.Contains(w, lostWord) }):
		p.t.Dropped[DropDamaged]++
	case why >= 0:
		p.t.Dropped[why]++
	case damaged(s):
		p.t.Dropped[DropDamaged]++
	case p.compact:
		p.t.Lines = append(p.t.Lines, strings.Join(s, " "))
	default:
		p.t.Sentences = append(p.t.Sentences, s)
	}
}

// lineBroken reports whether a paragraph's lines were broken by hand — a
// chat log's messages, a list — rather than wrapped to a width: more than
// half of its line breaks come where the next line's first word would
// still have fitted, with room to spare (6 characters: wrapping is not
// always greedy), in a line as long as its longest or 60 characters; and
// it is not one sentence wrapped (no line but the last ends with a full
// stop, and each goes on in lower case). Measured on sherlock and mid5,
// the only wrapped paragraphs this takes for chat are lines of dialogue,
// headings and verse, where a line is a unit too.
func lineBroken(words []string, ends []int) bool {
	type line struct {
		runes       int
		first, last string
	}
	lines := make([]line, 0, len(ends))
	width, start := 60, 0
	for _, end := range ends {
		if end == start {
			continue // a line of nothing but links or emoji
		}
		l := line{runes: end - start - 1, first: words[start], last: words[end-1]}
		for _, w := range words[start:end] {
			l.runes += utf8.RuneCountInString(w)
		}
		lines = append(lines, l)
		width = max(width, l.runes)
		start = end
	}
	if len(lines) < 2 {
		return false
	}
	early, oneSentence := 0, true
	for i := 0; i+1 < len(lines); i++ {
		next := lines[i+1].first
		if lines[i].runes+1+utf8.RuneCountInString(next) <= width-6 {
			early++
		}
		r, _ := utf8.DecodeRuneInString(strings.TrimLeft(next, openers))
		if endsWithStop(lines[i].last) || !unicode.IsLower(r) {
			oneSentence = false
		}
	}
	if oneSentence && endsWithStop(lines[len(lines)-1].last) {
		return false
	}
	return early*2 > len(lines)-1
}

// endsWithStop reports whether s ends in . ! or ?, perhaps inside quotes or
// brackets.
func endsWithStop(s string) bool {
	s = strings.TrimRight(s, closers+"*_~")
	return s != "" && strings.IndexByte(".!?", s[len(s)-1]) >= 0
}

// continues reports whether a line ending in w runs on into the next line
// even in chat: it ends on a comma, a semicolon, a colon or a dash.
func continues(w string) bool {
	switch w[len(w)-1] {
	case ',', ';', ':', '-', '&':
		return true
	}
	return strings.HasSuffix(w, "—")
}

// trimListNumber removes a numbered list's "1. " or "2) " from the start of
// a line.
func trimListNumber(l string) string {
	i := 0
	for i < len(l) && i < 3 && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(l) && (l[i] == '.' || l[i] == ')') && l[i+1] == ' ' {
		return strings.TrimSpace(l[i+2:])
	}
	return l
}

func hasInlineLabel(line string) bool {
	_, ok := inlineLabel(line)
	return ok
}

// isChapter reports whether a line is a chapter's heading: a chapter
// number ("CHAPTER XII.", "Chapter 1"), alone or with a title
// ("ADVENTURE II. THE RED-HEADED LEAGUE", "IX. The Engineer's Thumb").
func isChapter(line string) bool {
	rest, ok := chapterLabel(line)
	return ok && (rest == "" || isHeading(strings.TrimSuffix(rest, ".")))
}

// isMarkdownHeading reports whether line is a Markdown ATX heading
// ("# Title", "## Title"), not a "#1" or a "#hashtag".
func isMarkdownHeading(line string) bool {
	line = strings.TrimLeft(line, " ")
	rest := strings.TrimLeft(line, "#")
	return len(rest) < len(line) && (rest == "" || rest[0] == ' ')
}

// stripMarkdown removes the Markdown a .md file would add around prose
// lines: heading hashes (reporting a heading), block quotes and list
// markers. (Emphasis, links and code marks inside lines go in
// appendTokens.)
func stripMarkdown(para string) (string, bool) {
	if isMarkdownHeading(para) && !strings.Contains(para, "\n") {
		return strings.TrimSpace(strings.TrimLeft(para, "#")), true
	}
	if !strings.ContainsAny(para, "*>-+") {
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
	return strings.Join(lines, "\n"), false
}

// isHeading reports whether a paragraph is a heading: one short line of at
// least two words that starts with a capital, is not a quotation, and does
// not read as a finished sentence.
func isHeading(para string) bool {
	if strings.Contains(para, "\n") {
		return false
	}
	// Count up to 15 words before splitting: a longer line is no heading,
	// and splitting it whole (a line of megabytes) cost more than the rest
	// of parsing it.
	n := 0
	for range strings.FieldsSeq(para) {
		if n++; n > 14 {
			return false
		}
	}
	if n < 2 {
		return false
	}
	words := strings.Fields(para)
	first, _ := utf8.DecodeRuneInString(strings.TrimLeft(para, `"'(`))
	if !unicode.IsUpper(first) {
		return false
	}
	if para[0] == '(' {
		return false // a stage direction, an aside
	}
	if para[0] == '"' {
		// A quoted title is followed by more ("Climate Leninism" as a
		// test case); a line that is all one quotation is dialogue
		// ("And Irene Adler?"), or a letter's salutation or signature.
		if end := strings.IndexByte(para[1:], '"'); end < 0 || strings.TrimRight(para[end+2:], ".,;:!? —-") == "" {
			return false
		}
	}
	last := strings.TrimRight(words[len(words)-1], `"')]~*_`)
	if last == "" {
		return false
	}
	if last == "—" || last == "-" {
		return false // a sentence going on into a quotation
	}
	if w := words[len(words)-1]; len(w) >= 2 && w[len(w)-1] == '"' && strings.IndexByte(".!?", w[len(w)-2]) >= 0 {
		return false // ends a line of dialogue (`"Wood!" exclaimed Trenchard, — "of Wych Street?"`)
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
func endsSentence(word, next string) bool { return endsAt(word, next, false) }

// endsAt is endsSentence; in chat, where sentences often start in lower
// case, a terminal mark ends a sentence before any word ("rules? they're
// here") unless a quote or a bracket closes after it (`"Go!" he said`).
func endsAt(word, next string, chat bool) bool {
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
	return unicode.IsUpper(r) || unicode.IsDigit(r) || chat && core == word && unicode.IsLetter(r) && !strings.HasSuffix(core, "...")
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

// cleanSentence returns the sentence's tokens ready to learn, or why it
// is not a sentence: fewer than three words, fewer than two holding
// letters, or not starting with a word (a fragment); stopping on a colon,
// a comma or a dash, or all in capitals with no final punctuation
// (unfinished). A lower-case start is capitalised, and a sentence that
// ends a line on a word without final punctuation gets a full stop.
func cleanSentence(words []string, c *Cleaned) ([]string, Drop) {
	last := strings.TrimRight(words[len(words)-1], "~*#_|")
	if last == "" {
		words = words[:len(words)-1]
	}
	if len(words) < 3 {
		return nil, DropFragment
	}
	letters, lower := 0, false
	for _, w := range words {
		if strings.IndexFunc(w, unicode.IsLetter) >= 0 {
			letters++
			lower = lower || strings.IndexFunc(w, unicode.IsLower) >= 0
		}
	}
	if letters < 2 {
		return nil, DropFragment
	}
	first, _ := utf8.DecodeRuneInString(strings.TrimLeft(words[0], openers))
	if !unicode.IsLetter(first) && !unicode.IsDigit(first) {
		return nil, DropFragment
	}
	if last == "" {
		last = words[len(words)-1]
	}
	stop := ""
	core := strings.TrimRight(last, closers)
	if !lower && strings.IndexFunc(strings.Join(words, ""), unicode.IsUpper) >= 0 {
		// All in capitals: a heading or a label ("BOOK I. (FOLIO),
		// CHAPTER II."), or shouting.
		return nil, DropUnfinished
	}
	if core == "" || !strings.ContainsRune(".!?", rune(core[len(core)-1])) {
		r, _ := utf8.DecodeLastRuneInString(core)
		if !lower || core == "" || !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.So, r)) {
			return nil, DropUnfinished
		}
		stop = "."
	}
	out := make([]string, len(words))
	copy(out, words)
	out[len(out)-1] = last + stop
	if stop != "" {
		c[CleanStop]++
	}
	if w, changed := capitalise(out[0]); changed {
		out[0] = w
		c[CleanCapital]++
	}
	return out, -1
}

// damaged reports whether a sentence has lost words on the way to us, so
// that learning it would teach the chain the damage: a possessive with no
// owner ("That's where 's lack of knowledge"), a comma or other mark
// standing alone where a word was ("Whereas , insists"), or brackets or
// quotes with nothing inside ("()", `""`).
func damaged(words []string) bool {
	for _, w := range words {
		if w == lostWord {
			return true
		}
		// A possessive ending with nothing before it.
		i := 0
		for i < len(w) && (w[i] == '"' || w[i] == '(' || w[i] == '[') {
			i++
		}
		if rest, ok := strings.CutPrefix(w[i:], "'s"); ok && strings.IndexFunc(rest, unicode.IsLetter) < 0 {
			return true
		}
		// A mark standing where a word was, or brackets or quotes with
		// nothing inside: all of w is punctuation (the cheap test first).
		if c := w[0]; c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= 0x80 {
			continue
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
