package corpus_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/corpus"
)

// chatCases are chat logs and Markdown as people write them: what Parse
// learns of them, what it drops and what it cleans. They also seed
// FuzzParse.
var chatCases = []splitCase{
	{
		name: "lower-case chat lines without final punctuation are sentences",
		in:   "hey everyone the meeting moved to thursday\nwe should vote on the new logo first\nok",
		sentences: []string{
			"Hey everyone the meeting moved to thursday.",
			"We should vote on the new logo first.",
		},
		dropped: map[corpus.Drop]int{corpus.DropFragment: 1},
		cleaned: map[corpus.Clean]int{corpus.CleanCapital: 2, corpus.CleanStop: 2},
	},
	{
		name:      "a chat message of one line is a sentence",
		in:        "honestly the glow cloud sees all of us",
		sentences: []string{"Honestly the glow cloud sees all of us."},
		cleaned:   map[corpus.Clean]int{corpus.CleanCapital: 1, corpus.CleanStop: 1},
	},
	{
		name:      "in chat a question mark ends a sentence before lower case",
		in:        "did you see the new rules? they are strict\nlol the cloud wrote them itself",
		sentences: []string{"Did you see the new rules?", "They are strict.", "Lol the cloud wrote them itself."},
		cleaned:   map[corpus.Clean]int{corpus.CleanCapital: 3, corpus.CleanStop: 2},
	},
	{
		name:      "a lone i is capitalised",
		in:        "i think i'm right and i've said so.",
		sentences: []string{"I think I'm right and I've said so."},
		cleaned:   map[corpus.Clean]int{corpus.CleanCapital: 3},
	},
	{
		name: "emphasis marks go and their words stay",
		in:   "This is **bold** and *em* and _em too_ here.\nThis is __underlined__ and ~~struck out~~ too.\nThe end is a ||spoiler|| for you.\nUse `go test` in the repo.",
		sentences: []string{
			"This is bold and em and em too here.",
			"This is underlined and struck out too.",
			"The end is a spoiler for you.",
			"Use go test in the repo.",
		},
		cleaned: map[corpus.Clean]int{corpus.CleanMarkup: 14},
	},
	{
		name:      "marks beside punctuation and brackets",
		in:        "**IMPORTANT**: bring (_your own_) snacks, *please*!",
		sentences: []string{"IMPORTANT: bring (your own) snacks, please!"},
		cleaned:   map[corpus.Clean]int{corpus.CleanMarkup: 6},
	},
	{
		name:      "snake_case inside a word stays",
		in:        "The variable snake_case_name is fine.",
		sentences: []string{"The variable snake_case_name is fine."},
	},
	{
		name:      "a link keeps its text; an image goes",
		in:        "Read [the wiki](https://wiki.example.com/a_(b)) for the schedule. ![a cat](https://example.com/cat.png) It is long.",
		sentences: []string{"Read the wiki) for the schedule.", "It is long."},
		cleaned:   map[corpus.Clean]int{corpus.CleanLink: 2},
	},
	{
		name:      "a link with no address part is text",
		in:        "Arrays [0] and maps [key](value) differ [a lot].",
		sentences: []string{"Arrays [0] and maps key differ [a lot]."},
		cleaned:   map[corpus.Clean]int{corpus.CleanLink: 1},
	},
	{
		name: "bare URLs go; a sentence that loses a word to one is dropped",
		in:   "https://example.com the rules are posted now\nthe rules are at https://example.com/rules\nsee this: www.example.com\nrules: <https://example.com> are strict now",
		sentences: []string{
			"The rules are posted now.",
			"Rules: are strict now.",
		},
		dropped: map[corpus.Drop]int{corpus.DropDamaged: 1, corpus.DropFragment: 1}, // "See this:"
		cleaned: map[corpus.Clean]int{corpus.CleanURL: 4, corpus.CleanCapital: 2, corpus.CleanStop: 2},
	},
	{
		name:      "mentions, channels, roles, mass mentions and e-mail addresses go",
		in:        "<@123456789> <@!42> did you see <#987> today? Ask <@&55> or @everyone or @here or @alice, or write to bob@example.com now.",
		sentences: []string{"Did you see today?", "Ask or or or, or write to now."},
		cleaned:   map[corpus.Clean]int{corpus.CleanMention: 8, corpus.CleanCapital: 1},
	},
	{
		name:      "custom emoji, shortcodes and emoticons go",
		in:        "<:glowcloud:987654321> all hail the cloud :pray: :+1::tada: <a:dance:1>\ngreat news everyone :) <3 xD",
		sentences: []string{"All hail the cloud.", "Great news everyone."},
		cleaned:   map[corpus.Clean]int{corpus.CleanEmoji: 7, corpus.CleanCapital: 2, corpus.CleanStop: 2},
	},
	{
		name:      "time stamps, command mentions and ids go; other angle brackets stay",
		in:        "Meet at <t:1700000000:R> and run </glowcloud:123> now. The set <a, b> stays.",
		sentences: []string{"Meet at and run now.", "The set <a, b> stays."},
		cleaned:   map[corpus.Clean]int{corpus.CleanMention: 2},
	},
	{
		name:      "a colon in prose is not a shortcode",
		in:        "The ratio was 3:2:1 at noon. He said: yes: that one.",
		sentences: []string{"The ratio was 3:2:1 at noon.", "He said: yes: that one."},
	},
	{
		name:      "a Markdown heading in chat is a heading",
		in:        "# Welcome to **the** [server](https://x.example)\nbe nice to each other please",
		sentences: []string{"Be nice to each other please."},
		headings:  []string{"Welcome to the server"},
		cleaned:   map[corpus.Clean]int{corpus.CleanMarkup: 2, corpus.CleanLink: 1, corpus.CleanCapital: 1, corpus.CleanStop: 1},
	},
	{
		name: "chat exports: time stamps, nicks and headers go",
		in:   "[12:01] <alice> anyone up for a game tonight\n[2024-01-02 12:02] bob: sure thing count me in\nalice — Today at 12:03\nthe glow cloud approves of games",
		sentences: []string{
			"Anyone up for a game tonight.",
			"Bob: sure thing count me in.",
			"The glow cloud approves of games.",
		},
		dropped: map[corpus.Drop]int{corpus.DropMetadata: 1},
		// "bob:" may be a word of prose: only labels in capitals go.
		cleaned: map[corpus.Clean]int{corpus.CleanLabel: 2, corpus.CleanCapital: 3, corpus.CleanStop: 3},
	},
	{
		name:      "fenced code blocks are dropped, even across blank lines",
		in:        "Run this first please.\n```go\nfunc main() {\n\n\tfmt.Println(\"hi\")\n}\n```\nThen it works fine.",
		sentences: []string{"Run this first please.", "Then it works fine."},
		dropped:   map[corpus.Drop]int{corpus.DropCode: 5}, // the blank line is no line of a paragraph
	},
	{
		name:      "a numbered list's numbers go",
		in:        "1. First thing to do.\n2) Second thing to do.",
		sentences: []string{"First thing to do.", "Second thing to do."},
	},
	{
		name:      "a shouted line is unfinished, not a sentence",
		in:        "THIS IS SO COOL\nthat was loud and clear",
		sentences: []string{"That was loud and clear."},
		dropped:   map[corpus.Drop]int{corpus.DropUnfinished: 1},
		cleaned:   map[corpus.Clean]int{corpus.CleanCapital: 1, corpus.CleanStop: 1},
	},
	{
		name:      "a line ending on a comma runs on into the next",
		in:        "so i was thinking,\nmaybe we vote on it\nor not",
		sentences: []string{"So I was thinking, maybe we vote on it."},
		dropped:   map[corpus.Drop]int{corpus.DropFragment: 1},
		cleaned:   map[corpus.Clean]int{corpus.CleanCapital: 2, corpus.CleanStop: 1},
	},
}

// bookCases are the marks of printed books: what Parse makes of them.
var bookCases = []splitCase{
	{
		name:      "a missing space after a closing quote is put back (essay)",
		in:        `On the map, this part is marked "here be dragons."From the failure of socialism, it follows.`,
		sentences: []string{`On the map, this part is marked "here be dragons."`, "From the failure of socialism, it follows."},
		cleaned:   map[corpus.Clean]int{corpus.CleanSpace: 1},
	},
	{
		name:      "missing spaces after a full stop, a question mark and an ellipsis",
		in:        "It was late.Then it was early. Was it so?Yes it was. It had ended...But then it began again.",
		sentences: []string{"It was late.", "Then it was early.", "Was it so?", "Yes it was.", "It had ended...", "But then it began again."},
		cleaned:   map[corpus.Clean]int{corpus.CleanSpace: 3},
	},
	{
		name:      "acronyms, numbers and initials are not run-together words",
		in:        "The U.S.Army paid 3.5 dollars to J.R.R.Tolkien today. Mr.Smith agreed with it.",
		sentences: []string{"The U.S.Army paid 3.5 dollars to J.R.R.Tolkien today.", "Mr. Smith agreed with it."},
		cleaned:   map[corpus.Clean]int{corpus.CleanSpace: 1},
	},
	{
		name:      "a play's speaker label on its own line goes",
		in:        "NORTHUMBERLAND:\nMy liege, old Gaunt commends him to your majesty.\n\nKING RICHARD II:\nWhat says he now?\n\nFirst Lord:\nAnd grieve to hear it, my lord.",
		sentences: []string{"My liege, old Gaunt commends him to your majesty.", "What says he now?", "And grieve to hear it, my lord."},
		cleaned:   map[corpus.Clean]int{corpus.CleanLabel: 3},
	},
	{
		name: "verse after a speaker label is joined, not read as chat",
		in:   "NORTHUMBERLAND:\nNay, nothing; all is said\nHis tongue is now a stringless instrument;\nWords, life and all, old Lancaster hath spent.",
		sentences: []string{
			"Nay, nothing; all is said His tongue is now a stringless instrument; Words, life and all, old Lancaster hath spent.",
		},
		cleaned: map[corpus.Clean]int{corpus.CleanLabel: 1},
	},
	{
		name:      "a speaker label in capitals before the speech goes",
		in:        "STEPHEN: He had three brothers, Gilbert, Edmund, Richard.\n\nTHE CALLS: Wait, my love, and I'll be with you.",
		sentences: []string{"He had three brothers, Gilbert, Edmund, Richard.", "Wait, my love, and I'll be with you."},
		cleaned:   map[corpus.Clean]int{corpus.CleanLabel: 2},
	},
	{
		name: "long speaker labels with initials, and stage directions, in Ulysses",
		in:   "J. J. O'MOLLOY: (Hotly to the populace) This is a lonehand fight.\n\nTHE HONOURABLE MRS MERVYN TALBOYS: Very much so, my fine fellow!\n\nA BLUECOAT SCHOOLBOY: Bravo!\n\nMH/Y. IM: a press cutting from a weekly periodical.",
		sentences: []string{
			"(Hotly to the populace) This is a lonehand fight.",
			"Very much so, my fine fellow!",
			"IM: a press cutting from a weekly periodical.",
		},
		dropped: map[corpus.Drop]int{corpus.DropFragment: 2}, // "Bravo!", "MH/Y."
		cleaned: map[corpus.Clean]int{corpus.CleanLabel: 3},
	},
	{
		name:      "a sentence all in capitals is not prose",
		in:        "BOOK I. (FOLIO), CHAPTER II.\n\nTHE END OF IT ALL.\n\nThe whale is known to all.",
		sentences: []string{"The whale is known to all."},
		dropped:   map[corpus.Drop]int{corpus.DropUnfinished: 2},
	},
	{
		name:      "a line of dialogue with a quote inside is not a heading",
		in:        "\"Wood!\" exclaimed Trenchard, — \"of Wych Street?\"",
		sentences: []string{`"Wood!" exclaimed Trenchard, — "of Wych Street?"`},
	},
	{
		name:      "a sentence with a colon is not a speaker label",
		in:        "Note: this is prose. A list follows: eggs, milk and tea.",
		sentences: []string{"Note: this is prose.", "A list follows: eggs, milk and tea."},
	},
	{
		name:      "underscores of emphasis go (mid5)",
		in:        "Her _lover_, Darrell, came in. _(Suspiciously)_ You are not his father, are you?",
		sentences: []string{"Her lover, Darrell, came in.", "(Suspiciously) You are not his father, are you?"},
		cleaned:   map[corpus.Clean]int{corpus.CleanMarkup: 4},
	},
	{
		name:     "chapter numbers go and chapter titles stay, out of capitals",
		in:       "CHAPTER XII.\n\nChapter 3\n\nADVENTURE II. THE RED-HEADED LEAGUE\n\nIX. The Adventure of the Engineer's Thumb\n\nCHAPTER 1. Loomings.\n\nBOOK ONE: THE MAN WITH THE TWISTED LIP",
		headings: []string{"The Red-headed League", "The Adventure of the Engineer's Thumb", "The Man with the Twisted Lip"},
		// "CHAPTER 1. Loomings." is two fragments: a title must have two words.
		dropped: map[corpus.Drop]int{corpus.DropContents: 2, corpus.DropFragment: 2},
	},
	{
		name:      "a table of contents is dropped",
		in:        "   I. A Scandal in Bohemia\n  II. The Red-headed League\n III. A Case of Identity\n\nCHAPTER I. The Widow and her Child             1\n       II. The Old Mint                       13\n\nIt begins here at last.",
		sentences: []string{"It begins here at last."},
		dropped:   map[corpus.Drop]int{corpus.DropContents: 5},
	},
	{
		name:      "initials are not a chapter number",
		in:        "C. S. Lewis Wrote Books\n\nC. S. Lewis wrote books for children.",
		sentences: []string{"C. S. Lewis wrote books for children."},
		headings:  []string{"C. S. Lewis Wrote Books"},
	},
	{
		name:      "dates are not prose, alone or on a line of their own",
		in:        "2022 03 31\n\nMarch 31, 2022\n\n31st March 2022\n\n2022-03-31\nStrange indeed... This is very odd indeed.\n\nThursday, 31 March 2022 at 10:00 am\n\nApril 18, 2011 [EBook #1661]",
		sentences: []string{"This is very odd indeed."},
		dropped:   map[corpus.Drop]int{corpus.DropMetadata: 6, corpus.DropFragment: 1}, // "Strange indeed..."
	},
	{
		name:      "a date in a sentence stays",
		in:        "On March 31, 2022 we met at 10:00 in the hall.",
		sentences: []string{"On March 31, 2022 we met at 10:00 in the hall."},
	},
	{
		name:     "bylines are not prose",
		in:       "Pride and Prejudice\n\nBy Jane Austen\n\nfrom Strange Opinions by Ecks D. Essay\n\n— David Graeber\n\nWritten by Arthur Conan Doyle\n\nThe Adventures\n\nby\n\nSIR ARTHUR CONAN DOYLE",
		headings: []string{"Pride and Prejudice", "The Adventures"},
		dropped:  map[corpus.Drop]int{corpus.DropMetadata: 6},
	},
	{
		name:      "a sentence that starts with by is prose",
		in:        "By the way, this is a sentence. By Monday everyone had left.",
		sentences: []string{"By the way, this is a sentence.", "By Monday everyone had left."},
	},
	{
		name:     "metadata lines are not prose",
		in:       "Title: The Adventures of Sherlock Holmes\n\nAuthor: Arthur Conan Doyle\n\nRelease Date: March, 1999\nLanguage: English\n\nCopyright 2022 Ecks D. Essay\n\n© 2022 The Cloud",
		dropped:  map[corpus.Drop]int{corpus.DropMetadata: 6},
		headings: nil,
	},
	{
		name:      "copyright law in a sentence is prose",
		in:        "Copyright law is a mess, said the cloud.",
		sentences: []string{"Copyright law is a mess, said the cloud."},
	},
	{
		name:      "a quoted line of dialogue is not a heading",
		in:        "\"What sort of girl is Miss Darcy?\"\n\n\"And Irene Adler?\"\n\n\"WILLIAM COLLINS\"\n\n\"Climate Leninism\" as a test case",
		sentences: []string{`"What sort of girl is Miss Darcy?"`, `"And Irene Adler?"`},
		headings:  []string{`"Climate Leninism" as a test case`},
		dropped:   map[corpus.Drop]int{corpus.DropFragment: 1},
	},
	{
		name:      "stage directions and lines going on into a quotation are not headings",
		in:        "(Enter Ahab: Then, All)\n\nWhen the ladies were separating, he said to Elizabeth —\n\nA Real Heading Here",
		headings:  []string{"A Real Heading Here"},
		sentences: []string{"(Enter Ahab: Then, All)."},
		dropped:   map[corpus.Drop]int{corpus.DropUnfinished: 1},
		cleaned:   map[corpus.Clean]int{corpus.CleanStop: 1},
	},
	{
		name: "dialogue lines in a paragraph are sentences each",
		in:   "\"No, I won't leave go!\" screamed Mrs. Wood.\n\"Fire! — murder — thieves! — I've got one of 'em!\"",
		sentences: []string{
			`"No, I won't leave go!" screamed Mrs. Wood.`,
			`"Fire! — murder — thieves! — I've got one of 'em!"`,
		},
	},
}

// gutenbergBook is a Project Gutenberg e-text in miniature: header, START
// marker, book, END marker and licence.
const gutenbergBook = "\ufeffProject Gutenberg's The Tiny Book, by A. Writer\r\n\r\n" +
	"This eBook is for the use of anyone anywhere at no cost and with\r\nalmost no restrictions whatsoever.\r\n\r\n" +
	"Title: The Tiny Book\r\n\r\nAuthor: A. Writer\r\n\r\n" +
	"*** START OF THIS PROJECT GUTENBERG EBOOK THE TINY BOOK ***\r\n\r\n\r\n" +
	"Produced by an anonymous Project Gutenberg volunteer\r\n\r\n" +
	"THE TINY BOOK\r\n\r\nby\r\n\r\nA. WRITER\r\n\r\n" +
	"CHAPTER I. THE BEGINNING\r\n\r\n" +
	"It was a dark night, and the cloud was glowing over the town. Nobody\r\nsaw it but the cat.\r\n\r\n" +
	"The cat said nothing of it to anyone at all.\r\n\r\n" +
	"End of the Project Gutenberg EBook of The Tiny Book, by A. Writer\r\n\r\n" +
	"*** END OF THIS PROJECT GUTENBERG EBOOK THE TINY BOOK ***\r\n\r\n" +
	"Updated editions will replace the previous one--the old editions\r\nwill be renamed.\r\n\r\n" +
	"1.E.9.  If you wish to charge a fee or distribute a Project Gutenberg-tm\r\nelectronic work, you must obtain permission in writing.\r\n\r\n" +
	"Compliance requirements are not uniform and it takes a considerable\r\neffort to meet them.\r\n"

func TestParseGutenberg(t *testing.T) {
	t.Parallel()
	got := corpus.Parse(gutenbergBook)
	want := [][]string{
		strings.Fields("It was a dark night, and the cloud was glowing over the town."),
		strings.Fields("Nobody saw it but the cat."),
		strings.Fields("The cat said nothing of it to anyone at all."),
	}
	if !slices.EqualFunc(got.Sentences, want, slices.Equal[[]string]) {
		t.Errorf("sentences:\n got %s\nwant %s", quoteSentences(got.Sentences), quoteSentences(want))
	}
	if wantH := []string{"The Tiny Book", "The Beginning"}; !slices.Equal(got.Headings, wantH) {
		t.Errorf("headings = %q, want %q", got.Headings, wantH)
	}
	// The header (4 paragraphs and the marker), the credits, the footer
	// (the "End of" line, the marker and 3 paragraphs of licence).
	if n := got.Dropped[corpus.DropGutenberg]; n != 5+1+5 {
		t.Errorf("Dropped[Gutenberg] = %d, want 11", n)
	}
	// A text that only mentions Project Gutenberg keeps it.
	mention := "I read it on Project Gutenberg, which is free."
	if got := corpus.Parse(mention); len(got.Sentences) != 1 || got.Dropped[corpus.DropGutenberg] != 0 {
		t.Errorf("Parse(%q): %d sentences, %d dropped as Gutenberg", mention, len(got.Sentences), got.Dropped[corpus.DropGutenberg])
	}
}

func TestParseCleans(t *testing.T) {
	t.Parallel()
	for _, cases := range [][]splitCase{chatCases, bookCases} {
		for _, tc := range cases {
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
				checkCounts(t, tc, got)
			})
		}
	}
}

// TestParseLearnsNoLinkOrMention: whatever chat holds, no learned token is
// a link, a mention or an emoji code.
func TestParseLearnsNoLinkOrMention(t *testing.T) {
	t.Parallel()
	var all []string
	for _, tc := range chatCases {
		all = append(all, tc.in)
	}
	text := corpus.Parse(strings.Join(all, "\n\n"))
	if len(text.Sentences) < 10 {
		t.Fatalf("only %d sentences learned from the chat cases", len(text.Sentences))
	}
	for _, s := range text.Sentences {
		for _, w := range s {
			if forbidden(w) {
				t.Errorf("learned %q in %q", w, strings.Join(s, " "))
			}
		}
	}
	for _, h := range text.Headings {
		for _, w := range strings.Fields(h) {
			if forbidden(w) {
				t.Errorf("heading %q holds %q", h, w)
			}
		}
	}
}

// forbidden reports whether a learned token is something the bot must never
// say: a link, a mention, an e-mail address or an emoji code.
func forbidden(w string) bool {
	lw := strings.ToLower(w)
	return strings.Contains(lw, "http") || strings.Contains(lw, "www.") || strings.Contains(w, "@") ||
		strings.Contains(w, "<#") || strings.Contains(w, "<:") || strings.Contains(w, "](") ||
		strings.Count(w, ":") >= 2 && !strings.ContainsAny(w, "0123456789")
}

// TestCurlyQuotes: a text set mostly with typographic quotes says so,
// though what it holds is made plain.
func TestCurlyQuotes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"It’s “fine”, they said. We’ve heard it before.", true},
		{`It's "fine", they said. We've heard it before.`, false},
		{"It’s fine. It's not. We’ve heard it.", true},
		{"No quotes here at all, none.", false},
	} {
		got := corpus.Parse(tt.text)
		if got.CurlyQuotes() != tt.want {
			t.Errorf("Parse(%q).CurlyQuotes() = %v, want %v", tt.text, got.CurlyQuotes(), tt.want)
		}
		for _, s := range got.Sentences {
			if strings.ContainsAny(strings.Join(s, " "), "’“”") {
				t.Errorf("Parse(%q) kept a curly quote: %q", tt.text, s)
			}
		}
	}
}
