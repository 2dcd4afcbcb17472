package fluency

import (
	"strings"
	"testing"
)

// FuzzRead feeds arbitrary text (generated output and the paragraphs
// scored by -text are outside input) through the tokeniser and the
// scorer: no panic, no word token holding a space or a mark it drops,
// and never more sentences than full stops, question and exclamation
// marks plus one.
func FuzzRead(f *testing.F) {
	f.Add("We must both dream bigger and corruption. Whereas any systems theorist would you?")
	f.Add("“Mr. J. Smith’s anti-authoritarian (1917) — plans…” 3.5 x.\r\n\xff")
	l := Default()
	f.Fuzz(func(t *testing.T, s string) {
		sc := l.Read(s)
		if sc.Faults < 0 || sc.Sentences < 0 || sc.PerSentence() < 0 {
			t.Fatalf("negative score %+v", sc)
		}
		ends := strings.Count(s, ".") + strings.Count(s, "!") + strings.Count(s, "?") + strings.Count(s, "…")
		if sc.Sentences > ends+1 {
			t.Fatalf("%d sentences from %d ends in %q", sc.Sentences, ends, s)
		}
		for _, sent := range sentences(s) {
			for _, tk := range sent {
				if tk.word && strings.ContainsAny(tk.w, " \"“”()[]") {
					t.Fatalf("word %q", tk.w)
				}
			}
		}
	})
}
