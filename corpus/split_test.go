package corpus_test

import (
	"io"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/corpus"
)

// splitCase is a passage and exactly what Parse should make of it. Each
// wanted sentence is written as its tokens joined by single spaces (tokens
// never hold whitespace, so strings.Fields gives the exact token list back).
type splitCase struct {
	name      string
	in        string
	sentences []string
	headings  []string
	// dropped and cleaned, when set, are the counts of Text.Dropped and
	// Text.Cleaned that must not be zero; the others must be.
	dropped map[corpus.Drop]int
	cleaned map[corpus.Clean]int
}

// splitCases are the splitter's tricky passages, most of them from the
// essay. They also seed FuzzParse.
var splitCases = []splitCase{
	// Abbreviations, initials and dotted acronyms.
	{
		name: "ex D.S.A. members (essay)",
		in: "It’s not even the tepid, watered-down welfarist reforms that ex D.S.A. members like myself are trying and failing to pass, bless their heart. " +
			"Rather, socialism was and remains a vision of a world.",
		sentences: []string{
			"It's not even the tepid, watered-down welfarist reforms that ex D.S.A. members like myself are trying and failing to pass, bless their heart.",
			"Rather, socialism was and remains a vision of a world.",
		},
	},
	{
		name: "Robert C. Allen has shown (essay)",
		in: "Even judged on purely Soviet terms, War Communism is a terrible inspiration: a rigorous comparative study by the economic historian Robert C. Allen has shown that Lenin’s less authoritarian New Economic Policy would have likely been more successful on roughly the same time scale. " +
			"Yet the great lesson of all the Leninist societies is how a society can destroy itself.",
		sentences: []string{
			"Even judged on purely Soviet terms, War Communism is a terrible inspiration: a rigorous comparative study by the economic historian Robert C. Allen has shown that Lenin's less authoritarian New Economic Policy would have likely been more successful on roughly the same time scale.",
			"Yet the great lesson of all the Leninist societies is how a society can destroy itself.",
		},
	},
	{
		name: "e.g. and i.e. before a capital",
		in:   "Some writers, e.g. Klein and Chomsky, favour planning. Others, i.e. Leninists, favour the state. That is all.",
		sentences: []string{
			"Some writers, e.g. Klein and Chomsky, favour planning.",
			"Others, i.e. Leninists, favour the state.",
			"That is all.",
		},
	},
	{
		name: "U.S. before a number",
		in:   "He moved to the U.S. in 1990. He liked it there.",
		sentences: []string{
			"He moved to the U.S. in 1990.",
			"He liked it there.",
		},
	},
	{
		name: "U.S. before a capital",
		in:   "The U.S. Army marched. It was loud and long.",
		sentences: []string{
			"The U.S. Army marched.",
			"It was loud and long.",
		},
	},
	{
		name: "titles",
		in:   "Dr. Smith met Mr. Jones and Prof. Graeber at noon. They talked for hours.",
		sentences: []string{
			"Dr. Smith met Mr. Jones and Prof. Graeber at noon.",
			"They talked for hours.",
		},
	},
	{
		name: "initials",
		in:   "J. R. R. Tolkien wrote long books. He was English.",
		sentences: []string{
			"J. R. R. Tolkien wrote long books.",
			"He was English.",
		},
	},
	{
		name:      "a number with a decimal point",
		in:        "It costs 3.5 dollars per hour. That is cheap.",
		sentences: []string{"It costs 3.5 dollars per hour.", "That is cheap."},
	},
	// Ellipses.
	{
		name:      "Strange indeed... is a fragment before a capital",
		in:        "Strange indeed... This is very odd indeed.",
		sentences: []string{"This is very odd indeed."},
	},
	{
		name:      "ellipsis ends a sentence",
		in:        "It was strange indeed... This is very odd.",
		sentences: []string{"It was strange indeed...", "This is very odd."},
	},
	{
		name:      "ellipsis character before lower case does not end a sentence",
		in:        "It was strange indeed… but true, he said.",
		sentences: []string{"It was strange indeed... but true, he said."},
	},
	// Quotes ending sentences.
	{
		name:      "quote ends a sentence; short tail dropped",
		in:        `"Democracy is very good." He said.`,
		sentences: []string{`"Democracy is very good."`},
	},
	{
		name:      "curly quote ends a sentence",
		in:        "“Democracy is very good.” He said it twice.",
		sentences: []string{`"Democracy is very good."`, "He said it twice."},
	},
	{
		name:      "exclamation inside quotes",
		in:        `He said "Stop!" Then he went home.`,
		sentences: []string{`He said "Stop!"`, "Then he went home."},
	},
	{
		name:      "exclamation inside quotes before lower case",
		in:        `He said: "Go now!" and left the room.`,
		sentences: []string{`He said: "Go now!" and left the room.`},
	},
	{
		name:      "bracketed sentence",
		in:        "(This is in brackets.) And this is not.",
		sentences: []string{"(This is in brackets.)", "And this is not."},
	},
	// Question and exclamation marks.
	{
		name:      "question and exclamation",
		in:        "Is this a question? Yes it is! Wow, that is exciting.",
		sentences: []string{"Is this a question?", "Yes it is!", "Wow, that is exciting."},
	},
	{
		name:      "exclamation inside a name (essay)",
		in:        "Eco-anarchists in international organizations like London Greenpeace and EarthFirst! were the earliest and most militant opponents. An Eco-anarchist legacy remains.",
		sentences: []string{"Eco-anarchists in international organizations like London Greenpeace and EarthFirst! were the earliest and most militant opponents.", "An Eco-anarchist legacy remains."},
	},
	{
		name:      "one-word questions are fragments",
		in:        "Who? What? Where is it now?",
		sentences: []string{"Where is it now?"},
	},
	// Dashes.
	{
		name: "en dash, em dash and double hyphen all become a spaced em dash",
		in:   "It was – as I said – fine. It was — as I said — fine. It was -- as I said -- fine. A well-known fact--indeed.",
		sentences: []string{
			"It was — as I said — fine.",
			"It was — as I said — fine.",
			"It was — as I said — fine.",
			"A well-known fact — indeed.",
		},
	},
	{
		name:      "unspaced em dash is spaced; en dash in a range is a hyphen",
		in:        "The years 1994–2014 were good—mostly.",
		sentences: []string{"The years 1994-2014 were good — mostly."},
	},
	// Typography and encodings.
	{
		name:      "curly quotes become straight",
		in:        "The so-called “progress” was ‘fine’, really, and isn’t over.",
		sentences: []string{`The so-called "progress" was 'fine', really, and isn't over.`},
	},
	{
		name:      "no-break spaces and tabs are spaces",
		in:        "It\u00a0was a\u00a0test\tof\u202fthings.",
		sentences: []string{"It was a test of things."},
	},
	{
		name:      "zero-width and soft hyphen characters vanish",
		in:        "Self\u00admanagement is\u200b a good\ufeff thing.",
		sentences: []string{"Selfmanagement is a good thing."},
	},
	{
		name: "BOM and CRLF, as in Gutenberg texts",
		in:   "\ufeffChapter One\r\n\r\nFirst line of the text,\r\nwrapped here. Second sentence is here.\r\n\r\nA new paragraph is here.\r\n",
		sentences: []string{
			"First line of the text, wrapped here.",
			"Second sentence is here.",
			"A new paragraph is here.",
		},
		// "Chapter One" is a chapter number, not a title.
		dropped: map[corpus.Drop]int{corpus.DropContents: 1},
	},
	{
		name:      "old Mac line ends",
		in:        "First paragraph is here.\r\rSecond paragraph is here.",
		sentences: []string{"First paragraph is here.", "Second paragraph is here."},
	},
	// Paragraphs.
	{
		name:      "hard-wrapped lines are joined",
		in:        "This sentence is hard wrapped across three lines of text, at a width of\nseventy characters or so, as Project Gutenberg and many editors do, and\nit reads as one sentence.",
		sentences: []string{"This sentence is hard wrapped across three lines of text, at a width of seventy characters or so, as Project Gutenberg and many editors do, and it reads as one sentence."},
	},
	{
		name:      "a wrapped line starting in lower case is not a heading",
		in:        "It was the best of times, it was the worst\nof times. It was the age of wisdom.",
		sentences: []string{"It was the best of times, it was the worst of times.", "It was the age of wisdom."},
	},
	{
		name:      "blank lines holding spaces or tabs separate paragraphs",
		in:        "Line one is here.\n \t \nLine two is here\nand continues.",
		sentences: []string{"Line one is here.", "Line two is here and continues."},
	},
	{
		name:      "a sentence does not run across paragraphs",
		in:        "This paragraph stops on a colon:\n\nAnother paragraph starts here.",
		sentences: []string{"Another paragraph starts here."},
		dropped:   map[corpus.Drop]int{corpus.DropUnfinished: 1},
	},
	// Headings.
	{
		name:      "essay heading before prose",
		in:        "Neo-Anarchism at the Turn of the Century\n\nRoughly, the arc of our recent history is as follows.",
		sentences: []string{"Roughly, the arc of our recent history is as follows."},
		headings:  []string{"Neo-Anarchism at the Turn of the Century"},
	},
	{
		name:     "essay headings with colon, ampersand, quotes and exclamation",
		in:       "The Situation Today: Anarchist malaise and the democratic socialist turn\n\nAuthoritarian creep, libertarian socialism, & democratic planning\n\n“Climate Leninism” as a test case\n\nEverything Is Just Dandy!",
		headings: []string{"The Situation Today: Anarchist malaise and the democratic socialist turn", "Authoritarian creep, libertarian socialism, & democratic planning", `"Climate Leninism" as a test case`, "Everything Is Just Dandy!"},
	},
	{
		name:      "two short sentences on one line are prose, not a heading (essay)",
		in:        "Those were the days of my ascent. But what about now?",
		sentences: []string{"Those were the days of my ascent.", "But what about now?"},
	},
	{
		name: "a one-line sentence is prose",
		in:   "It's my article.",
		// Three words ending in a full stop: a sentence, not a heading.
		sentences: []string{"It's my article."},
	},
	{
		name:      "a one-line quoted sentence is prose, not a heading",
		in:        "\"I shall go to London tomorrow.\"\n\n(See the appendix for the details.)\n\n“Are you quite sure of that?”",
		sentences: []string{`"I shall go to London tomorrow."`, "(See the appendix for the details.)", `"Are you quite sure of that?"`},
		// A one-line question or exclamation is a heading only when it is
		// title-cased, as "Everything Is Just Dandy!" is.
	},
	{
		name:     "a title-cased exclamation is a heading",
		in:       "Everything Is Just Dandy!\n\nWhere Do We Go From Here?",
		headings: []string{"Everything Is Just Dandy!", "Where Do We Go From Here?"},
	},
	// Fragments.
	{
		name: "essay fragments are dropped",
		in:   "Socialism is Anarchist if you squint\n\n2022 03 31\n\nStrange indeed...\n\nfrom Strange Opinions by Ecks D. Essay\n\n~\n\n***",
		// The title is a heading; the date, the aside and the byline are
		// neither headings nor sentences.
		headings: []string{"Socialism is Anarchist if you squint"},
		dropped:  map[corpus.Drop]int{corpus.DropMetadata: 2, corpus.DropFragment: 2},
		cleaned:  map[corpus.Clean]int{corpus.CleanMarkup: 2},
	},
	{
		name:      "two-word sentences are dropped",
		in:        "A short one. Ok then. This one is longer.",
		sentences: []string{"A short one.", "This one is longer."},
	},
	{
		name:      "a lower-case start is capitalised, and a line that trails off gets a full stop",
		in:        "lower case start here. This has a proper end. This one trails off",
		sentences: []string{"Lower case start here.", "This has a proper end.", "This one trails off."},
		cleaned:   map[corpus.Clean]int{corpus.CleanCapital: 1, corpus.CleanStop: 1},
	},
	{
		name:      "a sentence stopping on a colon, a comma or a dash is unfinished",
		in:        "He said to her as follows:\n\nAnd then she went on with it,\n\nSo there it was —\n\nA proper sentence is here.",
		sentences: []string{"A proper sentence is here."},
		dropped:   map[corpus.Drop]int{corpus.DropUnfinished: 3},
	},
	{
		name:      "sentences with too few words holding letters are dropped",
		in:        "1 2 3. 4 5 6 7! It has words.",
		sentences: []string{"It has words."},
	},
	{
		name:      "trailing decoration is trimmed from the last word (essay)",
		in:        "And should you choose to join us, it's up to you.~",
		sentences: []string{"And should you choose to join us, it's up to you."},
	},
	// Markdown.
	{
		name:      "markdown headings",
		in:        "# Socialism\n\nSome prose is here.\n\n## Second Level Heading\n\n### third level\n\nMore prose is here.",
		sentences: []string{"Some prose is here.", "More prose is here."},
		headings:  []string{"Socialism", "Second Level Heading", "third level"},
	},
	{
		name:      "markdown block quote",
		in:        "> Quoted text is here.\n> More quoted text is here, and this line of it is wrapped at seventy\n> characters as people and their editors wrap text.",
		sentences: []string{"Quoted text is here.", "More quoted text is here, and this line of it is wrapped at seventy characters as people and their editors wrap text."},
	},
	{
		name:      "markdown lists",
		in:        "- First item in list.\n- Second item in list.\n\n* Star item in list.\n+ Plus item in list.\n\n1. Numbered item in list.\n2. Another numbered item.",
		sentences: []string{"First item in list.", "Second item in list.", "Star item in list.", "Plus item in list.", "Numbered item in list.", "Another numbered item."},
	},
	{
		name:      "markdown bold and code",
		in:        "This is **bold** text here. And __this__ too, with `code` in it.",
		sentences: []string{"This is bold text here.", "And this too, with code in it."},
	},
	{
		// A heading line directly followed by its text, with no blank line
		// between, is the usual way Markdown is written. (Fails at the time
		// of writing: the heading and the first sentence are lost.)
		name:      "markdown heading directly followed by prose",
		in:        "# The Heading\nText follows here at once. And more text follows.",
		sentences: []string{"Text follows here at once.", "And more text follows."},
		headings:  []string{"The Heading"},
	},
}

func TestParseSplits(t *testing.T) {
	t.Parallel()
	for _, tc := range splitCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := corpus.Parse(tc.in)
			var want [][]string
			for _, s := range tc.sentences {
				want = append(want, strings.Fields(s))
			}
			if !slices.EqualFunc(got.Sentences, want, slices.Equal[[]string]) {
				t.Errorf("Parse(%q) sentences:\n got %s\nwant %s", tc.in, quoteSentences(got.Sentences), quoteSentences(want))
			}
			if !slices.Equal(got.Headings, tc.headings) {
				t.Errorf("Parse(%q) headings:\n got %q\nwant %q", tc.in, got.Headings, tc.headings)
			}
			if got.Bytes != int64(len(tc.in)) {
				t.Errorf("Bytes = %d, want %d", got.Bytes, len(tc.in))
			}
			checkCounts(t, tc, got)
		})
	}
}

// checkCounts compares a text's drop and clean counts with a case's, when
// the case gives them.
func checkCounts(t *testing.T, tc splitCase, got *corpus.Text) {
	t.Helper()
	if tc.dropped != nil {
		for d, n := range got.Dropped {
			if want := tc.dropped[corpus.Drop(d)]; n != want {
				t.Errorf("Dropped[%s] = %d, want %d", corpus.Drop(d), n, want)
			}
		}
	}
	if tc.cleaned != nil {
		for c, n := range got.Cleaned {
			if want := tc.cleaned[corpus.Clean(c)]; n != want {
				t.Errorf("Cleaned[%s] = %d, want %d", corpus.Clean(c), n, want)
			}
		}
	}
}

func quoteSentences(ss [][]string) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString("\n\t")
		for i, w := range s {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(w)
		}
	}
	if b.Len() == 0 {
		return "(none)"
	}
	return b.String()
}

func TestParseCountsParagraphsAndDuplicates(t *testing.T) {
	t.Parallel()
	in := "First paragraph is here.\n\nSecond paragraph is here.\n\nFirst paragraph is here.\n\n  First paragraph is here.  \n\nA Heading\n\nA Heading"
	got := corpus.Parse(in)
	if got.Paragraphs != 6 || got.Dropped[corpus.DropDuplicate] != 3 {
		t.Errorf("Paragraphs, Duplicates = %d, %d; want 6, 3", got.Paragraphs, got.Dropped[corpus.DropDuplicate])
	}
	if len(got.Sentences) != 2 || len(got.Headings) != 1 {
		t.Errorf("got %d sentences and %d headings, want 2 and 1", len(got.Sentences), len(got.Headings))
	}
	if got.Words() != 8 {
		t.Errorf("Words() = %d, want 8", got.Words())
	}
}

func TestParseEmpty(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "\n\n\n", "   ", "\ufeff", "2022 03 31", "\x00\x01\x02"} {
		got := corpus.Parse(in)
		if len(got.Sentences) != 0 || len(got.Headings) != 0 || got.Words() != 0 {
			t.Errorf("Parse(%q) = %d sentences, %d headings; want none", in, len(got.Sentences), len(got.Headings))
		}
	}
	var zero corpus.Text
	if zero.Words() != 0 {
		t.Errorf("zero Text has %d words", zero.Words())
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"\ufeffBOM", "BOM"},
		{"a\r\nb\rc\n", "a\nb\nc\n"},
		{"“double” ‘single’ „low‟ «guillemets»", `"double" 'single' "low" "guillemets"`},
		{"it’s", "it's"},
		{"a – b", "a — b"},
		{"a — b", "a — b"},
		{"a—b", "a — b"},
		{"a -- b", "a — b"},
		{"a--b", "a — b"},
		{"1994–2014", "1994-2014"},
		{"non\u2011breaking\u2010hyphen", "non-breaking-hyphen"},
		{"wait…", "wait..."},
		{"a\u00a0b\u2009c\u202fd\te", "a b c d e"},
		{"in\u200bvis\u200cib\u200dle\u2060so\u00adft", "invisiblesoft"},
		{"bell\a and nul\x00 and esc\x1b", "bell and nul and esc"},
		{"bad \xff\xfe bytes", "bad  bytes"},
		{"bidi \u202emarks\u202c", "bidi marks"},
		{"keep\nnewlines\n\n", "keep\nnewlines\n\n"},
		{"Ünïcödé letters stay", "Ünïcödé letters stay"},
	}
	for _, tc := range tests {
		if got := corpus.Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// knownHeadings are the essay's section titles, in order.
var knownHeadings = []string{
	"Everything Is Just Dandy!",
	"Socialism is Anarchist if you squint",
	"Authoritarian creep, libertarian socialism, & democratic planning",
	"Neo-Anarchism at the Turn of the Century",
	`"Democracy is very good." — David Graeber`,
	"The Situation Today: Anarchist malaise and the democratic socialist turn",
	"Impending Extraterrestial Invasion and/or Robot Uprising",
	`"Climate Leninism" as a test case`,
}

func TestParseEssay(t *testing.T) {
	t.Parallel()
	text := corpus.Parse(corpus.EssayText())
	if !slices.Equal(text.Headings, knownHeadings) {
		t.Errorf("headings:\n got %q\nwant %q", text.Headings, knownHeadings)
	}
	if n := len(text.Sentences); n < 150 {
		t.Fatalf("only %d sentences", n)
	}
	if last := strings.Join(text.Sentences[len(text.Sentences)-1], " "); last != "Hail the mighty Glow Cloud!" {
		t.Errorf("last sentence = %q, want %q", last, "Hail the mighty Glow Cloud!")
	}
	if first := strings.Join(text.Sentences[0], " "); first != "Socialism isn't when the government does things or owns things." {
		t.Errorf("first sentence = %q", first)
	}
	if text.Dropped[corpus.DropDuplicate] != 0 {
		t.Errorf("%d duplicate paragraphs in the essay", text.Dropped[corpus.DropDuplicate])
	}
	if text.Bytes != int64(len(corpus.EssayText())) {
		t.Errorf("Bytes = %d, want %d", text.Bytes, len(corpus.EssayText()))
	}
	for _, s := range text.Sentences {
		line := strings.Join(s, " ")
		if len(s) < 3 {
			t.Errorf("sentence of %d words: %q", len(s), line)
		}
		first, _ := utf8.DecodeRuneInString(line)
		if !unicode.IsUpper(first) && !unicode.IsDigit(first) && !strings.ContainsRune(`"'(`, first) {
			t.Errorf("sentence does not start with a capital, digit or quote: %q", line)
		}
		end := strings.TrimRight(line, `"')]`)
		if end == "" || !strings.ContainsRune(".!?", rune(end[len(end)-1])) {
			t.Errorf("sentence does not end in . ! or ?: %q", line)
		}
		if strings.ContainsAny(line, "\u2018\u2019\u201c\u201d\t\u00a0\u2013\u2026") {
			t.Errorf("sentence holds typography or a tab: %q", line)
		}
		for _, frag := range []string{"2022 03 31", "Strange Opinions", "Strange indeed", "Ecks D. Essay", `."From`} {
			if strings.Contains(line, frag) {
				t.Errorf("fragment %q kept in sentence %q", frag, line)
			}
		}
	}
	// The essay's missing space after "here be dragons." is put back: two
	// sentences, not one running through the quote.
	dragons := slices.IndexFunc(text.Sentences, func(s []string) bool {
		return strings.HasSuffix(strings.Join(s, " "), `this part is marked "here be dragons."`)
	})
	if dragons < 0 || dragons+1 >= len(text.Sentences) || !strings.HasPrefix(strings.Join(text.Sentences[dragons+1], " "), "From the failure of democratic and libertarian socialism") {
		t.Errorf(`"here be dragons."From is not two sentences (at %d)`, dragons)
	}
	// Abbreviations in the essay did not split their sentences.
	for _, want := range []struct{ start, inner, end string }{
		{"It's not even the tepid", "ex D.S.A. members", "bless their heart."},
		{"Even judged on purely Soviet terms", "Robert C. Allen has shown", "the same time scale."},
	} {
		found := false
		for _, s := range text.Sentences {
			line := strings.Join(s, " ")
			if strings.Contains(line, want.inner) {
				found = true
				if !strings.HasPrefix(line, want.start) || !strings.HasSuffix(line, want.end) {
					t.Errorf("sentence with %q split: %q", want.inner, line)
				}
			}
		}
		if !found {
			t.Errorf("no sentence holds %q", want.inner)
		}
	}
}

func TestEssayReaderMatchesText(t *testing.T) {
	t.Parallel()
	data, err := io.ReadAll(corpus.Essay())
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != corpus.EssayText() {
		t.Errorf("Essay() reads %d bytes that differ from EssayText()'s %d", len(data), len(corpus.EssayText()))
	}
	if corpus.EssayName != "socialism-is-anarchist-if-you-squint.txt" {
		t.Errorf("EssayName = %q", corpus.EssayName)
	}
}
