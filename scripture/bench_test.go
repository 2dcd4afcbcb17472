package scripture_test

import (
	"fmt"
	"testing"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/scripture"
)

// BenchmarkWriterForWarm: a manifesto in a server whose model is cached,
// its version read at most once a second (from memory here), over 100
// servers of one model file each; BenchmarkEssayManifesto is the essay
// alone.
func BenchmarkWriterForWarm(b *testing.B) {
	data := trained(b, "harbour", readText(b, "harbour.txt"), "orchard", readText(b, "orchard.txt")).Data
	mem := newMem()
	for i := range 100 {
		mem.set(fmt.Sprint("g", i), 1, 50, data)
	}
	essayW := bottest.EssayWriter(b)
	essayW.Warm()
	svc := scripture.New(scripture.Config{Store: mem, Essay: func() *compose.Writer { return essayW }})
	for i := range 100 {
		svc.WriterFor(b.Context(), fmt.Sprint("g", i)).Manifesto(0, "", 3)
	}
	b.ResetTimer()
	for i := range b.N {
		svc.WriterFor(b.Context(), fmt.Sprint("g", i%100)).Manifesto(uint64(i), "", 3)
	}
}

func BenchmarkEssayManifesto(b *testing.B) {
	essayW := bottest.EssayWriter(b)
	essayW.Warm()
	for i := range b.N {
		essayW.Manifesto(uint64(i), "", 3)
	}
}
