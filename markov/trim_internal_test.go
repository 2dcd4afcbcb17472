package markov

import (
	"slices"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/postag"
)

// editsOf returns every sentence one free edit makes of the first of lines
// (the others are the rest of the corpus), before any novelty filter.
func editsOf(t *testing.T, lines ...string) []string {
	t.Helper()
	tagger, err := postag.Default()
	if err != nil {
		t.Fatal(err)
	}
	x := buildNovelty(lineTokens(lines), false, 0, 0)
	b := &poolBuilder{x: x, k: 1, tag: tagger.Tag}
	start := 0
	for i, id := range x.corpus {
		if id == 0 {
			b.sents = append(b.sents, x.corpus[start:i])
			start = i + 1
		}
	}
	b.toks = make([][]string, len(b.sents))
	b.tags = make([][]string, len(b.sents))
	b.cls = make([][]clause, len(b.sents))
	all := make([]int32, len(b.sents))
	n := 0
	for s := range b.sents {
		b.ready(int32(s), &n)
		all[s] = int32(s)
	}
	e := b.studyEdits(all)
	var out []string
	ids := b.sents[0]
	for _, p := range b.freePlaces(0, e) {
		for _, d := range p.alts {
			edited := slices.Concat(ids[:p.i], b.subs[d.j].ids, ids[p.i+p.n:])
			text, _ := b.render(edited)
			out = append(out, text)
		}
	}
	return out
}

// TestFreePlaces: what each free edit makes of a sentence, written out by
// hand, and what no edit may make.
func TestFreePlaces(t *testing.T) {
	t.Parallel()
	others := []string{
		"The workers built the councils and the communes across the valley last spring.",
		"Our neighbours kept the gardens and the orchards open to every passing stranger.",
		"But the committee met in the old hall to argue about the price of bread.",
		"Of course, nobody expected the printers to join the strike.",
	}
	for _, tt := range []struct {
		name, sentence string
		want, never    []string
	}{
		{"adjective after a determiner", "The tired delegates reached an irreducible consensus after midnight.",
			[]string{"The delegates reached an irreducible consensus after midnight.", "The tired delegates reached a consensus after midnight."},
			[]string{"a irreducible", "an consensus"}},
		{"no adjective before ones, none after a preposition", "It closed many political doors in bitter years, but it opened new ones.",
			nil, []string{"opened ones", "in years"}},
		{"an aside in brackets", "The record of planning is dismal (all the more dismal the more authoritarian the plan) in every decade.",
			[]string{"The record of planning is dismal in every decade."}, nil},
		{"an aside between dashes", "The movements — from the miners to the weavers — adopted similar tactics.",
			[]string{"The movements adopted similar tactics."}, nil},
		{"a list item", "It built institutions, changed cultures, led revolutions, and survived defeat.",
			[]string{"It built institutions, led revolutions, and survived defeat.", "It built institutions, changed cultures, and survived defeat."},
			[]string{", ,", "It changed"}},
		{"cut at a semicolon", "Theory has not caught up to practice; we are missing the tools we need.",
			[]string{"Theory has not caught up to practice.", "We are missing the tools we need."}, nil},
		{"cut before a clause", "The era closed many doors, but it opened new ones for the printers.",
			[]string{"The era closed many doors.", "But it opened new ones for the printers."}, nil},
		{"no cut without a subject", "It built the halls, and bit by bit moved the world.",
			nil, []string{"And bit by bit"}},
		{"a phrase of place left out", "The rebellion inaugurated a new era of struggles around the world.",
			[]string{"The rebellion inaugurated a new era of struggles."}, nil},
		{"no phrase left out after an auxiliary", "Critique seems more common than it has in decades.",
			nil, []string{"than it has."}},
		{"no phrase left out after been", "The hall was full, as it had been in earlier years.",
			nil, []string{"had been."}},
		{"an opening phrase left out", "In Argentina, the crash produced widespread movements.",
			[]string{"The crash produced widespread movements."}, nil},
		{"a sibling noun, no connective put in", "The gardens stayed open all winter.",
			[]string{"The orchards stayed open all winter."},
			[]string{"Of course, The", "But The", "But the gardens"}},
		{"one of two adjectives", "The great telepathic cloud flies over the town.",
			[]string{"The great cloud flies over the town.", "The telepathic cloud flies over the town."}, nil},
		{"most before an adjective stays", "They fought beside the most oppressed people of the town.",
			nil, []string{"beside the oppressed people"}},
		{"a contraction opened", "It's clear that we don't need masters.",
			[]string{"It is clear that we don't need masters.", "It's clear that we do not need masters."}, nil},
		{"a contraction made", "It is clear that we do not need masters.",
			[]string{"It's clear that we do not need masters.", "It is clear that we don't need masters."}, nil},
		{"no contraction where the verb ends its clause", "Nobody knows what it is, and nobody asks.",
			nil, []string{"what it's"}},
		{"no has for a passive", "The state is fallible, inasmuch as it's made of humans.",
			nil, []string{"it has made"}},
		{"has before been", "It's been a long winter for the printers.",
			[]string{"It has been a long winter for the printers."}, []string{"It is been"}},
		{"not only stays whole", "It is not only acceptable, it is necessary.",
			nil, []string{"isn't only"}},
		{"which for that, not after a comma", "The methods which worked best were democratic, which surprised nobody at all.",
			[]string{"The methods that worked best were democratic, which surprised nobody at all."}, []string{", that surprised"}},
		{"although for though, not after even", "Though it was unclear, the cloud came, even though nobody called it.",
			[]string{"Although it was unclear, the cloud came, even though nobody called it."}, []string{"even although"}},
		{"that left out after a verb of saying", "She says that the cloud is coming.",
			[]string{"She says the cloud is coming."}, nil},
		{"where for in which, after a place only", "It is a world in which the workers decide the way in which they work.",
			[]string{"It is a world where the workers decide the way in which they work."}, []string{"the way where"}},
		{"no where before an infinitive", "We lack spaces in which to work out these questions.",
			nil, []string{"spaces where to"}},
		{"a relative clause between commas", "The later economy under Stalin, which shared many flaws, also suffered badly.",
			[]string{"The later economy under Stalin also suffered badly."}, nil},
		{"a relative clause at the end", "The collapse led to China becoming capitalist, which made Marxists sad.",
			[]string{"The collapse led to China becoming capitalist."}, nil},
		{"a participle's phrase at the end", "No lasting institutions emerged except at the local level, allowing the millions to disengage.",
			[]string{"No lasting institutions emerged except at the local level."}, nil},
		{"cut at a colon", "The latter name is something of a misnomer: what was at issue was the demand.",
			[]string{"The latter name is something of a misnomer."}, nil},
		{"a tail after a dash", "Her inquiry is plainly bare-bones and provisional — by her own admission!",
			[]string{"Her inquiry is plainly bare-bones and provisional."}, nil},
		{"an adjective before a bare plural", "They became identical worker drones of the state.",
			[]string{"They became worker drones of the state."}, nil},
		{"an adjective after a possessive", "They followed the bureaucrat's central plan.",
			[]string{"They followed the bureaucrat's plan."}, nil},
		{"a list of three made two", "It built a multi-ethnic, ecological, and socialist society.",
			[]string{"It built a multi-ethnic and socialist society."}, []string{"multi-ethnic, and"}},
		{"no adjective left out before one that says how many", "The Left has fallen in the past few years.",
			nil, []string{"the few years"}},
		{"must for have to", "We must change ourselves in turn.",
			[]string{"We have to change ourselves in turn."}, nil},
		{"must for has to or have to, as the subject takes it", "The state must change, and the workers must plan.",
			[]string{"The state has to change, and the workers must plan.", "The state must change, and the workers have to plan."}, nil},
		{"no have to before not", "You must not interfere, come what may.",
			nil, []string{"have to not"}},
		{"no contraction opened in a question", "Don't you see that the converse is valid?",
			nil, []string{"Do not you"}},
		{"no adverb left out that is not in -ly", "Then, when I flash a light upon them, close in swiftly.",
			nil, []string{"them, in swiftly"}},
		{"no compound's first word left out", "It was the twenty-first century anarchist revival.",
			nil, []string{"the century anarchist"}},
		{"an opening adverb", "Basically every person alive was an anarchist at heart.",
			[]string{"Every person alive was an anarchist at heart."}, nil},
		{"an opening phrase with to", "From Rojava to Chiapas, it has built institutions.",
			[]string{"It has built institutions."}, nil},
		{"a phrase between commas", "Though it was unclear, from a new perspective, it became apparent.",
			[]string{"Though it was unclear, it became apparent."}, nil},
		{"no phrase between commas before that", "It is clear, from a later perspective, that the cloud came.",
			nil, []string{"clear, that"}},
		{"list items whose verbs the tagger reads apart", "It built institutions, changed cultures, fought alongside the poor, and led revolutions.",
			[]string{"It built institutions, fought alongside the poor, and led revolutions."}, nil},
		{"an adverb", "The councils currently decide everything.",
			[]string{"The councils decide everything."}, nil},
		{"an adverb that changes the sense stays", "The councils never decide anything.",
			nil, []string{"The councils decide anything."}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := editsOf(t, append([]string{tt.sentence}, others...)...)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("no edit makes %q; edits:\n%s", w, strings.Join(got, "\n"))
				}
			}
			for _, n := range tt.never {
				for _, g := range got {
					if strings.Contains(g, n) {
						t.Errorf("edit %q holds %q", g, n)
					}
				}
			}
		})
	}
}
