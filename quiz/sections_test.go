package quiz_test

import (
	"testing"

	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/quiz"
)

// TestEssaySection: a sentence of the embedded essay is found under the
// heading of its section; anything else is in no section.
func TestEssaySection(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sentence, heading string
		ok                bool
	}{
		{"Socialism isn't when the government does things or owns things.", "Authoritarian creep, libertarian socialism, & democratic planning", true},
		{"But if that era closed many doors, it also opened up new ones.", "Neo-Anarchism at the Turn of the Century", true},
		{"The workers of the tea party seize the means of percussion.", "", false},
	} {
		h, ok := quiz.EssaySection(tc.sentence)
		if h != tc.heading || ok != tc.ok {
			t.Errorf("EssaySection(%q) = %q, %v; want %q, %v", tc.sentence, h, ok, tc.heading, tc.ok)
		}
	}
	// Every sentence the essay's model was trained on has its section.
	for _, s := range essayWriterSentences(t) {
		if _, ok := quiz.EssaySection(s); !ok {
			t.Errorf("a training sentence of the essay is in no section: %q", s)
		}
	}
}

func essayWriterSentences(t *testing.T) []string {
	corpus, _ := bottest.EssayWriter(t).Sentences()
	return corpus
}
