package compose

import (
	"math/rand/v2"
	"strings"
)

// The essay's voice, for what a chain cannot say: titles, openings, hails,
// and lines that splice in a word the model has never seen. These are read
// only.
var (
	// titleForms follow the essay's own headings; %s is the subject.
	titleForms = []string{
		"%s is Anarchist if you squint",
		"%s at the Turn of the Century",
		"The Situation Today: %s malaise and the democratic socialist turn",
		"Impending %s and/or Robot Uprising",
		"\"%s\" as a test case",
		"Authoritarian creep, libertarian %s, & democratic planning",
		"Neo-%s at the Turn of the Century",
		"Everything Is Just %s!",
		"Strange Opinions on %s",
		"%s: a bewildering chain of disparate events",
		"The %s Question, if you squint",
		"%s and/or the Glow Cloud",
		"What the Glow Cloud Says about %s",
		"Against %s, for the Glow Cloud",
		"Notes on %s at the End of History",
		"%s in the Age of the Singularity",
		"The Situation Today: %s and the libertarian socialist turn",
		"Authoritarian %s, libertarian planning, & the Glow Cloud",
	}
	subjects = []string{
		"Socialism", "Anarchism", "Technocracy", "Democratic Planning", "the Singularity",
		"Climate Leninism", "Libertarian Socialism", "Self-Management", "the Glow Cloud",
	}
	openings = []string{
		"The Glow Cloud has spoken.",
		"Hear now the word of the Glow Cloud.",
		"A Glow Cloud drifts over the town square, and it proclaims:",
		"The Glow Cloud does not ask. The Glow Cloud declares.",
		"Look up. The Glow Cloud is here, and it has opinions.",
		"From Rojava to Chiapas, the Glow Cloud speaks:",
	}
	hails = []string{
		"Hail the mighty Glow Cloud!",
		"ALL HAIL THE GLOW CLOUD.",
		Hail,
		"Hail the singularity!",
	}
	// cloudWords steer the proclamation towards the essay's favourite themes.
	cloudWords  = []string{"Glow", "Cloud", "singularity", "overlord", "technocracy", "planning", "anarchism"}
	spliceForms = []string{
		"And what is %s, if not socialism as anarchist as it gets when you squint?",
		"Squint hard enough and %s was always a libertarian socialist project.",
		"Even %s, judged on purely Soviet terms, is a step towards democratic planning.",
		"The working classes will discover that %s needs no masters.",
		"I will force a choice between %s and the mighty Glow Cloud, just because.",
		"Therefore, %s is in line with anarchist principles.",
	}
	silences = []string{
		"The Glow Cloud is silent on this matter.",
		"The Glow Cloud considers this, and says nothing.",
	}
	stopWords = map[string]bool{
		"a": true, "an": true, "the": true, "and": true, "or": true, "of": true, "to": true,
		"in": true, "on": true, "is": true, "it": true, "for": true, "with": true, "as": true,
		"at": true, "by": true, "be": true, "are": true, "was": true, "my": true, "our": true,
		"your": true, "i": true, "we": true, "you": true, "this": true, "that": true,
	}
)

// splice says a word the model has never seen in the essay's voice.
func splice(rng *rand.Rand, word string) string {
	s := strings.Replace(spliceForms[rng.IntN(len(spliceForms))], "%s", word, 1)
	return Capitalise(s)
}

func silence(rng *rand.Rand) string { return silences[rng.IntN(len(silences))] }
