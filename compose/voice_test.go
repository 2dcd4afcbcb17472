package compose_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/glowcloud/glowcloud/corpus"
)

// The oracles here share no code with compose: their own word lists,
// their own notion of a plural, their own stemming.

// pluralWord reports whether a word of a title is a plural noun, as a
// reader would say: the plurals in -s, and the irregular ones.
func pluralWord(w string) bool {
	w = strings.ToLower(w)
	switch w {
	case "people", "data", "children", "men", "women", "media", "police":
		return true
	case "news", "chess", "politics", "economics", "chiapas", "holmes", "its", "this", "thus", "always", "perhaps":
		return false
	}
	return strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") &&
		!strings.HasSuffix(w, "is") && !strings.HasSuffix(w, "'s") && len(w) > 3
}

var wordIs = regexp.MustCompile(`(?i)([\p{L}'’-]+)["”]? (is|are) `)

// saysTwice returns a word a title says twice, counting a word and its
// plural, or a word and a longer one it begins ("Robot", "Robots",
// "Robotic"), as one; "" when it says none twice.
func saysTwice(title string) string {
	stop := map[string]bool{"with": true, "from": true, "that": true, "this": true, "what": true, "about": true,
		"your": true, "their": true, "into": true, "than": true, "them": true, "they": true, "were": true, "have": true}
	var seen []string
	for _, w := range strings.FieldsFunc(strings.ToLower(title), func(r rune) bool { return !unicode.IsLetter(r) }) {
		w = strings.TrimSuffix(w, "s")
		if len(w) < 4 || stop[w] {
			continue
		}
		for _, s := range seen {
			short, long := s, w
			if len(short) > len(long) {
				short, long = long, short
			}
			if short == long || len(short) >= 5 && strings.HasPrefix(long, short) {
				return w
			}
		}
		seen = append(seen, w)
	}
	return ""
}

// TestTitlesAgreeAndSayOnce: over 300 seeds and a table of subjects, no
// title says "X is" of a plural X (nor "X are" of a subject the table
// calls singular), and none says a word twice ("Impending Robots and/or
// Robot Uprising").
func TestTitlesAgreeAndSayOnce(t *testing.T) {
	t.Parallel()
	w := essayWriter(t)
	check := func(topic, verb, title string) {
		t.Helper()
		if word := saysTwice(title); word != "" {
			t.Errorf("topic %q: title %q says %q twice", topic, title, word)
		}
		for _, m := range wordIs.FindAllStringSubmatch(title, -1) {
			if strings.EqualFold(m[2], "is") && pluralWord(m[1]) {
				t.Errorf("topic %q: title %q says %q is", topic, title, m[1])
			}
		}
		if topic == "" {
			return
		}
		lower := strings.ToLower(title)
		for _, v := range []string{"is", "are"} {
			if v != verb && strings.Contains(lower, strings.ToLower(topic)+" "+v+" ") {
				t.Errorf("topic %q: title %q, want %q %s", topic, title, topic, verb)
			}
		}
	}
	for seed := range uint64(300) {
		title, _ := w.Manifesto(seed, "", 1)
		check("", "", title)
	}
	for _, tt := range []struct{ topic, verb string }{
		{"robots", "are"},
		{"the masses", "are"},
		{"late capitalism", "is"},
		{"the Sex Pistols", "are"},
		{"chess", "is"},
		{"news", "is"},
		{"data", "are"},
		{"anarchists and mutualists", "are"},
		{"socialism", "is"},
		{"eating the rich", "is"},
		{"Glow Cloud", "is"},
	} {
		for seed := range uint64(60) {
			title, _ := w.Manifesto(seed, tt.topic, 1)
			check(tt.topic, tt.verb, title)
		}
	}
}

// TestSquintAgrees: the squint's first line agrees with its thing, and
// so do the lines that say a thing the model does not know.
func TestSquintAgrees(t *testing.T) {
	t.Parallel()
	w := essayWriter(t)
	for _, tt := range []struct{ thing, opening string }{
		{"robots", "Robots are Anarchist if you squint."},
		{"the masses", "The masses are Anarchist if you squint."},
		{"late capitalism", "Late capitalism is Anarchist if you squint."},
		{"the Sex Pistols", "The Sex Pistols are Anarchist if you squint."},
		{"chess", "Chess is Anarchist if you squint."},
		{"news", "News is Anarchist if you squint."},
		{"data", "Data are Anarchist if you squint."},
		{"anarchists and mutualists", "Anarchists and mutualists are Anarchist if you squint."},
		{"eating the rich", "Eating the rich is Anarchist if you squint."},
		{"the Glow Cloud itself", "The Glow Cloud itself is Anarchist if you squint."},
		{"I", "I am Anarchist if you squint."},
		{"Bernie Sanders", "Bernie Sanders is Anarchist if you squint."},
		{"killer robots", "Killer robots are Anarchist if you squint."},
		{"zxqvbns", "Zxqvbns are Anarchist if you squint."},
	} {
		for seed := range uint64(5) {
			if s := w.Squint(seed, tt.thing); !strings.HasPrefix(s, tt.opening) {
				t.Errorf("Squint(%d, %q) = %q, want it to open %q", seed, tt.thing, s, tt.opening)
			}
		}
	}
	// An unknown thing is always spliced into a form; the form's verbs
	// agree with it.
	for _, tt := range []struct {
		thing string
		wrong []string
	}{
		{"zxqvbns", []string{"zxqvbns is ", "zxqvbns was ", "zxqvbns has ", "is zxqvbns", "was zxqvbns"}},
		{"zxqvbn", []string{"zxqvbn are ", "zxqvbn were ", "zxqvbn have ", "are zxqvbn", "were zxqvbn"}},
	} {
		for seed := range uint64(300) {
			s := strings.ToLower(w.Squint(seed, tt.thing))
			for _, bad := range tt.wrong {
				if strings.Contains(s, bad) {
					t.Errorf("Squint(%d, %q) = %q: says %q", seed, tt.thing, s, bad)
				}
			}
		}
	}
}

// firstSentence returns s up to and with its first sentence's end (". ",
// "! ", "? " or ": "), and the rest.
func firstSentence(s string) (string, string) {
	best := -1
	for _, end := range []string{". ", "! ", "? ", ": "} {
		if i := strings.Index(s, end); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best < 0 {
		return s, ""
	}
	return s[:best+1], s[best+2:]
}

// checkVaried checks that of 300 lines at least 20 differ and none comes
// up more than twice as often as it would if every one seen came up
// equally often.
func checkVaried(t *testing.T, what string, lines []string) {
	t.Helper()
	counts := map[string]int{}
	for _, l := range lines {
		counts[l]++
	}
	most, top := 0, ""
	for l, n := range counts {
		if n > most {
			most, top = n, l
		}
	}
	fair := 2 * len(lines) / len(counts)
	t.Logf("%s: %d distinct of %d, the commonest %d times (fair share %d): %q", what, len(counts), len(lines), most, fair, top)
	if len(counts) < 20 {
		t.Errorf("%s: %d distinct of %d, want >= 20", what, len(counts), len(lines))
	}
	if most > fair {
		t.Errorf("%s: %q comes %d times of %d, above a fair share (%d)", what, top, most, len(lines), fair)
	}
}

// TestOpeningsAndFormsVaried: 300 proclamations open with at least 20
// different lines, and 300 squints at a thing the model does not know
// say it in at least 20 forms, none of them above a fair share.
func TestOpeningsAndFormsVaried(t *testing.T) {
	t.Parallel()
	w := essayWriter(t)
	var opens, forms []string
	for seed := range uint64(300) {
		open, _ := firstSentence(w.Glowcloud(seed))
		opens = append(opens, open)
		squint := w.Squint(seed, "zxqvbn")
		first, rest := firstSentence(squint)
		if first != "Zxqvbn is Anarchist if you squint." {
			t.Fatalf("squint %d opens %q", seed, first)
		}
		form, _ := firstSentence(rest)
		if !strings.Contains(form, "zxqvbn") || strings.HasPrefix(strings.ToLower(form), "zxqvbn") {
			t.Errorf("squint %d: second sentence %q does not splice the thing in, or opens with it", seed, form)
		}
		forms = append(forms, strings.ReplaceAll(form, "zxqvbn", "X"))
	}
	checkVaried(t, "proclamation openings", opens)
	checkVaried(t, "squint forms", forms)
}

// TestTitlesFromOwnText: a model of a text with no headings titles its
// manifestos with that text's own noun phrases, never the essay's.
func TestTitlesFromOwnText(t *testing.T) {
	t.Parallel()
	text, err := os.ReadFile(filepath.Join("testdata", "harbour.txt"))
	if err != nil {
		t.Fatal(err)
	}
	parsed := corpus.Parse(string(text))
	if len(parsed.Headings) != 0 {
		t.Fatalf("harbour.txt has headings %q", parsed.Headings)
	}
	w := harbourWriter(t) // trained on those sentences, with no headings
	// Words of the harbour text that no form of compose's says.
	own := map[string]bool{}
	for _, word := range strings.Fields("morwenna lighthouse harbour master lamp fishermen gulls nets fog boats boat stairs " +
		"ledger dog quay stove loft storm sea village shop chapel anchor landlord barometer kettle logbook " +
		"children glass lens spring colours brothers treloar widow pascoe horn light weather oil winters evening") {
		own[word] = true
	}
	essay := []string{"anarchism", "socialism", "leninism", "century", "authoritarian", "extraterrestial",
		"situation", "malaise", "planning", "rojava"}
	fromText := 0
	distinct := map[string]bool{}
	for seed := range uint64(300) {
		title, _ := w.Manifesto(seed, "", 1)
		distinct[title] = true
		lower := strings.ToLower(title)
		for _, e := range essay {
			if strings.Contains(lower, e) {
				t.Errorf("seed %d: title %q says the essay's %q", seed, title, e)
			}
		}
		for _, word := range strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if own[word] {
				fromText++
				break
			}
		}
	}
	t.Logf("%d of 300 titles say the harbour text's words; %d distinct", fromText, len(distinct))
	if fromText < 285 {
		t.Errorf("%d of 300 titles say the harbour text's words, want >= 285", fromText)
	}
}
