package markov

import (
	"strings"
)

// A clause is what a reader has been told so far at a point of a sentence,
// as far as a join can break it: which brackets and quotes are open,
// whether the main clause has its finite verb yet, whether the sentence
// opened with a subordinate clause still waiting for its comma, which
// correlatives ("both … and", "either … or") wait for their second half,
// and how the sentence ends. Two places of the corpus with the same clause
// can be joined — the first one's words up to there, the second one's from
// there on — without leaving a bracket open, a "both" without its "and",
// a subject without a verb or a question ending in a full stop: the second
// sentence's remainder finishes exactly what the first one's start began.
type clause struct {
	depth int8 // ( and [ open
	quote bool // inside a double quotation
	verb  bool // the main clause has a finite verb
	sub   bool // in an opening subordinate clause, before its comma
	// rel is set when a relative or complement clause ("which", "that",
	// "whose") has begun and waits for its finite verb.
	rel  bool
	pend uint8 // correlatives waiting: both, either, neither, not only, between
	end  byte  // how the sentence ends: '.', '?' or '!'
}

const (
	pendBoth = 1 << iota
	pendEither
	pendNeither
	pendNotOnly
	pendBetween
)

// subordinators open a sentence with a clause that is not its main one.
var subordinators = map[string]bool{
	"if": true, "although": true, "though": true, "while": true, "when": true, "whenever": true,
	"because": true, "since": true, "as": true, "unless": true, "whereas": true, "once": true,
	"until": true, "after": true, "before": true, "whether": true, "even": true, "where": true,
}

// clauses returns the clause after each token of a tagged sentence.
func clauses(tokens, tags []string) []clause {
	out := make([]clause, len(tokens))
	r := newClauseReader(tokens)
	for i := range tokens {
		out[i] = r.read(i, tokens[i], tags[i])
	}
	return out
}

// clauseReader reads a sentence's clauses token by token (see clauses).
type clauseReader struct {
	c    clause
	prev string // the word before, folded
}

// newClauseReader starts reading a sentence of tokens: its clauses all end
// as its last token does.
func newClauseReader(tokens []string) clauseReader {
	var r clauseReader
	if n := len(tokens); n > 0 {
		last := strings.TrimRight(tokens[n-1], "\"'”’)]")
		if last != "" {
			r.c.end = last[len(last)-1]
		}
	}
	return r
}

// read reads token i, tagged tag, and returns the clause after it.
func (r *clauseReader) read(i int, tok, tag string) clause {
	return r.readWith(i, tok, tag, readToken(tok))
}

// A clauseToken is what the clause reader reads of a token besides its
// tag: its word, folded, and whether it holds a mark that opens or closes
// a bracket, a quotation or a clause.
type clauseToken struct {
	word  string
	marks bool
}

// readToken returns what the clause reader reads of tok.
func readToken(tok string) clauseToken {
	return clauseToken{strings.ToLower(strings.TrimFunc(tok, notLetter)), strings.ContainsAny(tok, "()[]\"“”,;:")}
}

// readWith is read, given what it reads of the token (see
// poolBuilder.lastClause, which reads each word once).
func (r *clauseReader) readWith(i int, tok, tag string, t clauseToken) clause {
	c, prev := &r.c, r.prev
	word := t.word
	if (i == 0 || i == 1 && leaders[prev]) && subordinators[word] {
		c.sub = true
	}
	top := c.depth == 0 && !c.quote
	switch word {
	case "both":
		c.pend |= pendBoth
	case "either":
		c.pend |= pendEither
	case "neither":
		c.pend |= pendNeither
	case "between":
		c.pend |= pendBetween
	case "only":
		if prev == "not" {
			c.pend |= pendNotOnly
		}
	case "and":
		c.pend &^= pendBoth | pendBetween
	case "or":
		c.pend &^= pendEither
	case "nor":
		c.pend &^= pendNeither
	case "but":
		c.pend &^= pendNotOnly
	}
	if top && i > 0 && !(i == 1 && leaders[prev]) && opensClause(word, tag) {
		c.rel = true
	} else if top && finite(tag) {
		switch {
		case c.rel:
			c.rel = false
		case !c.sub:
			c.verb = true
		}
	}
	if t.marks {
		for _, r := range tok {
			switch r {
			case '(', '[':
				c.depth++
			case ')', ']':
				c.depth--
			case '"', '“', '”':
				c.quote = !c.quote
			case ',':
				if c.depth == 0 && !c.quote {
					c.sub = false
				}
			case ';', ':':
				if c.depth == 0 && !c.quote {
					// A new clause starts: it needs its own verb.
					c.sub, c.verb = false, false
				}
			}
		}
	}
	r.prev = word
	return *c
}

// leaders are the words that may stand before a sentence's opening
// subordinate clause ("And if …", "But when …").
var leaders = map[string]bool{"and": true, "but": true, "so": true, "yet": true, "or": true, "now": true, "still": true, "then": true}

// opensClause reports whether a word inside a sentence opens a relative,
// complement or adverbial clause that needs a finite verb of its own.
func opensClause(word, tag string) bool {
	switch tag {
	case "WDT", "WP", "WP$", "WRB":
		return true
	case "IN":
		switch word {
		case "that", "because", "if", "although", "though", "while", "unless", "whereas", "whether", "until":
			return true
		}
	}
	return false
}

// finite reports whether a token's tags hold a finite verb or a modal.
func finite(tag string) bool {
	for tag != "" {
		var t string
		t, tag, _ = strings.Cut(tag, "+")
		switch t {
		case "VBZ", "VBP", "VBD", "MD":
			return true
		}
	}
	return false
}

// coarse folds a token's Penn Treebank tags into the classes a join must
// keep: a noun for a noun, a finite verb for a finite verb.
func coarse(tag string) string {
	var b strings.Builder
	for i, t := range strings.Split(tag, "+") {
		if i > 0 {
			b.WriteByte('+')
		}
		switch {
		case t == "":
		case strings.HasPrefix(t, "NN"), t == "CD", t == "FW":
			b.WriteString("N")
		case t == "VBZ", t == "VBP", t == "VBD", t == "MD":
			b.WriteString("VF")
		case strings.HasPrefix(t, "JJ"):
			b.WriteString("J")
		case strings.HasPrefix(t, "RB"):
			b.WriteString("R")
		case t == "PRP", t == "PRP$":
			b.WriteString(t)
		case strings.HasPrefix(t, "W"):
			b.WriteString("W")
		default:
			b.WriteString(t)
		}
	}
	return b.String()
}

// complete reports whether a sentence's clause, read to its end, is whole:
// its main clause has a finite verb, every clause it opened got its verb,
// and every bracket, quote and correlative is closed.
func complete(c clause) bool {
	return c.verb && !c.rel && !c.sub && c.pend == 0 && c.depth == 0 && !c.quote
}

// connectors join whole clauses: a join on one of them, right after a
// comma, semicolon or dash, puts one sentence's clause after another's.
var connectors = map[string]bool{
	"and": true, "but": true, "or": true, "so": true, "yet": true, "which": true, "because": true,
	"while": true, "whereas": true, "although": true, "though": true, "where": true, "when": true,
	"since": true, "as": true, "until": true, "unless": true, "if": true, "that": true,
}
