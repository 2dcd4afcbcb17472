package compose

import (
	"testing"
	"unicode/utf8"
)

// TestTypeset: straight quotes become the curly ones a printed essay has,
// character for character.
func TestTypeset(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"It's the workers' councils.", "It’s the workers’ councils."},
		{`He marked it "here be dragons." Then left.`, "He marked it “here be dragons.” Then left."},
		{`("Oh no!")`, "(“Oh no!”)"},
		{"the '90s", "the ’90s"},
		{"a 'scare quote' here", "a ‘scare quote’ here"},
		{`— "Quoted" — and 'single'`, "— “Quoted” — and ‘single’"},
		{"no quotes at all", "no quotes at all"},
		{"", ""},
	} {
		got := typeset(tt.in)
		if got != tt.want {
			t.Errorf("typeset(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(tt.in) {
			t.Errorf("typeset(%q) changed the length in characters", tt.in)
		}
	}
}

// TestRefersBack: which openings point back at something said before.
func TestRefersBack(t *testing.T) {
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"This remained the case when the goal of the movement was action.", true},
		{"But this change is coming about piecemeal.", true},
		{"Based on those experiences, she proposes concrete solutions.", true},
		{"And they did not stop there.", true},
		{"The Glow Cloud is made up of what’s known as grey goo.", false},
		{"Socialism isn’t when the government does things.", false},
		{"From Rojava to Chiapas, the record of planning is dismal; this is so.", false},
		{"It’s not a form of tyranny that tries to force everyone to obey.", true},
		{"But it has built institutions and changed cultures.", true},
		{"Fourth was an extensive use of corvée labor.", true},
		{"First and foremost was forced requisition of grain.", true},
		{"The first step is the hardest.", false},
	} {
		if got := refersBack(textWords(tt.text)); got != tt.want {
			t.Errorf("refersBack(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
