package compose

import (
	"math/rand/v2"
	"strings"
)

// The essay's voice, for what a chain cannot say: titles, openings, hails,
// and lines that splice in a word the model has never seen. These are read
// only.
var (
	// titleForms are titles in the Glow Cloud's voice, for any model: %s
	// is the subject's place (a noun phrase; a verb right after it agrees
	// with it), %n a noun phrase of the model's own text. A form is
	// title-cased or not as its own words are.
	titleForms = []string{
		"%s is Anarchist if you squint",
		"%s and/or %n",
		"%s, %n, & the Glow Cloud",
		"What the Glow Cloud Says about %s",
		"Against %s, for the Glow Cloud",
		"Notes on %s at the End of History",
		"%s in the Age of the Singularity",
		"Strange Opinions on %s",
		"%s, Explained by the Glow Cloud",
		"Everything Is Just %s!",
		"%s Is Just Dandy!",
		"\"%s\" as a test case",
		"From %n to %s",
		"%s, if you squint",
		"The Glow Cloud Considers %s",
		"%s at the End of the World, Again",
		"A Short History of %s, as Told by the Glow Cloud",
		"%s without %n",
		"On %s and %n",
		"The Case for %s",
		"%s Has Always Been Anarchist",
		"In Praise of %s",
		"%s, %n, and Other Signs of the Singularity",
		"Dead Animals Fall on %s",
		"%s versus %n",
		"Between %s and %n",
		"%s after %n",
		"The Glow Cloud's Guide to %s",
		"%s: a Proclamation",
		"%s Is Coming, and So Is the Glow Cloud",
		"%s beyond %n",
		"The Secret History of %s",
		"Toward %s",
		"%s in One Country",
		"%s, Squinted At",
		"All Hail %s and the Glow Cloud",
	}
	// openings open a proclamation: one sentence each, no two opening
	// with the same three words, none with a hail's.
	openings = []string{
		"A light rain of small dead animals begins, and the Glow Cloud speaks:",
		"Look up, for the Glow Cloud is here and it has opinions.",
		"Dead sparrows thud softly onto the parking lot as the Glow Cloud clears its throat.",
		"Over the town square a cloud of no particular colour settles, humming, and speaks.",
		"Hear now the word of the Glow Cloud.",
		"Something glows above the high school football field, and it would like a word.",
		"Do not be alarmed by the dead raccoons on your lawn; the Glow Cloud is only clearing its throat.",
		"Citizens, remain calm and face the sky, for the Glow Cloud is addressing you.",
		"It is moving toward the town now, glowing a gentle mauve, and it has a message.",
		"Silence, please, while the Glow Cloud proclaims.",
		"Tonight the sky is chartreuse and full of opinions.",
		"From somewhere above the grocery store, a voice without a mouth begins to speak.",
		"Several dead herons have landed on the agenda of the school board, which means the Glow Cloud has something to say.",
		"Put down your umbrellas, because what is falling is not rain and what is speaking is the Glow Cloud.",
		"Attention, all residents, the Glow Cloud has a proclamation.",
		"All traffic lights have turned the colour of the Glow Cloud, which is now speaking.",
		"With a soft patter of dead voles, the Glow Cloud announces itself.",
		"We interrupt this broadcast, because the Glow Cloud is interrupting everything.",
		"In a voice that is less a sound than a pressure behind the eyes, the Glow Cloud proclaims:",
		"Nobody asked the Glow Cloud, and yet it answers.",
		"Glowing, drifting and utterly serene, the Glow Cloud declares:",
		"Your pets are staring at the sky again, because the Glow Cloud is speaking.",
		"Be still, for the Glow Cloud has come down to the height of the radio tower and wishes to be heard.",
		"Small dead animals are falling again, which is how you know the Glow Cloud is serious.",
		"Breathe slowly and listen to the Glow Cloud, which is all there is to listen to.",
		"There is a cloud over the public library, and it is not weather.",
		"Once more the Glow Cloud drifts in from the desert, changing colours, and it proclaims:",
		"Every radio in town now carries one voice, and it belongs to the Glow Cloud.",
		"Not a threat, not a promise, only the Glow Cloud, speaking.",
		"Somewhere a dead possum lands on a windshield, and the Glow Cloud begins.",
	}
	hails = []string{
		"Hail the mighty Glow Cloud!",
		"ALL HAIL THE GLOW CLOUD.",
		Hail,
		"Hail the singularity!",
	}
	// cloudWords steer the proclamation towards the essay's favourite themes.
	cloudWords = []string{"Glow", "Cloud", "singularity", "overlord", "technocracy", "planning", "anarchism"}
	// spliceForms say a thing the model cannot: %s is the thing, never
	// first (a squint opens with it), and {is}, {was}, {has} agree with
	// it. No form refers back to the thing with a pronoun.
	spliceForms = []string{
		"And what {is} %s, if not socialism as anarchist as it gets when you squint?",
		"Squint hard enough and %s {was} always a libertarian socialist project.",
		"Even %s, judged on purely Soviet terms, {is} a step towards democratic planning.",
		"The working classes will discover that they need no masters, not even %s.",
		"I will force a choice between %s and the mighty Glow Cloud, just because.",
		"Therefore, %s {is} in line with anarchist principles.",
		"Dead animals fell from the sky the day %s came to town, and nobody thought it strange.",
		"Having considered %s at length, the Glow Cloud finds no contradiction with democratic planning.",
		"Look closely at %s and you will see a federation of workers' councils.",
		"Nobody voted for %s, and that is exactly why the neighbourhood assembly will.",
		"Under democratic planning, %s would belong to everyone and to no one.",
		"Consider %s from the point of view of the Paris Commune.",
		"A mutual aid network could run %s better than any central committee.",
		"Lenin never understood %s, and that is why the Bolsheviks failed.",
		"In the libertarian socialist future, %s will be decided by recallable delegates.",
		"Kropotkin would have recognised %s at once as mutual aid in disguise.",
		"Tell the central planners about %s and watch them fall silent.",
		"People from Rojava to Chiapas are already organising %s from below.",
		"If you squint at %s, the state begins to wither away.",
		"In the end, the workers' councils will take %s into common ownership.",
		"Not even %s can escape the logic of self-management.",
		"It is hard to imagine a more anarchist arrangement than %s, once the bosses are gone.",
		"Place %s under workers' control and call the result self-management.",
		"Somewhere between %s and the Glow Cloud lies a federation of free communes.",
		"History will remember %s as the first step towards democratic planning.",
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

// splice says a thing the model has never seen in the essay's voice.
func (w *Writer) splice(rng *rand.Rand, thing string) string {
	n := numberOf(thing, w.titles())
	s := strings.NewReplacer("%s", thing, "{is}", n.inflect("is"), "{was}", n.inflect("was"), "{has}", n.inflect("has")).
		Replace(spliceForms[rng.IntN(len(spliceForms))])
	return capitalise(s)
}

// squintLine is a squint's first line: "Robots are Anarchist if you
// squint."
func (w *Writer) squintLine(thing string) string {
	return capitalise(thing) + " " + numberOf(thing, w.titles()).inflect("is") + " Anarchist if you squint."
}

func silence(rng *rand.Rand) string { return silences[rng.IntN(len(silences))] }
