package postag

import (
	"strings"
	"testing"
)

func BenchmarkTag(b *testing.B) {
	t, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	s := strings.Fields("The revisioning of this history is crucial to the project of radical democracy, and it's not what they've said.")
	b.ResetTimer()
	for range b.N {
		t.Tag(s)
	}
	b.ReportMetric(float64(len(s)*b.N)/b.Elapsed().Seconds(), "words/s")
}
