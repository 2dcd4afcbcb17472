package quiz

import "math/rand/v2"

// DrawPair is Draw, also saying the real sentence of the pair it drew
// from.
func (b *Bank) DrawPair(rng *rand.Rand) (group string, sentence string, real bool, ok bool) {
	return b.draw(rng)
}
