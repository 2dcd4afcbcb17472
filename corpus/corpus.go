// Package corpus owns glowcloud's text: the embedded essay "Socialism is
// Anarchist if you squint" and the handling of any training input —
// normalising typography, splitting prose into sentences without breaking on
// abbreviations and initials, keeping headings apart from prose, and dropping
// fragments that are not sentences.
//
// It imports only the standard library.
package corpus

import (
	_ "embed"
	"io"
	"strings"
)

//go:embed socialism-is-anarchist-if-you-squint.txt
var essay string

// EssayName is the file name of the embedded essay.
const EssayName = "socialism-is-anarchist-if-you-squint.txt"

// Essay returns the built-in training text.
func Essay() io.Reader { return strings.NewReader(essay) }

// EssayText returns the built-in training text as a string.
func EssayText() string { return essay }

// Text is training input split into sentences and headings. Each sentence is
// a slice of whitespace-free tokens (words with their punctuation attached).
// The zero value is an empty text.
type Text struct {
	Sentences [][]string // prose sentences, in input order
	// Lines holds the sentences instead, as their tokens joined by single
	// spaces, when Read was asked to be Compact: 16 bytes a sentence
	// rather than 16 bytes a word, for corpora of tens of megabytes.
	Lines    []string
	Headings []string // headings (titles of sections), in input order
	// Paragraphs counts the paragraphs read.
	Paragraphs int
	// Dropped counts what was not learned, by reason (see Drop, and
	// Report); Cleaned what was changed in what was learned.
	Dropped Dropped
	Cleaned Cleaned
	// Bytes is the size of the input before normalisation.
	Bytes int64
	// curly and straight count the typographic and the plain quotes and
	// apostrophes of the input before normalisation made them all plain.
	curly, straight int
}

// CurlyQuotes reports whether the input was set with typographic quotes
// and apostrophes (’ “ ”) more than with plain ones (' "): the text a
// model learns has plain ones only (see Normalize), and what it writes
// is given back the corpus's own (compose).
func (t *Text) CurlyQuotes() bool { return t.curly > t.straight }

// Words reports the number of tokens in all sentences.
func (t *Text) Words() int {
	n := 0
	for _, s := range t.Sentences {
		n += len(s)
	}
	for _, l := range t.Lines {
		n += strings.Count(l, " ") + 1
	}
	return n
}

// Len reports the number of sentences.
func (t *Text) Len() int { return len(t.Sentences) + len(t.Lines) }

// Parse normalises text, cleans it and splits it into sentences and
// headings. It never fails: input that holds no sentence gives an empty
// Text.
//
// What is not prose is not learned, and Text.Dropped counts it by reason:
// duplicate paragraphs; sentences that lost words before they reached us (a
// possessive with no owner, "That's where 's lack of knowledge", a comma
// standing where a word was, empty brackets or quotes); fragments of fewer
// than three words; unfinished sentences; dates, bylines and metadata
// lines; a Project Gutenberg header, footer and licence; chapter numbers
// and tables of contents; code blocks.
//
// Chat and Markdown are cleaned, and Text.Cleaned counts each change: a
// line of chat that ends without punctuation becomes a sentence with a full
// stop, and a lower-case start is capitalised; emphasis marks (**, *, _,
// __, ~~, ||, `) go, keeping their words; a link keeps its text; bare
// URLs, mentions (<@1>, <@&1>, <#1>, @everyone), e-mail addresses, custom
// emoji (<:name:1>), shortcodes and emoticons go entirely, so the bot never
// learns them. A play's speaker labels ("NORTHUMBERLAND:") and chat time
// stamps are taken off, and words run together after a full stop or a
// closing quote (`"here be dragons."From`) are parted.
func Parse(text string) *Text {
	var t Text
	p := newParser(&t)
	p.add(text, int64(len(text)))
	return &t
}
