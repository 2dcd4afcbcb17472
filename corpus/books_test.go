package corpus_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/internal/sharedfiles"
)

// TestReadBooks reads the shared corpora as train does: the marks of
// printed books are not learned as prose, and the books are.
func TestReadBooks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// keep are sentences of the book that must be learned.
		keep []string
		// min is the fewest sentences the book must give.
		min int
	}{
		{"mid5.txt", []string{
			// A play's speech, without its speaker label.
			"My liege, old Gaunt commends him to your majesty.",
			"It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.",
			"Call me Ishmael.",
		}, 45000},
		{"sherlock.txt", []string{"To Sherlock Holmes she is always THE woman."}, 5000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := sharedfiles.Path("corpora/" + tc.name)
			if path == "" {
				t.Skip(sharedfiles.Where("corpora/"+tc.name) + " not found")
			}
			text, err := corpus.Read([]string{path}, corpus.ReadOptions{Compact: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(text.Lines) < tc.min {
				t.Fatalf("%d sentences, want at least %d", len(text.Lines), tc.min)
			}
			learned := make(map[string]bool, len(text.Lines))
			for _, l := range text.Lines {
				learned[l] = true
			}
			for _, s := range tc.keep {
				if !learned[s] {
					t.Errorf("%q is not learned", s)
				}
			}
			bad := 0
			for _, l := range text.Lines {
				if why := bookMark(l); why != "" && !strings.HasPrefix(l, "BOOK I. (FOLIO), CHAPTER ") {
					// (Moby Dick's cetology runs its chapter labels into
					// the prose: "BOOK I. (FOLIO), CHAPTER V. (RAZOR-BACK).
					// — Of this whale little is known but his name.")
					if bad++; bad <= 10 {
						t.Errorf("learned %s: %q", why, l)
					}
				}
			}
			if bad > 10 {
				t.Errorf("... %d sentences in all", bad)
			}
			for _, h := range text.Headings {
				if chapterNumber.MatchString(h) || speakerLabel.MatchString(h) || strings.HasPrefix(h, `"`) || strings.HasPrefix(h, "(") || h == strings.ToUpper(h) {
					t.Errorf("heading %q", h)
				}
			}
		})
	}
}

var (
	// A label of at least three capitals ("IM: a press cutting" is Ulysses'
	// prose).
	speakerLabel  = regexp.MustCompile(`^(?:(?:[A-Z]\.|A) )*[A-Z][A-Z'.-]{2,}(?: [A-Z][A-Z'.-]+)*:(?: |$)`)
	underscored   = regexp.MustCompile(`(?:^|\W)_\w[^_]*\w?_(?:\W|$)`)
	chapterNumber = regexp.MustCompile(`(?i)^(chapter|book|part|act|scene|adventure)\s+([0-9]+|[ivxlc]+)\b`)
	gutenberg     = regexp.MustCompile(`(?i)project gutenberg|\be-?books?\b|\b1\.[a-f]\.`)
	runTogether   = regexp.MustCompile(`[a-z][.!?]["')]*[A-Z][a-z]`)
)

// bookMark says what mark of a printed book a learned sentence holds, or "".
//
// Each pattern is tried only on sentences holding what it needs (a
// capital first and a colon; an underscore; a chapter word first, folded,
// or a non-ASCII byte among the first nine; "1." or "gutenberg" or "boo"
// folded; a letter, a stop and a capital), a test that cannot turn a
// match away: under -race the regexps cost 10 s over
// mid5's 51,000 sentences, nearly all of which hold none of it (and even
// an anchored pattern that fails at once clears a bitmap the size of the
// sentence).
func bookMark(s string) string {
	lower := strings.ToLower(s) // folds the Kelvin sign to k; "gutenberg" and "boo" have no other folds
	switch {
	case s != "" && 'A' <= s[0] && s[0] <= 'Z' && strings.Contains(s, ":") && speakerLabel.MatchString(s):
		return "a speaker label"
	case strings.Contains(s, "_") && underscored.MatchString(s):
		return "an _emphasis_ underscore"
	case chapterWord(s) && chapterNumber.MatchString(s):
		return "a chapter number"
	case (strings.Contains(s, "1.") || strings.Contains(lower, "gutenberg") || strings.Contains(lower, "boo")) && gutenberg.MatchString(s):
		return "Project Gutenberg's words"
	case stopBeforeCapital(s) && runTogether.MatchString(s):
		return "two sentences run together"
	}
	return ""
}

// chapterWord reports whether s may start with one of chapterNumber's
// words: it does, folded, or its first bytes are not all ASCII (the long
// s and the Kelvin sign fold to s and k).
func chapterWord(s string) bool {
	head := s[:min(len(s), len("adventure"))]
	for i := 0; i < len(head); i++ {
		if head[i] >= utf8.RuneSelf {
			return true
		}
	}
	head = strings.ToLower(head)
	for _, w := range []string{"chapter", "book", "part", "act", "scene", "adventure"} {
		if strings.HasPrefix(head, w) {
			return true
		}
	}
	return false
}

// stopBeforeCapital reports whether s holds a lower-case letter, a stop
// and, after any closing quotes, a capital: what every match of
// runTogether holds.
func stopBeforeCapital(s string) bool {
	for i := 1; i < len(s); i++ {
		if c := s[i]; c != '.' && c != '!' && c != '?' || s[i-1] < 'a' || s[i-1] > 'z' {
			continue
		}
		j := i + 1
		for j < len(s) && strings.IndexByte(`"')`, s[j]) >= 0 {
			j++
		}
		if j < len(s) && 'A' <= s[j] && s[j] <= 'Z' {
			return true
		}
	}
	return false
}
