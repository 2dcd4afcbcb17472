// Package fluency reads the grammar of prose: it counts clause faults, the
// seams a reader calls word salad, where a sentence has more finite verbs
// than its conjunctions and relative words can join ("the state has led
// them down one of the movement was action") or a clause that never gets
// its verb ("Even when the goal of how local cooperative ownership.").
//
// A finite verb is told from other words by a table built once from a
// general-English reference (../shared/corpora/mid5.txt, four novels and
// some Shakespeare; never the essay or anything generated from it): a word
// counts as finite when at least a tenth of its uses follow I, he, she, we
// or they. Auxiliaries, modals and contractions are listed by hand, and a
// word the reference lacks is judged by its ending (-izes, -ed, ...). The
// table is embedded (table.txt); go generate rebuilds it (see
// internal/mktable).
//
// The package shares no code with the generator it judges (markov,
// compose, corpus) nor with any part-of-speech tagger the generator may
// use. It imports only the standard library.
package fluency

import (
	"bufio"
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

//go:generate go run ./internal/mktable -o table.txt ../../../shared/corpora/mid5.txt

//go:embed table.txt
var tableText string

// Lexicon says which words are finite verbs. It is safe for concurrent use.
type Lexicon struct {
	known map[string]bool // word -> finite; words the reference holds at least minCount times
}

// Default returns the lexicon embedded in the binary.
var Default = sync.OnceValue(func() *Lexicon {
	l, err := ParseTable(tableText)
	if err != nil {
		panic(fmt.Sprintf("fluency: embedded table: %v", err))
	}
	return l
})

// ParseTable reads a table as Build writes it: lines "F word" (finite) or
// "- word", after comment lines starting with "#".
func ParseTable(text string) (*Lexicon, error) {
	l := &Lexicon{known: map[string]bool{}}
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		flag, w, ok := strings.Cut(line, " ")
		if !ok || w == "" || (flag != "F" && flag != "-") {
			return nil, fmt.Errorf("line %d: %q is not \"F word\" or \"- word\"", n, line)
		}
		l.known[w] = flag == "F"
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(l.known) == 0 {
		return nil, fmt.Errorf("no words")
	}
	return l, nil
}

// Fixed word lists: what a table of one reference cannot be trusted with.
var (
	subjects = wordSet("i he she we they")
	modals   = wordSet("would could must can will shall should may might can't won't wouldn't couldn't shouldn't mustn't cannot")
	finites  = wordSet("is are was were am has have had does do did isn't aren't wasn't weren't hasn't haven't hadn't doesn't don't didn't " +
		"it's that's there's he's she's i'm we're they're you're what's i've we've they've i'd we'd they'd he'd i'll we'll they'll it'll let's")
	// links join one clause to another: conjunctions, relative and
	// question words, and the marks ; : and a dash.
	links = wordSet("that which who whom whose when where while because although though if unless since whereas whether until " +
		"before after as than and but or nor so yet ; : -- what how why once")
	// subordinators open a clause that needs a verb of its own.
	subordinators = wordSet("which who whom whereas because although though if unless whether while when where")
	// endings of words the reference lacks that are finite verbs.
	finiteEndings = []string{"izes", "ized", "ises", "ised", "ates", "ated", "ifies", "ified", "ed"}
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// minCount is how often the reference must hold a word for the table to
// list it; minShare the share of its uses after a subject pronoun that
// makes it finite.
const (
	minCount = 3
	minShare = 0.1
)

// Finite reports whether the lower-case word w is read as a finite verb.
func (l *Lexicon) Finite(w string) bool {
	switch {
	case modals[w] || finites[w]:
		return true
	case subjects[w] || links[w]:
		return false
	}
	if f, ok := l.known[w]; ok {
		return f
	}
	for _, e := range finiteEndings {
		if strings.HasSuffix(w, e) {
			return true
		}
	}
	return false
}

// faults counts the clause faults of one sentence: finite verb groups
// beyond one more than its links (clauses run together), plus clauses
// opened (one, and one for each subordinator) beyond its verb groups
// (clauses without a verb). A verb group is a run of finite verbs, with
// "not" and -ly adverbs inside it.
func (l *Lexicon) faults(s []token) int {
	verbs, nlinks, subs := 0, 0, 0
	inGroup := false
	for _, t := range s {
		if links[t.w] {
			nlinks++
		}
		if subordinators[t.w] {
			subs++
		}
		if !t.word {
			inGroup = false
			continue
		}
		f := l.Finite(t.w)
		if f && !inGroup {
			verbs++
		}
		inGroup = f || inGroup && (t.w == "not" || strings.HasSuffix(t.w, "ly"))
	}
	n := 0
	if verbs > nlinks+1 {
		n += verbs - nlinks - 1
	}
	if subs+1 > verbs {
		n += subs + 1 - verbs
	}
	return n
}

// Score is the reading of a paragraph or a body of text.
type Score struct {
	Sentences int // sentences holding at least one word
	Faults    int // clause faults in them
	// Worst is the sentence with the most faults ("" when none has any).
	Worst string
}

// PerSentence is Faults / Sentences: 0 when there are no sentences.
func (s Score) PerSentence() float64 {
	if s.Sentences == 0 {
		return 0
	}
	return float64(s.Faults) / float64(s.Sentences)
}

// Read scores text: its sentences and their clause faults.
func (l *Lexicon) Read(text string) Score {
	var sc Score
	worst := 0
	for _, s := range sentences(text) {
		words := 0
		for _, t := range s {
			if t.word {
				words++
			}
		}
		if words == 0 {
			continue
		}
		sc.Sentences++
		f := l.faults(s)
		sc.Faults += f
		if f > worst {
			worst = f
			sc.Worst = join(s)
		}
	}
	return sc
}

// join writes a sentence's tokens back as text, for showing.
func join(s []token) string {
	var b strings.Builder
	for i, t := range s {
		if i > 0 && t.word || t.w == "--" {
			b.WriteByte(' ')
		}
		b.WriteString(t.w)
	}
	return b.String()
}
