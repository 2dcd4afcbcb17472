// Package limits owns the bounds on what anyone may ask glowcloud to write
// (a squint's thing, a manifesto's topic, its paragraphs, a seed) and the
// random seed drawn when none is asked for. The slash commands and their
// validation (bot), the scheduled proclamations (proclaim, through bot),
// the command line and the composer (compose) all keep to these.
//
// It is a leaf, importing only the standard library, because all of them
// import it: the bot's core may import only the standard library and a few
// such leaves (bot/imports_test.go), and compose must not import bot.
package limits

import "math/rand/v2"

// The bounds. Lengths are in Unicode code points, as Discord counts option
// lengths.
const (
	MaxThing      = 100 // a squint's thing: 1..MaxThing characters
	MaxTopic      = 50  // a manifesto's or a schedule's topic: 0..MaxTopic characters
	MinParagraphs = 1   // a manifesto's paragraphs: MinParagraphs..MaxParagraphs
	MaxParagraphs = 5
	DefParagraphs = 3 // when paragraphs is not given
	// MaxSeed is the largest seed: seeds run 0..MaxSeed, which JSON numbers
	// (JavaScript's safe integers) and Discord's integer options hold
	// exactly.
	MaxSeed = 1<<53 - 1
)

// RandomSeed returns a seed from the runtime's random source, uniform over
// 0..MaxSeed.
func RandomSeed() uint64 { return rand.Uint64() & MaxSeed }
