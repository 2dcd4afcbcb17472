package compose

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Grammatical number of the phrases compose puts into its fixed forms
// (a title's subject, the thing a squint is about), so that the verb
// agrees: "Robots are Anarchist if you squint", "Chess is ...".

// number is a phrase's grammatical person and number, as its verb needs.
type number int

const (
	singular number = iota
	plural
	firstPerson // "I"
)

// inflect returns the form of verb (is, was, has, does: the singular
// third person) that agrees with n.
func (n number) inflect(verb string) string {
	forms, ok := verbForms[strings.ToLower(verb)]
	if !ok {
		return verb
	}
	out := forms[n]
	if r, _ := utf8.DecodeRuneInString(verb); unicode.IsUpper(r) {
		if verb == strings.ToUpper(verb) && len(verb) > 1 {
			return strings.ToUpper(out)
		}
		return capitalise(out)
	}
	return out
}

// verbForms maps each form of a verb that agrees with its subject to its
// singular, plural and first-person forms.
var verbForms = func() map[string][3]string {
	m := map[string][3]string{}
	for _, f := range [][3]string{
		{"is", "are", "am"}, {"was", "were", "was"}, {"has", "have", "have"}, {"does", "do", "do"},
	} {
		for _, v := range f {
			m[v] = f
		}
	}
	return m
}()

// lexicon is what the model's text knows of a word (in lower case): a
// name it writes only capitalised ("holmes"), or a common word it writes
// in lower case ("robots").
type lexicon interface {
	name(w string) bool
	common(w string) bool
}

// numberOf returns the grammatical number of the noun phrase p: the
// number of its head noun ("the masses of Paris": masses), plural for a
// coordination ("anarchists and mutualists"), singular for a phrase led by
// a gerund ("eating the rich") and for a name ("Holmes", "Mr. Holmes",
// "Bernie Sanders", but "the Sex Pistols"). lex may be nil.
func numberOf(p string, lex lexicon) number {
	var words []string
	var caps []bool
	for _, f := range strings.FieldsFunc(p, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' || r == ':' }) {
		w := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '&' })
		if w == "" {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		words = append(words, strings.ToLower(w))
		caps = append(caps, unicode.IsUpper(r))
	}
	// Trailing words that do not change the head: "the Glow Cloud itself",
	// "robots, too".
	for len(words) > 1 && trailing[words[len(words)-1]] {
		words, caps = words[:len(words)-1], caps[:len(caps)-1]
	}
	if len(words) == 0 {
		return singular
	}
	if len(words) == 1 {
		switch words[0] {
		case "i":
			return firstPerson
		case "we", "you", "they", "both", "many", "few", "several", "all", "these", "those":
			return plural
		}
	}
	if slices.Contains(words, "and") || slices.Contains(words, "&") {
		if !fixedPairs[strings.Join(words, " ")] && words[0] != "every" && words[0] != "each" {
			return plural
		}
	}
	// "X or Y", "X and/or Y", "X nor Y": the verb agrees with Y.
	for i := len(words) - 1; i > 0; i-- {
		if words[i] == "or" || words[i] == "nor" || words[i] == "and/or" {
			return numberOf(strings.Join(words[i+1:], " "), lex)
		}
	}
	// A gerund with its object is an action, and singular: "eating the
	// rich", "seizing the means of production".
	if len(words) > 1 && gerund(words[0]) && (determiners[words[1]] || objectPronouns[words[1]]) {
		return singular
	}
	// The head is the last word before a preposition or a relative
	// pronoun; "a lot of", "most of" let the noun after them decide.
	head := len(words) - 1
	for i := 1; i < len(words); i++ {
		if !headEnds[words[i]] {
			continue
		}
		if words[i] == "of" && i+1 < len(words) {
			switch {
			case words[i-1] == "number" && i >= 2 && words[i-2] == "a":
				return plural // "a number of robots", but "the number of robots is"
			case quantities[words[i-1]]:
				return numberOf(strings.Join(words[i+1:], " "), lex)
			}
		}
		head = i - 1
		break
	}
	for i := 0; i < head; i++ {
		switch {
		case pluralDeterminers[words[i]] || isCount(words[i]):
			return plural
		case singularDeterminers[words[i]]:
			return singular
		}
	}
	w := words[head]
	the := head > 0 && words[0] == "the"
	if the && head == 1 && nominalPlurals[w] {
		return plural // "the rich", "the oppressed"
	}
	named := lex != nil && lex.name(w)
	if caps[head] && head > 0 && !the {
		// "Mr. Holmes"; "Bernie Sanders", unless the text writes "sanders"
		// in lower case ("Killer Robots").
		named = named || titles[words[head-1]] || caps[head-1] && (lex == nil || !lex.common(w))
	}
	if named {
		// A name is one thing, unless it is "the" group's ("the Sex
		// Pistols").
		if !(the && pluralForm(w)) {
			return singular
		}
	}
	if pluralForm(w) {
		return plural
	}
	return singular
}

// pluralForm reports whether the lower-case noun w has a plural form.
func pluralForm(w string) bool {
	switch {
	case irregularPlurals[w]:
		return true
	case singularInS[w]:
		return false
	case strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’s"):
		return false // a possessive standing for its owner: "Marx's"
	case strings.HasSuffix(w, "s'"):
		return true // "the workers'"
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"), strings.HasSuffix(w, "ous"):
		return false // class, status, crisis, famous
	}
	for _, f := range fieldsInIcs {
		if strings.HasSuffix(w, f) {
			return false // politics, geopolitics, economics
		}
	}
	return strings.HasSuffix(w, "s") && utf8.RuneCountInString(w) > 2
}

// gerund reports whether w may be the "-ing" form of a verb.
func gerund(w string) bool {
	return strings.HasSuffix(w, "ing") && utf8.RuneCountInString(w) > 4 && !ingNouns[w]
}

// isCount reports whether w is a number above one, in words or figures.
func isCount(w string) bool {
	if countWords[w] {
		return true
	}
	digits := strings.TrimLeft(strings.ReplaceAll(w, ",", ""), "0")
	if digits == "" || strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return false
	}
	return digits != "1"
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

var (
	// trailing words follow a noun phrase without being its head.
	trailing = set("itself themselves himself herself too also alone included today now here there again as well")
	// fixedPairs are coordinations that name one thing.
	fixedPairs = map[string]bool{
		"law and order": true, "rock and roll": true, "trial and error": true, "research and development": true,
		"bread and butter": true, "peace and quiet": true, "rhythm and blues": true, "cause and effect": true,
		"war and peace": true, "pride and prejudice": true, "crime and punishment": true, "r & d": true,
	}
	// headEnds end a noun phrase's head: prepositions, relative pronouns.
	headEnds = set("of in on at for with without from to by about against under over into onto upon within beyond " +
		"across through during after before between among towards toward versus vs like that which who whom whose where when")
	// quantities let the noun after "of" decide: "a lot of robots are".
	quantities = set("lot lots plenty most some all half rest majority minority bunch couple few many both none any " +
		"percent per cent portion part share")
	pluralDeterminers   = set("these those few many several various numerous both all most two three four five six seven eight nine ten dozens hundreds thousands millions billions")
	singularDeterminers = set("a an one each every this that another either neither much")
	countWords          = set("two three four five six seven eight nine ten eleven twelve twenty hundred thousand million dozens hundreds thousands millions billions")
	// nominalPlurals are adjectives that name a group after "the".
	nominalPlurals = set("rich poor oppressed powerful powerless young old wealthy weak strong dead living homeless " +
		"unemployed exploited wretched damned faithful elderly meek wicked righteous disabled dispossessed many few")
	// titles come before a person's name.
	titles = set("mr mrs ms miss dr sir lady lord saint st professor prof comrade uncle aunt king queen prince princess captain colonel inspector")
	// objectPronouns follow a gerund as its object.
	objectPronouns   = set("them him her it us me you everything everyone something nothing anyone")
	irregularPlurals = set("people men women children mice geese feet teeth police cattle data media criteria phenomena " +
		"strata bacteria alumni fungi cacti oxen folk clergy militia masses proletarians bourgeois peoples")
	// singularInS end in "s" without being plural.
	singularInS = set("news series species means measles mumps diabetes rabies billiards darts lens gas bias atlas canvas " +
		"alias christmas texas kansas arkansas chaos cosmos ethos pathos logos kudos asbestos thermos " +
		"mathematics always perhaps yes us its his hers ours yours theirs this thus plus minus")
	// fieldsInIcs are the "-ics" that name a field, which is singular
	// ("politics is"), unlike "critics" or "heretics".
	fieldsInIcs = strings.Fields("politics economics ethics physics mathematics linguistics logistics athletics aesthetics " +
		"genetics electronics robotics cybernetics gymnastics acoustics semantics phonetics dynamics optics ballistics " +
		"informatics hydraulics ergonomics metaphysics statistics")
	// ingNouns end in "ing" and are things, not actions.
	ingNouns = set("thing nothing something anything everything king ring string spring wing evening morning ceiling " +
		"building meeting painting feeling beijing wedding pudding sibling offspring")
)
