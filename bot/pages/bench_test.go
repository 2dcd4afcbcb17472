package pages_test

import (
	"net/http"
	"testing"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/pages"
	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/essay"
)

// essayPieces serves the essay's model with no rate limit, each request a
// piece never written before (a new seed): what a page or a card costs
// uncached.
func essayPieces(b *testing.B, suffix string) {
	m, err := essay.Model()
	if err != nil {
		b.Fatal(err)
	}
	w := compose.New(m)
	w.Warm()
	h := pages.New(pages.Config{Writer: func() bot.Writer { return w }, PublicURL: public, Rate: 1e12, Burst: 1 << 30})
	model := bot.Piece{Kind: bot.CmdManifesto, Model: m.ID(), Paragraphs: 3, Topic: "robots"}
	b.ReportAllocs()
	seed := uint64(0)
	for b.Loop() {
		p := model
		p.Seed = seed
		seed++
		r := get(b, h, "/m/"+p.Token()+suffix, "192.0.2.1:1")
		if r.StatusCode != http.StatusOK {
			b.Fatalf("status %d", r.StatusCode)
		}
	}
}

// BenchmarkPage: a manifesto's page, written and rendered.
func BenchmarkPage(b *testing.B) { essayPieces(b, "") }

// BenchmarkCard: a manifesto's card, written and drawn (the text and the
// PNG): the issue asks for under 50 ms.
func BenchmarkCard(b *testing.B) { essayPieces(b, "/og.png") }

// BenchmarkManifesto: the text alone, the baseline of both.
func BenchmarkManifesto(b *testing.B) {
	m, err := essay.Model()
	if err != nil {
		b.Fatal(err)
	}
	w := compose.New(m)
	w.Warm()
	b.ReportAllocs()
	seed := uint64(0)
	for b.Loop() {
		w.Manifesto(seed, "robots", 3)
		seed++
	}
}
