package compose

import (
	"slices"
	"strings"
	"testing"
)

func TestNumberOf(t *testing.T) {
	t.Parallel()
	lex := fakeLexicon{names: []string{"holmes", "chiapas"}, commons: []string{"robots", "pistols"}}
	for _, tt := range []struct {
		phrase string
		want   number
	}{
		{"robots", plural},
		{"Robots", plural},
		{"the masses", plural},
		{"late capitalism", singular},
		{"Late Capitalism", singular},
		{"the Sex Pistols", plural},
		{"chess", singular},
		{"news", singular},
		{"data", plural},
		{"anarchists and mutualists", plural},
		{"tea and biscuits", plural},
		{"socialism & anarchism", plural},
		{"law and order", singular},
		{"every man and woman", singular},
		{"the masses of Paris", plural},
		{"the ruling class", singular},
		{"the working classes", plural},
		{"a class of robots", singular},
		{"a lot of robots", plural},
		{"most of the workers", plural},
		{"a number of robots", plural},
		{"the number of robots", singular},
		{"the Glow Cloud itself", singular},
		{"the workers themselves", plural},
		{"robots, too", plural},
		{"Everything", singular},
		{"eating the rich", singular},
		{"seizing the means of production", singular},
		{"striking workers", plural},
		{"the rich", plural},
		{"the oppressed", plural},
		{"the people", plural},
		{"children", plural},
		{"politics", singular},
		{"geopolitics", singular},
		{"critics", plural},
		{"the crisis", singular},
		{"the status quo", singular},
		{"consciousness", singular},
		{"two cats", plural},
		{"1,000 robots", plural},
		{"one robot", singular},
		{"several things", plural},
		{"this robot", singular},
		{"these robots", plural},
		{"robots or a cat", singular},
		{"a cat or robots", plural},
		{"cats and/or a dog", singular},
		{"Marx's ideas", plural},
		{"the workers' councils", plural},
		{"Mr. Holmes", singular},
		{"Bernie Sanders", singular}, // capitalised twice: a name
		{"Sherlock Holmes", singular},
		{"Killer Robots", plural},   // but the text writes "robots"
		{"The Sex Pistols", plural}, // a group
		{"killer robots", plural},
		{"Holmes", singular}, // a name the text knows
		{"Chiapas", singular},
		{"the Bolsheviks", plural},
		{"I", firstPerson},
		{"we", plural},
		{"you", plural},
		{"they", plural},
		{"it", singular},
		{"-dashes", plural},
		{"", singular},
	} {
		if got := numberOf(tt.phrase, lex); got != tt.want {
			t.Errorf("numberOf(%q) = %d, want %d", tt.phrase, got, tt.want)
		}
	}
	// Without the text's names, a name in -s alone reads as a plural; with
	// a title or a first name before it, it does not.
	if numberOf("Holmes", nil) != plural || numberOf("Dr. Jones", nil) != singular || numberOf("Sherlock Holmes", nil) != singular {
		t.Error("names without the text's knowledge")
	}
}

// fakeLexicon knows the words it is given.
type fakeLexicon struct{ names, commons []string }

func (f fakeLexicon) name(w string) bool   { return slices.Contains(f.names, w) }
func (f fakeLexicon) common(w string) bool { return slices.Contains(f.commons, w) }

func TestInflect(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		verb string
		n    number
		want string
	}{
		{"is", singular, "is"},
		{"is", plural, "are"},
		{"is", firstPerson, "am"},
		{"are", singular, "is"},
		{"Is", plural, "Are"},
		{"IS", plural, "ARE"},
		{"has", plural, "have"},
		{"Has", plural, "Have"},
		{"have", singular, "has"},
		{"was", plural, "were"},
		{"was", firstPerson, "was"},
		{"does", plural, "do"},
		{"runs", plural, "runs"}, // not a verb it inflects
	} {
		if got := tt.n.inflect(tt.verb); got != tt.want {
			t.Errorf("%d.inflect(%q) = %q, want %q", tt.n, tt.verb, got, tt.want)
		}
	}
}

// TestHeadingForms: a heading's subject place is a whole noun phrase
// (never an adjective, a verb, or the head of an "of"), and the forms
// keep the rest of the heading as it was.
func TestHeadingForms(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		heading string
		want    []string
	}{
		{"Authoritarian creep, libertarian socialism, & democratic planning", []string{
			"%s, libertarian socialism, & democratic planning",
			"Authoritarian creep, %s, & democratic planning",
			"Authoritarian creep, libertarian socialism, & %s",
		}},
		{"Neo-Anarchism at the Turn of the Century", []string{
			"%s at the Turn of the Century",
			"Neo-Anarchism at the Turn of %s",
		}},
		{"Socialism is Anarchist if you squint", []string{"%s is Anarchist if you squint"}},
		{"Everything Is Just Dandy!", []string{"%s Is Just Dandy!"}},
		{"The Situation Today: Anarchist malaise and the democratic socialist turn", []string{
			"The Situation Today: %s and the democratic socialist turn",
			"The Situation Today: Anarchist malaise and %s",
		}},
		{"Impending Extraterrestial Invasion and/or Robot Uprising", []string{
			"%s and/or Robot Uprising",
			"Impending Extraterrestial Invasion and/or %s",
		}},
		{`"Climate Leninism" as a test case`, []string{`"%s" as a test case`}},
		{"The Red-Headed League", nil}, // the whole heading is the phrase
		{"Adventure I. A Scandal in Bohemia", []string{
			"Adventure I. %s in Bohemia",
			"Adventure I. A Scandal in %s",
		}},
		{"X. The Adventure of the Noble Bachelor", []string{"X. The Adventure of %s"}},
		{"The Adventures of Sherlock Holmes", []string{"The Adventures of %s"}},
		{"100% Anarchist", nil},
	} {
		var got []string
		for _, f := range headingForms(tt.heading) {
			got = append(got, f.before+"%s"+f.after)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("headingForms(%q) =\n\t%q\nwant\n\t%q", tt.heading, got, tt.want)
		}
	}
}

// TestFormsAreVoiced: the fixed lines keep the rules their users rely on.
func TestFormsAreVoiced(t *testing.T) {
	t.Parallel()
	firstThree := func(s string) string {
		ws := strings.Fields(strings.ToLower(strings.Map(func(r rune) rune {
			if strings.ContainsRune(",.:;!?", r) {
				return ' '
			}
			return r
		}, s)))
		return strings.Join(ws[:min(3, len(ws))], " ")
	}
	seen := map[string]string{}
	for _, h := range hails {
		seen[firstThree(h)] = h
	}
	for _, o := range openings {
		if prev, ok := seen[firstThree(o)]; ok {
			t.Errorf("opening %q opens as %q does", o, prev)
		}
		seen[firstThree(o)] = o
		if strings.ContainsAny(strings.TrimRight(o, ".:!"), ".!?:") {
			t.Errorf("opening %q is more than one sentence", o)
		}
	}
	for _, f := range spliceForms {
		if strings.HasPrefix(f, "%s") || strings.Count(f, "%s") != 1 {
			t.Errorf("splice form %q must hold the thing once, not first", f)
		}
	}
	for _, f := range titleForms {
		if strings.Count(f, "%s") != 1 {
			t.Errorf("title form %q must hold the subject once", f)
		}
	}
}
