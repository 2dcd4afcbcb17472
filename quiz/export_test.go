package quiz

import (
	"math/rand/v2"

	"github.com/glowcloud/glowcloud/bot"
)

// What the external tests reach of the package's insides.

// Bank is the bank of a model's sentences a round draws from.
type Bank = bank

// NewBank builds a bank (see newBank).
func NewBank(real, generated []string) *Bank { return newBank(real, generated) }

// Surface returns the surface features of s as numbers, for classifiers.
func Surface(s string) []float64 { return surface(s).vector() }

// EssaySection is essaySection.
func EssaySection(s string) (string, bool) { return essaySection(s) }

// DrawPair is Draw, also saying the real sentence of the pair it drew
// from.
func (b *bank) DrawPair(rng *rand.Rand) (group string, sentence string, real bool, ok bool) {
	return b.draw(rng)
}

// vector returns f as numbers, for classifiers.
func (f features) vector() []float64 {
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	return []float64{float64(f.Words), float64(f.Chars), float64(f.Chars) / float64(max(f.Words, 1)),
		float64(f.Commas), float64(f.Stops), float64(f.Quotes), float64(f.Brackets),
		float64(f.Capitals), float64(f.Digits), b(f.Question), b(f.Exclaim)}
}

// RevealMessage is revealMessage.
func RevealMessage(rv Reveal) bot.Reply { return revealMessage(rv) }
