package corpus

import (
	"strings"
	"testing"
)

func TestDamagedSentencesAreNotLearned(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		sentence string
		damaged  bool
	}{
		{"That’s where ’s lack of knowledge really shines through.", true},
		{"Whereas 's examples are drawn rather ad hoc.", true},
		{"Whereas (’s examples) are drawn rather ad hoc.", true},
		{"The idea , by contrast, insists on it.", true},
		{"He quoted () as his source for this.", true},
		{`She said "" and left the room.`, true},
		{"Lenin’s policy and the workers' councils were his.", false},
		{"It’s where Klein’s 's-bend of pipes lives.", false},
		{"The '90s were a decade of movements.", false},
		{"Holmes's pipe, 'so', was lit.", false},
	} {
		text := Parse("First a clean sentence here. " + tt.sentence + " Then another clean one.")
		want, damaged := 3, 0
		if tt.damaged {
			want, damaged = 2, 1
		}
		if len(text.Sentences) != want || text.Dropped[DropDamaged] != damaged {
			t.Errorf("%q: %d sentences, %d damaged; want %d, %d", tt.sentence, len(text.Sentences), text.Dropped[DropDamaged], want, damaged)
		}
	}
	essay := Parse(EssayText())
	if essay.Dropped[DropDamaged] == 0 {
		t.Error("the essay's lost names were learned")
	}
	for _, s := range essay.Sentences {
		if j := strings.Join(s, " "); strings.Contains(j, " 's ") || strings.HasPrefix(j, "'s ") {
			t.Errorf("learned %q", j)
		}
	}
}
