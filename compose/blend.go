package compose

import (
	"slices"
)

// Blend writes from two models, a server's own (trained from its
// scripture alone) and the essay's: the blend a server with scripture is
// preached to from. Each paragraph of a manifesto is drawn from the essay
// with the essay's share (0..100) and from the server's model otherwise;
// a squint or a proclamation is drawn whole from one of them; the title
// follows the first paragraph's source, and the Hail line stays. Which
// source each part comes from is drawn from the seed, apart from the text
// itself, so a share of 100 writes exactly what the essay's Writer writes
// and a share of 0 exactly what the server's does, and the same seed,
// models and share always give the same text.
//
// A Blend is safe for concurrent use, and cheap: make one per text.
type Blend struct {
	server, essay *Writer
	share         int
}

// NewBlend returns the blend of server's model with essay's, essayShare
// (clamped to 0..100) per cent of it the essay's.
func NewBlend(server, essay *Writer, essayShare int) *Blend {
	return &Blend{server: server, essay: essay, share: min(max(essayShare, 0), 100)}
}

// blendSalt separates the draw of the sources from the text's own draws
// (NewRand(seed)), so that which source a part comes from changes nothing
// of what that source writes.
const blendSalt = 0x626c656e64 // "blend"

// sources returns the draw of sources for seed: each call says whether the
// next part comes from the essay.
func (b *Blend) sources(seed uint64) func() *Writer {
	rng := NewRand(seed ^ blendSalt)
	return func() *Writer {
		if rng.IntN(100) < b.share {
			return b.essay
		}
		return b.server
	}
}

// Manifesto is Writer.Manifesto, each paragraph from the source drawn for
// it.
func (b *Blend) Manifesto(seed uint64, topic string, paragraphs int) (title, body string) {
	return manifesto(seed, topic, paragraphs, b.sources(seed))
}

// Squint is Writer.Squint from the source drawn for the piece.
func (b *Blend) Squint(seed uint64, thing string) string {
	return b.sources(seed)().Squint(seed, thing)
}

// Glowcloud is Writer.Glowcloud from the source drawn for the piece.
func (b *Blend) Glowcloud(seed uint64) string {
	return b.sources(seed)().Glowcloud(seed)
}

// ModelID is the server's model's id: with the seed, in that server, it
// reproduces the text.
func (b *Blend) ModelID() string { return b.server.ModelID() }

// Suggest offers the topics both models can write about, the server's
// first (unless its share is nothing), without repeats.
func (b *Blend) Suggest(prefix string, max int) []string {
	if max <= 0 || max > MaxSuggestions {
		max = MaxSuggestions
	}
	switch b.share {
	case 100:
		return b.essay.Suggest(prefix, max)
	case 0:
		return b.server.Suggest(prefix, max)
	}
	out := b.server.Suggest(prefix, max)
	for _, s := range b.essay.Suggest(prefix, max) {
		if len(out) == max {
			break
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Sentences returns what both models can show of themselves (see
// Writer.Sentences), the server's first; a share of 0 or 100 shows only
// the one source it writes from.
func (b *Blend) Sentences() (corpus, generated []string) {
	switch b.share {
	case 100:
		return b.essay.Sentences()
	case 0:
		return b.server.Sentences()
	}
	sc, sg := b.server.Sentences()
	ec, eg := b.essay.Sentences()
	return slices.Concat(sc, ec), slices.Concat(sg, eg)
}
