package markov

import (
	"strings"
)

// Rewordings: the same words said another way, as any writer might have
// written them — a contraction opened or made ("it's" ↔ "it is", "don't"
// ↔ "do not"), a relative pronoun or conjunction for its twin ("which" ↔
// "that", "though" ↔ "although", "such as" ↔ "like"), "that" left out
// after a verb of saying or put in. They change neither grammar nor sense,
// so a reader cannot tell them, and they break a long run of the corpus's
// words where no other edit can: blind readers marked the same few
// sentences repeated across a set of twelve paragraphs (reading w2: "can't
// even elect a government" three times), because only 47 of the essay's
// 190 sentences could be said anew.
const riskReword = 0.05

// notContractions are the "X not" pairs said as one word, and back.
var notContractions = map[string]string{
	"do": "don't", "does": "doesn't", "did": "didn't", "is": "isn't", "are": "aren't", "was": "wasn't",
	"were": "weren't", "will": "won't", "would": "wouldn't", "could": "couldn't", "should": "shouldn't",
	"has": "hasn't", "have": "haven't", "had": "hadn't",
}

// pronounContractions are the "pronoun verb" pairs said as one word: the
// verb's clitic by its full form.
var pronounContractions = map[string]map[string]string{
	"is":    {"it": "'s", "that": "'s", "there": "'s", "what": "'s", "he": "'s", "she": "'s"},
	"am":    {"i": "'m"},
	"are":   {"we": "'re", "they": "'re", "you": "'re"},
	"will":  {"i": "'ll", "we": "'ll", "you": "'ll", "they": "'ll"},
	"would": {"i": "'d", "we": "'d", "they": "'d", "you": "'d"},
	"have":  {"i": "'ve", "we": "'ve", "they": "'ve", "you": "'ve"}, // before a participle only
}

// oneForOne are words said in place of another where either reads the
// same, whatever is around them (the conditions are in reword).
var oneForOne = map[string]string{
	"although": "though", "toward": "towards", "towards": "toward", "whilst": "while", "whereas": "while",
	"amongst": "among", "anyone": "anybody", "anybody": "anyone", "everyone": "everybody", "everybody": "everyone",
	"someone": "somebody", "somebody": "someone", "cannot": "can't", "can't": "cannot",
	"almost": "nearly", "nearly": "almost", "largely": "mostly", "mostly": "largely",
}

// beginVerbs are "start" and "begin" in each form, for each other.
var beginVerbs = map[string]string{
	"start/VB": "begin", "start/VBP": "begin", "begin/VB": "start", "begin/VBP": "start",
	"starts/VBZ": "begins", "begins/VBZ": "starts", "started/VBD": "began", "began/VBD": "started",
	"started/VBN": "begun", "begun/VBN": "started", "starting/VBG": "beginning", "beginning/VBG": "starting",
}

// places are nouns of the places "in which" things happen, where "where"
// says the same ("a world in which" → "a world where"; not "the way in
// which").
var places = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`world worlds society societies place places country countries city cities
		space spaces zone zones region regions community communities economy economies
		future system systems town towns area areas`) {
		m[w] = true
	}
	return m
}()

// sayVerbs take a clause after them with or without "that".
var sayVerbs = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`say says said believe believes believed think thinks thought know knows knew
		argue argues argued claim claims claimed hope hopes hoped suppose guess swear realize realized realise realised
		suggest suggests suggested admit admits admitted agree agreed feel feels felt mean means meant show shows showed`) {
		m[w] = true
	}
	return m
}()

// subjectPronouns open a clause.
var subjectPronouns = map[string]bool{"i": true, "we": true, "they": true, "he": true, "she": true, "it": true, "you": true, "there": true}

// plainApostrophe is a token with its typographic apostrophes made plain.
func plainApostrophe(w string) string { return strings.ReplaceAll(w, "’", "'") }

// reword offers the rewordings of sentence s (see riskReword) to sub, as
// freePlaces offers its edits.
func (b *poolBuilder) reword(s int32, sub func(i, l int32, risk float64, words []int32, wtags []string)) {
	toks, tags := b.toks[s], b.tags[s]
	n := int32(len(toks))
	// lead and trail are what punctuation a token carries before and after
	// its word.
	lead := func(t string) string { return t[:strings.Index(t, core(t))] }
	trail := func(t string) string { c := core(t); return t[strings.Index(t, c)+len(c):] }
	word := func(i int32) string { return plainApostrophe(strings.ToLower(core(toks[i]))) }
	// same makes w the token at i: its case and punctuation.
	same := func(w string, i int32) string {
		c := core(toks[i])
		if i == 0 || properTag(tags[i]) || isI(c) {
			w = matchCase(w, c)
		}
		if w == "i" || strings.HasPrefix(w, "i'") {
			w = "I" + w[1:]
		}
		return lead(toks[i]) + w + trail(toks[i])
	}
	participle := func(i int32) participleKind {
		for i < n && tags[i] == "RB" {
			i++
		}
		if i >= n {
			return noParticiple
		}
		switch w := word(i); {
		case w == "been" || w == "become" || w == "gotten" || w == "got" || w == "had":
			return perfectParticiple
		case tags[i] == "VBN" || tags[i] == "VBD":
			return ambiguousParticiple
		}
		return noParticiple
	}
	for i := int32(0); i < n; i++ {
		tok, w := toks[i], word(i)
		if core(tok) == "" {
			continue
		}
		last := i+1 >= n
		inner := plainWord(tok) // no punctuation on either side
		// "do not" → "don't": the first word plain, the "not" as it comes.
		if !last && inner && word(i+1) == "not" && lead(toks[i+1]) == "" && (i+2 >= n || word(i+2) != "only") {
			if c, ok := notContractions[w]; ok && strings.HasPrefix(tags[i], "VB") || ok && tags[i] == "MD" {
				sub(i, 2, riskReword, []int32{b.intern(same(c, i) + trail(toks[i+1]))}, []string{tags[i]})
			}
		}
		// "it is" → "it's", where the verb is said with what follows it
		// ("what it is." and "what it is that" keep the full verb).
		if !last && inner && plainWord(toks[i+1]) && i+2 < n && core(toks[i+2]) != "" && lead(toks[i+2]) == "" {
			v := word(i + 1)
			next := word(i + 2)
			if c, ok := pronounContractions[v][w]; ok && next != "that" && next != "to" && tags[i+2] != "IN" && tags[i+2] != "WDT" && tags[i+2] != "CC" &&
				(v != "have" || participle(i+2) != noParticiple) {
				sub(i, 2, riskReword, []int32{b.intern(same(w+c, i))}, []string{tags[i]})
			}
		}
		// And back: "don't" → "do not", "it's" → "it is" ("it has" before a
		// participle), "we'd" → "we would" ("we had").
		// Not in a question's inversion: "Don't you see…" is no "Do not
		// you see…".
		if strings.Contains(w, "'") && !last && !(strings.HasSuffix(w, "n't") && subjectPronouns[word(i+1)]) {
			if full, verb, ok := expand(w, participle(i+1)); ok {
				first := same(full, i)
				first = strings.TrimSuffix(first, trail(toks[i]))
				sub(i, 1, riskReword, []int32{b.intern(first), b.intern(verb + trail(toks[i]))}, []string{tags[i], "VB"})
			}
		}
		// "toward" and "towards" only as prepositions.
		if alt, ok := oneForOne[w]; ok && (w != "toward" && w != "towards" || tags[i] == "IN") {
			sub(i, 1, riskReword, []int32{b.intern(same(alt, i))}, []string{tags[i]})
		}
		if alt, ok := beginVerbs[w+"/"+tags[i]]; ok && inner {
			sub(i, 1, riskReword, []int32{b.intern(same(alt, i))}, []string{tags[i]})
		}
		switch {
		case w == "all" && i+2 < n && inner && plainWord(toks[i+1]) && word(i+1) == "of" && word(i+2) == "the":
			sub(i, 2, riskReword, []int32{b.sents[s][i]}, []string{tags[i]}) // "all of the" → "all the"
		case w == "all" && !last && inner && word(i+1) == "the" && lead(toks[i+1]) == "" && (i == 0 || tags[i-1] != "DT"):
			// Not "both the": "both the democratic and libertarian
			// varieties" pairs with its "and".
			sub(i, 1, riskReword, []int32{b.sents[s][i], b.intern("of")}, []string{tags[i], "IN"})
		case w == "as" && i+2 < n && inner && plainWord(toks[i+1]) && word(i+1) == "well" && word(i+2) == "as" && plainWord(toks[i+2]) && i > 0 && !strings.HasSuffix(toks[i-1], ","):
			sub(i, 3, riskReword, []int32{b.intern("and")}, []string{"CC"})
		case w == "in" && i+2 < n && inner && word(i+1) == "which" && plainWord(toks[i+1]) && i > 0 && places[word(i-1)] && word(i+2) != "to":
			sub(i, 2, riskReword, []int32{b.intern("where")}, []string{"WRB"})
		case w == "where" && tags[i] == "WRB" && inner && !last && i > 0 && noun(tags[i-1]) && plainWord(toks[i-1]) &&
			(subjectPronouns[word(i+1)] || noun(tags[i+1]) || tags[i+1] == "DT" || strings.HasPrefix(tags[i+1], "JJ")):
			sub(i, 1, riskReword, []int32{b.intern("in"), b.intern("which")}, []string{"IN", "WDT"})
		case w == "must" && i > 0 && inner && !last && plainWord(toks[i-1]) && agreeing(word(i-1), tags[i-1]) != "" &&
			// Not before an adverb: "You have to also put in a note" (a
			// reader marked it), "have to not interfere".
			(strings.HasPrefix(tags[i+1], "VB") || word(i+1) == "both"):
			// "Libertarian socialists must be willing" → "…have to be
			// willing"; "the state must" → "the state has to".
			have := agreeing(word(i-1), tags[i-1])
			sub(i, 1, riskReword, []int32{b.intern(have), b.intern("to")}, []string{"VBP", "TO"})
		case w == "have" && i > 0 && i+2 < n && inner && plainWord(toks[i+1]) && word(i+1) == "to" && (word(i-1) == "we" || word(i-1) == "they" || word(i-1) == "i" || word(i-1) == "you") && tags[i+2] == "VB":
			sub(i, 2, riskReword, []int32{b.intern("must")}, []string{"MD"})
		case w == "perhaps" && inner && !last && (i == 0 || strings.HasSuffix(toks[i-1], ",")):
			sub(i, 1, riskReword, []int32{b.intern(same("maybe", i))}, []string{tags[i]})
		case w == "though" && tags[i] == "IN" && inner && !last && (i == 0 || word(i-1) != "even" && word(i-1) != "as"):
			sub(i, 1, riskReword, []int32{b.intern(same("although", i))}, []string{tags[i]})
		case (w == "which" || w == "that") && tags[i] == "WDT" && inner && i > 0 && plainWord(toks[i-1]) && noun(tags[i-1]) && !last:
			// A restrictive relative (no comma before it): "the methods
			// which worked" ↔ "the methods that worked".
			alt := "that"
			if w == "that" {
				alt = "which"
			}
			sub(i, 1, riskReword, []int32{b.intern(alt)}, []string{tags[i]})
		case w == "that" && tags[i] == "IN" && inner && i > 0 && plainWord(toks[i-1]) && sayVerbs[word(i-1)] && !last &&
			(subjectPronouns[word(i+1)] || tags[i+1] == "DT" || properTag(tags[i+1])) && lead(toks[i+1]) == "":
			// "she says that it works" → "she says it works".
			sub(i, 1, riskReword, nil, nil)
		case sayVerbs[w] && strings.HasPrefix(tags[i], "VB") && inner && i+2 < n && subjectPronouns[word(i+1)] && plainWord(toks[i+1]) &&
			(strings.HasPrefix(tags[i+2], "VB") || tags[i+2] == "MD"):
			// And put in: "I guess the choice is" → "I guess that the…" is
			// not certain ("know the answer"); a pronoun and its verb are.
			sub(i, 1, riskReword, []int32{b.sents[s][i], b.intern("that")}, []string{tags[i], "IN"})
		case w == "such" && !last && word(i+1) == "as" && inner && plainWord(toks[i+1]) && i > 0 && noun(tags[i-1]) && plainWord(core(toks[i-1])):
			sub(i, 2, riskReword, []int32{b.intern("like")}, []string{"IN"})
		case w == "like" && tags[i] == "IN" && inner && i > 0 && noun(tags[i-1]) && !last && (noun(tags[i+1]) || strings.HasPrefix(tags[i+1], "JJ")):
			sub(i, 1, riskReword, []int32{b.intern("such"), b.intern("as")}, []string{"JJ", "IN"})
		case w == "in" && i+2 < n && word(i+1) == "order" && word(i+2) == "to" && inner && plainWord(toks[i+1]) && lead(toks[i+2]) == "":
			sub(i, 3, riskReword, []int32{b.intern(same("to", i) + trail(toks[i+2]))}, []string{"TO"})
		case w == "but" && tags[i] == "CC" && inner && i > 0 && strings.HasSuffix(toks[i-1], ",") && !last &&
			(subjectPronouns[word(i+1)] || tags[i+1] == "DT" || properTag(tags[i+1])):
			sub(i, 1, riskReword, []int32{b.intern("yet")}, []string{"CC"})
		case w == "each" && !last && word(i+1) == "other" && inner:
			sub(i, 2, riskReword, []int32{b.intern(same("one", i)), b.intern("another" + trail(toks[i+1]))}, []string{"CD", "DT"})
		case w == "one" && !last && word(i+1) == "another" && inner:
			sub(i, 2, riskReword, []int32{b.intern(same("each", i)), b.intern("other" + trail(toks[i+1]))}, []string{"DT", "JJ"})
		}
	}
}

// asides offers a clause said aside left out: a relative clause between
// commas whose sentence goes on with its verb ("the later command economy
// under Stalin, which shared many of its characteristics, also suffered"
// → "the later command economy under Stalin also suffered"), or one that
// ends the sentence (", which made Marxists sad.").
func (b *poolBuilder) asides(s int32, sub func(i, l int32, risk float64, words []int32, wtags []string)) {
	toks, tags := b.toks[s], b.tags[s]
	n := int32(len(toks))
	for i := int32(2); i+1 < n; i++ {
		w := strings.ToLower(toks[i])
		if w != "which" && w != "who" && w != "whose" && w != "whom" || !strings.HasSuffix(toks[i-1], ",") {
			continue
		}
		prev := strings.TrimSuffix(toks[i-1], ",")
		if !plainWord(prev) && !strings.HasSuffix(prev, "'s") || strings.HasSuffix(toks[i-2], ",") {
			continue // "X, Y, which" is a list's
		}
		j := i + 1
		for j < n-1 && !strings.ContainsAny(toks[j], ",;:—()\"“”") {
			j++
		}
		switch {
		case j == n-1 && strings.HasSuffix(toks[j], ".") && plainWord(strings.TrimSuffix(toks[j], ".")):
			sub(i-1, n-i+1, riskLeaveOut, []int32{b.intern(prev + ".")}, []string{tags[i-1]})
		case j+1 < n && j-i <= 14 && strings.HasSuffix(toks[j], ",") && plainWord(strings.TrimSuffix(toks[j], ",")) &&
			(strings.HasPrefix(tags[j+1], "VB") || tags[j+1] == "MD" || tags[j+1] == "RB" && j+2 < n && strings.HasPrefix(tags[j+2], "VB")) && plainWord(toks[j+1]):
			sub(i-1, j-i+2, riskLeaveOut, []int32{b.intern(prev)}, []string{tags[i-1]})
		}
	}
}

// participleKind says what follows a contraction: no participle, one
// that only a perfect takes ("been", "become"), or one a passive may take
// too ("made").
type participleKind int

const (
	noParticiple participleKind = iota
	perfectParticiple
	ambiguousParticiple
)

// tails offers a sentence without what it adds at its end after a dash
// or in brackets: "…at all — but that's just about all they were good
// at." → "…at all."; "…a mainstream issue (indeed, they're largely
// responsible for its becoming one)." → "…a mainstream issue.". What is
// left must still be a whole sentence (accept checks).
func (b *poolBuilder) tails(s int32, sub func(i, l int32, risk float64, words []int32, wtags []string)) {
	toks, tags := b.toks[s], b.tags[s]
	n := int32(len(toks))
	last := toks[n-1]
	end := "." // the tail's "!" was the tail's; a question stays one
	if strings.Contains(last, "?") {
		end = "?"
	}
	cut := func(i int32) {
		prev := toks[i-1]
		if i < 6 || !plainWord(prev) || !balanced(strings.Join(toks[:i], " ")) {
			return
		}
		sub(i-1, n-i+1, riskCut, []int32{b.intern(prev + end)}, []string{tags[i-1]})
	}
	dashes := 0
	for _, t := range toks {
		if t == "—" {
			dashes++
		}
	}
	for i := int32(1); i+2 < n; i++ {
		switch {
		case toks[i] == "—" && dashes == 1:
			cut(i)
		case tags[i] == "VBG" && plainWord(toks[i]) && strings.HasSuffix(toks[i-1], ",") && i >= 7 &&
			!strings.ContainsAny(strings.Join(toks[i:], " "), "\"“”()—"):
			// A participle's phrase at the end: "…emerged at the local
			// level, allowing the millions to disengage." → "…emerged at
			// the local level."
			prev := strings.TrimSuffix(toks[i-1], ",")
			if plainWord(prev) && balanced(strings.Join(toks[:i], " ")) {
				sub(i-1, n-i+1, riskCut, []int32{b.intern(prev + end)}, []string{tags[i-1]})
			}
		case strings.HasPrefix(toks[i], "(") && !strings.Contains(strings.Join(toks[i:n-1], " "), ")") &&
			strings.HasPrefix(strings.TrimRight(last, ".!?\"”"), strings.TrimRight(core(last), "")) && strings.Contains(last, ")"):
			cut(i)
		}
	}
}

// agreeing returns the form of "have" a subject ending in word (tagged
// tag) takes before "to", or "" where the word is no subject's head.
func agreeing(word, tag string) string {
	switch {
	case word == "we" || word == "they" || word == "i" || word == "you" || tag == "NNS" || tag == "NNPS":
		return "have"
	case word == "he" || word == "she" || word == "it" || tag == "NN" || tag == "NNP":
		return "has"
	}
	return ""
}

// expand returns the two words a contraction stands for, in lower case;
// ok is false for any other word.
func expand(w string, participle participleKind) (first, verb string, ok bool) {
	if w == "can't" {
		return "can", "not", false // "cannot" is one word: see oneForOne
	}
	if w == "won't" {
		return "will", "not", true
	}
	if stem, found := strings.CutSuffix(w, "n't"); found {
		if _, known := notContractions[stem]; known {
			return stem, "not", true
		}
		return "", "", false
	}
	at := strings.LastIndex(w, "'")
	stem, clitic := w[:at], w[at:]
	switch clitic {
	case "'s":
		if pronounContractions["is"][stem] == "" || participle == ambiguousParticiple {
			// A possessive; or "it's made of": "is" (passive) or "has"?
			return "", "", false
		}
		if participle == perfectParticiple {
			return stem, "has", true
		}
		return stem, "is", true
	case "'d":
		if participle != noParticiple {
			return stem, "had", pronounContractions["would"][stem] != ""
		}
		return stem, "would", pronounContractions["would"][stem] != ""
	}
	for verb, by := range pronounContractions {
		if by[stem] == clitic {
			return stem, verb, true
		}
	}
	return "", "", false
}
