package quiz

import (
	"strings"
	"sync"

	"github.com/glowcloud/glowcloud/corpus"
)

// essaySections maps each sentence of the embedded essay, as a model's
// training sentences give it (its words joined by single spaces), to the
// heading of the essay's section it stands in. The essay is read paragraph
// by paragraph, as corpus reads it whole: a paragraph that is a heading
// opens a section.
var essaySections = sync.OnceValue(func() map[string]string {
	out := make(map[string]string)
	heading := ""
	for para := range strings.SplitSeq(corpus.EssayText(), "\n\n") {
		t := corpus.Parse(para)
		if len(t.Headings) > 0 && len(t.Sentences) == 0 {
			heading = t.Headings[len(t.Headings)-1]
			continue
		}
		for _, s := range t.Sentences {
			if k := strings.Join(s, " "); out[k] == "" {
				out[k] = heading
			}
		}
	}
	return out
})

// essaySection returns the heading of the section of the embedded essay
// that sentence comes from, and false when it is not a sentence of the
// essay (a server's scripture, another model's corpus).
func essaySection(sentence string) (string, bool) {
	// The sentence as shown is typeset as the essay is (curly quotes:
	// compose); the sections are keyed by the plain text the model learns.
	h, ok := essaySections()[strings.Join(strings.Fields(corpus.Normalize(sentence)), " ")]
	return h, ok
}
