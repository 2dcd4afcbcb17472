package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The marks of printed books and of files about them are not prose: a
// Project Gutenberg header and licence, a play's speaker labels, chapter
// numbers and tables of contents, dates, bylines and metadata lines. They
// are not learned (counted in Text.Dropped), or, for speaker labels, taken
// off the speech they name (counted in Text.Cleaned).

// gutenbergHead is how far into an input a Project Gutenberg START marker
// is looked for: its header is a few kilobytes.
const gutenbergHead = 64 << 10

// gutenbergMarker reports whether line is a Project Gutenberg marker: the
// line that ends its header ("*** START OF THIS PROJECT GUTENBERG EBOOK
// …", or the older "*END*THE SMALL PRINT!…") or the one that starts its
// footer ("*** END OF THE PROJECT GUTENBERG EBOOK …", "End of the Project
// Gutenberg EBook of …").
func gutenbergMarker(line string) (start, end bool) {
	line = strings.TrimSpace(line)
	if len(line) < 12 {
		return false, false
	}
	switch line[0] {
	case '*', 'E', 'e':
	default:
		return false, false
	}
	up := strings.ToUpper(line)
	if strings.HasPrefix(up, "*END*THE SMALL PRINT") || strings.HasPrefix(up, "*END THE SMALL PRINT") {
		return true, false
	}
	if !strings.Contains(up, "GUTENBERG") {
		return false, false
	}
	body := strings.TrimLeft(up, "* ")
	switch {
	case strings.HasPrefix(body, "START OF"):
		return true, false
	case strings.HasPrefix(body, "END OF") && strings.HasPrefix(up, "*"):
		return false, true
	case strings.HasPrefix(up, "END OF THE PROJECT GUTENBERG") || strings.HasPrefix(up, "END OF PROJECT GUTENBERG"):
		return false, true
	}
	return false, false
}

// hasGutenbergStart reports whether s holds a line that is a START marker.
func hasGutenbergStart(s string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], "*** START OF")
		k := strings.Index(s[i:], "***START OF")
		if j < 0 || (k >= 0 && k < j) {
			j = k
		}
		if j < 0 {
			return strings.Contains(s, "*END*THE SMALL PRINT")
		}
		j += i
		end := strings.IndexByte(s[j:], '\n')
		if end < 0 {
			end = len(s) - j
		}
		if start, _ := gutenbergMarker(s[j : j+end]); start {
			return true
		}
		i = j + 1
	}
}

// mentionsGutenberg reports whether a paragraph speaks of Project Gutenberg:
// its licence, its credits, its web site.
func mentionsGutenberg(para string) bool {
	i := strings.Index(para, "utenberg")
	if i < 0 {
		i = strings.Index(para, "UTENBERG")
		if i < 0 {
			return false
		}
	}
	for ; i >= 0; i = nextIndexFold(para, "utenberg", i+1) {
		before := strings.ToLower(para[max(0, i-9):i])
		after := strings.ToLower(para[i+8 : min(len(para), i+12)])
		if strings.HasSuffix(before, "project g") || strings.HasSuffix(before, "project\ng") ||
			strings.HasPrefix(after, ".org") || strings.HasPrefix(after, ".net") {
			return true
		}
	}
	return false
}

// nextIndexFold returns the index of the next "utenberg" in either case at
// or after from, or -1.
func nextIndexFold(s, sub string, from int) int {
	if from >= len(s) {
		return -1
	}
	a := strings.Index(s[from:], sub)
	b := strings.Index(s[from:], strings.ToUpper(sub))
	switch {
	case a < 0 && b < 0:
		return -1
	case a < 0 || (b >= 0 && b < a):
		return from + b
	}
	return from + a
}

// speakerLabel reports whether line is a play's speaker label standing on
// its own line ("NORTHUMBERLAND:", "KING RICHARD II:", "First Lord:"): one
// to five words, each capitalised or a joining word, ending in a colon.
func speakerLabel(line string) bool {
	if len(line) < 3 || len(line) > 48 || line[len(line)-1] != ':' {
		return false
	}
	words := strings.Fields(line[:len(line)-1])
	if len(words) == 0 || len(words) > 5 {
		return false
	}
	for _, w := range words {
		if joiningWords[w] {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) {
			return false
		}
		if strings.IndexFunc(w, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '-' && r != '.'
		}) >= 0 {
			return false
		}
	}
	return true
}

// joiningWords may stand lower case inside a name or title.
var joiningWords = map[string]bool{
	"of": true, "the": true, "and": true, "de": true, "la": true, "le": true, "du": true,
	"von": true, "van": true, "in": true, "on": true, "a": true, "an": true, "to": true, "for": true,
	"with": true, "at": true, "by": true, "from": true, "into": true, "as": true, "or": true, "nor": true,
	"but": true,
}

// inlineLabel returns line without a leading speaker label in capitals
// ("STEPHEN: He had three brothers", "THE CALLS: Wait, my love"), a chat
// time stamp ("[12:01] ", "[2024-01-02 12:01] ") or an IRC nick ("<alice>
// "), and whether there was one.
func inlineLabel(line string) (string, bool) {
	if line == "" {
		return line, false
	}
	switch line[0] {
	case '[':
		end := strings.IndexByte(line, ']')
		if end > 0 && end < 32 && strings.IndexByte(line[:end], ':') > 0 && strings.IndexFunc(line[:end], unicode.IsDigit) > 0 {
			rest := strings.TrimSpace(line[end+1:])
			if r, ok := inlineLabel(rest); ok {
				return r, true
			}
			return rest, true
		}
		return line, false
	case '<':
		end := strings.IndexByte(line, '>')
		if end > 1 && end < 40 && strings.IndexFunc(line[1:end], func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune("@#:/", r) }) < 0 {
			return strings.TrimSpace(line[end+1:]), true
		}
		return line, false
	}
	colon := strings.Index(line, ": ")
	if colon < 2 || colon > 60 {
		return line, false
	}
	// One to eight words in capitals ("THE HONOURABLE MRS MERVYN
	// TALBOYS:"), initials among them ("J. J. O'MOLLOY:"), one of at
	// least two letters.
	words := strings.Fields(line[:colon])
	if len(words) > 8 {
		return line, false
	}
	long := false
	for _, w := range words {
		letters := 0
		for _, r := range w {
			switch {
			case unicode.IsUpper(r):
				letters++
			case unicode.IsLower(r):
				return line, false
			case r == '\'' || r == '-' || r == '.' || unicode.IsDigit(r):
			default:
				return line, false
			}
		}
		if letters == 0 || letters == 1 && !strings.HasSuffix(w, ".") && w != "A" {
			return line, false // "A BLUECOAT SCHOOLBOY:" and initials only
		}
		long = long || letters >= 2
	}
	if !long {
		return line, false
	}
	return strings.TrimSpace(line[colon+1:]), true
}

// monthsAndDays are the words a date line may hold besides numbers.
var monthsAndDays = map[string]bool{
	"january": true, "february": true, "march": true, "april": true, "may": true, "june": true,
	"july": true, "august": true, "september": true, "october": true, "november": true, "december": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "mon": true, "tue": true, "tues": true, "wed": true,
	"thu": true, "thurs": true, "fri": true, "sat": true, "sun": true,
	"today": true, "yesterday": true, "at": true, "on": true, "of": true, "the": true,
	"am": true, "pm": true, "a.m.": true, "p.m.": true, "utc": true, "gmt": true,
}

// metadataKeys are the keys of "Key: value" lines that describe a text
// rather than tell it.
var metadataKeys = map[string]bool{
	"title": true, "subtitle": true, "author": true, "authors": true, "date": true, "posted": true,
	"posting date": true, "first posted": true, "release date": true, "last updated": true,
	"updated": true, "published": true, "language": true, "character set encoding": true,
	"produced by": true, "translator": true, "translated by": true, "editor": true, "edited by": true,
	"illustrator": true, "illustrated by": true, "source": true, "tags": true, "category": true,
	"categories": true, "filed under": true, "copyright": true, "isbn": true, "ebook": true,
	"etext": true, "e-text": true, "credits": true, "license": true, "licence": true,
	"words": true, "word count": true, "reading time": true, "originally published": true,
}

// metadataLine reports whether a line describes a text rather than tells
// it: a date ("2022 03 31", "April 18, 2011 [EBook #1661]", "Today at
// 12:01"), a byline ("by Jane Austen", "from Strange Opinions by Ecks D.
// Essay", "— David Graeber"), a metadata line ("Author: Arthur Conan Doyle")
// or a chat export's header ("alice — Today at 12:01").
func metadataLine(line string) bool {
	if line == "" || len(line) > 160 {
		return false
	}
	if isDate(line) || isByline(line) {
		return true
	}
	if i := strings.LastIndex(line, " — "); i > 0 && isDate(line[i+len(" — "):]) {
		return true // a chat export's "name — Today at 12:01"
	}
	if strings.HasPrefix(line, "©") || strings.HasPrefix(line, "(c) ") || strings.HasPrefix(line, "(C) ") {
		return true
	}
	if len(line) > len("copyright ") && strings.EqualFold(line[:len("copyright ")], "copyright ") {
		rest := strings.ToLower(line[len("copyright "):])
		if strings.HasPrefix(rest, "(c)") || strings.HasPrefix(rest, "©") || isNumberish(strings.Trim(firstWord(rest), ",")) {
			return true
		}
	}
	if colon := strings.IndexByte(line, ':'); colon > 0 && colon < 32 && colon+1 < len(line) && line[colon+1] == ' ' {
		return metadataKeys[strings.ToLower(strings.TrimSpace(line[:colon]))]
	}
	return false
}

// isDate reports whether line holds nothing but a date or a time: numbers,
// months, days and their joining words, with at least one number; a
// bracketed note after it ("[EBook #1661]") is allowed.
func isDate(line string) bool {
	if !hasDigit(line) {
		return false // the common case: prose
	}
	if i := strings.IndexByte(line, '['); i > 0 && strings.HasSuffix(strings.TrimSpace(line), "]") {
		line = line[:i]
	}
	words := strings.Fields(line)
	if len(words) == 0 || len(words) > 8 {
		return false
	}
	digits := false
	for _, w := range words {
		w = strings.ToLower(strings.Trim(w, ",.()"))
		switch {
		case w == "" || w == "—" || w == "-" || w == "|":
		case monthsAndDays[w]:
		case isNumberish(w):
			digits = true
		default:
			return false
		}
	}
	return digits
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// firstWord returns s up to its first space.
func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

// bylineStart reports whether w may start a byline.
func bylineStart(w string) bool {
	if len(w) > len("illustrated") {
		return false
	}
	for _, s := range []string{"by", "from", "—", "-", "written", "posted", "translated", "edited", "illustrated", "compiled"} {
		if strings.EqualFold(w, s) {
			return true
		}
	}
	return false
}

// isNumberish reports whether w is a number, an ordinal ("31st"), a date
// ("2022-03-31", "31/03/2022") or a time ("12:01", "12:01pm").
func isNumberish(w string) bool {
	w = strings.TrimSuffix(strings.TrimSuffix(w, "am"), "pm")
	for _, suffix := range []string{"st", "nd", "rd", "th"} {
		if len(w) > len(suffix) && strings.HasSuffix(w, suffix) && w[len(w)-len(suffix)-1] >= '0' && w[len(w)-len(suffix)-1] <= '9' {
			w = w[:len(w)-len(suffix)]
			break
		}
	}
	if w == "" || w[0] < '0' || w[0] > '9' {
		return false
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; (c < '0' || c > '9') && c != '-' && c != '/' && c != ':' && c != '.' {
			return false
		}
	}
	return true
}

// isByline reports whether line names who wrote a text: "by" alone, "by
// Jane Austen", "Written by …", "from Strange Opinions by Ecks D. Essay",
// "— David Graeber". The names after "by" (or the dash) must all be
// capitalised, and the line must not end a sentence.
func isByline(line string) bool {
	if !bylineStart(firstWord(line)) {
		return false // the common case: prose
	}
	words := strings.Fields(line)
	if len(words) == 0 || len(words) > 14 {
		return false
	}
	if strings.EqualFold(words[0], "by") && len(words) == 1 {
		return true
	}
	names := -1
	switch first := strings.ToLower(words[0]); {
	case first == "—" || first == "-":
		names = 1
	case first == "by":
		names = 1
	case (first == "written" || first == "posted" || first == "translated" || first == "edited" ||
		first == "illustrated" || first == "compiled") && len(words) > 1 && strings.EqualFold(words[1], "by"):
		names = 2
	case first == "from":
		for i := 2; i < len(words)-1; i++ {
			if words[i] == "by" {
				names = i + 1
				break
			}
		}
	}
	if names < 0 || names >= len(words) || len(words)-names > 6 {
		return false
	}
	for _, w := range words[names:] {
		if joiningWords[w] {
			continue
		}
		r, _ := utf8.DecodeRuneInString(strings.TrimLeft(w, openers))
		if !unicode.IsUpper(r) {
			return false
		}
	}
	last := words[len(words)-1]
	switch last[len(last)-1] {
	case '!', '?', ',', ';', ':':
		return false
	case '.':
		return isAbbreviation(last)
	}
	return true
}

// chapterWords name the parts of a book; a number follows them.
var chapterWords = map[string]bool{
	"chapter": true, "book": true, "part": true, "volume": true, "vol.": true, "canto": true,
	"section": true, "act": true, "scene": true, "adventure": true, "stave": true, "letter": true,
	"episode": true, "chap.": true,
}

// numberWords may number a chapter.
var numberWords = map[string]bool{
	"one": true, "two": true, "three": true, "four": true, "five": true, "six": true, "seven": true,
	"eight": true, "nine": true, "ten": true, "eleven": true, "twelve": true, "first": true,
	"second": true, "third": true, "fourth": true, "fifth": true, "sixth": true, "seventh": true,
	"eighth": true, "ninth": true, "tenth": true, "last": true, "final": true,
}

// chapterLabel returns a heading without its chapter numbers ("Chapter 1",
// "CHAPTER XII.", "ADVENTURE I.", "BOOK ONE:", "ACT II. SCENE I.", or a
// bare "IV."), and whether it had one. What is left may be empty.
func chapterLabel(line string) (string, bool) {
	rest, ok := oneChapterLabel(line)
	for ok {
		var more bool
		if rest, more = oneChapterLabel(rest); !more {
			break
		}
	}
	return rest, ok
}

// oneChapterLabel is chapterLabel for the first label of a heading.
func oneChapterLabel(line string) (string, bool) {
	line = strings.TrimLeft(line, " ")
	if w := firstWord(line); len(w) > len("adventure") || !chapterWords[strings.ToLower(w)] && !isNumeral(strings.TrimRight(w, ".:")) {
		return line, false // the common case: prose
	}
	words := strings.Fields(line)
	if len(words) == 0 {
		return line, false
	}
	i := 0
	if chapterWords[strings.ToLower(words[0])] {
		i = 1
		if len(words) == 1 {
			return line, false
		}
	}
	n := strings.TrimRight(words[i], ".:")
	dotted := n != words[i]
	switch {
	case n == "":
		return line, false
	case i == 1 && (isNumeral(n) || numberWords[strings.ToLower(n)]):
	case i == 0 && isNumeral(n) && dotted && (len(words) == 1 || isRoman(n) && !isInitial(words[1])):
		// "IV." or "IV. The Boscombe Valley Mystery"; "12." alone; not
		// the initials of "C. S. Lewis".
	default:
		return line, false
	}
	rest := strings.Join(words[i+1:], " ")
	rest = strings.TrimSpace(strings.TrimLeft(rest, ".:— -"))
	return rest, true
}

// isInitial reports whether w is an initial: a capital and a full stop.
func isInitial(w string) bool {
	r, size := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r) && w[size:] == "."
}

// isNumeral reports whether s is a number in digits or Roman numerals.
func isNumeral(s string) bool {
	if s == "" {
		return false
	}
	if strings.Trim(s, "0123456789") == "" {
		return len(s) <= 4
	}
	return isRoman(s)
}

// isRoman reports whether s is a Roman numeral in capitals ("IV", "XII").
func isRoman(s string) bool {
	return s != "" && len(s) <= 8 && strings.Trim(s, "IVXLCDM") == ""
}

// contentsLine reports whether line is a line of a table of contents: a
// chapter label with a title and no sentence ("II. The Red-headed
// League", "CHAPTER I. The Widow and her Child 1"), or a title ending in a
// page number after a run of spaces or dots.
func contentsLine(line string) bool {
	line = strings.TrimSpace(line)
	if line == "" {
		return false
	}
	if rest, ok := chapterLabel(line); ok {
		return !strings.ContainsAny(rest, ".!?")
	}
	if c := line[len(line)-1]; c < '0' || c > '9' {
		return false // no page number
	}
	i := strings.LastIndexAny(line, " .")
	if i < 0 || i+1 >= len(line) || strings.Trim(line[i+1:], "0123456789") != "" || !isRunOf(line[:i+1], "  ", "..") {
		return false
	}
	return true
}

// isRunOf reports whether s ends with one of the runs given.
func isRunOf(s string, runs ...string) bool {
	for _, r := range runs {
		if strings.HasSuffix(s, r) {
			return true
		}
	}
	return false
}

// titleCase writes a heading in capitals ("A SCANDAL IN BOHEMIA") in title
// case ("A Scandal in Bohemia"). A heading with any lower-case letter is
// returned as it is.
func titleCase(h string) string {
	if strings.IndexFunc(h, unicode.IsLower) >= 0 || strings.IndexFunc(h, unicode.IsUpper) < 0 {
		return h
	}
	words := strings.Fields(h)
	for i, w := range words {
		lower := strings.ToLower(w)
		if i > 0 && joiningWords[lower] {
			words[i] = lower
			continue
		}
		if isRoman(strings.TrimRight(w, ".,:;!?")) && len(strings.TrimRight(w, ".,:;!?")) > 1 {
			continue // "KING RICHARD II"
		}
		lead := len(lower) - len(strings.TrimLeft(lower, openers))
		r, size := utf8.DecodeRuneInString(lower[lead:])
		words[i] = lower[:lead] + string(unicode.ToTitle(r)) + lower[lead+size:]
	}
	return strings.Join(words, " ")
}
