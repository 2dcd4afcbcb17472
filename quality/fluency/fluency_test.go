package fluency

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/internal/sharedfiles"
)

func TestSentences(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want []string // sentences, tokens joined by spaces
	}{
		{"We must both dream bigger and corruption. Whereas any theorist would you?",
			[]string{"we must both dream bigger and corruption .", "whereas any theorist would you ?"}},
		// A title or an initial does not end a sentence, nor a stop before lower case.
		{"Mr. Holmes’s “anti-authoritarian” plan (of 1917) — failed… said e.g. nobody. Next one.",
			[]string{"mr holmes's anti-authoritarian plan of 1917 -- failed . said e g nobody .", "next one ."}},
		{"It is 3.5 km; it is not: so.", []string{"it is 3.5 km ; it is not : so ."}},
		{"", nil},
	} {
		var got []string
		for _, s := range sentences(tt.in) {
			var w []string
			for _, tk := range s {
				w = append(w, tk.w)
			}
			got = append(got, strings.Join(w, " "))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("sentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFaults pins the clause counting on sentences a reader judged, with
// a tiny hand-made table so the test does not move when the reference's
// table is rebuilt.
func TestFaults(t *testing.T) {
	t.Parallel()
	l, err := ParseTable("# test\nF led\nF remains\nF seem\nF affect\nF lead\n- dream\n- bigger\n- planning\n- decided\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		in   string
		want int
	}{
		// Two verb groups, no link: run together.
		{"The state has led them down one of the movement was action.", 1},
		// A subordinator whose clause never gets a verb, and no main verb.
		{"Even when the goal of how local cooperative ownership.", 2},
		// Well-formed: one verb; two verbs joined by "and"; "which" with its verb.
		{"Socialism remains a vision.", 0},
		{"Socialism was and remains a vision.", 0},
		{"We must first remember the methods which worked best.", 0},
		// Unknown word ending -izes is finite; a word the table marks "-" is not.
		{"It historicizes Graeber.", 0},
		{"We dream bigger.", 1},
		// "not" and -ly adverbs stay inside a verb group.
		{"They have not really led anyone.", 0},
	} {
		if got := l.Read(tt.in).Faults; got != tt.want {
			t.Errorf("faults(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseTableRejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "# only a comment\n", "X word\n", "F\n", "Fword\n"} {
		if _, err := ParseTable(in); err == nil {
			t.Errorf("ParseTable(%q) accepted", in)
		}
	}
}

// TestTableIsRebuilt checks that the embedded table is what go generate
// builds from the reference, when ../shared is beside the repository.
func TestTableIsRebuilt(t *testing.T) {
	t.Parallel()
	ref := sharedfiles.Path("corpora/mid5.txt")
	if ref == "" {
		t.Skip(sharedfiles.Where("corpora/mid5.txt") + " not found")
	}
	b, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	if err := Build(&got, string(b)); err != nil {
		t.Fatal(err)
	}
	if got.String() != tableText {
		t.Errorf("table.txt differs from a rebuild from %s: run go generate ./quality/fluency", ref)
	}
}
