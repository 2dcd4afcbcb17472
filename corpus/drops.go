package corpus

import (
	"fmt"
	"strings"
)

// Drop is why a piece of training input was not learned.
type Drop int

// The reasons a piece of input is not learned. Each is counted in
// Text.Dropped, in the unit its description names.
const (
	// DropDuplicate is a paragraph that came before, word for word.
	DropDuplicate Drop = iota
	// DropDamaged is a sentence that lost words on the way (see Parse).
	DropDamaged
	// DropFragment is a piece of fewer than three words, or of fewer than
	// two words with letters, or one that does not start with a word.
	DropFragment
	// DropUnfinished is a sentence that stops without ending: on a colon,
	// a comma or a dash, or a line in capitals with no full stop.
	DropUnfinished
	// DropMetadata is a line of dates, bylines or metadata ("Author: …").
	DropMetadata
	// DropGutenberg is a paragraph of a Project Gutenberg header, footer
	// or licence.
	DropGutenberg
	// DropContents is a chapter number or a line of a table of contents.
	DropContents
	// DropCode is a line of a Markdown code block.
	DropCode
	numDrops
)

// dropText says what each Drop counts, in the singular and the plural, and
// what to do about it.
var dropText = [numDrops]struct{ one, many, remedy string }{
	DropDuplicate: {"duplicate paragraph", "duplicate paragraphs", "nothing to do: text given twice teaches nothing new"},
	DropDamaged: {"sentence that lost words", "sentences that lost words",
		"a possessive with no owner, a comma where a word was, empty quotes or a link in mid-sentence: check how the text was copied, and write a link's words instead (links are never learned)"},
	DropFragment:   {"fragment of fewer than 3 words", "fragments of fewer than 3 words", `write whole sentences: a reply such as "lol ok" teaches the chain nothing`},
	DropUnfinished: {"unfinished sentence", "unfinished sentences", "ending on a colon, a comma or a dash, or all in capitals: end each sentence with . ! or ?"},
	DropMetadata:   {"date, byline or metadata line", "date, byline and metadata lines", "nothing to do: they are not prose"},
	DropGutenberg:  {"paragraph of Project Gutenberg header, footer or licence", "paragraphs of Project Gutenberg header, footer and licence", "nothing to do: the book itself is learned"},
	DropContents:   {"chapter number or table-of-contents line", "chapter numbers and table-of-contents lines", "nothing to do: they are not prose"},
	DropCode:       {"line of a code block", "lines of code blocks", "nothing to do: code is not prose"},
}

// String names what d counts.
func (d Drop) String() string {
	if d < 0 || d >= numDrops {
		return fmt.Sprintf("Drop(%d)", int(d))
	}
	return dropText[d].many
}

// Count says how many pieces were dropped for d: "1 duplicate paragraph",
// "1,024 fragments of fewer than 3 words".
func (d Drop) Count(n int) string {
	if d < 0 || d >= numDrops {
		return fmt.Sprintf("%s %s", count(n), d)
	}
	if n == 1 {
		return "1 " + dropText[d].one
	}
	return count(n) + " " + dropText[d].many
}

// Remedy says what a user can do about pieces dropped for d.
func (d Drop) Remedy() string {
	if d < 0 || d >= numDrops {
		return ""
	}
	return dropText[d].remedy
}

// Clean is a change made to the text that was learned.
type Clean int

// The changes made to learned text, counted in Text.Cleaned.
const (
	// CleanURL is a bare URL removed: the bot must never say a link.
	CleanURL Clean = iota
	// CleanMention is a Discord mention (<@123>, <@&1>, <#1>, @everyone,
	// @name) or an e-mail address removed.
	CleanMention
	// CleanEmoji is a custom emoji (<:name:123>), an emoji shortcode
	// (:name:) or an emoticon (":)") removed.
	CleanEmoji
	// CleanLink is a Markdown link whose text was kept and address removed
	// (an image is removed whole).
	CleanLink
	// CleanMarkup is a Markdown mark removed, keeping its words: **bold**,
	// *em*, _em_, __underline__, ~~strike~~, ||spoiler||, `code`.
	CleanMarkup
	// CleanLabel is a speaker label ("NORTHUMBERLAND:") or a chat line's
	// time stamp removed.
	CleanLabel
	// CleanCapital is a sentence start (or a lone "i") capitalised.
	CleanCapital
	// CleanStop is a full stop added to a line that ended without one.
	CleanStop
	// CleanSpace is a missing space repaired after a full stop, a question
	// or exclamation mark or a closing quote ("dragons."From).
	CleanSpace
	numCleans
)

var cleanText = [numCleans]struct{ one, many string }{
	CleanURL:     {"URL removed", "URLs removed"},
	CleanMention: {"mention or e-mail address removed", "mentions and e-mail addresses removed"},
	CleanEmoji:   {"emoji code or emoticon removed", "emoji codes and emoticons removed"},
	CleanLink:    {"link kept as its text", "links kept as their text"},
	CleanMarkup:  {"Markdown mark removed", "Markdown marks removed"},
	CleanLabel:   {"speaker label or chat time stamp removed", "speaker labels and chat time stamps removed"},
	CleanCapital: {"sentence start capitalised", "sentence starts capitalised"},
	CleanStop:    {"full stop added to a line that had none", "full stops added to lines that had none"},
	CleanSpace:   {"missing space put back after a full stop or a quote", "missing spaces put back after a full stop or a quote"},
}

// String names what c counts.
func (c Clean) String() string {
	if c < 0 || c >= numCleans {
		return fmt.Sprintf("Clean(%d)", int(c))
	}
	return cleanText[c].many
}

// Dropped counts the pieces of input not learned, by reason.
type Dropped [numDrops]int

// Cleaned counts the changes made to the text that was learned, by kind.
type Cleaned [numCleans]int

// Report describes, a line each, what was dropped (how many, why, and what
// to do about it) and what was cleaned, for people: the words train and
// /retrain use. A text from which nothing was dropped or cleaned gives
// none.
func (t *Text) Report() []string {
	var lines []string
	for d, n := range t.Dropped {
		if n > 0 {
			lines = append(lines, fmt.Sprintf("dropped %s — %s", Drop(d).Count(n), Drop(d).Remedy()))
		}
	}
	var cleaned []string
	for c, n := range t.Cleaned {
		if n > 0 {
			what := cleanText[c].many
			if n == 1 {
				what = cleanText[c].one
			}
			cleaned = append(cleaned, fmt.Sprintf("%s %s", count(n), what))
		}
	}
	if len(cleaned) > 0 {
		lines = append(lines, "cleaned: "+strings.Join(cleaned, "; "))
	}
	return lines
}

// count formats n with thousands separators.
func count(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
