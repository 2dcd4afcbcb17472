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
	// Paragraphs counts the paragraphs read; Duplicates the exact duplicate
	// paragraphs that were dropped.
	Paragraphs, Duplicates int
	// Damaged counts the sentences dropped because words were lost from
	// them (see Parse).
	Damaged int
	// Bytes is the size of the input before normalisation.
	Bytes int64
}

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

// Parse normalises text and splits it into sentences and headings. It never
// fails: input that holds no sentence gives an empty Text. Sentences that
// lost words before they reached us are not learned: a possessive with no
// owner ("That's where 's lack of knowledge"), a comma standing where a word
// was, empty brackets or quotes; Text.Damaged counts them.
func Parse(text string) *Text {
	var t Text
	p := newParser(&t)
	p.add(text, int64(len(text)))
	return &t
}
