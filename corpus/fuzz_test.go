package corpus_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/corpus"
)

// fuzzSeeds are tricky inputs beyond the split table's passages.
var fuzzSeeds = []string{
	"",
	"\ufeff",
	"\r\n\r\n",
	"\xff\xfe\x00bad bytes. Then a Sentence is here.",
	"It\u00a0was a\u2028test\u2029of\u0085things here. Another one is here.",
	"— – -- --- … ... .... ?! !? ?!?",
	"\"'([ \"'([ Word word word. ])'\"",
	"# \n## \n### Heading\n> \n> > Nested quote is here.\n- - List of lists is here.",
	"**\n__\n``\n~~~\n***",
	"A. B. C. D. E. F. G.",
	"e.g. i.e. U.S. D.S.A. Dr. Mr. St. no. a. b.",
	"Ünïcödé Sentence is here. Ωmega starts the next one! ǅemo is titlecase? 日本語 has no case.",
	strings.Repeat("Word ", 200) + "end.",
	strings.Repeat("A", 300),
	"x\u200by\u200bz.\u00ad",
	// Chat and Markdown at their edges.
	"<@\n<@1>\n<#>\n<::>\n<a:b:>\n<https://>\n[](\n[a](b\n![a](b)\n[x](y)(z)",
	"** __ ~~ || ` *_ _* ||a|| ~~~~ ``` ```",
	"@ @@ @1 a@ a@b. a@b.c :: ::: :a: :a::b: :-) :)",
	"i i' i'm I'M i'x\ni\ni.",
	`."From ..."A !?"B U.S.A x."Yz`,
	"https://a.b/c.Next sentence is here. www.x.yz",
	"```\nunclosed code\n\nstill code",
	// Book marks at their edges.
	"*** START OF THIS PROJECT GUTENBERG EBOOK X ***\n\nBody text is here.\n\n*** END OF THIS PROJECT GUTENBERG EBOOK X ***\n\nLicence text is here.",
	"*** END OF THE PROJECT GUTENBERG EBOOK ***\n\n*** START OF THE PROJECT GUTENBERG EBOOK ***",
	"CHAPTER\n\nCHAPTER I\n\nI.\n\nXVIII. \n\nBook One:\n\nACT V. SCENE II.",
	"A:\nB C:\nTHE END:\nX: y z w.\n[1:2] <n> t u v w",
	"by\n\nby\n\nBY\n\n— \n\n— A\n\nfrom by by",
	"2022\n12:00\n1st\nMay\nMay I come in now?\nToday at\nTitle:\nTitle: x",
	corpus.EssayText()[:2000],
}

// checkText asserts what every Parse result must hold, whatever the input.
func checkText(t *testing.T, in string, text *corpus.Text) {
	t.Helper()
	if text == nil {
		t.Fatalf("Parse(%q) = nil", in)
	}
	if text.Bytes != int64(len(in)) {
		t.Errorf("Bytes = %d, want %d", text.Bytes, len(in))
	}
	if text.Dropped[corpus.DropDuplicate] < 0 || text.Dropped[corpus.DropDuplicate] > text.Paragraphs {
		t.Errorf("Duplicates %d, Paragraphs %d", text.Dropped[corpus.DropDuplicate], text.Paragraphs)
	}
	for _, s := range text.Sentences {
		if len(s) < 3 {
			t.Errorf("Parse(%q): sentence of %d tokens: %q", in, len(s), s)
		}
		for _, w := range s {
			if w == "" || !utf8.ValidString(w) || strings.IndexFunc(w, unicode.IsSpace) >= 0 {
				t.Errorf("Parse(%q): bad token %q in %q", in, w, s)
			}
			if strings.IndexFunc(w, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0 {
				t.Errorf("Parse(%q): control or format character in token %q", in, w)
			}
			if strings.ContainsAny(w, "\u2018\u2019\u201c\u201d\u00a0\u2013\u2026\ufeff") {
				t.Errorf("Parse(%q): typography left in token %q", in, w)
			}
		}
		first, _ := utf8.DecodeRuneInString(strings.TrimLeft(s[0], `"'([`))
		if unicode.IsLower(first) && unicode.ToTitle(first) != first || !unicode.IsLetter(first) && !unicode.IsDigit(first) {
			t.Errorf("Parse(%q): sentence %q does not start with a capital (or a caseless letter) or a digit", in, s)
		}
		for _, w := range s {
			// Never a link or a mention: the bot must not learn them.
			core := strings.TrimLeft(w, `"'([`)
			if strings.Contains(w, "://") || strings.HasPrefix(core, "www.") && strings.TrimRight(core, ".!?\"')]") != "www" || strings.Contains(w, "\x00") {
				t.Errorf("Parse(%q): learned link or placeholder %q in %q", in, w, s)
			}
			if r, _ := utf8.DecodeRuneInString(strings.TrimPrefix(core, "@")); strings.HasPrefix(core, "@") && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				t.Errorf("Parse(%q): learned mention %q in %q", in, w, s)
			}
		}
		last := strings.TrimRight(s[len(s)-1], `"')]`)
		if last == "" || !strings.ContainsRune(".!?", rune(last[len(last)-1])) {
			t.Errorf("Parse(%q): sentence %q does not end in . ! or ?", in, s)
		}
	}
	for _, h := range text.Headings {
		if h == "" || !utf8.ValidString(h) || strings.ContainsAny(h, "\r\n") || h != strings.TrimSpace(h) {
			t.Errorf("Parse(%q): bad heading %q", in, h)
		}
		if strings.Join(strings.Fields(h), " ") != h {
			t.Errorf("Parse(%q): heading %q has runs of whitespace", in, h)
		}
		if utf8.RuneCountInString(h) > 200 {
			t.Errorf("Parse(%q): heading of %d characters", in, utf8.RuneCountInString(h))
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, cases := range [][]splitCase{splitCases, chatCases, bookCases} {
		for _, tc := range cases {
			f.Add(tc.in)
		}
	}
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Add(gutenbergBook)
	f.Fuzz(func(t *testing.T, in string) {
		text := corpus.Parse(in)
		checkText(t, in, text)
		// Parse normalises: normalising first changes nothing, except where
		// normalising made a new "--" (say from "-\u2013"), which a second
		// pass turns into a dash.
		if norm := corpus.Normalize(in); !strings.Contains(norm, "--") {
			again := corpus.Parse(norm)
			if !slices.EqualFunc(again.Sentences, text.Sentences, slices.Equal[[]string]) || !slices.Equal(again.Headings, text.Headings) {
				t.Errorf("Parse(Normalize(%q)) differs from Parse of the raw text:\n%q %q\n%q %q", in, again.Sentences, again.Headings, text.Sentences, text.Headings)
			}
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, tc := range splitCases {
		f.Add(tc.in)
	}
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Add("-\u2013-")
	f.Add("a -\x00- b")
	f.Fuzz(func(t *testing.T, in string) {
		out := corpus.Normalize(in)
		if !utf8.ValidString(out) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", in, out)
		}
		for _, r := range out {
			switch {
			case r == '\n':
			case r == '\r' || r == '\t' || r == utf8.RuneError:
				t.Errorf("Normalize(%q) = %q: holds %U", in, out, r)
			case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
				t.Errorf("Normalize(%q) = %q: holds control or format character %U", in, out, r)
			case strings.ContainsRune("\u2018\u2019\u201a\u201b\u2032\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u00a0\u2009\u202f\u2002\u2003\u2013\u2012\u2010\u2011\u2026", r):
				t.Errorf("Normalize(%q) = %q: typographic %U left", in, out, r)
			}
		}
		// Every em dash stands between spaces.
		for i := strings.Index(out, "\u2014"); i >= 0; {
			if i == 0 || out[i-1] != ' ' || !strings.HasPrefix(out[i+len("\u2014"):], " ") {
				t.Errorf("Normalize(%q) = %q: em dash without spaces at %d", in, out, i)
				break
			}
			next := strings.Index(out[i+1:], "\u2014")
			if next < 0 {
				break
			}
			i += 1 + next
		}
		// Idempotent: everything Normalize replaces is gone from its output,
		// so a second pass changes nothing. The exception is a "--" that the
		// first pass made (from "-\u2013", or around a dropped control
		// character), which the second turns into a spaced em dash.
		if !strings.Contains(out, "--") {
			if again := corpus.Normalize(out); again != out {
				t.Errorf("Normalize not idempotent:\n in    %q\n once  %q\n twice %q", in, out, again)
			}
		}
		// Letters and digits pass through untouched: only typography,
		// spacing and invisible characters change.
		count := func(s string) int {
			n := 0
			for _, r := range s {
				if (unicode.IsLetter(r) || unicode.IsDigit(r)) && r != utf8.RuneError {
					n++
				}
			}
			return n
		}
		if utf8.ValidString(in) && count(out) != count(in) {
			t.Errorf("Normalize(%q) = %q: %d letters and digits, had %d", in, out, count(out), count(in))
		}
	})
}
